"""Quantities: targets and results ("新增高新技术企业42家", "地区生产总值增长5%左右").

Core: ``find_quantities(text, doc_id, clauses=())`` works on text alone; ``extract_quantities(doc, outline)``
feeds it the document body and the flattened outline. Both are pure.

How it works (one pass, regexes compiled once):

1. One master regex finds ``number [range] unit`` on ``fold(text)`` (length preserving, so offsets are
   valid in the original). Numbers are Arabic ("2100", "1.5万", "5千万") or Chinese ("一百五十", "两千");
   units come from ``kb/data/units.txt``. A scale written with the number (万/亿) stays in the unit:
   "1.5万人" -> 1.5 万人, "5000万元" -> 5000 万元, "35亿元" -> 35 亿元.
2. Cheap rejections: years ("2019年", "2018—2020年", "二〇一九年"), ordinals ("第十条"), rates and
   frequencies ("每5年", "100元/吨"), a bare one-character Chinese numeral ("一期", "三区", "四个全面"),
   conditions and attributes ("五万元以上的", "超过500万元的部分"), baselines ("…的基础上").
3. Context, on the sentence (split on 。；！？ and line breaks) and on the clause fragment before the
   number (back to the previous comma/colon/list mark or the previous target):
   - penalties and legal norms: the sentence mentions 罚款/罚金/处以/拘留/徒刑/没收/违法所得/赔偿/吊销/
     责令 or 不得/禁止/应当/违反, or the number follows 处 -> not a target;
   - statutes (3+ lines starting with "第X条"): a target also needs a deadline or planning words
     (力争/争取/确保/目标), so article numbers, thresholds and standards drop out;
   - achievements: a sentence with past markers (比上年, 同比, 去年, 过去, 以来, 截至, 了…) and no
     future marker, or a sentence inside a review section (a "一、…工作回顾" heading up to the next
     "一、" style heading, or a paragraph opening with 过去一年/一年来/过去五年) -> not a target unless it
     states a plan (力争, 预期目标, 到2025年…);
   - a goal context is required: a goal verb or qualifier in the fragment (达到, 实现, 新增, 净增, 力争,
     建设, 培育, 增长, 控制在…), "左右" after the number, or a deadline ("到2022年", "2020年前") in the
     sentence or earlier in the paragraph. Durations (年, 天, 个月…) need 缩短/控制在/经过… .
4. Indicator: for classifier units (个, 所, 家, 项…) followed by a noun, the noun after the unit
   ("建设50所高水平高等职业学校"); otherwise the noun phrase before the number, leading verbs and
   qualifiers (力争, 实现, 完成, 新增, 全市…) and trailing verbs (达到, 增长, 提高到…) stripped, and
   "由A提高到B" read as indicator + B. A bare "增长8%"/"达到35578元" right after another target of the same
   sentence inherits that target's indicator. No indicator -> no target.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from kb import ids
from kb.extract.places import innermost_clause
from kb.extract.quantities.candidates import Candidate, TextIndex
from kb.extract.quantities.deadlines import (
    block_deadline,
    horizon,
    is_annual,
    own_period_end,
    paragraph_deadline,
    sentence_deadline,
)
from kb.extract.quantities.lexicon import (
    AFTER_QUAL,
    GENERIC_INDICATOR_RE,
    MENTION_LEAD_RE,
    PLAN_CLAUSE_RE,
    REVIEW_CLAUSE_RE,
    Matcher,
    matcher_for,
    scale_split,
    to_number,
)
from kb.extract.quantities.phrases import noun_after, qualifiers_of, strip_indicator
from kb.extract.quantities.rules import CONTEXT_RULES, SHAPE_RULES, classify
from kb.model import Clause, Document, Quantity
from kb.text.normalize import fold
from kb.text.periods import five_year_plans
from kb.text.units import load_units

_REVIEW_YEAR_RE = re.compile(r"(\d{4})年")


def _clause_path(clause: Clause | None) -> str:
    if clause is None:
        return "0"
    return ids.ordinals_of(clause.id) or "0"


@dataclass(frozen=True)
class Decision:
    """Why a candidate number became a target, a result, or nothing (``explain``)."""

    mention: str
    value: float
    unit: str
    kind: str | None  # "target" | "result" | None (rejected)
    rule: str  # the rule that rejected it, or "target"/"result"


def _candidates(
    text: str,
    folded: str,
    matcher: Matcher,
    reviews: Sequence[tuple[int, int, bool]] = (),
    year: int | None = None,
) -> Iterator[tuple[Candidate, str | None]]:
    """Every number-with-unit, with the name of the shape rule that rejects it (None: it is a quantity)."""
    index: TextIndex | None = None
    for m, cell in _matches(folded, matcher):
        if index is None:
            index = TextIndex(folded, reviews, year)
        if cell:  # "托育机构保育人员（万人）≥0.3预期性": the unit stands before the number
            c = Candidate(
                folded, index, m.start("n1"), m.end("n1"), m.group("n1"), None, m.group("unit"), None
            )
            c.cell_at = m.start()
        else:
            c = Candidate(
                folded,
                index,
                m.start(),
                m.end(),
                m.group("n1"),
                m.group("n2"),
                m.group("unit"),
                m.group("u1"),
            )
        c.kind = matcher.kinds.get(c.unit, "measure") if c.unit else "count"  # a bare scale counts people
        scale, factor = scale_split(c.n2 if c.n2 is not None else c.n1)
        v1 = to_number(c.n1)
        v2 = to_number(c.n2) if c.n2 is not None else None
        if v1 is None or (c.n2 is not None and v2 is None):
            yield c, "not_a_number"
            continue
        if v2 is not None:
            s1, f1 = scale_split(c.n1)
            c.value = round(v1 / f1 if s1 else v1, 6)
            c.value_max = round(v2 / factor, 6)
        else:
            c.value = round(v1 / factor, 6)
        if not math.isfinite(c.value) or (c.value_max is not None and not math.isfinite(c.value_max)):
            yield c, "not_a_number"
            continue
        c.scale = m.group("scale") if cell else scale
        quals: list[str] = []
        pos = c.unit_end
        while q := AFTER_QUAL.match(folded, pos):
            quals.append(q.group())
            pos = q.end()
        c.pos, c.after_quals = pos, tuple(quals)
        c.sent_start, c.sent_end = index.sentence(c.num_start)
        c.frag_start = max(index.fragment_start(c.num_start), c.sent_start)
        rejected = next((name for name, rule in SHAPE_RULES.items() if rule(c)), None)
        yield c, rejected


def _matches(folded: str, matcher: Matcher) -> list[tuple[re.Match[str], bool]]:
    """The ``number [range] unit`` matches and the rows of flattened planning tables, in reading order."""
    found = [(m, False) for m in matcher.master.finditer(folded)]
    found += [(m, True) for m in matcher.cell.finditer(folded)]
    return sorted(found, key=lambda item: item[0].start("n1"))


def _judge(
    text: str,
    units: Mapping[str, str] | None,
    reviews: Sequence[tuple[int, int, bool]] = (),
    year: int | None = None,
) -> Iterator[tuple[Candidate, str | None, str]]:
    """Each candidate with its kind ("target", "result" or None) and the name of the rule that decided;
    ``reviews`` are review parts found by the outline, ``year`` the document's."""
    folded = fold(text)
    prev_end = 0
    for c, rejected in _candidates(text, folded, matcher_for(units), reviews, year):
        if rejected is not None:
            yield c, None, rejected
            continue
        c.frag_start = max(c.frag_start, prev_end)
        rejected = next((name for name, rule in CONTEXT_RULES.items() if rule(c)), None)
        if rejected is not None:
            yield c, None, rejected
            continue
        kind = classify(c)
        if kind is None:
            yield c, None, "no_goal_context"
            continue
        yield c, kind, kind
        prev_end = c.pos


