"""Quantities as values: 5000万元 = 0.5亿元 = 50000000 元, and 5000户 is another family altogether.

``find_quantities(text)`` reads every ``number [scale] unit`` of a text (Arabic or Chinese numerals,
``kb.text.numerals``; units from the unit table ``kb/data/units.txt``, ``kb.text.units``) and
normalises it to the base unit of its family: a scale written with the number (十 百 千 万 亿) multiplies the
value, so 元/千元/万元/亿元 are the family 元 and 万人 is 人; 户, 人, 家, 件, 吨, % … are each their own
family. A few names of the same unit are one family, as the unit table says (公斤 = 0.001 吨, 千米 = 公里, 百分点 =
个百分点, 人民币元 = 元, ‰ = 0.1 %). A range "3000—5000万元" gives both ends (3000万元 and 5000万元). Not quantities:
years (2019年, 二〇一九年), ordinals (第十条), a single Chinese digit (一家, 三个: a count word, not a figure).

``token(q)`` is the index term of a quantity (``元=50000000``): ``kb.search.analysis.AmountTokenizer`` indexes
these terms for every hit, so a query quantity is matched by value. ``parse_amounts(text)`` finds the
quantities a user typed, with the comparison around them: ``1000万元以上`` (≥), ``不超过50万元`` (≤),
``超过``/``低于`` (strict), ``1000—5000万元`` and ``1000万元至5000万元`` (a range), ``5000万元左右`` (± the unit table's tolerance, 5 %).

Pure functions; the unit table is read once per process from the configuration folder (``kb.config``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kb.text.normalize import normalize
from kb.text.numerals import cn_to_number
from kb.text.units import aliases_of, configured_units, tolerance_of

__all__ = [
    "AmountQuery",
    "Quantity",
    "find_quantities",
    "format_value",
    "parse_amounts",
    "parse_token",
    "token",
    "unit_table",
]

# A scale written between the number and the unit (5000万元, 3千元, 1.5万亿元).
SCALE_CHARS = "十百千万亿"
_SEP = "="  # token = family + _SEP + value

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN = "零〇一二两三四五六七八九十百千万亿"
_NUMBER_RE = re.compile(rf"(?<![\dA-Za-z.·第])(?:{_ARABIC}|[{_CN}]{{2,}})")
_RANGE_SEP_RE = re.compile(r"\s?(?:—{1,2}|–|-|~|～|〜|至|到)\s?")
_CN_YEAR = frozenset("零〇一二三四五六七八九")


@dataclass(frozen=True)
class Quantity:
    """A quantity of a text: ``value`` in the family's base unit; ``text[start:end]`` is how it is written."""

    value: float
    family: str
    start: int
    end: int


@dataclass(frozen=True)
class AmountQuery:
    """A quantity a user typed: the family and the accepted values (``low``/``high`` None = unbounded)."""

    text: str  # as typed, qualifiers included ("1000万元以上")
    surface: str  # the number and its unit only ("1000万元")
    family: str
    low: float | None
    high: float | None
    low_inclusive: bool = True
    high_inclusive: bool = True

    @property
    def exact(self) -> bool:
        return self.low is not None and self.low == self.high and self.low_inclusive and self.high_inclusive

    def accepts(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive))
        )


@dataclass(frozen=True)
class UnitTable:
    units: frozenset[str]
    longest: int
    aliases: tuple[tuple[str, tuple[str, float]], ...] = ()  # other names of a unit: (unit, (family, factor))
    tolerance: float = 0.05  # 左右/上下/约 (``kb.text.units``)

    def family(self, unit: str) -> tuple[str, float]:
        """The family a unit belongs to and its factor there ("公斤" → ("吨", 0.001))."""
        return dict(self.aliases).get(unit, (unit, 1.0))


@functools.lru_cache(maxsize=8)
def _table(
    units: tuple[str, ...], aliases: tuple[tuple[str, tuple[str, float]], ...], tolerance: float
) -> UnitTable:
    return UnitTable(frozenset(units), max((len(u) for u in units), default=1), aliases, tolerance)


