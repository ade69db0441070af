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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb import ids
from kb.config import config_file
from kb.extract.places import innermost_clause
from kb.model import Clause, Document, Quantity
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
    r"预期|目标|计划|增至|吸引|帮助|解决|开展|举办|实施|支持|新开|新改建|推进|安排|拟|暂定"
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
_FUTURE_RE = re.compile(r"力争|争取|确保|预期|目标|计划|拟|(?<!年)到\d{4}年|\d{4}年(?:底前|前)|将|(?<!主)要")
_PAST_RE = re.compile(
    r"比上年|较上年|比去年|同比|上年|去年|过去|以来|年来|截至|截止|已经|已|(?<![为除])了(?!解)|分别增长|分别下降"
)
# Penalties and legal obligations: amounts there are norms, not goals.
_NORM_RE = re.compile(r"罚款|罚金|处以(?!上)|拘留|徒刑|没收|违法所得|赔偿|吊销|责令|不得|禁止|应当|违反")
# Section headings ("一、2025年工作回顾") and the review/plan words that classify them.
_HEADING_RE = re.compile(r"^[ \t\u3000]*[一二三四五六七八九十]{1,3}[、．.][^\n]{0,60}$", re.MULTILINE)
_REVIEW_HEAD_RE = re.compile(r"回顾|总结|成绩|成就|过去|一年来|五年来")
_PLAN_HEAD_RE = re.compile(r"目标|安排|任务|要求|建议|计划|重点工作|今后|今年|明年|考虑|部署")
_REVIEW_PARA_RE = re.compile(
    r"(?:^|(?<=[。！？]))[ \t\u3000]*(?:过去一年|过去的一年|一年来|过去五年|五年来|刚刚过去)", re.MULTILINE
)

# Leading words stripped from the indicator: always (qualifiers, scope, time, list labels) ...
_LEAD_ALWAYS = re.compile(
    r"^(?:\s+|[(（]?(?:[一二三四五六七八九十]+|\d+|[a-zA-Z])[)）、．.](?!\d)|[一二三四五六七八九十]+是|可以|力争|争取|确保|努力|力求|要求|拟|"
    r"并且|并|以及|同时|其中|全市|全省|全区|全县|全州|全国|全年|今年|明年|年内|各地|我们|我国|"
    r"我市|我省|我区|我县|本市|本省|共计|总计|合计|总共|共|预计|计划|要|进一步|平均|每年|年均|"
    r"(?:到|至|在|于|力争到|争取到|从)?(?:\d{4}|[〇○零一二三四五六七八九]{4})年(?:底前|末前|底|末|前|以前|之前|内|起|开始)?|"
    r"比(?:\d{4}|[〇○零一二三四五六七八九]{4})年|比上一?年|比去年|同比|环比|较上年|较去年|年底前|期间|继续|巩固|在|使|让|将|把|对|经过|力争用|争取用)"
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
    r"再|又|共有|共|在年底|年底|年末|要|将|都|可以|只要|和|及|计划|降低|缩小|扩大|缩短|压缩|上涨|上升到|上升至|上升|"
    r"转为|拟按|按|(?:首次|再次)?(?:跃上|跃升至|跃升到|迈上|站上)|\d{4}年)$"
)
# An indicator that only names the goal itself ("经济增长预期目标为5%左右"): a restatement when its value was stated.
_GENERIC_INDICATOR_RE = re.compile(r"^(?:经济)?(?:增长|发展)?(?:主要)?(?:预期)?(?:目标|指标)(?:值)?$")
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
        phrase = phrase.strip()
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
        self.folded = folded

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

    def review_title(self, pos: int) -> str:
        """The first line of the review range holding ``pos`` ("一、2018年工作回顾"), "" outside one."""
        i = bisect.bisect_right(self.review_starts, pos) - 1
        if i < 0 or not self.review[i][0] <= pos < self.review[i][1]:
            return ""
        start = self.review[i][0]
        end = self.folded.find("\n", start)
        return self.folded[start : end if end >= 0 else start + 60]


# ---------------------------------------------------------------------------------------------------
# Candidates and the named rules that judge them


