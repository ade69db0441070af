"""``DocumentCuration``: one document's decisions applied in ``kb.extract.pipeline.analyse``, layer by layer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kb import ids
from kb.extract.curation.anchors import Span, TextIndex, overlap, sentence_span, snippet, trim
from kb.extract.curation.decisions import ACTIONS, NONE, Decision, cancelled, mark
from kb.extract.curation.fields import DOCUMENT_FIELD_BY_NAME, QUANTITY_FIELD_BY_NAME, get_field, set_field
from kb.extract.curation.stale import (
    STALE_FIELD,
    STALE_MEASURE,
    STALE_MEASURE_CHANGED,
    STALE_NO_CLAUSE,
    STALE_NO_FIELD,
    STALE_NO_MEASURE_HERE,
    STALE_NO_QUANTITY_HERE,
    STALE_NO_TARGET_HERE,
    STALE_OVERLAP,
    STALE_TARGET,
    STALE_TARGET_CHANGED,
)
from kb.extract.doctype import document_genre, plan_period
from kb.extract.links import attach_links
from kb.extract.places import clause_path, find_clause, innermost_clause
from kb.model import RESULT, TARGET, Clause, Document, Link, Measure, Quantity
from kb.text.normalize import fold

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


@dataclass
class DocumentCuration:
    """One document's decisions, applied in ``analyse`` layer by layer; ``applied`` and ``stale`` record the
    outcome (see the ``kb.extract.curation`` docstring)."""

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
                if any(overlap(span, other) for other in by_span):
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
                        if overlap(s, span) and (value is None or q.value == value)
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
        existing = by_span.get(span) or next((q for s, q in by_span.items() if overlap(s, span)), None)
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
