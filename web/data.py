"""Page data: one function per page, shared by the HTML views and their /api JSON twins.

Every function returns plain data (dicts, lists, strings, numbers) that ``flask.jsonify`` can serialise and
a template can render; text stays raw here and is escaped by Jinja. The one exception is the search page,
whose hits carry the highlighted, already-escaped ``Markup`` made by ``kb.search.highlight``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import abort, request, url_for

from kb.cite.items import clause_path_of
from kb.extract.places import clause_path
from kb.model import Clause, Document, Measure, Target
from kb.present import (
    clause_url,
    document_json,
    document_url,
    format_value,
    measure_json,
    measure_url,
    target_json,
    target_url,
)
from kb.search.engine import Hit, SearchResult
from kb.search.schema import KIND_LABELS, KINDS
from kb.store.knowledge import KnowledgeBase
from web.items import Item, citations, resolve
from web.security import bounded_filter, bounded_page, bounded_query, valid_id
from web.state import Opened

log = logging.getLogger(__name__)

PER_PAGE = 10
FACET_LABELS = {"kind": "类型", "category": "类别", "doc": "文件", "agency": "发布机构", "year": "年份"}
NO_MEASURES = "未识别到措施（本文件可能是法规或报告）"

Segment = dict[str, Any]


# -- small shapes


def category_url(name: str) -> str:
    return "/categories/" + quote(name, safe="")


def target_brief(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "indicator": target.indicator,
        "value_text": format_value(target),
        "qualifier": target.qualifier,
        "deadline": target.deadline,
        "url": target_url(target.id),
    }


def measure_brief(kb: KnowledgeBase, measure: Measure) -> dict[str, Any]:
    doc = kb.document(measure.doc_id)
    targets = []
    for ref in measure.targets:
        target = kb.target(ref.id)
        if target is not None:
            targets.append({**target_brief(target), "score": round(ref.score, 3), "evidence": ref.evidence})
    return {
        "id": measure.id,
        "number": measure.number,
        "headline": measure.headline,
        "path": list(measure.path),
        "categories": list(measure.categories),
        "doc_id": measure.doc_id,
        "doc_title": doc.title if doc else "",
        "url": measure_url(measure.id),
        "targets": targets,
    }


def document_brief(kb: KnowledgeBase, doc: Document) -> dict[str, Any]:
    return {**document_json(doc), "counts": kb.document_counts(doc.id)}


def segments(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> list[Segment]:
    """``text[start:end]`` cut into plain and marked pieces.

    ``marks`` are (start, end, target id) in offsets of ``text``; overlapping or out-of-range marks are
    clipped or skipped. A marked piece that begins where its mark begins carries ``anchor: True``.
    """
    out: list[Segment] = []
    cursor = start
    for m_start, m_end, target_id in sorted(marks):
        s, e = max(m_start, cursor), min(m_end, end)
        if s >= e:
            continue
        if s > cursor:
            out.append({"text": text[cursor:s], "target": None})
        out.append({"text": text[s:e], "target": target_id, "anchor": s == m_start})
        cursor = e
    if cursor < end:
        out.append({"text": text[cursor:end], "target": None})
    return out


def mention_marks(targets: list[Target]) -> list[tuple[int, int, str]]:
    return [
        (t.mention_span[0], t.mention_span[1], t.id) for t in targets if t.mention_span[1] > t.mention_span[0]
    ]


def breadcrumb(doc: Document, path: list[str], clause_ids: list[str]) -> list[dict[str, str]]:
    """Document › section › item, each linking to its anchor in the document page."""
    crumbs = [{"label": doc.title, "url": document_url(doc.id)}]
    for label, clause_id in zip(path, clause_ids, strict=False):
        crumbs.append({"label": label, "url": clause_url(clause_id)})
    return crumbs


def ancestor_ids(clause_id: str) -> list[str]:
    """``doc.s3.6`` -> ``["doc.s3", "doc.s3.6"]``."""
    doc_id, _, rest = clause_id.partition(".s")
    parts = rest.split(".") if rest else []
    return [f"{doc_id}.s" + ".".join(parts[: i + 1]) for i in range(len(parts))]


def _require_id(item_id: str) -> None:
    if not valid_id(item_id):
        abort(404, description="编号格式不正确。")


def _citations(item: Item | None, permalink: str) -> list[dict[str, str]]:
    return citations(item, permalink, accessed=date.today()) if item is not None else []


def _absolute(path: str) -> str:
    return request.url_root.rstrip("/") + path


# -- pages

DOCS_PER_PAGE = 50


def summary_data(opened: Opened) -> dict[str, Any]:
    kb = opened.kb
    # Plans (documents with measures) first, newest first; the list is paged so a corpus of thousands of
    # laws does not make the home page a megabyte.
    documents = sorted(
        kb.documents(),
        key=lambda d: (kb.document_counts(d.id).get("measures", 0) > 0, d.date, d.title),
        reverse=True,
    )
    pages = max(1, -(-len(documents) // DOCS_PER_PAGE))
    page = min(bounded_page(request.args.get("page")), pages)
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


def search_params() -> dict[str, Any]:
    """The search form's values from the query string, bounded."""
    args = request.args
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


