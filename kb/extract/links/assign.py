"""Which links a target keeps: the measure holding its mention, else its firm content links, else one clear
weak candidate (``link``); ``attach_links`` fills the items from the links."""

from __future__ import annotations

import bisect

from kb import ids
from kb.extract.links.concepts import Concepts
from kb.extract.links.overrides import LinkOverrides, apply_overrides
from kb.extract.links.scoring import MeasureTexts, content_scores, evidence_words
from kb.extract.taxonomy import Taxonomy
from kb.model import Clause, Link, Measure, Quantity, TargetRef

# Link thresholds (tuned on the dev split of the gold set, bench/extraction.py; see tests/test_links.py).
# THRESHOLD is the lowest on a 0.05 grid whose firm links keep the precision (≥ 0.80) on the dev split:
# 0.50 gives 0.812 / 0.635 (0.45: 0.797 / 0.642; 0.55: 0.838 / 0.621).
THRESHOLD = 0.5


# A target's one clear candidate below THRESHOLD: at least WEAK_THRESHOLD and LEAD above every other measure.
# With THRESHOLD at 0.5 such candidates were right less often than not on the dev split at every WEAK_THRESHOLD
# tried (0.35–0.45 with LEAD 0.05–0.1: 0.43–0.47), so the weak band is empty: WEAK_THRESHOLD = THRESHOLD and no
# content link is weak. The band, its 弱关联 label and its explanation stay for a bureau that raises THRESHOLD.
WEAK_THRESHOLD = THRESHOLD


LEAD = 0.1


WEAK_PRECISION = (
    0.67  # measured precision of the weak band 0.5–0.55 under the 0.55 threshold (dev split: 2 of 3)
)


def is_weak(link: Link) -> bool:
    """A content link below the firm threshold (``THRESHOLD``): shown as 弱关联."""
    return link.source == "content" and link.score < THRESHOLD


MARGIN = 0.2  # a kept link scores at most this much below the target's best link


MAX_LINKS = 2  # content links kept per target


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
        scored = content_scores(target, measures, taxonomy, concepts, prepared)
        ranked = sorted(((s, j, ev) for j, (s, ev) in scored.items()), key=lambda item: (-item[0], item[1]))
        best = ranked[0][0] if ranked else 0.0
        firm = [item for item in ranked if item[0] >= THRESHOLD and item[0] >= best - MARGIN][:MAX_LINKS]
        if not firm and ranked and best >= WEAK_THRESHOLD:
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            if runner_up <= best - LEAD:
                firm = ranked[:1]  # the one clear candidate: kept as a weak link
        for s, j, hits in firm:
            links.append(Link(target.id, measures[j].id, s, evidence_words(measures[j], hits), "content"))

    if overrides is not None:
        links = apply_overrides(links, overrides, measures, targets)
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