_ROW_END_RE = re.compile(r"约束性|预期性|属性")  # the attribute column ends the row before


def _indicator(c: Candidate, text: str, prev: tuple[int, str] | None) -> tuple[str, int]:
    """The indicator (verbatim) and where the mention ends: the noun after a classifier, else the noun phrase
    before the number, else the previous target's of the same sentence ("…6800亿元左右、增长20%以上")."""
    if c.cell_at >= 0:  # a table row: the indicator is the row's name, without its row number
        row_start = max(c.sent_start, c.cell_at - 60)
        for m in _ROW_END_RE.finditer(c.folded, row_start, c.cell_at):
            row_start = m.end()
        name = re.sub(r"^\d{1,2}(?=\D)", "", c.folded[row_start : c.cell_at].strip())
        start = c.folded.find(name, row_start, c.cell_at) if name else -1
        return (text[start : start + len(name)] if start >= 0 else ""), c.pos
    folded = c.folded
    indicator, mention_end = "", c.pos
    if c.kind == "count" or c.folded.startswith("的", c.pos):
        after_at = c.pos + 1 if c.folded.startswith("的", c.pos) else c.pos
        indicator, mention_end = noun_after(folded, after_at)
        mention_end = max(mention_end, c.pos)
    if not indicator:
        indicator = strip_indicator(c.before)
    if not indicator and c.kind != "percent":
        indicator, mention_end = noun_after(folded, c.pos)
        mention_end = max(mention_end, c.pos)
    ind_at = folded.find(indicator, c.frag_start, mention_end) if indicator else -1
    if ind_at >= 0:
        indicator = text[ind_at : ind_at + len(indicator)]  # verbatim (folded only for matching)
    elif prev is not None and prev[0] == c.sent_start:
        indicator = prev[1]
    return indicator, mention_end