@dataclass
class Candidate:
    """One ``number [range] unit`` found in the text, with its sentence and clause fragment."""

    folded: str
    index: _TextIndex
    num_start: int
    unit_end: int
    n1: str
    n2: str | None
    unit: str
    u1: str | None
    kind: str = "measure"  # the unit's kind: count | measure | percent | duration
    value: float = 0.0
    value_max: float | None = None
    scale: str = ""
    pos: int = 0  # after the number, the unit and any 以上/左右
    after_quals: tuple[str, ...] = ()
    sent_start: int = 0
    sent_end: int = 0
    frag_start: int = 0

    @property
    def before(self) -> str:
        """The clause fragment before the number (back to the previous comma, colon or target)."""
        return self.folded[self.frag_start : self.num_start]

    @property
    def sentence(self) -> str:
        return self.folded[self.sent_start : self.sent_end]

    @property
    def follower(self) -> str:
        return self.folded[self.unit_end : self.unit_end + 1]


Rule = Callable[[Candidate], bool]

# -- shape rules: the number and unit alone say it is no quantity ---------------------------------


def _inside_numeral_word(c: Candidate) -> bool:
    """ "十一五", "二十四节气": a Chinese numeral inside a longer numeral word."""
    return c.n1[0] in _CN_CHARS and c.num_start > 0 and c.folded[c.num_start - 1] in _CN_CHARS


def _bare_digit_word(c: Candidate) -> bool:
    """ "一期", "三区", "四个全面": a single Chinese digit is a count word, unless a goal verb stands right before
    it and a noun follows its classifier ("新增三家上市公司", "建成五个省级创新平台", "建设一所"); 一批, 一项…
    never are."""
    if c.n1[0] not in _CN_CHARS or len(c.n1) != 1 or c.n2 is not None:
        return False
    if c.kind != "count" or (c.n1 == "一" and c.unit in ("批", "批次", "种", "次", "期", "项", "条", "件")):
        return True
    verb_before = re.search(r"(?:" + _GOAL_RE.pattern + r")$", c.before) is not None
    return not (verb_before and _noun_after(c.folded, c.pos)[0])


def _year(c: Candidate) -> bool:
    """ "2019年", "二〇一九年", "2018—2020年": a year, not an amount of years."""
    return _is_year(c.n1, c.unit) or (c.n2 is not None and _is_year(c.n2, c.unit))


def _mixed_range(c: Candidate) -> bool:
    """ "5个—10家": the two ends of a range in different units."""
    return c.u1 is not None and c.u1 != c.unit


def _word_after_unit(c: Candidate) -> bool:
    """ "3人民", "2家庭", "5条例": the unit is the first character of a word."""
    return bool(c.follower) and c.follower in _BAD_FOLLOWER.get(c.unit[-1], "")


def _rate_or_slogan(c: Candidate) -> bool:
    """ "100元/吨", "每5年", "两个一百年": a rate, a frequency or a slogan."""
    return c.follower in ("/", "每") or c.follower.isdigit() or (c.unit == "个" and c.follower == "一")


def _not_a_range(c: Candidate) -> bool:
    """ "10-5家": the upper end below the lower one is a code or a score, not a range."""
    return c.value_max is not None and c.value_max < c.value


SHAPE_RULES: dict[str, Rule] = {
    "inside_numeral_word": _inside_numeral_word,
    "bare_digit_word": _bare_digit_word,
    "year": _year,
    "mixed_range": _mixed_range,
    "word_after_unit": _word_after_unit,
    "rate_or_slogan": _rate_or_slogan,
    "not_a_range": _not_a_range,
}

# -- context rules: what surrounds the number says it is no goal and no result ---------------------

_SUBSIDY_RE = re.compile(
    r"(?:给予|奖励|补助|补贴|资助|奖补|支持|扶持|减免|贴息|一次性)[^，,。；;]{0,8}$|最高(?:给予|补助|奖励|不超过)?$|按[^，,。；;]{0,10}$"
)
_ELIGIBILITY_RE = re.compile(
    r"可(?:缩短|延长|放宽|提高|降低|增加)(?:到|至)?$|(?:年满|不满|未满|(?<![不未])满|(?<!不)低于|(?<!不)高于)$"
)
_GROUP_RE = re.compile(r"等$")
_BASELINE_BEFORE_RE = re.compile(r"(?:由|从)$")
_THRESHOLD_RE = re.compile(
    r"(?:年收入|营业收入|销售收入|投资额|总投资|年产值|纳税额)[^，,。；;]{0,6}(?:在|达到|超过)?$"
)


