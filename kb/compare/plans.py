"""Two documents side by side, and a document's predecessor and successor, from a ``KnowledgeBase``.

``compare_documents(kb, a, b)`` returns a ``Comparison``: the measures of both aligned (``kb.compare.align``:
every measure of each side exactly once, kept / changed / new / dropped) and their targets of the same indicator
side by side. Targets are matched through the indicator series (``KnowledgeBase.indicator_of``): two targets
correspond when their series have the same indicator and unit kind (a level and a growth rate never meet), so a
plan and its successor (one region) and two regions' plans (two series of one indicator) are compared alike; a
target outside any series is matched on its indicator as written and its unit. Each row carries the result the
library holds for the earlier document's year (from that series: the judged attainment of the earlier target,
完成 / 未完成 / 不可比, else the year's result alone).

When a side states several targets of one indicator, the one shown is its **headline** target: not a yearly
average over several years (年均), then the one stated in the sentence with the most targets (a plan's list of
主要预期目标), then the first; the others are listed with it.

``predecessor(kb, doc)`` / ``successor(kb, doc)``: the document of the same agency and genre (文种), whose title
names the same plan once its years are set aside, for the nearest earlier / later period (the title's plan
period, else the document's year).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.compare.align import DEFAULT, Aligned, AlignParams, align_measures
from kb.compare.regions import RegionTable, group_of, region_rows, years_of
from kb.extract.doctype import plan_period
from kb.extract.indicators import Series
from kb.model import Document, Measure, Quantity
from kb.store.knowledge import KnowledgeBase
from kb.text.normalize import fold

_AVERAGE = re.compile(r"年均|平均每年|每年平均")
STATES = {True: "完成", False: "未完成", None: "不可比"}


class CompareError(ValueError):
    """The two documents cannot be compared (the message, in Chinese, says why)."""


@dataclass
class Side:
    """One target of a row, with the other targets of the same indicator its document states."""

    target: Quantity
    series: Series | None
    others: list[Quantity] = field(default_factory=list)


@dataclass
class TargetRow:
    indicator: str  # "地区生产总值 · 增速"
    key: tuple[str, str]  # (indicator, unit kind) of the series, or (indicator as written, unit)
    a: Side | None
    b: Side | None
    result: dict[str, Any] | None = None  # the earlier year's result: point, attained, state, rule

    @property
    def changed(self) -> bool:
        if self.a is None or self.b is None:
            return True
        ta, tb = self.a.target, self.b.target
        return (ta.value, ta.value_max, fold(ta.unit)) != (tb.value, tb.value_max, fold(tb.unit))


@dataclass
class Comparison:
    a: Document
    b: Document
    relation: str  # "successor" (same region, later year), "peer" (two regions, same year) or "other"
    measures: list[Aligned]
    measures_a: dict[str, Measure]
    measures_b: dict[str, Measure]
    targets: list[TargetRow]
    earlier_year: int | None

    def counts(self) -> dict[str, int]:
        out = {"kept": 0, "changed": 0, "new": 0, "dropped": 0}
        for row in self.measures:
            out[row.relation] += 1
        return out


# ------------------------------------------------------------------------------------------------ targets


def _year(doc: Document) -> int | None:
    period = plan_period(doc.title)
    if period is not None:
        return period.start
    return int(doc.date[:4]) if doc.date[:4].isdigit() else None


def _key(kb: KnowledgeBase, q: Quantity) -> tuple[tuple[str, str], str, Series | None] | None:
    series = kb.indicator_of(q.id)
    if series is not None:
        label = series.name + (f" · {series.label}" if series.label else "")
        if series.dimension.startswith("share:"):
            label = f"{series.name}占{series.dimension[6:]}比重"
        return (series.name, series.dimension), label, series
    indicator = "".join(fold(q.indicator).split())
    if len(indicator) < 2:
        return None
    return (indicator, fold(q.unit)), q.indicator, None


def headline_first(
    targets: list[Quantity], sentence_sizes: dict[tuple[str, int, int], int]
) -> list[Quantity]:
    """The targets of one indicator, the headline one first (module docstring)."""

    def rank(q: Quantity) -> tuple[int, int]:
        average = bool(_AVERAGE.search(q.qualifier + q.mention))
        return (average, -sentence_sizes.get((q.doc_id, *q.span), 1))

    return sorted(targets, key=rank)  # stable: reading order breaks ties


def _sentence_sizes(targets: Iterable[Quantity]) -> dict[tuple[str, int, int], int]:
    sizes: dict[tuple[str, int, int], int] = {}
    for q in targets:
        key = (q.doc_id, *q.span)
        sizes[key] = sizes.get(key, 0) + 1
    return sizes


def _sides(kb: KnowledgeBase, doc_id: str) -> tuple[dict[tuple[str, str], Side], dict[tuple[str, str], str]]:
    targets = kb.targets(doc_id)
    sizes = _sentence_sizes(targets)
    groups: dict[tuple[str, str], list[Quantity]] = {}
    labels: dict[tuple[str, str], str] = {}
    series_of: dict[tuple[str, str], Series | None] = {}
    for q in targets:
        found = _key(kb, q)
        if found is None:
            continue
        key, label, series = found
        groups.setdefault(key, []).append(q)
        labels.setdefault(key, label)
        series_of.setdefault(key, series)
    sides = {}
    for key, members in groups.items():
        first, *rest = headline_first(members, sizes)
        sides[key] = Side(first, kb.indicator_of(first.id) or series_of[key], rest)
    return sides, labels


def _result(series: Series | None, target: Quantity | None, year: int | None) -> dict[str, Any] | None:
    """The earlier year's result in ``series``: the attainment of ``target`` when judged, else the result alone."""
    if series is None or year is None:
        return None
    for a in series.attainment:
        if target is not None and a.target.item_id == target.id:
            return {"point": a.result, "attained": a.attained, "state": STATES[a.attained], "rule": a.rule}
    for point in series.results():
        if point.year == year:
            return {"point": point, "attained": None, "state": "", "rule": ""}
    return None


