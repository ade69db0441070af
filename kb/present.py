"""The public JSON shape of documents, measures, targets and indicator series (shared by the CLI and the site's /api)."""

from __future__ import annotations

from typing import Any

from kb import ids
from kb.extract.indicators import Point, Series
from kb.model import Document, Measure, Target
from kb.text.numerals import written_amount


def document_url(doc_id: str) -> str:
    return f"/documents/{doc_id}"


def measure_url(measure_id: str) -> str:
    return f"/measures/{measure_id}"


def target_url(target_id: str) -> str:
    return f"/targets/{target_id}"


def clause_url(clause_id: str) -> str:
    return f"/documents/{ids.document_of(clause_id)}#{clause_id}"


def url_for_id(kind: str, item_id: str) -> str:
    return {
        "document": document_url,
        "measure": measure_url,
        "target": target_url,
        "clause": clause_url,
    }[kind](item_id)


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
        "targets": [
            {"id": t.id, "score": round(t.score, 3), "evidence": list(t.evidence)} for t in measure.targets
        ],
        "clause_id": measure.clause_id,
        "url": measure_url(measure.id),
    }


def target_json(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "doc_id": target.doc_id,
        "indicator": target.indicator,
        "value": target.value,
        "value_max": target.value_max,
        "unit": target.unit,
        "qualifier": target.qualifier,
        "deadline": target.deadline,
        "mention": target.mention,
        "text": target.text,
        "span": list(target.span),
        "clause_id": target.clause_id,
        "measure_ids": list(target.measure_ids),
        "url": target_url(target.id),
    }


def format_value(target: Target) -> str:
    """A target's value as an official writes it: 2100件, 5—10年, 30%."""
    return written_amount(target.value, target.value_max, target.unit)


def indicator_url(series_id: str) -> str:
    return f"/indicators/{series_id}"


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
        "url": target_url(point.item_id),
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
