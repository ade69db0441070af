"""Staff decisions applied to the knowledge (pure; the decisions file and its validation are ``kb.store.curation``).

A ``Decision`` is one line of ``documents/curation.jsonl``: who decided what, when, the value before and after, and
the **anchor** of what it is about. ``ACTIONS`` is the table of actions and the layer each applies in:

=====================  ==========  ================================================================================
action                 layer       effect
=====================  ==========  ================================================================================
``set_document``       document    title, 发文机关, dates, 文号, 文种, validity, source URL (``DOCUMENT_FIELDS``)
``not_measure``        measures    the measure is no measure (dropped before categories and links)
``add_measure``        measures    a clause of the outline is a measure (numbered like the clause)
``edit_measure``       measures    the headline, a label (the verbatim text stays verbatim)
``set_categories``     categories  the measure's categories are exactly these (replacing the taxonomy's)
``not_target``         quantities  the sentence is no target (dropped before linking)
``set_kind``           quantities  target ↔ result ↔ ``none`` (no quantity); the id letter follows the kind
``edit_quantity``      quantities  indicator, value, unit, qualifier, deadline, reported year (``QUANTITY_FIELDS``)
``add_target``         quantities  a target the extractor missed, from a span of the text
``confirm_link`` …     links       ``confirm_link``, ``add_link`` (score 1.0, ``source="confirmed"``), ``reject_link``
``merge_series``       series      two indicator series are one (``SeriesCuration``, at every build's catalog step)
``split_series``       series      some points of a series are another indicator
``explain_conflict``   series      a 冲突 of a year is explained (a note; no longer queued for review)
``undo``               —           cancels a decision (an undo of an undo restores it)
=====================  ==========  ================================================================================

**Anchors.** Ids are positional and change when a document is re-analysed, so a decision is anchored to the
text: ``text_anchor`` keeps the span (trimmed of white space), a hash of its words (folded, white space removed:
``words``) and the first words and their length to find them again. ``TextIndex.locate`` takes the span when its
words still hash the same, else the occurrence of the same words nearest to the old place (the file was edited
elsewhere); when the words are nowhere the decision is **stale** with the reason, never applied elsewhere. The
item found must sit exactly at the located span (a measure's span, a clause's, a quantity's mention), else the
decision is stale too. A document field is anchored to the value the machine read (``anchors["extracted"]``):
when the machine now reads another value the decision is stale (unless it now reads the decided value). Series
decisions are anchored to the series' key (region, indicator, unit kind) and their points to their mentions.
Decisions made before anchors existed (ids and snapshots only) are applied as before.

**Order.** Within a layer, decisions apply in file order, so the latest on a subject wins; an ``undo`` removes
the decision it names from the file's effect (``cancelled``). ``subjects`` says what each decision is about (per
field for edits): a decision every subject of which a later one decides again is *superseded*.
``DocumentCuration`` applies one document's decisions in ``kb.extract.pipeline.analyse`` and records which applied
(``applied``) and which are stale (``stale``: seq → reason); every item a decision touched carries a mark in its
``curated`` list (seq, action, user, time), which the pages show as 已人工校对.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kb import ids
from kb.extract.doctype import GENRES, document_genre, plan_period
from kb.extract.links import attach_links
from kb.extract.places import clause_path, find_clause, innermost_clause
from kb.extract.validity import STATUSES
from kb.model import RESULT, TARGET, Clause, Document, Link, Measure, Quantity
from kb.text.normalize import fold

Span = tuple[int, int]


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


# ---------------------------------------------------------------------------------------------- editable fields


@dataclass(frozen=True)
class DocumentField:
    """One field ``set_document`` can set. ``paths`` are where it may live on ``Document`` ("title", or
    "validity.in_force_from" inside a dict or object attribute): the first that exists is used, and a field none
    of whose paths exists is not offered. The list is data: a field the model gains is editable by adding a row."""

    name: str
    label: str
    paths: tuple[str, ...]
    form: str = "text"  # text | date | url | choice
    choices: tuple[str, ...] = ()
    max_chars: int = 200
    required: bool = False

    def path_on(self, document: Any) -> str | None:
        for path in self.paths:
            head, _, rest = path.partition(".")
            if not rest:
                if head in _attributes(document):
                    return path
                continue
            container = getattr(document, head, None)
            if isinstance(container, dict) or (container is not None and rest in _attributes(container)):
                return path
        return None


DOCUMENT_FIELDS: tuple[DocumentField, ...] = (
    DocumentField("title", "标题", ("title",), required=True),
    DocumentField("agency", "发文机关", ("agency",)),
    DocumentField("date", "成文日期", ("date",), "date"),
    DocumentField("published", "发布日期", ("published", "date_published")),
    DocumentField("doc_number", "文号", ("doc_number",), max_chars=60),
    DocumentField("genre", "文种", ("genre",), "choice", GENRES),
    DocumentField("status", "效力状态", ("validity.status", "status"), "choice", STATUSES),
    DocumentField("level", "效力级别", ("validity.level", "level"), max_chars=40),
    DocumentField("in_force_from", "施行日期", ("validity.in_force_from", "in_force_from"), "date"),
    DocumentField("in_force_until", "失效日期", ("validity.in_force_until", "in_force_until"), "date"),
    DocumentField("url", "来源网址", ("url",), "url", max_chars=500),
)
DOCUMENT_FIELD_BY_NAME = {f.name: f for f in DOCUMENT_FIELDS}


def _attributes(obj: Any) -> set[str]:
    fields_ = getattr(obj, "__dataclass_fields__", None)
    return set(fields_) if fields_ is not None else set(vars(obj)) if hasattr(obj, "__dict__") else set()


def editable_fields(document: Any) -> list[DocumentField]:
    """The fields of ``DOCUMENT_FIELDS`` this document (its model) has."""
    return [f for f in DOCUMENT_FIELDS if f.path_on(document) is not None]


def get_field(document: Any, path: str) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return getattr(document, head)
    container = getattr(document, head)
    return container.get(rest, "") if isinstance(container, dict) else getattr(container, rest)


def set_field(document: Any, path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        setattr(document, head, value)
        return
    container = getattr(document, head)
    if isinstance(container, dict):
        container[rest] = value
    else:
        setattr(container, rest, value)


@dataclass(frozen=True)
class QuantityField:
    name: str
    label: str
    form: str  # text | number | year
    kinds: tuple[str, ...] = (TARGET, RESULT)  # the kinds it belongs to
    max_chars: int = 60


QUANTITY_FIELDS: tuple[QuantityField, ...] = (
    QuantityField("indicator", "指标", "text"),
    QuantityField("value", "数值", "number"),
    QuantityField("value_max", "数值上限", "number"),
    QuantityField("unit", "单位", "text", max_chars=12),
    QuantityField("qualifier", "限定", "text", max_chars=30),
    QuantityField("deadline", "期限（年）", "year", (TARGET,)),
    QuantityField("year", "所报告年份", "year", (RESULT,)),
)
QUANTITY_FIELD_BY_NAME = {f.name: f for f in QUANTITY_FIELDS}
MEASURE_FIELDS = ("headline",)


# ---------------------------------------------------------------------------------------------- decisions


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
    anchors: dict[str, Any] = field(default_factory=dict)  # role -> anchor (module docstring)
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


# ---------------------------------------------------------------------------------------------- anchors

_HEAD = 16  # words kept to find a span again
_SNIPPET = 24
_SENTENCE_END = "。；;！!？?\n"


def words(text: str) -> str:
    """The words of a text as anchors compare them: folded (full-width → half-width…), white space removed."""
    return "".join(ch for ch in fold(text or "") if not ch.isspace())


def words_hash(text: str) -> str:
    return hashlib.sha1(words(text).encode("utf-8")).hexdigest()[:16]


def trim(text: str, span: Sequence[int]) -> Span:
    """``span`` without white space at either end."""
    start, end = max(0, int(span[0])), min(len(text), int(span[1]))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snippet(text: str, limit: int = _SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def text_anchor(text: str, span: Sequence[int]) -> dict[str, Any]:
    """The anchor of ``text[span]``: its trimmed span, a hash of its words, its first words and their count."""
    start, end = trim(text, span)
    norm = words(text[start:end])
    return {
        "span": [start, end],
        "hash": hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16],
        "head": norm[:_HEAD],
        "len": len(norm),
        "text": snippet(text[start:end]),
    }


def mention_anchor(quantity: Any, doc_id: str = "") -> dict[str, Any]:
    """A quantity's anchor from its own mention (for series decisions, which have no document text)."""
    norm = words(quantity.mention)
    return {
        "doc": doc_id or quantity.doc_id,
        "span": list(quantity.mention_span),
        "hash": hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16],
        "text": snippet(quantity.mention),
    }


