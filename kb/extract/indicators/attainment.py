"""Did a result meet its target (``judge``, ``attainment``), and do documents disagree (``conflicts``)."""

from __future__ import annotations

from collections import defaultdict

from kb.extract.indicators.concepts import (
    APPROX_WORDS,
    AVERAGE_WORDS,
    CEILING_WORDS,
    FLOOR_WORDS,
    INCREMENT_WORDS,
)
from kb.extract.indicators.model import Attainment, Conflict, Point, Series, round6
from kb.text.normalize import fold
from kb.text.numerals import plain_number, written_amount


def _written(point: Point) -> str:
    return written_amount(point.value, point.value_max, point.unit)


def judge(target: Point, result: float, *, lower: bool = False, tolerance: float = 0.05) -> tuple[bool, str]:
    """Whether ``result`` meets ``target`` (module docstring), and the rule applied, in Chinese."""
    qualifier = target.qualifier
    words = qualifier + " " + fold(target.mention)
    low = target.value
    high = target.value_max if target.value_max is not None else target.value
    decrease = high < 0 and (target.unit == "%" or target.unit.endswith("百分点"))  # "下降3%以上": at most −3
    ceiling = bool(CEILING_WORDS.search(words)) or decrease or (lower and not FLOOR_WORDS.search(qualifier))
    approx = bool(APPROX_WORDS.search(qualifier)) and target.value_max is None
    written = _written(target)
    eps = 1e-9 * max(1.0, abs(low), abs(high))
    if ceiling:
        bound = high + (tolerance * abs(high) if approx else 0.0)
        met = result <= bound + eps
        how = f"不高于{plain_number(round6(bound))}{target.unit}"
    else:
        bound = low - (tolerance * abs(low) if approx else 0.0)
        met = result >= bound - eps
        how = f"不低于{plain_number(round6(bound))}{target.unit}"
    if approx:
        rule = f"目标{written}左右：结果{how}即完成（容差{plain_number(tolerance * 100)}%）"
    elif target.value_max is not None:
        rule = f"目标{written}（区间）：结果{how}即完成"
    else:
        rule = f"目标{written}：结果{how}即完成"
    return met, rule


def _not_comparable(target: Point) -> str:
    """Why a target cannot be judged against one year's result ("" when it can)."""
    words = target.qualifier + " " + fold(target.mention)
    if AVERAGE_WORDS.search(words):
        return "年均目标与单一年份的结果不可比"
    if "累计" in target.qualifier and INCREMENT_WORDS.search(words):
        return "累计新增目标与单一年份的结果不可比"
    return ""


def _first_results(series: Series | None) -> dict[int, Point]:
    """The result of each year: the one of the earliest document (points are sorted that way)."""
    out: dict[int, Point] = {}
    for point in series.results() if series is not None else []:
        out.setdefault(point.year, point)
    return out


def _derived(year: int, value: float, unit: str, sources: list[Point], mention: str) -> Point:
    last = sources[-1]
    return Point(year, "result", round6(value), unit, "推算", last.doc_id, last.item_id, None, mention)


def attainment(series: Series, tolerance: float = 0.05, sibling: Series | None = None) -> list[Attainment]:
    """One judgement per year and distinct target value that has a result.

    ``sibling`` is the other basis of the same indicator and unit: the level series of an increment series, or
    the increment series of a level series. A year without a result of its own is then judged on a derived one
    (increment = this year's level − last year's; level = last year's level + this year's increment) when both
    parts exist in the series' unit, else marked not comparable against the other basis' result.
    """
    own = _first_results(series)
    other = _first_results(sibling) if sibling is not None and sibling.unit == series.unit else {}
    increment = series.dimension.startswith("increment:")
    out: list[Attainment] = []
    seen: set[tuple[int, float, float | None, str]] = set()
    for target in series.targets():
        year = target.year
        key = (year, target.value, target.value_max, target.qualifier)
        if key in seen:
            continue
        result, derived, reason = own.get(year), [], ""
        if result is None and year in other:
            if increment and year - 1 in other:
                before, now = other[year - 1], other[year]
                mention = f"{before.year}年{_written(before)} → {now.year}年{_written(now)}"
                result = _derived(year, now.value - before.value, series.unit, [before, now], mention)
                derived = [before.item_id, now.item_id]
            elif not increment and year - 1 in own:
                before, added = own[year - 1], other[year]
                mention = f"{before.year}年{_written(before)} + {added.year}年新增{_written(added)}"
                result = _derived(year, before.value + added.value, series.unit, [before, added], mention)
                derived = [before.item_id, added.item_id]
            else:
                result = other[year]
                reason = (
                    "新增目标与总量结果不可比（缺少上年总量）"
                    if increment
                    else "总量目标与新增结果不可比（缺少上年总量）"
                )
        if result is None:
            continue
        seen.add(key)
        reason = reason or _not_comparable(target)
        if reason:
            out.append(Attainment(year, target, result, None, reason, derived))
            continue
        met, rule = judge(target, result.value, lower=series.lower, tolerance=tolerance)
        if derived:
            rule += "（结果为当年与上年总量之差）" if increment else "（结果为上年总量加当年新增）"
        out.append(Attainment(year, target, result, met, rule, derived))
    return out


def conflicts(series: Series) -> list[Conflict]:
    """Years whose targets differ between at least two documents, with every source."""
    by_year: dict[int, list[Point]] = defaultdict(list)
    for point in series.targets():
        by_year[point.year].append(point)
    out = []
    for year, points in sorted(by_year.items()):
        docs = {p.doc_id for p in points}
        values = {(p.value, p.value_max) for p in points}
        if len(docs) < 2 or len(values) < 2:
            continue
        out.append(
            Conflict(
                year=year,
                values=sorted({p.value for p in points}),
                item_ids=[p.item_id for p in points],
                doc_ids=sorted(docs),
            )
        )
    return out
