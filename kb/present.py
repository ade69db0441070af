"""The public JSON shape of documents, measures, targets, results and indicator series (shared by the CLI and the
site's /api)."""

from __future__ import annotations

import json
from typing import Any

from kb.compare.plans import Comparison, Side, TargetRow
from kb.compare.regions import RegionTable
from kb.extract.curation import ACTION_LABELS
from kb.extract.indicators import Point, Series
from kb.model import Document, Measure, Quantity
from kb.text.numerals import written_amount
from kb.urls import clause_url, document_url, indicator_url, measure_url, quantity_url


def curated_json(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The staff decisions applied to an item (已人工校对): decision id, action, who and when, oldest first."""
    return [
        {
            "id": m.get("seq"),
            "action": m.get("action", ""),
            "action_label": ACTION_LABELS.get(str(m.get("action")), str(m.get("action", ""))),
            "user": m.get("user", ""),
            "time": m.get("time", ""),
        }
        for m in marks
    ]


def link_reason(source: str, weak: bool) -> str:
    """Why a measure serves a target, as the pages say it (``Link.source``; a weak link says how often such links are
    right on the dev gold set, ``kb.extract.links.WEAK_PRECISION``)."""
    from kb.extract.links import LEAD, THRESHOLD, WEAK_PRECISION

    if source == "inside":
        return "目标表述写在本措施之中"
    if source == "confirmed":
        return "工作人员已确认"
    if weak:
        return (
            f"弱关联：关联度低于{THRESHOLD:.0%}，但这是该目标唯一明显的候选措施（领先其他措施{LEAD * 100:.0f}个百分点以上）；"
            f"评测集上此类关联约{WEAK_PRECISION:.0%}正确，其余低于{THRESHOLD:.0%}的候选不显示"
        )
    return f"措施写到目标指标的词语或同义概念（关联度不低于{THRESHOLD:.0%}）"


def document_json(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "agency": doc.agency,
        "date": doc.date,
        "doc_number": doc.doc_number,
        "index_no": doc.index_no,
        "category": doc.category,
        "source": doc.source,
        "url": document_url(doc.id),
        "source_url": doc.url,
        "format": doc.format,
        "genre": doc.genre,
        "title_derived": doc.title_derived,
        "curated": curated_json(doc.curated),
        "ocr": ocr_json(doc.ocr),
    }


def ocr_json(ocr: str) -> dict[str, Any] | None:
    """How a scanned document's text was recognised (engine, each page's confidence), None for a text file."""
    if not ocr:
        return None
    try:
        data = json.loads(ocr)
    except ValueError:
        return {"engine": "", "pages": []}
    return data if isinstance(data, dict) else {"engine": "", "pages": []}


def measure_json(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "doc_id": measure.doc_id,
        "number": measure.number,
        "ordinal": measure.ordinal,
        "path": list(measure.path),
        "headline": measure.headline,
        "text": measure.text,
        "span": list(measure.span),
        "categories": list(measure.categories),
        "category_confidence": dict(measure.category_confidence),
        "category_words": {name: list(words) for name, words in measure.category_words.items()},
        "targets": [
            {"id": t.id, "score": round(t.score, 3), "evidence": list(t.evidence)} for t in measure.targets
        ],
        "clause_id": measure.clause_id,
        "url": measure_url(measure.id),
        "curated": curated_json(measure.curated),
    }


def quantity_json(quantity: Quantity) -> dict[str, Any]:
    """A target or a result as the JSON of every surface shows it: ``kind`` says which. A target has its
    ``deadline`` and the measures that pursue it; a result has the ``year`` it reports and neither."""
    data: dict[str, Any] = {
        "id": quantity.id,
        "kind": quantity.kind,
        "doc_id": quantity.doc_id,
        "indicator": quantity.indicator,
        "value": quantity.value,
        "value_max": quantity.value_max,
        "unit": quantity.unit,
        "qualifier": quantity.qualifier,
    }
    if quantity.is_result:
        data["year"] = quantity.year
    else:
        data["deadline"] = quantity.deadline
    data.update(
        {
            "mention": quantity.mention,
            "text": quantity.text,
            "span": list(quantity.span),
            "clause_id": quantity.clause_id,
            "url": quantity_url(quantity.id, quantity.kind),
            "curated": curated_json(quantity.curated),
        }
    )
    if not quantity.is_result:
        data["measure_ids"] = list(quantity.measure_ids)
    return data


def format_value(quantity: Quantity) -> str:
    """A quantity's value as an official writes it: 2100件, 5—10年, 30%."""
    return written_amount(quantity.value, quantity.value_max, quantity.unit)


def point_json(point: Point) -> dict[str, Any]:
    return {
        "year": point.year,
        "kind": point.kind,
        "value": point.value,
        "value_max": point.value_max,
        "unit": point.unit,
        "qualifier": point.qualifier,
        "doc_id": point.doc_id,
        "item_id": point.item_id,
        "mention": point.mention,
        "url": quantity_url(point.item_id, point.kind),
    }


