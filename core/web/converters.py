"""URL converters: ``<int:…>`` ids are bounded to what the database can hold.

Ids are ``INTEGER`` columns (32-bit signed on PostgreSQL), so an id above 2**31 - 1 names no row, and
PostgreSQL or the SQLite driver would refuse it with an error: such a URL answers 404 like any other id
that does not exist. (Should ids become BIGINT, raise ``MAX_ID`` to 2**63 - 1.)
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app) -> None:
    """Make ``<int:…>`` bounded in ``app`` (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
