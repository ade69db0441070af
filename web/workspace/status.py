"""What the workspace shows (pure data functions; the views pass in what they read).

``build_state`` merges ``index/status.json`` (written by the build) with the server's queue; ``upload_entries``
says of each uploaded file whether the live index has it (with what was extracted), rejected it (with the
reason) or not yet (待生效); ``curation_entries`` does the same for the staff's decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kb.build import STATUS_FILE, SourceFile, hash_files
from kb.extract.curation import Decision
from kb.present import format_value
from kb.store import curation as curation_store
from kb.store.generations import pid_alive, read_json
from kb.store.knowledge import KnowledgeReader
from kb.urls import clause_url, document_url, measure_url, quantity_url
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


def live_summary(kb: KnowledgeReader | None) -> dict[str, Any] | None:
    if kb is None:
        return None
    return {"generation": kb.generation_name, **kb.stats()}


def manifest_of(kb: KnowledgeReader | None) -> dict[str, Any]:
    return kb.manifest() if kb is not None else {}


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


def document_details(kb: KnowledgeReader, doc_id: str) -> dict[str, Any] | None:
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
    folder: UploadFolder, kb: KnowledgeReader | None, manifest: Mapping[str, Any], digests: DigestCache
) -> list[dict[str, Any]]:
    """Every uploaded file with its state in the live index."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in folder.log():
        if entry.get("action") in ("upload", "replace") and isinstance(entry.get("name"), str):
            latest[entry["name"]] = entry
    rejected = {r.get("source"): r.get("reason", "") for r in (kb.rejected if kb is not None else [])}
    built_at = 0.0
    if kb is not None:
        built_at = kb.built_at() or 0.0
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


def curation_entries(decisions: list[Decision], manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every decision, newest first, with its state against the live index and links to its items."""
    out = []
    for status in curation_store.statuses(decisions, manifest):
        data = status.to_json()
        decision = status.decision
        data["measure_url"] = measure_url(decision.measure) if decision.measure else ""
        data["target_url"] = quantity_url(decision.target, "target") if decision.target else ""
        out.append(data)
    out.reverse()
    return out


def curation_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"total": len(entries)}
    for state in (
        curation_store.PENDING,
        curation_store.LIVE,
        curation_store.SUPERSEDED,
        curation_store.STALE,
    ):
        counts[state] = sum(1 for e in entries if e["status"] == state)
    return counts
