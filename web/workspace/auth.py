"""Sign-in (Flask-Login over server-side sessions), CSRF (Flask-WTF), the sign-in limit and the security log
(``web.workspace.guard``); /login and /logout; ``Cache-Control: no-store`` on everything a signed-in user sees."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from web.workspace.accounts import User, session_id
from web.workspace.guard import Guard

F = TypeVar("F", bound=Callable[..., Any])

UPLOAD_ENDPOINTS = frozenset(
    {"workspace.upload", "workspace_api.upload", "workspace.replace", "workspace_api.replace"}
)
LIMITED_MESSAGE = "登录失败次数过多，请 15 分钟后再试。"


class StaffUser(UserMixin):
    """A signed-in account, as Flask-Login sees it: the user and the server-side session's token."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return f"{session_id(self.user)}:{self.token}"

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin


def is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def safe_next(target: str | None, default: str) -> str:
    """A local path to return to after a form (never another site: no scheme, no host, no //, no control
    characters that would split a header)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def admin_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if not current_user.is_admin:
            abort(403, "只有管理员可以执行此操作。")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def client_address() -> str:
    return request.remote_addr or "?"


def _guard() -> Guard:
    return current_app.extensions["policykb_guard"]


def _credentials() -> tuple[str, str, str]:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, '请求须为 JSON 对象：{"username": …, "password": …}')
        return str(data.get("username") or ""), str(data.get("password") or ""), ""
    return request.form.get("username", ""), request.form.get("password", ""), request.form.get("next", "")


def login_form() -> ResponseReturnValue:
    nxt = safe_next(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(safe_next(nxt, url_for("workspace.home")))
    return render_template("workspace/login.html", next=nxt, error="", username="")


def _refused() -> ResponseReturnValue:
    from web.errors import error_response

    response = error_response(429, LIMITED_MESSAGE)
    response.headers["Retry-After"] = str(int(_guard().window))
    return response


def login_post() -> ResponseReturnValue:
    from web.workspace import workspace

    username, password, nxt = _credentials()
    name = unicodedata.normalize("NFKC", username).strip().lower()[:64]
    guard, address = _guard(), client_address()
    attempt = guard.reserve([f"user:{name}", f"address:{address}"])
    if attempt is None:  # one limit for every sign-in route, per name and per address
        guard.record("sign_in_refused", name, address)
        return _refused()
    user = None
    try:
        user = workspace().users.authenticate(username, password) if username and password else None
    finally:
        guard.finish(attempt, failed=user is None)
    if user is None:
        guard.record("sign_in_failed", name, address)
        message = "用户名或密码不正确。"
        if is_api():
            return jsonify({"error": 401, "title": "登录失败", "message": message}), 401
        page = render_template(
            "workspace/login.html", next=safe_next(nxt, ""), error=message, username=username
        )
        return page, 401
    session.clear()  # a fresh session (and CSRF secret) for the signed-in user
    login_user(StaffUser(user, guard.open_session(user.name)))
    session.permanent = True
    guard.record("sign_in", user.name, address)
    if is_api():
        return jsonify({"user": user.public(), "csrf_token": generate_csrf()})
    flash(f"欢迎，{user.name}。")
    return redirect(safe_next(nxt, url_for("workspace.home")))


def logout_post() -> ResponseReturnValue:
    if current_user.is_authenticated:  # the session ends on the server: a copied cookie no longer works
        _guard().close_session(current_user.token)
        _guard().record("sign_out", current_user.name, client_address())
    logout_user()
    session.clear()
    if is_api():
        return jsonify({"user": None})
    return redirect(url_for("views.home"))


def logout_form() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("views.home"))
    return render_template("workspace/logout.html")


def api_login_get() -> ResponseReturnValue:
    """The JSON twin of the login form: the CSRF token to send with POST /api/login, and who is signed in."""
    user = current_user.user.public() if current_user.is_authenticated else None
    return jsonify({"user": user, "csrf_token": generate_csrf(), "fields": ["username", "password"]})


def init_auth(app: Flask) -> None:
    from web.errors import error_response
    from web.workspace import workspace

    @app.before_request
    def upload_gate() -> ResponseReturnValue | None:
        """Before CSRF reads any body: uploads need a signed-in user, and may be larger than other requests."""
        if request.endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
            return None
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        limit = int(current_app.config["UPLOAD_MAX_BYTES"])
        if request.content_length is not None and request.content_length > limit:
            abort(413, f"上传内容超过 {limit // 2**20} MB 上限，请分开上传或压缩文件。")
        request.max_content_length = limit + 1024 * 1024  # room for the form's other fields
        return None

    CSRFProtect(app)

    manager = LoginManager()
    manager.init_app(app)
    manager.session_protection = "basic"

    guard = Guard(
        Path(app.config["INSTANCE_DIR"]),
        limit=int(app.config["LOGIN_LIMIT"][0]),
        window=float(app.config["LOGIN_LIMIT"][1]),
    )
    app.extensions["policykb_guard"] = guard

    @manager.user_loader
    def load_user(user_id: str) -> StaffUser | None:
        stamp, _, token = (user_id or "").rpartition(":")
        user = workspace().users.by_session(stamp)
        if user is None or not guard.session_open(user.name, token):
            return None
        return StaffUser(user, token)

    @app.after_request
    def no_store(response: Response) -> Response:
        """Nothing a signed-in user sees (edit controls, CSRF tokens, build status) is kept by any cache."""
        if session.get("_user_id") or session.modified or "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response

    @manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if is_api() or request.method != "GET":
            return error_response(401, "请先登录工作台。")
        return redirect(url_for("workspace.login", next=request.full_path.rstrip("?")))

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> ResponseReturnValue:
        return error_response(403, "请求未通过安全校验（CSRF 令牌缺失或无效）：请刷新页面后重试。")


def add_routes(app: Flask, html: Blueprint, api: Blueprint) -> None:
    """/login and /logout (and their /api twins) on the workspace's blueprints."""

    def login() -> ResponseReturnValue:
        return login_post() if request.method == "POST" else login_form()

    def api_login() -> ResponseReturnValue:
        return login_post() if request.method == "POST" else api_login_get()

    def logout() -> ResponseReturnValue:
        return logout_post() if request.method == "POST" else logout_form()

    html.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    api.add_url_rule("/login", "login", api_login, methods=["GET", "POST"])
    html.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
    api.add_url_rule("/logout", "logout", logout_post, methods=["POST"])

    @admin_required
    def security_log() -> ResponseReturnValue:
        """Admins only: the security log, newest first (sign-ins, sign-outs, failed and refused sign-ins)."""
        events = _guard().events()
        if is_api():
            return jsonify({"events": events})
        return render_template("workspace/security.html", events=events)

    html.add_url_rule("/workspace/security", "security", security_log)
    api.add_url_rule("/workspace/security", "security", security_log)