_BASELINE_YEAR_RE = re.compile(r"(?:比|较|由|从|与|是|同)$")


def _result_year(c: Candidate, report_year: int | None) -> int | None:
    """The year a result reports: stated in its sentence (not a baseline: 比2010年, 由2013年的…), else the last
    year of a five-year plan the sentence names ("“十三五”期间…" → 2020), else in its review section's title,
    else the document's own year in a background part (发展现状), else the year before the report's (a 2019
    report reviews 2018)."""
    before = c.folded[c.sent_start : c.num_start]
    years = [
        int(m.group(1))
        for m in _REVIEW_YEAR_RE.finditer(before)
        if 1949 <= int(m.group(1)) <= 2100
        and _BASELINE_YEAR_RE.search(before, 0, m.start()) is None
        and not before.startswith(("的", "相比", "基础上", "同期"), m.end())
    ]
    if years:
        return years[-1]
    plans = five_year_plans(before)
    if plans:
        return plans[-1][1].end
    section = c.index.review_title(c.num_start)
    years = [int(y) for y in _REVIEW_YEAR_RE.findall(section)] if section else []
    if years:
        return years[-1]
    if report_year and c.index.in_background(c.num_start):
        return report_year
    return report_year - 1 if report_year else None


_SPLIT_DIGITS_RE = re.compile(r"(?<=[\d.])[ \t\u3000]*\n[ \t\u3000\n]*(?=[\d.])")
_DIGIT_LINE_RE = re.compile(r"(?<=\n)[ \t\u3000]*[\d.,%]{1,12}[ \t\u3000]*\n")


def compact_numbers(text: str, units: Mapping[str, str] | None = None) -> tuple[str, list[int]]:
    """The text with the line breaks that web-page extraction put inside numbers removed ("3\n45\n亿千瓦时",
    "74.4\n万亿元"), and for every character of the result its offset in ``text`` (so spans map back).

    A break is removed between two digits, after a number when the next line starts with a unit, and around a
    line that holds only digits. Texts without such breaks are returned as they are.
    """
    folded = fold(text)
    cut: set[int] = set()
    for m in _SPLIT_DIGITS_RE.finditer(folded):
        cut.update(range(m.start(), m.end()))
    for m in _DIGIT_LINE_RE.finditer(folded):
        cut.update(k for k in range(m.start(), m.end()) if folded[k] in " \t\u3000\n")
        k = m.start() - 1
        while k >= 0 and folded[k] in " \t\u3000\n":
            cut.add(k)
            k -= 1
    unit_starts = {u[0] for u in (units if units is not None else load_units())} | set("万亿千百")
    for m in re.finditer(r"(?<=\d)[ \t\u3000]*\n[ \t\u3000\n]*(?=\S)", folded):
        if folded[m.end()] in unit_starts and folded[m.end()] not in "年月日":
            cut.update(range(m.start(), m.end()))
    if not cut:
        return text, list(range(len(text)))
    keep = [k for k in range(len(text)) if k not in cut]
    return "".join(text[k] for k in keep), keep


