"""The staff's decisions file, ``curation.jsonl`` in the first documents folder, beside ``links.toml``.

One JSON object per line, appended and never rewritten (``CurationFile.append`` takes an exclusive lock, numbers
the decision, stamps it with the server's time and fsyncs it), each with the user, the time, the values before
(``old``) and after (``fields``) and the anchors of what it is about (``kb.extract.curation``)::

    {"seq": 3, "action": "set_kind", "user": "li", "time": "2026-12-01T10:02:11+08:00",
     "item": "000_3ccc218f3f77786b.r2.1-1", "kind": "target", "old": {"kind": "result"},
     "anchors": {"item": {"span": [812, 829], "hash": "…", "head": "…", "len": 17, "text": "…"}}}

Every build applies them (``kb.build``): a document's decisions are hashed into its manifest entry
(``document_digest``), so a decision re-analyses only the document it names, and the entry records the last
decision applied (``curation_seq``) and the stale ones (``curation_stale``); the series decisions (``SERIES``)
are applied at the catalog step and recorded with the series (``indicators.json``). ``statuses`` turns that into
what the workspace shows: 待生效 (not yet in the live index), 已生效, 已被取代 (a later decision on the same
subject), 已撤销 (an undo cancelled it) or 已失效 (stale: its anchor no longer matches; listed with the reason,
never dropped).

A line that cannot be read (a hand edit gone wrong) is skipped with a warning in the build report.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kb import ids
from kb.extract.curation import (
    ACTION_LABELS,
    ACTIONS,
    DOCUMENT_FIELD_BY_NAME,
    KINDS,
    LINK_ACTIONS,
    QUANTITY_FIELD_BY_NAME,
    Decision,
    DocumentField,
    QuantityField,
    cancelled,
    superseded,
)

CURATION_FILE = "curation.jsonl"
SERIES = ""  # the key of the series decisions in ``by_document`` (they name no document)
MAX_CATEGORIES = 20
MAX_CATEGORY_CHARS = 40
MAX_LABEL_CHARS = 200
MAX_USER_CHARS = 64
MAX_NOTE_CHARS = 500
MAX_SERIES_NAME_CHARS = 40
MAX_ITEMS = 200
MAX_SPAN_CHARS = 300
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class CurationError(ValueError):
    """A decision that cannot be recorded; the message says why (in Chinese)."""


def _item_id(value: Any, kind: str | tuple[str, ...], label: str) -> str:
    kinds = (kind,) if isinstance(kind, str) else kind
    if not isinstance(value, str) or not value.strip():
        raise CurationError(f"缺少{label}编号（{kinds[0]}）。")
    value = value.strip()
    if len(value) > 120 or ids.type_of(value) not in kinds:
        raise CurationError(f"{label}编号格式不正确：{value[:120]}")
    return value


def _series_id(value: Any, label: str = "指标序列") -> str:
    if not isinstance(value, str) or not ids.is_series_id(value.strip()):
        raise CurationError(f"{label}编号格式不正确（应为 ind. 加 12 位十六进制）：{str(value)[:40]}")
    return value.strip()


def _text(value: Any, limit: int = MAX_LABEL_CHARS) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _plain(value: Any, label: str, limit: int, *, required: bool = False) -> str:
    """A short one-line text an editor typed: trimmed, bounded, no control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise CurationError(f"{label}须为文字。")
    text = " ".join(str(value).split())
    if _CONTROL_RE.search(text):
        raise CurationError(f"{label}含有控制字符。")
    if len(text) > limit:
        raise CurationError(f"{label}不能超过 {limit} 字。")
    if required and not text:
        raise CurationError(f"{label}不能为空。")
    return text


def document_value(spec: DocumentField, value: Any) -> str:
    """A document field's new value, checked by its form (text, date, url, choice)."""
    text = _plain(value, spec.label, spec.max_chars, required=spec.required)
    if not text:
        return text
    if spec.form == "date":
        m = _DATE_RE.match(text)
        if m is None:
            raise CurationError(f"{spec.label}须写作 YYYY-MM-DD（或 YYYY、YYYY-MM）：{text[:20]}")
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        try:
            date(year, month, day)
        except ValueError:
            raise CurationError(f"{spec.label}不是有效的日期：{text[:20]}") from None
        if not 1949 <= year <= 2100:
            raise CurationError(f"{spec.label}的年份须在 1949—2100 之间。")
    elif spec.form == "url":
        if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE) or " " in text:
            raise CurationError(f"{spec.label}须为 http:// 或 https:// 开头的网址。")
    elif spec.form == "choice" and spec.choices and text not in spec.choices:
        raise CurationError(f"{spec.label}只能是：{'、'.join(spec.choices)}")
    return text


