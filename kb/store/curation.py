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
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kb.extract.curation import (
    ACTION_LABELS,
    Decision,
    cancelled,
    superseded,
)

# Validation of a decision's JSON form lives in ``kb.store.curation_form``; its names are re-exported here.
from kb.store.curation_form import (
    MAX_CATEGORIES as MAX_CATEGORIES,
)
from kb.store.curation_form import (
    MAX_CATEGORY_CHARS as MAX_CATEGORY_CHARS,
)
from kb.store.curation_form import (
    MAX_ITEMS as MAX_ITEMS,
)
from kb.store.curation_form import (
    MAX_LABEL_CHARS as MAX_LABEL_CHARS,
)
from kb.store.curation_form import (
    MAX_NOTE_CHARS as MAX_NOTE_CHARS,
)
from kb.store.curation_form import (
    MAX_SERIES_NAME_CHARS as MAX_SERIES_NAME_CHARS,
)
from kb.store.curation_form import (
    MAX_SPAN_CHARS as MAX_SPAN_CHARS,
)
from kb.store.curation_form import (
    MAX_USER_CHARS as MAX_USER_CHARS,
)
from kb.store.curation_form import (
    CurationError as CurationError,
)
from kb.store.curation_form import (
    decision_from_line as decision_from_line,
)
from kb.store.curation_form import (
    document_value as document_value,
)
from kb.store.curation_form import (
    make_decision as make_decision,
)
from kb.store.curation_form import (
    quantity_value as quantity_value,
)

CURATION_FILE = "curation.jsonl"
SERIES = ""  # the key of the series decisions in ``by_document`` (they name no document)


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