class TextIndex:
    """One document's text, to find anchored spans in (the normalised text is built on first need)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm: tuple[str, list[int]] | None = None

    def _normalised(self) -> tuple[str, list[int]]:
        if self._norm is None:
            folded = fold(self.text)
            keep = [i for i, ch in enumerate(folded) if not ch.isspace()]
            self._norm = ("".join(folded[i] for i in keep), keep)
        return self._norm

    def locate(self, anchor: Mapping[str, Any]) -> tuple[Span | None, str]:
        """The span the anchor names in this text, else None and why (in Chinese)."""
        shown = anchor.get("text") or ""
        try:
            start, end = (int(x) for x in anchor["span"])
            digest = str(anchor["hash"])
        except (KeyError, TypeError, ValueError):
            return None, "决定缺少锚点"
        if 0 <= start <= end <= len(self.text):
            here = trim(self.text, (start, end))
            if words_hash(self.text[here[0] : here[1]]) == digest:
                return here, ""
        head, length = str(anchor.get("head") or ""), int(anchor.get("len") or 0)
        if not head or length <= 0:
            return None, f"原文中已找不到“{shown}”"
        norm, offsets = self._normalised()
        found = []
        at = norm.find(head)
        while at >= 0:
            piece = norm[at : at + length]
            if len(piece) == length and hashlib.sha1(piece.encode("utf-8")).hexdigest()[:16] == digest:
                found.append(at)
            at = norm.find(head, at + 1)
        if not found:
            return None, f"原文中已找不到“{shown}”"
        best = min(found, key=lambda i: abs(offsets[i] - start))
        return (offsets[best], offsets[best + length - 1] + 1), ""


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def sentence_span(text: str, span: Span) -> Span:
    """The sentence holding ``span`` (from the previous sentence end to the next, trimmed)."""
    start, end = span
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    while end < len(text) and text[end - 1] not in _SENTENCE_END and text[end] not in "\n":
        end += 1
    return trim(text, (start, end))


_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_DEADLINE_RE = re.compile(r"(?:到|至|在)\s*((?:19|20)\d{2})\s*年|((?:19|20)\d{2})\s*年(?:底|末|前)")


def _quantity_parts(quantity_id: str) -> tuple[str, int]:
    """("2.2", 5) for ``doc.t2.2-5``."""
    rest = quantity_id.split(".", 1)[1][1:] if "." in quantity_id else ""
    path, _, k = rest.rpartition("-")
    return path, int(k) if k.isdigit() else 0


def id_of_kind(quantity_id: str, kind: str) -> str:
    """The quantity's id with the letter of ``kind`` (``kb.ids.quantity_id``)."""
    return quantity_id if ids.type_of(quantity_id) == kind else ids.other_kind_id(quantity_id) or quantity_id