def quantity_value(spec: QuantityField, value: Any) -> Any:
    """A quantity field's new value: text, a finite number, or a year (``None`` clears a year or an upper bound)."""
    if spec.form == "text":
        return _plain(value, spec.label, spec.max_chars, required=spec.name in ("indicator", "unit"))
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.name == "value":
            raise CurationError("数值不能为空。")
        return None
    try:
        number = float(str(value).strip().replace(",", "")) if not isinstance(value, int | float) else value
    except ValueError:
        raise CurationError(f"{spec.label}须为数字：{str(value)[:20]}") from None
    if isinstance(number, bool) or not math.isfinite(float(number)):
        raise CurationError(f"{spec.label}须为有限的数字。")
    if spec.form == "year":
        if float(number) != int(number) or not 1949 <= int(number) <= 2100:
            raise CurationError(f"{spec.label}须为 1949—2100 之间的年份。")
        return int(number)
    return float(number)


def _fields(data: Mapping[str, Any], check: Any, table: Mapping[str, Any], what: str) -> dict[str, Any]:
    raw = data.get("fields")
    if not isinstance(raw, Mapping) or not raw:
        raise CurationError(f"缺少要修改的{what}（fields）。")
    out = {}
    for name, value in raw.items():
        spec = table.get(name)
        if spec is None:
            raise CurationError(f"不能修改的{what}：{str(name)[:40]}（可改：{'、'.join(table)}）")
        out[str(name)] = check(spec, value)
    return out


def _json_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def make_decision(data: Mapping[str, Any], *, user: str = "", time: str = "", seq: int = 0) -> Decision:
    """A validated decision from its JSON form (the body of POST /api/curation, or a line of the file).

    Raises ``CurationError`` with a Chinese message for an unknown action, a missing or malformed id, a link
    between two documents, a field that cannot be edited or a value of the wrong form.
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
        "old": _json_dict(data.get("old")),
        "anchors": _json_dict(data.get("anchors")),
    }
    if action in LINK_ACTIONS:
        fields["target"] = _item_id(data.get("target"), "target", "目标")
        fields["measure"] = _item_id(data.get("measure"), "measure", "措施")
        if ids.document_of(fields["target"]) != ids.document_of(fields["measure"]):
            raise CurationError("目标与措施须出自同一文件，才能关联。")
    elif action == "not_target":
        fields["target"] = _item_id(data.get("target"), "target", "目标")
    elif action == "set_categories":
        fields["measure"] = _item_id(data.get("measure"), "measure", "措施")
        categories = data.get("categories")
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise CurationError('类别须为名称列表，如 ["知识产权"]。')
        names = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
        if len(names) > MAX_CATEGORIES or any(len(c) > MAX_CATEGORY_CHARS for c in names):
            raise CurationError(f"类别最多 {MAX_CATEGORIES} 个，每个不超过 {MAX_CATEGORY_CHARS} 字。")
        fields["categories"] = tuple(names)
    elif action == "set_document":
        fields["document"] = _item_id(data.get("document"), "document", "文件")
        fields["fields"] = _fields(data, document_value, DOCUMENT_FIELD_BY_NAME, "文件信息")
    elif action in ("not_measure", "edit_measure"):
        fields["measure"] = _item_id(data.get("measure"), "measure", "措施")
        if action == "edit_measure":
            raw = data.get("fields") if isinstance(data.get("fields"), Mapping) else {}
            headline = raw.get("headline", data.get("headline")) if isinstance(raw, Mapping) else None
            fields["fields"] = {"headline": _plain(headline, "措施标题", MAX_LABEL_CHARS, required=True)}
    elif action == "add_measure":
        fields["clause"] = _item_id(data.get("clause"), "clause", "条款")
    elif action in ("set_kind", "edit_quantity"):
        fields["item"] = _item_id(data.get("item"), ("target", "result"), "目标或实绩")
        if action == "set_kind":
            kind = data.get("kind")
            if kind not in KINDS:
                raise CurationError(f"kind 只能是 {'、'.join(KINDS)}（目标、实绩、不是数量）。")
            fields["kind"] = kind
            extra = {k: v for k, v in _json_dict(data.get("fields")).items() if k in ("year", "deadline")}
            fields["fields"] = {k: quantity_value(QUANTITY_FIELD_BY_NAME[k], v) for k, v in extra.items()}
        else:
            fields["fields"] = _fields(data, quantity_value, QUANTITY_FIELD_BY_NAME, "数量字段")
    elif action == "add_target":
        fields["document"] = _item_id(data.get("document"), "document", "文件")
        # An empty field is one the server reads from the selected words.
        raw = {k: v for k, v in _json_dict(data.get("fields")).items() if v not in (None, "")}
        unknown = [k for k in raw if k not in QUANTITY_FIELD_BY_NAME or k == "year"]
        if unknown:
            raise CurationError(f"新增目标不能设定：{'、'.join(map(str, unknown))[:60]}")
        fields["fields"] = {k: quantity_value(QUANTITY_FIELD_BY_NAME[k], v) for k, v in raw.items()}
    elif action == "merge_series":
        fields["series"] = _series_id(data.get("series"))
        fields["into"] = _series_id(data.get("into"), "合并到的指标序列")
        if fields["series"] == fields["into"]:
            raise CurationError("不能把指标序列合并到它自己。")
    elif action == "split_series":
        fields["series"] = _series_id(data.get("series"))
        items = data.get("items")
        if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
            raise CurationError(f"请列出要拆出的目标或实绩（items，1—{MAX_ITEMS} 个编号）。")
        fields["items"] = tuple(dict.fromkeys(_item_id(i, ("target", "result"), "目标或实绩") for i in items))
        name = _plain(
            _json_dict(data.get("fields")).get("name", data.get("name")), "新指标名称", MAX_SERIES_NAME_CHARS
        )
        fields["fields"] = {"name": name} if name else {}
    elif action == "explain_conflict":
        fields["series"] = _series_id(data.get("series"))
        year = data.get("year")
        try:
            fields["year"] = int(year)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CurationError("请给出冲突的年份（year）。") from None
        fields["note"] = _plain(data.get("note"), "说明", MAX_NOTE_CHARS, required=True)
    else:  # undo
        try:
            fields["decision"] = int(data.get("decision"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CurationError("请给出要撤销的决定编号（decision）。") from None
        if fields["decision"] < 1:
            raise CurationError("决定编号须为正整数。")
        if data.get("document"):
            fields["document"] = _item_id(data.get("document"), "document", "文件")
        elif data.get("series"):
            fields["series"] = _series_id(data.get("series"))
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
    """Decisions by the document they are about; the series decisions under ``SERIES``."""
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


def series_digest(decisions: Iterable[Decision]) -> str:
    """Hash of the series decisions ("" when there are none); a change makes the build group the series again."""
    items = list(decisions)
    return document_digest(items) if items else ""


def load(folders: list[Path]) -> tuple[dict[str, tuple[Decision, ...]], list[str]]:
    """The decisions that govern a build of ``folders`` (those of the first folder), grouped by document (the
    series decisions under ``SERIES``)."""
    if not folders:
        return {}, []
    decisions, warnings = CurationFile(folders[0].resolve()).read()
    return by_document(decisions), warnings


# ---------------------------------------------------------------------------------------------- statuses

PENDING, LIVE, SUPERSEDED, STALE, UNDONE = "pending", "live", "superseded", "stale", "undone"
STATUS_LABELS = {PENDING: "待生效", LIVE: "已生效", SUPERSEDED: "已被取代", STALE: "已失效", UNDONE: "已撤销"}
STATES = (PENDING, LIVE, SUPERSEDED, STALE, UNDONE)


@dataclass(frozen=True)
class DecisionStatus:
    decision: Decision
    status: str
    reason: str = ""
    undone_by: int = 0

    def to_json(self) -> dict[str, Any]:
        data = {
            "id": self.decision.seq,
            **self.decision.to_json(),
            "action_label": ACTION_LABELS[self.decision.action],
            "doc_id": self.decision.doc_id,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "reason": self.reason,
        }
        if self.undone_by:
            data["undone_by"] = self.undone_by
        return data


def live_entries(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The live manifest's entries by document id (documents that were read, not rejected)."""
    return {
        entry["doc_id"]: entry
        for entry in manifest.values()
        if isinstance(entry, dict) and entry.get("doc_id") and not entry.get("rejected")
    }


