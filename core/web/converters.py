"""URL converters: ``<int:…>`` ids are bounded to what the database can hold.

An id at or above 2**63 names no row (ids are 64-bit signed integers on PostgreSQL) and would overflow
the driver: such a URL answers 404 like any other id that does not exist.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app) -> None:
    """Make ``<int:…>`` bounded in ``app`` (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
