"""The home page: counts, categories and the document list (plans first), paged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.pages import Context, Page
from web.pages.shapes import category_url, document_brief
from web.security import bounded_page

DOCS_PER_PAGE = 50


def home_query(args: Mapping[str, str]) -> dict[str, Any]:
    return {"page": bounded_page(args.get("page"))}


def summary_data(ctx: Context, page: int = 1) -> dict[str, Any]:
    kb = ctx.kb
    # Plans (documents with measures) first, newest first; the list is paged so a corpus of thousands of
    # laws does not make the home page a megabyte.
    documents = sorted(
        kb.documents(),
        key=lambda d: (kb.document_counts(d.id).get("measures", 0) > 0, d.date, d.title),
        reverse=True,
    )
    pages = max(1, -(-len(documents) // DOCS_PER_PAGE))
    page = min(max(1, page), pages)
    shown = documents[(page - 1) * DOCS_PER_PAGE : page * DOCS_PER_PAGE]
    categories = [
        {
            "name": c.name,
            "description": c.description,
            "count": len(c.measure_ids),
            "url": category_url(c.name),
        }
        for c in kb.categories
    ]
    categories.sort(key=lambda c: -c["count"])
    return {
        "stats": kb.stats(),
        "categories": categories,
        "documents": [document_brief(kb, d) for d in shown],
        "documents_total": len(documents),
        "page": page,
        "pages": pages,
    }


PAGES = [
    Page("/", "home", summary_data, "home.html", query=home_query, api_aliases=("/summary",)),
]
