"""Server-side pagination of a ``select`` with one count query and one page query."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from sqlalchemy import func, select

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


def paginate(query, options=(), size: int | None = None) -> Page:
    """Run ``query`` for the page named by ``?page=`` (clamped to the range that exists)."""
    size = size or current_app.config["PAGE_SIZE"]
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(number, max(1, -(-total // size)))
    items = list(db.session.scalars(query.options(*options).limit(size).offset((number - 1) * size)))
    return Page(items=items, number=number, size=size, total=total)
