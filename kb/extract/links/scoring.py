"""Content scores of a target against a document's measures: the indicator's words and concept groups weighted
by their specificity, character bigrams, a headline bonus and a category bonus (``score_target``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from kb.extract.links.concepts import Concepts
from kb.extract.taxonomy import Taxonomy
from kb.model import Measure, Quantity
from kb.text.normalize import fold
from kb.text.segment import search_words

# Scoring weights (tuned on the seed plan; see tests/test_links.py).

WORD_WEIGHT = 0.5


BIGRAM_WEIGHT = 0.2


HEADLINE_BONUS = 0.15


CATEGORY_BONUS = 0.25


_HAN = re.compile(r"[\u3400-\u9fff]+")


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
            units.append(_Unit(group.sought))
    return units


def _bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for run in _HAN.findall(fold(text)):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram not in grams:
                grams.append(gram)
    return grams


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


def evidence_words(measure: Measure, hits: Hits) -> list[str]:
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


def content_scores(
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
    sparse = content_scores(target, measures, taxonomy, concepts, prepared)
    out: list[tuple[float, list[str]]] = []
    for j, measure in enumerate(measures):
        score, hits = sparse.get(j, (0.0, []))
        out.append((score, evidence_words(measure, hits)))
    return out
