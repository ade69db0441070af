"""Response headers and input bounds: everything that limits what a request or a page can do."""

from __future__ import annotations

import re

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


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
