"""The workspace's pages and their JSON twins (see the table in ``web.workspace``).

Data functions (``*_data``, ``record_*``) take what they need as arguments and raise ``Missing`` / ``Invalid``;
the views only read the request, call them and render the result as HTML or JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from kb.extract.curation import ACTION_LABELS, KIND_LABELS, KINDS, Decision
from kb.present import format_value
from kb.readers import SUPPORTED_SUFFIXES
from kb.store.curation import CurationFile
from kb.store.knowledge import KnowledgeReader
from web.pages import Invalid, Missing
from web.state import IndexUnavailable, current_index
from web.workspace import Workspace, auth, workspace
from web.workspace.curate import (
    Forbidden,
    clause_options,
    decision_for,
    document_form,
    quantity_form,
    record_decision,
)
from web.workspace.review import review_data
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
    decisions = curation_entries(decisions_of(ws), manifest, series_record(kb))
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


def series_record(kb: KnowledgeReader | None) -> dict[str, Any]:
    return kb.series_curation() if kb is not None else {}


def curation_data(ws: Workspace, kb: KnowledgeReader | None) -> dict[str, Any]:
    entries = curation_entries(decisions_of(ws), manifest_of(kb), series_record(kb))
    return {"decisions": entries, "counts": curation_counts(entries), "actions": ACTION_LABELS}


def may_undo(entry: Mapping[str, Any]) -> bool:
    """Whether the signed-in user may undo a listed decision (their own, or any as an admin)."""
    if entry.get("status") == "undone":
        return False
    return bool(current_user.is_admin) or entry.get("user") == current_user.name


def curation_panel(kind: str, item_id: str) -> dict[str, Any] | None:
    """The edit controls of a public page (document, measure, target, result, series) for a signed-in user."""
    if not current_user.is_authenticated:
        return None
    ws = workspace()
    kb = live_kb()
    fill = _PANELS.get(kind)
    if kb is None or fill is None:
        return None
    panel: dict[str, Any] = {"kind": kind, "id": item_id, "next": request.path}
    seqs = fill(kb, item_id, panel)
    if seqs is None:
        return None
    entries = curation_entries(decisions_of(ws), manifest_of(kb), series_record(kb))
    panel["decisions"] = [dict(e, may_undo=may_undo(e)) for e in entries if decision_for(e, item_id, seqs)]
    return panel


# Each fills a panel with the controls of one kind of item and returns the sequence numbers of the decisions that
# shaped it, or None when there is no such item.


def _measure_panel(kb: KnowledgeReader, item_id: str, panel: dict[str, Any]) -> set[int] | None:
    measure = kb.measure(item_id)
    if measure is None:
        return None
    linked = {ref.id for ref in measure.targets}
    targets = kb.targets(doc_id=measure.doc_id)
    panel["linked"] = [_target_option(t) for t in targets if t.id in linked]
    panel["candidates"] = [_target_option(t) for t in targets if t.id not in linked]
    panel["categories"] = [{"name": c.name, "checked": c.name in measure.categories} for c in kb.categories]
    panel["headline"] = measure.headline
    return {m["seq"] for m in measure.curated}


def _quantity_panel(kind: str) -> Callable[[KnowledgeReader, str, dict[str, Any]], set[int] | None]:
    def fill(kb: KnowledgeReader, item_id: str, panel: dict[str, Any]) -> set[int] | None:
        quantity = kb.quantity(item_id)
        if quantity is None or quantity.kind != kind:
            return None
        if kind == "target":
            measures = kb.measures(doc_id=quantity.doc_id)
            panel["linked"] = [_measure_option(m) for m in measures if m.id in quantity.measure_ids]
            panel["candidates"] = [_measure_option(m) for m in measures if m.id not in quantity.measure_ids]
        panel["kinds"] = [{"kind": k, "label": KIND_LABELS[k]} for k in KINDS if k != kind]
        panel["fields"] = quantity_form(quantity)
        return {m["seq"] for m in quantity.curated}

    return fill


def _document_panel(kb: KnowledgeReader, item_id: str, panel: dict[str, Any]) -> set[int] | None:
    document = kb.document(item_id)
    if document is None:
        return None
    panel["fields"] = document_form(document)
    panel["clauses"] = clause_options(kb, item_id)
    return {m["seq"] for m in document.curated}


def _series_panel(kb: KnowledgeReader, item_id: str, panel: dict[str, Any]) -> set[int] | None:
    series = kb.indicator(item_id)
    if series is None:
        return None
    others = [s for s in kb.indicator_series() if s.id != series.id and s.dimension == series.dimension]
    others.sort(key=lambda s: (s.region != series.region, s.title))
    panel["merge"] = [{"id": s.id, "label": s.title} for s in others[:300]]
    panel["points"] = [
        {"id": p.item_id, "label": f"{p.year}年 {'目标' if p.kind == 'target' else '实绩'} {p.mention}"[:80]}
        for p in series.points
    ]
    notes = kb.conflict_notes(series.id)
    panel["conflicts"] = [
        {"year": c.year, "note": notes.get(c.year, {}).get("note", "")} for c in series.conflicts
    ]
    return {m["seq"] for m in kb.series_marks(item_id)}


_PANELS: dict[str, Callable[[KnowledgeReader, str, dict[str, Any]], set[int] | None]] = {
    "measure": _measure_panel,
    "target": _quantity_panel("target"),
    "result": _quantity_panel("result"),
    "document": _document_panel,
    "series": _series_panel,
}


# ---------------------------------------------------------------------------------------------- views


def _target_option(target: Any) -> dict[str, str]:
    return {"id": target.id, "label": f"{target.indicator} {format_value(target)}"}


def _measure_option(measure: Any) -> dict[str, str]:
    return {"id": measure.id, "label": f"{measure.number}{measure.headline}"[:80]}


def _user() -> str:
    return str(current_user.name)


def _form_files() -> list[Any]:
    return [f for f in request.files.getlist("file") if f and (f.filename or "")]


_FORM_REFS = (
    "measure",
    "target",
    "item",
    "clause",
    "document",
    "series",
    "into",
    "kind",
    "note",
    "year",
    "decision",
    "text",
)


def _decision_from_form() -> dict[str, Any]:
    """A decision from a page's form: its references, ``fields.<name>`` inputs, categories, items and a span."""
    form = request.form
    data: dict[str, Any] = {"action": form.get("action", "")}
    for key in _FORM_REFS:
        if form.get(key):
            data[key] = form[key]
    if data["action"] == "set_categories":
        data["categories"] = form.getlist("categories")
    if data["action"] == "split_series":
        data["items"] = form.getlist("items")
    fields = {key[len("fields.") :]: value for key, value in form.items() if key.startswith("fields.")}
    if fields:
        data["fields"] = fields
    if form.get("span_start", "").isdigit() and form.get("span_end", "").isdigit():
        data["span"] = [int(form["span_start"]), int(form["span_end"])]
    return data


