"""``BestOf``: a word's alternatives (fields × written forms), scored by the best one plus ``tie`` × the others.

``score = (1 − tie) · max + tie · sum`` over the matching children (Lucene's "dis_max" with a tie breaker).
``kb.search.query._best_of`` builds it; ``kb.search.evaluate`` answers it over arrays in one pass, and this Whoosh
implementation (``tie`` × an ``Or`` plus (1 − ``tie``) × the best child) is the reference it is tested against
(``tests/test_evaluate.py``).

whoosh-reloaded 2.7.5's own ``DisjunctionMaxMatcher.score`` returns the larger of its two children's *current*
scores even when they sit on different documents, so a hit matched by one child got the other child's score of some
later hit; ``BestMatcher`` scores the child on the current document (the larger one when both are there), and never
prunes (every match is scored, as the evaluator does).
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.matching import DisjunctionMaxMatcher, WrappingMatcher
from whoosh.query import DisjunctionMax, Or


class BestMatcher(DisjunctionMaxMatcher):
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

    def replace(self, minquality: float = 0) -> Any:
        a, b = self.a, self.b
        if not a.is_active() and not b.is_active():
            return matching.NullMatcher()
        if not a.is_active():
            return b.replace(minquality)
        if not b.is_active():
            return a.replace(minquality)
        return self


class _Best(DisjunctionMax):
    """The best matching child's score (Whoosh's DisjunctionMax, scored right)."""

    def _matcher(self, subs: list[Any], searcher: Any, context: Any) -> Any:
        return self._tree_matcher(subs, BestMatcher, searcher, context, None)


class BestOf(DisjunctionMax):
    """Any child matches; ``(1 − tie) · best + tie · sum`` of the matching children's scores, times the boost."""

    def __init__(self, subqueries: list[Any], boost: float = 1.0, tie: float = 0.0) -> None:
        super().__init__(list(subqueries), boost=boost, tiebreak=0.0)
        self.tie = float(tie)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, BestOf) and self.tie == other.tie

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(self.tie)

    def __repr__(self) -> str:
        return f"BestOf({self.subqueries!r}, tie={self.tie})"

    def apply(self, fn: Any) -> Any:
        return BestOf([fn(q) for q in self.subqueries], boost=self.boost, tie=self.tie)

    def normalize(self) -> Any:
        return BestOf([q.normalize() for q in self.subqueries], boost=self.boost, tie=self.tie)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        subs = list(self.subqueries)
        if self.tie > 0.0:
            inner: Any = Or([Or(subs, boost=self.tie), _Best(subs, boost=1.0 - self.tie)])
        else:
            inner = _Best(subs)
        m = inner.matcher(searcher, context)
        return WrappingMatcher(m, self.boost) if self.boost != 1.0 else m
