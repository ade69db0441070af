"""Sign-in (Flask-Login), CSRF (Flask-WTF) and the failed-login limit (Flask-Limiter); /login and /logout."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from web.workspace.accounts import User, session_id

F = TypeVar("F", bound=Callable[..., Any])

UPLOAD_ENDPOINTS = frozenset(
    {"workspace.upload", "workspace_api.upload", "workspace.replace", "workspace_api.replace"}
)
LIMITED_MESSAGE = "登录失败次数过多，请 15 分钟后再试。"


class StaffUser(UserMixin):
    """A signed-in account, as Flask-Login sees it."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return session_id(self.user)

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
    """A local path to return to after a form (never another site: no scheme, no host, no //)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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
            abort(403, "只有管理员可以替换或删除文件。")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _login_name() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    raw = (data or {}).get("username") if isinstance(data, dict) else request.form.get("username")
    return "user:" + unicodedata.normalize("NFKC", str(raw or "")).strip().lower()[:64]


def _failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


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


def login_post() -> ResponseReturnValue:
    from web.workspace import workspace

    username, password, nxt = _credentials()
    user = workspace().users.authenticate(username, password) if username and password else None
    if user is None:
        g.login_failed = True
        message = "用户名或密码不正确。"
        if is_api():
            return jsonify({"error": 401, "title": "登录失败", "message": message}), 401
        page = render_template(
            "workspace/login.html", next=safe_next(nxt, ""), error=message, username=username
        )
        return page, 401
    session.clear()  # a fresh session (and CSRF secret) for the signed-in user
    login_user(StaffUser(user))
    session.permanent = True
    if is_api():
        return jsonify({"user": user.public(), "csrf_token": generate_csrf()})
    flash(f"欢迎，{user.name}。")
    return redirect(safe_next(nxt, url_for("workspace.home")))


def logout_post() -> ResponseReturnValue:
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

    @manager.user_loader
    def load_user(user_id: str) -> StaffUser | None:
        user = workspace().users.by_session(user_id)
        return StaffUser(user) if user is not None else None

    @manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if is_api() or request.method != "GET":
            return error_response(401, "请先登录工作台。")
        return redirect(url_for("workspace.login", next=request.full_path.rstrip("?")))

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> ResponseReturnValue:
        return error_response(403, "请求未通过安全校验（CSRF 令牌缺失或无效）：请刷新页面后重试。")

    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        headers_enabled=bool(app.config["RATELIMIT_HEADERS_ENABLED"]),
    )
    limit = app.config["LOGIN_LIMIT"]
    by_address = limiter.limit(
        limit,
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_failed,
        error_message=LIMITED_MESSAGE,
    )
    by_user = limiter.limit(
        limit, key_func=_login_name, methods=["POST"], deduct_when=_failed, error_message=LIMITED_MESSAGE
    )

    app.extensions["policykb_limits"] = (by_address, by_user)


def add_routes(app: Flask, html: Blueprint, api: Blueprint) -> None:
    """/login and /logout (and their /api twins) on the workspace's blueprints, login limited twice."""
    by_address, by_user = app.extensions["policykb_limits"]

    def login() -> ResponseReturnValue:
        return login_post() if request.method == "POST" else login_form()

    def api_login() -> ResponseReturnValue:
        return login_post() if request.method == "POST" else api_login_get()

    def logout() -> ResponseReturnValue:
        return logout_post() if request.method == "POST" else logout_form()

    # Two limits (per address and per user name), each counting only failed attempts.
    html.add_url_rule("/login", "login", by_address(by_user(login)), methods=["GET", "POST"])
    api.add_url_rule("/login", "login", by_address(by_user(api_login)), methods=["GET", "POST"])
    html.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
    api.add_url_rule("/logout", "logout", logout_post, methods=["POST"])
