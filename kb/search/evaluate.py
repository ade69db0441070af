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

*Restricted evaluation* (``restrict=True``, the default): an ``And``'s children are evaluated one after the other,
the one with the fewest possible hits first, each of the others only on the hits the previous ones left (its posting
lists cut to those hits before any union or score); an ``AndMaybe``'s bonus and an ``AndNot``'s exclusion only on
the hits of its base. A node evaluated within some hits gives each of them the very score it has unrestricted (the
same float operations on the same values), and the sums of an ``And`` are added in the order of its children's
*unrestricted* sizes, as ``_intersect`` orders them — sizes bounded from posting list lengths and counted exactly
only where the bounds leave the order open (``_sum_order``). A phrase that decides a match is then checked only
on the hits its ``And`` left. ``restrict=False`` (or ``RESTRICT = False``) evaluates every node over all hits
(the reference the tests compare with, bit for bit).

``Or(scale=...)`` (the fallback query for "no hit has every word") gets Whoosh's coordination bonus
counted per word (``_coordinate``). Anything else (other query types, ``minmatch``) raises
``Unsupported``; ``kb.search.engine`` then lets Whoosh run that query.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from kb.search.query import Verbatim
from kb.search.ranking import cap_by_container
from kb.search.term_scores import TermScores
from kb.search.whoosh.dismax import BestOf
from kb.search.whoosh.postings import IndexArrays, phrase_docs
from kb.search.whoosh.ranges import AmountRange

