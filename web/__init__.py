"""PolicyKB 政策知识库: the web site over a built index (read-only for the public).

``create_app(config)`` returns the Flask app; ``policykb serve`` serves it with waitress. Config keys:
``INDEX_DIR`` (default ``$POLICYKB_INDEX`` or ``index/``), ``RELOAD_INTERVAL`` (seconds between checks for a newly
published index generation, default 1.0), ``SITE_URL`` (the public address used in permalinks and exports, default
``$POLICYKB_SITE_URL``; never taken from the request's Host header), ``EXPORT_AUTHOR`` (the author written into exported
.docx files, default ``$POLICYKB_EXPORT_AUTHOR``, else 政策知识库); the staff workspace's keys
(``INSTANCE_DIR``, ``DOCUMENTS``, ``UPLOAD_MAX_BYTES``, ``SECURE_COOKIES``, ``TRUSTED_PROXIES``…) are listed in
``web.workspace``. The public pages never write; every write is the workspace's, behind sign-in and CSRF.

Layout: ``state`` (the open index, reloaded when a build publishes), ``pages/`` (one module per page type, each
page with its /api twin), ``render`` (marked text as HTML), ``security`` (headers, input bounds), ``errors``,
``workspace/`` (the signed-in staff workspace: login, upload, build status, curation).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request

from kb import config as kb_config
from kb.urls import document_url, measure_url, result_url, target_url
from web.render import marked_html
from web.state import EXTENSION, IndexState
from web.throttle import init_throttle

DEFAULTS: dict[str, Any] = {
    "RELOAD_INTERVAL": 1.0,
    "JSON_AS_ASCII": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,  # the public site takes no uploads
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The site over the index in ``config["INDEX_DIR"]`` (it may not exist yet: pages then answer 503)."""
    from web import errors, pages, security
    from web.pages import basket
    from web.workspace import init_workspace

    app = Flask(__name__)
    # No redirect is ever built from the request's Host header: routing answers /x and /x/ alike and never
    # "merges" // (Werkzeug's redirects for those take scheme and host from the request).
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.config.update(DEFAULTS)
    app.config["SITE_URL"] = os.environ.get("POLICYKB_SITE_URL", "").strip()
    app.config["EXPORT_AUTHOR"] = os.environ.get("POLICYKB_EXPORT_AUTHOR", "").strip()
    app.config.update(config or {})
    index_dir = Path(app.config.get("INDEX_DIR") or kb_config.index_dir(None))
    app.config["INDEX_DIR"] = str(index_dir)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = IndexState(index_dir, float(app.config["RELOAD_INTERVAL"]))
    # Templates link items with the same helpers as the page data, the search hits and the CLI.
    app.jinja_env.globals.update(
        document_url=document_url, measure_url=measure_url, target_url=target_url, result_url=result_url
    )
    app.jinja_env.filters["marked"] = marked_html

    pages.register(app, pages.all_pages())
    app.register_blueprint(basket.bp)
    init_workspace(app)  # instance folder, secret key, sign-in, CSRF, uploads, curation
    init_throttle(app)  # expensive work a few at a time
    security.init_security(app)
    errors.init_errors(app)

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {"header_query": request.args.get("q", "")[:200] if request.endpoint == "views.search" else ""}

    return app
