"""What the Audit Trail shows for a record: "Rivera, Maria (chart #000054)", linked to the chart, instead
of "patient #54".

The trail knows no domain, so each package that records events about its rows registers a loader for
its record type: ``loader(ids)`` gets the string ids of one page's events of that type at once (one
query per type and page, never per row) and returns ``{id: RecordLabel}``; ids it cannot name (a deleted
row, another clinic's) are left out and shown as type and id.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.web.converters import MAX_ID


@dataclass(frozen=True)
class RecordLabel:
    text: str
    url: str | None = None


LabelLoader = Callable[[list[str]], dict[str, RecordLabel]]
_loaders: dict[str, LabelLoader] = {}


def label_records(object_type: str, loader: LabelLoader) -> None:
    """Register how records of ``object_type`` are named in the trail (a package does so at import)."""
    _loaders[object_type] = loader


def labels_for(events: Iterable) -> dict[tuple[str, str], RecordLabel]:
    """``{(object_type, object_id): RecordLabel}`` for the events of one page, one loader call per type."""
    ids_by_type: dict[str, set[str]] = {}
    for event in events:
        ids_by_type.setdefault(event.object_type, set()).add(event.object_id)
    labels: dict[tuple[str, str], RecordLabel] = {}
    for object_type, ids in ids_by_type.items():
        loader = _loaders.get(object_type)
        if loader is None:
            continue
        numeric = sorted(i for i in ids if i.isdigit() and int(i) <= MAX_ID)
        for object_id, label in loader(numeric).items():
            labels[(object_type, object_id)] = label
    return labels
