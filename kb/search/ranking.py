"""Ranking: BM25F plus a small prior by type of hit, so a measure outranks its own target or clause.

The index holds one hit per document, clause, measure, target and result (kb.search.schema). A target repeats the
sentence of its measure and a clause heading is often as short as a measure headline, so for an
equally relevant text BM25F alone may put a target (short body, high length-normalised score) above the
measure an official is looking for. The prior multiplies the whole BM25F score of a hit, so it only
reorders hits whose relevance is close: a clearly better match of another kind still wins.

``TYPE_PRIOR`` is applied in two places that must agree: ``kb.search.whoosh.postings.IndexArrays.prior`` (one factor
per indexed hit, used by the numpy evaluator that answers searches) and ``TypePriorBM25F.final`` below
(for a query node the evaluator does not implement, which Whoosh then runs itself; and as the
reference the evaluator is tested against).
``tests/test_evaluate.py`` checks that both give the same scores.

The cap by clause path (``cap_by_container``, issue 25) is the principled form of "a measure outranks its own target":
a target or clause never ranks above the measure it sits in when both match. It applies to the final scores of the
matching hits (after the prior), in ``kb.search.evaluate.Evaluator.top``; another backend applies it the same way to
its candidates (it only lowers scores, so the top k after the cap are among the top k + the capped hits before it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh import scoring

# Multiplier per type of hit. Measures are what officials look for. A document whose title holds
# the query (乡村振兴, 无废城市, 药品集中采购) is the best answer to a topic word, above the measures that
# repeat the word in their headlines. Targets repeat their measure's sentence in a much shorter
# text (5000万元 and 双师型 must find the measure first); clauses are the (often structural) rest, e.g. the
# one-line indicator headings of an appendix, and every article of a law. Tuned on
# tests/judged_queries.toml (bench/quality.py). 2026-11-29: clause 0.6 put the measure first for 科技金融,
# 星创天地, 职教 and 扶贫 -消费 against short law articles. 2026-12-02, after the extraction work made the
# knowledge base 30 % larger (more measures and targets per plan), target 0.75 → 0.6 and document 1.1 → 1.2:
# whole corpus pass / success@1 / MRR / nDCG@10 .786/.554/.746/.771 → .839/.643/.791/.804, test index
# .982/.893/.942 → 1.000/.929/.964; the neighbours (target 0.55–0.65, document 1.15–1.25) score alike.
# Results (what a review reports) are found like targets, never above them: 0.5.
# 2026-12-07 (issue 25), with the cap by clause path and a word's fields as "best of" (kb.search.query.FIELD_TIE
# 0.3, which no longer counts a document's title four times over): document 1.2 → 1.4, tuned on the dev split only;
# mean MRR of the test index and the whole corpus .876 → .899 (1.3 .889, 1.5 .898); with every field summed
# (FIELD_TIE 1.0) 1.4 gives .882. Raising target to 0.8/1.0 now that the cap keeps a target below its own measure
# lost .01–.03 (targets outside measures, in 主要目标 sections, and results still need the prior).
TYPE_PRIOR: dict[str, float] = {"measure": 1.0, "document": 1.4, "target": 0.6, "result": 0.5, "clause": 0.6}

# The types of hit that may sit inside a measure (``cap_by_container``; ``kb.ids.enclosing_measure_ids``).
CONTAINED_TYPES = ("target", "result", "clause")

_ATTR = "_policykb_type_prior"


def _priors(searcher: Any) -> list[float]:
    """The prior of every document number of ``searcher`` (computed once per searcher)."""
    cached = getattr(searcher, _ATTR, None)
    if cached is not None:
        return cached
    priors = [1.0] * searcher.doc_count_all()
    for hit_type, prior in TYPE_PRIOR.items():
        if prior == 1.0:
            continue
        for docnum in searcher.docs_for_query(wq.Term("type", hit_type)):
            priors[docnum] = prior
    setattr(searcher, _ATTR, priors)
    return priors


class TypePriorBM25F(scoring.BM25F):
    """BM25F whose final score is multiplied by the hit type's prior (``TYPE_PRIOR``)."""

    use_final = True

    def final(self, searcher: Any, docnum: int, score: float) -> float:
        priors = _priors(searcher)
        return score * priors[docnum] if docnum < len(priors) else score


def cap_by_container(ids: np.ndarray, scores: np.ndarray, container: np.ndarray) -> np.ndarray:
    """A hit never ranks above the measure it sits in (issue 25): ``scores`` (aligned with ``ids``, sorted unique
    hit numbers) with every hit whose container (``container[hit]``: the hit number of the measure that holds it,
    -1 for none; ``kb.ids.enclosing_measure_ids``) is also among ``ids`` lowered to just below the container's
    score. A target repeats its measure's sentence in a far shorter text, so BM25F alone often puts it first;
    the cap keeps the target listed (it matched) right after its measure, and leaves hits whose measure did not
    match, or was filtered out, as they are. Scores are only ever lowered; returns a new array."""
    out = np.array(scores, dtype=np.float64, copy=True)
    if len(ids) == 0:
        return out
    parent = container[ids]
    inside = np.flatnonzero(parent >= 0)
    if len(inside) == 0:
        return out
    pos = np.searchsorted(ids, parent[inside])
    found = pos < len(ids)
    found[found] = ids[pos[found]] == parent[inside][found]
    child, pos = inside[found], pos[found]
    out[child] = np.minimum(out[child], np.nextafter(out[pos], -np.inf))
    return out


def weighting() -> scoring.WeightingModel:
    """The weighting model of every search searcher."""
    return TypePriorBM25F()