def find_quantities(
    text: str,
    doc_id: str,
    clauses: Sequence[Clause] = (),
    units: Mapping[str, str] | None = None,
    *,
    title: str = "",
    year: int | None = None,
) -> list[Quantity]:
    """All quantitative targets and past results of ``text`` in reading order (``Quantity.kind``).

    ``clauses`` (roots or a flat list) only decide ``clause_id`` (the innermost clause whose span holds the
    mention) and the id (``kb.ids.quantity_id``: ``{doc_id}.t{clause path}-{k}``, ``.r`` for a result). ``units`` ({unit: kind}) is the unit table; ``None``
    reads the configured ``units.txt``. ``title`` gives the plan's own period (a target without a deadline in
    its sentence or paragraph is due at its end); ``year`` (the document's) dates results a review leaves
    undated. Restatements of a target (same indicator, value and unit) are kept once, at the first.
    """
    # The one pass over the judged candidates (~55 lines of code); each step is a named helper.
    original = text
    text, offsets = compact_numbers(original, units)
    offsets.append(len(original))

    def span_of(start: int, end: int) -> tuple[int, int]:
        return offsets[start], (offsets[end - 1] + 1 if end > start else offsets[start])

    found: list[Quantity] = []
    pending: dict[int, bool] = {}  # targets without a deadline of their sentence or paragraph: annual?
    seen: set[tuple[str, float, str, str]] = set()
    seen_values: set[tuple[float, str, str]] = set()
    prev: tuple[int, str] | None = None
    reviews = _compacted(review_spans(clauses), offsets)
    for c, kind, _rule in _judge(text, units, reviews, year):
        if kind is None:
            continue
        indicator, mention_end = _indicator(c, text, prev)
        if len(indicator) < 2:
            continue
        mention_start = _mention_start(c, indicator)
        deadline, result_year, annual = _when(c, kind, year)
        key = (fold(indicator), c.value, c.scale + c.unit, kind)
        if key in seen:  # a restatement of the same target or result, but it still lends its indicator
            prev = (c.sent_start, indicator)  # "…完成287.9亿元，同比增长8.9%": the growth is of 地区生产总值
            continue
        if GENERIC_INDICATOR_RE.match(key[0]) and key[1:] in seen_values:
            continue  # "经济增长预期目标为5%左右" restates "国内生产总值增长5%左右" stated before it
        seen.add(key)
        seen_values.add(key[1:])
        prev = (c.sent_start, indicator)
        mention_span = span_of(mention_start, mention_end)
        sentence_span = span_of(*_sentence_trimmed(c, mention_start, mention_end))
        found.append(
            _quantity(
                c, doc_id, indicator, kind, (deadline, result_year), original, mention_span, sentence_span
            )
        )
        pending[id(found[-1])] = annual

    _place(found, clauses, doc_id, original, title, pending)
    return found


def _quantity(
    c: Candidate,
    doc_id: str,
    indicator: str,
    kind: str,
    when: tuple[int | None, int | None],
    original: str,
    mention_span: tuple[int, int],
    sentence_span: tuple[int, int],
) -> Quantity:
    """The quantity of a judged candidate (its id and clause are given later, by ``_place``); ``when`` is its
    (deadline, reported year)."""
    deadline, result_year = when
    return Quantity(
        id="",
        doc_id=doc_id,
        clause_id="",
        indicator=indicator,
        value=c.value,
        unit=c.scale + c.unit,
        qualifier=qualifiers_of(c.before, c.folded[c.num_start - 1 : c.num_start], list(c.after_quals)),
        deadline=deadline,
        value_max=c.value_max,
        mention=original[mention_span[0] : mention_span[1]],
        mention_span=mention_span,
        text=original[sentence_span[0] : sentence_span[1]],
        span=sentence_span,
        kind=kind,
        year=result_year,
    )


def _mention_start(c: Candidate, indicator: str) -> int:
    """Where a mention starts: its clause fragment without a leading 和/及/并…; a table row at its name."""
    lead = MENTION_LEAD_RE.match(c.folded, c.frag_start, c.num_start)
    start = min(lead.end() if lead else c.frag_start, c.num_start)
    if c.cell_at >= 0:
        at = c.folded.rfind(fold(indicator), c.sent_start, c.cell_at)
        start = at if at >= 0 else start
    return start


def _when(c: Candidate, kind: str, year: int | None) -> tuple[int | None, int | None, bool]:
    """(deadline from the sentence or paragraph, the year a result reports, whether a target is an annual rate)."""
    if kind != "target":
        return None, _result_year(c, year), False
    annual = is_annual(c)
    deadline = sentence_deadline(c)
    if deadline is None and not annual:
        deadline = paragraph_deadline(c)
    return deadline, None, annual


