"""Dates as offices write them, defined once: 2019年7月8日, 2019-07-08, 2019.7.8, 二〇一九年七月八日.

``parse_date(s)`` gives ISO ``YYYY-MM-DD`` (or ``YYYY`` when only the year is known, ``""`` when none);
``FULL_DATE_RE`` finds a full date in Arabic or Chinese numerals on folded text (the 落款's 成文日期);
``LEADING_DATE_RE`` a full Arabic date at the start of a line (the history lines of a law: "2016年11月25日…修正");
``DATELINE_RE`` the start of a year-and-month line ("——2019年3月4日在…会议上"). Pure functions.
"""

from __future__ import annotations

import datetime as _dt
import re

from kb.text.normalize import fold
from kb.text.numerals import cn_to_number

__all__ = ["DATELINE_RE", "FULL_DATE_RE", "LEADING_DATE_RE", "parse_date"]

_CN_DIGIT = "[〇○零一二三四五六七八九]"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
FULL_DATE_RE = re.compile(
    rf"((?:19|20)\d{{2}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日|({_CN_DIGIT}{{4}})年({_CN_SMALL})月({_CN_SMALL})日"
)
LEADING_DATE_RE = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
DATELINE_RE = re.compile(r"\s*[\d〇零一二三四五六七八九]{4}\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月")

_YMD_RE = re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})(?!\d)")
_YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?:\s*年|$|(?=\s*[年./\-]?\s*\d{1,2}\s*月))")
_CN_DATE_RE = re.compile(rf"({_CN_DIGIT}{{4}})年({_CN_SMALL})月(?:({_CN_SMALL})日)?")


def _iso(year: int, month: int, day: int) -> str:
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _cn(numeral: str) -> int:
    return int(cn_to_number(numeral) or 0)


def parse_date(s: str) -> str:
    """A date as written -> ISO ``YYYY-MM-DD`` (or ``YYYY`` when only the year is known), else ``""``.

    Accepts "2019年07月08日 00:00:00", "2019年7月8日", "2019-07-08", "2019.7.8", "2019/7/8",
    "2019年", "2019", full-width digits and "二〇一九年七月八日".
    """
    if not s:
        return ""
    text = fold(s.strip())
    m = _YMD_RE.search(text)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE_RE.search(text)
    if m:
        year = _cn(m.group(1))
        if m.group(3):
            return _iso(year, _cn(m.group(2)), _cn(m.group(3)))
        return str(year)
    m = _YEAR_RE.search(text)
    if m and 1000 <= int(m.group(1)) <= 2999:
        return m.group(1)
    return ""
