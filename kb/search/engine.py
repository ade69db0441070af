"""The one search interface the CLI and the site use (Whoosh behind it; another engine could replace it).

``SearchBackend`` is the interface; ``SearchEngine`` (Whoosh index + the numpy evaluator) implements it.
``SearchEngine(index_dir).search(SearchRequest(...))`` (or ``search("q", type=..., ...)`` with the request's fields)
returns a ``SearchResult`` whose ``to_json()`` is the public JSON shape. ``docs/scaling.md`` describes other
implementations of the same interface.

Filters (``kb.search.request.FILTERS``; every one a mask over per-hit arrays, so totals and facets count every
match exactly): ``type`` the type of hit (document, measure, target, result, clause); ``genre`` the document's
文种 (通知, 意见, 条例…); ``category``, ``doc``, ``year``, ``level`` (效力级别) exact values; ``validity`` the
document's status on the day of the search (现行有效, 尚未施行, 已失效, 已修改, 已废止: computed from its 施行日期, its
last day in force and what its source says, plus what other documents say when the site gives ``validity_evidence``;
the day comes from ``clock``, never stored); ``agency`` an exact agency, else the agencies
containing the text; ``doc_number`` a 文号 or part of one (国发 2019); ``date_from``/``date_to`` the document date
(YYYY[-MM[-DD]]). A facet or filter value ``未注明`` (``NOT_STATED``) selects the hits whose document lacks that
value. With an empty query and at least one filter the search lists every hit the filters allow (browsing: scored
by the type prior alone). ``field="title"`` searches titles only; ``sort="date"`` orders newest first, ties by
relevance; ``match="exact"`` matches every piece of the query as written (``kb.search.query``).

Ranking is BM25F × the type prior (``kb.search.ranking``), then the cap by clause path: a target or clause never above
the measure it sits in (``IndexArrays.container``, from the ids). Each hit carries its document's date, 文种, agency
and 文号 (the result cards show them). ``documents(request)`` lists the documents with a matching hit, newest first
(saved searches compare it with the last visit).

What another backend implements (``SearchBackend``): ``search`` with the query semantics of ``ParsedQuery``
(``kb.search.query``), the filters above, the prior and the cap (``kb.search.ranking.cap_by_container``);
``documents``; ``related``; ``warm``; ``close``.

The result's shape and the shaping of a hit are ``kb.search.result``; the validity facet is ``kb.search.validity``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from whoosh import collectors
from whoosh import index as whoosh_index
from whoosh import query as wq

from kb.ids import enclosing_measure_ids
from kb.search import ranking
from kb.search.amounts import AmountQuery
from kb.search.evaluate import Evaluator, Unsupported, top_k, top_k_by
from kb.search.filters import agency_matcher, doc_number_matcher, parse_date
from kb.search.query import ParsedQuery, default_synonyms, highlight_terms, parse_query
from kb.search.request import FILTERS, SearchRequest
from kb.search.result import Hit, SearchResult, make_hit
from kb.search.schema import (
    AMOUNT_FIELD,
    BIGRAM_FIELDS,
    COLUMN_FIELDS,
    FACET_FIELDS,
    IN_FORCE_FIELD,
    NOT_STATED,
    TEXT_FIELDS,
)
from kb.search.validity import validity_facet
from kb.search.whoosh.columns import FacetRuns
from kb.search.whoosh.postings import DEFAULT_CACHE_POSTINGS, Facet, IndexArrays
from kb.store.generations import StoreError, current_generation

RELATED_CHARS = 20_000  # of a measure's text, for the key terms of its related measures
FACET_VALUES = 30  # the most frequent values of each facet (a broad query touches thousands of documents)
SEARCH_FIELDS = {**TEXT_FIELDS, **BIGRAM_FIELDS}
TITLE_FIELDS = {"title": TEXT_FIELDS["title"], "title_bigrams": BIGRAM_FIELDS["title_bigrams"]}
FIELDS = {"all": SEARCH_FIELDS, "title": TITLE_FIELDS}  # the ``field=`` choices

# Facets whose hits may lack a value (counted, and filterable, as NOT_STATED).
OPTIONAL_FACETS = frozenset({"genre", "agency", "year", "level", "validity"})
PARTIAL_MESSAGE = "没有同时包含全部检索词的结果，以下是部分匹配的结果。"
EMPTY_MESSAGE = "没有找到结果。可以减少检索词、去掉筛选条件，或换一个说法试试。"


@runtime_checkable
class SearchBackend(Protocol):
    """What the CLI and the site need from a search engine over one index directory."""

    def search(self, request: SearchRequest | str = "", /, **fields: Any) -> SearchResult: ...

    def related(self, measure_id: str, limit: int = 5) -> list[Hit]: ...

    def documents(self, request: SearchRequest) -> list[tuple[str, int]]: ...

    def warm(self) -> None: ...

    def close(self) -> None: ...


class _RecordingTopCollector(collectors.TopCollector):
    """Keeps the top N like Whoosh's TopCollector and also records every matched document number.

    ``replace=0``: Whoosh otherwise replaces the matcher tree every 10 hits with one pruned of the
    branches that cannot beat the current 10th score, and the pruned hits are missing from the
    total and the facets (知识产权 counted 1,838 of its 2,658 hits).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False, replace=0)
        self.matched: list[int] = []

    def _collect(self, global_docnum: int, score: float) -> float:
        self.matched.append(global_docnum)
        return super()._collect(global_docnum, score)


