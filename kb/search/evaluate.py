"""A parsed query → the BM25F score of every hit at once (numpy), as Whoosh's matchers would score it.

``kb.search.query`` builds Whoosh query trees; Whoosh evaluates them one posting at a time in Python. This
module evaluates the same trees over whole arrays (``kb.search.whoosh.postings.IndexArrays``), node by node:

* ``Term(field, text, boost)``: BM25F with Whoosh's idf (``log(N / (df + 1)) + 1``), its average
  field length and its lossy per-document field lengths, times the boost;
* ``And``: every child matches, the score is their sum; ``Or``: any child matches, the sum of the
  matching children; ``BestOf`` (``kb.search.whoosh.dismax``): any child matches, ``(1 − tie) · best + tie · sum`` of the matching children; ``AndMaybe(a, b)``: a's hits, scored a + b; ``AndNot(a, b)``: a's hits
  without b's, scored a; a compound's boost multiplies its score;
* ``Phrase(field, words)``: the ``And`` of its words where they are consecutive in the field
  (Whoosh scores a phrase as the sum of its words' scores, not by phrase frequency).

Positions are the expensive part of a phrase. A phrase that decides which hits match (a quoted
phrase, a word the field cuts in two) is checked for every candidate. A phrase that only adds
score — the optional side of ``AndMaybe``, i.e. the adjacency bonus of ``kb.search.query`` — is first
assumed to hold (an upper bound of the score), and ``top()`` checks it only for the hits that reach
the requested page, re-ranking until every hit on the page has its exact score: the page is the
same as with every phrase checked. ``tests/test_evaluate.py`` compares scores with Whoosh's.

``Verbatim`` (a piece matched as written through a bigram field, ``kb.search.query``): the hits of its bigram ``And``
whose stored source text holds the piece (``verbatim_key``), each proven by the piece's word-field phrase (``sure``)
or, for the rest only, by reading the stored text. Exact, like a phrase that decides the match.

``AmountRange`` (a quantity within a range, ``kb.search.whoosh.ranges``): the hits holding such a quantity,
each scoring the node's boost, from ``IndexArrays.amounts`` (every quantity of the index as arrays).

``Or(scale=...)`` (the fallback query for "no hit has every word") gets Whoosh's coordination bonus
counted per word (``_coordinate``). Anything else (other query types, ``minmatch``) raises
``Unsupported``; ``kb.search.engine`` then lets Whoosh run that query.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from kb.search.query import Verbatim
from kb.search.ranking import cap_by_container
from kb.search.whoosh.dismax import BestOf
from kb.search.whoosh.postings import IndexArrays, phrase_docs
from kb.search.whoosh.ranges import AmountRange


class Unsupported(Exception):
    """The query holds a node this evaluator does not implement."""


@dataclass
class Scores:
    """The matching hits of a node: sorted unique document numbers and their scores."""

    ids: np.ndarray  # int64, sorted, unique
    score: np.ndarray  # float64, aligned with ids


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclass
class _PhraseState:
    fieldname: str
    words: tuple[str, ...]
    candidates: np.ndarray  # sorted document numbers holding all the words (the phrase may hold)
    checked: np.ndarray  # bool per document: positions looked at
    rejected: np.ndarray  # bool per document: looked at, words not consecutive


class Evaluator:
    """Evaluates one query (and its lazy phrases) against one ``IndexArrays``."""

    def __init__(self, arrays: IndexArrays, reader: Any, *, B: float = 0.75, K1: float = 1.2) -> None:
        self.arrays = arrays
        self.reader = reader  # the calling thread's own reader (Whoosh readers are not thread-safe)
        self.B = B
        self.K1 = K1
        self._terms: dict[tuple[str, str], Scores] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], _PhraseState] = {}
        self._lazy: set[tuple[str, tuple[str, ...]]] = set()
        self._memo: dict[int, Scores] = {}  # nodes whose score no lazy phrase can change

    # -- nodes --------------------------------------------------------------------------------

    def evaluate(self, node: Any, *, optional: bool = False) -> Scores:
        """Scores of ``node``; phrases under ``optional`` are upper bounds until checked (``top``)."""
        return self._evaluate(node, optional)[0]

    def _evaluate(self, node: Any, optional: bool) -> tuple[Scores, bool]:
        """(scores, whether they may still change as lazy phrases get checked)."""
        memo = self._memo.get(id(node))
        if memo is not None:
            return memo, False
        scores, volatile = self._node(node, optional)
        if node.boost != 1.0:
            scores = Scores(scores.ids, scores.score * node.boost)
        if not volatile:
            self._memo[id(node)] = scores
        return scores, volatile

    def _node(self, node: Any, optional: bool) -> tuple[Scores, bool]:
        if isinstance(node, wq.Term):
            return self._term(node.fieldname, node.text), False
        if isinstance(node, AmountRange):
            ids = self.arrays.amounts(self.reader).docs(
                node.family, node.low, node.high, node.low_inclusive, node.high_inclusive
            )
            return Scores(ids, np.ones(len(ids), dtype=np.float64)), False
        if isinstance(node, wq.Phrase):
            if node.slop != 1:
                raise Unsupported(f"phrase slop {node.slop}")
            return self._phrase(node.fieldname, tuple(node.words), optional), optional
        if isinstance(node, Verbatim):
            return self._verbatim(node), False
        if isinstance(node, wq.AndMaybe):
            a, va = self._evaluate(node.a, optional)
            b, vb = self._evaluate(node.b, True)
            return _add_where(a, b), va or vb
        if isinstance(node, wq.AndNot):
            a, va = self._evaluate(node.a, optional)
            b, _ = self._evaluate(node.b, False)  # an exclusion must be exact
            keep = ~contains_sorted(b.ids, a.ids)
            return Scores(a.ids[keep], a.score[keep]), va
        if type(node) is wq.And:
            parts = [self._evaluate(child, optional) for child in node.subqueries]
            return _intersect([p for p, _ in parts]), any(v for _, v in parts)
        if isinstance(node, BestOf):
            parts = [self._evaluate(child, optional) for child in node.subqueries]
            return _best_union([p for p, _ in parts], self.arrays.size, node.tie), any(v for _, v in parts)
        if type(node) is wq.Or:
            if node.minmatch:
                raise Unsupported("Or with a minimum match")
            parts = [self._evaluate(child, optional) for child in node.subqueries]
            union = _union([p for p, _ in parts], self.arrays.size)
            if node.scale is not None:
                union = _coordinate(union, [p for p, _ in parts], node.scale)
            return union, any(v for _, v in parts)
        raise Unsupported(type(node).__name__)

    def _term(self, fieldname: str, text: str) -> Scores:
        key = (fieldname, text)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        arrays = self.arrays
        ids, weights = arrays.postings(self.reader, fieldname, text)
        if len(ids):
            idf = math.log(arrays.size / (self.reader.doc_frequency(fieldname, text) + 1)) + 1
            tf = weights.astype(np.float64)
            lengths = arrays.lengths[fieldname][ids]
            norm = self.K1 * ((1 - self.B) + self.B * lengths / arrays.avg_length[fieldname])
            out = Scores(ids, idf * (tf * (self.K1 + 1)) / (tf + norm))
        else:
            out = Scores(_NO_IDS, _NO_SCORES)
        self._terms[key] = out
        return out

    def _verbatim(self, node: Verbatim) -> Scores:
        """The hits of the node's bigram And whose stored source text holds the piece as written."""
        parts = [self._evaluate(child, False)[0] for child in node.subqueries]
        found = _intersect(parts)
        if len(found.ids) == 0:
            return found
        keep = np.zeros(len(found.ids), dtype=bool)
        if node.sure is not None:
            sure = self._evaluate(node.sure, False)[0]
            keep = contains_sorted(sure.ids, found.ids)
        todo = np.flatnonzero(~keep)
        for i, stored in zip(todo, self._stored_fields(found.ids[todo]), strict=True):
            keep[i] = node.holds(stored)
        return Scores(found.ids[keep], found.score[keep])

    def _stored_fields(self, hits: np.ndarray) -> Iterator[Mapping[str, Any]]:
        """The stored fields of each of ``hits``, in order (a backend may read them in one go)."""
        for hit in hits:
            yield self.reader.stored_fields(int(hit))

    def _phrase(self, fieldname: str, words: tuple[str, ...], optional: bool) -> Scores:
        words_scores = _intersect([self._term(fieldname, w) for w in words])
        key = (fieldname, words)
        state = self._phrases.get(key)
        if state is None:
            size = self.arrays.size
            state = _PhraseState(
                fieldname, words, words_scores.ids, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
            )
            self._phrases[key] = state
        if optional:
            self._lazy.add(key)
        else:
            self._check(state, state.candidates)
        keep = ~state.rejected[words_scores.ids]
        return Scores(words_scores.ids[keep], words_scores.score[keep])

    def _check(self, state: _PhraseState, docs: np.ndarray) -> None:
        """Look at the positions of the phrase in ``docs`` (sorted document numbers) not looked at yet."""
        todo = intersect_sorted(docs, state.candidates)[0]
        todo = todo[~state.checked[todo]]
        if len(todo) == 0:
            return
        held = phrase_docs(self.reader, state.fieldname, state.words, todo)
        state.checked[todo] = True
        state.rejected[todo] = True
        state.rejected[held] = False

    # -- the page -----------------------------------------------------------------------------

    def top(
        self,
        query: Any,
        allowed: np.ndarray,
        prior: np.ndarray,
        k: int,
        *,
        keys: np.ndarray | None = None,
        cap: bool = False,
    ) -> tuple[Scores, np.ndarray]:
        """(every allowed hit with its final score (× prior), the best ``k`` of them, best first), exact.

        With ``cap`` a hit never ranks above the measure it sits in when both are allowed matches
        (``kb.search.ranking.cap_by_container`` over ``IndexArrays.container``): the containers of the best
        candidates are looked up, then they are ranked again, until every hit of the page has its own looked up
        (a cap only ever lowers a score, so a hit whose measure lies below the page falls below it too).

        With ``keys`` (one per hit, e.g. its date) the page is ordered by key first, highest first, and by score
        among equal keys. Lazy phrases are checked for the best candidates, then the query is scored again,
        until every hit of the page has been checked (checking only ever lowers a score).
        """
        window = max(2 * k, 20)
        while True:
            scores = self.evaluate(query)
            keep = allowed[scores.ids]
            ids = scores.ids[keep]
            uncapped = scores.score[keep] * prior[ids]
            while True:  # look up the containers of the best candidates until the page has all of its own
                final = cap_by_container(ids, uncapped, self.arrays.container) if cap else uncapped
                order = top_k(ids, final, window) if keys is None else top_k_by(ids, keys[ids], final, window)
                best = ids[order]
                if not (cap and self.arrays.resolve_containers(self.reader, best)):
                    break
            sorted_best = np.sort(best)
            pending = [
                state
                for key, state in self._phrases.items()
                if key in self._lazy
                and np.any(~state.checked[intersect_sorted(sorted_best, state.candidates)[0]])
            ]
            if not pending:
                return Scores(ids, final), order[:k]
            for state in pending:
                self._check(state, sorted_best)


