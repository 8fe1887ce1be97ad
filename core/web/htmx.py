"""htmx conventions in one place: partial or full page, ``Vary``, events, redirects.

A request gets the partial only when htmx sent it (``HX-Request``) and it is not a history restore
(``HX-History-Restore-Request``), so every URL htmx pushes still renders as a full page.
"""
from __future__ import annotations

import json

from flask import make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(page_template: str, partial_template: str | None = None, *, status: int = 200, trigger: dict | None = None, **context):
    """Render ``partial_template`` for htmx requests and ``page_template`` otherwise.

    :param trigger: domain events to send in the ``HX-Trigger`` header, e.g. ``{"noteFinalized": {...}}``.
    """
    template = partial_template if (partial_template and is_htmx()) else page_template
    response = make_response(render_template(template, **context), status)
    if trigger:
        response.headers["HX-Trigger"] = json.dumps(trigger)
    return response


def add_vary(response):
    """After-request hook: caches must keep pages and partials of one URL apart."""
    response.vary.add("HX-Request")
    return response
