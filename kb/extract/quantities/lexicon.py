"""The words and shapes of quantities, compiled once: numbers, ranges, qualifiers, goal and past markers,
review headings, the leading and trailing words of an indicator, and the master ``number [range] unit`` matcher
built from the unit table (``kb.text.units``). Data, not decisions: ``rules`` decides with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from kb.text.numerals import cn_to_number
from kb.text.units import load_units

# Lexicons (all matched on folded text)

_NUM = (
    r"(?:\d+(?:,\d{3})*(?:[.·]\d+)?(?:(?:多|余)?[十百千]?[万亿]+)?"
    r"|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
)
_APPROX = r"(?:多|余)?"
# People counted by a bare scale ("6069万农民", "惠及1100多万学生"): the quantity's unit is the scale itself.
PEOPLE = (
    r"(?:农村贫困人口|贫困人口|农村人口|农业转移人口|人口|群众|农民工|农民|中小学生|高校毕业生|毕业生|学生|儿童|婴幼儿|"
    r"劳动者|居民|市民|职工|老年人|老人|用户|患者|残疾人|游客|旅客|就业人员|人员)"
)
_RANGE_SEP = r"(?:—{1,2}|–|-|－|~|～|〜|至|到)"
AFTER_QUAL = re.compile(r"以上|左右|以内|以下|上下|之内")
CN_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿")

# Sentence ends (the terminator belongs to the sentence) and line breaks.
SENTENCE_END = re.compile(r"[。；;！!？?\n]")
# Clause-fragment boundaries for the indicator before a number.
FRAGMENT_BOUNDARY = re.compile(r"[，,、：:。；;！!？?\n]")

# Qualifiers, scanned in reading order over the fragment before the number.
QUALIFIER_RE = re.compile(
    r"≥|≤|力争|争取|确保|达到|净增|新增|累计|超过|突破|不低于|不少于|不超过|至少|年均|增长|下降|降低到|降低至|"
    r"降至|提高到|提高至|提升到|提升至|增加到|控制在|保持在|稳定在"
)
# One-character qualifiers that count only right before the number.
NEAR_QUALIFIER = frozenset("约近超")

# Goal verbs/words in the fragment before the number.
GOAL_RE = re.compile(
    r"力争|争取|确保|实现|完成|达到|新增|净增|增加(?!值)|增长|提高|提升|下降|降低|降至|减少|控制在|突破|"
    r"培育|建设|建成|建立|打造|引进|培训|组织|新建|改造|开工|竣工|覆盖|带动|吸纳|转移|安置|扶持|认定|"
    r"遴选|创建|推动|扩大|保持在|稳定在|缩小|缩短|压减|淘汰|化解|招引|筹集|争创|发放|资助|"
    r"预期|目标|计划|增至|吸引|帮助|解决|开展|举办|实施|支持|新开|新改建|推进|安排|拟|暂定|"
    r"培养|组建|设立|形成|恢复到|恢复至|改扩建|(?<!不)超过|开行|新发现|部署|办好|新上|启动"
)
# A floor is a goal ("培养不少于3500名基层医生") unless the sentence sets a norm (费率原则上不低于…, 按照…标准).
FLOOR_RE = re.compile(r"不低于|不少于|至少")
NORM_MARKER_RE = re.compile(r"原则上|标准|费率|收取|给予|补贴|补助|奖励|按照|按不|应当|必须|须|的部分|比例")
# A bound written right before the number: "满意度达85%以上", "抽查产品数≥500批次".
GOAL_AT_NUMBER_RE = re.compile(r"(?:达|≥|≧|⩾|＞|>)\s*$")
# Goal verbs that admit a duration ("缩短到3天", "控制在5个工作日以内").
DURATION_GOAL_RE = re.compile(r"缩短|压缩|控制在|减少|降至|降低|提前|延长|(?:^|力争|争取)用|经过")
# A duration to reach: "将企业开办时间压缩至5个工作日", "缩短到3天".
DURATION_TO_RE = re.compile(r"(?:缩短|压缩|压减|控制|减少|降|降低)(?:到|至|在)\s*$")
DEADLINE_RE = re.compile(
    r"(?<!年)(?:到|至|力争到|争取到|力争在|争取在)(\d{4})年(?!的|基础|相比|同期)|"
    r"(\d{4})年(?:底前|末前|前|以前|之前|底|末)|"
    r"(\d{4})年(?=要|将|力争|争取|实现|完成|建成|初步|基本|全面|确保|达到)"
)
PARAGRAPH_DEADLINE_RE = re.compile(r"(?<!年)(?:到|力争到|争取到)(\d{4})年(?!的)")
GOAL_OF_RE = re.compile(r"的(?:目标|任务|规模|水平)")
# A statute: several lines start with an article number ("第十条").
ARTICLE_LINE_RE = re.compile(r"^[ #*]*第[一二三四五六七八九十百千零〇\d]+条", re.MULTILINE)
# Explicit planning language (needed in statutes and review sections).
PLAN_RE = re.compile(r"力争|争取|确保|预期|目标|(?<!年)到\d{4}年(?!的)")
FUTURE_RE = re.compile(
    r"力争|争取|确保|预期|目标|计划|拟|(?<!年)到\d{4}年(?!的)|\d{4}年(?:底前|前)|将|(?<!主)要"
)
PAST_RE = re.compile(
    r"比上年|较上年|比去年|同比|上年|去年|过去|以来|年来|截至|截止|已经|已|(?<![为除])了(?!解)|分别增长|分别下降"
)
# Penalties and legal obligations: amounts there are norms, not goals.
NORM_RE = re.compile(r"罚款|罚金|处以(?!上)|拘留|徒刑|没收|违法所得|赔偿|吊销|责令|不得|禁止|应当|违反")
# Section headings ("一、2025年工作回顾") and the review/plan words that classify them.
HEADING_RE = re.compile(r"^[ \t\u3000]*[一二三四五六七八九十]{1,3}[、．.][^\n]{0,60}$", re.MULTILINE)
REVIEW_HEAD_RE = re.compile(r"回顾|总结|成绩|成就|过去|一年来|五年来")
PLAN_HEAD_RE = re.compile(r"目标|安排|任务|要求|建议|计划|重点工作|今后|今年|明年|考虑|部署")
REVIEW_PARA_RE = re.compile(
    r"(?:^|(?<=[。！？]))[ \t\u3000]*(?:过去一年|过去的一年|一年来|过去五年|五年来|刚刚过去)", re.MULTILINE
)

# Leading words stripped from the indicator: always (qualifiers, scope, time, list labels) ...
LEAD_ALWAYS = re.compile(
    r"^(?:\s+|[—―-]{1,2}|[(（]?(?:[一二三四五六七八九十]+|\d+|[a-zA-Z])[)）、．.](?!\d)|[一二三四五六七八九十]+是|可以|力争|争取|确保|努力|力求|要求|拟|"
    r"并且|并|以及|同时|其中|全市|全省|全区|全县|全州|全国|全年|今年|明年|年内|各地|我们|我国|"
    r"我市|我省|我区|我县|本市|本省|共计|总计|合计|总共|共|预计|计划|要|进一步|平均|每年|年均|"
    r"(?:到|至|在|于|力争到|争取到|从)?(?:\d{4}|[〇○零一二三四五六七八九]{4})年(?:底前|末前|底|末|前|以前|之前|内|起|开始)?|"
    r"比(?:\d{4}|[〇○零一二三四五六七八九]{4})年|比上一?年|比去年|同比|环比|较上年|较去年|年底前|期间|继续|巩固|在|使|让|将|把|对|经过|力争用|争取用)"
)
# ... and verbs, stripped only when at least three characters remain ("建设用地" stays).
LEAD_VERB = re.compile(
    r"^(?:(?:新建|建设)和?(?:改造提升|改扩建|改造|扩建)|实现|完成|达到|新增|净增|累计|培育|组织|建设|建成|建立|打造|引进|推动|推进|开展|落实好|落实|新建|"
    r"改造|提升|创建|认定|遴选|扶持|支持|带动|吸引|吸纳|招收|招引|安置|转移|培训|扩大|提供|实施|启动|开工|"
    r"竣工|安排|筹集|争创|申报|发放|资助|举办|帮助|解决|新开工|新开|完善|新改建)"
)
TRAIL = re.compile(
    r"(?:达到|达|为|是|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|降低到|降低至|降到|降至|下降到|"
    r"下降至|下降|减少到|减少|增长|增加|增至|提高|提升|突破|超过|控制在|保持在|稳定在|缩短到|缩短至|压减|"
    r"不低于|不少于|不超过|至少|约|近|超|年均|平均|分别|累计|新增|净增|以上|的|在|实现|完成|双双|均|都|也|"
    r"再|又|共有|共|在年底|年底|年末|要|将|都|可以|只要|和|及|计划|降低|缩小|扩大|缩短|压缩|上涨|上升到|上升至|上升|"
    r"转为|拟按|按|(?:首次|再次)?(?:跃上|跃升至|跃升到|迈上|站上)|\d{4}年)$"
)
# An indicator that only names the goal itself ("经济增长预期目标为5%左右"): a restatement when its value was stated.
GENERIC_INDICATOR_RE = re.compile(r"^(?:经济)?(?:增长|发展)?(?:主要)?(?:预期)?(?:目标|指标)(?:值)?$")
# "由A提高到B" / "从A增加到B": the indicator is before 由/从, A is a baseline.
FROM_TO_RE = re.compile(
    r"(?:由|从)[^，,。；;]*?(?:提高|增加|增长|提升|上升|下降|降低|减少|缩小|扩大|压减)(?:到|至)(?:(?:19|20)\d{2}年的?)?$"
)
# Where a noun phrase after a classifier ends.
AFTER_STOP = re.compile(
    r"[，,。；;：:！!？?、\n]|和|及|或|等(?=[，,。；;、\s]|$)|大力|积极|加快|着力|全力|努力|持续|"
    r"逐步|率先|实现|达到|开展|完成|建成|以上|左右|的(?:目标|任务)|基本|全面|全部|进行|参与|参加|通过|获得|"
    r"纳入|列入|入选|在|为|将|\s"
)
RATE_RE = re.compile(r"每(?!年|月)[^，,。；;]{0,6}$")
CJK_NOUN_RE = re.compile(r"[\u4e00-\u9fff](?<![的，。、])")
CONDITION_RE = re.compile(r"的[，,]?(?:可|给予|按|享受|予以)")
TARGET_IS_RE = re.compile(r"(.+?)(?:预期)?目标(?:是|为)")
MENTION_LEAD_RE = re.compile(r"(?:\s|和|及|以及|并|同时|其中|且)+")
BAD_FOLLOWER = {
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
    "起": "草步点始飞码",
    "列": "入为车举",
    "类": "别型似",
    "份": "额子",
    "间": "隔距断",
    "款": "项式",
    "块": "状",
    "轮": "流换胎",
    "栋": "梁",
}


@dataclass(frozen=True)
class Matcher:
    master: re.Pattern[str]
    kinds: dict[str, str]
    cell: re.Pattern[str]  # a row of a planning table flattened into text: "托位数（个）4.5预期性"


def _build(units: dict[str, str]) -> Matcher:
    alternation = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    unit = f"(?:{alternation}|(?<=[万亿])(?={PEOPLE}))"  # a bare scale before people: "惠及76万群众"
    master = re.compile(
        rf"(?<![\dA-Za-z.·第每满])"
        rf"(?P<n1>{_NUM}){_APPROX}"
        rf"(?:(?P<u1>{unit})?\s?{_RANGE_SEP}\s?(?P<n2>{_NUM}){_APPROX})?"
        rf"(?P<unit>{unit})"
    )
    cell = re.compile(
        rf"[（(](?P<scale>[万亿千百]?)(?P<unit>{alternation})[)）]\s?[≥≤＞>]?\s?(?P<n1>\d+(?:\.\d+)?)(?![\d.%])(?=\s?(?:约束性|预期性))"
    )
    return Matcher(master, units, cell)


@lru_cache(maxsize=4)
def _matcher(units: tuple[tuple[str, str], ...]) -> Matcher:
    return _build(dict(units))


def matcher_for(units: Mapping[str, str] | None) -> Matcher:
    """The compiled matcher for a unit table (the configured one when ``None``), built once per table."""
    return _matcher(tuple(sorted((units if units is not None else load_units()).items())))


def to_number(num: str) -> float | None:
    return cn_to_number(num.replace("·", ".").replace("多", "").replace("余", ""))


def scale_split(num: str) -> tuple[str, float]:
    """Trailing 万/亿 of a numeral belong to the unit: "5000万" -> ("万", 1e4)."""
    i = len(num)
    while i > 1 and num[i - 1] in "万亿":
        i -= 1
    scale = num[i:]
    if not scale:
        return "", 1.0
    return scale, cn_to_number("1" + scale) or 1.0


def is_year(num: str, unit: str) -> bool:
    if unit != "年":
        return False
    if num.isdigit() and len(num) == 4:
        return True
    # "二〇一九年": bare Chinese digits read positionally.
    return len(num) >= 3 and all(ch in "零〇一二两三四五六七八九" for ch in num)


# Review and background parts found by the outline (their clause heading): their quantities report the past.
REVIEW_CLAUSE_RE = re.compile(
    r"回顾|成就|成绩|过去[一二三四五两十\d]*年|过去的一年|一年来|五年来|工作总结|主要成效|"
    r"取得.{0,8}(?:成效|成绩|成就|进展)|进展情况|完成情况|"
    r"^[^，,。]{0,4}(?:发展基础|工作基础|基础条件|发展现状|现状)(?:与(?:形势|问题|挑战))?$"
)
PLAN_CLAUSE_RE = re.compile(
    r"目标|安排|任务|要求|建议|计划|重点工作|今后|今年|明年|部署|思路|措施|举措|确保|力争|努力|推动|加快"
)
# A paragraph that opens with the lead of a plan ("主要预期目标是：", "今年的主要任务是：").
PLAN_LEAD_RE = re.compile(r"^[^。\n]{0,40}?(?:目标|任务|安排|要求)[^。\n]{0,8}[:：]")
# "从X增长到Y": the sentence states a change between two points in time.
FROM_TO_CHANGE_RE = re.compile(
    r"(?:从|由)[^，,。；;]{0,30}?(?:增加|增长|提高|提升|上升|下降|降低|减少|扩大|缩小|跃升)(?:到|至)"
)
