"""PolicyKB 政策知识库: the read-only web site over a built index.

``create_app({"INDEX_DIR": ...})`` returns the Flask app; ``policykb serve`` serves it with waitress.
Config keys: ``INDEX_DIR`` (default ``$POLICYKB_INDEX`` or ``index/``), ``RELOAD_INTERVAL`` (seconds between
checks for a newly published index generation, default 1.0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request

from kb import config as kb_config
from kb.present import document_url, measure_url, target_url
from web.state import EXTENSION, IndexState

DEFAULTS: dict[str, Any] = {
    "RELOAD_INTERVAL": 1.0,
    "JSON_AS_ASCII": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,  # the site takes no uploads
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The site over the index in ``config["INDEX_DIR"]`` (it may not exist yet: pages then answer 503)."""
    from web import api, errors, export, security, views

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    index_dir = Path(app.config.get("INDEX_DIR") or kb_config.index_dir(None))
    app.config["INDEX_DIR"] = str(index_dir)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = IndexState(index_dir, float(app.config["RELOAD_INTERVAL"]))
    # Templates link items with the same helpers as the page data, the search hits and the CLI.
    app.jinja_env.globals.update(document_url=document_url, measure_url=measure_url, target_url=target_url)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    security.init_security(app)
    errors.init_errors(app)

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {"header_query": request.args.get("q", "")[:200] if request.endpoint == "views.search" else ""}

    return app
