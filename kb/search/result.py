"""What a search returns: ``SearchResult`` of ``Hit`` with their public JSON shape, and the shaping of one stored hit
into a result card (title and snippet marked with the query's words and the quantities that matched by value)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.search.amounts import AmountQuery, find_quantities
from kb.search.highlight import SCAN_CHARS, Marked, highlight, snippet
from kb.urls import item_url


@dataclass
class Hit:
    id: str
    type: str  # document | measure | target | result | clause
    doc_id: str
    doc_title: str
    title: Marked  # the title with the query terms marked
    path: list[str]
    snippet: Marked  # a window of the body with the query terms marked
    score: float
    url: str
    categories: list[str] = field(default_factory=list)
    year: int | None = None  # a result's reported year
    date: str = ""  # the document's date (ISO, maybe only YYYY or YYYY-MM), "" when it has none
    genre: str = ""  # the document's 文种
    agency: str = ""  # the document's issuing agency
    doc_number: str = ""  # the document's 文号

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "title": self.title.text,
            "title_marks": [list(m) for m in self.title.marks],
            "path": self.path,
            "snippet": self.snippet.text,
            "snippet_marks": [list(m) for m in self.snippet.marks],
            "score": round(self.score, 4),
            "url": self.url,
            "categories": self.categories,
            "date": self.date,
            "genre": self.genre,
            "agency": self.agency,
            "doc_number": self.doc_number,
        }
        if self.type in ("target", "result"):  # a quantity: its kind, and the year a result reports
            data["kind"] = self.type
            if self.type == "result":
                data["year"] = self.year
        return data


@dataclass
class SearchResult:
    query: str
    total: int = 0
    results: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    message: str = ""  # shown to the user: empty query, partial matches, nothing found
    partial: bool = False  # True when no hit matched all terms and these are the best partial matches
    offset: int = 0
    limit: int = 10
    terms: list[str] = field(default_factory=list)  # what was highlighted
    sort: str = "relevance"
    browse: bool = False  # no query: every hit the filters allow

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "sort": self.sort,
            "browse": self.browse,
            "partial": self.partial,
            "message": self.message,
            "results": [h.to_json() for h in self.results],
            "facets": {
                name: [{"value": v, "count": c} for v, c in values] for name, values in self.facets.items()
            },
        }


def make_hit(
    hit: Mapping[str, Any],
    score: float,
    terms: list[str],
    amounts: tuple[AmountQuery, ...] = (),
) -> Hit:
    """A stored hit (``kb.search.schema.hits``' fields) as a result card with ``terms`` marked; ``amounts``: the
    query's quantities, whose matches by value (0.5亿元 for 5000万元) are marked as written."""
    hit_type = hit["type"]
    title_text = hit.get("title") or hit.get("heading") or hit.get("doc_title") or ""
    body = hit.get("body") or ""
    if amounts:
        terms = [*terms, *_matching_quantities(title_text, amounts), *_matching_quantities(body, amounts)]
    categories = [c for c in (hit.get("categories") or "").split(",") if c]
    try:
        path = json.loads(hit.get("path") or "[]")
    except ValueError:
        path = []
    return Hit(
        id=hit["id"],
        type=hit_type,
        doc_id=hit["doc_id"],
        doc_title=hit.get("doc_title") or "",
        title=highlight(title_text, terms),
        path=path,
        snippet=snippet(body, terms),
        score=score,
        url=item_url(hit_type, hit["id"]),
        categories=categories,
        year=hit.get("reported"),
        date=hit.get("date") or "",
        genre=hit.get("genre") or "",
        agency=hit.get("agency") or "",
        doc_number=hit.get("doc_number") or "",
    )


def _matching_quantities(text: str, amounts: tuple[AmountQuery, ...]) -> list[str]:
    """The quantities of ``text`` (its first ``SCAN_CHARS`` characters) some query quantity accepts, as written."""
    head = text[:SCAN_CHARS]
    out: list[str] = []
    for q in find_quantities(head):
        if any(a.family == q.family and a.accepts(q.value) for a in amounts):
            written = head[q.start : q.end]
            if written not in out:
                out.append(written)
    return out
