"""A document's page (outline, marked body, measures, targets, coverage, related documents, validity) and a clause's
page.

A clause is read in place, in its document (``kb.urls.clause_url``: the document page at the clause's anchor);
its own page (``/clauses/<id>``) holds what citing it needs: the verbatim text, the place, the copy buttons.
Related documents: the documents it cites (its references, kb.extract.references, resolved at build time: linked
when the knowledge base holds them) and the documents that cite it (被引用).
"""

from __future__ import annotations

from typing import Any

from kb import ids
from kb.extract.places import clause_path
from kb.extract.references import normalize_title
from kb.model import Clause
from kb.present import document_json
from kb.text.docnumbers import normalize_doc_number
from kb.urls import clause_page_url, clause_url, document_url, measure_url
from web.pages import Context, Missing, Page
from web.pages.browse import document_validity
from web.pages.compare import neighbours_links
from web.pages.items import PAGE_QUOTE_CHARS, citations, resolve
from web.pages.shapes import breadcrumb, measure_brief, mention_marks, quantity_brief, segments, target_brief
from web.security import require_id

NO_MEASURES = "未识别到措施（本文件可能是法规或报告）"


def _toc(nodes: list[Clause], measures: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "id": node.id,
            "label": node.label,
            "heading": node.heading,
            "url": clause_url(node.id),
            "cite_url": clause_page_url(node.id),
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


def _brief(doc: Any) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "date": doc.date,
        "doc_number": doc.doc_number,
        "url": document_url(doc.id),
    }


def related_documents(kb: Any, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """What the document cites (one entry per cited document or unresolved title/文号, in reading order, with the
    clause of its first mention) and which documents cite it, most citations first."""
    cites: dict[str, dict[str, Any]] = {}
    for ref in kb.references(doc_id):
        target = kb.document(ref.get("resolved_id") or "") if ref.get("resolved_id") else None
        text = ref.get("text", "")
        if target is not None:
            key = "doc:" + target.id
        elif ref.get("form") == "doc_number":
            key = "number:" + normalize_doc_number(text)
        else:
            key = "title:" + normalize_title(text)
        entry = cites.get(key)
        if entry is None:
            clause = ref.get("clause_id") or ""
            entry = cites[key] = {
                "text": text,
                "form": ref.get("form", ""),
                "document": _brief(target) if target is not None else None,
                "clause_id": clause,
                "clause_url": clause_url(clause) if clause else "",
                "count": 0,
                "abolishes": False,
            }
        if not entry["clause_id"] and ref.get("clause_id"):  # the first mention inside a clause
            entry["clause_id"] = ref["clause_id"]
            entry["clause_url"] = clause_url(ref["clause_id"])
        entry["count"] += 1
        entry["abolishes"] = entry["abolishes"] or ref.get("relation") == "abolishes"
    cited_by = []
    for citing_id, count in kb.cited_by(doc_id):
        citing = kb.document(citing_id)
        if citing is not None:
            cited_by.append({**_brief(citing), "count": count})
    return {"cites": list(cites.values()), "cited_by": cited_by}


def document_data(ctx: Context, item_id: str) -> dict[str, Any]:
    require_id(item_id)
    doc_id = item_id
    kb = ctx.kb
    dkb = kb.document_kb(doc_id)
    if dkb is None:
        raise Missing(f"没有编号为 {doc_id} 的文件。")
    doc = dkb.document
    measures = sorted(kb.measures(doc_id=doc_id), key=lambda m: m.ordinal)
    targets = kb.targets(doc_id=doc_id)
    results = kb.results(doc_id=doc_id)
    measure_of_clause = {m.clause_id: m.id for m in measures}
    marks = mention_marks([*targets, *results])
    body = _body(doc.text, dkb.outline, 0, len(doc.text), marks, measure_of_clause)
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
        "results": [{**quantity_brief(r), "mention": r.mention} for r in results],
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
            {
                "text": r["text"],
                "form": r["form"],
                "clause_id": r["clause_id"],
                "resolved_id": r["resolved_id"],
            }
            for r in kb.references(doc_id)
        ],
        "related": related_documents(kb, doc_id),
        "validity": document_validity(kb, doc, ctx.today),
        "compare": neighbours_links(kb, doc_id),
    }


def clause_data(ctx: Context, item_id: str) -> dict[str, Any]:
    require_id(item_id)
    clause_id = item_id
    kb = ctx.kb
    found = kb.clause(clause_id)
    dkb = kb.document_kb(ids.document_of(clause_id))
    if found is None or dkb is None:
        raise Missing(f"没有编号为 {clause_id} 的条款。")
    clause, trail = found
    doc = dkb.document
    url = clause_url(clause.id)
    page = clause_page_url(clause.id)
    path = clause_path(trail, clause)
    return {
        "clause": {
            "id": clause.id,
            "doc_id": doc.id,
            "label": clause.label,
            "heading": clause.heading,
            "path": path,
            "text": doc.text[clause.span[0] : clause.span[1]],
            "span": list(clause.span),
            "url": url,
            "page": page,
        },
        "document": document_json(doc),
        "breadcrumb": breadcrumb(doc, path, clause.id),
        "citations": citations(
            resolve(kb, clause.id), ctx.permalink(page), ctx.today, quote_chars=PAGE_QUOTE_CHARS
        ),
        "permalink": ctx.permalink(page),
    }


PAGES = [
    Page("/documents/<item_id>", "document", document_data, "document.html"),
    Page("/clauses/<item_id>", "clause", clause_data, "clause.html"),
]
