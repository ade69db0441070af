"""``BestOf``: Whoosh's ``DisjunctionMax`` (the best matching child scores) with a matcher that scores it right.

whoosh-reloaded 2.7.5's ``DisjunctionMaxMatcher.score`` returns the larger of its two children's *current* scores
even when they sit on different documents, so a hit matched by one child got the other child's score of some later
hit. ``BestOfMatcher`` scores like ``UnionMatcher`` picks: the child on the current document, or the larger of the
two when both are there. ``kb.search.query._best_of`` builds these nodes; ``kb.search.evaluate`` answers them over
arrays, and this Whoosh implementation is the reference it is tested against (``tests/test_evaluate.py``).
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.matching import DisjunctionMaxMatcher
from whoosh.query import DisjunctionMax


class BestOfMatcher(DisjunctionMaxMatcher):
    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return float(b.score())
        if not b.is_active():
            return float(a.score())
        id_a, id_b = a.id(), b.id()
        if id_a < id_b:
            return float(a.score())
        if id_b < id_a:
            return float(b.score())
        return float(max(a.score(), b.score()))

    def replace(
        self, minquality: float = 0
    ) -> Any:  # never prune: every match is scored (as the evaluator does)
        a, b = self.a, self.b
        if not a.is_active() and not b.is_active():
            return matching.NullMatcher()
        if not a.is_active():
            return b.replace(minquality)
        if not b.is_active():
            return a.replace(minquality)
        return self


class BestOf(DisjunctionMax):
    """Any child matches; the best matching child's score (no tie breaker: ``_best_of`` adds the tie as a sum)."""

    def __init__(self, subqueries: list[Any], boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost, tiebreak=0.0)

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        return self._tree_matcher(subs, BestOfMatcher, searcher, context, None)