# The default of ``Evaluator(restrict=...)``: False evaluates every node over all hits (tests and benchmarks
# compare both).
RESTRICT = True


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

    def __init__(
        self,
        arrays: IndexArrays,
        reader: Any,
        *,
        B: float = 0.75,
        K1: float = 1.2,
        restrict: bool | None = None,
    ) -> None:
        self.arrays = arrays
        self.reader = reader  # the calling thread's own reader (Whoosh readers are not thread-safe)
        self.B = B
        self.K1 = K1
        # An And's larger children only on its smaller ones' hits (the module docstring).
        self.restrict = RESTRICT if restrict is None else restrict
        self._terms: dict[tuple[str, str], Scores] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], _PhraseState] = {}
        self._lazy: set[tuple[str, tuple[str, ...]]] = set()
        self._memo: dict[int, Scores] = {}  # nodes whose score no lazy phrase can change
        # The same within some hits: (id(node), id(hits)) → (the hits, kept alive so their id stays theirs; scores).
        self._memo_within: dict[tuple[int, int], tuple[np.ndarray, Scores]] = {}
        self._bounds: dict[int, tuple[int, int]] = {}  # bounds of a node's unrestricted number of hits
        self._sizes: dict[int, int] = {}  # exact unrestricted numbers of hits counted without scoring
        # A phrase's words (field, words, id(hits)) → (the hits, kept alive; the hits holding every word, scored).
        self._words_within: dict[tuple[str, tuple[str, ...], int], tuple[np.ndarray | None, Scores]] = {}

    # -- nodes --------------------------------------------------------------------------------

    def evaluate(self, node: Any, *, optional: bool = False) -> Scores:
        """Scores of ``node``; phrases under ``optional`` are upper bounds until checked (``top``)."""
        return self._evaluate(node, optional)[0]

    def _evaluate(self, node: Any, optional: bool, within: np.ndarray | None = None) -> tuple[Scores, bool]:
        """(scores, whether they may still change as lazy phrases get checked); with ``within`` (sorted hit numbers)
        only the node's hits among them, each scored exactly as unrestricted."""
        memo = self._memo.get(id(node))
        if memo is not None:
            return (memo if within is None else _restrict(memo, within)), False
        key = (id(node), id(within))
        if within is not None:
            known = self._memo_within.get(key)
            if known is not None:
                return known[1], False
        scores, volatile = self._node(node, optional, within)
        if node.boost != 1.0:
            scores = Scores(scores.ids, scores.score * node.boost)
        if not volatile:
            if within is None:
                self._memo[id(node)] = scores
            else:
                self._memo_within[key] = (within, scores)
        return scores, volatile

    def _node(self, node: Any, optional: bool, within: np.ndarray | None) -> tuple[Scores, bool]:
        if not self.restrict:
            within = None
        if isinstance(node, wq.Term):
            return self._term(node.fieldname, node.text, within), False
        if isinstance(node, AmountRange):
            ids = self.arrays.amounts(self.reader).docs(
                node.family, node.low, node.high, node.low_inclusive, node.high_inclusive
            )
            if within is not None:
                ids = intersect_sorted(ids, within)[0]
            return Scores(ids, np.ones(len(ids), dtype=np.float64)), False
        if isinstance(node, wq.Phrase):
            if node.slop != 1:
                raise Unsupported(f"phrase slop {node.slop}")
            return self._phrase(node.fieldname, tuple(node.words), optional, within), optional
        if isinstance(node, Verbatim):
            return self._verbatim(node, within), False
        if isinstance(node, wq.AndMaybe):
            a, va = self._evaluate(node.a, optional, within)
            b, vb = self._evaluate(node.b, True, self._on(a))
            return _add_where(a, b), va or vb
        if isinstance(node, wq.AndNot):
            a, va = self._evaluate(node.a, optional, within)
            b, _ = self._evaluate(node.b, False, self._on(a))  # an exclusion must be exact
            keep = ~contains_sorted(b.ids, a.ids)
            return Scores(a.ids[keep], a.score[keep]), va
        if type(node) is wq.And:
            return self._and(node.subqueries, optional, within)
        if isinstance(node, BestOf):
            parts = [self._evaluate(child, optional, within) for child in node.subqueries]
            scores = [p for p, _ in parts]
            # Restricted, a child may lose every hit it has unrestricted; a hit of one child is then still scored
            # (1 − tie) · s + tie · s, not s, when unrestricted it was one of several children's.
            several = (
                within is not None
                and node.tie != 0.0
                and sum(1 for p in scores if len(p.ids)) == 1
                and self._several(node.subqueries, optional)
            )
            best = _best_union(scores, self.arrays.size, node.tie, several=several)
            return best, any(v for _, v in parts)
        if type(node) is wq.Or:
            if node.minmatch:
                raise Unsupported("Or with a minimum match")
            parts = [self._evaluate(child, optional, within) for child in node.subqueries]
            union = _union([p for p, _ in parts], self.arrays.size)
            if node.scale is not None:
                union = _coordinate(union, [p for p, _ in parts], node.scale)
            return union, any(v for _, v in parts)
        raise Unsupported(type(node).__name__)

    def _on(self, base: Scores) -> np.ndarray | None:
        """The hits a node depending on ``base`` (an AndMaybe's bonus, an AndNot's exclusion) is evaluated on."""
        return base.ids if self.restrict else None

    # -- an And, child by child -----------------------------------------------------------------------------

    def _and(self, children: Sequence[Any], optional: bool, within: np.ndarray | None) -> tuple[Scores, bool]:
        """Hits of every child, scored by the sum (``_intersect``'s additions, in its order).

        Restricted: the children are evaluated from the fewest possible hits up, each within the hits the
        previous ones left, then summed in the order of their unrestricted sizes (``_sum_order``)."""
        if not self.restrict:
            parts = [self._evaluate(child, optional) for child in children]
            return _intersect([p for p, _ in parts]), any(v for _, v in parts)
        if not children:
            return Scores(_NO_IDS, _NO_SCORES), False
        first = sorted(range(len(children)), key=lambda i: self._size_bounds(children[i], optional)[1])
        found: dict[int, Scores] = {}
        volatile = False
        for i in first:
            part, v = self._evaluate(children[i], optional, within)
            found[i] = part
            volatile = volatile or v
            within = part.ids  # the hits of every child so far
            if len(within) == 0:  # no hit for any lazy phrase to change: nothing to add up
                return Scores(_NO_IDS, _NO_SCORES), volatile
        order = self._sum_order(children, optional)
        return _intersect_ordered([found[i] for i in order]), volatile

    def _sum_order(self, children: Sequence[Any], optional: bool) -> list[int]:
        """The children's positions sorted by their unrestricted number of hits, ties in tree order: the order
        ``_intersect`` adds them in. Bounds decide most pairs; a child is counted exactly only while one of its
        pairs stays open. (The first two sums commute, but every position is decided: simpler, and rarely open.)"""
        n = len(children)
        if n <= 2:
            return list(range(n))  # one addition: a + b == b + a
        bounds = [self._size_bounds(child, optional) for child in children]
        while True:
            open_ = {
                k
                for i in range(n)
                for j in range(i + 1, n)
                if not (bounds[i][1] <= bounds[j][0] or bounds[i][0] > bounds[j][1])
                for k in (i, j)
                if bounds[k][0] != bounds[k][1]
            }
            if not open_:
                break
            widest = max(open_, key=lambda k: bounds[k][1] - bounds[k][0])
            size = self._size(children[widest], optional)
            bounds[widest] = (size, size)
        # Every pair decided: the (lower bound, position) order is the order of the exact sizes, ties in tree order.
        return sorted(range(n), key=lambda k: (bounds[k][0], k))

    def _size_bounds(self, node: Any, optional: bool) -> tuple[int, int]:
        """(at least, at most) the number of hits ``node`` has unrestricted, from posting list lengths."""
        memo = self._memo.get(id(node))
        if memo is not None:
            return len(memo.ids), len(memo.ids)
        exact = self._sizes.get(id(node))
        if exact is not None:
            return exact, exact
        known = self._bounds.get(id(node))
        if known is None:
            known = self._bounds[id(node)] = self._node_bounds(node, optional)
        return known

    def _node_bounds(self, node: Any, optional: bool) -> tuple[int, int]:
        size = self.arrays.size
        if isinstance(node, wq.Term):
            n = self._posting_count(node.fieldname, node.text)
            return n, n
        if isinstance(node, AmountRange):
            n = len(self._evaluate(node, optional)[0].ids)
            return n, n
        if isinstance(node, wq.Phrase):  # at most the hits of its rarest word (lazy or checked)
            return 0, min((self._posting_count(node.fieldname, w) for w in node.words), default=0)
        if isinstance(node, wq.AndMaybe):
            return self._size_bounds(node.a, optional)
        if isinstance(node, wq.AndNot):
            return 0, self._size_bounds(node.a, optional)[1]
        if isinstance(node, wq.And):  # Verbatim included: at most the hits of its bigram And
            return 0, min((self._size_bounds(c, optional)[1] for c in node.subqueries), default=0)
        if isinstance(node, (BestOf, wq.Or)):
            bounds = [self._size_bounds(c, optional) for c in node.subqueries]
            return max((lo for lo, _ in bounds), default=0), min(size, sum(hi for _, hi in bounds))
        return 0, size

    def _size(self, node: Any, optional: bool) -> int:
        """The number of hits ``node`` has unrestricted: counted from the posting lists for a union of terms (no
        scores), else by evaluating it."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, (BestOf, wq.Or)) and all(type(c) is wq.Term for c in node.subqueries):
            terms = frozenset((c.fieldname, c.text) for c in node.subqueries)
            kept: TermScores | None = getattr(self.arrays, "term_scores", None)
            n = None if kept is None else kept.union_size(terms)
            if n is None:
                lists = [self.arrays.postings(self.reader, f, t)[0] for f, t in sorted(terms)]
                n = _union_count(lists, self.arrays.size)
                if kept is not None:
                    kept.put_union_size(terms, n)
            self._sizes[id(node)] = n
            return n
        return len(self._evaluate(node, optional)[0].ids)

    def _several(self, children: Sequence[Any], optional: bool) -> bool:
        """Whether at least two of ``children`` have hits unrestricted."""
        having = 0
        unsure = []
        for child in children:
            lo, hi = self._size_bounds(child, optional)
            if lo > 0:
                having += 1
            elif hi > 0:
                unsure.append(child)
        for child in unsure:
            if having >= 2:
                break
            having += self._size(child, optional) > 0
        return having >= 2

    def _posting_count(self, fieldname: str, text: str) -> int:
        return len(self.arrays.postings(self.reader, fieldname, text)[0])

    # -- leaves ---------------------------------------------------------------------------------------------

    def _term(self, fieldname: str, text: str, within: np.ndarray | None = None) -> Scores:
        """BM25F of one term over its postings (within ``within``: over those of them only, the same scores).

        Whole lists scored by an earlier query are read from ``arrays.term_scores`` (when the arrays keep one);
        a list not scored yet is scored only where ``within`` asks."""
        key = (fieldname, text)
        cached = self._terms.get(key)
        if cached is None:
            cached = self._kept(fieldname, text)
            if cached is not None:
                self._terms[key] = cached
        if cached is not None:
            if within is None:
                return cached
            at = positions_within(cached.ids, within)
            return Scores(cached.ids[at], cached.score[at])
        ids, weights = self.arrays.postings(self.reader, fieldname, text)
        if within is not None:
            at = positions_within(ids, within)
            return self._bm25(fieldname, text, ids[at], weights[at])
        out = self._bm25(fieldname, text, ids, weights)
        self._terms[key] = out
        kept: TermScores | None = getattr(self.arrays, "term_scores", None)
        if kept is not None:
            kept.put((fieldname, text, self.B, self.K1), out.ids, out.score)
        return out

    def _kept(self, fieldname: str, text: str) -> Scores | None:
        """The term's whole-list scores if an earlier query left them in ``arrays.term_scores``."""
        kept: TermScores | None = getattr(self.arrays, "term_scores", None)
        found = None if kept is None else kept.get((fieldname, text, self.B, self.K1))
        return None if found is None else Scores(*found)

    def _bm25(self, fieldname: str, text: str, ids: np.ndarray, weights: np.ndarray) -> Scores:
        """The term's score in each of ``ids`` (some of its postings, ``weights`` their frequencies): elementwise,
        so a hit's score does not depend on which other postings are scored with it."""
        if len(ids) == 0:
            return Scores(_NO_IDS, _NO_SCORES)
        arrays = self.arrays
        idf = math.log(arrays.size / (self.reader.doc_frequency(fieldname, text) + 1)) + 1
        tf = weights.astype(np.float64)
        # K1 · ((1 − B) + B · length / average) in float32, as the expression computes it, in place (each step
        # the same rounding; a + b and a · b commute exactly); then idf · (tf · (K1 + 1)) / (tf + norm).
        norm = arrays.lengths[fieldname][ids]
        norm *= self.B
        norm /= arrays.avg_length[fieldname]
        norm += 1 - self.B
        norm *= self.K1
        score = tf * (self.K1 + 1)
        score *= idf
        tf += norm
        score /= tf
        return Scores(ids, score)

    def _verbatim(self, node: Verbatim, within: np.ndarray | None = None) -> Scores:
        """The hits of the node's bigram And whose stored source text holds the piece as written."""
        found = self._and(node.subqueries, False, within)[0]
        if len(found.ids) == 0:
            return found
        keep = np.zeros(len(found.ids), dtype=bool)
        if node.sure is not None:
            sure = self._evaluate(node.sure, False, self._on(found))[0]
            keep = contains_sorted(sure.ids, found.ids)
        todo = np.flatnonzero(~keep)
        for i, stored in zip(todo, self._stored_fields(found.ids[todo]), strict=True):
            keep[i] = node.holds(stored)
        return Scores(found.ids[keep], found.score[keep])

    def _stored_fields(self, hits: np.ndarray) -> Iterator[Mapping[str, Any]]:
        """The stored fields of each of ``hits``, in order (a backend may read them in one go)."""
        for hit in hits:
            yield self.reader.stored_fields(int(hit))

    def _phrase(
        self, fieldname: str, words: tuple[str, ...], optional: bool, within: np.ndarray | None = None
    ) -> Scores:
        words_scores = self._words(fieldname, words, within)
        key = (fieldname, words)
        state = self._phrases.get(key)
        if state is None:
            size = self.arrays.size
            state = _PhraseState(
                fieldname, words, words_scores.ids, np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
            )
            self._phrases[key] = state
        else:  # the same phrase elsewhere in the tree (maybe within other hits): candidates of either
            state.candidates = _union_ids(state.candidates, words_scores.ids)
        if optional:
            self._lazy.add(key)
        else:
            self._check(state, words_scores.ids)
        keep = ~state.rejected[words_scores.ids]
        return Scores(words_scores.ids[keep], words_scores.score[keep])

    def _words(self, fieldname: str, words: tuple[str, ...], within: np.ndarray | None) -> Scores:
        """The hits holding every word of a phrase (anywhere in the field), scored by the sum of the words' scores
        as ``_intersect`` adds them (rarest word first). Restricted, each word is scored only on the hits the rarer
        ones left (and ``within``): a phrase with a frequent word (和, 的) never scores that word's whole list."""
        if not self.restrict:
            return _intersect([self._term(fieldname, w) for w in words])
        key = (fieldname, words, id(within))  # (a lazy phrase is evaluated again after each check)
        if key not in self._words_within:
            self._words_within[key] = (within, self._words_one_by_one(fieldname, words, within))
        return self._words_within[key][1]

    def _words_one_by_one(self, fieldname: str, words: tuple[str, ...], within: np.ndarray | None) -> Scores:
        """``_words`` restricted: the rarest word first, each next one within the hits left."""
        counts = [self._posting_count(fieldname, w) for w in words]
        parts = []
        for i in sorted(range(len(words)), key=lambda i: counts[i]):  # _intersect's stable order
            part = self._term(fieldname, words[i], within)
            parts.append(part)
            within = part.ids
            if len(within) == 0:
                break
        return _intersect_ordered(parts)

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
    """Hits of every part, scored by the sum, shortest part first (a stable sort: equal lengths keep their order)."""
    return _intersect_ordered(sorted(parts, key=lambda p: len(p.ids)))