# The compiled table of the configured units, with the configured table it was made from (``unit_table(None)``
# is asked for every indexed text: sorting the table each time was ~1/3 of the quantities field's cost).
_CONFIGURED: list[Any] = [None, None]


def unit_table(units: Mapping[str, str] | None = None) -> UnitTable:
    """The unit table (the configured ``units.txt`` when ``None``), compiled once per process; its other names
    of units and its 左右 tolerance come from the one unit table (``kb.text.units``)."""
    table = configured_units() if units is None else units
    if units is None and _CONFIGURED[0] is table:
        return _CONFIGURED[1]
    compiled = _table(tuple(sorted(table)), tuple(sorted(aliases_of(table).items())), tolerance_of(table))
    if units is None:
        _CONFIGURED[:] = [table, compiled]
    return compiled


# --------------------------------------------------------------------------------------------
# Reading quantities
# --------------------------------------------------------------------------------------------


def _unit_at(text: str, pos: int, table: UnitTable) -> tuple[str, int] | None:
    """The longest unit of the table starting at ``pos``: (unit, end)."""
    for length in range(min(table.longest, len(text) - pos), 0, -1):
        candidate = text[pos : pos + length]
        if candidate in table.units:
            return candidate, pos + length
    return None


def _suffix(text: str, pos: int, table: UnitTable) -> tuple[float, str, int] | None:
    """(scale factor, family, end) of the unit after a number at ``pos``; a unit spelt with a scale
    character (千米, 千瓦, 百分点) wins over scale + unit (千 + 米)."""
    if pos < len(text) and text[pos] == " ":
        pos += 1  # "5000 万元"
    direct = _unit_at(text, pos, table)
    if direct is not None:
        family, factor = table.family(direct[0])
        return factor, family, direct[1]
    end = pos
    while end < len(text) and end - pos < 3 and text[end] in SCALE_CHARS:
        end += 1
    while end > pos:
        unit = _unit_at(text, end, table)
        if unit is not None:
            factor = cn_to_number("1" + text[pos:end])
            if factor is None:
                return None
            family, alias_factor = table.family(unit[0])
            return factor * alias_factor, family, unit[1]
        end -= 1
    return None


def _number(numeral: str) -> float | None:
    value = cn_to_number(numeral)
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return value


def _is_year(numeral: str, family: str) -> bool:
    if family != "年":
        return False
    if numeral.isdigit() and len(numeral) == 4:
        return True
    return len(numeral) == 4 and all(ch in _CN_YEAR for ch in numeral)


def _iter_quantities(norm: str, table: UnitTable) -> Iterator[tuple[Quantity, str, int]]:
    """(quantity, its numeral, end of the numeral) on normalised text."""
    pending: list[tuple[str, int, int]] = []  # numbers without a unit, waiting for a range's unit
    for m in _NUMBER_RE.finditer(norm):
        numeral, start, end = m.group(), m.start(), m.end()
        if pending and pending[-1][2] < start and not _RANGE_SEP_RE.fullmatch(norm[pending[-1][2] : start]):
            pending.clear()
        suffix = _suffix(norm, end, table)
        if suffix is None:
            after = _RANGE_SEP_RE.match(norm, end)
            pending = [(numeral, start, end)] if after is not None else []
            continue
        factor, family, unit_end = suffix
        value = _number(numeral.replace(",", ""))
        if value is None or _is_year(numeral, family):
            pending = []
            continue
        for p_numeral, p_start, p_end in pending:  # "3000—5000万元": the first end takes the unit
            p_value = _number(p_numeral.replace(",", ""))
            if p_value is not None and not _is_year(p_numeral, family):
                yield Quantity(round(p_value * factor, 6), family, p_start, p_end), p_numeral, p_end
        pending = []
        yield Quantity(round(value * factor, 6), family, start, unit_end), numeral, end


