"""``PostgresSearchEngine``: the ``SearchBackend`` over a knowledge base in PostgreSQL.

The same search as the Whoosh backend's, step for step (``kb.search.engine.SearchEngine.search`` runs unchanged):
the user's text is parsed into the same query tree (``kb.search.query``), filters and facets are masks over the
generation's per-hit arrays, and the tree is scored by the same BM25F evaluator (``kb.search.evaluate``) — with
the term statistics (document and collection frequencies, field lengths) and posting lists read from the
``postings`` and ``columns`` tables, and every phrase translated to a ``tsquery`` that PostgreSQL checks against
the ``words`` tsvector of the candidate hits. Stored fields for the page and its highlighting come from ``hits``.
So the scores are Whoosh's, to the rounding of field lengths (stored exactly here, rounded alike on load).

A reader pins a generation (``generation=``, the site) or follows the live one (``live`` row, re-checked every
``check_interval`` seconds). Each thread has its own connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

import numpy as np
from whoosh import query as wq

from kb.search.backends.postgresql import sql
from kb.search.backends.postgresql.generations import live_generation, open_generation
from kb.search.backends.postgresql.reader import GenerationArrays, Reader, key_terms, tree_terms
from kb.search.engine import Hit, SearchEngine, SearchResult
from kb.search.evaluate import Evaluator, Unsupported, intersect_sorted
from kb.search.request import MAX_LIMIT, SearchRequest
from kb.search.schema import make_schema

# Posting lists kept between queries (12 bytes each in memory). Larger than Whoosh's default: a list comes from the
# database in one round trip, but the frequent bigrams of a 10⁵-document library hold millions of postings.
DEFAULT_CACHE_POSTINGS = 16_000_000

_SCHEMA = None


def _schema() -> Any:
    """The Whoosh schema object the query parser reads analyzers from (no index is opened)."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = make_schema()
    return _SCHEMA


class _PhraseEvaluator(Evaluator):
    """The evaluator with phrases checked by PostgreSQL (``Reader.phrase_docs``) and the stored fields an exact
    piece is checked against read in one query per segment, not one per hit."""

    def _stored_fields(self, hits: np.ndarray) -> Iterator[Mapping[str, Any]]:
        self.reader.prefetch_stored(hits)
        for hit in hits:
            yield self.reader.stored_fields(int(hit))

    def _check(self, state: Any, docs: np.ndarray) -> None:
        todo = intersect_sorted(docs, state.candidates)[0]
        todo = todo[~state.checked[todo]]
        if len(todo) == 0:
            return
        held = self.reader.phrase_docs(state.fieldname, state.words, todo)
        state.checked[todo] = True
        state.rejected[todo] = True
        state.rejected[held] = False


class PostgresSearchEngine(SearchEngine):
    """Searches a generation held in PostgreSQL (see the module docstring)."""

    def __init__(
        self,
        url: str,
        check_interval: float = 1.0,
        cache_postings: int = DEFAULT_CACHE_POSTINGS,
        *,
        generation: str | None = None,
        clock: Callable[[], date] = date.today,
        validity_evidence: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self._init_validity(clock, validity_evidence)
        self.url = url
        self.cache_postings = cache_postings
        self.check_interval = check_interval if generation is None else float("inf")
        self._lock = threading.Lock()
        self._local = threading.local()
        self._checked = time.monotonic()
        self._schema = _schema()
        self._arrays_by_id: dict[int, GenerationArrays] = {}
        self._connections = sql.ThreadConnections(url, "policykb search")
        self.generation_id, self.generation = open_generation(self._connection(), generation)

    # -- connections, generations ----------------------------------------------------------------------------

    def _connection(self) -> Any:
        return self._connections.get()

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_interval:
            return
        with self._lock:
            self._checked = now
        live = live_generation(self._connection())
        if live is not None and live[0] != self.generation_id:
            self.generation_id, self.generation = live

    def _searcher(self) -> Reader:
        self._refresh()
        return Reader(self._connection(), self._arrays(self.generation_id))

    def _arrays(self, generation_id: int) -> GenerationArrays:
        with self._lock:
            arrays = self._arrays_by_id.get(generation_id)
        if arrays is None:
            arrays = GenerationArrays(self._connection(), generation_id, self.cache_postings)
            with self._lock:
                # Keep the previous generation's arrays too: other threads may still search it.
                self._arrays_by_id = {**dict(list(self._arrays_by_id.items())[-1:]), generation_id: arrays}
        return arrays

    def _index_arrays(self, searcher: Reader) -> GenerationArrays:  # type: ignore[override]
        return searcher.arrays

    def warm(self) -> None:
        """Load the generation's arrays and today's facet runs now rather than in the first search."""
        self._facet_runs(self._index_arrays(self._searcher()))

    @property
    def schema(self) -> Any:
        return self._schema

    def close(self) -> None:
        self._connections.close_all()

    def _drop_connection(self) -> None:
        self._connections.drop()

    def search(self, request: SearchRequest | str = "", /, **fields: Any) -> SearchResult:
        """``SearchEngine.search``; once more on a fresh connection after a transient database failure (a replica
        that ended the session on a conflict with recovery, a restarted server)."""
        try:
            return super().search(request, **fields)
        except Exception as exc:
            if not sql.is_transient(exc):
                raise
            self._drop_connection()
            return super().search(request, **fields)

    def related(self, measure_id: str, limit: int = 5) -> list[Hit]:
        try:
            return self._related(measure_id, limit)
        except Exception as exc:
            if not sql.is_transient(exc):
                raise
            self._drop_connection()
            return self._related(measure_id, limit)

    # -- scoring ------------------------------------------------------------------------------------------

    def _run(  # type: ignore[override]
        self,
        searcher: Reader,
        arrays: GenerationArrays,
        query: Any,
        allowed: np.ndarray,
        k: int,
        keys: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, float]], np.ndarray]:
        arrays.prefetch(searcher, tree_terms(query))
        try:
            hits, best = _PhraseEvaluator(arrays, searcher).top(
                query, allowed, arrays.prior, k, keys=keys, cap=True
            )
        except Unsupported as exc:  # kb.search.query never builds these nodes
            raise RuntimeError(f"query node not supported by the PostgreSQL backend: {exc}") from exc
        page = [(int(hits.ids[i]), float(hits.score[i])) for i in best]
        searcher.prefetch_stored(
            d for d, _ in page[-MAX_LIMIT:]
        )  # the page shown: one query, not one per hit
        return page, hits.ids

    def _related(self, measure_id: str, limit: int = 5) -> list[Hit]:
        """Measures of other documents most like this one: the 12 key terms of its text (Bo1, as Whoosh's
        ``more_like``) ORed with their weights as boosts, scored over the other documents' measures."""
        searcher = self._searcher()
        hit = searcher.hit_number(measure_id)
        if hit is None:
            return []
        stored = searcher.stored_fields(hit)
        text = (stored.get("title") or "") + "\n" + (stored.get("body") or "")
        terms = key_terms(searcher, text, numterms=12)
        if not terms:
            return []
        query = wq.Or([wq.Term("body", word, boost=weight) for word, weight in terms])
        arrays = searcher.arrays
        allowed = (
            arrays.live & arrays.facets["type"].mask("measure") & ~arrays.facets["doc"].mask(stored["doc_id"])
        )
        page, _ = self._run(searcher, arrays, query, allowed, limit)
        return [self._hit(searcher.stored_fields(d), score, []) for d, score in page]