def _intersect(parts: list[Scores]) -> Scores:
    """Hits of every part, scored by the sum."""
    if not parts:
        return Scores(_NO_IDS, _NO_SCORES)
    parts = sorted(parts, key=lambda p: len(p.ids))
    ids, score = parts[0].ids, parts[0].score
    for part in parts[1:]:
        if len(ids) == 0:
            break
        ids, left, right = intersect_sorted(ids, part.ids)
        score = score[left] + part.score[right]
    return Scores(ids, score)


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.intersect1d(a, b, assume_unique=True, return_indices=True)`` of sorted unique hit numbers, without its
    sort of both arrays: a short list is looked up in the long one (binary search), two lists of like length are
    marked over the hit numbers (each list once). (The common hits, their positions in ``a``, in ``b``.)"""
    if len(a) == 0 or len(b) == 0:
        return _NO_IDS, _NO_IDS, _NO_IDS
    if len(a) * 4 < len(b) or len(b) * 4 < len(a):
        small, big = (a, b) if len(a) <= len(b) else (b, a)
        pos = np.searchsorted(big, small)
        pos[pos == len(big)] = len(big) - 1
        in_small = np.flatnonzero(big[pos] == small)
        in_big = pos[in_small]
        left, right = (in_small, in_big) if small is a else (in_big, in_small)
        return a[left], left, right
    size = int(max(a[-1], b[-1])) + 1
    left = np.flatnonzero(_marks(b, size)[a])
    right = np.flatnonzero(_marks(a, size)[b])
    return a[left], left, right


def contains_sorted(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """For each of ``a`` (sorted unique hit numbers), whether ``b`` (sorted unique) holds it: ``np.isin(a, b)``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a), dtype=bool)
    if len(a) * 4 < len(b):  # a few looked up in a long list
        pos = np.searchsorted(b, a)
        pos[pos == len(b)] = len(b) - 1
        return b[pos] == a
    return _marks(b, int(max(a[-1], b[-1])) + 1)[a]


