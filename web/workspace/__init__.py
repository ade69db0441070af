"""The staff workspace: sign-in, upload, build status and curation, each page with its JSON twin.

The public site stays read-only; every write here needs a signed-in user (Flask-Login) and a valid CSRF token
(Flask-WTF: the form field ``csrf_token`` or the header ``X-CSRFToken`` with the token of
``<meta name="csrf-token">``, which every page a signed-in user sees carries). Failed sign-ins are limited per
user name and per address, for every sign-in route together (``LOGIN_LIMIT``, kept in the instance folder's
``security.sqlite3`` with the server-side sessions and the security log: ``web.workspace.guard``). Accounts and the secret key live in the instance
folder (``web.workspace.accounts``); uploads in the first documents folder's ``uploads/``; decisions in its
``curation.jsonl`` (``kb.store.curation``). Each change queues an incremental build in a subprocess
(``builder.BuildQueue``).

=======================  ====================================  ========================================
page (HTML)              JSON twin                              who
=======================  ====================================  ========================================
``/login`` ``/logout``   ``/api/login`` ``/api/logout``        anyone / signed in
``/workspace``           ``/api/status`` (= ``/api/workspace``)  signed in
``/upload``              ``/api/upload``                        signed in (GET: limits; POST: files)
``/uploads/replace``     ``/api/uploads/replace``               admin
``/uploads/remove``      ``/api/uploads/remove``                admin
``/workspace/curation``  ``/api/curation``                      signed in (GET: list; POST: decide)
``/workspace/review``    ``/api/review``                        signed in (the review queue)
=======================  ====================================  ========================================

Config keys (``create_app``): ``INSTANCE_DIR`` (default ``$POLICYKB_INSTANCE`` or ``instance/``), ``DOCUMENTS``
(the documents folders, default ``kb.config.documents_folders()``), ``UPLOAD_MAX_BYTES`` (50 MB),
``SECURE_COOKIES`` (``$POLICYKB_SECURE_COOKIES=1``: cookies only over HTTPS), ``TRUSTED_PROXIES``
(``$POLICYKB_TRUSTED_PROXIES``: how many reverse proxies' X-Forwarded-For/-Proto to trust), ``LOGIN_LIMIT``
((10, 900): failed sign-ins per 15 minutes, per user name and per address), ``BUILD_IN_BACKGROUND`` (default True; tests may turn it off).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from kb import config as kb_config
from web.workspace.accounts import UserStore, ensure_instance, secret_key

EXTENSION = "policykb_workspace"
DEFAULT_UPLOAD_MAX = 50 * 2**20


class Workspace:
    """What the workspace's views share: folders, the user store, the build queue."""

    def __init__(self, app: Flask) -> None:
        from web.workspace.builder import BuildQueue
        from web.workspace.status import DigestCache
        from web.workspace.uploads import UploadFolder

        self.instance = Path(app.config["INSTANCE_DIR"])
        self.documents = [Path(p).resolve() for p in app.config["DOCUMENTS"]]
        self.index_dir = Path(app.config["INDEX_DIR"])
        self.users = UserStore(self.instance)
        self.uploads = UploadFolder(self.documents[0], int(app.config["UPLOAD_MAX_BYTES"]))
        config_dir = kb_config.config_dir()
        self.queue = BuildQueue(
            self.documents,
            self.index_dir,
            self.instance,
            config_dir=config_dir if config_dir.is_dir() else None,
        )
        self.background = bool(app.config.get("BUILD_IN_BACKGROUND", True))
        self.digests = DigestCache()

    def rebuild(self) -> None:
        if self.background:
            self.queue.request()


def workspace() -> Workspace:
    from flask import current_app

    return current_app.extensions[EXTENSION]


def _configure(app: Flask) -> None:
    config = app.config
    instance = Path(config.get("INSTANCE_DIR") or kb_config.instance_dir(None)).resolve()
    config["INSTANCE_DIR"] = str(instance)
    ensure_instance(instance)
    app.instance_path = str(instance)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key(instance)
    config["DOCUMENTS"] = [str(p) for p in (config.get("DOCUMENTS") or kb_config.documents_folders(None))]
    config.setdefault(
        "UPLOAD_MAX_BYTES", int(os.environ.get("POLICYKB_UPLOAD_MAX_BYTES") or DEFAULT_UPLOAD_MAX)
    )
    secure = config.get("SECURE_COOKIES", os.environ.get("POLICYKB_SECURE_COOKIES", "") not in ("", "0"))
    config.update(
        SESSION_COOKIE_NAME="policykb_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(secure),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which ends after PERMANENT_SESSION_LIFETIME
        WTF_CSRF_FIELD_NAME="csrf_token",
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
    )
    config.setdefault("LOGIN_LIMIT", (10, 15 * 60))  # failed (or running) sign-ins, seconds
    proxies = int(config.get("TRUSTED_PROXIES", os.environ.get("POLICYKB_TRUSTED_PROXIES") or 0) or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)  # type: ignore[method-assign]


def init_workspace(app: Flask) -> None:
    """Configure sessions, CSRF, sign-in and rate limits, and register the workspace's pages and API."""
    from web.workspace import auth, views

    _configure(app)
    app.extensions[EXTENSION] = Workspace(app)
    auth.init_auth(app)  # the upload gate runs before CSRF reads a body; then CSRF, sign-in, rate limits
    views.register(app)

    @app.context_processor
    def workspace_globals() -> dict[str, Any]:
        from flask_login import current_user

        return {"current_user": current_user, "signed_in": bool(current_user.is_authenticated)}
