"""Reads in autocommit, and the writes a read makes, committed once the page is built.

On PostgreSQL a GET (or HEAD) runs on a connection in autocommit (``reads_in_autocommit``): its default
isolation (read committed) gives each statement its own snapshot inside a transaction too, so a read
loses nothing, and it saves two round trips to the database per page (BEGIN and ROLLBACK), which cost
more than most of the page's statements (about 3 ms a page, measured). SQLite has no round trips and its
driver begins a transaction only before a write, so there autocommit would only add work (1.5 ms a
page). A GET writes only single rows (the audit event of a read, the session's last-seen time), each
committed as it is flushed; a request that must write several rows together is a POST, in a transaction.

A page that only reads still writes a little: the audit event of opening a chart, the session's
``last_seen_at``. Committing them in the middle of the view would expire every object the page has
loaded, and the template would load them all again. Instead the view calls
``commit_after_response(write, …)``: once the response is rendered (an after-request hook installed by
``create_app``), each ``write`` runs (adding its rows) and the session commits, so the write also holds
no lock while the page renders. A failed commit answers 500, as a failed commit in the view would.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g, request

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


READ_METHODS = frozenset({"GET", "HEAD"})


def reads_in_autocommit() -> None:
    """Before-request hook (the first): on PostgreSQL, a GET or HEAD gets its connection in autocommit.

    A request's session is new (its app context is); one that shares an app context with code before it
    (a test's) may be in a transaction: a clean one is ended first, one with unsaved changes left as it is."""
    if request.method not in READ_METHODS or request.endpoint == "static" or db.engine.dialect.name != "postgresql":
        return
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        session.rollback()
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    g._autocommit_read = True


def end_autocommit_read(_exc=None) -> None:
    """Teardown hook: the request's autocommit connection goes back to the pool with the request (not later
    with the app context), so nothing after the request writes through it."""
    if g.pop("_autocommit_read", False):
        db.session.rollback()
