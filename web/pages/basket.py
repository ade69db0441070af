"""The report basket: its page, the citable items it lists (/api/items) and the report export (/export)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, request, send_file

from kb.cite.citation import STYLE_ALIASES
from kb.cite.export import DEFAULT_AUTHOR, EXPORT_STYLES, export_docx, export_markdown
from web.pages import Context, Invalid, Page, context
from web.pages.items import EXPORT_STYLE_LABELS, item_json, requested_ids, resolve_all
from web.throttle import expensive

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
TITLE = "政策引用汇编"
MAX_EXPORT_CHARS = 2_000_000  # quoted characters in one export (≈ 1,000 pages); beyond: 413


class TooLarge(Exception):
    """The response would be larger than allowed (413); the message says how to make it smaller."""


def basket_data(ctx: Context) -> dict[str, Any]:
    """The basket page's choices (its items live in the browser and come from /api/items)."""
    return {
        "styles": [{"style": style, "label": label} for style, label in EXPORT_STYLE_LABELS.items()],
        "formats": [
            {"format": "docx", "label": "Word（.docx）"},
            {"format": "md", "label": "Markdown（.md）"},
        ],
    }


def items_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {"ids": requested_ids(args.get("ids"))}


def items_data(ctx: Context, ids: list[str]) -> dict[str, Any]:
    """Basket entries for the ids in that order; ids no longer in the index are listed as missing."""
    found, missing = resolve_all(ctx.kb, ids)
    items = [item_json(i, ctx.permalink(i.url), ctx.today) for i in found]
    return {"items": items, "missing": missing}


bp = Blueprint("export", __name__)


@bp.get("/export")
def export() -> Response:
    fmt = request.args.get("format", "docx")
    if fmt not in FORMATS:
        raise Invalid("导出格式只能是 docx 或 md。")
    style = request.args.get("style", "official")
    style = STYLE_ALIASES.get(style, style)
    if style not in EXPORT_STYLES:
        raise Invalid("引用格式只能是 official（公文引用格式）、gbt7714（GB/T 7714—2015）或 gbt7714-2025。")
    ids = requested_ids(request.args.get("ids"))
    ctx = context()
    found, missing = resolve_all(ctx.kb, ids)
    if missing:
        raise Invalid(f"以下编号不存在，无法导出：{'、'.join(m[:120] for m in missing[:10])}")
    size = sum(len(item.citable.quote) for item in found)
    if size > MAX_EXPORT_CHARS:
        raise TooLarge(f"导出内容过大（{size} 字，上限 {MAX_EXPORT_CHARS} 字）：请分几次导出。")
    items = [(item.citable, item.document) for item in found]
    options = {"style": style, "title": TITLE, "base_url": ctx.site_url, "accessed": ctx.today}
    filename = f"{TITLE}-{ctx.today:%Y%m%d}.{fmt}"
    with expensive():  # a few at a time: searches never wait for exports
        if fmt == "md":
            payload = export_markdown(items, **options).encode("utf-8")
        else:
            author = current_app.config.get("EXPORT_AUTHOR") or DEFAULT_AUTHOR
            payload = export_docx(items, **options, author=author)
    return send_file(io.BytesIO(payload), mimetype=FORMATS[fmt], as_attachment=True, download_name=filename)


PAGES = [
    Page("/basket", "basket", basket_data, "basket.html", api=False),
    Page("/items", "items", items_data, query=items_query),
]