# ---------------------------------------------------------------------------------------------- stale reasons

STALE_MEASURE = "措施已不存在"
STALE_TARGET = "目标已不存在"
STALE_MEASURE_CHANGED = "措施编号对应的内容已变化"
STALE_TARGET_CHANGED = "目标编号对应的内容已变化"
STALE_NO_MEASURE_HERE = "原文“{text}”处已不再识别为措施"
STALE_NO_QUANTITY_HERE = "原文“{text}”处已不再识别出数量"
STALE_NO_TARGET_HERE = "原文“{text}”处已不再识别为目标"
STALE_NO_CLAUSE = "原文“{text}”已不是一个条款"
STALE_OVERLAP = "原文“{text}”与已有措施重叠"
STALE_FIELD = "程序现在读出的{label}是“{now}”，不是决定所针对的“{was}”"
STALE_NO_FIELD = "文件信息中已没有“{label}”一项"
STALE_SERIES = "指标序列“{title}”已不存在"
STALE_CONFLICT = "{year}年的目标冲突已不存在或数值已变化"
STALE_ITEMS = "要拆分的数量已不在该指标序列中"


# ---------------------------------------------------------------------------------------------- one document


@dataclass
class DocumentCuration:
    """One document's decisions, applied in ``analyse`` layer by layer; ``applied`` and ``stale`` record the
    outcome (see the module docstring)."""

    decisions: tuple[Decision, ...]
    applied: set[int] = field(default_factory=set)
    stale: dict[int, str] = field(default_factory=dict)  # seq -> reason

    def __post_init__(self) -> None:
        undone = cancelled(self.decisions)
        self._live = [
            d
            for d in sorted(self.decisions, key=lambda d: d.seq)
            if d.seq not in undone and d.action != "undo"
        ]
        self._text = TextIndex("")
        self._document: Document | None = None

    def _of(self, layer: str) -> list[Decision]:
        return [d for d in self._live if ACTIONS[d.action].layer == layer]

    def _locate(self, decision: Decision, role: str) -> Span | None:
        span, reason = self._text.locate(decision.anchors.get(role) or {})
        if span is None:
            self.stale[decision.seq] = reason
        return span

    def _done(self, decision: Decision, *items: Any, document: bool = False, **extra: Any) -> None:
        self.applied.add(decision.seq)
        self.stale.pop(decision.seq, None)
        for item in items:
            if item is not None:
                item.curated.append(mark(decision, **extra))
        if document and self._document is not None:
            self._document.curated.append(mark(decision))

    # -- document -----------------------------------------------------------------------------------
    def apply_document(self, document: Document) -> None:
        """Set the document's fields (``set_document``); a corrected title gives the genre it names unless a
        decision sets the genre too. Binds the document's text for the anchors of the later layers."""
        self._text = TextIndex(document.text)
        self._document = document
        machine: dict[str, Any] = {}
        title_before, genre_set = document.title, False
        for decision in self._of("document"):
            problems, changes = [], []
            extracted = decision.anchors.get("extracted") or {}
            for name, value in decision.fields.items():
                spec = DOCUMENT_FIELD_BY_NAME.get(name)
                path = spec.path_on(document) if spec is not None else None
                if spec is None or path is None:
                    problems.append(STALE_NO_FIELD.format(label=spec.label if spec else name))
                    continue
                was = machine.setdefault(name, get_field(document, path))
                if name in extracted and extracted[name] != was and value != was:
                    problems.append(STALE_FIELD.format(label=spec.label, now=was, was=extracted[name]))
                changes.append((name, path, value, was))
            if problems:
                self.stale[decision.seq] = "；".join(problems)
                continue
            for name, path, value, _was in changes:
                set_field(document, path, value)
                genre_set = genre_set or name == "genre"
            self._done(decision, document, was={name: was for name, _p, _v, was in changes})
        if document.title != title_before:
            document.title_derived = False  # a title staff wrote is the document's title, not a derived one
            if not genre_set:
                document.genre = document_genre(document.title)

    # -- measures -----------------------------------------------------------------------------------
    def _measure(self, decision: Decision, by_span: Mapping[Span, Measure]) -> Measure | None:
        """The measure a decision names: at its anchor, else (a decision without anchors) by id and number."""
        if "measure" in decision.anchors:
            span = self._locate(decision, "measure")
            if span is None:
                return None
            found = by_span.get(span)
            if found is None:
                text = decision.anchors["measure"].get("text", "")
                self.stale[decision.seq] = STALE_NO_MEASURE_HERE.format(text=text)
            return found
        found = next((m for m in by_span.values() if m.id == decision.measure), None)
        if found is None:
            self.stale[decision.seq] = STALE_MEASURE
            return None
        if decision.measure_number and _norm(decision.measure_number) != _norm(found.number):
            self.stale[decision.seq] = STALE_MEASURE_CHANGED
            return None
        return found

    def apply_measures(
        self, document: Document, outline: list[Clause], measures: list[Measure]
    ) -> list[Measure]:
        """The measures after ``not_measure``, ``add_measure`` and ``edit_measure``, renumbered in reading order."""
        decisions = self._of("measures")
        if not decisions:
            return measures
        text = document.text
        by_span = {trim(text, m.span): m for m in measures}
        clauses = {trim(text, c.span): c for root in outline for c in root.walk()}
        for decision in decisions:
            if decision.action == "add_measure":
                span = self._locate(decision, "clause")
                if span is None:
                    continue
                shown = decision.anchors["clause"].get("text", "")
                if span in by_span:  # the extractor finds it now: nothing to add
                    self._done(decision, by_span[span], document=True)
                    continue
                clause = clauses.get(span)
                if clause is None:
                    self.stale[decision.seq] = STALE_NO_CLAUSE.format(text=shown)
                    continue
                if any(_overlap(span, other) for other in by_span):
                    self.stale[decision.seq] = STALE_OVERLAP.format(text=shown)
                    continue
                measure = measure_of_clause(document, outline, clause)
                by_span[span] = measure
                self._done(decision, measure, document=True)
                continue
            measure = self._measure(decision, by_span)
            if measure is None:
                continue
            if decision.action == "not_measure":
                del by_span[trim(text, measure.span)]
                self._done(decision, document=True)
            else:
                measure.headline = str(decision.fields.get("headline", measure.headline))
                self._done(decision, measure)
        out = sorted(by_span.values(), key=lambda m: m.span[0])
        for ordinal, measure in enumerate(out, 1):
            measure.ordinal = ordinal
        return out

    def set_categories(self, measures: list[Measure]) -> None:
        """Give each measure named by a ``set_categories`` decision exactly its categories (in place)."""
        decisions = self._of("categories")
        if not decisions:
            return
        text = self._text.text
        by_span = {trim(text, m.span): m for m in measures}
        for decision in decisions:
            measure = self._measure(decision, by_span)
            if measure is not None:
                measure.categories = list(decision.categories)
                measure.category_confidence = {name: 1.0 for name in decision.categories}  # a person decided
                measure.category_words = {name: ["工作人员设定"] for name in decision.categories}
                self._done(decision, measure)

    # -- quantities ---------------------------------------------------------------------------------
    def _quantity(self, decision: Decision, by_span: Mapping[Span, Quantity], role: str) -> Quantity | None:
        if role in decision.anchors:
            span = self._locate(decision, role)
            if span is None:
                return None
            found = by_span.get(span)
            if found is None:
                value = decision.old.get("value")
                found = next(
                    (
                        q
                        for s, q in by_span.items()
                        if _overlap(s, span) and (value is None or q.value == value)
                    ),
                    None,
                )
            if found is None:
                text = decision.anchors[role].get("text", "")
                self.stale[decision.seq] = STALE_NO_QUANTITY_HERE.format(text=text)
            return found
        wanted = decision.item or decision.target
        found = next((q for q in by_span.values() if q.id == wanted), None)
        if found is None or (decision.action == "not_target" and found.kind != TARGET):
            self.stale[decision.seq] = STALE_TARGET
            return None
        if decision.target_indicator and _norm(decision.target_indicator) != _norm(found.indicator):
            self.stale[decision.seq] = STALE_TARGET_CHANGED
            return None
        return found

    def apply_quantities(
        self, document: Document, outline: list[Clause], quantities: list[Quantity]
    ) -> list[Quantity]:
        """The quantities after ``not_target``, ``set_kind``, ``edit_quantity`` and ``add_target``, in reading
        order (before linking, so links follow)."""
        decisions = self._of("quantities")
        if not decisions:
            return quantities
        text = document.text
        by_span = {trim(text, q.mention_span): q for q in quantities}
        machine = {id(q): (q.kind, q.id, q.deadline, q.year) for q in quantities}
        for decision in decisions:
            if decision.action == "add_target":
                self._add_target(decision, document, outline, by_span, machine)
                continue
            role = "item" if "item" in decision.anchors else "target"
            quantity = self._quantity(decision, by_span, role)
            if quantity is None:
                continue
            if decision.action == "not_target" or (decision.action == "set_kind" and decision.kind == NONE):
                del by_span[trim(text, quantity.mention_span)]
                self._done(decision, document=True)
                continue
            if decision.action == "set_kind":
                self._set_kind(quantity, decision.kind, document, machine)
            for name, value in decision.fields.items():
                if name in QUANTITY_FIELD_BY_NAME:
                    setattr(quantity, name, value)
            self._done(decision, quantity)
        return sorted(by_span.values(), key=lambda q: (q.mention_span[0], q.mention_span[1]))

    def _set_kind(
        self, quantity: Quantity, kind: str, document: Document, machine: Mapping[int, tuple[Any, ...]]
    ) -> None:
        if kind == quantity.kind:
            return
        quantity.kind = kind
        quantity.id = id_of_kind(quantity.id, kind)
        was_kind, _was_id, deadline, year = machine.get(id(quantity), (None, "", None, None))
        if kind == was_kind:  # back to what the extractor read: its own deadline or year
            quantity.deadline, quantity.year = deadline, year
        elif kind == RESULT:
            quantity.deadline = None
            quantity.year = reported_year(quantity, document)
            quantity.measure_ids = []
        else:
            quantity.year = None
            quantity.deadline = default_deadline(quantity, document)

    def _add_target(
        self,
        decision: Decision,
        document: Document,
        outline: list[Clause],
        by_span: dict[Span, Quantity],
        machine: Mapping[int, tuple[Any, ...]],
    ) -> None:
        span = self._locate(decision, "span")
        if span is None:
            return
        existing = by_span.get(span) or next((q for s, q in by_span.items() if _overlap(s, span)), None)
        if existing is not None:  # the extractor reads a quantity there now: it is the target
            self._set_kind(existing, TARGET, document, machine)
            quantity = existing
        else:
            text = document.text
            clause = innermost_clause(outline, span)
            path = (ids.ordinals_of(clause.id) if clause is not None else "") or "0"
            k = 1 + max(
                (_quantity_parts(q.id)[1] for q in by_span.values() if _quantity_parts(q.id)[0] == path),
                default=0,
            )
            sentence = sentence_span(text, span)
            quantity = Quantity(
                id=ids.quantity_id(document.id, path, k, TARGET),
                doc_id=document.id,
                clause_id=clause.id if clause is not None else "",
                indicator="",
                value=0.0,
                unit="",
                mention=text[span[0] : span[1]],
                mention_span=span,
                text=text[sentence[0] : sentence[1]],
                span=sentence,
                kind=TARGET,
            )
            quantity.deadline = default_deadline(quantity, document)
            by_span[span] = quantity
        for name, value in decision.fields.items():
            if name in QUANTITY_FIELD_BY_NAME:
                setattr(quantity, name, value)
        self._done(decision, quantity, document=existing is None)

    # -- links --------------------------------------------------------------------------------------
    def apply_links(self, links: list[Link], measures: list[Measure], targets: list[Quantity]) -> list[Link]:
        """The links after the link decisions, with ``Measure.targets`` and ``Quantity.measure_ids`` refilled."""
        decisions = self._of("links")
        if not decisions:
            return links
        text = self._text.text
        measures_by_span = {trim(text, m.span): m for m in measures}
        quantities_by_span = {trim(text, q.mention_span): q for q in targets}
        by_pair = {(lk.target_id, lk.measure_id): lk for lk in links}
        for decision in decisions:
            target = self._quantity(decision, quantities_by_span, "target")
            if target is not None and target.kind != TARGET:  # a result now: never linked
                self.stale[decision.seq] = STALE_NO_TARGET_HERE.format(text=snippet(target.mention))
                target = None
            measure = self._measure(decision, measures_by_span) if target is not None else None
            if target is None or measure is None:
                continue
            pair = (target.id, measure.id)
            if decision.action == "reject_link":
                by_pair.pop(pair, None)
            elif pair in by_pair:
                by_pair[pair].score, by_pair[pair].source = 1.0, "confirmed"
            else:
                by_pair[pair] = Link(target.id, measure.id, 1.0, ["人工确认 confirmed by staff"], "confirmed")
            self._done(decision, target, measure)
        return attach_links(list(by_pair.values()), measures, targets)