def _marks(ids: np.ndarray, size: int) -> np.ndarray:
    marks = np.zeros(size, dtype=bool)
    marks[ids] = True
    return marks


def _union(parts: list[Scores], size: int = 0) -> Scores:
    """Hits of any part, scored by the sum of the parts that match.

    Large unions (a frequent bigram inside words or across two, a word in five fields) are summed into a dense
    array over all ``size`` hits: linear, where sorting the concatenated ids is n log n. Small ones are merged.
    """
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Scores(_NO_IDS, _NO_SCORES)
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        big, small = sorted(parts, key=lambda p: -len(p.ids))
        if len(small.ids) * 16 < len(big.ids):  # a bigram inside words with its rare form across two
            return _merge_small(big, small)
    total = sum(len(p.ids) for p in parts)
    if size and total * 8 > size:
        dense = np.zeros(size, dtype=np.float64)
        present = np.zeros(size, dtype=bool)
        dense[parts[0].ids] = parts[0].score
        present[parts[0].ids] = True
        for p in parts[1:]:  # ids are unique within a part
            dense[p.ids] += p.score
            present[p.ids] = True
        ids = np.flatnonzero(present)
        return Scores(ids, dense[ids])
    all_ids = np.concatenate([p.ids for p in parts])
    ids, inverse = np.unique(all_ids, return_inverse=True)
    score = np.bincount(inverse, weights=np.concatenate([p.score for p in parts]), minlength=len(ids))
    return Scores(ids, score)


