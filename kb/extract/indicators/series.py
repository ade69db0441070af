"""Every target and result of the knowledge base grouped into series (``build_indicators``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kb.extract.indicators.attainment import attainment, conflicts
from kb.extract.indicators.concepts import (
    AVERAGE_WORDS,
    LABELS,
    Concept,
    Dimension,
    concept_of,
    dimension_of,
    is_empty_indicator,
)
from kb.extract.indicators.config import NATIONAL, IndicatorConfig
from kb.extract.indicators.model import Indicators, Point, Series, round6
from kb.extract.indicators.regions import region_of
from kb.ids import series_id
from kb.model import Document, Quantity
from kb.text.normalize import fold
from kb.text.units import tolerance_of


def _year(text: str) -> int | None:
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _point_year(target: Quantity, doc: Document) -> int | None:
    if target.kind == "result":
        return target.year
    return target.deadline if target.deadline is not None else _year(doc.date)


def _written_unit(unit: str) -> str:
    """The unit a point shows: a bare scale counts people ("1100多万学生": 万人)."""
    return unit + "人" if unit and all(ch in "十百千万亿" for ch in unit) else unit


def series_key_of(series: Series) -> tuple[str, str, str]:
    """The key a series is grouped by (and its id made from): region, indicator, dimension."""
    return (series.region, series.name, series.dimension)


def build_indicators(
    documents: Iterable[Document],
    targets: Iterable[Quantity],
    config: IndicatorConfig,
    units: Mapping[str, str],
    regroup: Callable[[Quantity, tuple[str, str, str]], tuple[str, str, str]] | None = None,
) -> Indicators:
    """Every series of the knowledge base (module docstring for the rules), conflicts and misses first.

    ``targets`` in document reading order (as the catalog holds them): the sentence rule for an empty indicator
    looks at the target before. ``regroup(target, key)`` may send a point to another series key (staff decisions
    that merge or split series, ``kb.extract.curation.SeriesCuration``).
    """
    docs = {d.id: d for d in documents}
    regions: dict[str, str] = {}
    stats: Counter[str] = Counter()
    groups: dict[tuple[str, str, str], list[tuple[Point, Dimension, Document, int]]] = defaultdict(list)
    lower_of: dict[tuple[str, str, str], bool] = {}
    previous: tuple[tuple[str, int, int], Concept] | None = None  # (doc id, sentence span), concept
    for order, target in enumerate(targets):
        kind = "result" if target.kind == "result" else "target"
        stats[kind + "s"] += 1
        doc = docs.get(target.doc_id)
        if doc is None:
            stats["skipped_no_document"] += 1
            continue
        if doc.id not in regions:
            regions[doc.id] = region_of(doc.agency, doc.title, config)
        region = regions[doc.id]
        sentence = (target.doc_id, target.span[0], target.span[1])
        concept = _concept(target, sentence, previous, config)
        if concept is None:
            stats["skipped_no_indicator"] += 1
            continue
        previous = (sentence, concept)
        if not region:
            stats["skipped_no_region"] += 1
            continue
        year = _point_year(target, doc)
        if year is None:
            stats["skipped_no_year"] += 1
            continue
        mention = fold(target.mention)
        dim = dimension_of(target, concept, units, mention)
        if kind == "result" and AVERAGE_WORDS.search(target.qualifier + " " + mention):
            stats["skipped_average_result"] += 1  # "五年来年均增长12.1%" is no one year's result
            continue
        point = _point(target, kind, year)
        name = concept.national_name if region == NATIONAL and concept.national_name else concept.name
        key = (region, name, dim.key)
        if regroup is not None:
            key = regroup(target, key)
        groups[key].append((point, dim, doc, order))
        lower_of[key] = lower_of.get(key, False) or concept.lower
        stats["grouped_" + kind + "s"] += 1

    series_list = _series_of(groups, lower_of, units)
    stats["series"] = len(series_list)
    return Indicators(series_list, dict(stats), config.digest())


def _concept(
    target: Quantity,
    sentence: tuple[str, int, int],
    previous: tuple[tuple[str, int, int], Concept] | None,
    config: IndicatorConfig,
) -> Concept | None:
    """The target's concept; an empty indicator takes the concept of the target before it in the same sentence
    ("地区生产总值达到240亿元，同比增长21%")."""
    concept = concept_of(target.indicator, config)
    same_sentence = previous is not None and previous[0] == sentence
    if (
        concept is None
        and previous is not None
        and same_sentence
        and is_empty_indicator(target.indicator, config)
    ):
        concept = previous[1]
    return concept


def _point(target: Quantity, kind: str, year: int) -> Point:
    return Point(
        year=year,
        kind=kind,
        value=target.value,
        unit=_written_unit(fold(target.unit)),
        qualifier=target.qualifier,
        doc_id=target.doc_id,
        item_id=target.id,
        value_max=target.value_max,
        mention=target.mention,
    )


def _series_of(
    groups: Mapping[tuple[str, str, str], list[tuple[Point, Dimension, Document, int]]],
    lower_of: Mapping[tuple[str, str, str], bool],
    units: Mapping[str, str],
) -> list[Series]:
    """The grouped points made series, each with its attainment (against its level/increment sibling) and its
    conflicts; ranked (conflicts and misses first)."""
    tolerance = tolerance_of(units)
    series_list: list[Series] = []
    for (region, name, dim_key), members in groups.items():
        series_list.append(_make_series(region, name, dim_key, members, lower_of[(region, name, dim_key)]))
    by_key = {(s.region, s.name, s.dimension): s for s in series_list}
    for series in series_list:
        basis, _, base = series.dimension.partition(":")
        other = {"increment": "level", "level": "increment"}.get(basis)
        sibling = by_key.get((series.region, series.name, f"{other}:{base}")) if other else None
        series.attainment = attainment(series, tolerance, sibling)
        series.conflicts = conflicts(series)
    series_list.sort(key=_rank)
    return series_list


def _doc_order(doc: Document) -> tuple[str, str]:
    return (doc.date or "9999", doc.id)


def _make_series(
    region: str,
    name: str,
    dim_key: str,
    members: list[tuple[Point, Dimension, Document, int]],
    lower: bool,
) -> Series:
    # The series' unit: the unit most of its points are written in (first seen on a tie).
    counts = Counter(p.unit for p, _, _, _ in members)
    unit = max(counts, key=lambda u: (counts[u], -next(i for i, m in enumerate(members) if m[0].unit == u)))
    unit_factor = next(d.factor for p, d, _, _ in members if p.unit == unit)
    display = "%" if dim_key in ("growth", "rate") or dim_key.startswith("share:") else unit
    if display == "%":
        unit_factor = 1.0
    aspect = dim_key.split(":", 1)[0]
    points = []
    for point, dim, _doc, _order in sorted(members, key=lambda m: (m[0].year, _doc_order(m[2]), m[3])):
        scale = dim.factor / unit_factor
        point.value = round6(point.value * scale * dim.sign)
        if point.value_max is not None:
            point.value_max = round6(point.value_max * scale * dim.sign)
            if point.value_max < point.value:  # a signed range keeps low ≤ high
                point.value, point.value_max = point.value_max, point.value
        point.unit = display
        points.append(point)
    return Series(
        id=series_id(region, name, dim_key),
        name=name,
        dimension=dim_key,
        label=LABELS.get(aspect, ""),
        unit=display,
        region=region,
        lower=lower,
        points=points,
    )


def _rank(series: Series) -> tuple[Any, ...]:
    summary = series.summary()
    return (
        -min(1, summary["conflicts"]),
        -summary["missed"],
        -len(series.attainment),
        -summary["documents"],
        -summary["points"],
        series.region,
        series.name,
        series.dimension,
    )
