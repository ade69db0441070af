"""The table of actions and the ``Decision`` record: what each decision is about (``subjects``), which an undo
cancels and which a later one supersedes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb import ids
from kb.model import RESULT, TARGET


@dataclass(frozen=True)
class Action:
    label: str  # as the workspace lists it
    layer: str  # document | measures | categories | quantities | links | series | undo


ACTIONS: dict[str, Action] = {
    "confirm_link": Action("确认关联", "links"),
    "reject_link": Action("否决关联", "links"),
    "add_link": Action("新增关联", "links"),
    "not_target": Action("标为非目标", "quantities"),
    "set_categories": Action("设定类别", "categories"),
    "set_document": Action("修改文件信息", "document"),
    "not_measure": Action("标为非措施", "measures"),
    "add_measure": Action("新增措施", "measures"),
    "edit_measure": Action("修改措施标题", "measures"),
    "set_kind": Action("更改类型", "quantities"),
    "edit_quantity": Action("修改数量", "quantities"),
    "add_target": Action("新增目标", "quantities"),
    "merge_series": Action("合并指标序列", "series"),
    "split_series": Action("拆分指标序列", "series"),
    "explain_conflict": Action("说明冲突", "series"),
    "undo": Action("撤销", "undo"),
}
ACTION_LABELS = {name: action.label for name, action in ACTIONS.items()}
LINK_ACTIONS = ("confirm_link", "reject_link", "add_link")
SERIES_ACTIONS = ("merge_series", "split_series", "explain_conflict")
NONE = "none"  # set_kind: not a quantity at all
KINDS = (TARGET, RESULT, NONE)
KIND_LABELS = {TARGET: "目标", RESULT: "实绩", NONE: "不是数量"}


@dataclass(frozen=True)
class Decision:
    seq: int  # 1-based position in the decisions file (its order); the decision's id
    action: str
    user: str = ""
    time: str = ""  # ISO 8601 with offset, the server's clock
    document: str = ""  # document id (set_document, add_target; the document of an undo)
    measure: str = ""  # measure id
    target: str = ""  # target id (links, not_target)
    item: str = ""  # quantity id, target or result (set_kind, edit_quantity)
    clause: str = ""  # clause id (add_measure)
    series: str = ""  # series id (series actions; the series scope of an undo)
    into: str = ""  # merge_series: the series the other one joins
    decision: int = 0  # undo: the decision it cancels
    kind: str = ""  # set_kind: target | result | none
    categories: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # the new values
    old: dict[str, Any] = field(default_factory=dict)  # the values before, as the editor saw them
    anchors: dict[str, Any] = field(default_factory=dict)  # role -> anchor (``kb.extract.curation``)
    items: tuple[str, ...] = ()  # split_series: the quantity ids that leave the series
    year: int = 0  # explain_conflict: the year of the conflict
    note: str = ""
    # What the editor saw (shown in lists; a legacy decision without anchors applies only while they still match).
    measure_number: str = ""
    measure_headline: str = ""
    target_indicator: str = ""
    target_value: str = ""

    @property
    def doc_id(self) -> str:
        """The document the decision is about ("" for a series decision)."""
        if self.scope == "series":
            return ""
        return self.document or ids.document_of(self.measure or self.target or self.item or self.clause)

    @property
    def scope(self) -> str:
        """ "series" for decisions applied across the library's series, else "document"."""
        if self.action in SERIES_ACTIONS or (self.action == "undo" and self.series and not self.document):
            return "series"
        return "document"

    def _key(self, role: str, fallback: str) -> tuple[str, ...]:
        anchor = self.anchors.get(role)
        if isinstance(anchor, dict) and anchor.get("hash"):
            return (self.doc_id, str(anchor["hash"]))
        if isinstance(anchor, dict) and anchor.get("key"):
            return tuple(str(k) for k in anchor["key"])
        return (fallback,)

    @property
    def subjects(self) -> tuple[tuple[str, ...], ...]:
        """What the decision is about; a decision all of whose subjects a later one decides is superseded."""
        a = self.action
        if a in LINK_ACTIONS:
            return (("link", *self._key("target", self.target), *self._key("measure", self.measure)),)
        if a == "not_target":
            return (("kind", *self._key("target", self.target)),)
        if a == "set_kind":
            return (("kind", *self._key("item", self.item)),)
        if a == "add_target":
            return (("kind", *self._key("span", self.document)),)
        if a == "set_categories":
            return (("categories", *self._key("measure", self.measure)),)
        if a == "set_document":
            return tuple(("document", self.doc_id, name) for name in sorted(self.fields))
        if a == "edit_quantity":
            return tuple(("quantity", *self._key("item", self.item), name) for name in sorted(self.fields))
        if a == "edit_measure":
            return tuple(
                ("measure", *self._key("measure", self.measure), name) for name in sorted(self.fields)
            )
        if a == "not_measure":
            return (("is_measure", *self._key("measure", self.measure)),)
        if a == "add_measure":
            return (("is_measure", *self._key("clause", self.clause)),)
        if a == "merge_series":
            return (("merge", *self._key("series", self.series)),)
        if a == "explain_conflict":
            return (("conflict", *self._key("series", self.series), str(self.year)),)
        return (("decision", str(self.seq)),)  # split_series, undo: each its own

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "action": self.action, "user": self.user, "time": self.time}
        for key in ("document", "measure", "target", "item", "clause", "series", "into", "kind", "note"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.decision:
            data["decision"] = self.decision
        if self.year:
            data["year"] = self.year
        if self.action == "set_categories":
            data["categories"] = list(self.categories)
        if self.items:
            data["items"] = list(self.items)
        for key in ("fields", "old", "anchors"):
            value = getattr(self, key)
            if value:
                data[key] = value
        for key in ("measure_number", "measure_headline", "target_indicator", "target_value"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


def cancelled(decisions: Iterable[Decision]) -> set[int]:
    """Sequence numbers of the decisions an undo cancels (an undo cancelled by a later undo cancels nothing)."""
    out: set[int] = set()
    for decision in sorted(decisions, key=lambda d: d.seq, reverse=True):
        if decision.action == "undo" and decision.seq not in out and decision.decision:
            out.add(decision.decision)
    return out


def effective(decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions that still decide something: not undone, not an undo, and the latest on at least one of
    their subjects; in file order."""
    items = sorted(decisions, key=lambda d: d.seq)
    undone = cancelled(items)
    latest: dict[tuple[str, ...], int] = {}
    for decision in items:
        if decision.seq in undone or decision.action == "undo":
            continue
        for subject in decision.subjects:
            latest[subject] = decision.seq
    winners = set(latest.values())
    return [d for d in items if d.seq in winners]


def superseded(decisions: Iterable[Decision]) -> set[int]:
    """Sequence numbers of the decisions later ones on the same subjects replaced (undone ones and undos aside)."""
    items = list(decisions)
    undone = cancelled(items)
    kept = {d.seq for d in effective(items)}
    return {d.seq for d in items if d.action != "undo" and d.seq not in undone} - kept


def mark(decision: Decision, **extra: Any) -> dict[str, Any]:
    """What an item keeps of a decision applied to it (shown as 已人工校对, with who and when)."""
    return {
        "seq": decision.seq,
        "action": decision.action,
        "user": decision.user,
        "time": decision.time,
        **extra,
    }
