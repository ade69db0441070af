"""What the workspace shows (pure data functions; the views pass in what they read).

``build_state`` merges ``index/status.json`` (written by the build) with the server's queue; ``upload_entries``
says of each uploaded file whether the live index has it (with what was extracted), rejected it (with the
reason) or not yet (待生效); ``curation_entries`` does the same for the staff's decisions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kb import ids
from kb.build import STATUS_FILE, SourceFile, hash_files
from kb.extract.curation import ACTION_LABELS, DOCUMENT_FIELDS, KIND_LABELS, QUANTITY_FIELDS, Decision
from kb.present import format_value
from kb.store import curation as curation_store
from kb.store.generations import pid_alive, read_json
from kb.store.knowledge import KnowledgeBase
from kb.urls import clause_url, document_url, indicator_url, measure_url, quantity_url
from web.workspace.uploads import UploadFolder

STATE_LABELS = {
    "running": "构建中",
    "queued": "排队中",
    "idle": "空闲",
    "failed": "构建失败",
    "interrupted": "构建中断",
}
PHASE_LABELS = {"plan": "扫描文件", "analyse": "分析文件", "commit": "写入索引"}
UPLOAD_LABELS = {"live": "已生效", "rejected": "未能收录", "pending": "待生效"}
MAX_LISTED = 200  # measures / targets / outline entries listed per uploaded document


def read_status(index_dir: Path) -> dict[str, Any]:
    try:
        data = read_json(Path(index_dir) / STATUS_FILE)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_state(status: Mapping[str, Any], queue: Mapping[str, Any]) -> dict[str, Any]:
    """The build as the workspace shows it: state (and its label), phase, done/total, the last report."""
    state = str(status.get("state") or "idle")
    if state == "running" and not pid_alive(status.get("pid")) and not queue.get("running"):
        state = "interrupted"
    out: dict[str, Any] = {
        "state": state,
        "phase": status.get("phase", "") if state == "running" else "",
        "done": int(status.get("done") or 0) if state == "running" else 0,
        "total": int(status.get("total") or 0) if state == "running" else 0,
        "started": status.get("started", ""),
        "finished": status.get("finished", ""),
        "error": status.get("error", "") or "",
        "queued": bool(queue.get("queued")),
    }
    if queue.get("running") and state != "running":
        # Our build started but has not written its first status yet: it is scanning and hashing the files.
        out.update(state="running", phase="plan", done=0, total=0)
    elif state != "running" and queue.get("queued"):
        out["state"] = "queued"
    if queue.get("output") and out["state"] not in ("running", "queued"):
        out["output"] = queue["output"]
        if out["state"] == "idle":
            out["state"] = "failed"
    out["state_label"] = STATE_LABELS.get(out["state"], out["state"])
    out["phase_label"] = PHASE_LABELS.get(out["phase"], out["phase"])
    report = status.get("report")
    out["report"] = report if isinstance(report, dict) else None
    out["busy"] = out["state"] in ("running", "queued")
    return out


def live_summary(kb: KnowledgeBase | None) -> dict[str, Any] | None:
    if kb is None:
        return None
    return {"generation": kb.generation.name, **kb.stats()}


def manifest_of(kb: KnowledgeBase | None) -> dict[str, Any]:
    if kb is None:
        return {}
    try:
        data = read_json(kb.generation / "manifest.json")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class DigestCache:
    """The build's content digest of a file (``kb.build.hash_files``), recomputed only when it changes."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, int], str] = {}

    def digest(self, folder: Path, path: Path, relative: str) -> str:
        try:
            st = path.stat()
        except OSError:
            return ""
        key = (str(path), st.st_mtime_ns, st.st_size)
        if key not in self._cache:
            source = SourceFile(folder, path, relative)
            hash_files([source])
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = source.digest
        return self._cache[key]


def document_details(kb: KnowledgeBase, doc_id: str) -> dict[str, Any] | None:
    """What was extracted from one document: outline (top levels), measures and targets, with their links."""
    doc = kb.document(doc_id)
    dkb = kb.document_kb(doc_id)
    if doc is None or dkb is None:
        return None
    outline = []
    for clause in dkb.outline[:MAX_LISTED]:
        outline.append(
            {
                "id": clause.id,
                "label": clause.label,
                "heading": clause.heading,
                "url": clause_url(clause.id),
                "children": len(clause.children),
            }
        )
    return {
        "id": doc.id,
        "title": doc.title,
        "url": document_url(doc.id),
        "doc_number": doc.doc_number,
        "agency": doc.agency,
        "date": doc.date,
        "counts": kb.document_counts(doc.id),
        "outline": outline,
        "measures": [
            {
                "id": m.id,
                "number": m.number,
                "headline": m.headline,
                "categories": list(m.categories),
                "url": measure_url(m.id),
            }
            for m in dkb.measures[:MAX_LISTED]
        ],
        "targets": [
            {
                "id": t.id,
                "indicator": t.indicator,
                "value_text": format_value(t),
                "url": quantity_url(t.id, t.kind),
            }
            for t in dkb.targets[:MAX_LISTED]
        ],
        "results": [
            {
                "id": r.id,
                "indicator": r.indicator,
                "value_text": format_value(r),
                "year": r.year,
                "url": quantity_url(r.id, r.kind),
            }
            for r in dkb.results[:MAX_LISTED]
        ],
    }