def compare_targets(kb: KnowledgeBase, a: Document, b: Document, earlier: str | None) -> list[TargetRow]:
    """Rows of targets of the same indicator (module docstring); ``earlier`` is the id of the earlier document."""
    sides_a, labels_a = _sides(kb, a.id)
    sides_b, labels_b = _sides(kb, b.id)
    order = list(sides_a) + [k for k in sides_b if k not in sides_a]
    year = _year(a if earlier == a.id else b) if earlier else None
    rows = []
    for key in order:
        sa, sb = sides_a.get(key), sides_b.get(key)
        row = TargetRow(labels_a.get(key) or labels_b[key], key, sa, sb)
        if earlier is not None:
            side = sa if earlier == a.id else sb
            other = sb if earlier == a.id else sa
            series = side.series if side is not None else None
            if series is None and other is not None and other.series is not None:
                mine = kb.indicator_series()
                series = next(
                    (
                        s
                        for s in mine
                        if s.region == other.series.region
                        and (s.name, s.dimension) == (other.series.name, other.series.dimension)
                    ),
                    None,
                )
            row.result = _result(series, side.target if side is not None else None, year)
        rows.append(row)
    # rows stated on both sides first, in A's order; then the one-sided ones
    return sorted(rows, key=lambda r: r.a is None or r.b is None)


# ------------------------------------------------------------------------------------------------ comparison


def _region(kb: KnowledgeBase, doc_id: str) -> str:
    for q in kb.targets(doc_id) + kb.results(doc_id):
        series = kb.indicator_of(q.id)
        if series is not None:
            return series.region
    return ""


def compare_documents(kb: KnowledgeBase, a_id: str, b_id: str, params: AlignParams = DEFAULT) -> Comparison:
    """``a`` and ``b`` side by side; ``CompareError`` when either is missing or both are the same."""
    a, b = kb.document(a_id), kb.document(b_id)
    missing = [i for i, d in ((a_id, a), (b_id, b)) if d is None]
    if missing:
        raise CompareError(f"没有编号为 {'、'.join(missing)} 的文件。")
    assert a is not None and b is not None
    if a.id == b.id:
        raise CompareError("请选择两份不同的文件进行对照。")
    measures_a = sorted(kb.measures(doc_id=a.id), key=lambda m: m.ordinal)
    measures_b = sorted(kb.measures(doc_id=b.id), key=lambda m: m.ordinal)
    rows = align_measures(measures_a, measures_b, params)
    ya, yb = _year(a), _year(b)
    ra, rb = _region(kb, a.id), _region(kb, b.id)
    if ya is not None and yb is not None and ya != yb:
        earlier: str | None = a.id if ya < yb else b.id
    else:
        earlier = None
    if ra and ra == rb and earlier is not None:
        relation = "successor"
    elif ra and rb and ra != rb and ya == yb:
        relation = "peer"
    else:
        relation = "other"
    return Comparison(
        a=a,
        b=b,
        relation=relation,
        measures=rows,
        measures_a={m.id: m for m in measures_a},
        measures_b={m.id: m for m in measures_b},
        targets=compare_targets(kb, a, b, earlier),
        earlier_year=min(ya, yb) if earlier is not None and ya is not None and yb is not None else None,
    )


# ------------------------------------------------------------------------------------------------ neighbours

_YEARS = re.compile(r"[0-9０-９]{2,4}(?:[—–\-－~～至到][0-9０-９]{2,4})?年?度?|[（(]\s*[)）]")
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}年度?")
_NOISE = re.compile(r"[\s《》“”\"'（）()、，,·—–\-－]")