def _baseline(c: Candidate) -> bool:
    """ "在…的基础上", "由40%提高到50%" (40% is where it starts): a baseline, not a goal."""
    return c.folded.startswith("的基础上", c.pos) or _BASELINE_BEFORE_RE.search(c.before) is not None


_AT_LEAST_RE = re.compile(r"不少于|不低于|至少|超过")


def _attribute(c: Candidate) -> bool:
    """ "五万元以上的企业", "达到10万元的": a condition or attribute — unless a goal verb leads the fragment and
    the number is a share to reach ("推动不少于30%的项目…", "建设50个以上的…": the number before its noun)."""
    if not c.folded.startswith("的", c.pos) or _GOAL_OF_RE.match(c.folded, c.pos):
        return False
    share = _AT_LEAST_RE.search(c.before) is not None or "以上" in c.after_quals
    return not (share and _GOAL_RE.search(c.before)) or _CONDITION_RE.search(c.sentence) is not None


def _statistic_or_penalty(c: Candidate) -> bool:
    """ "全部建成的三万九千个" (a statistic), "处五万元" (a penalty)."""
    return c.before.endswith(("的", "处"))


_NORM_GOAL_RE = re.compile(r"不少于|不低于|达到|提高到|提升到|增加到|力争|确保|(?<!年)到\d{4}年")


def _per_unit_norm(c: Candidate) -> bool:
    """ "每立方米2.4元", "每人每年500元": a rate or a price — but a density to reach is a goal
    ("力争每千人口不少于4.5个托位", "每个县至少…")."""
    if _RATE_RE.search(c.before) is None:
        return False
    return _NORM_GOAL_RE.search(c.before) is None and not _is_planned(c)


def _inside_name(c: Candidate) -> bool:
    """ "《…稳定经济增长20条政策措施》", "“金融15条”": part of a name."""
    return _inside_title(c.folded, c.sent_start, c.num_start, c.unit_end)


def _age_or_size_attribute(c: Candidate) -> bool:
    """ "3岁以下婴幼儿": a measure with 以上/以下 right before a noun describes that noun (左右 is an
    approximation, not a bound: "赤字率按4%左右安排")."""
    bounds = [q for q in c.after_quals if q != "左右" or c.kind == "duration"]  # "5—10年左右时间" stays out
    return bool(bounds) and c.kind != "count" and _CJK_NOUN_RE.match(c.folded, c.pos) is not None


def _legal_norm(c: Candidate) -> bool:
    """Penalties and obligations (罚款, 处以, 不得, 应当…): the amounts are norms."""
    return _NORM_RE.search(c.sentence) is not None


def _eligibility(c: Candidate) -> bool:
    """Conditions and thresholds of a rule ("…的，可给予", "年限可缩短至2年", "年收入500万元以上")."""
    return (
        _CONDITION_RE.search(c.sentence) is not None
        or _ELIGIBILITY_RE.search(c.before) is not None
        or _THRESHOLD_RE.search(c.before) is not None
    )


_SUBSIDY_AFTER_RE = re.compile(r"(?:的)?(?:资金)?(?:奖补|奖励|补助|补贴|资助|扶持资金|一次性奖励)")


def _support_level(c: Candidate) -> bool:
    """ "给予50万元奖励", "最高补助200万元", "50万元资金奖补": a support level offered, not a goal (money only)."""
    if not c.unit.endswith("元"):
        return False
    return _SUBSIDY_RE.search(c.before) is not None or _SUBSIDY_AFTER_RE.match(c.folded, c.pos) is not None


_INCREMENT_RE = re.compile(r"^(?:比|较)(?:上年|去年|上一年)")


def _increment_of_previous(c: Candidate) -> bool:
    """The change of an amount against last year ("拟安排…4.4万亿元，比上年增加5000亿元") restates the level
    before it; a growth rate ("比上年增长7.7%") is an indicator of its own."""
    return c.kind != "percent" and _INCREMENT_RE.match(c.before.strip()) is not None


