"""Keep protected health information out of logs.

Search terms (patient names, dates of birth, phone numbers) travel in query strings, so the access log
line of the development server is rewritten without its query string. For gunicorn, use an access log
format without the query (``%(U)s`` instead of ``%(r)s``; see README). Caseload's own code never logs
patient data.
"""
from __future__ import annotations

import logging
import re

# From the "?" of a request target to the protocol (a malformed line may hold raw spaces), or to the
# end of the text when no protocol follows.
_QUERY = re.compile(r"\?.*?(?= HTTP/\d)|\?[^\s'\"]*")


def _strip(value):
    return _QUERY.sub("?…", value) if isinstance(value, str) else value


class StripQueryStrings(logging.Filter):
    """Remove query strings from werkzeug's log lines: the access log's request line, and the request
    line quoted in its errors ("Bad request syntax ('GET /patients/?q=… HTTP/1.1')")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _strip(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_strip(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _strip(value) for key, value in record.args.items()}
        return True


def install() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, StripQueryStrings) for f in logger.filters):
        logger.addFilter(StripQueryStrings())
