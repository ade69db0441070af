"""The one place that builds the site's URLs: the route table the site registers, and a builder per page type.

``RULES`` maps each page to its URL rule (Flask syntax); ``web.pages`` registers its routes from it (every page
also has a JSON twin under ``/api``), and the builders below fill the same rules, so a link and its route cannot
drift apart. Site-relative paths only: an absolute link is the site's configured address + one of these (never
the request's Host header). Pure functions, no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from kb import ids

RULES: dict[str, str] = {
    "home": "/",
    "search": "/search",
    "help": "/help",
    "document": "/documents/<item_id>",
    "clause": "/clauses/<item_id>",
    "measure": "/measures/<item_id>",
    "target": "/targets/<item_id>",
    "result": "/results/<item_id>",
    "categories": "/categories",
    "category": "/categories/<name>",
    "indicators": "/indicators",
    "indicator": "/indicators/<item_id>",
    "basket": "/basket",
    "export": "/export",
    "items": "/items",
    "compare": "/compare",
    "compare_docx": "/compare.docx",
    "compare_xlsx": "/compare.xlsx",
    "regions": "/regions",
}


def document_url(doc_id: str) -> str:
    return f"/documents/{doc_id}"


def measure_url(measure_id: str) -> str:
    return f"/measures/{measure_id}"


def target_url(target_id: str) -> str:
    return f"/targets/{target_id}"


def result_url(result_id: str) -> str:
    return f"/results/{result_id}"


def quantity_url(quantity_id: str, kind: str) -> str:
    """A target's or a result's page, by its kind."""
    return result_url(quantity_id) if kind == "result" else target_url(quantity_id)


def clause_url(clause_id: str) -> str:
    """A clause read in place: its anchor in the document page."""
    return f"/documents/{ids.document_of(clause_id)}#{clause_id}"


def clause_page_url(clause_id: str) -> str:
    """A clause's own page (its text, place and citation)."""
    return f"/clauses/{clause_id}"


def category_url(name: str) -> str:
    return "/categories/" + quote(name, safe="")


def indicator_url(series_id: str) -> str:
    return f"/indicators/{series_id}"


def item_url(item_type: str, item_id: str) -> str:
    """The page of an item of any type (document, measure, target, result, clause)."""
    return {
        "document": document_url,
        "measure": measure_url,
        "target": target_url,
        "result": result_url,
        "clause": clause_url,
    }[item_type](item_id)


def with_query(path: str, params: Mapping[str, Any]) -> str:
    """``path`` with a query string of the non-empty ``params`` (page 1 left out)."""
    query = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return path + ("?" + urlencode(query) if query else "")


def search_url(params: Mapping[str, Any]) -> str:
    """The search page for these URL parameters (``SearchRequest.to_params``)."""
    return with_query(RULES["search"], params)


def compare_url(a_id: str, b_id: str, fmt: str = "") -> str:
    """Two documents side by side (``fmt`` "docx" or "xlsx": the 对照表 to download)."""
    path = RULES[f"compare_{fmt}"] if fmt else RULES["compare"]
    return with_query(path, {"a": a_id, "b": b_id})


def regions_url(indicator: str, dimension: str = "", year: int | str = "", kind: str = "") -> str:
    """One indicator across regions in one year."""
    return with_query(
        RULES["regions"], {"indicator": indicator, "dimension": dimension, "year": year, "kind": kind}
    )