def _formula(c: Candidate) -> bool:
    """ "覆盖率=签约人数/常住人口数*100%": a definition, not a goal."""
    return "=" in c.sentence or "*100%" in c.sentence


def _names_a_group(c: Candidate) -> bool:
    """ "甲、乙等3个区": the count only names a group listed before it."""
    return _GROUP_RE.search(c.before) is not None and c.kind == "count"


CONTEXT_RULES: dict[str, Rule] = {
    "baseline": _baseline,
    "attribute": _attribute,
    "statistic_or_penalty": _statistic_or_penalty,
    "per_unit_norm": _per_unit_norm,
    "inside_name": _inside_name,
    "age_or_size_attribute": _age_or_size_attribute,
    "legal_norm": _legal_norm,
    "eligibility": _eligibility,
    "support_level": _support_level,
    "names_a_group": _names_a_group,
    "increment_of_previous": _increment_of_previous,
    "formula": _formula,
}

# -- kind rules: a goal (target), a past result, or neither ----------------------------------------

_DONE_RE = re.compile(r"(?:完成|实现|达到|增长|下降|新增|净增|累计|减少|提高|提升|突破|超过|建成|达)了?$|了$")


def _deadline_match(c: Candidate) -> re.Match[str] | None:
    found = None
    for dm in _DEADLINE_RE.finditer(c.folded, c.sent_start, c.num_start):
        found = dm
    if found is None:
        para_start = max(c.index.paragraph_start(c.num_start), c.num_start - 300)
        for dm in _PARAGRAPH_DEADLINE_RE.finditer(c.folded, para_start, c.sent_start):
            found = dm
    return found


def _is_planned(c: Candidate) -> bool:
    return _PLAN_RE.search(c.sentence) is not None


_PLAN_IN_REVIEW_RE = re.compile(r"力争|争取|预期目标|(?<!年)到\d{4}年|(?:明年|今年|下一步)(?:要|将)")


def _is_past(c: Candidate) -> bool:
    """In a review section (unless the sentence looks ahead: 力争, 到2025年…; a 如期实现…目标 is the past), or a
    sentence about the past (比上年, 同比, 截至, 了…) with no plan in it."""
    if c.index.in_review(c.num_start):
        return _PLAN_IN_REVIEW_RE.search(c.sentence) is None
    if _is_planned(c):
        return False
    return _PAST_RE.search(c.sentence) is not None and _FUTURE_RE.search(c.sentence) is None


def _has_goal_context(c: Candidate) -> bool:
    """A goal verb or qualifier in the fragment, 左右 after the number, or a deadline; durations need a
    shortening verb; in a statute only explicit planning counts."""
    goal = _GOAL_RE.search(c.before) is not None or "左右" in c.after_quals
    if not goal and c.kind != "duration":
        # a list of quantities after one verb: "新建温室500亩，露地蔬菜种植1.4万亩" (the verb leads the sentence)
        goal = _GOAL_RE.search(c.folded, c.sent_start, c.frag_start) is not None
    if c.kind == "duration":
        goal = _DURATION_GOAL_RE.search(c.before) is not None and (bool(c.after_quals) or goal)
    elif not goal:
        goal = _deadline_match(c) is not None
    if c.index.statute:
        goal = goal and (_deadline_match(c) is not None or _is_planned(c))
    return goal


def _has_result_context(c: Candidate) -> bool:
    """A result states an indicator's level or change: a measure or percentage, or a count after a verb of
    achievement (完成, 新增, 建成…); durations and bare counts in a review are left out."""
    if c.kind == "duration" or c.index.statute:
        return False
    if c.kind == "count" and not c.index.in_review(c.num_start):
        return _DONE_RE.search(c.before) is not None or _GOAL_RE.search(c.before) is not None
    return True


def classify(c: Candidate) -> str | None:
    """ "result" for a past result, "target" for a goal, None for neither."""
    if _is_past(c):
        return "result" if _has_result_context(c) else None
    return "target" if _has_goal_context(c) else None


# ---------------------------------------------------------------------------------------------------
# API