def _record(data: Mapping[str, Any]) -> dict[str, Any]:
    """Record a decision for the signed-in user and queue a build; 403 for a decision they may not make."""
    ws = workspace()
    try:
        saved = record_decision(ws.documents[0], live_kb(), data, _user(), admin=bool(current_user.is_admin))
    except Forbidden as exc:
        abort(403, str(exc))
    ws.rebuild()
    return saved


# The workspace's pages ("html") and their JSON twins ("api", under /api), each view guarded by ``login_required``
# or ``auth.admin_required`` where it is defined.


@login_required
def home() -> ResponseReturnValue:
    ws = workspace()
    data = status_data(ws, live_kb())
    return render_template(
        "workspace/home.html", **data, limits=upload_limits(ws), trashed=ws.uploads.trashed()[:20]
    )


@login_required
def status() -> ResponseReturnValue:
    return jsonify(status_data(workspace(), live_kb()))


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
        result = ws.uploads.replace(request.form.get("name", ""), files[0].stream, files[0].filename, _user())
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


@auth.admin_required
def replace() -> ResponseReturnValue:
    result = _replace()
    flash(f"已替换 {result['name']}（旧版本已移入回收站），正在后台处理（待生效）。")
    return redirect(url_for("workspace.home"))


@auth.admin_required
def api_replace() -> ResponseReturnValue:
    return jsonify(_replace())