def _best_union(parts: list[Scores], size: int, tie: float) -> Scores:
    """Hits of any part, scored ``(1 − tie) · best + tie · sum`` of the parts that match (``BestOf``), in one pass."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Scores(_NO_IDS, _NO_SCORES)
    if len(parts) == 1:
        return parts[0]
    total = sum(len(p.ids) for p in parts)
    if size and total * 8 > size:
        best = np.zeros(size, dtype=np.float64)
        summed = np.zeros(size, dtype=np.float64) if tie else best
        present = np.zeros(size, dtype=bool)  # (a scan of it is 8 times shorter than one of the scores)
        best[parts[0].ids] = parts[0].score
        summed[parts[0].ids] = parts[0].score
        present[parts[0].ids] = True
        for p in parts[1:]:  # ids are unique within a part
            best[p.ids] = np.maximum(best[p.ids], p.score)
            if tie:
                summed[p.ids] += p.score
            present[p.ids] = True
        ids = np.flatnonzero(present)
        return Scores(ids, (1.0 - tie) * best[ids] + tie * summed[ids])
    all_ids = np.concatenate([p.ids for p in parts])
    all_scores = np.concatenate([p.score for p in parts])
    ids, inverse = np.unique(all_ids, return_inverse=True)
    top = np.zeros(len(ids))
    np.maximum.at(top, inverse, all_scores)
    if not tie:
        return Scores(ids, top)
    return Scores(ids, (1.0 - tie) * top + tie * np.bincount(inverse, weights=all_scores, minlength=len(ids)))


def _merge_small(big: Scores, small: Scores) -> Scores:
    """The union of a long and a short posting list in time linear in the long one (no sort)."""
    pos = np.searchsorted(big.ids, small.ids)
    inside = pos < len(big.ids)
    inside[inside] = big.ids[pos[inside]] == small.ids[inside]
    score = big.score.copy()
    score[pos[inside]] += small.score[inside]
    if inside.all():
        return Scores(big.ids, score)
    new = ~inside
    return Scores(np.insert(big.ids, pos[new], small.ids[new]), np.insert(score, pos[new], small.score[new]))


def _coordinate(union: Scores, parts: list[Scores], scale: float) -> Scores:
    """Whoosh's coordination bonus (``CoordMatcher``'s "SQR" of V-Twin), counted per child, not per term.

    A hit matching m of the n children scores ``(score + (m - 1) / (n - scale)²) · (n - 1) / n``. Whoosh
    counts the term matchers of its tree instead (fields × synonyms × bigrams, differently per segment);
    counting the children (the words of the fallback query) gives the bonus the meaning it is used for.
    """
    n = len(parts)
    if n == 0 or n == scale or len(union.ids) == 0:
        return Scores(union.ids, np.zeros(len(union.ids)))
    all_ids = np.concatenate([p.ids for p in parts if len(p.ids)])
    ids, matching = np.unique(all_ids, return_counts=True)  # the same sorted ids as the union's
    return Scores(ids, (union.score + (matching - 1) / (n - scale) ** 2) * ((n - 1) / n))


def _add_where(a: Scores, b: Scores) -> Scores:
    """a's hits, with b's score added where b matches too."""
    if len(b.ids) == 0 or len(a.ids) == 0:
        return a
    _, left, right = intersect_sorted(a.ids, b.ids)
    score = a.score.copy()
    score[left] += b.score[right]
    return Scores(a.ids, score)


def top_k_by(ids: np.ndarray, keys: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best hits by ``keys`` (highest first), then ``values``, then document number."""
    positions = np.arange(len(ids))
    if len(ids) > k:
        threshold = np.partition(keys, len(keys) - k)[len(keys) - k]
        above = positions[keys > threshold]
        ties = positions[keys == threshold]
        need = k - len(above)
        if len(ties) > need:
            ties = ties[top_k(ids[ties], values[ties], need)]
        positions = np.concatenate([above, ties])
    return positions[np.lexsort((ids[positions], -values[positions], -keys[positions]))]


def top_k(ids: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest ``values`` (ids sorted): by value, then by document number."""
    positions = np.arange(len(ids))
    if len(ids) > k:
        threshold = np.partition(values, len(values) - k)[len(values) - k]
        above = positions[values > threshold]
        ties = positions[values == threshold][: k - len(above)]
        positions = np.concatenate([above, ties])
    return positions[np.lexsort((ids[positions], -values[positions]))]
