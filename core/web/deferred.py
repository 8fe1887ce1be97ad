"""Writes a read makes, committed once the page is built.

A page that only reads still writes a little: the audit event of opening a chart, the session's
``last_seen_at``. Committing them in the middle of the view would expire every object the page has
loaded, and the template would load them all again. Instead the view calls
``commit_after_response(write, …)``: once the response is rendered (an after-request hook installed by
``create_app``), each ``write`` runs (adding its rows) and the session commits, so the write also holds
no lock while the page renders. A failed commit answers 500, as a failed commit in the view would.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g

from core.extensions import db


def commit_after_response(*writes: Callable[[], None]) -> None:
    """Once the response is rendered, run ``writes`` (callables adding rows) and commit the session."""
    g.setdefault("_writes_after_response", []).extend(writes)
    g._commit_after_response = True


def commit_deferred(response):
    """After-request hook: the writes and the commit asked for with ``commit_after_response``."""
    if g.pop("_commit_after_response", False):
        try:
            for write in g.pop("_writes_after_response", []):
                write()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return response
