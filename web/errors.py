"""Friendly error pages (HTML) and JSON errors (under /api/): no request ever sees a traceback."""

from __future__ import annotations

import errno
import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from web.pages import Invalid, Missing
from web.pages.basket import TooLarge
from web.state import IndexUnavailable
from web.throttle import RETRY_SECONDS, Busy

log = logging.getLogger(__name__)

TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有权限",
    404: "没有找到页面",
    405: "不支持的操作",
    413: "内容过大",
    429: "请求过于频繁",
    500: "服务器出错了",
    503: "知识库暂不可用",
    507: "存储空间不足",
}
DEFAULT_MESSAGES = {
    400: "请求的参数不正确。",
    401: "请先登录工作台。",
    403: "您没有权限执行此操作。",
    404: "您要找的页面或条目不存在，可能编号有误，或该文件已从知识库中移除。",
    405: "本站只提供查阅，不支持此操作。",
    413: "请求或响应的内容超过了上限。",
    429: "请求过于频繁，请稍后再试。",
    500: "处理请求时出现意外错误，请稍后再试。",
    503: "知识库索引尚未建立或正在维护。请先运行 policykb build 构建索引，然后刷新本页。",
}


DISK_FULL_MESSAGE = "服务器磁盘空间不足，本次内容未保存（已收到的部分已清除）。请联系管理员清理空间后重试。"


def error_response(code: int, message: str, title: str = "") -> Response:
    """JSON under /api/, else the error page."""
    title = title or TITLES.get(code, "错误")
    if request.path == "/api" or request.path.startswith("/api/"):
        response = jsonify({"error": code, "title": title, "message": message})
    else:
        response = make_response(render_template("error.html", code=code, title=title, message=message))
    response.status_code = code
    return response


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        own = exc.description and exc.description != type(exc).description  # set by our abort() calls
        message = exc.description if own and code < 500 else DEFAULT_MESSAGES.get(code, DEFAULT_MESSAGES[500])
        response = error_response(code, str(message))
        if code == 405:
            valid = getattr(exc, "valid_methods", None)
            if valid:
                response.headers["Allow"] = ", ".join(valid)
        return response

    @app.errorhandler(Missing)
    def missing(exc: Missing) -> Response:
        return error_response(404, str(exc) or DEFAULT_MESSAGES[404])

    @app.errorhandler(Invalid)
    def invalid(exc: Invalid) -> Response:
        return error_response(400, str(exc) or DEFAULT_MESSAGES[400])

    @app.errorhandler(TooLarge)
    def too_large(exc: TooLarge) -> Response:
        return error_response(413, str(exc))

    @app.errorhandler(Busy)
    def busy(exc: Busy) -> Response:
        response = error_response(503, str(exc), "服务器繁忙")
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response

    @app.errorhandler(IndexUnavailable)
    def unavailable(_exc: IndexUnavailable) -> Response:
        response = error_response(503, DEFAULT_MESSAGES[503])
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(OSError)
    def os_error(exc: OSError) -> Response:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # a full disk: say so, nothing was half-saved
            log.error("disk full on %s: %s", request.path, exc)
            return error_response(507, DISK_FULL_MESSAGE)
        log.exception("unhandled error on %s", request.path, exc_info=exc)
        return error_response(500, DEFAULT_MESSAGES[500])

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.path, exc_info=exc)
        return error_response(500, DEFAULT_MESSAGES[500])
