"""``KnowledgeBase``: the read API over one generation (documents, measures, targets, results, clauses by id and in
lists).

The generation's JSON is the source of truth (``catalog.json`` for lists and lookups, ``docs/<id>.json`` for each
document's text and outline, loaded lazily, ``indicators.json`` for the indicator series, loaded on first use); see
``kb.store.generations`` for the layout of ``index/``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cachetools import LRUCache

from kb import ids
from kb.extract.indicators import Indicators, Series, indicators_from_dict
from kb.extract.places import find_clause
from kb.extract.validity import LawStatus
from kb.model import RESULT, TARGET, Clause, Document, DocumentKB, Measure, Quantity
from kb.store.codec import document_from_dict, kb_from_dict, measure_from_dict, quantity_from_dict
from kb.store.generations import StoreError, current_generation, read_json


@dataclass
class Category:
    name: str
    description: str
    measure_ids: list[str] = field(default_factory=list)
    group: str = ""  # 科技 (the bureau's desks) or 主题分类, when the catalog says (taxonomy.toml ``group``)


@runtime_checkable
class KnowledgeReader(Protocol):
    """The read API the site and the CLI use, whatever holds the generation: ``KnowledgeBase`` (JSON files) or
    ``kb.search.backends.postgresql.PostgresKnowledgeBase`` (tables). Both answer alike for the same build."""

    meta: dict[str, Any]
    rejected: list[dict[str, str]]

    @property
    def generation_name(self) -> str: ...
    @property
    def categories(self) -> list[Category]: ...
    def built_at(self) -> float | None: ...
    def manifest(self) -> dict[str, Any]: ...
    def documents(self) -> list[Document]: ...
    def document(self, doc_id: str) -> Document | None: ...
    def document_counts(self, doc_id: str) -> dict[str, int]: ...
    def document_kb(self, doc_id: str) -> DocumentKB | None: ...
    def references(self, doc_id: str) -> list[dict[str, Any]]: ...
    def cited_by(self, doc_id: str) -> list[tuple[str, int]]: ...
    def same_title(self, doc_id: str) -> list[str]: ...
    def abolished_by(self, doc_id: str) -> list[str]: ...
    def law_status(self, doc_id: str) -> LawStatus: ...
    def validity_evidence(self) -> dict[str, str]: ...
    def measures(self, doc_id: str | None = None, category: str | None = None) -> list[Measure]: ...
    def measure(self, measure_id: str) -> Measure | None: ...
    def quantities(self, doc_id: str | None = None, kind: str | None = None) -> list[Quantity]: ...
    def targets(self, doc_id: str | None = None) -> list[Quantity]: ...
    def results(self, doc_id: str | None = None) -> list[Quantity]: ...
    def quantity(self, quantity_id: str) -> Quantity | None: ...
    def target(self, target_id: str) -> Quantity | None: ...
    def result(self, result_id: str) -> Quantity | None: ...
    def category(self, name: str) -> Category | None: ...
    def clause(self, clause_id: str) -> tuple[Clause, list[Clause]] | None: ...
    def type_of(self, item_id: str) -> str | None: ...
    def indicator_series(self, region: str | None = None) -> list[Series]: ...
    def indicator(self, series_id: str) -> Series | None: ...
    def indicator_of(self, item_id: str) -> Series | None: ...
    def indicator_regions(self) -> list[tuple[str, int]]: ...
    def indicator_status(self) -> dict[str, Any]: ...
    def series_curation(self) -> dict[str, Any]: ...
    def series_marks(self, series_id: str) -> list[dict[str, Any]]: ...
    def conflict_notes(self, series_id: str) -> dict[int, dict[str, Any]]: ...
    def stats(self) -> dict[str, int]: ...
    def close(self) -> None: ...


class IndicatorReads:
    """The indicator series of a generation and the staff's series decisions the build recorded, for either
    knowledge base: it gives ``_indicator_data`` (the generation's indicator JSON) and sets ``_indicators`` to None,
    ``_lock``, ``_series_by_id``, ``_series_by_item`` and ``_series_curation`` at opening."""

    _indicators: Indicators | None
    _lock: threading.Lock
    _series_by_id: dict[str, Series]
    _series_by_item: dict[str, Series]
    _series_curation: dict[str, Any]

    def _indicator_data(self) -> Any:
        """The generation's indicator data (``{"error": "missing"}`` when it has none)."""
        raise NotImplementedError

    def _load_indicators(self) -> Indicators:
        if self._indicators is not None:
            return self._indicators
        # Read outside the lock (reading may take it: a new connection); two threads may both read, one keeps.
        data = self._indicator_data()
        indicators = indicators_from_dict(data)
        with self._lock:
            if self._indicators is None:
                self._series_curation = series_decisions_of(data)
                self._series_by_id = {s.id: s for s in indicators.series}
                self._series_by_item = {p.item_id: s for s in indicators.series for p in s.points}
                self._indicators = indicators
        return self._indicators

    def indicator_series(self, region: str | None = None) -> list[Series]:
        """Every indicator series (conflicts and misses first), or those of one region."""
        return [s for s in self._load_indicators().series if region is None or s.region == region]

    def indicator(self, series_id: str) -> Series | None:
        self._load_indicators()
        return self._series_by_id.get(series_id)

    def indicator_of(self, item_id: str) -> Series | None:
        """The series a target or result belongs to, if any."""
        self._load_indicators()
        return self._series_by_item.get(item_id)

    def indicator_regions(self) -> list[tuple[str, int]]:
        """(region, number of series), most series first."""
        counts: dict[str, int] = {}
        for series in self._load_indicators().series:
            counts[series.region] = counts.get(series.region, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def indicator_status(self) -> dict[str, Any]:
        """What the build counted while making the series; ``error`` is "missing" for a generation built before
        indicator series existed and the configuration problem when indicators.toml could not be read."""
        indicators = self._load_indicators()
        return {**indicators.stats, "error": indicators.error}

    def series_curation(self) -> dict[str, Any]:
        """``kb.extract.curation.SeriesCuration.finish``'s record: ``seq``, ``marks`` and ``notes`` by series id,
        ``applied``, ``stale``; {} when there are none."""
        self._load_indicators()
        return self._series_curation

    def series_marks(self, series_id: str) -> list[dict[str, Any]]:
        """The staff decisions applied to a series (merged into it, split from it, a conflict explained)."""
        return list(self.series_curation().get("marks", {}).get(series_id, []))

    def conflict_notes(self, series_id: str) -> dict[int, dict[str, Any]]:
        """The explained conflicts of a series by year: the note, who and when."""
        notes = self.series_curation().get("notes", {}).get(series_id, {})
        return {int(year): dict(note) for year, note in notes.items() if str(year).isdigit()}


def series_decisions_of(data: Any) -> dict[str, Any]:
    """The ``curation`` record inside a generation's indicator data ({} when there is none)."""
    curation = data.get("curation") if isinstance(data, dict) else None
    return curation if isinstance(curation, dict) else {}


class DocumentStatus:
    """What the sources say of a document's validity, for either knowledge base: from ``document``, the document
    links (``_document_links``: who abolishes a title, other versions of it) and ``_evidence`` (set to None at
    opening)."""

    _evidence: dict[str, str] | None

    def document(self, doc_id: str) -> Document | None:
        raise NotImplementedError

    def _document_links(self) -> DocumentLinks:
        raise NotImplementedError

    def law_status(self, doc_id: str) -> LawStatus:
        """What the sources say of a document's validity (``kb.extract.validity.law_status``): its own source, a
        document of the knowledge base abolishing it, a later version of the same title (laws and rules only)."""
        from kb.extract.validity import LAW_GENRES, law_status

        doc = self.document(doc_id)
        if doc is None:
            return law_status("", "", "")
        links = self._document_links()
        abolishers = [self.document(i) for i in links.abolished_by.get(doc_id, [])]
        versions = (
            [self.document(i) for i in links.same_title.get(doc_id, [])] if doc.genre in LAW_GENRES else []
        )
        return law_status(
            doc.status,
            doc.history,
            doc.date,
            abolished_by=[(d.id, d.title, d.date) for d in abolishers if d is not None],
            later_versions=[(d.id, d.date) for d in versions if d is not None],
        )

    def validity_evidence(self) -> dict[str, str]:
        """Document id → the status other documents of the knowledge base give it (已废止 by an abolishing
        document, 已修改 by a later version), for the documents they concern; computed once per generation."""
        evidence = self._evidence
        if evidence is None:
            links = self._document_links()
            concerned = set(links.abolished_by) | set(links.same_title)
            evidence = {}
            for doc_id in sorted(concerned):
                status = self.law_status(doc_id)
                if status.status and status.by:
                    evidence[doc_id] = status.status
            self._evidence = evidence
        return dict(evidence)


class Lookups:
    """A category by name and a clause by id, for either knowledge base: from ``categories`` and
    ``document_kb``."""

    categories: list[Category]

    def document_kb(self, doc_id: str) -> DocumentKB | None:
        raise NotImplementedError

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

    def clause(self, clause_id: str) -> tuple[Clause, list[Clause]] | None:
        """The clause and its ancestors (root first), or None."""
        if ids.type_of(clause_id) != "clause":
            return None
        dkb = self.document_kb(ids.document_of(clause_id))
        if dkb is None:
            return None
        return find_clause(dkb.outline, clause_id)


class KnowledgeBase(IndicatorReads, DocumentStatus, Lookups):
    """Read-only view of one generation: documents, measures, targets, results, clauses, by id and in lists."""

    def __init__(self, generation: Path, cache_size: int = 64) -> None:
        self.generation = generation
        catalog = read_json(generation / "catalog.json")
        self.meta: dict[str, Any] = catalog.get("meta", {})
        self.rejected: list[dict[str, str]] = catalog.get("rejected", [])
        self._documents: dict[str, Document] = {}
        self._doc_info: dict[str, dict[str, Any]] = {}
        for entry in catalog["documents"]:
            info = dict(entry)
            extra = {k: info.pop(k) for k in ("counts", "references") if k in info}
            self._documents[info["id"]] = document_from_dict({**info, "text": ""})
            self._doc_info[info["id"]] = extra
        self._measures: dict[str, Measure] = {}
        for data in catalog["measures"]:
            measure = measure_from_dict(data)
            self._measures[measure.id] = measure
        self._quantities: dict[str, Quantity] = {}
        for data in catalog.get("quantities", []):
            quantity = quantity_from_dict(data)
            self._quantities[quantity.id] = quantity
        self.categories: list[Category] = [
            Category(c["name"], c.get("description", ""), [], c.get("group", ""))
            for c in catalog.get("categories", [])
        ]
        by_name = {c.name: c for c in self.categories}
        for measure in self._measures.values():
            for name in measure.categories:
                category = by_name.get(name)
                if category is None:
                    category = Category(name, "")
                    by_name[name] = category
                    self.categories.append(category)
                category.measure_ids.append(measure.id)
        self._cache: LRUCache[str, DocumentKB] = LRUCache(maxsize=max(1, cache_size))
        self._lock = threading.Lock()
        self._indicators: Indicators | None = None
        self._series_by_id: dict[str, Series] = {}
        self._series_by_item: dict[str, Series] = {}
        self._links: DocumentLinks | None = None
        self._evidence: dict[str, str] | None = None
        self._series_curation: dict[str, Any] = {}

    @property
    def generation_name(self) -> str:
        return self.generation.name

    def built_at(self) -> float | None:
        """When the build sealed the generation (its meta.json), as a timestamp."""
        try:
            return (self.generation / "meta.json").stat().st_mtime
        except OSError:
            return None

    def manifest(self) -> dict[str, Any]:
        """Source file → content hash, document id, curation digest (what the build saw)."""
        try:
            data = read_json(self.generation / "manifest.json")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def close(self) -> None:
        """Nothing to release (files are read and closed)."""

    @classmethod
    def open(cls, index_dir: Path) -> KnowledgeBase:
        generation = current_generation(index_dir)
        if generation is None:
            raise StoreError(
                f"索引不存在：{index_dir}。请先运行 `policykb build`。"
                f" No index at {index_dir}: run `policykb build` first."
            )
        return cls(generation)

    # -- documents
    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def document_counts(self, doc_id: str) -> dict[str, int]:
        return dict(self._doc_info.get(doc_id, {}).get("counts", {}))

    def document_kb(self, doc_id: str) -> DocumentKB | None:
        """The full knowledge of one document (text, outline, ...), loaded lazily and cached."""
        if doc_id not in self._documents:
            return None
        with self._lock:
            cached = self._cache.get(doc_id)
            if cached is not None:
                return cached
        path = self.generation / "docs" / f"{doc_id}.json"
        try:
            dkb = kb_from_dict(read_json(path))
        except (OSError, ValueError, KeyError):
            return None
        with self._lock:
            self._cache[doc_id] = dkb
        return dkb

    # -- documents citing documents (the references resolved at build time, kb.extract.references)
    def references(self, doc_id: str) -> list[dict[str, Any]]:
        """The references a document makes: text, kind (title | doc_number), clause_id, resolved_id, relation."""
        return [dict(r) for r in self._doc_info.get(doc_id, {}).get("references", [])]

    def cited_by(self, doc_id: str) -> list[tuple[str, int]]:
        """(citing document id, how many times) for every document whose references resolve to ``doc_id``."""
        return list(self._document_links().cited_by.get(doc_id, []))

    def same_title(self, doc_id: str) -> list[str]:
        """The other documents with the same title (other versions of a law), by date."""
        return list(self._document_links().same_title.get(doc_id, []))

    def abolished_by(self, doc_id: str) -> list[str]:
        """The documents that abolish this one's title ("废止《…》", "《…》同时废止"; ``Reference.relation``)."""
        return list(self._document_links().abolished_by.get(doc_id, []))

    def _document_links(self) -> DocumentLinks:
        links = self._links
        if links is None:
            links = DocumentLinks.build(self._documents, self._doc_info)
            self._links = links
        return links

    # -- measures and targets
    def measures(self, doc_id: str | None = None, category: str | None = None) -> list[Measure]:
        return [
            m
            for m in self._measures.values()
            if (doc_id is None or m.doc_id == doc_id) and (category is None or category in m.categories)
        ]

    def measure(self, measure_id: str) -> Measure | None:
        return self._measures.get(measure_id)

    # -- quantities: targets (goals) and results (what was achieved), told apart by ``Quantity.kind``
    def quantities(self, doc_id: str | None = None, kind: str | None = None) -> list[Quantity]:
        """Targets and results in reading order (``kind`` "target" or "result": only those)."""
        return [
            q
            for q in self._quantities.values()
            if (doc_id is None or q.doc_id == doc_id) and (kind is None or q.kind == kind)
        ]

    def targets(self, doc_id: str | None = None) -> list[Quantity]:
        """Goals only: never a result."""
        return self.quantities(doc_id, TARGET)

    def results(self, doc_id: str | None = None) -> list[Quantity]:
        """What documents say was achieved: never a target."""
        return self.quantities(doc_id, RESULT)

    def quantity(self, quantity_id: str) -> Quantity | None:
        return self._quantities.get(quantity_id)

    def target(self, target_id: str) -> Quantity | None:
        """The target with this id; None for a result's id."""
        found = self._quantities.get(target_id)
        return found if found is not None and found.kind == TARGET else None

    def result(self, result_id: str) -> Quantity | None:
        """The result with this id; None for a target's id."""
        found = self._quantities.get(result_id)
        return found if found is not None and found.kind == RESULT else None

    def type_of(self, item_id: str) -> str | None:
        """'document', 'measure', 'target', 'result' or 'clause' for a known id, else None."""
        if item_id in self._documents:
            return "document"
        if item_id in self._measures:
            return "measure"
        quantity = self._quantities.get(item_id)
        if quantity is not None:
            return quantity.kind
        if self.clause(item_id) is not None:
            return "clause"
        return None

    # -- indicator series (IndicatorReads)
    def _indicator_data(self) -> Any:
        try:
            return read_json(self.generation / "indicators.json")
        except (OSError, ValueError):
            return {"error": "missing"}

    def stats(self) -> dict[str, int]:
        return {
            "documents": len(self._documents),
            "measures": len(self._measures),
            "targets": sum(q.kind == TARGET for q in self._quantities.values()),
            "results": sum(q.kind == RESULT for q in self._quantities.values()),
            "links": sum(len(m.targets) for m in self._measures.values()),
        }


@dataclass
class DocumentLinks:
    """Who cites whom, computed once per generation from the catalog."""

    cited_by: dict[str, list[tuple[str, int]]]
    same_title: dict[str, list[str]]
    abolished_by: dict[str, list[str]]

    @classmethod
    def build(cls, documents: dict[str, Document], info: dict[str, dict[str, Any]]) -> DocumentLinks:
        from kb.extract.references import normalize_title
        from kb.extract.validity import ABOLISHES

        by_title: dict[str, list[str]] = {}
        for doc in documents.values():
            if doc.title:
                by_title.setdefault(normalize_title(doc.title), []).append(doc.id)
        counts: dict[str, dict[str, int]] = {}
        abolished: dict[str, list[str]] = {}
        for doc_id, extra in info.items():
            for ref in extra.get("references", []):
                target = ref.get("resolved_id") or ""
                if target and target != doc_id:
                    per = counts.setdefault(target, {})
                    per[doc_id] = per.get(doc_id, 0) + 1
                if ref.get("relation") == ABOLISHES:  # every version of the abolished title
                    for other in by_title.get(normalize_title(ref.get("text", "")), []):
                        if other != doc_id and doc_id not in abolished.setdefault(other, []):
                            abolished[other].append(doc_id)
        cited_by = {
            target: sorted(per.items(), key=lambda kv: (-kv[1], kv[0])) for target, per in counts.items()
        }
        same_title = {}
        for ids_ in by_title.values():
            if len(ids_) > 1:
                ordered = sorted(ids_, key=lambda i: (documents[i].date, i))
                for doc_id in ordered:
                    same_title[doc_id] = [i for i in ordered if i != doc_id]
        return cls(cited_by, same_title, abolished)


def is_current(kb: KnowledgeBase, index_dir: Path) -> bool:
    live = current_generation(index_dir)
    return live is not None and live.resolve() == kb.generation.resolve()