def title_stem(title: str) -> str:
    """A title without its years and punctuation: "2019年海拉尔区政府工作报告" → "海拉尔区政府工作报告"."""
    text = fold(title)
    text = _CN_YEAR.sub("", _YEARS.sub("", text))
    return _NOISE.sub("", text)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def same_plan(x: Document, y: Document) -> bool:
    """Same agency and genre, and titles naming the same plan once years are set aside (bigram Dice ≥ 0.8)."""
    if not x.agency or fold(x.agency).strip() != fold(y.agency).strip() or x.genre != y.genre:
        return False
    sx, sy = title_stem(x.title), title_stem(y.title)
    if sx == sy:
        return True
    bx, by = _bigrams(sx), _bigrams(sy)
    return bool(bx and by) and 2 * len(bx & by) / (len(bx) + len(by)) >= 0.8


_NEIGHBOURS: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, tuple[str | None, str | None]]] = (
    weakref.WeakKeyDictionary()
)


def _neighbours(kb: KnowledgeBase) -> dict[str, tuple[str | None, str | None]]:
    cached = _NEIGHBOURS.get(kb)
    if cached is not None:
        return cached
    groups: dict[tuple[str, str], list[Document]] = {}
    for doc in kb.documents():
        if doc.agency and _year(doc) is not None:
            groups.setdefault((fold(doc.agency).strip(), doc.genre), []).append(doc)
    out: dict[str, tuple[str | None, str | None]] = {}
    for docs in groups.values():
        docs.sort(key=lambda d: (_year(d), d.date, d.id))
        for i, doc in enumerate(docs):
            year = _year(doc)
            before = next((d for d in reversed(docs[:i]) if _year(d) < year and same_plan(d, doc)), None)
            after = next((d for d in docs[i + 1 :] if _year(d) > year and same_plan(d, doc)), None)
            out[doc.id] = (before.id if before else None, after.id if after else None)
    _NEIGHBOURS[kb] = out
    return out


def predecessor(kb: KnowledgeBase, doc_id: str) -> Document | None:
    """The same plan's document of the nearest earlier period (module docstring), if the library holds one."""
    found = _neighbours(kb).get(doc_id, (None, None))[0]
    return kb.document(found) if found else None


def successor(kb: KnowledgeBase, doc_id: str) -> Document | None:
    """The same plan's document of the nearest later period, if the library holds one."""
    found = _neighbours(kb).get(doc_id, (None, None))[1]
    return kb.document(found) if found else None


# ------------------------------------------------------------------------------------------------ regions


@dataclass
class Across:
    """One indicator across regions for one year and kind, with what the page needs to link each value."""

    table: RegionTable
    dimensions: list[str]  # the unit kinds this indicator has series in
    years: dict[int, int]  # year -> regions with a value of this kind
    clause_of: dict[str, str]  # item id -> clause id
    titles: dict[str, str]  # doc id -> title


def indicator_across_regions(
    kb: KnowledgeBase, name: str, dimension: str | None, year: int | None, kind: str, units: dict[str, str]
) -> Across | None:
    """The table of ``kb.compare.regions`` for one indicator; ``dimension`` defaults to the unit kind with the
    most regions, ``year`` (when None) to the latest year at least two regions have a value for. None when
    no series has this indicator; a year without values gives an empty table."""
    every = [s for s in kb.indicator_series() if s.name == name]
    if not every:
        return None
    by_dimension: dict[str, set[str]] = {}
    for s in every:
        by_dimension.setdefault(s.dimension, set()).add(s.region)
    dimensions = sorted(by_dimension, key=lambda d: (-len(by_dimension[d]), d))
    if dimension not in by_dimension:
        dimension = dimensions[0]
    group = group_of(every, name, dimension)
    years = years_of(group, kind)
    if year is None:
        shared = [y for y, n in years.items() if n >= 2]
        year = max(shared or years or [0])
    sizes: dict[str, dict[tuple[int, int], int]] = {}

    def sentence_size(item_id: str) -> int:
        q = kb.quantity(item_id)
        if q is None:
            return 1
        if q.doc_id not in sizes:
            per: dict[tuple[int, int], int] = {}
            for other in kb.quantities(q.doc_id, q.kind):
                per[tuple(other.span)] = per.get(tuple(other.span), 0) + 1
            sizes[q.doc_id] = per
        return sizes[q.doc_id].get(tuple(q.span), 1)

    table = region_rows(group, year, kind, sentence_size, units)
    clause_of: dict[str, str] = {}
    titles: dict[str, str] = {}
    for row in table.rows:
        for p in (row.point, *row.others):
            q = kb.quantity(p.item_id)
            clause_of[p.item_id] = q.clause_id if q is not None else ""
            doc = kb.document(p.doc_id)
            titles[p.doc_id] = doc.title if doc is not None else p.doc_id
    return Across(table, dimensions, dict(sorted(years.items(), reverse=True)), clause_of, titles)
