"""Keep protected health information out of logs.

Search terms (patient names, dates of birth, phone numbers) travel in query strings, so the access log
line of the development server is rewritten without its query string. For gunicorn, use an access log
format without the query (``%(U)s`` instead of ``%(r)s``; see README). Caseload's own code never logs
patient data.
"""
from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?\S*(?= HTTP/)")


class StripQueryStrings(logging.Filter):
    """Remove the query string from werkzeug's access-log request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _QUERY.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def install() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, StripQueryStrings) for f in logger.filters):
        logger.addFilter(StripQueryStrings())
