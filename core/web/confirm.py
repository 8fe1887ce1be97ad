"""Ask first: actions that are easy to click by mistake (Inactivate, Remove sticky, a feature's Turn off).

With JavaScript the button's ``hx-confirm`` asks in a dialog before htmx sends the request, so an htmx
request arrives already confirmed. Without JavaScript the form posts straight away; the view then answers
with a confirmation page whose form posts again with ``confirmed=yes``.
"""
from __future__ import annotations

from flask import render_template, request

from core.web.htmx import is_htmx

CONFIRMED_FIELD = "confirmed"


def confirmed() -> bool:
    """Whether the user has confirmed this request (the htmx dialog, or the confirmation page)."""
    return is_htmx() or request.form.get(CONFIRMED_FIELD) == "yes"


def confirmation_page(question: str, detail: str, confirm_label: str, cancel_url: str, fields: dict | None = None):
    """The no-JavaScript confirmation: the question, and a form that repeats the post with ``confirmed=yes``."""
    return render_template("confirm.html", question=question, detail=detail, confirm_label=confirm_label,
                           cancel_url=cancel_url, action=request.path, fields=fields or {}), 200
