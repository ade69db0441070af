"""Quantitative target extraction ("新增高新技术企业42家", "地区生产总值增长5%左右").

Core: ``find_targets(text, doc_id, clauses=())`` works on text alone; ``extract_targets(doc, outline)``
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb import ids
from kb.config import config_file
from kb.extract.places import innermost_clause
from kb.model import Clause, Document, Target
from kb.text.normalize import fold
from kb.text.numerals import cn_to_number

UNIT_KINDS = ("count", "measure", "percent", "duration")


def load_units(path: Path | None = None) -> dict[str, str]:
    """Read ``unit kind`` lines (``#`` starts a comment line) into {unit: kind}."""
    units: dict[str, str] = {}
    for raw in (path or config_file("units.txt")).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        kind = parts[1] if len(parts) > 1 and parts[1] in UNIT_KINDS else "measure"
        units[fold(parts[0])] = kind
    return units


# ---------------------------------------------------------------------------------------------------
# Lexicons (all matched on folded text)

_NUM = (
    r"(?:\d+(?:,\d{3})*(?:[.·]\d+)?(?:[十百千]?[万亿]+)?"
    r"|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
)
_APPROX = r"(?:多|余)?"
_RANGE_SEP = r"(?:—{1,2}|–|-|－|~|～|〜|至|到)"
_AFTER_QUAL = re.compile(r"以上|左右|以内|以下|上下|之内")
_CN_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿")

# Sentence ends (the terminator belongs to the sentence) and line breaks.
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
# Clause-fragment boundaries for the indicator before a number.
_FRAGMENT_BOUNDARY = re.compile(r"[，,、：:。；;！!？?\n]")

# Qualifiers, scanned in reading order over the fragment before the number.
_QUALIFIER_RE = re.compile(
    r"力争|争取|确保|达到|净增|新增|累计|超过|突破|不低于|不少于|不超过|至少|年均|增长|下降|降低到|降低至|"
    r"降至|提高到|提高至|提升到|提升至|增加到|控制在|保持在|稳定在"
)
# One-character qualifiers that count only right before the number.
_NEAR_QUALIFIER = frozenset("约近超")

# Goal verbs/words in the fragment before the number.
_GOAL_RE = re.compile(
    r"力争|争取|确保|实现|完成|达到|新增|净增|增加(?!值)|增长|提高|提升|下降|降低|降至|减少|控制在|突破|"
    r"培育|建设|建成|建立|打造|引进|培训|组织|新建|改造|开工|竣工|覆盖|带动|吸纳|转移|安置|扶持|认定|"
    r"遴选|创建|推动|扩大|保持在|稳定在|缩小|缩短|压减|淘汰|化解|招引|筹集|争创|发放|资助|"
    r"预期|目标|计划|增至|吸引|帮助|解决|开展|举办|实施|支持|新开|新改建"
)
# Goal verbs that admit a duration ("缩短到3天", "控制在5个工作日以内").
_DURATION_GOAL_RE = re.compile(r"缩短|压缩|控制在|减少|降至|降低|提前|延长|(?:^|力争|争取)用|经过")
_DEADLINE_RE = re.compile(
    r"(?<!年)(?:到|至|力争到|争取到|力争在|争取在)(\d{4})年|"
    r"(\d{4})年(?:底前|末前|前|以前|之前|底|末)|"
    r"(\d{4})年(?=要|将|力争|争取|实现|完成|建成|初步|基本|全面|确保|达到)"
)
_PARAGRAPH_DEADLINE_RE = re.compile(r"(?<!年)(?:到|力争到|争取到)(\d{4})年")
_GOAL_OF_RE = re.compile(r"的(?:目标|任务|规模|水平)")
# A statute: several lines start with an article number ("第十条").
_ARTICLE_LINE_RE = re.compile(r"^[ #*]*第[一二三四五六七八九十百千零〇\d]+条", re.MULTILINE)
# Explicit planning language (needed in statutes and review sections).
_PLAN_RE = re.compile(r"力争|争取|确保|预期|目标|(?<!年)到\d{4}年")
_FUTURE_RE = re.compile(r"力争|争取|确保|预期|目标|计划|(?<!年)到\d{4}年|\d{4}年(?:底前|前)|将|(?<!主)要")
_PAST_RE = re.compile(
    r"比上年|较上年|比去年|同比|上年|去年|过去|以来|年来|截至|截止|已经|已|(?<![为除])了(?!解)|分别增长|分别下降"
)
# Penalties and legal obligations: amounts there are norms, not goals.
_NORM_RE = re.compile(r"罚款|罚金|处以|拘留|徒刑|没收|违法所得|赔偿|吊销|责令|不得|禁止|应当|违反")
# Section headings ("一、2025年工作回顾") and the review/plan words that classify them.
_HEADING_RE = re.compile(r"^[ \t\u3000]*[一二三四五六七八九十]{1,3}[、．.][^\n]{0,60}$", re.MULTILINE)
_REVIEW_HEAD_RE = re.compile(r"回顾|总结|成绩|成就|过去|一年来|五年来")
_PLAN_HEAD_RE = re.compile(r"目标|安排|任务|要求|建议|计划|重点工作|今后|今年|明年|考虑|部署")
_REVIEW_PARA_RE = re.compile(
    r"(?:^|(?<=[。！？]))[ \t\u3000]*(?:过去一年|过去的一年|一年来|过去五年|五年来|刚刚过去)", re.MULTILINE
)

# Leading words stripped from the indicator: always (qualifiers, scope, time, list labels) ...
_LEAD_ALWAYS = re.compile(
    r"^(?:\s+|[(（]?(?:[一二三四五六七八九十]+|\d+|[a-zA-Z])[)）、．.](?!\d)|[一二三四五六七八九十]+是|可以|力争|争取|确保|努力|力求|要求|"
    r"并且|并|以及|同时|其中|全市|全省|全区|全县|全州|全国|全年|今年|明年|年内|各地|我们|我国|"
    r"我市|我省|我区|我县|本市|本省|共计|总计|合计|总共|共|预计|计划|要|进一步|平均|每年|年均|"
    r"(?:到|至|在|于|力争到|争取到|从)?(?:\d{4}|[〇○零一二三四五六七八九]{4})年(?:底前|末前|底|末|前|以前|之前|内|起|开始)?|"
    r"比(?:\d{4}|[〇○零一二三四五六七八九]{4})年|比上一?年|比去年|年底前|期间|继续|巩固|在|使|让|将|把|对|经过|力争用|争取用)"
)
# ... and verbs, stripped only when at least three characters remain ("建设用地" stays).
_LEAD_VERB = re.compile(
    r"^(?:(?:新建|建设)和?(?:改造提升|改扩建|改造|扩建)|实现|完成|达到|新增|净增|累计|培育|组织|建设|建成|建立|打造|引进|推动|推进|开展|落实好|落实|新建|"
    r"改造|提升|创建|认定|遴选|扶持|支持|带动|吸引|吸纳|招收|招引|安置|转移|培训|扩大|提供|实施|启动|开工|"
    r"竣工|安排|筹集|争创|申报|发放|资助|举办|帮助|解决|新开工|新开|完善|新改建)"
)
_TRAIL = re.compile(
    r"(?:达到|达|为|是|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|降低到|降低至|降到|降至|下降到|"
    r"下降至|下降|减少到|减少|增长|增加|增至|提高|提升|突破|超过|控制在|保持在|稳定在|缩短到|缩短至|压减|"
    r"不低于|不少于|不超过|至少|约|近|超|年均|平均|分别|累计|新增|净增|以上|的|在|实现|完成|双双|均|都|也|"
    r"再|又|共有|共|在年底|年底|年末|要|将|都|可以|只要|和|及|计划|降低|缩小|扩大|缩短|压缩|\d{4}年)$"
)
# "由A提高到B" / "从A增加到B": the indicator is before 由/从, A is a baseline.
_FROM_TO_RE = re.compile(
    r"(?:由|从)[^，,。；;]*?(?:提高|增加|增长|提升|上升|下降|降低|减少|缩小|扩大|压减)(?:到|至)$"
)
# Where a noun phrase after a classifier ends.
_AFTER_STOP = re.compile(
    r"[，,。；;：:！!？?、\n]|和|及|或|等(?=[，,。；;、\s]|$)|大力|积极|加快|着力|全力|努力|持续|"
    r"逐步|率先|实现|达到|开展|完成|建成|以上|左右|的(?:目标|任务)|基本|全面|全部|进行|参与|参加|通过|获得|"
    r"纳入|列入|入选|在|为|将|\s"
)
_RATE_RE = re.compile(r"每(?!年|月)[^，,。；;]{0,6}$")
_CJK_NOUN_RE = re.compile(r"[\u4e00-\u9fff](?<![的，。、])")
_CONDITION_RE = re.compile(r"的[，,]?(?:可|给予|按|享受|予以)")
_TARGET_IS_RE = re.compile(r"(.+?)(?:预期)?目标(?:是|为)")
_MENTION_LEAD_RE = re.compile(r"(?:\s|和|及|以及|并|同时|其中|且)+")
_BAD_FOLLOWER = {
    "人": "民口均",
    "家": "庭长乡属族",
    "元": "素旦化",
    "名": "称单义额",
    "条": "例件款",
    "次": "数要级性",
    "期": "间限货",
    "台": "湾阶",
    "所": "有在以得属",
    "天": "然津",
    "户": "籍口",
    "处": "理罚",
    "年": "度级龄",
    "米": "粮",
}


@dataclass(frozen=True)
class _Matcher:
    master: re.Pattern[str]
    kinds: dict[str, str]


def _build(units: dict[str, str]) -> _Matcher:
    alternation = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    unit = f"(?:{alternation})"
    master = re.compile(
        rf"(?<![\dA-Za-z.·第每满])"
        rf"(?P<n1>{_NUM}){_APPROX}"
        rf"(?:(?P<u1>{unit})?\s?{_RANGE_SEP}\s?(?P<n2>{_NUM}){_APPROX})?"
        rf"(?P<unit>{unit})"
    )
    return _Matcher(master, units)


@lru_cache(maxsize=4)
def _matcher(units: tuple[tuple[str, str], ...]) -> _Matcher:
    return _build(dict(units))


def _matcher_for(units: Mapping[str, str] | None) -> _Matcher:
    """The compiled matcher for a unit table (the configured one when ``None``), built once per table."""
    return _matcher(tuple(sorted((units if units is not None else load_units()).items())))


# ---------------------------------------------------------------------------------------------------
# Helpers


def _number(num: str) -> float | None:
    return cn_to_number(num.replace("·", "."))


def _scale_split(num: str) -> tuple[str, float]:
    """Trailing 万/亿 of a numeral belong to the unit: "5000万" -> ("万", 1e4)."""
    i = len(num)
    while i > 1 and num[i - 1] in "万亿":
        i -= 1
    scale = num[i:]
    if not scale:
        return "", 1.0
    return scale, cn_to_number("1" + scale) or 1.0


def _is_year(num: str, unit: str) -> bool:
    if unit != "年":
        return False
    if num.isdigit() and len(num) == 4:
        return True
    # "二〇一九年": bare Chinese digits read positionally.
    return len(num) >= 3 and all(ch in "零〇一二两三四五六七八九" for ch in num)


def _balance_quotes(phrase: str) -> str:
    if "）" in phrase and "（" not in phrase.split("）", 1)[0]:
        phrase = phrase.split("）", 1)[1]  # "区）农作物…": the tail of a cut "（市、区）"
    while phrase and phrase.count("“") > phrase.count("”") and phrase[0] == "“":
        phrase = phrase[1:]
    while phrase and phrase.count("”") > phrase.count("“") and phrase[-1] == "”":
        phrase = phrase[:-1]
    if phrase.count("“") != phrase.count("”"):
        phrase = phrase.replace("“", "").replace("”", "") if len(phrase) > 2 else phrase
    return phrase


def _strip_indicator(phrase: str) -> str:
    """The noun phrase before a number without leading qualifiers/verbs and trailing verbs."""
    m = _FROM_TO_RE.search(phrase)
    if m:
        phrase = phrase[: m.start()]
    if "基础上" in phrase:
        head, _, phrase = phrase.rpartition("基础上")
        if not _strip_indicator(phrase):
            goal = _TARGET_IS_RE.search(head)
            phrase = goal.group(1) if goal else ""
    if any(ch.isdigit() for ch in phrase) and "的" in phrase:
        phrase = phrase.rsplit("的", 1)[1]  # "现行10%的税率降至9%" -> "税率"
    if re.search(r"\d\D{0,2}$", phrase):
        return ""  # "实现“3个95%”": the phrase is another number
    changed = True
    while changed and phrase:
        changed = False
        m = _LEAD_ALWAYS.match(phrase)
        if m and m.end() > 0:
            phrase, changed = phrase[m.end() :], True
            continue
        m = _LEAD_VERB.match(phrase)
        if m and len(phrase) - m.end() >= 3:
            phrase, changed = phrase[m.end() :], True
            continue
        m = _TRAIL.search(phrase)
        if m:
            phrase, changed = phrase[: m.start()], True
    if _LEAD_VERB.fullmatch(phrase):
        return ""  # only a verb ("完成", "新建") is left
    phrase = _balance_quotes(phrase.strip(" \"'‘’（("))
    if len(phrase) > 16 and "的" in phrase:
        tail = phrase.rsplit("的", 1)[1]
        if len(tail) >= 2:
            phrase = tail
    return phrase


def _noun_after(folded: str, start: int) -> tuple[str, int]:
    """The noun phrase right after a classifier: (indicator, end offset), or ("", start)."""
    window = folded[start : start + 40]
    m = _AFTER_STOP.search(window)
    phrase = window[: m.start() if m else len(window)]
    if phrase.count("(") > phrase.count(")"):
        phrase = phrase[: phrase.rfind("(")]  # no dangling "（"
    phrase = _balance_quotes(phrase.rstrip(" \"'"))
    end = start + len(phrase) if folded.startswith(phrase, start) else start
    indicator = phrase
    if "的" in indicator:
        tail = indicator.rsplit("的", 1)[1]
        indicator = tail if len(tail) >= 2 else ""
    if len(indicator) < 2 or not any("\u4e00" <= ch <= "\u9fff" for ch in indicator) or end == start:
        return "", start
    return indicator, end


def _qualifiers(before: str, near: str, after: list[str]) -> str:
    found = [m.group() for m in _QUALIFIER_RE.finditer(before)]
    if near in _NEAR_QUALIFIER:
        found.append(near)
    found.extend(after)
    out: list[str] = []
    for q in found:
        if q not in out:
            out.append(q)
    return "、".join(out)


def _review_ranges(folded: str) -> list[tuple[int, int]]:
    """Review sections and review paragraphs, as sorted (start, end) ranges."""
    ranges: list[tuple[int, int]] = []
    heads = list(_HEADING_RE.finditer(folded))
    for i, h in enumerate(heads):
        title = h.group()
        if _REVIEW_HEAD_RE.search(title) and not _PLAN_HEAD_RE.search(title):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(folded)
            ranges.append((h.start(), end))
    for p in _REVIEW_PARA_RE.finditer(folded):
        end = folded.find("\n", p.end())
        ranges.append((p.start(), len(folded) if end < 0 else end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _in_ranges(ranges: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


def _inside_title(folded: str, sent_start: int, start: int, end: int) -> bool:
    """Inside 《…》, or inside a short “…” (a nickname such as “稳增长20条”)."""
    head = folded[sent_start:start]
    if head.rfind("《") > head.rfind("》"):
        return True
    open_at = head.rfind("“")
    if open_at > head.rfind("”"):
        close_at = folded.find("”", end, end + 12)
        return close_at >= 0 and (close_at - (sent_start + open_at)) <= 14
    return False


def _clause_path(clause: Clause | None) -> str:
    if clause is None:
        return "0"
    return ids.ordinals_of(clause.id) or "0"


class _TextIndex:
    """Per-text offsets, computed once on the first candidate number."""

    def __init__(self, folded: str) -> None:
        self.ends = [m.start() for m in _SENTENCE_END.finditer(folded)]
        self.boundaries = [m.start() for m in _FRAGMENT_BOUNDARY.finditer(folded)]
        self.newlines = [m.start() for m in re.finditer("\n", folded)]
        self.statute = len(_ARTICLE_LINE_RE.findall(folded, 0, 200_000)) >= 3
        self.review = _review_ranges(folded)
        self.review_starts = [s for s, _ in self.review]
        self.length = len(folded)

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] + 1 if i < len(self.ends) else self.length
        return start, end

    def fragment_start(self, pos: int) -> int:
        j = bisect.bisect_left(self.boundaries, pos)
        return self.boundaries[j - 1] + 1 if j > 0 else 0

    def paragraph_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.newlines, pos)
        return self.newlines[k - 1] + 1 if k > 0 else 0

    def in_review(self, pos: int) -> bool:
        return _in_ranges(self.review, self.review_starts, pos)


# ---------------------------------------------------------------------------------------------------
# API


def find_targets(
    text: str, doc_id: str, clauses: Sequence[Clause] = (), units: Mapping[str, str] | None = None
) -> list[Target]:
    """All quantitative targets of ``text`` in reading order.

    ``clauses`` (roots or a flat list) only decide ``clause_id`` (the innermost clause whose span
    holds the mention) and the target id ``{doc_id}.t{clause path}-{k}``. ``units`` ({unit: kind}) is the
    unit table; ``None`` reads the configured ``units.txt`` (``kb.config``).
    """
    matcher = _matcher_for(units)
    folded = fold(text)
    index: _TextIndex | None = None
    prev_end = 0
    prev: tuple[int, str] | None = None  # (sentence start, indicator) of the last target
    found: list[Target] = []

    for m in matcher.master.finditer(folded):
        n1, n2, unit, u1 = m.group("n1"), m.group("n2"), m.group("unit"), m.group("u1")
        num_start, unit_end = m.start(), m.end()
        # --- cheap rejections -------------------------------------------------------------------
        if n1[0] in _CN_CHARS:
            if num_start > 0 and folded[num_start - 1] in _CN_CHARS:
                continue  # inside a longer numeral word
            if len(n1) == 1 and n2 is None:
                continue  # "一期", "三区", "四个全面": a bare Chinese digit is a count word
        if _is_year(n1, unit) or (n2 is not None and _is_year(n2, unit)):
            continue
        if u1 is not None and u1 != unit:
            continue
        follower = folded[unit_end : unit_end + 1]
        if follower and follower in _BAD_FOLLOWER.get(unit[-1], ""):
            continue
        if follower in ("/", "每") or follower.isdigit() or (unit == "个" and follower == "一"):
            continue  # a rate ("100元/吨") or a slogan ("两个一百年")
        # --- numbers ----------------------------------------------------------------------------
        scale, factor = _scale_split(n2 if n2 is not None else n1)
        v1 = _number(n1)
        v2 = _number(n2) if n2 is not None else None
        if v1 is None or (n2 is not None and v2 is None):
            continue
        value_max: float | None = None
        if v2 is not None:
            s1, f1 = _scale_split(n1)
            value = v1 / f1 if s1 else v1
            value_max = round(v2 / factor, 6)
            if value_max < value:
                continue  # "10-5家" is no range (a code or a score)
        else:
            value = v1 / factor
        value = round(value, 6)
        if not math.isfinite(value) or (value_max is not None and not math.isfinite(value_max)):
            continue
        kind = matcher.kinds.get(unit, "measure")
        after_quals: list[str] = []
        pos = unit_end
        while q := _AFTER_QUAL.match(folded, pos):
            after_quals.append(q.group())
            pos = q.end()
        if folded.startswith("的基础上", pos):
            continue  # a baseline
        if folded.startswith("的", pos) and not _GOAL_OF_RE.match(folded, pos):
            continue  # "五万元以上的", "超过500万元的部分": a condition or an attribute
        # --- sentence and fragment --------------------------------------------------------------
        if index is None:
            index = _TextIndex(folded)
        sent_start, sent_end = index.sentence(num_start)
        frag_start = max(index.fragment_start(num_start), sent_start, prev_end)
        sentence = folded[sent_start:sent_end]
        before = folded[frag_start:num_start]
        if before.endswith(("的", "处", "了")):
            continue  # "全部建成的三万九千个" (a statistic), "处五万元" (a penalty), "新增了" (done)
        if _RATE_RE.search(before):
            continue  # "每立方米2.4元", "每千人口不少于8个": a rate or a norm
        if _inside_title(folded, sent_start, num_start, unit_end):
            continue  # "《…稳定经济增长20条政策措施》", "“金融15条”": a name, not a goal
        if after_quals and kind != "count" and _CJK_NOUN_RE.match(folded, pos):
            continue  # "3岁以下婴幼儿": an attribute
        # --- context rules ----------------------------------------------------------------------
        if _NORM_RE.search(sentence) or _CONDITION_RE.search(sentence):
            continue
        planned = _PLAN_RE.search(sentence) is not None
        if not planned and index.in_review(num_start):
            continue
        if _PAST_RE.search(sentence) and not _FUTURE_RE.search(sentence):
            continue
        deadline_m = None
        for dm in _DEADLINE_RE.finditer(folded, sent_start, num_start):
            deadline_m = dm
        if deadline_m is None:
            para_start = max(index.paragraph_start(num_start), num_start - 300)
            for dm in _PARAGRAPH_DEADLINE_RE.finditer(folded, para_start, sent_start):
                deadline_m = dm
        goal = _GOAL_RE.search(before) is not None or "左右" in after_quals
        if kind == "duration":
            goal = _DURATION_GOAL_RE.search(before) is not None and (bool(after_quals) or goal)
        elif not goal:
            goal = deadline_m is not None
        if index.statute:
            goal = goal and (deadline_m is not None or planned)
        if not goal:
            continue
        # --- indicator --------------------------------------------------------------------------
        indicator, mention_end = "", pos
        if kind == "count":
            indicator, mention_end = _noun_after(folded, pos)
            mention_end = max(mention_end, pos)
        if not indicator:
            indicator = _strip_indicator(before)
        if not indicator and kind != "percent":
            indicator, mention_end = _noun_after(folded, pos)
            mention_end = max(mention_end, pos)
        ind_at = folded.find(indicator, frag_start, mention_end) if indicator else -1
        if ind_at >= 0:
            indicator = text[ind_at : ind_at + len(indicator)]  # verbatim (folded only for matching)
        elif prev is not None and prev[0] == sent_start:
            indicator = prev[1]  # "…营收6800亿元左右、增长20%以上": same indicator
        if len(indicator) < 2:
            continue
        lead = _MENTION_LEAD_RE.match(folded, frag_start, num_start)
        mention_start = min(lead.end() if lead else frag_start, num_start)
        deadline = None
        if deadline_m is not None:
            year = int(next(g for g in deadline_m.groups() if g))
            deadline = year if 1949 <= year <= 2100 else None
        # The sentence span, without surrounding blanks.
        while sent_start < mention_start and folded[sent_start].isspace():
            sent_start += 1
        while sent_end > mention_end and folded[sent_end - 1].isspace():
            sent_end -= 1
        prev_end = mention_end
        prev = (index.sentence(num_start)[0], indicator)
        found.append(
            Target(
                id="",
                doc_id=doc_id,
                clause_id="",
                indicator=indicator,
                value=value,
                unit=scale + unit,
                qualifier=_qualifiers(before, folded[num_start - 1 : num_start], after_quals),
                deadline=deadline,
                value_max=value_max,
                mention=text[mention_start:mention_end],
                mention_span=(mention_start, mention_end),
                text=text[sent_start:sent_end],
                span=(sent_start, sent_end),
            )
        )

    counters: dict[str, int] = {}
    for target in found:
        clause = innermost_clause(clauses, target.mention_span)
        path = _clause_path(clause)
        counters[path] = counters.get(path, 0) + 1
        target.clause_id = clause.id if clause is not None else ""
        target.id = ids.target_id(doc_id, path, counters[path])
    return found


def extract_targets(
    doc: Document, outline: list[Clause], units: Mapping[str, str] | None = None
) -> list[Target]:
    """Targets of a document; ``outline`` gives the clause ids, ``units`` the unit table (configured one if None)."""
    return find_targets(doc.text, doc.id, outline, units)
