"""The report export: GET /export?ids=...&format=docx|md, an attachment built by kb.cite.export."""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, abort, request, send_file

from kb.cite.export import export_docx, export_markdown
from web.items import requested_ids, resolve_all
from web.state import current_index

bp = Blueprint("export", __name__)

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown",
}
TITLE = "政策引用汇编"


@bp.get("/export")
def export() -> Response:
    fmt = request.args.get("format", "docx")
    if fmt not in FORMATS:
        abort(400, description="导出格式只能是 docx 或 md。")
    ids = requested_ids(request.args.get("ids"))
    found, missing = resolve_all(current_index().kb, ids)
    if missing:
        abort(400, description=f"以下编号不存在，无法导出：{'、'.join(m[:120] for m in missing[:10])}")
    items = [(item.citable, item.document) for item in found]
    base_url = request.url_root.rstrip("/") + "/documents"
    today = date.today()
    if fmt == "md":
        payload = export_markdown(items, title=TITLE, base_url=base_url, accessed=today).encode("utf-8")
    else:
        payload = export_docx(items, title=TITLE, base_url=base_url, accessed=today)
    filename = f"{TITLE}-{today:%Y%m%d}.{fmt}"
    return send_file(io.BytesIO(payload), mimetype=FORMATS[fmt], as_attachment=True, download_name=filename)
