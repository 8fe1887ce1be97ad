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


def test_a_malformed_request_line_is_stripped_in_both_of_werkzeugs_lines():
    """A raw space in the query makes werkzeug log "Bad request syntax" and then the request line."""
    line = "GET /patients/?q=Garcia Maria&dob=01/02/1950 HTTP/1.1"
    error = logging.LogRecord("werkzeug", logging.ERROR, __file__, 1, "%s - - [%s] code %d, message %s",
                              ("127.0.0.1", "now", 400, f"Bad request syntax ({line!r})"), None)
    access = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", line, "400", "-"), None)
    for record in (error, access):
        StripQueryStrings().filter(record)
        text = record.getMessage()
        assert "Garcia" not in text and "Maria" not in text and "1950" not in text
        assert "/patients/?…" in text


def test_the_development_server_logs_no_query_of_a_malformed_request(tmp_path):
    """End to end: a real werkzeug server, a raw request line with a space in its query."""
    import io
    import socket
    import threading

    from werkzeug.serving import make_server

    from core.web import log_privacy

    log_privacy.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("werkzeug")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, lambda environ, start: [b""])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as conn:
            conn.sendall(b"GET /patients/?q=Garcia Maria HTTP/1.1 extra\r\nHost: x\r\n\r\n")
            conn.recv(1024)
    finally:
        server.shutdown()
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert "400" in logged and "Garcia" not in logged and "Maria" not in logged
