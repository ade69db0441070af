"""Response headers and input bounds: everything that limits what a request or a page can do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,120}")
MAX_QUERY = 200
MAX_FILTER = 120
MAX_PAGE = 1000
MAX_IDS = 200


def valid_id(value: str | None) -> bool:
    """An id we are willing to look up: the id alphabet only, bounded, never a dot-only path part."""
    return bool(value) and ID_RE.fullmatch(value) is not None and value.strip(".") != ""


def require_id(value: str) -> None:
    """Raise ``Missing`` (404) for an id outside the id alphabet: no such item can exist."""
    if not valid_id(value):
        from web.pages import Missing

        raise Missing("编号格式不正确。")


def bounded_query(value: str | None) -> str:
    """The query string, stripped and truncated to MAX_QUERY characters."""
    return (value or "").strip()[:MAX_QUERY]


def bounded_filter(value: str | None) -> str | None:
    """A filter value (category, agency, year, doc): None when empty, truncated to MAX_FILTER."""
    value = (value or "").strip()[:MAX_FILTER]
    return value or None


def bounded_page(value: str | None) -> int:
    """A 1-based page number in 1..MAX_PAGE; anything unparsable is page 1."""
    try:
        page = int(value or 1)
    except ValueError:
        return 1
    return max(1, min(page, MAX_PAGE))


def parse_ids(value: str | None) -> list[str]:
    """Comma-separated ids, empty parts dropped (validation is the caller's)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


# A Host header we answer: DNS labels of 1–63 letters, digits or hyphens (at most 253 characters), an IPv4
# address, or a bracketed IPv6 address; an optional port. Anything else would fail inside Werkzeug (IDNA) before
# routing, where no error page can be rendered.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"(?:(?:{_LABEL})(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?")
BAD_HOST_BODY = "400 请求有误：Host 请求头无效。 Bad Request: invalid Host header.\n".encode()


def valid_host(host: str) -> bool:
    return len(host) <= 260 and _HOST_RE.fullmatch(host) is not None


class HostGuard:
    """WSGI middleware: a request with an unusable Host header gets a plain 400 (with the security headers)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(BAD_HOST_BODY))),
                *HEADERS.items(),
            ]
            start_response("400 Bad Request", headers)
            return [BAD_HOST_BODY]
        return self.app(environ, start_response)


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.wsgi_app = HostGuard(app.wsgi_app)  # type: ignore[method-assign]