def find_quantities(text: str, units: Mapping[str, str] | None = None) -> list[Quantity]:
    """Every quantity of ``text`` in reading order (offsets index ``text``; matching is on its normalisation)."""
    if not text:
        return []
    table = unit_table(units)
    return [q for q, _, _ in _iter_quantities(normalize(text), table)]


def format_value(value: float) -> str:
    """A value as the index writes it: no exponent, at most 4 decimals, no trailing zeros."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return text or "0"


def token(family: str, value: float) -> str:
    """The index term of a quantity: ``元=50000000``."""
    return f"{family}{_SEP}{format_value(value)}"


def parse_token(term: str) -> tuple[str, float] | None:
    """(family, value) of an index term, or None."""
    family, sep, value = term.rpartition(_SEP)
    if not sep or not family:
        return None
    try:
        return family, float(value)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Quantities in a query
# --------------------------------------------------------------------------------------------

_BEFORE_AT_LEAST = ("不低于", "不少于", "至少", "最少", "大于等于")
_BEFORE_MORE = ("超过", "大于", "高于", "多于")
_BEFORE_AT_MOST = ("不超过", "不高于", "不多于", "最多", "至多", "小于等于")
_BEFORE_LESS = ("低于", "少于", "小于", "不到", "不足")
_BEFORE_ABOUT = ("约",)
_AFTER_AT_LEAST = ("及以上", "以上")
_AFTER_AT_MOST = ("及以下", "以下", "以内", "之内")
_AFTER_ABOUT = ("左右", "上下")


def _qualifier_before(norm: str, start: int, floor: int) -> tuple[str, int]:
    for words, name in (
        (_BEFORE_AT_LEAST, "ge"),
        (_BEFORE_AT_MOST, "le"),
        (_BEFORE_MORE, "gt"),
        (_BEFORE_LESS, "lt"),
        (_BEFORE_ABOUT, "about"),
    ):
        for word in words:
            if start - len(word) >= floor and norm.startswith(word, start - len(word)):
                return name, start - len(word)
    return "", start


def _qualifier_after(norm: str, end: int) -> tuple[str, int]:
    for words, name in ((_AFTER_AT_LEAST, "ge"), (_AFTER_AT_MOST, "le"), (_AFTER_ABOUT, "about")):
        for word in words:
            if norm.startswith(word, end):
                return name, end + len(word)
    return "", end


def parse_amounts(text: str, units: Mapping[str, str] | None = None) -> list[tuple[int, int, AmountQuery]]:
    """The quantities typed in ``text`` as (start, end, query), spans covering their qualifiers."""
    if not text:
        return []
    norm = normalize(text)
    table = unit_table(units)
    found = [q for q, _, _ in _iter_quantities(norm, table)]
    out: list[tuple[int, int, AmountQuery]] = []
    floor = 0
    i = 0
    while i < len(found):
        q = found[i]
        # A range typed as "1000—5000万元" or "1000万元至5000万元": two quantities of one family.
        if i + 1 < len(found):
            nxt = found[i + 1]
            gap = norm[q.end : nxt.start]
            if nxt.family == q.family and _RANGE_SEP_RE.fullmatch(gap) and q.value <= nxt.value:
                surface = text[q.start : nxt.end]
                out.append((q.start, nxt.end, AmountQuery(surface, surface, q.family, q.value, nxt.value)))
                floor = nxt.end
                i += 2
                continue
        before, start = _qualifier_before(norm, q.start, floor)
        after, end = ("", q.end) if before else _qualifier_after(norm, q.end)
        relation = before or after
        low: float | None = q.value
        high: float | None = q.value
        low_in = high_in = True
        if relation == "ge":
            high = None
        elif relation == "gt":
            high, low_in = None, False
        elif relation == "le":
            low = None
        elif relation == "lt":
            low, high_in = None, False
        elif relation == "about":
            low, high = round(q.value * (1 - table.tolerance), 4), round(q.value * (1 + table.tolerance), 4)
        out.append(
            (
                start,
                end,
                AmountQuery(text[start:end], text[q.start : q.end], q.family, low, high, low_in, high_in),
            )
        )
        floor = end
        i += 1
    return out
