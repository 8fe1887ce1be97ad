"""Search terms (PHI) never reach the access log."""
import logging

from core.log_privacy import StripQueryStrings


def test_access_log_line_loses_its_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", "GET /patients/?q=Garcia%2C+Maria HTTP/1.1", "200", "-"), None)
    StripQueryStrings().filter(record)
    line = record.getMessage()
    assert "Garcia" not in line and "GET /patients/?… HTTP/1.1" in line


def test_filter_is_installed_on_werkzeug_logger(app):
    assert any(isinstance(f, StripQueryStrings) for f in logging.getLogger("werkzeug").filters)
