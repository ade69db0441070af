"""``TermScores``: the BM25 scores of whole posting lists, kept between queries.

``kb.search.evaluate`` scores a term over its whole posting list when a query needs all of it (a single word, the
rarest child of an ``And``) and over some of its postings otherwise. The whole-list scores are kept here (8 bytes
per posting; the hit numbers are the posting cache's own arrays), one cache per generation's arrays
(``IndexArrays.term_scores``, ``GenerationArrays.term_scores``), shared by its threads: a frequent word's list is
scored once, and a later query restricted to some of its hits gathers their scores — the same floats. It keeps
the number of hits of unions of terms too (a word in its five fields: what orders an ``And``'s sums).
"""

from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache

Key = tuple[str, str, float, float]  # (field, term, B, K1)
UNION_SIZES = 100_000  # unions whose number of hits is kept (a few hundred bytes each)


class TermScores:
    """An LRU of (hit numbers, scores) of whole posting lists, bounded in postings."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._cache: LRUCache[Key, tuple[np.ndarray, np.ndarray]] = LRUCache(
            maxsize=max(1, limit), getsizeof=lambda entry: max(1, len(entry[0]))
        )
        self._sizes: LRUCache[frozenset[tuple[str, str]], int] = LRUCache(maxsize=UNION_SIZES)
        self._lock = threading.Lock()

    def union_size(self, terms: frozenset[tuple[str, str]]) -> int | None:
        """The number of hits holding any of ``terms`` ((field, term) pairs), if counted before."""
        with self._lock:
            return self._sizes.get(terms)

    def put_union_size(self, terms: frozenset[tuple[str, str]], size: int) -> None:
        with self._lock:
            self._sizes[terms] = size

    def get(self, key: Key) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            return self._cache.get(key)

    def put(self, key: Key, ids: np.ndarray, scores: np.ndarray) -> None:
        if not 0 < len(ids) <= self.limit:
            return
        scores.flags.writeable = False  # shared by every query (and thread)
        with self._lock:
            self._cache[key] = (ids, scores)