def _sentence_trimmed(c: Candidate, mention_start: int, mention_end: int) -> tuple[int, int]:
    """The sentence around a mention without the white space at its ends."""
    start, end = c.sent_start, c.sent_end
    while start < mention_start and c.folded[start].isspace():
        start += 1
    while end > mention_end and c.folded[end - 1].isspace():
        end -= 1
    return start, end


def _place(
    found: list[Quantity],
    clauses: Sequence[Clause],
    doc_id: str,
    text: str,
    title: str,
    annual: dict[int, bool],
) -> None:
    """Each quantity's clause and id (``{doc}.t{clause path}-{k}``), and the deadline of a target its sentence and
    paragraph left open (the block head, the plan's period, its horizon)."""
    counters: dict[str, int] = {}
    horizons: dict[str, int | None] = {}
    for target in found:
        clause = innermost_clause(clauses, target.mention_span)
        path = _clause_path(clause)
        counters[path] = counters.get(path, 0) + 1
        target.clause_id = clause.id if clause is not None else ""
        target.id = ids.quantity_id(doc_id, path, counters[path], target.kind)
        if target.kind == "target" and target.deadline is None:
            target.deadline = _fallback_deadline(
                _chain(clauses, target.mention_span), text, title, annual[id(target)], horizons, clauses
            )


def review_spans(clauses: Sequence[Clause]) -> list[tuple[int, int, bool]]:
    """Spans of the clauses whose title names a review or a background part ("（一）发展基础", "一、“十四五”
    时期工作回顾"), not a plan: their quantities report the past (a background part: the document's own year)."""
    spans = []
    for root in clauses:
        for clause in root.walk():
            title = clause.heading.split("。", 1)[0][:40]
            m = REVIEW_CLAUSE_RE.search(title)
            if m is not None and not PLAN_CLAUSE_RE.search(title):
                spans.append(
                    (*clause.span, m.group().endswith(("基础", "条件", "现状", "挑战", "问题", "形势")))
                )
    return spans


def _compacted(spans: list[tuple[int, int, bool]], offsets: list[int]) -> list[tuple[int, int, bool]]:
    """Spans of the original text as offsets of the compacted one (``compact_numbers``)."""
    return [(bisect.bisect_left(offsets, s), bisect.bisect_left(offsets, e), b) for s, e, b in spans]


def _chain(clauses: Sequence[Clause], span: tuple[int, int]) -> list[Clause]:
    """The clauses holding ``span``, outermost first (``clauses``: the roots or a flat list)."""
    holders = {
        c.id: c for root in clauses for c in root.walk() if c.span[0] <= span[0] and span[1] <= c.span[1]
    }
    return sorted(holders.values(), key=lambda c: (c.span[0], -c.span[1]))


def _fallback_deadline(
    chain: list[Clause],
    text: str,
    title: str,
    annual: bool,
    horizons: dict[str, int | None],
    clauses: Sequence[Clause],
) -> int | None:
    """Rules 3–5 of ``kb.extract.quantities.deadlines``: the block head, the plan's own period, its horizon."""
    if not annual:
        year = block_deadline(chain, text)
        if year is not None:
            return year
    year = own_period_end(chain, title, annual=annual)
    if year is not None:
        return year
    scope = chain[0] if chain and chain[0].style == "attachment" else None
    key = scope.id if scope is not None else ""
    if key not in horizons:
        horizons[key] = horizon([scope] if scope is not None else clauses, text)
    return horizons[key]


def explain(text: str, units: Mapping[str, str] | None = None) -> list[Decision]:
    """Every candidate number of ``text`` with the rule that decided it: for tests, and for tuning on the set."""
    return [
        Decision(text[c.num_start : c.pos], c.value, c.scale + c.unit, kind, rule)
        for c, kind, rule in _judge(text, units)
    ]


def extract_quantities(
    doc: Document, outline: list[Clause], units: Mapping[str, str] | None = None
) -> list[Quantity]:
    """Targets and results of a document; ``outline`` gives the clause ids, ``units`` the unit table."""
    year = int(doc.year) if doc.year.isdigit() else None
    return find_quantities(doc.text, doc.id, outline, units, title=doc.title, year=year)
