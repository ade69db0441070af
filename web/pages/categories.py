"""Categories: the list with a preview of each, and one category's measures — paged, filtered, sorted.

A category page is the search engine listing the measures of the category (``type=measure``, ``category=``) with
no query, so its total and its document, agency and year counts are exactly what ``/search?category=…&type=measure``
shows, and a filter is the same mask. Parameters: ``page`` (``PER_PAGE`` measures a page), ``doc``, ``agency``,
``year`` (``未注明`` = documents without one), ``sort=date`` (newest document first; by default the documents in
index order, each document's measures in reading order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb.present import document_json
from kb.search.engine import SearchResult
from kb.urls import category_url
from web.pages import Context, Missing, Page
from web.pages.browse import document_validity, link_setting, options, run_paged, url_with
from web.pages.shapes import measure_brief
from web.security import bounded_filter, bounded_page

PER_PAGE = 50
FILTERS = {"doc": "文件", "agency": "发布机构", "year": "年份"}
SORT_LABELS = {"": "按文件", "date": "按日期（新→旧）"}


def categories_data(ctx: Context, preview: int = 5) -> dict[str, Any]:
    kb = ctx.kb
    out = []
    for category in kb.categories:
        measures = [m for m in (kb.measure(i) for i in category.measure_ids) if m is not None]
        out.append(
            {
                "name": category.name,
                "description": category.description,
                "count": len(measures),
                "url": category_url(category.name),
                "measures": [measure_brief(kb, m) for m in measures[:preview]],
            }
        )
    out.sort(key=lambda c: -c["count"])
    return {"categories": out}


def category_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {
        "page": bounded_page(args.get("page")),
        "doc": bounded_filter(args.get("doc")),
        "agency": bounded_filter(args.get("agency")),
        "year": bounded_filter(args.get("year")),
        "sort": "date" if args.get("sort") == "date" else None,
    }


def category_data(
    ctx: Context,
    name: str,
    page: int = 1,
    doc: str | None = None,
    agency: str | None = None,
    year: str | None = None,
    sort: str | None = None,
) -> dict[str, Any]:
    kb, engine = ctx.kb, ctx.opened.engine
    category = kb.category(name[:120])
    if category is None:
        raise Missing("没有这个类别。")
    base = category_url(category.name)
    params: dict[str, Any] = {"doc": doc, "agency": agency, "year": year, "sort": sort, "page": page}

    def run(page: int) -> SearchResult:
        return engine.search(
            "",
            type="measure",
            category=category.name,
            doc=doc,
            agency=agency,
            year=year,
            sort=sort or "relevance",
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )

    result, page, pages, out_of_range = run_paged(run, page, PER_PAGE)
    params["page"] = page

    groups: list[dict[str, Any]] = []
    for hit in result.results:
        measure = kb.measure(hit.id)
        if measure is None:
            continue
        if not groups or groups[-1]["document"]["id"] != measure.doc_id:
            found = kb.document(measure.doc_id)
            document = document_json(found) if found else {"id": measure.doc_id, "title": ""}
            validity = document_validity(kb, found, ctx.today.year) if found else {}
            groups.append({"document": document, "validity": validity, "measures": []})
        groups[-1]["measures"].append(measure_brief(kb, measure))

    def link(**changes: Any) -> str:
        return url_with(base, params, **changes)

    def doc_label(value: str) -> str:
        found = kb.document(value)
        return found.title if found is not None else value

    facets = []
    for key, label in FILTERS.items():
        values = options(
            result.facets.get(key, []),
            params[key],
            link_setting(base, params, key),
            doc_label if key == "doc" else (lambda v: v),
        )
        if values:
            facets.append({"name": key, "label": label, "options": values})
    active_filters = [
        {
            "name": key,
            "label": label,
            "value": params[key],
            "value_label": doc_label(params[key]) if key == "doc" else params[key],
            "remove_url": link(**{key: None, "page": 1}),
        }
        for key, label in FILTERS.items()
        if params[key]
    ]
    search_params = {"category": category.name, "type": "measure", "doc": doc, "agency": agency, "year": year}
    return {
        "category": {
            "name": category.name,
            "description": category.description,
            "count": len(category.measure_ids),
        },
        "total": result.total,
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "out_of_range": out_of_range,
        "prev_url": link(page=page - 1) if page > 1 else None,
        "next_url": link(page=page + 1) if page < pages else None,
        "params": params,
        "groups": groups,
        "facets": facets,
        "active_filters": active_filters,
        "sorts": [
            {"value": v, "label": label, "active": (sort or "") == v, "url": link(sort=v or None, page=1)}
            for v, label in SORT_LABELS.items()
        ],
        # The same list on the search page, and a search inside it.
        "search_url": url_with("/search", search_params),
        "search_hidden": {k: v for k, v in search_params.items() if v},
    }


def category_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": data["category"],
        "total": data["total"],
        "page": data["page"],
        "pages": data["pages"],
        "per_page": data["per_page"],
        "params": {k: v for k, v in data["params"].items() if v},
        "groups": data["groups"],
        "facets": {
            f["name"]: [{"value": o["value"], "count": o["count"]} for o in f["options"]]
            for f in data["facets"]
        },
        "search_url": data["search_url"],
    }


PAGES = [
    Page("/categories", "categories", categories_data, "categories.html"),
    Page(
        "/categories/<name>",
        "category",
        category_data,
        "category.html",
        query=category_query,
        json=category_json,
    ),
]
