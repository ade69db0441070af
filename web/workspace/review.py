"""``/workspace/review`` (and ``/api/review``): what most needs a human eye, most-seen first.

Five kinds of item: a doubtful document title and a quantity of doubtful kind (``kb.extract.review``), a weak
link, a measure without a category, an unexplained 冲突 of an indicator series. Items already decided by staff
(a curated title or kind, an explained conflict) leave the queue. Each is ordered by its **reach**, the number of
public pages that show it:

* a document's title: its own page, the lists, and every page of its measures, targets and results (their
  breadcrumbs and citations name it), and the pages of the documents citing it;
* a quantity: its page, its document's page, the pages of the measures linked to it, its series' page;
* a weak link: the measure's page, the target's page and the document's coverage table;
* a measure without a category: its page, its document's page, its targets' pages;
* a conflict: the series page, the indicator list and the page of every point of the series.

Ties keep the order of the kinds above, then the label. Each item links to the page whose edit panel
(``#curate``) settles it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kb.extract.review import kind_doubt, title_doubt
from kb.present import format_value
from kb.store.knowledge import KnowledgeReader
from kb.urls import document_url, indicator_url, measure_url, quantity_url, with_query

PER_PAGE = 100
TYPES = {
    "title": "标题存疑",
    "kind": "类型存疑",
    "weak_link": "弱关联",
    "no_category": "没有类别",
    "conflict": "指标冲突",
}
KIND_ACTIONS = frozenset({"set_kind", "edit_quantity", "add_target", "not_target"})


def _item(kind: str, item_id: str, label: str, reason: str, reach: int, url: str) -> dict[str, Any]:
    return {
        "type": kind,
        "type_label": TYPES[kind],
        "id": item_id,
        "label": label,
        "reason": reason,
        "reach": reach,
        "url": url + "#curate",
    }


def review_items(kb: KnowledgeReader) -> list[dict[str, Any]]:
    """Every item of the queue, most-reached first (module docstring)."""
    items = [*_title_items(kb), *_kind_items(kb), *_measure_items(kb), *_conflict_items(kb)]
    order = {kind: i for i, kind in enumerate(TYPES)}
    items.sort(key=lambda i: (-i["reach"], order[i["type"]], i["label"], i["id"]))
    return items


def _title_items(kb: KnowledgeReader) -> Iterator[dict[str, Any]]:
    """Documents whose title is in doubt (and not corrected yet)."""
    for doc in kb.documents():
        if any("title" in (m.get("was") or {}) for m in doc.curated):
            continue
        reason = title_doubt(doc)
        if reason:
            counts = kb.document_counts(doc.id)
            reach = (
                2
                + sum(counts.get(k, 0) for k in ("measures", "targets", "results"))
                + len(kb.cited_by(doc.id))
            )
            yield _item("title", doc.id, doc.title, reason, reach, document_url(doc.id))


def _kind_items(kb: KnowledgeReader) -> Iterator[dict[str, Any]]:
    """Quantities whose kind (target or result) is in doubt (and not decided yet)."""
    documents = {doc.id: doc for doc in kb.documents()}
    for quantity in kb.quantities():
        if any(m.get("action") in KIND_ACTIONS for m in quantity.curated):
            continue
        reason = kind_doubt(quantity, documents.get(quantity.doc_id))
        if reason:
            reach = 2 + len(quantity.measure_ids) + (1 if kb.indicator_of(quantity.id) is not None else 0)
            label = f"{'目标' if quantity.kind == 'target' else '实绩'} {quantity.indicator} {format_value(quantity)}"
            url = quantity_url(quantity.id, quantity.kind)
            yield _item("kind", quantity.id, label, reason, reach, url)


def _measure_items(kb: KnowledgeReader) -> Iterator[dict[str, Any]]:
    """Weak measure–target links, and measures without a category."""
    for measure in kb.measures():
        for ref in measure.targets:
            if ref.weak:
                target = kb.target(ref.id)
                label = f"{measure.number}{measure.headline[:30]} ↔ {target.indicator if target else ref.id}"
                reason = f"关联度 {round(ref.score * 100)}%"
                yield _item("weak_link", f"{measure.id}|{ref.id}", label, reason, 3, measure_url(measure.id))
        if not measure.categories:
            reach = 2 + len(measure.targets)
            label = f"{measure.number}{measure.headline[:40]}"
            yield _item("no_category", measure.id, label, "没有识别出类别", reach, measure_url(measure.id))


def _conflict_items(kb: KnowledgeReader) -> Iterator[dict[str, Any]]:
    """Years in which a series' documents set different targets (without a note explaining it)."""
    for series in kb.indicator_series():
        notes = kb.conflict_notes(series.id)
        for conflict in series.conflicts:
            if conflict.year in notes:
                continue
            reach = 2 + len({p.item_id for p in series.points})
            values = "、".join(f"{v:g}" for v in conflict.values)
            reason = f"{conflict.year} 年各文件的目标不一致：{values}{series.unit}"
            yield _item(
                "conflict",
                f"{series.id}|{conflict.year}",
                series.title,
                reason,
                reach,
                indicator_url(series.id),
            )


def review_data(kb: KnowledgeReader | None, args: Mapping[str, str]) -> dict[str, Any]:
    """The queue, one page of it (``page``, ``type`` to keep one kind of item), with the count of each kind."""
    if kb is None:
        return {"items": [], "counts": {}, "types": TYPES, "total": 0, "page": 1, "pages": 1, "type": ""}
    everything = review_items(kb)
    counts = {kind: sum(1 for i in everything if i["type"] == kind) for kind in TYPES}
    wanted = args.get("type", "")
    items = [i for i in everything if i["type"] == wanted] if wanted in TYPES else everything
    try:
        page = max(1, min(1000, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(page, pages)
    kept = wanted if wanted in TYPES else ""

    def url(number: int) -> str:
        return with_query("/workspace/review", {"type": kept, "page": number})

    return {
        "items": items[(page - 1) * PER_PAGE : page * PER_PAGE],
        "counts": counts,
        "types": TYPES,
        "type": kept,
        "total": len(items),
        "page": page,
        "pages": pages,
        "prev_url": url(page - 1) if page > 1 else "",
        "next_url": url(page + 1) if page < pages else "",
    }
