"""The years a title covers, defined once: "（2024—2026年）" → 2024–2026, "“十四五”规划" → 2021–2025,
"2019年工作要点" → 2019.

``period_of(title)`` reads any title (a plan's, a work report's); ``kb.extract.doctype.plan_period`` keeps it to
titles that name a plan (the period shown on a document page), and the quantity extractor dates a target left
without a deadline by its end (``kb.extract.quantities``). Pure functions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kb.text.normalize import fold
from kb.text.numerals import cn_to_number

__all__ = ["Period", "five_year_plan", "five_year_plans", "period_of"]

_YEAR = r"((?:19|20)\d{2})"
_RANGE = re.compile(_YEAR + r"\s*年?\s*(?:—{1,2}|–|-|－|~|～|至|到)\s*" + _YEAR + r"\s*年")
# a year the title is about, not one it looks back from ("2018年以来")
_SINGLE = re.compile(_YEAR + r"\s*年(?!\s*(?:以前|之前|以来|前))")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
_FIVE_YEAR = re.compile(
    r"[“\"']([一二三四五六七八九十]{1,3})五[”\"']|([一二三四五六七八九十]{1,3})五(?:规划|时期|期间|计划|末)"
    r"|第([一二三四五六七八九十]{1,3})个五年"
)
# a title that opens with a bare year ("2017渔业渔政工作要点")
_LEADING_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?=[\u4e00-\u9fff])")


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"


def five_year_plan(ordinal: int) -> Period | None:
    """The years of the n-th five-year plan (一五 1953–1957, 二五 1958–1962, then from 三五 1966–1970 on)."""
    if ordinal == 1:
        return Period(1953, 1957)
    if ordinal == 2:
        return Period(1958, 1962)
    if 3 <= ordinal <= 30:
        start = 1966 + 5 * (ordinal - 3)
        return Period(start, start + 4)
    return None


def five_year_plans(text: str) -> list[tuple[int, Period]]:
    """Every five-year plan ``text`` names ("“十四五”时期", "十五五规划", "第十四个五年"), with where it ends."""
    out = []
    for m in _FIVE_YEAR.finditer(text):
        ordinal = cn_to_number(m.group(1) or m.group(2) or m.group(3))
        period = five_year_plan(int(ordinal)) if ordinal else None
        if period is not None:
            out.append((m.end(), period))
    return out


@functools.lru_cache(maxsize=16384)
def period_of(title: str) -> Period | None:
    """The years ``title`` covers: a range, else a five-year plan (十四五, 第十四个五年), else the years it names
    (their span); None when it names none between 1949 and 2100."""
    text = fold(title)
    m = _RANGE.search(text)
    if m:
        start, end = int(m.group(1)), int(m.group(2))
        if start <= end:
            return Period(start, end)
    plans = five_year_plans(text)
    if plans:
        return plans[0][1]
    years = [int(y) for y in _SINGLE.findall(text)]
    years += [int(y) for y in _LEADING_YEAR.findall(text)]
    years += [int(cn_to_number(y) or 0) for y in _CN_YEAR.findall(text)]
    years = [y for y in years if 1949 <= y <= 2100]
    if years:
        return Period(min(years), max(years))
    return None