def indicator_json(series: Series, *, full: bool = True) -> dict[str, Any]:
    """A series: what it measures and where, its points by year, the attainment of each judged year, its
    conflicts (``full=False``: without the three lists, for listings)."""
    data: dict[str, Any] = {
        "id": series.id,
        "name": series.name,
        "label": series.label,
        "title": series.title,
        "dimension": series.dimension,
        "unit": series.unit,
        "region": series.region,
        "lower_is_better": series.lower,
        "url": indicator_url(series.id),
        "summary": series.summary(),
    }
    if full:
        data["points"] = [point_json(p) for p in series.points]
        data["attainment"] = [
            {
                "year": a.year,
                "target": point_json(a.target),
                "result": point_json(a.result),
                "attained": a.attained,
                "rule": a.rule,
                "derived_from": list(a.derived_from),
            }
            for a in series.attainment
        ]
        data["conflicts"] = [
            {
                "year": c.year,
                "values": list(c.values),
                "item_ids": list(c.item_ids),
                "doc_ids": list(c.doc_ids),
            }
            for c in series.conflicts
        ]
    return data


# ------------------------------------------------------------------------------------------------ comparisons


def _side_json(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        **quantity_json(side.target),
        "written": format_value(side.target),
        "series": side.series.id if side.series is not None else None,
        "series_url": indicator_url(side.series.id) if side.series is not None else "",
        "others": [
            {"id": q.id, "mention": q.mention, "url": quantity_url(q.id, q.kind)} for q in side.others
        ],
    }


def _change(row: TargetRow) -> dict[str, Any] | None:
    """B's value less A's when both are in one unit (a change of a rate is in 个百分点)."""
    if row.a is None or row.b is None:
        return None
    ta, tb = row.a.target, row.b.target
    if (
        "".join(ta.unit.split()) != "".join(tb.unit.split())
        or ta.value_max is not None
        or tb.value_max is not None
    ):
        return None
    delta = round(tb.value - ta.value, 6)
    unit = "个百分点" if ta.unit.strip() in ("%", "％") else ta.unit
    return {
        "delta": delta,
        "unit": unit,
        "written": ("+" if delta > 0 else "") + written_amount(delta, None, unit),
    }


def target_row_json(row: TargetRow) -> dict[str, Any]:
    result = None
    if row.result is not None:
        point = row.result["point"]
        result = {
            **point_json(point),
            "written": written_amount(point.value, point.value_max, point.unit),
            "attained": row.result["attained"],
            "state": row.result["state"],
            "rule": row.result["rule"],
        }
    return {
        "indicator": row.indicator,
        "a": _side_json(row.a),
        "b": _side_json(row.b),
        "changed": row.changed,
        "change": _change(row),
        "result": result,
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """Two documents side by side: every measure of each side exactly once (``relation`` kept, changed, new,
    dropped; ``score`` the similarity; ``words`` what made the pair), the targets of the same indicator, and the
    result of the earlier year."""
    ma, mb = comparison.measures_a, comparison.measures_b

    def brief(measure: Measure | None) -> dict[str, Any] | None:
        if measure is None:
            return None
        return {
            "id": measure.id,
            "number": measure.number,
            "path": list(measure.path),
            "headline": measure.headline,
            "url": measure_url(measure.id),
        }

    return {
        "a": document_json(comparison.a),
        "b": document_json(comparison.b),
        "relation": comparison.relation,
        "earlier_year": comparison.earlier_year,
        "counts": comparison.counts(),
        "measures": [
            {
                "a": row.a,
                "b": row.b,
                "relation": row.relation,
                "score": row.score,
                "words": list(row.words),
                "measure_a": brief(ma.get(row.a) if row.a else None),
                "measure_b": brief(mb.get(row.b) if row.b else None),
            }
            for row in comparison.measures
        ],
        "targets": [target_row_json(row) for row in comparison.targets],
    }


def region_rows_json(
    table: RegionTable, clause_of: dict[str, str], titles: dict[str, str]
) -> list[dict[str, Any]]:
    """The rows of one indicator across regions; ``url`` is the value's clause (its document page at the clause;
    at the marked mention when the text has no outline there), ``item_url`` the target's or result's own page."""
    rows = []
    for row in table.rows:
        p = row.point
        clause = clause_of.get(p.item_id, "")
        rows.append(
            {
                "region": row.region,
                "value": p.value,
                "value_max": p.value_max,
                "unit": p.unit,
                "kind": p.kind,
                "year": p.year,
                "qualifier": p.qualifier,
                "written": written_amount(p.value, p.value_max, p.unit),
                "mention": p.mention,
                "url": clause_url(clause) if clause else f"{document_url(p.doc_id)}#{p.item_id}",
                "item_id": p.item_id,
                "item_url": quantity_url(p.item_id, p.kind),
                "doc_id": p.doc_id,
                "doc_title": titles.get(p.doc_id, ""),
                "series_url": indicator_url(row.series_id),
                "others": [
                    {"mention": o.mention, "url": quantity_url(o.item_id, o.kind)} for o in row.others
                ],
            }
        )
    return rows
