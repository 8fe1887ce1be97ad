"""Search terms (PHI) never reach the access log."""
import logging

from core.web.log_privacy import StripQueryStrings


def test_access_log_line_loses_its_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", "GET /patients/?q=Garcia%2C+Maria HTTP/1.1", "200", "-"), None)
    StripQueryStrings().filter(record)
    line = record.getMessage()
    assert "Garcia" not in line and "GET /patients/?… HTTP/1.1" in line


def test_coloured_request_line_is_stripped_too():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("\x1b[1mGET /patients/?q=01%2F02%2F1950 HTTP/1.1\x1b[0m", "200", "-"), None)
    StripQueryStrings().filter(record)
    assert "1950" not in record.getMessage()


def test_filter_is_installed_on_werkzeug_logger(app):
    assert any(isinstance(f, StripQueryStrings) for f in logging.getLogger("werkzeug").filters)
