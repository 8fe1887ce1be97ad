"""What the Audit Trail shows for a record: "Rivera, Maria (chart #000054)", linked to the chart, instead
of "patient #54".

The trail knows no domain, so each package that records events about its rows registers, for its record
type, a ``query(ids)`` (a ``select`` whose first column is the row's id, then up to ``MAX_PARTS`` columns
the label is made of) and a ``label(id, parts)`` that makes the ``RecordLabel``. The queries of every type
on a page are run as one statement (UNION ALL), so a page costs one statement for its labels whatever the
number of rows or types. Ids a query cannot name (a deleted row) are left out and shown as type and id.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import String, cast, literal, null, select, union_all

from core.extensions import db
from core.web.converters import MAX_ID

MAX_PARTS = 4
"""Columns a label query may return besides the id."""


@dataclass(frozen=True)
class RecordLabel:
    text: str
    url: str | None = None


LabelQuery = Callable[[list[int]], object]
LabelMaker = Callable[[int, tuple], RecordLabel]
_types: dict[str, tuple[LabelQuery, LabelMaker]] = {}


def label_records(object_type: str, query: LabelQuery, label: LabelMaker) -> None:
    """Register how records of ``object_type`` are named in the trail (a package does so at import).

    :param query: ``query(ids)`` → a ``select`` of ``(id, part, …)`` for those ids (at most MAX_PARTS parts).
    :param label: ``label(id, parts)`` → the RecordLabel; ``parts`` are the query's columns as text.
    """
    _types[object_type] = (query, label)


def labels_for(events: Iterable) -> dict[tuple[str, str], RecordLabel]:
    """``{(object_type, object_id): RecordLabel}`` for the events of one page, in one statement."""
    ids_by_type: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in _types and event.object_id.isdigit() and int(event.object_id) <= MAX_ID:
            ids_by_type.setdefault(event.object_type, set()).add(int(event.object_id))
    if not ids_by_type:
        return {}
    parts = []
    for object_type, ids in sorted(ids_by_type.items()):
        rows = _types[object_type][0](sorted(ids)).subquery()
        columns = list(rows.c)
        texts = [cast(c, String) for c in columns[1:]] + [null()] * (MAX_PARTS - len(columns) + 1)
        parts.append(select(literal(object_type), columns[0], *texts))
    labels: dict[tuple[str, str], RecordLabel] = {}
    for object_type, row_id, *texts in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        labels[(object_type, str(row_id))] = _types[object_type][1](row_id, tuple(texts))
    return labels
