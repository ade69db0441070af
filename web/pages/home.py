"""The home page: counts, categories and the document list — filterable by agency, year and 文种, sortable, paged.

Parameters: ``agency`` (an agency, else the agencies containing the text), ``year``, ``genre`` (文种; the old name
``kind`` is still read), each ``未注明`` for the documents that lack it; ``sort=date`` (newest first; by default plans — documents
with measures — come first, newest first within each group); ``page``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from kb.search.filters import agency_matcher
from kb.search.query import default_synonyms
from kb.urls import category_url
from web.pages import Context, Page
from web.pages.browse import NOT_STATED, document_validity, options, page_count, url_with
from web.pages.categories import ordered_categories
from web.pages.shapes import document_brief
from web.security import bounded_filter, bounded_page

DOCS_PER_PAGE = 50
FACET_VALUES = 30
FILTERS = {"genre": "文种", "agency": "发布机构", "year": "年份"}
SORT_LABELS = {"": "计划类文件在前", "date": "按日期（新→旧）"}


def home_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {
        "page": bounded_page(args.get("page")),
        "agency": bounded_filter(args.get("agency")),
        "year": bounded_filter(args.get("year")),
        "genre": bounded_filter(args.get("genre") or args.get("kind")),
        "sort": "date" if args.get("sort") == "date" else None,
    }


def _value(doc: Any, name: str) -> str:
    if name == "genre":
        return doc.genre
    return doc.agency if name == "agency" else doc.year


def summary_data(
    ctx: Context,
    page: int = 1,
    agency: str | None = None,
    year: str | None = None,
    genre: str | None = None,
    sort: str | None = None,
) -> dict[str, Any]:
    kb = ctx.kb
    params: dict[str, Any] = {"agency": agency, "year": year, "genre": genre, "sort": sort, "page": page}
    everything = kb.documents()
    keep = _document_filter(everything, agency=agency, year=year, genre=genre)
    documents = _sorted_documents(kb, [d for d in everything if keep(d)], sort)
    pages = page_count(len(documents), DOCS_PER_PAGE)
    page = min(max(1, page), pages)
    params["page"] = page
    shown = documents[(page - 1) * DOCS_PER_PAGE : page * DOCS_PER_PAGE]

    def link(**changes: Any) -> str:
        return url_with("/", params, **changes) + "#docs-h"

    return {
        "stats": kb.stats(),
        "categories": _categories(kb),
        "documents": [
            {**document_brief(kb, d), "validity": document_validity(kb, d, ctx.today)} for d in shown
        ],
        "documents_total": len(documents),
        "page": page,
        "pages": pages,
        "params": params,
        "facets": _facets(everything, keep, params, link),
        "active_filters": [
            {"name": n, "label": label, "value": params[n], "remove_url": link(**{n: None, "page": 1})}
            for n, label in FILTERS.items()
            if params[n]
        ],
        "sorts": [
            {"value": v, "label": label, "active": (sort or "") == v, "url": link(sort=v or None, page=1)}
            for v, label in SORT_LABELS.items()
        ],
        "prev_url": link(page=page - 1) if page > 1 else None,
        "next_url": link(page=page + 1) if page < pages else None,
    }


Keep = Callable[..., bool]


def _document_filter(
    everything: list[Any], *, agency: str | None, year: str | None, genre: str | None
) -> Keep:
    """``keep(doc, skip="")``: whether a document passes the filters (but ``skip``); ``agency`` accepts the
    agencies ``agency_matcher`` finds for it among the documents' agencies."""
    agencies = sorted({d.agency for d in everything if d.agency})
    accepted_agencies = set(agency_matcher(agency, agencies, default_synonyms())) if agency else set()

    def keep(doc: Any, skip: str = "") -> bool:
        for name, wanted in (("agency", agency), ("year", year), ("genre", genre)):
            if not wanted or name == skip:
                continue
            value = _value(doc, name)
            if wanted == NOT_STATED:
                if value:
                    return False
            elif name == "agency":
                if value not in accepted_agencies:
                    return False
            elif value != wanted:
                return False
        return True

    return keep


def _sorted_documents(kb: Any, documents: list[Any], sort: str | None) -> list[Any]:
    if sort == "date":
        documents.sort(key=lambda d: (d.date, d.title), reverse=True)
    else:
        # Plans (documents with measures) first, newest first; the list is paged so a corpus of thousands of
        # laws does not make the home page a megabyte.
        documents.sort(
            key=lambda d: (kb.document_counts(d.id).get("measures", 0) > 0, d.date, d.title), reverse=True
        )
    return documents


def _facets(
    everything: list[Any], keep: Keep, params: Mapping[str, Any], link: Callable[..., str]
) -> list[dict[str, Any]]:
    """The agency, year and 文种 choices with their counts. Counted here, not by the search engine: each facet
    counts the documents the *other* filters keep (the engine counts under all filters, so it would take one
    search per facet), and the year facet keeps the 30 newest years where the engine keeps the 30 most frequent
    values; the list's order (plans first) needs each document's measure count, which the engine does not hold."""
    facets = []
    for name, label in FILTERS.items():
        # Each facet counts the documents the *other* filters keep, so choosing a value never hides the others.
        counts = Counter(_value(d, name) or NOT_STATED for d in everything if keep(d, skip=name))
        if name == "year":  # newest first, 未注明 last
            ordered = sorted(counts.items(), key=lambda kv: (kv[0] != NOT_STATED, kv[0]), reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ordered = ordered[:FACET_VALUES]
        values = options(ordered, params[name], lambda v, name=name: link(**{name: v, "page": 1}))
        if values:
            facets.append({"name": name, "label": label, "options": values})
    return facets


def _categories(kb: Any) -> list[dict[str, Any]]:
    """The categories with their number of measures, the bureau's desks first."""
    categories = [
        {
            "name": c.name,
            "description": c.description,
            "count": len(c.measure_ids),
            "url": category_url(c.name),
        }
        for c in kb.categories
    ]
    order = {c.name: i for i, c in enumerate(ordered_categories(kb))}
    categories.sort(key=lambda c: order.get(c["name"], len(order)))
    return categories


def summary_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "stats": data["stats"],
        "categories": data["categories"],
        "documents": data["documents"],
        "documents_total": data["documents_total"],
        "page": data["page"],
        "pages": data["pages"],
        "params": {k: v for k, v in data["params"].items() if v},
        "facets": {
            f["name"]: [{"value": o["value"], "count": o["count"]} for o in f["options"]]
            for f in data["facets"]
        },
    }


PAGES = [
    Page(
        "/", "home", summary_data, "home.html", query=home_query, json=summary_json, api_aliases=("/summary",)
    ),
]
