"""Server-side pagination of a ``select``: one count query and one page query, or, for lists that stay
small (a chart's notes, a clinic's users), one query carrying its count (``count="window"``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import bindparam, func, select

from core.extensions import db


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


class _Derived:
    """The count and page statements of one query, built once when the query is prebuilt (a query
    built per request gets them built per request too)."""

    def __init__(self, query, options):
        self.count = select(func.count()).select_from(query.order_by(None).subquery())
        self.page = query.options(*options).limit(bindparam("_page_limit")).offset(bindparam("_page_offset"))
        self.window = (query.add_columns(func.count().over().label("page_total")).options(*options)
                       .limit(bindparam("_page_limit")).offset(bindparam("_page_offset")))


_prepared: dict[int, tuple[object, _Derived]] = {}


def _derived(query, options, prepared: bool) -> _Derived:
    if not prepared:
        return _Derived(query, options)
    key = id(query)
    if key not in _prepared or _prepared[key][0] is not query:
        _prepared[key] = (query, _Derived(query, options))
    return _prepared[key][1]


def paginate(query, options=(), size: int | None = None, count: str = "separate", total: int | None = None,
             params: dict | None = None) -> Page:
    """Run ``query`` for the page named by ``?page=`` (clamped to the range that exists).

    ``count="window"`` reads the total with the page (``count(*) OVER ()``): one statement instead of two,
    for lists of at most some thousands of rows. A large table's list keeps the separate count, which an
    index answers without reading the rows (the window count reads them all before the limit applies).
    ``total``: the count, when the caller read it already (with other values in one statement).
    ``params``: ``query`` is prebuilt (built once, e.g. with ``functools.cache``, its values as
    ``bindparam``s) and these are its values; its count and page statements are then built once too,
    which saves the Python SQLAlchemy spends building and keying a statement (more than the database
    takes to answer a page). ``options`` must then be the same on every call.
    """
    size = size or current_app.config["PAGE_SIZE"]
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    derived = _derived(query, options, params is not None)
    params = params or {}

    def page_of(page_number):
        return {**params, "_page_limit": size, "_page_offset": (page_number - 1) * size}

    if count == "window":
        rows = db.session.execute(derived.window, page_of(number)).unique().all()
        if rows or number == 1:
            return Page(items=[row[0] for row in rows], number=number, size=size, total=rows[0][-1] if rows else 0)
        total = None  # a page past the end: count, and show the last one
    if total is None:
        total = db.session.scalar(derived.count, params)
    number = min(number, max(1, -(-total // size)))
    items = list(db.session.scalars(derived.page, page_of(number)).unique())  # unique: joined collections
    return Page(items=items, number=number, size=size, total=total)