class SearchEngine:
    """Searches the live generation of an index; reopens by itself when a build publishes a new one."""

    def __init__(
        self,
        index_dir: Path,
        check_interval: float = 1.0,
        cache_postings: int = DEFAULT_CACHE_POSTINGS,
        *,
        generation: Path | None = None,
        clock: Callable[[], date] = date.today,
        validity_evidence: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        """Search ``index_dir``'s live generation, re-checked every ``check_interval`` seconds; or, with
        ``generation``, that generation only (the site pins the one its KnowledgeBase reads and swaps both).

        ``clock`` gives the day statuses are computed for; ``validity_evidence`` (called once) the statuses other
        documents give (document id → 已废止/已修改, ``KnowledgeBase.validity_evidence``)."""
        self._init_validity(clock, validity_evidence)
        self.index_dir = Path(index_dir)
        self.cache_postings = cache_postings
        self.check_interval = check_interval if generation is None else float("inf")
        self._lock = threading.Lock()
        self._local = threading.local()
        self._checked = 0.0
        self.generation: Path | None = None
        self._ix: Any = None
        self._arrays: dict[Path | None, IndexArrays] = {}
        self._open(generation)

    def _open(self, generation: Path | None = None) -> None:
        generation = generation or current_generation(self.index_dir)
        if generation is None:
            raise StoreError(f"索引不存在：{self.index_dir}。请先运行 `policykb build`。")
        ix = whoosh_index.open_dir(str(generation / "whoosh"))
        # FileIndex.schema reads the table of contents from disk on every access: keep it (one per generation).
        self._ix, self.generation, self._schema = ix, generation, ix.schema

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_interval:
            return
        with self._lock:
            self._checked = now
            live = current_generation(self.index_dir)
            if (
                live is not None
                and self.generation is not None
                and live.resolve() != self.generation.resolve()
            ):
                self._open()  # a new generation: new searchers (never Searcher.refresh(), see the notes)

    def _searcher(self) -> Any:
        """One searcher per thread and generation."""
        self._refresh()
        local = self._local
        if getattr(local, "generation", None) != self.generation or local.searcher is None:
            old = getattr(local, "searcher", None)
            if old is not None:
                old.close()
            local.searcher = self._ix.searcher(weighting=ranking.weighting())
            local.generation = self.generation
        return local.searcher

    def _index_arrays(self, searcher: Any) -> IndexArrays:
        """Shared by all threads using the same generation as ``searcher``; built on first use."""
        generation = self._local.generation
        with self._lock:
            arrays = self._arrays.get(generation)
            if arrays is None:
                schema = searcher.schema
                arrays = IndexArrays(
                    searcher.reader(),
                    scored_fields=[*SEARCH_FIELDS, *([AMOUNT_FIELD] if AMOUNT_FIELD in schema else [])],
                    facet_fields={k: v for k, v in FACET_FIELDS.items() if v in schema},
                    multi_valued=("categories",),
                    priors={"type": ranking.TYPE_PRIOR},
                    cache_postings=self.cache_postings,
                    column_fields={k: v for k, v in COLUMN_FIELDS.items() if v in schema},
                    date_column="date" if "date" in schema else None,
                    amount_field=AMOUNT_FIELD if AMOUNT_FIELD in schema else None,
                    id_field="id",
                    containers_of=enclosing_measure_ids,
                    contained_types=ranking.CONTAINED_TYPES,
                )
                # Keep the previous generation's arrays too: other threads may still search it.
                self._arrays = {**dict(list(self._arrays.items())[-1:]), generation: arrays}
            return arrays

    def warm(self) -> None:
        """Build this generation's arrays now (~1 s on the whole corpus) rather than in the first search, and
        today's facet runs (~0.2–0.3 s at 10⁵ hits)."""
        searcher = self._searcher()
        arrays = self._index_arrays(searcher)
        if AMOUNT_FIELD in searcher.schema:
            arrays.amounts(searcher.reader())
        self._facet_runs(arrays)

    @property
    def schema(self) -> Any:
        return self._schema

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None

    def parse(self, query: str, field: str | None = None, *, exact: bool = False) -> ParsedQuery:
        """The query tree ``search`` runs for this text (``field`` "title" = titles only; ``exact``: every piece
        as written, ``match=exact``)."""
        fields = FIELDS.get(field or "all", SEARCH_FIELDS)
        amounts = AMOUNT_FIELD if fields is SEARCH_FIELDS and AMOUNT_FIELD in self.schema else None
        return parse_query(query or "", fields, schema=self.schema, amount_field=amounts, exact=exact)

    def allowed(self, arrays: IndexArrays, **filters: str | None) -> np.ndarray:
        """The mask of live hits every given filter accepts (names in ``FILTERS``); ``ValueError`` for a bad
        date (the message is for the user)."""
        allowed = arrays.live
        for name, value in filters.items():
            if not value:
                continue
            if name not in FILTERS:
                raise TypeError(f"unknown filter {name!r}")
            allowed = allowed & self._filter_mask(arrays, name, value)
        return allowed

    def _filter_mask(self, arrays: IndexArrays, name: str, value: str) -> np.ndarray:
        if name in ("date_from", "date_to"):
            if name == "date_from":
                return arrays.date_last >= parse_date(value)
            return (arrays.date_first >= 0) & (arrays.date_first <= parse_date(value, end=True))
        if name == "doc_number":
            column = arrays.columns.get("doc_number")
            if column is None:
                return np.zeros(arrays.size, dtype=bool)
            accepts = doc_number_matcher(value)
            return column.mask_values([v for v in column.values if accepts(v)])
        facet = self._validity_facet(arrays) if name == "validity" else arrays.facets.get(name)
        if facet is None:
            return np.zeros(arrays.size, dtype=bool)
        if value == NOT_STATED and name in OPTIONAL_FACETS and isinstance(facet, Facet):
            return facet.mask("")
        if name == "agency" and isinstance(facet, Facet):
            return facet.mask_values(agency_matcher(value, facet.values, default_synonyms()))
        return facet.mask(value)

    def _init_validity(
        self, clock: Callable[[], date], validity_evidence: Callable[[], Mapping[str, str]] | None
    ) -> None:
        """The day statuses are computed for, where other documents' statuses come from, the facets by day."""
        self.clock = clock
        self._evidence_source = validity_evidence
        self._evidence: Mapping[str, str] | None = None
        self._validity: dict[tuple[int, date], Facet] = {}
        self._runs: dict[tuple[int, date], FacetRuns] = {}

    def _validity_facet(self, arrays: IndexArrays) -> Facet:
        """Every hit's document status on ``clock()`` as a facet (``kb.search.validity``), computed once per
        generation and day."""
        today = self.clock()
        key = (id(arrays), today)
        cached = self._validity.get(key)
        if cached is not None:
            return cached
        if self._evidence is None and self._evidence_source is not None and IN_FORCE_FIELD in arrays.columns:
            self._evidence = dict(self._evidence_source())
        facet = validity_facet(arrays, today, self._evidence)
        with self._lock:
            self._validity = {k: v for k, v in self._validity.items() if k[1] == today}
            self._validity[key] = facet
        return facet

    def _facet_runs(self, arrays: IndexArrays) -> FacetRuns:
        """The single-valued facets (the validity facet of ``clock()`` included) that change only between
        documents, counted together (``FacetRuns``); once per generation and day."""
        today = self.clock()
        key = (id(arrays), today)
        cached = self._runs.get(key)
        if cached is not None:
            return cached
        single = {name: f for name, f in arrays.facets.items() if isinstance(f, Facet)}
        runs = FacetRuns.of_long_runs({**single, "validity": self._validity_facet(arrays)}, arrays.size)
        with self._lock:
            self._runs = {k: v for k, v in self._runs.items() if k[1] == today}
            self._runs[key] = runs
        return runs

    def _facets(self, arrays: IndexArrays, where: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        """The ``FACET_VALUES`` most frequent values of each facet among the matched hits (``where``: their
        sorted positions; a hit lacking an optional value counts as ``NOT_STATED``)."""
        facets = {}
        runs = self._facet_runs(arrays)
        by_runs = runs.counts(where)
        for name, facet in [*arrays.facets.items(), ("validity", self._validity_facet(arrays))]:
            empty = name in OPTIONAL_FACETS
            if isinstance(facet, Facet):
                by_code = by_runs.get(name)
                if by_code is None:
                    by_code = np.bincount(facet.codes[where], minlength=len(facet.values))
                facets[name] = facet.top(by_code, FACET_VALUES, empty=empty, empty_as=NOT_STATED)
                continue
            counts = facet.count(where, empty=empty)
            if "" in counts:
                counts[NOT_STATED] = counts.get(NOT_STATED, 0) + counts.pop("")
            facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES]
        return facets

    def search(self, request: SearchRequest | str = "", /, **fields: Any) -> SearchResult:
        """Run ``request``; a string is the query text of a request with ``fields`` (SearchRequest's fields)."""
        if not isinstance(request, SearchRequest):
            request = SearchRequest(request or "", **fields)
        elif fields:
            request = request.with_(**fields)
        limit, offset, sort = request.limit, request.offset, request.sort
        searcher = self._searcher()
        parsed = self.parse(request.q, request.field, exact=request.exact)
        result = SearchResult(
            query=parsed.text, offset=offset, limit=limit, terms=highlight_terms(parsed), sort=sort
        )
        filters = request.filters
        browse = parsed.query is None and not parsed.text and any(filters.values())
        if parsed.query is None and not browse:
            result.message = parsed.message or "请输入检索词。"
            return result
        arrays = self._index_arrays(searcher)
        allowed = self.allowed(arrays, **filters)
        keys = arrays.date_first if sort == "date" else None

        if browse:
            result.browse = True
            ids = np.flatnonzero(allowed)
            final = arrays.prior[ids]
            k = offset + limit
            order = top_k(ids, final, k) if keys is None else top_k_by(ids, keys[ids], final, k)
            page = [(int(ids[i]), float(final[i])) for i in order]
            matched = ids
        else:
            assert parsed.query is not None
            page, matched = self._run(searcher, arrays, parsed.query, allowed, offset + limit, keys)
            if len(matched) == 0 and parsed.fallback is not None:
                page, matched = self._run(searcher, arrays, parsed.fallback, allowed, offset + limit, keys)
                if len(matched):
                    result.partial = True
                    result.message = PARTIAL_MESSAGE
        result.total = len(matched)
        if result.total == 0:
            result.message = EMPTY_MESSAGE if browse else parsed.message or EMPTY_MESSAGE
        elif parsed.message and not result.partial and not browse:
            result.message = parsed.message
        result.facets = self._facets(arrays, matched)
        terms = result.terms
        for docnum, score in page[offset : offset + limit]:
            result.results.append(self._hit(searcher.stored_fields(docnum), score, terms, parsed.amounts))
        return result

    def _run(
        self,
        searcher: Any,
        arrays: IndexArrays,
        query: Any,
        allowed: np.ndarray,
        k: int,
        keys: np.ndarray | None = None,
    ) -> tuple[list[tuple[int, float]], np.ndarray]:
        """(the best ``k`` allowed hits as (document number, score), the sorted document numbers of every allowed
        match); with ``keys`` (dates) the page is ordered by key first."""
        weighting = searcher.weighting
        try:
            hits, best = Evaluator(arrays, searcher.reader(), B=weighting.B, K1=weighting.K1).top(
                query, allowed, arrays.prior, k, keys=keys, cap=True
            )
            return [(int(hits.ids[i]), float(hits.score[i])) for i in best], hits.ids
        except Unsupported:
            pass
        # A query node the evaluator does not implement: Whoosh scores every match; remember each one.
        if not allowed.any():  # (Whoosh reads an empty allow set as "no filter")
            return [], np.zeros(0, dtype=np.int64)
        top = _RecordingTopCollector(k if keys is None else int(allowed.sum()) or 1)
        collector = collectors.FilterCollector(top, allow=set(np.flatnonzero(allowed).tolist()))
        searcher.search_with_collector(query, collector)
        page = [(hit.docnum, float(hit.score or 0.0)) for hit in collector.results()]
        if keys is not None:
            page.sort(key=lambda p: (-keys[p[0]], -p[1], p[0]))
            page = page[:k]
        return page, np.unique(np.asarray(top.matched, dtype=np.int64))

    def _hit(
        self,
        hit: Mapping[str, Any],
        score: float,
        terms: list[str],
        amounts: tuple[AmountQuery, ...] = (),
    ) -> Hit:
        return make_hit(hit, score, terms, amounts)

    def documents(self, request: SearchRequest) -> list[tuple[str, int]]:
        """(document id, number of matching hits) of every document with a hit that matches all of the request
        (its query, filters and match mode; partial matches do not count), newest document first (then by id).
        What a saved search compares with the last visit; the window, order and snippets of the request are
        ignored."""
        searcher = self._searcher()
        parsed = self.parse(request.q, request.field, exact=request.exact)
        arrays = self._index_arrays(searcher)
        allowed = self.allowed(arrays, **request.filters)
        if parsed.query is None:
            if parsed.text or not any(request.filters.values()):
                return []
            matched = np.flatnonzero(allowed)
        else:
            _, matched = self._run(searcher, arrays, parsed.query, allowed, 1)
        facet = arrays.facets["doc"]
        codes = facet.codes[matched]
        if len(codes) == 0:
            return []
        found, counts = np.unique(codes, return_counts=True)
        newest = np.full(len(facet.values), -1, dtype=np.int64)
        np.maximum.at(newest, codes, arrays.date_first[matched])
        order = sorted(range(len(found)), key=lambda i: (-newest[found[i]], facet.values[found[i]]))
        return [(facet.values[found[i]], int(counts[i])) for i in order if found[i] != 0]

    def related(self, measure_id: str, limit: int = 5) -> list[Hit]:
        """Measures of other documents most like this one (by the key terms of its text).

        Whoosh's ``more_like``: the 12 key terms of the measure's text (Bo1 model) ORed with their
        weights as boosts, here scored by the evaluator over the measures of the other documents. The key terms
        come from the first ``RELATED_CHARS`` characters: a measure of a million characters costs no more than a
        long one (a page answers in well under a second).
        """
        searcher = self._searcher()
        docnum = searcher.document_number(id=measure_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        text = ((stored.get("title") or "") + "\n" + (stored.get("body") or ""))[:RELATED_CHARS]
        key_terms = searcher.key_terms_from_text("body", text, numterms=12, normalize=False)
        if not key_terms:
            return []
        query = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
        arrays = self._index_arrays(searcher)
        allowed = (
            arrays.live & arrays.facets["type"].mask("measure") & ~arrays.facets["doc"].mask(stored["doc_id"])
        )
        page, _ = self._run(searcher, arrays, query, allowed, limit)
        return [self._hit(searcher.stored_fields(d), score, []) for d, score in page]
