"""How a filter value of the advanced search selects values of the index: 文号, 发布机构, dates.

Each function decides, for the *distinct* values of a field (a few thousand 文号 or agencies), which ones a
filter accepts; ``kb.search.engine`` turns them into a mask over the hits, so totals and facets stay exact.

* ``doc_number_matcher("国发〔2019〕4号")`` accepts that 文号 however its brackets are written (〔〕 [] () 【】,
  第, leading zeros); ``"国发 2019"`` accepts every 国发 of 2019; ``"2019 4号"`` every number 4 of 2019. The
  issuer code must be contained in the 文号's (国发 is not 国办发).
* ``agency_matcher("科技局")`` accepts an agency equal to the text, else every agency containing it or one of its
  synonyms (科技局 → 科学技术局, ``kb/data/synonyms.txt``).
* ``parse_date("2019")``, ``parse_date("2019-07")``, ``parse_date("2019-07-08")``: the first (or, with ``end``,
  the last) day of the period as ``YYYYMMDD``; ``ValueError`` with a Chinese message otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kb.search.whoosh.postings import day_number
from kb.text.docnumbers import normalize_doc_number
from kb.text.normalize import fold, normalize

__all__ = ["BAD_DATE_MESSAGE", "DocNumber", "agency_matcher", "doc_number_matcher", "parse_date"]

BAD_DATE_MESSAGE = "日期格式不正确，请写成 YYYY-MM-DD（如 2019-07-08），也可只写年份或年月（2019、2019-07）。"
_DATE_RE = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?")
_FULL_NUMBER = re.compile(r"(.*?)〔(\d{4})〕(\d+)号")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DIGITS = re.compile(r"\d+")
_ISSUER = re.compile(r"[\u3400-\u9fff]+")
_NOISE = re.compile(r"[第号年〔〕\[\]()（）【】\s]")


def parse_date(value: str, *, end: bool = False) -> int:
    """A date filter value as ``YYYYMMDD`` (the first day of a partial date, the last with ``end``)."""
    text = fold(value or "").strip()
    m = _DATE_RE.fullmatch(text)
    if not m:
        raise ValueError(BAD_DATE_MESSAGE)
    iso = "-".join(f"{int(g):02d}" if i else g for i, g in enumerate(m.groups()) if g)
    day = day_number(iso, end=end)
    if day < 0:
        raise ValueError(BAD_DATE_MESSAGE)
    return day


@dataclass(frozen=True)
class DocNumber:
    """A 文号 cut into its parts (issuer code, year, number); None for a part it does not state."""

    issuer: str
    year: str | None
    number: str | None

    @classmethod
    def of_value(cls, value: str) -> DocNumber:
        text = normalize_doc_number(value)
        m = _FULL_NUMBER.fullmatch(text)
        if m:
            return cls(m.group(1), m.group(2), m.group(3))
        return cls(text, None, None)

    @classmethod
    def of_query(cls, value: str) -> DocNumber:
        text = normalize_doc_number(value)
        m = _FULL_NUMBER.fullmatch(text)
        if m:
            return cls(m.group(1), m.group(2), m.group(3))
        folded = fold(value)
        year_m = _YEAR.search(folded)
        year = year_m.group(1) if year_m else None
        rest = folded[: year_m.start()] + " " + folded[year_m.end() :] if year_m else folded
        numbers = [str(int(n)) for n in _DIGITS.findall(rest)]
        issuer = "".join(_ISSUER.findall(_NOISE.sub(" ", rest)))
        return cls(issuer, year, numbers[-1] if numbers else None)


def doc_number_matcher(query: str) -> Callable[[str], bool]:
    """Whether a 文号 of the index is one the filter text names (see the module docstring)."""
    wanted = DocNumber.of_query(query)
    plain = normalize_doc_number(query)

    def accepts(value: str) -> bool:
        if not value:
            return False
        have = DocNumber.of_value(value)
        if have.year is None:  # an unusual 文号 (令第八号): the filter must be part of it
            return bool(plain) and plain in normalize_doc_number(value)
        if wanted.issuer and wanted.issuer not in have.issuer:
            return False
        if wanted.year is not None and wanted.year != have.year:
            return False
        return wanted.number is None or wanted.number == have.number

    return accepts


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text)).lower()


def agency_matcher(
    query: str, values: Sequence[str], synonyms: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """The agencies among ``values`` the filter text selects: the equal one, else those containing it."""
    if query in values:
        return [query]
    key = _key(query)
    if not key:
        return []
    variants = {key}
    for abbreviation, alternatives in (synonyms or {}).items():
        if abbreviation and abbreviation in key:
            variants.update(key.replace(abbreviation, _key(alt)) for alt in alternatives)
    return [v for v in values if v and any(variant in _key(v) for variant in variants)]