def _search_url(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    query = {k: v for k, v in merged.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return url_for("views.search", **query)


def search_data(opened: Opened) -> dict[str, Any]:
    params = search_params()
    filters = {name: params[name] for name in FACET_LABELS}
    page = params["page"]

    def run(page: int) -> SearchResult:
        return opened.engine.search(params["q"], **filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)

    result = run(page)
    pages = max(1, -(-result.total // PER_PAGE))
    out_of_range = page > pages and result.total > 0
    if out_of_range:
        page = pages
        result = run(page)
    params = {**params, "page": page}
    kb = opened.kb

    def value_label(name: str, value: str) -> str:
        if name == "kind":
            return KIND_LABELS.get(value, value)
        if name == "doc":
            doc = kb.document(value)
            return doc.title if doc is not None else value
        return value

    facets = []
    for name, label in FACET_LABELS.items():
        values = []
        for value, count in result.facets.get(name, []):
            active = filters[name] == value
            change = None if active else value
            values.append(
                {
                    "value": value,
                    "label": value_label(name, value),
                    "count": count,
                    "active": active,
                    "url": _search_url(params, **{name: change, "page": 1}),
                }
            )
        if values:
            facets.append({"name": name, "label": label, "options": values})
    active_filters = [
        {
            "name": name,
            "label": FACET_LABELS[name],
            "value": value,
            "value_label": value_label(name, value),
            "remove_url": _search_url(params, **{name: None, "page": 1}),
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
        "prev_url": _search_url(params, page=page - 1) if page > 1 else None,
        "next_url": _search_url(params, page=page + 1) if page < pages else None,
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


def related_hits(opened: Opened, measure_id: str, limit: int = 5) -> list[Hit]:
    """Related measures in other documents; a failure here only empties that list, never the page."""
    try:
        return opened.engine.related(measure_id, limit=limit)
    except Exception:
        log.exception("related() failed for %s", measure_id)
        return []


def measure_data(opened: Opened, measure_id: str) -> dict[str, Any]:
    _require_id(measure_id)
    kb = opened.kb
    measure = kb.measure(measure_id)
    dkb = kb.document_kb(measure.doc_id) if measure else None
    if measure is None or dkb is None:
        abort(404, description=f"没有编号为 {measure_id} 的措施。")
    doc = dkb.document
    linked = [t for t in (kb.target(ref.id) for ref in measure.targets) if t is not None]
    inside = [
        t for t in linked if measure.span[0] <= t.mention_span[0] and t.mention_span[1] <= measure.span[1]
    ]
    marks = [(s - measure.span[0], e - measure.span[0], tid) for s, e, tid in mention_marks(inside)]
    related = []
    for hit in related_hits(opened, measure.id):
        other = kb.measure(hit.id)
        if other is not None:
            related.append({**measure_brief(kb, other), "score": round(hit.score, 3)})
    item = resolve(kb, measure.id)
    permalink = _absolute(measure_url(measure.id))
    brief = measure_brief(kb, measure)
    for target, entry in zip(linked, brief["targets"], strict=False):
        entry["mention"] = target.mention
        entry["mention_inside"] = target in inside
    return {
        "measure": {**measure_json(measure), "doc_title": doc.title},
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, measure.path, ancestor_ids(measure.clause_id)),
        "segments": segments(measure.text, 0, len(measure.text), marks),
        "targets": brief["targets"],
        "related": related,
        "citations": _citations(item, permalink),
        "permalink": permalink,
    }


def target_data(opened: Opened, target_id: str) -> dict[str, Any]:
    _require_id(target_id)
    kb = opened.kb
    target = kb.target(target_id)
    dkb = kb.document_kb(target.doc_id) if target else None
    if target is None or dkb is None:
        abort(404, description=f"没有编号为 {target_id} 的目标。")
    doc = dkb.document
    s0 = target.span[0]
    marks = [(target.mention_span[0] - s0, target.mention_span[1] - s0, target.id)]
    measures = []
    for measure_id in target.measure_ids:
        measure = kb.measure(measure_id)
        if measure is None:
            continue
        ref = next((r for r in measure.targets if r.id == target.id), None)
        measures.append(
            {
                **measure_brief(kb, measure),
                "score": round(ref.score, 3) if ref else None,
                "evidence": ref.evidence if ref else [],
            }
        )
    path = clause_path_of(kb, target.clause_id)
    permalink = _absolute(target_url(target.id))
    return {
        "target": {**target_json(target), "value_text": format_value(target), "doc_title": doc.title},
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, path, ancestor_ids(target.clause_id)),
        "segments": segments(target.text, 0, len(target.text), marks),
        "measures": measures,
        "citations": _citations(resolve(kb, target.id), permalink),
        "permalink": permalink,
    }


def _toc(nodes: list[Clause], measures: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": node.id,
            "label": node.label,
            "heading": node.heading,
            "url": clause_url(node.id),
            "measure": measures.get(node.id),
            "children": _toc(node.children, measures),
        }
        for node in nodes
    ]


def safe_link(url: str) -> str:
    """An external address we are willing to link to (http/https only), else ""."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _body(
    text: str,
    nodes: list[Clause],
    start: int,
    end: int,
    marks: list[tuple[int, int, str]],
    measures: dict[str, str],
) -> list[dict[str, Any]]:
    """The text from start to end as pieces: plain/marked segments and clauses (which nest)."""
    parts: list[dict[str, Any]] = []
    cursor = start
    for node in nodes:
        n_start, n_end = max(node.span[0], cursor), min(node.span[1], end)
        if n_start >= n_end:
            continue
        parts.extend(segments(text, cursor, n_start, marks))
        parts.append(
            {
                "clause": node.id,
                "measure": measures.get(node.id),
                "parts": _body(text, node.children, n_start, n_end, marks, measures),
            }
        )
        cursor = n_end
    parts.extend(segments(text, cursor, end, marks))
    return parts


def document_data(opened: Opened, doc_id: str) -> dict[str, Any]:
    _require_id(doc_id)
    kb = opened.kb
    dkb = kb.document_kb(doc_id)
    if dkb is None:
        abort(404, description=f"没有编号为 {doc_id} 的文件。")
    doc = dkb.document
    measures = sorted(kb.measures(doc_id=doc_id), key=lambda m: m.ordinal)
    targets = kb.targets(doc_id=doc_id)
    measure_of_clause = {m.clause_id: m.id for m in measures}
    body = _body(doc.text, dkb.outline, 0, len(doc.text), mention_marks(targets), measure_of_clause)
    measure_briefs = [measure_brief(kb, m) for m in measures]
    target_briefs = []
    for target in targets:
        served = [m for m in measures if m.id in target.measure_ids]
        target_briefs.append(
            {
                **target_brief(target),
                "mention": target.mention,
                "measures": [{"id": m.id, "number": m.number, "url": measure_url(m.id)} for m in served],
            }
        )
    return {
        "document": {**document_json(doc), "source_link": safe_link(doc.url)},
        "counts": kb.document_counts(doc_id),
        "toc": _toc(dkb.outline, measure_of_clause),
        "body": body,
        "measures": measure_briefs,
        "targets": target_briefs,
        "coverage": {
            "targets_without_measures": [t for t in target_briefs if not t["measures"]],
            "measures_without_targets": [m for m in measure_briefs if not m["targets"]],
            "matrix": [
                {
                    "target": t["id"],
                    "measures": [m["id"] in {x["id"] for x in t["measures"]} for m in measure_briefs],
                }
                for t in target_briefs
            ],
        },
        "no_measures_message": "" if measures else NO_MEASURES,
        "references": [
            {"text": r.text, "kind": r.kind, "clause_id": r.clause_id, "resolved_id": r.resolved_id}
            for r in dkb.references
        ],
    }


def clause_data(opened: Opened, clause_id: str) -> dict[str, Any]:
    _require_id(clause_id)
    kb = opened.kb
    found = kb.clause(clause_id) if ".s" in clause_id else None
    dkb = kb.document_kb(clause_id.split(".", 1)[0])
    if found is None or dkb is None:
        abort(404, description=f"没有编号为 {clause_id} 的条款。")
    clause, trail = found
    doc = dkb.document
    url = clause_url(clause.id)
    return {
        "clause": {
            "id": clause.id,
            "doc_id": doc.id,
            "label": clause.label,
            "heading": clause.heading,
            "path": clause_path(trail, clause),
            "text": doc.text[clause.span[0] : clause.span[1]],
            "span": list(clause.span),
            "url": url,
        },
        "document": document_json(doc),
        "citations": _citations(resolve(kb, clause.id), _absolute(url)),
    }


def categories_data(opened: Opened, preview: int = 5) -> dict[str, Any]:
    kb = opened.kb
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


def category_data(opened: Opened, name: str) -> dict[str, Any]:
    kb = opened.kb
    category = kb.category(name[:120])
    if category is None:
        abort(404, description="没有这个类别。")
    groups: dict[str, dict[str, Any]] = {}
    for measure in sorted(kb.measures(category=category.name), key=lambda m: (m.doc_id, m.ordinal)):
        doc = kb.document(measure.doc_id)
        group = groups.setdefault(
            measure.doc_id,
            {"document": document_json(doc) if doc else {"id": measure.doc_id, "title": ""}, "measures": []},
        )
        group["measures"].append(measure_brief(kb, measure))
    return {
        "category": {
            "name": category.name,
            "description": category.description,
            "count": len(category.measure_ids),
        },
        "groups": list(groups.values()),
    }
