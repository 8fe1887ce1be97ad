"""Response headers a health app needs: no framing, no sniffing, no caching of patient pages, and a
content security policy that the vendored files satisfy (no inline script or style, no eval)."""
from flask import g, request
from flask_wtf.csrf import generate_csrf

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith("/static/"):
        # Pages may hold PHI: never store them in a shared or browser cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


def request_csrf_token() -> str:
    """The template global ``csrf_token()``: Flask-WTF's token, read from where Flask-WTF keeps it for the
    request once made (a page with a form per row asks for it dozens of times)."""
    return g.get("csrf_token") or generate_csrf()