def _intersect_ordered(parts: list[Scores]) -> Scores:
    """Hits of every part, scored by the sum in the parts' order."""
    if not parts:
        return Scores(_NO_IDS, _NO_SCORES)
    ids, score = parts[0].ids, parts[0].score
    for part in parts[1:]:
        if len(ids) == 0:
            break
        ids, left, right = intersect_sorted(ids, part.ids)
        score = score[left] + part.score[right]
    return Scores(ids, score)


def _restrict(scores: Scores, within: np.ndarray) -> Scores:
    """The hits of ``scores`` among ``within`` (sorted hit numbers), with their scores."""
    ids, left, _ = intersect_sorted(scores.ids, within)
    return Scores(ids, scores.score[left])


def _union_ids(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted unique hit numbers of either (``a`` itself when it holds ``b``)."""
    if a is b or len(b) == 0 or contains_sorted(a, b).all():
        return a
    return np.union1d(a, b)


def _union_count(lists: list[np.ndarray], size: int) -> int:
    """How many hit numbers any of ``lists`` (sorted unique, below ``size``) holds, without scoring them: a long
    list plus what the short ones add, or marks over the hit numbers."""
    lists = sorted((ids for ids in lists if len(ids)), key=len, reverse=True)
    if not lists:
        return 0
    big, rest = lists[0], lists[1:]
    if not rest:
        return len(big)
    if sum(len(ids) for ids in rest) * 16 < len(big):
        others = rest[0] if len(rest) == 1 else np.unique(np.concatenate(rest))
        return len(big) + int(np.count_nonzero(~contains_sorted(big, others)))
    with _marked(lists, size) as marks:
        return int(np.count_nonzero(marks))


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
    with _marked([b], size) as marks:
        left = np.flatnonzero(marks[a])
    with _marked([a], size) as marks:
        right = np.flatnonzero(marks[b])
    return a[left], left, right


def positions_within(ids: np.ndarray, within: np.ndarray) -> np.ndarray:
    """The positions in ``ids`` of the hits ``within`` holds (both sorted unique hit numbers): a short list looked
    up in the long one, else one pass over ``ids`` reading marks of ``within``."""
    if len(ids) == 0 or len(within) == 0:
        return _NO_IDS
    if len(ids) * 8 < len(within):
        pos = np.searchsorted(within, ids)
        pos[pos == len(within)] = len(within) - 1
        return np.flatnonzero(within[pos] == ids)
    # A binary search per hit of ``within`` against one read of ``ids``: ~90 ns a search in a list of 0.5 M
    # hits, ~350 ns in one of 2 M (cache misses), ~2 ns a posting for the marks (7.3 M hits, measured).
    if len(within) * (48 if len(ids) < 1_000_000 else 192) < len(ids):
        pos = np.searchsorted(ids, within)
        pos[pos == len(ids)] = len(ids) - 1
        return pos[ids[pos] == within]
    with _marked([within], int(max(ids[-1], within[-1])) + 1) as marks:
        return np.flatnonzero(marks[ids])


def contains_sorted(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """For each of ``a`` (sorted unique hit numbers), whether ``b`` (sorted unique) holds it: ``np.isin(a, b)``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a), dtype=bool)
    if len(a) * 4 < len(b):  # a few looked up in a long list
        pos = np.searchsorted(b, a)
        pos[pos == len(b)] = len(b) - 1
        return b[pos] == a
    with _marked([b], int(max(a[-1], b[-1])) + 1) as marks:
        return marks[a]