@auth.admin_required
def remove() -> ResponseReturnValue:
    result = _remove()
    flash(f"已将 {result['name']} 移入回收站，重建索引后从知识库中移除。")
    return redirect(url_for("workspace.home"))


@auth.admin_required
def api_remove() -> ResponseReturnValue:
    return jsonify(_remove())


@login_required
def curation() -> ResponseReturnValue:
    data = curation_data(workspace(), live_kb())
    data["decisions"] = [dict(e, may_undo=may_undo(e)) for e in data["decisions"]]
    return render_template("workspace/curation.html", **data)


@login_required
def curation_form() -> ResponseReturnValue:
    back = auth.safe_next(request.form.get("next"), url_for("workspace.curation"))
    try:
        saved = _record(_decision_from_form())
    except (Invalid, Missing) as exc:
        flash(f"未能记录：{exc}", "error")
        return redirect(back)
    flash(f"已记录“{saved['action_label']}”（第 {saved['seq']} 条），待生效：新索引上线后生效。")
    return redirect(back)


@login_required
def api_curation() -> ResponseReturnValue:
    ws = workspace()
    if request.method == "GET":
        return jsonify(curation_data(ws, live_kb()))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, '请求须为 JSON 对象，如 {"action": "reject_link", "measure": …, "target": …}')
    saved = _record(data)
    return jsonify({**saved, "decision": saved}), 201


@login_required
def review() -> ResponseReturnValue:
    return render_template("workspace/review.html", **review_data(live_kb(), request.args))


@login_required
def api_review() -> ResponseReturnValue:
    return jsonify(review_data(live_kb(), request.args))


GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
# (blueprint, rule, endpoint, view, methods), registered in this order.
ROUTES: tuple[tuple[str, str, str, Callable[..., ResponseReturnValue], tuple[str, ...]], ...] = (
    ("html", "/workspace", "home", home, GET),
    ("api", "/status", "status", status, GET),
    ("api", "/workspace", "workspace", status, GET),
    ("html", "/upload", "upload", upload, BOTH),
    ("api", "/upload", "upload", api_upload, BOTH),
    ("html", "/uploads/replace", "replace", replace, POST),
    ("api", "/uploads/replace", "replace", api_replace, POST),
    ("html", "/uploads/remove", "remove", remove, POST),
    ("api", "/uploads/remove", "api_remove", api_remove, POST),
    ("html", "/workspace/curation", "curation", curation, GET),
    ("html", "/curation", "curation_form", curation_form, POST),
    ("api", "/curation", "api_curation", api_curation, BOTH),
    ("html", "/workspace/review", "review", review, GET),
    ("api", "/review", "api_review", api_review, GET),
    ("api", "/workspace/curation", "workspace_curation", api_curation, BOTH),
)


def register(app: Flask) -> None:
    blueprints = {
        "html": Blueprint("workspace", __name__),
        "api": Blueprint("workspace_api", __name__, url_prefix="/api"),
    }
    auth.add_routes(app, blueprints["html"], blueprints["api"])
    for blueprint, rule, endpoint, view, methods in ROUTES:
        blueprints[blueprint].add_url_rule(rule, endpoint, view, methods=list(methods))
    app.register_blueprint(blueprints["html"])
    app.register_blueprint(blueprints["api"])
    app.jinja_env.globals["curation_panel"] = curation_panel
