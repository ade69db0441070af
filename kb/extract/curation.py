"""Staff decisions applied to one document's extraction (pure; the decisions file is ``kb.store.curation``).

A ``Decision`` is one line of ``documents/curation.jsonl``: who decided what about which measure or target, and
when. Five actions:

===================  ===========================================================================
``confirm_link``     keep the target↔measure link (score 1.0, ``source="confirmed"``)
``add_link``         add a link the extractor missed (same effect as confirm; both in one document)
``reject_link``      drop the link
``not_target``       the sentence is no target (the target is dropped before linking)
``set_categories``   the measure's categories are exactly these (replacing the taxonomy's)
===================  ===========================================================================

Decisions are append-only. On the same subject (a pair, a target, a measure's categories) the latest decision
wins; the earlier ones are *superseded*. ``DocumentCuration`` applies a document's effective decisions in
``kb.extract.pipeline.analyse`` and records which applied and which are *stale*: their measure or target is not
(or no longer) in the document, or its id now names something else (ids are positional, so each decision also
keeps the measure's number and the target's indicator it was made on, and applies only while they still match).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb import ids
from kb.extract.links import attach_links
from kb.model import Link, Measure, Quantity
from kb.text.normalize import fold

LINK_ACTIONS = ("confirm_link", "reject_link", "add_link")
ACTIONS = (*LINK_ACTIONS, "not_target", "set_categories")
ACTION_LABELS = {
    "confirm_link": "确认关联",
    "reject_link": "否决关联",
    "add_link": "新增关联",
    "not_target": "标为非目标",
    "set_categories": "设定类别",
}

STALE_MEASURE = "措施已不存在"
STALE_TARGET = "目标已不存在"
STALE_MEASURE_CHANGED = "措施编号对应的内容已变化"
STALE_TARGET_CHANGED = "目标编号对应的内容已变化"


@dataclass(frozen=True)
class Decision:
    seq: int  # 1-based position in the decisions file (its order)
    action: str
    user: str = ""
    time: str = ""  # ISO 8601 with offset
    measure: str = ""  # measure id
    target: str = ""  # target id
    categories: tuple[str, ...] = ()
    # What the editor saw (shown in lists; an id whose item no longer matches makes the decision stale).
    measure_number: str = ""
    measure_headline: str = ""
    target_indicator: str = ""
    target_value: str = ""

    @property
    def doc_id(self) -> str:
        return ids.document_of(self.measure or self.target)

    @property
    def subject(self) -> tuple[str, ...]:
        """What the decision is about; a later decision on the same subject supersedes it."""
        if self.action in LINK_ACTIONS:
            return ("link", self.target, self.measure)
        if self.action == "not_target":
            return ("target", self.target)
        return ("categories", self.measure)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "action": self.action, "user": self.user, "time": self.time}
        for key in (
            "measure",
            "target",
            "measure_number",
            "measure_headline",
            "target_indicator",
            "target_value",
        ):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.action == "set_categories":
            data["categories"] = list(self.categories)
        return data


def effective(decisions: Iterable[Decision]) -> list[Decision]:
    """The latest decision on each subject, in file order."""
    latest: dict[tuple[str, ...], Decision] = {}
    for decision in sorted(decisions, key=lambda d: d.seq):
        latest.pop(decision.subject, None)
        latest[decision.subject] = decision
    return sorted(latest.values(), key=lambda d: d.seq)


def superseded(decisions: Iterable[Decision]) -> set[int]:
    """Sequence numbers of the decisions a later one on the same subject replaced."""
    items = list(decisions)
    kept = {d.seq for d in effective(items)}
    return {d.seq for d in items} - kept


def _norm(text: str) -> str:
    return re.sub(r"[\s()\[\]【】〔〕（）、.,:：]", "", fold(text or ""))


@dataclass
class DocumentCuration:
    """One document's decisions, applied in ``analyse``; ``applied`` and ``stale`` record the outcome."""

    decisions: tuple[Decision, ...]
    applied: set[int] = field(default_factory=set)
    stale: dict[int, str] = field(default_factory=dict)  # seq -> reason

    def _effective(self, *actions: str) -> list[Decision]:
        return [d for d in effective(self.decisions) if d.action in actions]

    def _measure(self, decision: Decision, measures: dict[str, Measure]) -> Measure | None:
        measure = measures.get(decision.measure)
        if measure is None:
            self.stale[decision.seq] = STALE_MEASURE
            return None
        if decision.measure_number and _norm(decision.measure_number) != _norm(measure.number):
            self.stale[decision.seq] = STALE_MEASURE_CHANGED
            return None
        return measure

    def _target(self, decision: Decision, targets: dict[str, Quantity]) -> Quantity | None:
        target = targets.get(decision.target)
        if target is None:
            self.stale[decision.seq] = STALE_TARGET
            return None
        if decision.target_indicator and _norm(decision.target_indicator) != _norm(target.indicator):
            self.stale[decision.seq] = STALE_TARGET_CHANGED
            return None
        return target

    def set_categories(self, measures: list[Measure]) -> None:
        """Give each measure named by a ``set_categories`` decision exactly its categories (in place)."""
        by_id = {m.id: m for m in measures}
        for decision in self._effective("set_categories"):
            measure = self._measure(decision, by_id)
            if measure is not None:
                measure.categories = list(decision.categories)
                measure.category_confidence = {name: 1.0 for name in decision.categories}  # a person decided
                measure.category_words = {name: ["工作人员设定"] for name in decision.categories}
                self.applied.add(decision.seq)

    def drop_targets(self, targets: list[Quantity]) -> list[Quantity]:
        """``targets`` without those marked "not a target" (before linking, so nothing links to them)."""
        by_id = {t.id: t for t in targets}
        dropped: set[str] = set()
        for decision in self._effective("not_target"):
            target = self._target(decision, by_id)
            if target is not None:
                dropped.add(target.id)
                self.applied.add(decision.seq)
        return [t for t in targets if t.id not in dropped]

    def apply_links(self, links: list[Link], measures: list[Measure], targets: list[Quantity]) -> list[Link]:
        """The links after the link decisions, with ``Measure.targets`` and ``Quantity.measure_ids`` refilled."""
        measures_by_id = {m.id: m for m in measures}
        targets_by_id = {t.id: t for t in targets}
        decisions = self._effective(*LINK_ACTIONS)
        if not decisions:
            return links
        by_pair = {(lk.target_id, lk.measure_id): lk for lk in links}
        for decision in decisions:
            target = self._target(decision, targets_by_id)
            measure = self._measure(decision, measures_by_id) if target is not None else None
            if target is None or measure is None:
                continue
            pair = (target.id, measure.id)
            if decision.action == "reject_link":
                by_pair.pop(pair, None)
            elif pair in by_pair:
                by_pair[pair].score, by_pair[pair].source = 1.0, "confirmed"
            else:
                by_pair[pair] = Link(target.id, measure.id, 1.0, ["人工确认 confirmed by staff"], "confirmed")
            self.applied.add(decision.seq)
        return attach_links(list(by_pair.values()), measures, targets)
