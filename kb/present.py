"""The public JSON shape of documents, measures, targets, results and indicator series (shared by the CLI and the
site's /api)."""

from __future__ import annotations

from typing import Any

from kb.extract.indicators import Point, Series
from kb.model import Document, Measure, Quantity
from kb.text.numerals import written_amount
from kb.urls import document_url, indicator_url, measure_url, quantity_url


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
    }


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
