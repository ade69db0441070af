"""Restricted evaluation (``kb.search.evaluate``, ``restrict=True``) is an optimisation only: an ``And``'s larger
children evaluated on its smaller ones' hits, an ``AndMaybe``'s bonus and an ``AndNot``'s exclusion on their base's
hits, must give the very result of evaluating every node over all hits — the same hits, every score equal bit for
bit (the same additions in the same order), the same page — on random posting lists and random query trees. The
test index's queries (judged, benchmark, syntax) are compared in ``tests/test_evaluate.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from whoosh import query as wq

from kb.search.evaluate import Evaluator, Scores, _union_count, intersect_sorted
from kb.search.term_scores import TermScores
from kb.search.whoosh.dismax import BestOf
from kb.search.whoosh.postings import AmountIndex
from kb.search.whoosh.ranges import AmountRange

SIZE = 8_000
FIELDS = ("title", "body", "bigrams")
WORDS = tuple(f"w{i}" for i in range(10))
# Posting list lengths: empty, rare, equal (ties in the sum order), and long enough for dense unions.
LENGTHS = (0, 1, 7, 40, 40, 300, 300, 1_500, 4_000, 7_000)


class _Arrays:
    """The attributes of ``IndexArrays`` the evaluator reads, over random postings."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.size = SIZE
        self.lengths = {f: rng.integers(1, 400, SIZE).astype(np.float32) for f in FIELDS}
        self.avg_length = {f: float(self.lengths[f].mean()) for f in FIELDS}
        self.live = rng.random(SIZE) > 0.05
        self.prior = rng.choice([0.8, 1.0, 1.3], SIZE)
        self.container = np.full(SIZE, -1, dtype=np.int64)
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        for field in FIELDS:
            for word in WORDS:
                n = int(rng.choice(LENGTHS))
                ids = np.sort(rng.choice(SIZE, n, replace=False)).astype(np.int64)
                self._postings[(field, word)] = (ids, rng.integers(1, 30, n).astype(np.float32))
        hits = rng.choice(SIZE, 900).astype(np.int64)
        self.term_scores: TermScores | None = None
        self._amounts = AmountIndex(
            ["元"], np.zeros(len(hits), np.int32), rng.integers(1, 100, len(hits)).astype(np.float64), hits
        )

    def postings(self, reader: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self._postings.get((fieldname, text), (np.zeros(0, np.int64), np.zeros(0, np.float32)))

    def amounts(self, reader: Any = None) -> AmountIndex:
        return self._amounts


class _Reader:
    def __init__(self, arrays: _Arrays) -> None:
        self.arrays = arrays

    def doc_frequency(self, fieldname: str, text: str) -> int:
        return len(self.arrays.postings(self, fieldname, text)[0])


class _Oracle(Evaluator):
    """Phrases held where a fixed function of the hit and the words says so; counts the hits checked."""

    checked_hits = 0

    def _check(self, state: Any, docs: np.ndarray) -> None:
        todo = intersect_sorted(docs, state.candidates)[0]
        todo = todo[~state.checked[todo]]
        if len(todo) == 0:
            return
        salt = sum(ord(c) for c in state.fieldname + "".join(state.words))
        held = todo[(todo * 7 + salt) % 3 != 0]
        self.checked_hits += len(todo)
        state.checked[todo] = True
        state.rejected[todo] = True
        state.rejected[held] = False


def _tree(rng: np.random.Generator, depth: int) -> Any:
    """A random query tree of the node types the evaluator implements (Verbatim aside: it reads stored text)."""
    kind = int(rng.integers(0, 9 if depth > 0 else 3))
    boost = float(rng.choice([1.0, 0.6, 2.0, 3.0]))
    if kind <= 1:
        return wq.Term(str(rng.choice(FIELDS)), str(rng.choice(WORDS)), boost=boost)
    if kind == 2:
        words = [str(w) for w in rng.choice(WORDS, int(rng.integers(2, 4)))]
        return wq.Phrase(str(rng.choice(FIELDS)), words, boost=boost)
    children = [_tree(rng, depth - 1) for _ in range(int(rng.integers(1, 6)))]
    if kind in (3, 4):
        return wq.And(children, boost=boost)
    if kind == 5:
        return BestOf(children, boost=boost, tie=float(rng.choice([0.0, 0.3])))
    if kind == 6:
        return wq.Or(children, boost=boost)
    if kind == 7:
        return wq.AndMaybe(wq.And(children), _tree(rng, depth - 1))
    if kind == 8 and rng.random() < 0.3:
        return AmountRange("amounts", "元", float(rng.integers(1, 50)), float(rng.integers(50, 100)))
    return wq.AndNot(wq.And(children), _tree(rng, depth - 1))


def _word_and(rng: np.random.Generator) -> Any:
    """The shape the query parser makes: an And of words, each the best of its fields, with an adjacency bonus."""
    words = [str(w) for w in rng.choice(WORDS, int(rng.integers(2, 6)))]
    fields = lambda w: [wq.Term(f, w, boost=float(b)) for f, b in zip(FIELDS, (3.0, 1.0, 0.6), strict=True)]  # noqa: E731
    base = wq.And([BestOf(fields(w), tie=0.3) for w in words])
    bonus = BestOf(
        [wq.Phrase(f, words[:2], boost=b) for f, b in zip(FIELDS, (3.0, 1.0, 0.6), strict=True)], tie=0.3
    )
    return wq.AndMaybe(base, bonus)


def _same(a: Scores, b: Scores) -> None:
    assert a.ids.tolist() == b.ids.tolist()
    assert a.score.tobytes() == b.score.tobytes()  # bit for bit


def _both(arrays: _Arrays, tree: Any, k: int = 10) -> tuple[_Oracle, _Oracle]:
    """The restricted evaluation (with the arrays' kept term scores, if any) against the unrestricted one
    (without): the same scores before any lazy phrase is checked, the same hits, scores and page after."""
    kept, arrays.term_scores = arrays.term_scores, None
    everything = _Oracle(arrays, _Reader(arrays), restrict=False)
    want = everything.evaluate(tree), everything.top(tree, arrays.live, arrays.prior, k)
    arrays.term_scores = kept
    restricted = _Oracle(arrays, _Reader(arrays), restrict=True)
    got = restricted.evaluate(tree), restricted.top(tree, arrays.live, arrays.prior, k)
    _same(got[0], want[0])  # phrases of a bonus still unchecked
    _same(got[1][0], want[1][0])
    assert got[1][1].tolist() == want[1][1].tolist()  # the page
    return restricted, everything


@pytest.mark.parametrize("seed", range(12))
def test_random_trees_score_the_same_restricted_or_not(seed: int) -> None:
    rng = np.random.default_rng(seed)
    arrays = _Arrays(rng)
    for _ in range(40):
        _both(arrays, _tree(rng, 3))


@pytest.mark.parametrize("seed", range(6))
def test_scores_kept_between_queries_are_the_scores(seed: int) -> None:
    # Whole posting lists scored by one query are kept (TermScores) and gathered by later ones, restricted or not.
    rng = np.random.default_rng(50 + seed)
    arrays = _Arrays(rng)
    arrays.term_scores = TermScores(5_000)  # the longest lists are never kept
    trees = [_tree(rng, 3) for _ in range(20)] + [_word_and(rng) for _ in range(10)]
    for tree in trees + trees:
        _both(arrays, tree)
    assert arrays.term_scores._cache.currsize > 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bm25_is_the_expression_it_replaces_bit_for_bit(dtype: type) -> None:
    # Evaluator._bm25 computes in place what this expression computes (PostgreSQL's lengths are float32,
    # Whoosh's float64).
    rng = np.random.default_rng(1)
    arrays = _Arrays(rng)
    arrays.lengths = {f: v.astype(dtype) for f, v in arrays.lengths.items()}
    evaluator = Evaluator(arrays, _Reader(arrays), B=0.75, K1=1.2)
    ids = np.arange(0, SIZE, 3, dtype=np.int64)
    weights = rng.integers(1, 30, len(ids)).astype(np.float32)
    arrays._postings[("body", WORDS[0])] = (ids, weights)
    B, K1 = 0.75, 1.2
    idf = math.log(arrays.size / (len(ids) + 1)) + 1
    tf = weights.astype(np.float64)
    norm = K1 * ((1 - B) + B * arrays.lengths["body"][ids] / arrays.avg_length["body"])
    expected = idf * (tf * (K1 + 1)) / (tf + norm)
    assert evaluator._bm25("body", WORDS[0], ids, weights).score.tobytes() == expected.tobytes()


@pytest.mark.parametrize("seed", range(6))
def test_word_ands_score_the_same_and_check_phrases_only_on_their_base(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    arrays = _Arrays(rng)
    for _ in range(30):
        tree = _word_and(rng)
        restricted, everything = _both(arrays, tree)
        assert restricted.checked_hits <= everything.checked_hits


def test_a_required_phrase_is_checked_only_on_the_hits_of_the_rest_of_its_and() -> None:
    rng = np.random.default_rng(7)
    arrays = _Arrays(rng)
    arrays._postings[("body", "rare")] = (np.arange(0, SIZE, 400, dtype=np.int64), np.ones(20, np.float32))
    everywhere = np.arange(0, SIZE, 2, dtype=np.int64)
    for word in ("x", "y"):
        arrays._postings[("body", word)] = (everywhere, np.ones(len(everywhere), np.float32))
    tree = wq.And([wq.Term("body", "rare"), wq.Phrase("body", ["x", "y"])])
    restricted, everything = _both(arrays, tree)
    assert everything.checked_hits == len(everywhere)
    assert restricted.checked_hits == 20


def test_a_best_of_keeps_its_formula_when_the_restriction_leaves_one_child() -> None:
    # Within the hits of "a" only the body list matches; unrestricted, "b" has the title list too, so a hit of
    # body alone is scored (1 − tie) · s + tie · s there, which need not be s.
    rng = np.random.default_rng(3)
    arrays = _Arrays(rng)
    arrays._postings[("body", "a")] = (np.arange(0, 4_000, dtype=np.int64), np.ones(4_000, np.float32))
    arrays._postings[("body", "b")] = (
        np.arange(0, SIZE, dtype=np.int64),
        rng.integers(1, 9, SIZE).astype(np.float32),
    )
    arrays._postings[("title", "b")] = (np.arange(6_000, 6_100, dtype=np.int64), np.ones(100, np.float32))
    best = BestOf([wq.Term("title", "b", boost=3.0), wq.Term("body", "b")], tie=0.3)
    _both(arrays, wq.And([wq.Term("body", "a"), best]))


@pytest.mark.parametrize("lengths", [(0,), (5,), (3, 4_000), (2_000, 1_500, 30), (10, 20, 30)])
def test_a_union_is_counted_like_numpys(lengths: tuple[int, ...]) -> None:
    rng = np.random.default_rng(sum(lengths))
    lists = [np.sort(rng.choice(SIZE, n, replace=False)).astype(np.int64) for n in lengths]
    expected = len(np.unique(np.concatenate(lists))) if lists else 0
    assert _union_count(lists, SIZE) == expected
