"""The workspace's pages and their JSON twins (see the table in ``web.workspace``).

Data functions (``*_data``, ``record_*``) take what they need as arguments and raise ``Missing`` / ``Invalid``;
the views only read the request, call them and render the result as HTML or JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from kb.extract.curation import ACTION_LABELS, Decision
from kb.present import format_value
from kb.readers import SUPPORTED_SUFFIXES
from kb.store.curation import CurationError, CurationFile, make_decision
from kb.store.knowledge import KnowledgeReader
from web.pages import Invalid, Missing
from web.state import IndexUnavailable, current_index
from web.workspace import Workspace, auth, workspace
from web.workspace.status import (
    build_state,
    curation_counts,
    curation_entries,
    live_summary,
    manifest_of,
    read_status,
    upload_entries,
)
from web.workspace.uploads import UploadError, UploadFolder

MAX_FILES = 20  # files in one upload request


def live_kb() -> KnowledgeReader | None:
    try:
        return current_index().kb
    except IndexUnavailable:
        return None


# ---------------------------------------------------------------------------------------------- data


def decisions_of(ws: Workspace) -> list[Decision]:
    decisions, _warnings = CurationFile(ws.documents[0]).read()
    return decisions


def status_data(ws: Workspace, kb: KnowledgeReader | None) -> dict[str, Any]:
    """GET /api/status: the build, the live index, its rejected files, the uploads and the decisions."""
    manifest = manifest_of(kb)
    build = build_state(read_status(ws.index_dir), ws.queue.state())
    decisions = curation_entries(decisions_of(ws), manifest)
    uploads = upload_entries(ws.uploads, kb, manifest, ws.digests)
    return {
        "build": build,
        "live": live_summary(kb),
        "rejected": list(kb.rejected) if kb is not None else [],
        "uploads": uploads,
        "curation": curation_counts(decisions),
        "pending": sum(1 for u in uploads if u["state"] == "pending") + curation_counts(decisions)["pending"],
    }


def upload_limits(ws: Workspace) -> dict[str, Any]:
    return {
        "field": "file",
        "max_bytes": ws.uploads.max_bytes,
        "max_mb": ws.uploads.max_bytes // 2**20,
        "max_files": MAX_FILES,
        "formats": sorted(SUPPORTED_SUFFIXES),
    }


def store_uploads(folder: UploadFolder, files: list[Any], user: str) -> dict[str, Any]:
    """Save each uploaded file (werkzeug FileStorage); every refusal is listed with its reason."""
    if not files:
        raise Invalid("请选择要上传的文件（表单字段 file）。")
    if len(files) > MAX_FILES:
        raise Invalid(f"一次最多上传 {MAX_FILES} 个文件。")
    stored, refused = [], []
    for item in files:
        client_name = item.filename or ""
        try:
            result = folder.save(item.stream, client_name, user)
        except UploadError as exc:
            refused.append({"filename": client_name[:300], "reason": str(exc)})
            continue
        stored.append(
            {
                "filename": client_name[:300],
                "name": result.name,
                "source": result.relative,
                "size": result.size,
                "action": result.action,
                "duplicate_of": result.duplicate_of,
            }
        )
    return {"stored": stored, "refused": refused, "changed": any(s["action"] == "upload" for s in stored)}


def record_decision(
    ws: Workspace, kb: KnowledgeReader | None, data: Mapping[str, Any], user: str
) -> dict[str, Any]:
    """Validate a decision against the live index, append it to the decisions file; returns its JSON."""
    if kb is None:
        raise Invalid("知识库索引尚未建立，暂不能修订。")
    try:
        decision = make_decision(data, user=user)
    except CurationError as exc:
        raise Invalid(str(exc)) from None
    measure = kb.measure(decision.measure) if decision.measure else None
    target = kb.target(decision.target) if decision.target else None
    if decision.measure and measure is None:
        raise Missing(f"没有编号为 {decision.measure} 的措施。")
    if decision.target and target is None:
        raise Missing(f"没有编号为 {decision.target} 的目标。")
    if measure is not None and target is not None:
        linked = measure.id in target.measure_ids
        if decision.action == "confirm_link" and not linked:
            raise Invalid("该目标与措施尚未关联：请用“新增关联”。")
        if decision.action == "add_link" and linked:
            raise Invalid("该关联已存在：如需确认，请用“确认关联”。")
        if decision.action == "reject_link" and not linked:
            raise Invalid("该目标与措施没有关联，无需否决。")
    if decision.action == "set_categories":
        known = {c.name for c in kb.categories}
        unknown = [c for c in decision.categories if c not in known]
        if unknown:
            raise Invalid(f"未知的类别：{'、'.join(unknown[:5])}")
    snapshot: dict[str, Any] = {}
    if measure is not None:
        snapshot |= {"measure_number": measure.number, "measure_headline": measure.headline[:200]}
    if target is not None:
        snapshot |= {"target_indicator": target.indicator, "target_value": format_value(target)}
    decision = make_decision({**decision.to_json(), **snapshot}, user=user)
    saved = CurationFile(ws.documents[0]).append(decision)
    ws.rebuild()
    return {
        **saved.to_json(),
        "action_label": ACTION_LABELS[saved.action],
        "status": "pending",
        "status_label": "待生效",
    }


def curation_data(ws: Workspace, kb: KnowledgeReader | None) -> dict[str, Any]:
    entries = curation_entries(decisions_of(ws), manifest_of(kb))
    return {"decisions": entries, "counts": curation_counts(entries), "actions": ACTION_LABELS}


def curation_panel(kind: str, item_id: str) -> dict[str, Any] | None:
    """The curation controls of a measure or target page, for a signed-in user (else None)."""
    if not current_user.is_authenticated:
        return None
    ws = workspace()
    kb = live_kb()
    if kb is None:
        return None
    entries = [
        e
        for e in curation_entries(decisions_of(ws), manifest_of(kb))
        if (e.get("measure") if kind == "measure" else e.get("target")) == item_id
    ]
    panel: dict[str, Any] = {"kind": kind, "id": item_id, "decisions": entries, "next": request.path}
    if kind == "measure":
        measure = kb.measure(item_id)
        if measure is None:
            return None
        linked = {ref.id for ref in measure.targets}
        targets = kb.targets(doc_id=measure.doc_id)
        panel["linked"] = [_target_option(t) for t in targets if t.id in linked]
        panel["candidates"] = [_target_option(t) for t in targets if t.id not in linked]
        panel["categories"] = [
            {"name": c.name, "checked": c.name in measure.categories} for c in kb.categories
        ]
    else:
        target = kb.target(item_id)
        if target is None:
            return None
        measures = kb.measures(doc_id=target.doc_id)
        panel["linked"] = [_measure_option(m) for m in measures if m.id in target.measure_ids]
        panel["candidates"] = [_measure_option(m) for m in measures if m.id not in target.measure_ids]
    return panel


def _target_option(target: Any) -> dict[str, str]:
    return {"id": target.id, "label": f"{target.indicator} {format_value(target)}"}


def _measure_option(measure: Any) -> dict[str, str]:
    return {"id": measure.id, "label": f"{measure.number}{measure.headline}"[:80]}


# ---------------------------------------------------------------------------------------------- views


def _user() -> str:
    return str(current_user.name)


def _form_files() -> list[Any]:
    return [f for f in request.files.getlist("file") if f and (f.filename or "")]


def _decision_from_form() -> dict[str, Any]:
    form = request.form
    data: dict[str, Any] = {"action": form.get("action", "")}
    for key in ("measure", "target"):
        if form.get(key):
            data[key] = form[key]
    if data["action"] == "set_categories":
        data["categories"] = form.getlist("categories")
    return data


def register(app: Flask) -> None:
    html = Blueprint("workspace", __name__)
    api = Blueprint("workspace_api", __name__, url_prefix="/api")
    auth.add_routes(app, html, api)

    @html.get("/workspace")
    @login_required
    def home() -> ResponseReturnValue:
        ws = workspace()
        data = status_data(ws, live_kb())
        return render_template(
            "workspace/home.html", **data, limits=upload_limits(ws), trashed=ws.uploads.trashed()[:20]
        )

    @api.get("/status")
    @login_required
    def status() -> ResponseReturnValue:
        return jsonify(status_data(workspace(), live_kb()))

    api.add_url_rule("/workspace", "workspace", status)

    @html.route("/upload", methods=["GET", "POST"])
    @login_required
    def upload() -> ResponseReturnValue:
        ws = workspace()
        if request.method == "GET":
            return render_template("workspace/upload.html", limits=upload_limits(ws))
        result = store_uploads(ws.uploads, _form_files(), _user())
        if result["changed"]:
            ws.rebuild()
        for item in result["stored"]:
            if item["action"] == "upload":
                flash(f"已上传 {item['name']}，正在后台处理（待生效）。")
            elif item["action"] == "unchanged":
                flash(f"{item['name']} 与已上传的文件相同，未重复保存。")
            else:
                flash(f"{item['filename']} 与已上传的 {item['duplicate_of']} 内容相同，未重复保存。")
        for item in result["refused"]:
            flash(f"未能上传 {item['filename'] or '（无名文件）'}：{item['reason']}", "error")
        return redirect(url_for("workspace.home"))

    @api.route("/upload", methods=["GET", "POST"], endpoint="upload")
    @login_required
    def api_upload() -> ResponseReturnValue:
        ws = workspace()
        if request.method == "GET":
            return jsonify({**upload_limits(ws), "uploads": status_data(ws, live_kb())["uploads"]})
        result = store_uploads(ws.uploads, _form_files(), _user())
        if result["changed"]:
            ws.rebuild()
        code = 201 if result["changed"] else 200 if result["stored"] else 400
        return jsonify(result), code

    def _replace() -> dict[str, Any]:
        ws = workspace()
        files = _form_files()
        if len(files) != 1:
            raise Invalid("请选择一个用于替换的文件（表单字段 file）。")
        try:
            result = ws.uploads.replace(
                request.form.get("name", ""), files[0].stream, files[0].filename, _user()
            )
        except UploadError as exc:
            raise Invalid(str(exc)) from None
        ws.rebuild()
        return {"name": result.name, "source": result.relative, "size": result.size, "action": "replace"}

    def _remove() -> dict[str, Any]:
        ws = workspace()
        data = request.get_json(silent=True) if request.is_json else request.form
        name = (data or {}).get("name", "") if isinstance(data, Mapping) else ""
        try:
            trashed = ws.uploads.remove(str(name), _user())
        except UploadError as exc:
            raise Invalid(str(exc)) from None
        ws.rebuild()
        return {"name": name, "trash": trashed, "action": "remove"}

    @html.post("/uploads/replace")
    @auth.admin_required
    def replace() -> ResponseReturnValue:
        result = _replace()
        flash(f"已替换 {result['name']}（旧版本已移入回收站），正在后台处理（待生效）。")
        return redirect(url_for("workspace.home"))

    @api.post("/uploads/replace", endpoint="replace")
    @auth.admin_required
    def api_replace() -> ResponseReturnValue:
        return jsonify(_replace())

    @html.post("/uploads/remove")
    @auth.admin_required
    def remove() -> ResponseReturnValue:
        result = _remove()
        flash(f"已将 {result['name']} 移入回收站，重建索引后从知识库中移除。")
        return redirect(url_for("workspace.home"))

    @api.post("/uploads/remove")
    @auth.admin_required
    def api_remove() -> ResponseReturnValue:
        return jsonify(_remove())

    @html.get("/workspace/curation")
    @login_required
    def curation() -> ResponseReturnValue:
        return render_template("workspace/curation.html", **curation_data(workspace(), live_kb()))

    @html.post("/curation")
    @login_required
    def curation_form() -> ResponseReturnValue:
        back = auth.safe_next(request.form.get("next"), url_for("workspace.curation"))
        try:
            saved = record_decision(workspace(), live_kb(), _decision_from_form(), _user())
        except (Invalid, Missing) as exc:
            flash(f"未能记录：{exc}", "error")
            return redirect(back)
        flash(f"已记录“{saved['action_label']}”（第 {saved['seq']} 条），待生效：新索引上线后生效。")
        return redirect(back)

    @api.route("/curation", methods=["GET", "POST"])
    @login_required
    def api_curation() -> ResponseReturnValue:
        ws = workspace()
        if request.method == "GET":
            return jsonify(curation_data(ws, live_kb()))
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            abort(400, '请求须为 JSON 对象，如 {"action": "reject_link", "measure": …, "target": …}')
        return jsonify({"decision": record_decision(ws, live_kb(), data, _user())}), 201

    api.add_url_rule("/workspace/curation", "workspace_curation", api_curation, methods=["GET", "POST"])

    app.register_blueprint(html)
    app.register_blueprint(api)
    app.jinja_env.globals["curation_panel"] = curation_panel
