"""Effective-dated rule tables: which row of a table is in force on a day (or in a year)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Row = TypeVar("Row")


def in_force(table: Sequence[Row], when: Any, *, start: Callable[[Row], Any] = lambda row: row.effective,
             what: str = "rules") -> Row:
    """The row of ``table`` whose ``start`` is the latest on or before ``when``; ValueError before the first."""
    started = [row for row in table if start(row) <= when]
    if not started:
        raise ValueError(f"no {what} before {min(start(row) for row in table)}")
    return max(started, key=start)
