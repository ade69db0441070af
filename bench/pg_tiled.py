"""A PostgreSQL generation seen N times over: 10⁵-like per-hit arrays and posting lists from a 10⁴ database.

``bench/scale.py`` makes its 10⁵ library of rounds of copies of the corpus, so a 10⁴ generation repeated ten times
has the shape of the 10⁵ one: ten times the hits, every posting list ten times as long, the same query trees.
``TiledEngine`` is ``PostgresSearchEngine`` over such a view: the arrays (field lengths, facets, prior, dates,
quantities) are the generation's tiled, a posting list is the generation's repeated with hit numbers shifted by
one generation's size per copy, and what is read from the database per hit (phrase checks, stored fields, the
measure a hit sits in) is read for the hit's original and applied to every copy. The numpy work of a search is
then what it would be at N times the size; the database work is the 10⁴ database's. For benchmarks only
(``bench/pg_stages.py --tile 10``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kb.search.backends.postgresql.engine import PostgresSearchEngine
from kb.search.backends.postgresql.reader import GenerationArrays, Reader
from kb.search.term_scores import TermScores
from kb.search.whoosh.columns import Facet, MultiFacet
from kb.search.whoosh.postings import AmountIndex


def _tile_ids(ids: np.ndarray, size: int, factor: int) -> np.ndarray:
    """Sorted hit numbers of every copy of sorted ``ids``."""
    return (ids[None, :] + (np.arange(factor, dtype=np.int64) * size)[:, None]).ravel()


class TiledArrays:
    """``GenerationArrays``' attributes for ``factor`` copies of ``base`` (see the module docstring)."""

    def __init__(self, base: GenerationArrays, factor: int) -> None:
        self.base = base
        self.factor = factor
        self.generation = base.generation
        n = base.size
        self.size = n * factor
        self.live = np.tile(base.live, factor)
        self.lengths = {name: np.tile(v, factor) for name, v in base.lengths.items()}
        self.avg_length = dict(base.avg_length)
        self.field_length = {name: v * factor for name, v in base.field_length.items()}
        self.facets: dict[str, Facet | MultiFacet] = {}
        for name, facet in base.facets.items():
            if isinstance(facet, Facet):
                self.facets[name] = Facet(facet.values, np.tile(facet.codes, factor))
            else:
                docs = {v: _tile_ids(ids, n, factor) for v, ids in facet.docs.items()}
                self.facets[name] = MultiFacet(docs, self.size)
        self.prior = np.tile(base.prior, factor)
        self.container = np.tile(base.container, factor)
        self.columns = {name: Facet(c.values, np.tile(c.codes, factor)) for name, c in base.columns.items()}
        self.date_first = np.tile(base.date_first, factor)
        self.date_last = np.tile(base.date_last, factor)
        a = base.amounts()
        hits = (a.hit[None, :] + (np.arange(factor, dtype=np.int64) * n)[:, None]).ravel()
        self._amounts = AmountIndex(a.families, np.tile(a.family, factor), np.tile(a.value, factor), hits)
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self.term_scores = TermScores(base.term_scores.limit * factor)

    def amounts(self, reader: Any = None) -> AmountIndex:
        return self._amounts

    def prefetch(self, reader: TiledReader, keys: Iterable[tuple[str, str]]) -> None:
        self.base.prefetch(reader.base, keys)

    def postings(
        self, reader: TiledReader, fieldname: str, text: str | bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is None:
            ids, weights = self.base.postings(reader.base, fieldname, text)
            found = (_tile_ids(ids, self.base.size, self.factor), np.tile(weights, self.factor))
            for array in found:
                array.flags.writeable = False
            self._postings[key] = found
        return found

    def resolve_containers(self, reader: TiledReader, hits: Iterable[int]) -> bool:
        todo = np.array([int(h) for h in hits if self.container[h] == -2], dtype=np.int64)
        if len(todo) == 0:
            return False
        n = self.base.size
        original = todo % n
        self.base.resolve_containers(reader.base, original)
        parent = self.base.container[original]
        self.container[todo] = np.where(parent >= 0, parent + (todo // n) * n, -1)
        return True


class TiledReader:
    """``Reader`` over ``TiledArrays``: per-hit reads go to each hit's original."""

    def __init__(self, base: Reader, arrays: TiledArrays) -> None:
        self.base = base
        self.con = base.con
        self.arrays = arrays
        self.entries = base.entries

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        return self.base.doc_frequency(fieldname, text) * self.arrays.factor

    def frequency(self, fieldname: str, text: str | bytes) -> int:
        return self.base.frequency(fieldname, text) * self.arrays.factor

    def prefetch_stored(self, hits: Iterable[int]) -> None:
        self.base.prefetch_stored(int(h) % self.arrays.base.size for h in hits)

    def stored_fields(self, hit: int) -> dict[str, Any]:
        return self.base.stored_fields(int(hit) % self.arrays.base.size)

    def hit_number(self, item_id: str) -> int | None:
        return self.base.hit_number(item_id)

    def phrase_docs(self, fieldname: str, words: Sequence[str], candidates: np.ndarray) -> np.ndarray:
        original = np.asarray(candidates, dtype=np.int64) % self.arrays.base.size
        held = self.base.phrase_docs(fieldname, words, np.unique(original))
        return np.asarray(candidates, dtype=np.int64)[np.isin(original, held)]


class TiledEngine(PostgresSearchEngine):
    """``PostgresSearchEngine`` over ``factor`` copies of its generation."""

    def __init__(self, url: str, factor: int, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.factor = factor
        self._tiled: dict[int, TiledArrays] = {}

    def _searcher(self) -> Reader:
        self._refresh()
        base = self._arrays(self.generation_id)
        tiled = self._tiled.get(self.generation_id)
        if tiled is None:
            tiled = self._tiled[self.generation_id] = TiledArrays(base, self.factor)
        return TiledReader(Reader(self._connection(), base), tiled)  # type: ignore[return-value]
