"""Links between a document's targets (目标指标) and the measures (措施) that pursue them.

Rules (see ``link``):

* A target mentioned inside a measure belongs to it: ``source="inside"``, score 1.0.
* A target stated elsewhere (usually the 主要目标 section) is scored against every measure by content:
  the indicator's jieba words and concept groups (``kb/data/concepts.toml``), each weighted by its
  specificity across the document's measures (IDF: a word found in every measure weighs ~0), plus
  character-bigram overlap, a bonus for hits in the measure's headline and a bonus when the taxonomy
  puts the indicator and the measure in the same category (weighted by the measure's confidence in it).
  Links scoring at least ``WEAK_THRESHOLD`` and no more than ``MARGIN`` below the target's best score are
  kept, at most ``MAX_LINKS`` per target, when they reach ``THRESHOLD`` (firm). On the dev gold set
  (``bench/extraction.py``) the firm links (inside, confirmed, content ≥ ``THRESHOLD``) have a precision of 0.83.
* A *weak* link (shown as 弱关联, with why) is kept only where weak links are right more often than not: for a
  target with no firm link, its best candidate when it scores at least ``WEAK_THRESHOLD`` and leads every other
  measure by ``LEAD`` (the one clear candidate). On the dev split these were right 0.60 of the time (12 of 20,
  ``WEAK_PRECISION``; dev-test 8 of 13); every candidate between 0.45 and 0.7, which the pages showed before
  issue 30, 0.40 (37 of 92).
* Every link says why: its ``evidence`` (the mention inside the measure, the matched words, or 人工确认).
* A bureau can confirm or reject links in a ``links.toml`` next to its documents (``load_overrides``).
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import ids
from kb.config import config_file
from kb.extract.taxonomy import Taxonomy
from kb.model import Clause, Link, Measure, Quantity, TargetRef
from kb.text.normalize import fold
from kb.text.segment import search_words

# Scoring constants (tuned on the seed plan; see tests/test_links.py).
THRESHOLD = 0.7  # content links from here on are firm (dev gold set: precision 0.83 of firm links)
# A target's one clear candidate below THRESHOLD: at least WEAK_THRESHOLD and LEAD above every other measure.
WEAK_THRESHOLD = 0.5
LEAD = 0.1
WEAK_PRECISION = (
    0.6  # measured precision of those weak links (dev split: 12 of 20, issue 30); shown on the pages
)


def is_weak(link: Link) -> bool:
    """A content link below the firm threshold (``THRESHOLD``): shown as 弱关联."""
    return link.source == "content" and link.score < THRESHOLD


MARGIN = 0.2  # a kept link scores at most this much below the target's best link
MAX_LINKS = 2  # content links kept per target
WORD_WEIGHT = 0.5
BIGRAM_WEIGHT = 0.2
HEADLINE_BONUS = 0.15
CATEGORY_BONUS = 0.25

_HAN = re.compile(r"[\u3400-\u9fff]+")


class OverridesError(ValueError):
    """A malformed links.toml; the message names the file and the problem."""


# ---------------------------------------------------------------------------------------------- concepts


@dataclass(frozen=True)
class Concept:
    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Concepts:
    groups: tuple[Concept, ...]
    stopwords: frozenset[str] = frozenset()  # indicator words that say nothing about its subject
    source: str = ""


def load_concepts(path: Path | None = None) -> Concepts:
    """Load the concept table (default: the configuration folder's ``concepts.toml``, else the packaged one).

    Raises ``ValueError`` naming the file and the problem when it is malformed.
    """
    target = Path(path) if path is not None else config_file("concepts.toml")
    try:
        doc = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"concept file {target}: cannot be read as UTF-8 TOML ({exc})") from None
    raw = doc.get("concept", [])
    if not isinstance(raw, list):
        raise ValueError(f"concept file {target}: 'concept' must be an array of tables ([[concept]])")
    groups = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"concept file {target}: concept #{i} needs a 'name'")
        terms = entry.get("terms")
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and len(t) >= 2 for t in terms)
        ):
            raise ValueError(
                f"concept file {target}: concept #{i} ({entry['name']}): 'terms' must be a non-empty "
                "list of strings of at least 2 characters"
            )
        groups.append(Concept(entry["name"], tuple(fold(t) for t in terms)))
    stopwords = doc.get("stopwords", [])
    if not isinstance(stopwords, list) or not all(isinstance(w, str) for w in stopwords):
        raise ValueError(f"concept file {target}: 'stopwords' must be a list of strings")
    unknown = set(doc) - {"concept", "stopwords"}
    if unknown:
        raise ValueError(f"concept file {target}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    return Concepts(tuple(groups), frozenset(fold(w) for w in stopwords), str(target))


# ---------------------------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class OverrideRule:
    """One [[confirm]] or [[reject]] entry of a links.toml."""

    action: str  # confirm | reject
    index: int  # 1-based position among the entries of the same action (for messages)
    measure: str  # measure id, or a measure number as written ("(六)") within the target's document
    target: str = ""  # target id; or empty and doc + indicator
    doc: str = ""
    indicator: str = ""

    def describe(self) -> str:
        who = self.target or f"{self.doc} / {self.indicator}"
        return f"[[{self.action}]] #{self.index} ({who} → {self.measure})"


@dataclass
class LinkOverrides:
    confirm: list[OverrideRule] = field(default_factory=list)
    reject: list[OverrideRule] = field(default_factory=list)
    source: str = ""

    def rules(self) -> list[OverrideRule]:
        return [*self.confirm, *self.reject]


def load_overrides(path: Path) -> LinkOverrides:
    """Read a bureau's ``links.toml``. A missing file means no overrides.

    Raises ``OverridesError`` naming the file and the problem when the file is malformed. Rules naming
    unknown targets or measures are not errors here: see ``check_overrides``.
    """
    path = Path(path)
    if not path.exists():
        return LinkOverrides(source=str(path))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise OverridesError(f"links file {path}: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise OverridesError(f"links file {path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise OverridesError(f"links file {path}: cannot be read ({exc.strerror or exc})") from None
    unknown = set(doc) - {"confirm", "reject"}
    if unknown:
        raise OverridesError(
            f"links file {path}: unknown section(s) {', '.join(sorted(unknown))} "
            "(expected [[confirm]] and [[reject]])"
        )
    out = LinkOverrides(source=str(path))
    for action in ("confirm", "reject"):
        entries = doc.get(action, [])
        if not isinstance(entries, list):
            raise OverridesError(f"links file {path}: '{action}' must be written as [[{action}]] tables")
        for i, entry in enumerate(entries, 1):
            getattr(out, action).append(_parse_rule(path, action, i, entry))
    return out


def _parse_rule(path: Path, action: str, index: int, entry: Any) -> OverrideRule:
    where = f"links file {path}: [[{action}]] #{index}"
    if not isinstance(entry, dict):
        raise OverridesError(f"{where} is not a table")
    extra = set(entry) - {"target", "measure", "doc", "indicator"}
    if extra:
        raise OverridesError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
    for key, value in entry.items():
        if not isinstance(value, str) or not value.strip():
            raise OverridesError(f"{where}: '{key}' must be a non-empty string")
    values = {k: v.strip() for k, v in entry.items()}
    if "measure" not in values:
        raise OverridesError(f"{where}: 'measure' is missing (a measure id or a number like \"(六)\")")
    if "target" not in values and not ("doc" in values and "indicator" in values):
        raise OverridesError(f"{where}: give 'target' (a target id) or both 'doc' and 'indicator'")
    return OverrideRule(action=action, index=index, **values)


def _norm_number(label: str) -> str:
    return re.sub(r"[\s()\[\]【】〔〕、.,:：]", "", fold(label))


def _norm_indicator(text: str) -> str:
    return re.sub(r"\s", "", fold(text))


def _doc_of_target_id(target_id: str) -> str:
    return ids.document_of(target_id) if ids.type_of(target_id) == "target" else ""


def _rule_targets(rule: OverrideRule, targets: Iterable[Quantity]) -> list[Quantity]:
    if rule.target:
        return [t for t in targets if t.id == rule.target]
    want = _norm_indicator(rule.indicator)
    return [t for t in targets if t.doc_id == rule.doc and _norm_indicator(t.indicator) == want]


def _rule_measures(rule: OverrideRule, doc_id: str, measures: Iterable[Measure]) -> list[Measure]:
    exact = [m for m in measures if m.id == rule.measure]
    if exact:
        return exact
    doc = rule.doc or doc_id
    want = _norm_number(rule.measure)
    if not want:
        return []
    return [m for m in measures if m.doc_id == doc and _norm_number(m.number) == want]


def _rule_pairs(
    rule: OverrideRule, measures: list[Measure], targets: list[Quantity]
) -> list[tuple[Quantity, Measure]]:
    pairs = []
    for t in _rule_targets(rule, targets):
        for m in _rule_measures(rule, t.doc_id, measures):
            pairs.append((t, m))
    return pairs


def check_overrides(overrides: LinkOverrides, measures: list[Measure], targets: list[Quantity]) -> list[str]:
    """Warnings for rules naming a target or measure not among ``targets``/``measures`` (never raises).

    Call it with every measure and target of the documents the links.toml governs.
    """
    warnings = []
    for rule in overrides.rules():
        found = _rule_targets(rule, targets)
        if not found:
            warnings.append(f"{overrides.source}: {rule.describe()}: unknown target")
            continue
        doc_id = found[0].doc_id or _doc_of_target_id(found[0].id)
        chosen = _rule_measures(rule, doc_id, measures)
        if not chosen:
            warnings.append(f"{overrides.source}: {rule.describe()}: unknown measure")
        elif len(chosen) > 1:
            warnings.append(f"{overrides.source}: {rule.describe()}: ambiguous measure ({len(chosen)} match)")
    return warnings


# ---------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class _Unit:
    """A piece of evidence sought in measures: a word, or a concept group (any of its terms)."""

    terms: tuple[str, ...]


def _covered(word: str, parts: set[str]) -> bool:
    """True when every character of ``word`` lies in some occurrence of one of ``parts``."""
    covered = [False] * len(word)
    for part in parts:
        start = word.find(part)
        while start >= 0:
            covered[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return all(covered)


def _indicator_units(indicator: str, concepts: Concepts) -> list[_Unit]:
    folded = fold(indicator)
    units: list[_Unit] = []
    seen: set[str] = set()
    for word in search_words(folded):
        if len(word) < 2 or word in concepts.stopwords or word in seen or not _HAN.search(word):
            continue
        if len(word) > 3 and _covered(word, seen):
            continue  # a compound counted through its parts (创新创业 = 创新 + 创业)
        seen.add(word)
        units.append(_Unit((word,)))
    for group in concepts.groups:
        if any(term in folded for term in group.terms):
            units.append(_Unit(group.terms))
    return units


def _bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for run in _HAN.findall(fold(text)):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram not in grams:
                grams.append(gram)
    return grams


def _first_hit(unit: _Unit, folded: str) -> tuple[int, int] | None:
    """Span of the earliest (then longest) term of ``unit`` found in ``folded``."""
    best: tuple[int, int] | None = None
    for term in unit.terms:
        pos = folded.find(term)
        if pos >= 0 and (best is None or pos < best[0] or (pos == best[0] and pos + len(term) > best[1])):
            best = (pos, pos + len(term))
    return best


def _specificity(df: int, n: int) -> float:
    """IDF of a unit found in ``df`` of ``n`` measures, scaled so df=1 → 1.0 and df=n → ~0 (n ≥ 3)."""
    if n <= 0:
        return 0.0
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    top = math.log(1 + (n - 0.5) / 1.5)
    return min(1.0, idf / top) if top > 0 else 1.0


def _confidences(measure: Measure, taxonomy: Taxonomy) -> dict[str, float]:
    if measure.category_confidence:
        return dict(measure.category_confidence)
    if measure.categories:
        return {name: 1.0 for name in measure.categories}
    return dict(taxonomy.rank(measure.text, measure.headline))


@dataclass(frozen=True)
class MeasureTexts:
    """What every target of a document is scored against, computed once per document (not per pair).

    ``grams`` maps each two-character piece of the folded measure texts to the measures holding it, so finding
    the measures that hold a term costs the measures that share its pieces, not all of them: linking stays
    linear in the document's length (a 620 KB plan of 2,000 measures and 2,000 targets took minutes).
    """

    texts: list[str]  # folded measure texts
    heads: list[str]  # folded headlines
    categories: list[dict[str, float]]  # category -> confidence, per measure
    grams: dict[str, frozenset[int]]
    found_cache: dict[tuple[str, ...], tuple[dict[int, tuple[int, int]], frozenset[int]]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def of(cls, measures: list[Measure], taxonomy: Taxonomy) -> MeasureTexts:
        texts = [fold(m.text) for m in measures]
        grams: dict[str, set[int]] = {}
        for j, text in enumerate(texts):
            for gram in {text[k : k + 2] for k in range(len(text) - 1)}:
                grams.setdefault(gram, set()).add(j)
        return cls(
            texts,
            [fold(m.headline) for m in measures],
            [_confidences(m, taxonomy) for m in measures],
            {g: frozenset(js) for g, js in grams.items()},
        )

    def holders(self, term: str) -> list[int]:
        """Indices of the measures whose folded text contains ``term`` (at least 2 characters), in order."""
        pieces = {term[k : k + 2] for k in range(len(term) - 1)}
        sets = sorted((self.grams.get(p, frozenset()) for p in pieces), key=len)
        if not sets or not sets[0]:
            return []
        candidates = set(sets[0]).intersection(*sets[1:])
        return sorted(j for j in candidates if term in self.texts[j])


def _found(unit: _Unit, prepared: MeasureTexts) -> tuple[dict[int, tuple[int, int]], frozenset[int]]:
    """For each measure holding a term of ``unit``: the span of its earliest (then longest) term; and the
    measures whose headline holds one. Computed once per unit and document (targets share their words)."""
    cached = prepared.found_cache.get(unit.terms)
    if cached is not None:
        return cached
    spans: dict[int, tuple[int, int]] = {}
    for term in unit.terms:
        for j in prepared.holders(term):
            pos = prepared.texts[j].find(term)
            best = spans.get(j)
            if best is None or pos < best[0] or (pos == best[0] and pos + len(term) > best[1]):
                spans[j] = (pos, pos + len(term))
    in_head = frozenset(j for j in spans if any(term in prepared.heads[j] for term in unit.terms))
    prepared.found_cache[unit.terms] = (spans, in_head)
    return spans, in_head


Hits = list[tuple[float, int, int]]


def _overlap(
    units: list[_Unit], prepared: MeasureTexts
) -> tuple[dict[int, float], dict[int, float], dict[int, Hits]]:
    """For each measure holding any unit: weighted share of the units found, share found in the headline, hits."""
    n = len(prepared.texts)
    found = [_found(u, prepared) for u in units]
    weights = [_specificity(len(spans), n) for spans, _ in found]
    available = sum(w for w, (spans, _) in zip(weights, found, strict=True) if spans)
    denominator = max(1.0, available)
    shares: dict[int, float] = {}
    head_shares: dict[int, float] = {}
    hits: dict[int, Hits] = {}
    for weight, (spans, in_head) in zip(weights, found, strict=True):
        if weight <= 0:
            continue
        share = weight / denominator
        for j, span in spans.items():
            shares[j] = shares.get(j, 0.0) + share
            hits.setdefault(j, []).append((weight, *span))
        for j in in_head:
            head_shares[j] = min(1.0, head_shares.get(j, 0.0) + share)
    return shares, head_shares, hits


def _evidence(measure: Measure, hits: Hits) -> list[str]:
    """Verbatim matched substrings of the measure text, most specific first, no one inside another."""
    spans = sorted(hits, key=lambda h: (-h[0], h[1]))
    words: list[str] = []
    for _, start, end in spans:
        word = measure.text[start:end]
        if any(word in w for w in words):
            continue
        words = [w for w in words if w not in word]
        words.append(word)
    return words


def _scores(
    target: Quantity, measures: list[Measure], taxonomy: Taxonomy, concepts: Concepts, prepared: MeasureTexts
) -> dict[int, tuple[float, Hits]]:
    """Content score (0..1) and the hits (for evidence) against every measure sharing anything with the target."""
    indicator = target.indicator or target.mention
    word_share, head_share, hits = _overlap(_indicator_units(indicator, concepts), prepared)
    bigram_share, _, _ = _overlap([_Unit((g,)) for g in _bigrams(indicator)], prepared)
    wanted = taxonomy.classify(indicator)
    primary = wanted[0] if wanted and wanted[0] != taxonomy.fallback else ""
    out: dict[int, tuple[float, list[str]]] = {}
    for j in sorted(word_share.keys() | bigram_share.keys()):
        score = (
            WORD_WEIGHT * word_share.get(j, 0.0)
            + BIGRAM_WEIGHT * bigram_share.get(j, 0.0)
            + HEADLINE_BONUS * head_share.get(j, 0.0)
        )
        if score > 0 and primary:
            # a measure mainly about the target's category gains the whole bonus, a side topic a share of it
            score += CATEGORY_BONUS * prepared.categories[j].get(primary, 0.0)
        out[j] = (round(min(1.0, score), 3), hits.get(j, []))
    return out


def score_target(
    target: Quantity,
    measures: list[Measure],
    taxonomy: Taxonomy,
    concepts: Concepts,
    prepared: MeasureTexts | None = None,
) -> list[tuple[float, list[str]]]:
    """Content score (0..1) and evidence of ``target`` against each measure, in measure order."""
    prepared = prepared or MeasureTexts.of(measures, taxonomy)
    sparse = _scores(target, measures, taxonomy, concepts, prepared)
    out: list[tuple[float, list[str]]] = []
    for j, measure in enumerate(measures):
        score, hits = sparse.get(j, (0.0, []))
        out.append((score, _evidence(measure, hits)))
    return out


# ---------------------------------------------------------------------------------------------- linking


class _Holders:
    """Which measure holds a mention: by span (bisect over measures sorted by start), else by clause ancestry."""

    def __init__(self, measures: list[Measure]) -> None:
        self.by_start = sorted((m for m in measures if m.span[1] > m.span[0]), key=lambda m: m.span[0])
        self.starts = [m.span[0] for m in self.by_start]
        self.longest = max((m.span[1] - m.span[0] for m in self.by_start), default=0)
        self.by_clause = {m.clause_id: m for m in measures if m.clause_id}

    def inside(self, target: Quantity) -> Measure | None:
        """The innermost measure holding the target's mention, else the one whose clause holds its clause."""
        start, end = target.mention_span
        if end > start:
            holders = []
            k = bisect.bisect_right(self.starts, start) - 1
            while k >= 0 and start - self.starts[k] <= self.longest:
                m = self.by_start[k]
                if end <= m.span[1]:
                    holders.append(m)
                k -= 1
            if holders:
                return min(holders, key=lambda m: (m.span[1] - m.span[0], m.ordinal))
        for clause_id in reversed(ids.ancestor_clause_ids(target.clause_id) if target.clause_id else []):
            if clause_id in self.by_clause:
                return self.by_clause[clause_id]
        return None


def link(
    measures: list[Measure],
    targets: list[Quantity],
    outline: list[Clause] | None = None,
    overrides: LinkOverrides | None = None,
    *,
    taxonomy: Taxonomy,
    concepts: Concepts,
) -> list[Link]:
    """Link the targets of one document to its measures; fills ``Measure.targets`` and ``Quantity.measure_ids``.

    Returns the links ordered by target (input order) then score (desc). Override rules about other
    documents are ignored; rejected links are dropped, confirmed ones get ``source="confirmed"``, 1.0.
    """
    prepared = MeasureTexts.of(measures, taxonomy)
    holders = _Holders(measures)

    links: list[Link] = []
    for target in targets:
        if target.is_result:
            continue  # a past result is not pursued by the plan's measures
        holder = holders.inside(target)
        if holder is not None:
            evidence = [target.mention] if target.mention else []
            links.append(Link(target.id, holder.id, 1.0, evidence, "inside"))
            continue
        scored = _scores(target, measures, taxonomy, concepts, prepared)
        ranked = sorted(((s, j, ev) for j, (s, ev) in scored.items()), key=lambda item: (-item[0], item[1]))
        best = ranked[0][0] if ranked else 0.0
        firm = [item for item in ranked if item[0] >= THRESHOLD and item[0] >= best - MARGIN][:MAX_LINKS]
        if not firm and ranked and best >= WEAK_THRESHOLD:
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            if runner_up <= best - LEAD:
                firm = ranked[:1]  # the one clear candidate: kept as a weak link
        for s, j, hits in firm:
            links.append(Link(target.id, measures[j].id, s, _evidence(measures[j], hits), "content"))

    if overrides is not None:
        links = _apply_overrides(links, overrides, measures, targets)
    return attach_links(links, measures, targets)


def attach_links(links: list[Link], measures: list[Measure], targets: list[Quantity]) -> list[Link]:
    """Order ``links`` (by target, then score) and fill ``Measure.targets`` and ``Quantity.measure_ids`` from them.

    ``link`` ends with it; a step that changes the links afterwards (staff curation) calls it again.
    """
    order = {t.id: i for i, t in enumerate(targets)}
    links.sort(key=lambda lk: (order.get(lk.target_id, len(order)), -lk.score))
    by_measure: dict[str, list[TargetRef]] = {m.id: [] for m in measures}
    by_target: dict[str, list[Link]] = {t.id: [] for t in targets}
    for lk in links:
        ref = TargetRef(lk.target_id, lk.score, list(lk.evidence), weak=is_weak(lk), source=lk.source)
        by_measure.setdefault(lk.measure_id, []).append(ref)
        by_target.setdefault(lk.target_id, []).append(lk)
    for m in measures:
        m.targets = sorted(by_measure[m.id], key=lambda r: -r.score)
    for t in targets:
        t.measure_ids = [lk.measure_id for lk in sorted(by_target[t.id], key=lambda lk: -lk.score)]
    return links


def _apply_overrides(
    links: list[Link], overrides: LinkOverrides, measures: list[Measure], targets: list[Quantity]
) -> list[Link]:
    rejected = {(t.id, m.id) for rule in overrides.reject for t, m in _rule_pairs(rule, measures, targets)}
    confirmed = [
        (t.id, m.id)
        for rule in overrides.confirm
        for t, m in _rule_pairs(rule, measures, targets)
        if (t.id, m.id) not in rejected
    ]
    kept = [lk for lk in links if (lk.target_id, lk.measure_id) not in rejected]
    existing = {(lk.target_id, lk.measure_id): lk for lk in kept}
    for pair in confirmed:
        old = existing.get(pair)
        if old is not None:
            old.score, old.source = 1.0, "confirmed"
        else:
            new = Link(pair[0], pair[1], 1.0, ["人工确认 confirmed in links.toml"], "confirmed")
            kept.append(new)
            existing[pair] = new
    return kept