_REVIEW_YEAR_RE = re.compile(r"(\d{4})年")


def plan_period(title: str) -> tuple[int, int] | None:
    """The years a plan covers, from its title: 2019年工作要点 → (2019, 2019); （2024—2026年） → (2024, 2026)."""
    folded = fold(title)
    m = re.search(r"[(（]?(\d{4})\s*(?:—|–|-|－|~|～|至|到)\s*(\d{4})年", folded)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(\d{4})年", folded)
    if m and 1949 <= int(m.group(1)) <= 2100:
        return int(m.group(1)), int(m.group(1))
    return None


@dataclass(frozen=True)
class Decision:
    """Why a candidate number became a target, a result, or nothing (``explain``)."""

    mention: str
    value: float
    unit: str
    kind: str | None  # "target" | "result" | None (rejected)
    rule: str  # the rule that rejected it, or "target"/"result"


def _candidates(text: str, folded: str, matcher: _Matcher) -> Iterator[tuple[Candidate, str | None]]:
    """Every number-with-unit, with the name of the shape rule that rejects it (None: it is a quantity)."""
    index: _TextIndex | None = None
    for m in matcher.master.finditer(folded):
        if index is None:
            index = _TextIndex(folded)
        c = Candidate(
            folded, index, m.start(), m.end(), m.group("n1"), m.group("n2"), m.group("unit"), m.group("u1")
        )
        c.kind = matcher.kinds.get(c.unit, "measure")
        scale, factor = _scale_split(c.n2 if c.n2 is not None else c.n1)
        v1 = _number(c.n1)
        v2 = _number(c.n2) if c.n2 is not None else None
        if v1 is None or (c.n2 is not None and v2 is None):
            yield c, "not_a_number"
            continue
        if v2 is not None:
            s1, f1 = _scale_split(c.n1)
            c.value = round(v1 / f1 if s1 else v1, 6)
            c.value_max = round(v2 / factor, 6)
        else:
            c.value = round(v1 / factor, 6)
        if not math.isfinite(c.value) or (c.value_max is not None and not math.isfinite(c.value_max)):
            yield c, "not_a_number"
            continue
        c.scale = scale
        quals: list[str] = []
        pos = c.unit_end
        while q := _AFTER_QUAL.match(folded, pos):
            quals.append(q.group())
            pos = q.end()
        c.pos, c.after_quals = pos, tuple(quals)
        c.sent_start, c.sent_end = index.sentence(c.num_start)
        c.frag_start = max(index.fragment_start(c.num_start), c.sent_start)
        rejected = next((name for name, rule in SHAPE_RULES.items() if rule(c)), None)
        yield c, rejected


def _judge(text: str, units: Mapping[str, str] | None) -> Iterator[tuple[Candidate, str | None, str]]:
    """Each candidate with its kind ("target", "result" or None) and the name of the rule that decided."""
    folded = fold(text)
    prev_end = 0
    for c, rejected in _candidates(text, folded, _matcher_for(units)):
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


def _indicator(c: Candidate, text: str, prev: tuple[int, str] | None) -> tuple[str, int]:
    """The indicator (verbatim) and where the mention ends: the noun after a classifier, else the noun phrase
    before the number, else the previous target's of the same sentence ("…6800亿元左右、增长20%以上")."""
    folded = c.folded
    indicator, mention_end = "", c.pos
    if c.kind == "count" or c.folded.startswith("的", c.pos):
        after_at = c.pos + 1 if c.folded.startswith("的", c.pos) else c.pos
        indicator, mention_end = _noun_after(folded, after_at)
        mention_end = max(mention_end, c.pos)
    if not indicator:
        indicator = _strip_indicator(c.before)
    if not indicator and c.kind != "percent":
        indicator, mention_end = _noun_after(folded, c.pos)
        mention_end = max(mention_end, c.pos)
    ind_at = folded.find(indicator, c.frag_start, mention_end) if indicator else -1
    if ind_at >= 0:
        indicator = text[ind_at : ind_at + len(indicator)]  # verbatim (folded only for matching)
    elif prev is not None and prev[0] == c.sent_start:
        indicator = prev[1]
    return indicator, mention_end


