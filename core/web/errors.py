"""Error pages: 400 for a refused CSRF token (a #flash message for htmx requests), 403, 404 and 413."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from core.web.htmx import is_htmx


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        app.logger.warning("CSRF refused: %s", error.description)
        message = "Your session's security token is missing or out of date. Reload the page and try again."
        if is_htmx():
            # htmx swaps this into #flash (the layout's htmx-config swaps 400 answers).
            response = app.make_response((render_template("_flash_message.html", message=message, category="error"), 400))
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        return render_template("error.html", code=400, title="Bad request", message=message), 400

    for code, title, message in (
        (403, "Not allowed", "You do not have the permission this page needs."),
        (404, "Not found", "There is nothing here, or you do not have access to it."),
        (405, "Not here", "This address does not take that kind of request. Use the page's buttons and links."),
        (413, "Too large", "What you sent is too large."),
        (429, "Too many tries", "Too many requests from this computer. Wait a minute and try again."),
    ):
        app.register_error_handler(code, _error_page(code, title, message))


def _error_page(code: int, title: str, message: str):
    def handler(error):
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error=title), code
        # A view may say why (``abort(403, description=...)``); werkzeug's stock wording is replaced by ours.
        said = getattr(error, "description", None)
        shown = said if code == 403 and said and said != type(error).description else message
        return render_template("error.html", code=code, title=title, message=shown), code

    return handler
