"""The generation's catalog (documents, measures, quantities, categories; references resolved across the whole
library) and its indicator series, from the new analyses and the reused entries of the previous catalog."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb.build.report import BuildReport
from kb.extract.curation import Decision, SeriesCuration
from kb.extract.indicators import (
    Indicators,
    build_indicators,
    indicators_to_dict,
    load_indicator_config,
    series_key_of,
)
from kb.extract.links import LinkOverrides, check_overrides
from kb.extract.pipeline import Extraction
from kb.extract.references import resolve
from kb.model import TARGET, DocumentKB, Reference, to_dict
from kb.store.codec import document_from_dict, measure_from_dict, quantity_from_dict


def make_catalog(
    prev_catalog: dict[str, Any],
    reused_ids: set[str],
    new_kbs: dict[str, DocumentKB],
    extraction: Extraction,
    report: BuildReport,
) -> dict[str, Any]:
    documents = [d for d in prev_catalog.get("documents", []) if d["id"] in reused_ids]
    measures = [m for m in prev_catalog.get("measures", []) if m["doc_id"] in reused_ids]
    quantities = [q for q in prev_catalog.get("quantities", []) if q["doc_id"] in reused_ids]
    for dkb in new_kbs.values():
        entry = to_dict(dkb.document)
        entry.pop("text", None)
        entry["counts"] = {
            "measures": len(dkb.measures),
            "targets": len(dkb.targets),
            "results": len(dkb.results),
            "links": len(dkb.links),
        }
        entry["references"] = [
            {
                "text": r.text,
                "form": r.form,
                "resolved_id": "",
                "clause_id": r.clause_id,
                "relation": r.relation,
            }
            for r in dkb.references
        ]
        documents.append(entry)
        measures.extend(to_dict(dkb.measures))
        quantities.extend(to_dict(dkb.quantities))
    documents.sort(key=lambda d: d["id"])
    # By document (stable: reading order inside each), so an incremental build writes what a full one does.
    measures.sort(key=lambda m: m["doc_id"])
    quantities.sort(key=lambda q: q["doc_id"])
    _resolve_references(documents)
    report.documents = len(documents)
    report.measures = len(measures)
    report.targets = sum(q["kind"] == TARGET for q in quantities)
    report.results = len(quantities) - report.targets
    report.links = sum(len(m.get("targets", [])) for m in measures)
    stats = {
        "documents": report.documents,
        "measures": report.measures,
        "targets": report.targets,
        "results": report.results,
        "links": report.links,
    }
    return {
        "meta": stats,
        "categories": [
            {"name": c.name, "description": c.description, "group": c.group}
            for c in extraction.taxonomy.categories
        ],
        "documents": documents,
        "measures": measures,
        "quantities": quantities,
        "rejected": report.rejected,
    }


def indicator_series(
    catalog: dict[str, Any],
    extraction: Extraction,
    report: BuildReport,
    decisions: Iterable[Decision] = (),
) -> dict[str, Any]:
    """The indicator series of the whole catalog (``kb.extract.indicators``); a bad indicators.toml is a warning.

    ``decisions`` (the staff's series decisions, ``kb.extract.curation.SeriesCuration``) merge and split series
    and explain conflicts; what applied and what is stale is kept with the series (``curation``)."""
    try:
        config = load_indicator_config()
    except ValueError as exc:
        report.warnings.append(f"指标序列未生成 indicator series not built: {exc}")
        return indicators_to_dict(Indicators(error=str(exc)))
    documents = [
        document_from_dict({k: v for k, v in d.items() if k not in ("counts", "references")} | {"text": ""})
        for d in catalog["documents"]
    ]
    quantities = [quantity_from_dict(q) for q in catalog["quantities"]]
    indicators = build_indicators(documents, quantities, config, extraction.units)
    curation = SeriesCuration(tuple(decisions))
    if not curation.decisions:
        return indicators_to_dict(indicators)
    curation.prepare({series_key_of(s) for s in indicators.series}, quantities)
    if curation.changes_grouping:
        indicators = build_indicators(
            documents, quantities, config, extraction.units, regroup=curation.regroup
        )
    data = indicators_to_dict(indicators)
    data["curation"] = curation.finish(indicators.series, series_key_of)
    return data


def check_link_overrides(
    overrides: dict[Path, LinkOverrides], manifest: dict[str, Any], catalog: dict[str, Any]
) -> list[str]:
    """Warnings for links.toml rules that name no known target or measure of their folder's documents."""
    if not overrides:
        return []
    warnings = []
    for folder, rules in overrides.items():
        doc_ids = {v["doc_id"] for k, v in manifest.items() if k.startswith(f"{folder}/")}
        measures = [measure_from_dict(m) for m in catalog["measures"] if m["doc_id"] in doc_ids]
        targets = [
            quantity_from_dict(q)
            for q in catalog["quantities"]
            if q["doc_id"] in doc_ids and q["kind"] == TARGET
        ]
        warnings.extend(check_overrides(rules, measures, targets))
    return warnings


def _resolve_references(documents: list[dict[str, Any]]) -> None:
    """Resolve every document's references in one pass (the lookup tables are built once per build)."""
    titles = {d["title"]: d["id"] for d in documents if d.get("title")}
    numbers = {d["doc_number"]: d["id"] for d in documents if d.get("doc_number")}
    pairs = [
        (data, Reference(doc_id=entry["id"], text=data["text"], form=data["form"], span=(0, 0)))
        for entry in documents
        for data in entry.get("references", [])
    ]
    resolve([ref for _, ref in pairs], titles, numbers)
    for data, ref in pairs:
        data["resolved_id"] = ref.resolved_id