def _result_year(c: Candidate, report_year: int | None) -> int | None:
    """The year a result reports: stated in its sentence, else in its review section's title, else the year
    before the report's (a 2019 report reviews 2018)."""
    years = [
        int(y) for y in _REVIEW_YEAR_RE.findall(c.folded, c.sent_start, c.num_start) if 1949 <= int(y) <= 2100
    ]
    if years:
        return years[-1]
    section = c.index.review_title(c.num_start)
    years = [int(y) for y in _REVIEW_YEAR_RE.findall(section)] if section else []
    if years:
        return years[-1]
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


def find_targets(
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
    period = plan_period(title)
    original = text
    text, offsets = compact_numbers(original, units)
    offsets.append(len(original))

    def span_of(start: int, end: int) -> tuple[int, int]:
        return offsets[start], (offsets[end - 1] + 1 if end > start else offsets[start])

    found: list[Quantity] = []
    seen: set[tuple[str, float, str, str]] = set()
    seen_values: set[tuple[float, str, str]] = set()
    prev: tuple[int, str] | None = None
    for c, kind, _rule in _judge(text, units):
        if kind is None:
            continue
        indicator, mention_end = _indicator(c, text, prev)
        if len(indicator) < 2:
            continue
        folded = c.folded
        lead = _MENTION_LEAD_RE.match(folded, c.frag_start, c.num_start)
        mention_start = min(lead.end() if lead else c.frag_start, c.num_start)
        deadline: int | None = None
        result_year: int | None = None
        if kind == "target":
            dm = _deadline_match(c)
            if dm is not None:
                deadline = int(next(g for g in dm.groups() if g))
                deadline = deadline if 1949 <= deadline <= 2100 else None
            elif period is not None:
                deadline = period[1]
        else:
            result_year = _result_year(c, year)
        key = (fold(indicator), c.value, c.scale + c.unit, kind)
        if key in seen:
            continue  # a restatement of the same target or result
        if _GENERIC_INDICATOR_RE.match(key[0]) and key[1:] in seen_values:
            continue  # "经济增长预期目标为5%左右" restates "国内生产总值增长5%左右" stated before it
        seen.add(key)
        seen_values.add(key[1:])
        sent_start, sent_end = c.sent_start, c.sent_end
        while sent_start < mention_start and folded[sent_start].isspace():
            sent_start += 1
        while sent_end > mention_end and folded[sent_end - 1].isspace():
            sent_end -= 1
        prev = (c.sent_start, indicator)
        mention_span = span_of(mention_start, mention_end)
        sentence_span = span_of(sent_start, sent_end)
        found.append(
            Quantity(
                id="",
                doc_id=doc_id,
                clause_id="",
                indicator=indicator,
                value=c.value,
                unit=c.scale + c.unit,
                qualifier=_qualifiers(c.before, folded[c.num_start - 1 : c.num_start], list(c.after_quals)),
                deadline=deadline,
                value_max=c.value_max,
                mention=original[mention_span[0] : mention_span[1]],
                mention_span=mention_span,
                text=original[sentence_span[0] : sentence_span[1]],
                span=sentence_span,
                kind=kind,
                year=result_year,
            )
        )

    counters: dict[str, int] = {}
    for target in found:
        clause = innermost_clause(clauses, target.mention_span)
        path = _clause_path(clause)
        counters[path] = counters.get(path, 0) + 1
        target.clause_id = clause.id if clause is not None else ""
        target.id = ids.quantity_id(doc_id, path, counters[path], target.kind)
    return found


def explain(text: str, units: Mapping[str, str] | None = None) -> list[Decision]:
    """Every candidate number of ``text`` with the rule that decided it: for tests, and for tuning on the set."""
    return [
        Decision(text[c.num_start : c.pos], c.value, c.scale + c.unit, kind, rule)
        for c, kind, rule in _judge(text, units)
    ]


def extract_targets(
    doc: Document, outline: list[Clause], units: Mapping[str, str] | None = None
) -> list[Quantity]:
    """Targets and results of a document; ``outline`` gives the clause ids, ``units`` the unit table."""
    year = int(doc.year) if doc.year.isdigit() else None
    return find_targets(doc.text, doc.id, outline, units, title=doc.title, year=year)