def _norm(text: str) -> str:
    return re.sub(r"[\s()\[\]【】〔〕（）、.,:：]", "", fold(text or ""))


def measure_of_clause(document: Document, outline: list[Clause], clause: Clause) -> Measure:
    """A clause made a measure (``add_measure``): numbered like the clause, its heading as headline."""
    found = find_clause(outline, clause.id)
    trail = found[1] if found is not None else []
    ordinals = [int(o) for o in ids.ordinals_of(clause.id).split(".") if o]
    start, end = clause.span
    return Measure(
        id=ids.measure_id(document.id, ordinals),
        doc_id=document.id,
        clause_id=clause.id,
        number=clause.label,
        ordinal=0,
        path=clause_path(trail, clause),
        headline=clause.heading,
        text=document.text[start:end],
        span=(start, end),
    )


def reported_year(quantity: Quantity, document: Document) -> int | None:
    """The year a quantity turned into a result reports: the last year its sentence names before the mention,
    else the year before the document's."""
    before = quantity.text[: max(0, quantity.mention_span[0] - quantity.span[0])] + quantity.mention
    years = [int(y) for y in _YEAR_RE.findall(before) if 1949 <= int(y) <= 2100]
    if years:
        return years[-1]
    return int(document.year) - 1 if document.year.isdigit() else None


