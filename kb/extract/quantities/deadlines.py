"""The deadline of a target: the year it is due, from the nearest place that states one.

In order (the first that gives a year wins):

1. **the sentence**, before the number: "到2025年", "2020年底前", "2019年要/力争/实现…", a five-year plan
   ("“十四五”时期", "十五五末" → its last year), else a year stated earlier in the sentence ("力争2024年…150亿元以上",
   "确保2020年3月初…达到1000万只") that is no baseline ("与2015年相比", "在2021年基础上", "较2010年", "2020年起");
2. **the paragraph** before the sentence: "到2025年，…。…新增…";
3. **the block head**: the heading (or the lead up to its first ：) of the innermost enclosing clause that states a
   year or a period ("（二）发展目标 到2025年，…：" then bullets; "三、“十五五”时期主要目标任务"; "2026年重点工作");
4. **the plan's own period**: the attached document's title when the target is in one, else the document's
   title ("（2024—2026年）" → 2026, "2019年工作要点" → 2019);
5. **the plan's horizon**: when no title states a period, the first year its goals section (a clause headed
   …目标) is due by ("一、目标任务 全市计划于2022年底…" → 2022).

An **annual rate** ("每年…N项以上") has no single deadline: it takes the plan's end year (4, else 5) or none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.extract.quantities.candidates import Candidate
from kb.extract.quantities.lexicon import DEADLINE_RE, PARAGRAPH_DEADLINE_RE
from kb.model import Clause
from kb.text.normalize import fold
from kb.text.periods import five_year_plans, period_of

# A year stated in the sentence that is no baseline or starting point.
_SENTENCE_YEAR_RE = re.compile(
    r"(?<![\d比较与自从至到于止])((?:19|20)\d{2})年(?!以来|来|相比|基础上|的基础|同期|起|开始|度|的水平|水平|比|版|第|修订)"
)
_BEFORE_YEAR_STOP = re.compile(r"(?:截至|截止|与|较|比|自|从|对比)$")
_ANNUAL_RE = re.compile(r"每年|年均(?:新增|培育|开展|举办|组织|引进|建设)")
_BLOCK_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年(?!以来|来|相比|基础上|同期|起|工作回顾|回顾)")
_GOALS_HEADING_RE = re.compile(r"目标")
_REVIEW_HEADING_RE = re.compile(r"回顾|成就|成绩|总结")
_LEAD_CHARS = 200


def _year(value: str) -> int | None:
    year = int(value)
    return year if 1949 <= year <= 2100 else None


def sentence_deadline(c: Candidate) -> int | None:
    """Rule 1: a deadline, a five-year plan or a plain year stated in the sentence before the number."""
    found = None
    for dm in DEADLINE_RE.finditer(c.folded, c.sent_start, c.num_start):
        found = dm
    if found is not None:
        return _year(next(g for g in found.groups() if g))
    before = c.folded[c.sent_start : c.num_start]
    plans = five_year_plans(before)
    if plans:
        return plans[-1][1].end
    year = None
    for m in _SENTENCE_YEAR_RE.finditer(before):
        if _BEFORE_YEAR_STOP.search(before, 0, m.start()) is None:
            year = _year(m.group(1))
    return year


def paragraph_deadline(c: Candidate) -> int | None:
    """Rule 2: "到2025年" earlier in the paragraph (at most 300 characters back)."""
    para_start = max(c.index.paragraph_start(c.num_start), c.num_start - 300)
    found = None
    for dm in PARAGRAPH_DEADLINE_RE.finditer(c.folded, para_start, c.sent_start):
        found = dm
    return _year(found.group(1)) if found is not None else None


def is_annual(c: Candidate) -> bool:
    """ "每年开展培训800人": a rate per year, due by no single year."""
    return _ANNUAL_RE.search(c.folded, c.frag_start, c.num_start) is not None or (
        _ANNUAL_RE.search(c.folded, c.sent_start, c.num_start) is not None and c.frag_start == c.sent_start
    )


def _head_year(text: str) -> int | None:
    """The year a block head states: a period's end, a deadline, else a plain year."""
    folded = fold(text)
    plans = five_year_plans(folded)
    if plans:
        return plans[0][1].end
    period = period_of(folded)
    if period is not None and period.start != period.end:
        return period.end
    m = PARAGRAPH_DEADLINE_RE.search(folded) or _BLOCK_YEAR_RE.search(folded)
    return _year(m.group(1)) if m else None


def _lead_deadline(clause: Clause, text: str) -> int | None:
    """A deadline in a clause's lead up to its first ：/: when the lead is short ("到2026年，全市…：" then
    bullets): a block stated once for what follows."""
    start = clause.heading_span[0]
    window = fold(text[start : min(clause.span[1], start + _LEAD_CHARS)])
    colon = window.find(":")
    if colon < 0:
        return None
    m = PARAGRAPH_DEADLINE_RE.search(window, 0, colon)
    return _year(m.group(1)) if m else None


def block_deadline(chain: Sequence[Clause], text: str) -> int | None:
    """Rule 3: the innermost clause of ``chain`` (root first) whose heading, or whose lead up to its first ：,
    states a year or a period."""
    for clause in reversed(chain):
        if clause.style == "attachment" or _REVIEW_HEADING_RE.search(clause.heading):
            continue
        year = _head_year(clause.heading)
        if year is None:
            year = _lead_deadline(clause, text)
        if year is not None:
            return year
    return None


def own_period_end(chain: Sequence[Clause], title: str, *, annual: bool = False) -> int | None:
    """Rule 4: the end of the period the attached document's title states, else the document's title's — but
    an annual rate in an attached document takes only that document's own period."""
    if chain and chain[0].style == "attachment":
        period = period_of(chain[0].heading)
        if period is not None:
            return period.end
        if annual:
            return None
    period = period_of(title)
    return period.end if period is not None else None


def horizon(roots: Sequence[Clause], text: str) -> int | None:
    """Rule 5: the first year a goals section of the document (a clause headed …目标) is due by."""
    for root in roots:
        for clause in root.walk():
            if _GOALS_HEADING_RE.search(clause.heading) and not _REVIEW_HEADING_RE.search(clause.heading):
                m = DEADLINE_RE.search(fold(text[clause.span[0] : clause.span[1]]))
                if m is not None:
                    return _year(next(g for g in m.groups() if g))
    return None