def statuses(
    decisions: list[Decision], manifest: Mapping[str, Any], series: Mapping[str, Any] | None = None
) -> list[DecisionStatus]:
    """Each decision's state against the live generation's manifest and, for series decisions, the record the
    build kept with the series (``series``: ``indicators.json``'s ``curation``; see the module docstring)."""
    entries = live_entries(manifest)
    replaced = superseded(decisions)
    undone = cancelled(decisions)
    undone_by = {d.decision: d.seq for d in sorted(decisions, key=lambda d: d.seq) if d.action == "undo"}
    series = series or {}
    out = []
    for decision in decisions:
        if decision.seq in undone:
            out.append(DecisionStatus(decision, UNDONE, undone_by=undone_by.get(decision.seq, 0)))
        elif decision.seq in replaced:
            out.append(DecisionStatus(decision, SUPERSEDED))
        elif decision.scope == "series":
            stale = series.get("stale") or {}
            if int(series.get("seq") or 0) < decision.seq:
                out.append(DecisionStatus(decision, PENDING))
            elif str(decision.seq) in stale:
                out.append(DecisionStatus(decision, STALE, str(stale[str(decision.seq)])))
            else:
                out.append(DecisionStatus(decision, LIVE))
        elif (entry := entries.get(decision.doc_id)) is None:
            out.append(DecisionStatus(decision, STALE, "所属文件不在知识库中"))
        elif int(entry.get("curation_seq") or 0) < decision.seq:
            out.append(DecisionStatus(decision, PENDING))
        elif str(decision.seq) in (entry.get("curation_stale") or {}):
            out.append(DecisionStatus(decision, STALE, str(entry["curation_stale"][str(decision.seq)])))
        else:
            out.append(DecisionStatus(decision, LIVE))
    return out