def default_deadline(quantity: Quantity, document: Document) -> int | None:
    """The deadline of a quantity made a target: the year its sentence sets (到2022年, 2022年底), else the end
    of the plan's period its title names, else the document's year."""
    for m in _DEADLINE_RE.finditer(quantity.text):
        year = int(m.group(1) or m.group(2))
        if 1949 <= year <= 2100:
            return year
    period = plan_period(document.title)
    if period is not None:
        return period.end
    return int(document.year) if document.year.isdigit() else None


# ---------------------------------------------------------------------------------------------- series

SeriesKey = tuple[str, str, str]  # region, indicator, unit kind (``kb.extract.indicators``)


def series_key(anchor: Mapping[str, Any] | None) -> SeriesKey | None:
    key = (anchor or {}).get("key")
    if isinstance(key, list | tuple) and len(key) == 3 and all(isinstance(k, str) for k in key):
        return (key[0], key[1], key[2])
    return None


@dataclass
class SeriesCuration:
    """The series decisions of the whole library, applied at every build's catalog step.

    ``prepare(keys, quantities)`` takes the series keys a plain grouping found and the catalog's quantities, and
    keeps the decisions whose anchors still hold; ``regroup`` then moves the points of merged series and of split
    points while the series are grouped again (``kb.extract.indicators.build_indicators``); ``notes`` are the
    explained conflicts to check against the result (``finish``).
    """

    decisions: tuple[Decision, ...]
    applied: set[int] = field(default_factory=set)
    stale: dict[int, str] = field(default_factory=dict)
    _merged: dict[SeriesKey, SeriesKey] = field(default_factory=dict)
    _split: dict[str, tuple[str, Decision]] = field(default_factory=dict)  # quantity id -> (name, decision)
    _marks: dict[SeriesKey, list[dict[str, Any]]] = field(default_factory=dict)

    def live(self) -> list[Decision]:
        undone = cancelled(self.decisions)
        return [
            d
            for d in sorted(self.decisions, key=lambda d: d.seq)
            if d.seq not in undone and d.action != "undo"
        ]

    @property
    def changes_grouping(self) -> bool:
        return bool(self._merged or self._split)

    def prepare(self, keys: set[SeriesKey], quantities: Iterable[Any]) -> None:
        by_doc: dict[str, list[Any]] = {}
        for quantity in quantities:
            by_doc.setdefault(quantity.doc_id, []).append(quantity)
        present = set(keys)
        for decision in self.live():
            key = series_key(decision.anchors.get("series"))
            title = (decision.anchors.get("series") or {}).get("title", decision.series)
            if key is None or key not in present:
                self.stale[decision.seq] = STALE_SERIES.format(title=title)
                continue
            if decision.action == "merge_series":
                into = series_key(decision.anchors.get("into"))
                if into is None or into not in present:
                    into_title = (decision.anchors.get("into") or {}).get("title", decision.into)
                    self.stale[decision.seq] = STALE_SERIES.format(title=into_title)
                    continue
                self._merged[key] = into
                present.add(into)
                self._marks.setdefault(into, []).append(mark(decision))
                self.applied.add(decision.seq)
            elif decision.action == "split_series":
                found = [
                    _find_mention(anchor, by_doc.get(str(anchor.get("doc", "")), []))
                    for anchor in decision.anchors.get("items") or []
                ]
                if not found or any(q is None for q in found):
                    self.stale[decision.seq] = STALE_ITEMS
                    continue
                name = str(decision.fields.get("name") or "")
                self._marks.setdefault(key, []).append(mark(decision))  # the series it left changed too
                for quantity in found:
                    assert quantity is not None
                    self._split[quantity.id] = (name or quantity.indicator, decision)
                self.applied.add(decision.seq)
            # explain_conflict: checked in ``finish`` against the series as grouped

    def resolve(self, key: SeriesKey) -> SeriesKey:
        seen = {key}
        while key in self._merged and self._merged[key] not in seen:
            key = self._merged[key]
            seen.add(key)
        return key

    def regroup(self, quantity: Any, key: SeriesKey) -> SeriesKey:
        """The series key a point joins (``build_indicators``' hook)."""
        split = self._split.get(quantity.id)
        if split is not None:
            key = (key[0], split[0], key[2])
            self._marks.setdefault(key, [])
            if not any(m["seq"] == split[1].seq for m in self._marks[key]):
                self._marks[key].append(mark(split[1]))
        return self.resolve(key)

    def finish(self, series: Iterable[Any], key_of: Callable[[Any], SeriesKey]) -> dict[str, Any]:
        """The record kept with the series (``indicators.json``'s ``curation``): marks by series id, explained
        conflicts by series id and year, and what applied or is stale."""
        by_key = {key_of(s): s for s in series}
        marks: dict[str, list[dict[str, Any]]] = {}
        for key, items in self._marks.items():
            target = by_key.get(self.resolve(key))
            if target is not None and items:
                marks.setdefault(target.id, []).extend(items)
        notes: dict[str, dict[str, Any]] = {}
        for decision in self.live():
            if decision.action != "explain_conflict" or decision.seq in self.stale:
                continue
            key = series_key(decision.anchors.get("series"))
            target = by_key.get(self.resolve(key)) if key is not None else None
            conflict = None
            if target is not None:
                conflict = next((c for c in target.conflicts if c.year == decision.year), None)
            values = decision.anchors.get("values")
            if conflict is None or (values is not None and sorted(values) != sorted(conflict.values)):
                self.stale[decision.seq] = STALE_CONFLICT.format(year=decision.year)
                continue
            assert target is not None
            notes.setdefault(target.id, {})[str(decision.year)] = {
                **mark(decision),
                "note": decision.note,
            }
            marks.setdefault(target.id, []).append(mark(decision))
            self.applied.add(decision.seq)
        for items in marks.values():
            items.sort(key=lambda m: m["seq"])
        return {
            "seq": max((d.seq for d in self.decisions), default=0),
            "marks": marks,
            "notes": notes,
            "applied": sorted(self.applied),
            "stale": {str(seq): reason for seq, reason in sorted(self.stale.items())},
        }


def _find_mention(anchor: Mapping[str, Any], quantities: list[Any]) -> Any | None:
    digest = str(anchor.get("hash") or "")
    found = [q for q in quantities if words_hash(q.mention) == digest]
    if not found:
        return None
    start = int((anchor.get("span") or [0])[0])
    return min(found, key=lambda q: abs(q.mention_span[0] - start))
