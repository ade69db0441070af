"""The staff's decisions file, ``curation.jsonl`` in the first documents folder, beside ``links.toml``.

One JSON object per line, appended and never rewritten (``CurationFile.append`` takes an exclusive lock, numbers
the decision and fsyncs it), each with the user and the time::

    {"seq": 3, "action": "reject_link", "user": "li", "time": "2026-12-01T10:02:11+08:00",
     "target": "000_3ccc218f3f77786b.t2-1", "measure": "000_3ccc218f3f77786b.m3.6",
     "target_indicator": "发明专利申请量", "measure_number": "(六)"}

Every build applies them (``kb.build``): a document's decisions are hashed into its manifest entry
(``document_digest``), so a decision re-analyses only the document it names, and the entry records the last
decision applied (``curation_seq``) and the stale ones (``curation_stale``). ``statuses`` turns that into what the
workspace shows: 待生效 (not yet in the live index), 已生效, 已被取代 (a later decision on the same subject) or
已失效 (stale: its measure or target no longer exists; listed with the reason, never dropped).

A line that cannot be read (a hand edit gone wrong) is skipped with a warning in the build report.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kb import ids
from kb.extract.curation import ACTION_LABELS, ACTIONS, LINK_ACTIONS, Decision, superseded

CURATION_FILE = "curation.jsonl"
MAX_CATEGORIES = 20
MAX_CATEGORY_CHARS = 40
MAX_LABEL_CHARS = 200
MAX_USER_CHARS = 64


class CurationError(ValueError):
    """A decision that cannot be recorded; the message says why (in Chinese)."""


def _item_id(value: Any, kind: str, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CurationError(f"缺少{label}编号（{kind}）。")
    value = value.strip()
    if len(value) > 120 or ids.type_of(value) != kind:
        raise CurationError(f"{label}编号格式不正确：{value[:120]}")
    return value


def _text(value: Any, limit: int = MAX_LABEL_CHARS) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def make_decision(data: Mapping[str, Any], *, user: str = "", time: str = "", seq: int = 0) -> Decision:
    """A validated decision from its JSON form (the body of POST /api/curation, or a line of the file).

    Raises ``CurationError`` with a Chinese message for an unknown action, a missing or malformed id, a link
    between two documents, or categories that are not a list of short names.
    """
    if not isinstance(data, Mapping):
        raise CurationError("决定须为 JSON 对象。")
    action = data.get("action")
    if action not in ACTIONS:
        raise CurationError(f"未知的操作：{str(action)[:40]}（可选：{'、'.join(ACTIONS)}）")
    fields: dict[str, Any] = {
        "seq": seq,
        "action": action,
        "user": user or _text(data.get("user"), MAX_USER_CHARS),
        "time": time or _text(data.get("time"), 40),
    }
    if action in LINK_ACTIONS:
        fields["target"] = _item_id(data.get("target"), "target", "目标")
        fields["measure"] = _item_id(data.get("measure"), "measure", "措施")
        if ids.document_of(fields["target"]) != ids.document_of(fields["measure"]):
            raise CurationError("目标与措施须出自同一文件，才能关联。")
    elif action == "not_target":
        fields["target"] = _item_id(data.get("target"), "target", "目标")
    else:
        fields["measure"] = _item_id(data.get("measure"), "measure", "措施")
        categories = data.get("categories")
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise CurationError('类别须为名称列表，如 ["知识产权"]。')
        names = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
        if len(names) > MAX_CATEGORIES or any(len(c) > MAX_CATEGORY_CHARS for c in names):
            raise CurationError(f"类别最多 {MAX_CATEGORIES} 个，每个不超过 {MAX_CATEGORY_CHARS} 字。")
        fields["categories"] = tuple(names)
    for key in ("measure_number", "measure_headline", "target_indicator", "target_value"):
        fields[key] = _text(data.get(key))
    return Decision(**fields)


def decision_from_line(line: str, seq: int) -> Decision:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise CurationError(f"不是 JSON：{exc}") from None
    if not isinstance(data, dict):
        raise CurationError("不是 JSON 对象")
    return make_decision(data, seq=int(data.get("seq") or seq))


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class CurationFile:
    """``folder/curation.jsonl``: read it whole, or append one decision."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CURATION_FILE

    @contextlib.contextmanager
    def _open(self, mode: int, lock: int) -> Iterator[int]:
        fd = os.open(self.path, mode, 0o644)
        try:
            fcntl.flock(fd, lock)
            yield fd
        finally:
            os.close(fd)

    def read(self) -> tuple[list[Decision], list[str]]:
        """Every readable decision in file order, and a warning per line that is not one."""
        try:
            with self._open(os.O_RDONLY, fcntl.LOCK_SH) as fd, os.fdopen(os.dup(fd), "rb") as handle:
                raw = handle.read()
        except FileNotFoundError:
            return [], []
        decisions: list[Decision] = []
        warnings: list[str] = []
        seen: set[int] = set()
        for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                decision = decision_from_line(line, number)
            except CurationError as exc:
                warnings.append(f"{self.path}:{number}: 无法读取的决定 unreadable decision skipped: {exc}")
                continue
            if decision.seq in seen:
                decision = replace(decision, seq=max(seen) + 1)
            seen.add(decision.seq)
            decisions.append(decision)
        return decisions, warnings

    def append(self, decision: Decision) -> Decision:
        """Append ``decision`` numbered after the last one (and timed now when it has no time); returns it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._open(os.O_RDWR | os.O_CREAT | os.O_APPEND, fcntl.LOCK_EX) as fd:
            with os.fdopen(os.dup(fd), "rb") as handle:
                raw = handle.read()
            last = 0
            for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    last = max(last, int(json.loads(line).get("seq") or number))
                last = max(last, number)
            decision = replace(decision, seq=last + 1, time=decision.time or now())
            prefix = b"" if not raw or raw.endswith(b"\n") else b"\n"
            line = json.dumps(decision.to_json(), ensure_ascii=False, separators=(",", ":"))
            os.write(fd, prefix + line.encode("utf-8") + b"\n")
            os.fsync(fd)
        return decision


# ---------------------------------------------------------------------------------------------- builds


def by_document(decisions: Iterable[Decision]) -> dict[str, tuple[Decision, ...]]:
    grouped: dict[str, list[Decision]] = {}
    for decision in decisions:
        grouped.setdefault(decision.doc_id, []).append(decision)
    return {doc: tuple(sorted(items, key=lambda d: d.seq)) for doc, items in grouped.items()}


def document_digest(decisions: Iterable[Decision]) -> str:
    """Hash of a document's decisions; part of its manifest entry, so a new decision re-analyses it."""
    digest = hashlib.sha1()
    for decision in sorted(decisions, key=lambda d: d.seq):
        digest.update(json.dumps(decision.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def load(folders: list[Path]) -> tuple[dict[str, tuple[Decision, ...]], list[str]]:
    """The decisions that govern a build of ``folders`` (those of the first folder), grouped by document."""
    if not folders:
        return {}, []
    decisions, warnings = CurationFile(folders[0].resolve()).read()
    return by_document(decisions), warnings


# ---------------------------------------------------------------------------------------------- statuses

PENDING, LIVE, SUPERSEDED, STALE = "pending", "live", "superseded", "stale"
STATUS_LABELS = {PENDING: "待生效", LIVE: "已生效", SUPERSEDED: "已被取代", STALE: "已失效"}


@dataclass(frozen=True)
class DecisionStatus:
    decision: Decision
    status: str
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            **self.decision.to_json(),
            "action_label": ACTION_LABELS[self.decision.action],
            "doc_id": self.decision.doc_id,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "reason": self.reason,
        }


def live_entries(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The live manifest's entries by document id (documents that were read, not rejected)."""
    return {
        entry["doc_id"]: entry
        for entry in manifest.values()
        if isinstance(entry, dict) and entry.get("doc_id") and not entry.get("rejected")
    }


def statuses(decisions: list[Decision], manifest: Mapping[str, Any]) -> list[DecisionStatus]:
    """Each decision's state against the live generation's manifest (see the module docstring)."""
    entries = live_entries(manifest)
    replaced = superseded(decisions)
    out = []
    for decision in decisions:
        entry = entries.get(decision.doc_id)
        if decision.seq in replaced:
            out.append(DecisionStatus(decision, SUPERSEDED))
        elif entry is None:
            out.append(DecisionStatus(decision, STALE, "所属文件不在知识库中"))
        elif int(entry.get("curation_seq") or 0) < decision.seq:
            out.append(DecisionStatus(decision, PENDING))
        elif str(decision.seq) in (entry.get("curation_stale") or {}):
            out.append(DecisionStatus(decision, STALE, str(entry["curation_stale"][str(decision.seq)])))
        else:
            out.append(DecisionStatus(decision, LIVE))
    return out
