"""``PostgresKnowledgeBase``: the knowledge base read API (``kb.store.knowledge.KnowledgeReader``) over one
generation held in PostgreSQL.

Lists and lookups are queries on the generation's partitions (``documents``, ``measures``, ``quantities``); a
document's whole knowledge (text, outline) is its ``document_kbs`` row, kept in a small cache; the indicator
series, categories, rejected files and manifest are columns of its ``generations`` row. Nothing is read from files:
every web process reading the same database answers alike.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from kb.extract.indicators import Indicators, Series
from kb.model import RESULT, TARGET, Document, DocumentKB, Measure, Quantity
from kb.search.backends.postgresql import sql
from kb.search.backends.postgresql.generations import live_generation, open_generation
from kb.store.codec import document_from_dict, kb_from_dict, measure_from_dict, quantity_from_dict
from kb.store.knowledge import Category, DocumentLinks, DocumentStatus, IndicatorReads, Lookups


class PostgresKnowledgeBase(IndicatorReads, DocumentStatus, Lookups):
    """Read-only view of one generation in the database (see the module docstring)."""

    def __init__(self, url: str, generation: str | None = None, cache_size: int = 64) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._series_curation: dict[str, Any] = {}
        self._connections = sql.ThreadConnections(url, "policykb read")
        con = self._con()
        self.id, self.generation_name = open_generation(con, generation)
        row = con.run(
            "SELECT stats, categories, rejected, built_at FROM generations WHERE id = :g", g=self.id
        )[0]
        self.meta: dict[str, Any] = row[0] or {}
        self.rejected: list[dict[str, str]] = row[2] or []
        self._built_at: datetime | None = row[3]
        self._category_info: list[dict[str, str]] = row[1] or []
        self._categories: list[Category] | None = None
        self._documents: dict[str, Document] | None = None
        self._doc_info: dict[str, dict[str, Any]] | None = None
        self._doc_segment: dict[str, int] = {}
        self._cache: OrderedDict[str, DocumentKB] = OrderedDict()
        self._cache_size = cache_size
        self._measures: OrderedDict[str, Measure | None] = OrderedDict()
        self._indicators: Indicators | None = None
        self._series_by_id: dict[str, Series] = {}
        self._series_by_item: dict[str, Series] = {}
        self._links: DocumentLinks | None = None
        self._evidence: dict[str, str] | None = None

    # -- plumbing -----------------------------------------------------------------------------------------

    def _con(self) -> Any:
        return self._connections.get()

    def _table(self, table: str) -> str:
        """This generation's partition of a catalog table: queries name it, not the parent, so a read replica's
        queries never hold locks on the partitions a build drops (the replay of a DROP would cancel them)."""
        return sql.partition(table, self.id)

    def _run(self, query: str, **params: Any) -> list[Any]:
        """A query of this generation (``:g``); once more on a fresh connection after a transient failure."""
        try:
            return sql.run_prepared(self._con(), query, g=self.id, **params)
        except Exception as exc:
            if not sql.is_transient(exc):
                raise
            self._connections.drop()
            return sql.run_prepared(self._con(), query, g=self.id, **params)

    def close(self) -> None:
        self._connections.close_all()

    @property
    def generation(self) -> str:
        return self.generation_name

    def built_at(self) -> float | None:
        return self._built_at.timestamp() if self._built_at is not None else None

    def manifest(self) -> dict[str, Any]:
        row = self._run("SELECT manifest FROM generations WHERE id = :g")
        return (row[0][0] if row else None) or {}

    def is_current(self) -> bool:
        live = live_generation(self._con())
        return live is not None and live[0] == self.id

    # -- documents ----------------------------------------------------------------------------------------

    def _load_documents(self) -> dict[str, Document]:
        if self._documents is None:
            documents: dict[str, Document] = {}
            info: dict[str, dict[str, Any]] = {}
            segments: dict[str, int] = {}
            for doc_id, segment, entry in self._run(
                f"SELECT id, segment, entry FROM {self._table('documents')} WHERE generation = :g ORDER BY ord"
            ):
                extra = {k: entry.pop(k) for k in ("counts", "references") if k in entry}
                documents[doc_id] = document_from_dict({**entry, "text": ""})
                info[doc_id] = extra
                segments[doc_id] = int(segment)
            with self._lock:
                self._doc_info, self._doc_segment, self._documents = info, segments, documents
        return self._documents

    def documents(self) -> list[Document]:
        return list(self._load_documents().values())

    def document(self, doc_id: str) -> Document | None:
        return self._load_documents().get(doc_id)

    def document_counts(self, doc_id: str) -> dict[str, int]:
        self._load_documents()
        assert self._doc_info is not None
        return dict(self._doc_info.get(doc_id, {}).get("counts", {}))

    def document_kb(self, doc_id: str) -> DocumentKB | None:
        with self._lock:
            cached = self._cache.get(doc_id)
            if cached is not None:
                self._cache.move_to_end(doc_id)
                return cached
        self._load_documents()
        segment = self._doc_segment.get(doc_id)
        if segment is None:
            return None
        rows = self._run(
            f"SELECT data FROM {sql.partition('document_kbs', segment)} WHERE doc_id = :d", d=doc_id
        )
        if not rows:
            return None
        dkb = kb_from_dict(json.loads(rows[0][0]))
        with self._lock:
            self._cache[doc_id] = dkb
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return dkb

    def references(self, doc_id: str) -> list[dict[str, Any]]:
        self._load_documents()
        assert self._doc_info is not None
        return [dict(r) for r in self._doc_info.get(doc_id, {}).get("references", [])]

    def cited_by(self, doc_id: str) -> list[tuple[str, int]]:
        return list(self._document_links().cited_by.get(doc_id, []))

    def same_title(self, doc_id: str) -> list[str]:
        return list(self._document_links().same_title.get(doc_id, []))

    def abolished_by(self, doc_id: str) -> list[str]:
        return list(self._document_links().abolished_by.get(doc_id, []))

    def _document_links(self) -> DocumentLinks:
        if self._links is None:
            documents = self._load_documents()
            assert self._doc_info is not None
            self._links = DocumentLinks.build(documents, self._doc_info)
        return self._links

    # -- measures and quantities -------------------------------------------------------------------------

    def measures(self, doc_id: str | None = None, category: str | None = None) -> list[Measure]:
        where = ["generation = :g"]
        params: dict[str, Any] = {}
        if doc_id is not None:
            where.append("doc_id = :d")
            params["d"] = doc_id
        if category is not None:
            where.append(":c = ANY(categories)")
            params["c"] = category
        rows = self._run(
            f"SELECT data FROM {self._table('measures')} WHERE {' AND '.join(where)} ORDER BY ord", **params
        )
        return [measure_from_dict(data) for (data,) in rows]

    def measure(self, measure_id: str) -> Measure | None:
        with self._lock:
            if measure_id in self._measures:
                self._measures.move_to_end(measure_id)
                return self._measures[measure_id]
        rows = self._run(
            f"SELECT data FROM {self._table('measures')} WHERE generation = :g AND id = :i", i=measure_id
        )
        found = measure_from_dict(rows[0][0]) if rows else None
        with self._lock:
            self._measures[measure_id] = found
            while len(self._measures) > 4096:
                self._measures.popitem(last=False)
        return found

    def quantities(self, doc_id: str | None = None, kind: str | None = None) -> list[Quantity]:
        where = ["generation = :g"]
        params: dict[str, Any] = {}
        if doc_id is not None:
            where.append("doc_id = :d")
            params["d"] = doc_id
        if kind is not None:
            where.append("kind = :k")
            params["k"] = kind
        rows = self._run(
            f"SELECT data FROM {self._table('quantities')} WHERE {' AND '.join(where)} ORDER BY ord", **params
        )
        return [quantity_from_dict(data) for (data,) in rows]

    def targets(self, doc_id: str | None = None) -> list[Quantity]:
        return self.quantities(doc_id, TARGET)

    def results(self, doc_id: str | None = None) -> list[Quantity]:
        return self.quantities(doc_id, RESULT)

    def quantity(self, quantity_id: str) -> Quantity | None:
        rows = self._run(
            f"SELECT data FROM {self._table('quantities')} WHERE generation = :g AND id = :i", i=quantity_id
        )
        return quantity_from_dict(rows[0][0]) if rows else None

    def target(self, target_id: str) -> Quantity | None:
        found = self.quantity(target_id)
        return found if found is not None and found.kind == TARGET else None

    def result(self, result_id: str) -> Quantity | None:
        found = self.quantity(result_id)
        return found if found is not None and found.kind == RESULT else None

    @property
    def categories(self) -> list[Category]:
        if self._categories is None:
            categories = [
                Category(c["name"], c.get("description", ""), [], c.get("group", ""))
                for c in self._category_info
            ]
            by_name = {c.name: c for c in categories}
            for name, measure_ids in self._run(
                f"SELECT c, array_agg(id ORDER BY ord) FROM {self._table('measures')}, unnest(categories) AS c"
                " WHERE generation = :g GROUP BY c"
            ):
                category = by_name.get(name)
                if category is None:
                    category = by_name[name] = Category(name, "")
                    categories.append(category)
                category.measure_ids = list(measure_ids)
            self._categories = categories
        return self._categories

    def type_of(self, item_id: str) -> str | None:
        if item_id in self._load_documents():
            return "document"
        if self.measure(item_id) is not None:
            return "measure"
        quantity = self.quantity(item_id)
        if quantity is not None:
            return quantity.kind
        if self.clause(item_id) is not None:
            return "clause"
        return None

    # -- indicator series ---------------------------------------------------------------------------------

    def _indicator_data(self) -> Any:
        rows = self._run("SELECT indicators FROM generations WHERE id = :g")
        return (rows[0][0] if rows else None) or {"error": "missing"}

    def stats(self) -> dict[str, int]:
        keys = ("documents", "measures", "targets", "results", "links")
        return {k: int(self.meta.get(k, 0)) for k in keys}