def upload_entries(
    folder: UploadFolder, kb: KnowledgeBase | None, manifest: Mapping[str, Any], digests: DigestCache
) -> list[dict[str, Any]]:
    """Every uploaded file with its state in the live index."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in folder.log():
        if entry.get("action") in ("upload", "replace") and isinstance(entry.get("name"), str):
            latest[entry["name"]] = entry
    rejected = {r.get("source"): r.get("reason", "") for r in (kb.rejected if kb is not None else [])}
    built_at = 0.0
    if kb is not None:
        with contextlib.suppress(OSError):
            built_at = (kb.generation / "meta.json").stat().st_mtime
    out = []
    for path in folder.files():
        relative = folder.relative(path.name)
        logged = latest.get(path.name, {})
        st = path.stat()
        item: dict[str, Any] = {
            "name": path.name,
            "source": relative,
            "size": st.st_size,
            "uploaded_by": logged.get("user", ""),
            "uploaded_at": logged.get("time", ""),
            "state": "pending",
            "reason": "",
            "document": None,
        }
        entry = manifest.get(f"{folder.documents}/{relative}")
        current = isinstance(entry, dict) and entry.get("digest") == digests.digest(
            folder.documents, path, relative
        )
        if current and entry.get("rejected"):
            item.update(state="rejected", reason=entry["rejected"])
        elif current and kb is not None:
            details = document_details(kb, entry["doc_id"])
            if details is not None:
                item.update(state="live", document=details)
        elif relative in rejected and st.st_mtime <= built_at:
            item.update(state="rejected", reason=rejected[relative])
        item["state_label"] = UPLOAD_LABELS[item["state"]]
        out.append(item)
    out.sort(key=lambda i: (i["uploaded_at"] or "", i["name"]), reverse=True)
    return out


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list | tuple):
        return "、".join(map(str, value)) or "（无）"
    return str(value)


def describe(decision: Decision) -> str:
    """What a decision changed, in a line: the old value and the new one."""
    a, old, new = decision.action, decision.old, decision.fields
    labels = {f.name: f.label for f in DOCUMENT_FIELDS} | {f.name: f.label for f in QUANTITY_FIELDS}
    labels["headline"] = "标题"
    if a in ("set_document", "edit_quantity", "edit_measure"):
        return "；".join(f"{labels.get(k, k)}：{_shown(old.get(k))} → {_shown(v)}" for k, v in new.items())
    if a == "set_kind":
        was = KIND_LABELS.get(str(old.get("kind")), str(old.get("kind") or "")) or "？"
        return f"{was} → {KIND_LABELS.get(decision.kind, decision.kind)}"
    if a == "set_categories":
        return f"类别：{_shown(old.get('categories'))} → {_shown(list(decision.categories))}"
    if a == "not_target":
        return "目标 → 不是目标"
    if a == "not_measure":
        return "措施 → 不是措施"
    if a == "add_measure":
        return "条款 → 措施"
    if a == "add_target":
        text = (decision.anchors.get("span") or {}).get("text", "")
        value = _shown(new.get("value")) + str(new.get("unit") or "")
        return f"“{text}” → 目标：{new.get('indicator', '')} {value}"
    if a == "merge_series":
        return f"{old.get('series', decision.series)} 并入 {old.get('into', decision.into)}"
    if a == "split_series":
        name = new.get("name")
        return f"从 {old.get('series', decision.series)} 拆出 {len(decision.items)} 项" + (
            f"，另立“{name}”" if name else ""
        )
    if a == "explain_conflict":
        return f"{decision.year} 年冲突的说明：{decision.note}"
    if a == "undo":
        return f"撤销第 {decision.decision} 条（{ACTION_LABELS.get(str(old.get('action')), old.get('action', ''))}）"
    return {"confirm_link": "确认关联", "reject_link": "关联 → 无", "add_link": "无 → 关联"}.get(a, "")


def curation_entries(
    decisions: list[Decision], manifest: Mapping[str, Any], series: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every decision, newest first, with its state against the live index, what it changed and links to its
    items (the ids it named: an id may since have changed, the item's page redirects or says so)."""
    out = []
    for status in curation_store.statuses(decisions, manifest, series):
        data = status.to_json()
        decision = status.decision
        data["measure_url"] = measure_url(decision.measure) if decision.measure else ""
        data["target_url"] = quantity_url(decision.target, "target") if decision.target else ""
        kind = ids.type_of(decision.item) if decision.item else None
        data["item_url"] = quantity_url(decision.item, kind or "target") if decision.item else ""
        data["document_url"] = document_url(decision.doc_id) if decision.doc_id else ""
        data["clause_url"] = clause_url(decision.clause) if decision.clause else ""
        data["series_url"] = indicator_url(decision.series) if decision.series else ""
        data["into_url"] = indicator_url(decision.into) if decision.into else ""
        data["change"] = describe(decision)
        data["subject"] = _subject(decision)
        out.append(data)
    out.reverse()
    return out


def _subject(decision: Decision) -> str:
    """What the decision is about, as a list shows it."""
    anchors = decision.anchors
    for role in ("item", "target", "measure", "clause", "span"):
        text = (anchors.get(role) or {}).get("text") if isinstance(anchors.get(role), dict) else ""
        if text:
            return str(text)
    if decision.series:
        return str((anchors.get("series") or {}).get("title") or decision.series)
    return decision.target_indicator or decision.measure_headline or decision.doc_id


def curation_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"total": len(entries)}
    for state in curation_store.STATES:
        counts[state] = sum(1 for e in entries if e["status"] == state)
    return counts