# A union of postings reaching 1/DENSE of all hits is summed in arrays over every hit, a smaller one merged (sorted):
# at 7.3 M hits, five lists, merged 41 vs dense 69 ms at 1/16, 97 vs 103 ms at 1/4, 184 vs 141 ms at 1/2.
DENSE = 4

_SCRATCH = threading.local()


@contextmanager
def _marked(lists: Sequence[np.ndarray], size: int) -> Iterator[np.ndarray]:
    """A boolean array over at least ``size`` hit numbers, True at those of ``lists``: this thread's own, reused
    (allocating and zeroing millions of bytes per intersection cost more than the marks), cleared on exit."""
    busy = getattr(_SCRATCH, "busy", False)  # (never nested in practice: a fresh array then)
    marks: np.ndarray | None = getattr(_SCRATCH, "marks", None)
    if busy:
        marks = np.zeros(size, dtype=bool)
    elif marks is None or len(marks) < size:
        marks = _SCRATCH.marks = np.zeros(size, dtype=bool)
    _SCRATCH.busy = True
    try:
        for ids in lists:
            marks[ids] = True
        yield marks
    finally:
        for ids in lists:
            marks[ids] = False
        _SCRATCH.busy = busy


def _union(parts: list[Scores], size: int = 0) -> Scores:
    """Hits of any part, scored by the sum of the parts that match.

    Unions of postings reaching 1/``DENSE`` of all ``size`` hits are summed into a dense array over every hit;
    the others are merged (``_grouped``: a stable sort merging the parts' sorted runs, n log(parts)).
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
    if size and total * DENSE > size:
        dense = np.zeros(size, dtype=np.float64)
        present = np.zeros(size, dtype=bool)
        dense[parts[0].ids] = parts[0].score
        present[parts[0].ids] = True
        for p in parts[1:]:  # ids are unique within a part
            dense[p.ids] += p.score
            present[p.ids] = True
        ids = np.flatnonzero(present)
        return Scores(ids, dense[ids])
    ids, scores, _, group = _grouped(parts)
    return Scores(ids, np.bincount(group, weights=scores, minlength=len(ids)))  # each hit's in part order


def _best_union(parts: list[Scores], size: int, tie: float, *, several: bool = False) -> Scores:
    """Hits of any part, scored ``(1 − tie) · best + tie · sum`` of the parts that match (``BestOf``), in one pass.

    A single part with hits is returned as it is, unless ``several`` (the node has other parts with hits elsewhere:
    its hits are then scored by the formula, as they are among all the parts)."""
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Scores(_NO_IDS, _NO_SCORES)
    if len(parts) == 1 and not several:
        return parts[0]
    total = sum(len(p.ids) for p in parts)
    if size and total * DENSE > size:
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
    ids, scores, starts, group = _grouped(parts)
    top = np.maximum.reduceat(scores, starts)
    if not tie:
        return Scores(ids, top)
    return Scores(ids, (1.0 - tie) * top + tie * np.bincount(group, weights=scores, minlength=len(ids)))


def _grouped(parts: list[Scores]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The parts' postings merged by hit number: (the sorted unique hit numbers, every score in hit order — a hit's
    own in part order —, where each hit's scores start, the hit's index for each score). A stable sort of the
    concatenated lists merges their sorted runs (no quicksort of all of them, no array over every hit)."""
    all_ids = np.concatenate([p.ids for p in parts])
    order = np.argsort(all_ids, kind="stable")
    merged = all_ids[order]
    scores = np.concatenate([p.score for p in parts])[order]
    first = np.empty(len(merged), dtype=bool)
    first[0] = True
    np.not_equal(merged[1:], merged[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return merged[starts], scores, starts, np.cumsum(first) - 1


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
