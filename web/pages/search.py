"""The search page: hits with marked titles and snippets, facets, paging; the JSON twin adds the raw result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from kb.search.engine import SearchResult
from kb.search.schema import FACETS, KIND_LABELS, KINDS
from web.pages import Context, Page
from web.pages.shapes import measure_brief
from web.security import bounded_filter, bounded_page, bounded_query

PER_PAGE = 10


def search_query(args: Mapping[str, str]) -> dict[str, Any]:
    """The search form's values from the query string, bounded."""
    kind = bounded_filter(args.get("kind"))
    return {
        "q": bounded_query(args.get("q")),
        "kind": kind if kind in KINDS else None,
        "category": bounded_filter(args.get("category")),
        "doc": bounded_filter(args.get("doc")),
        "agency": bounded_filter(args.get("agency")),
        "year": bounded_filter(args.get("year")),
        "page": bounded_page(args.get("page")),
    }


def search_url(params: Mapping[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    query = {k: v for k, v in merged.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return "/search" + ("?" + urlencode(query) if query else "")


def search_data(
    ctx: Context,
    q: str = "",
    kind: str | None = None,
    category: str | None = None,
    doc: str | None = None,
    agency: str | None = None,
    year: str | None = None,
    page: int = 1,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "q": q,
        "kind": kind,
        "category": category,
        "doc": doc,
        "agency": agency,
        "year": year,
        "page": page,
    }
    filters = {name: params[name] for name in FACETS}
    engine, kb = ctx.opened.engine, ctx.kb

    def run(page: int) -> SearchResult:
        return engine.search(q, **filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)

    result = run(page)
    pages = max(1, -(-result.total // PER_PAGE))
    out_of_range = page > pages and result.total > 0
    if out_of_range:
        page = pages
        result = run(page)
    params["page"] = page

    def value_label(name: str, value: str) -> str:
        if name == "kind":
            return KIND_LABELS.get(value, value)
        if name == "doc":
            found = kb.document(value)
            return found.title if found is not None else value
        return value

    facets = []
    for name, label in FACETS.items():
        values = []
        for value, count in result.facets.get(name, []):
            active = filters[name] == value
            values.append(
                {
                    "value": value,
                    "label": value_label(name, value),
                    "count": count,
                    "active": active,
                    "url": search_url(params, **{name: None if active else value, "page": 1}),
                }
            )
        if values:
            facets.append({"name": name, "label": label, "options": values})
    active_filters = [
        {
            "name": name,
            "label": FACETS[name],
            "value": value,
            "value_label": value_label(name, value),
            "remove_url": search_url(params, **{name: None, "page": 1}),
        }
        for name, value in filters.items()
        if value
    ]
    linked_targets: dict[str, list[dict[str, Any]]] = {}
    for hit in result.results:
        if hit.kind == "measure":
            measure = kb.measure(hit.id)
            if measure is not None:
                linked_targets[hit.id] = measure_brief(kb, measure)["targets"]
    return {
        "params": params,
        "result": result,
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "out_of_range": out_of_range,
        "prev_url": search_url(params, page=page - 1) if page > 1 else None,
        "next_url": search_url(params, page=page + 1) if page < pages else None,
        "facets": facets,
        "active_filters": active_filters,
        "linked_targets": linked_targets,
        "kind_labels": KIND_LABELS,
    }


def search_json(data: dict[str, Any]) -> dict[str, Any]:
    """The /api/search body: SearchResult.to_json() plus paging and the targets of measure hits."""
    return {
        **data["result"].to_json(),
        "page": data["page"],
        "pages": data["pages"],
        "linked_targets": data["linked_targets"],
    }


PAGES = [Page("/search", "search", search_data, "search.html", query=search_query, json=search_json)]
