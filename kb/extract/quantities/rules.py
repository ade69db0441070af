"""The named rules that judge a candidate: shape rules (the number and unit alone say it is no quantity),
context rules (what surrounds it says it is no goal and no result) and the kind rules (a target, a result, or
neither). Each rule is a function of a ``Candidate``; ``kb.extract.quantities.explain`` names the one that decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kb.extract.quantities.candidates import Candidate, inside_title
from kb.extract.quantities.lexicon import (
    BAD_FOLLOWER,
    CJK_NOUN_RE,
    CN_CHARS,
    CONDITION_RE,
    DEADLINE_RE,
    DURATION_GOAL_RE,
    DURATION_TO_RE,
    FLOOR_RE,
    FROM_TO_CHANGE_RE,
    FUTURE_RE,
    GOAL_AT_NUMBER_RE,
    GOAL_OF_RE,
    GOAL_RE,
    NORM_MARKER_RE,
    NORM_RE,
    PARAGRAPH_DEADLINE_RE,
    PAST_RE,
    PLAN_RE,
    RATE_RE,
    is_year,
)
from kb.extract.quantities.phrases import noun_after
from kb.text.periods import five_year_plans

Rule = Callable[[Candidate], bool]

# -- shape rules: the number and unit alone say it is no quantity ---------------------------------


def _inside_numeral_word(c: Candidate) -> bool:
    """ "十一五", "二十四节气": a Chinese numeral inside a longer numeral word."""
    return c.n1[0] in CN_CHARS and c.num_start > 0 and c.folded[c.num_start - 1] in CN_CHARS


def _bare_digit_word(c: Candidate) -> bool:
    """ "一期", "三区", "四个全面": a single Chinese digit is a count word, unless a goal verb stands right before
    it and a noun follows its classifier ("新增三家上市公司", "建成五个省级创新平台", "建设一所"); 一批, 一项…
    never are."""
    if c.n1[0] not in CN_CHARS or len(c.n1) != 1 or c.n2 is not None:
        return False
    if c.kind != "count" or (c.n1 == "一" and c.unit in ("批", "批次", "种", "次", "期", "项", "条", "件")):
        return True
    verb_before = re.search(r"(?:" + GOAL_RE.pattern + r")$", c.before) is not None
    return not (verb_before and noun_after(c.folded, c.pos)[0])


def _year(c: Candidate) -> bool:
    """ "2019年", "二〇一九年", "2018—2020年": a year, not an amount of years."""
    return is_year(c.n1, c.unit) or (c.n2 is not None and is_year(c.n2, c.unit))


def _mixed_range(c: Candidate) -> bool:
    """ "5个—10家": the two ends of a range in different units."""
    return c.u1 is not None and c.u1 != c.unit


def _word_after_unit(c: Candidate) -> bool:
    """ "3人民", "2家庭", "5条例": the unit is the first character of a word."""
    return bool(c.follower and c.unit) and c.follower in BAD_FOLLOWER.get(c.unit[-1], "")


def _rank(c: Candidate) -> bool:
    """ "进入全国前100名", "排名前10位": a rank threshold, not an amount."""
    return c.before.endswith(("前", "排名", "排名第", "列第", "居第")) and c.unit in ("名", "位", "强", "家")


def _letters_run_on(c: Candidate) -> bool:
    """ "5GW" read as 5G, "10PB" cut short: a unit in Latin letters goes on into more letters or digits."""
    return (
        bool(c.unit)
        and c.unit[-1].isascii()
        and c.unit[-1].isalpha()
        and c.follower.isascii()
        and c.follower.isalnum()
    )


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
    "letters_run_on": _letters_run_on,
    "rank": _rank,
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
_BASELINE_BEFORE_RE = re.compile(r"(?:由|从)(?:(?:19|20)\d{2}年(?:底|末)?的)?$")
_THRESHOLD_RE = re.compile(
    r"(?:年收入|营业收入|销售收入|投资额|总投资|年产值|纳税额)[^，,。；;]{0,6}(?:在|达到|超过)?$"
)


def _baseline(c: Candidate) -> bool:
    """ "在…的基础上", "由40%提高到50%" (40% is where it starts): a baseline, not a goal."""
    return c.folded.startswith("的基础上", c.pos) or _BASELINE_BEFORE_RE.search(c.before) is not None


_AT_LEAST_RE = re.compile(r"不少于|不低于|至少|超过")


_FOR_WHOM_RE = re.compile(r"(?:^|[，,。；;：:])对[^，,。；;]*$")


def _attribute(c: Candidate) -> bool:
    """ "五万元以上的企业", "达到10万元的": a condition or attribute — unless a goal verb leads the fragment and
    the number is a share to reach ("推动不少于30%的项目…", "建设50个以上的…": the number before its noun)."""
    if not c.folded.startswith("的", c.pos) or GOAL_OF_RE.match(c.folded, c.pos):
        return False
    if _FOR_WHOM_RE.search(c.before) is not None:
        return True  # "对年度研发投入达到50万元以上的企业": whom a support is for
    share = _AT_LEAST_RE.search(c.before) is not None or "以上" in c.after_quals
    return not (share and GOAL_RE.search(c.before)) or CONDITION_RE.search(c.sentence) is not None


_DATED_RE = re.compile(r"(?:19|20)\d{2}年(?:底|末)?的$")


def _statistic_or_penalty(c: Candidate) -> bool:
    """ "全部建成的三万九千个" (a statistic), "处五万元" (a penalty) — but not a share or a multiple of a whole
    ("占地方财政总支出的47.5%", "是2010年的2.6倍", "完成全年计划的141.7%"), a dated value ("增加到2015年的287.9亿元"),
    nor a count a goal verb governs ("实施好涉及…的93个重点项目", "新开通…的3条航线")."""
    if c.before.endswith("处"):
        return True
    if not c.before.endswith("的"):
        return False
    if c.kind == "percent" or c.unit == "倍" or _DATED_RE.search(c.before) is not None:
        return False
    governed = GOAL_RE.search(c.before) is not None and _VERB_OF_RE.search(c.before) is None
    return not (c.kind == "count" and governed)


_VERB_OF_RE = re.compile(r"(?:" + GOAL_RE.pattern + r")的$")  # "建成的三万九千个": the ones built


_NORM_GOAL_RE = re.compile(r"不少于|不低于|达到|提高到|提升到|增加到|力争|确保|(?<!年)到\d{4}年")


def _per_unit_norm(c: Candidate) -> bool:
    """ "每立方米2.4元", "每人每年500元": a rate or a price — but a density to reach is a goal
    ("力争每千人口不少于4.5个托位", "每个县至少…")."""
    if RATE_RE.search(c.before) is None:
        return False
    return _NORM_GOAL_RE.search(c.before) is None and not _is_planned(c)


def _inside_name(c: Candidate) -> bool:
    """ "《…稳定经济增长20条政策措施》", "“金融15条”": part of a name."""
    return inside_title(c.folded, c.sent_start, c.num_start, c.unit_end)


def _age_or_size_attribute(c: Candidate) -> bool:
    """ "3岁以下婴幼儿": a measure with 以上/以下 right before a noun describes that noun (左右 is an
    approximation, not a bound: "赤字率按4%左右安排")."""
    bounds = [q for q in c.after_quals if q != "左右" or c.kind == "duration"]  # "5—10年左右时间" stays out
    return bool(bounds) and c.kind != "count" and CJK_NOUN_RE.match(c.folded, c.pos) is not None


def _legal_norm(c: Candidate) -> bool:
    """Penalties and obligations (罚款, 处以, 不得, 应当…): the amounts are norms."""
    return NORM_RE.search(c.sentence) is not None


def _eligibility(c: Candidate) -> bool:
    """Conditions and thresholds of a rule ("…的，可给予", "年限可缩短至2年", "年收入500万元以上")."""
    return (
        CONDITION_RE.search(c.sentence) is not None
        or _ELIGIBILITY_RE.search(c.before) is not None
        or _THRESHOLD_RE.search(c.before) is not None
    )


_SUBSIDY_AFTER_RE = re.compile(r"(?:的)?(?:资金)?(?:奖补|奖励|补助|补贴|资助|扶持资金|一次性奖励|支持|奖金)")
# Awards and grades of a support list: "一等奖50万元", "技师2000元", "高级技师3000元".
_AWARD_RE = re.compile(
    r"(?:[一二三特]等奖|金奖|银奖|铜奖|优秀奖|技师|高级工|中级工|初级工|博士|硕士)[^，,。；;]{0,2}$"
)
# A sentence that offers support: its money amounts are support levels.
_OFFER_RE = re.compile(r"给予|奖励|补贴|补助|资助|奖补|贴息")


_RATE_OF_RE = re.compile(r"(?:按|按照|参照|标准为|给予|补助|补贴|奖励|贴息)[^，,。；;]*的$")


def _support_level(c: Candidate) -> bool:
    """ "给予50万元奖励", "最高补助200万元", "50万元资金奖补": a support level offered, not a goal; a rate of it
    ("按设备投资的5%给予补助", "发放标准为失业保险金标准的30%") likewise. What a review says was paid out
    ("全年发放惠农补贴资金5846万元") is a result."""
    if _is_past(c):
        return False
    if c.kind == "percent":
        return _RATE_OF_RE.search(c.before) is not None
    if not c.unit.endswith("元"):
        return False
    return (
        _SUBSIDY_RE.search(c.before) is not None
        or _SUBSIDY_AFTER_RE.match(c.folded, c.pos) is not None
        or _AWARD_RE.search(c.before) is not None
        or (_OFFER_RE.search(c.sentence) is not None and _PLAN_AMOUNT_RE.search(c.before) is None)
    )


# An amount the plan itself raises or invests ("筹集资金5亿元用于补助", "安排补助资金632亿元"): no support level.
_PLAN_AMOUNT_RE = re.compile(r"筹集|筹措|安排|投入|投资|设立|争取|规模")


_INCREMENT_RE = re.compile(r"^(?:比|较)(?:上年|去年|上一年)")


def _increment_of_previous(c: Candidate) -> bool:
    """The change of an amount against last year ("拟安排…4.4万亿元，比上年增加5000亿元") restates the level
    before it; a growth rate ("比上年增长7.7%") is an indicator of its own."""
    return c.kind != "percent" and _INCREMENT_RE.match(c.before.strip()) is not None


def _formula(c: Candidate) -> bool:
    """ "覆盖率=签约人数/常住人口数*100%": a definition, not a goal."""
    return "=" in c.sentence or "*100%" in c.sentence


_CLAUSE_START_RE = re.compile(r"[，,。；;：:\n]")
_GROUP_GOAL_RE = re.compile(r"完成|确保|打通|启动|解决|建成|新建|打造|新增|开行|新开通|改造")
_GROUP_DONE_RE = re.compile(r"[^，,。；;]{0,16}?(?:竣工|投产|开工|建成|通车|投入使用|建设任务|改造任务|完工)")


_DESIGNATION_RE = re.compile(
    r"[^，,。；;、]{0,10}?(?:露天矿|热电联产|项目|工程|生产线|风电|发电|电站|变电站|厂|主力店|扩建|[一二三四]期|提质|"
    r"养鸡场|保鲜库|机组|矿井|煤矿|产线)"
)
_NAME_BEFORE_RE = re.compile(r"[\u4e00-\u9fff]{2,8}$")


def _project_designation(c: Candidate) -> bool:
    """ "加快大唐700万吨露天矿…", "麦多利10万吨大麦芽二期": a capacity inside a named project's designation, not a
    goal — unless a verb leads straight to the number ("启动2.5万亩蔬菜基地建设工程")."""
    if c.kind != "measure" or c.unit.endswith("元") or c.after_quals:
        return False
    if _DESIGNATION_RE.match(c.folded, c.pos) is None:
        return False
    if re.search(r"(?:" + GOAL_RE.pattern + r")$", c.before):
        return False
    verbs = list(GOAL_RE.finditer(c.before))
    name = c.before[verbs[-1].end() :] if verbs else c.before
    name = name.strip()
    return _NAME_BEFORE_RE.search(name) is not None and not name.endswith(
        ("和", "及", "与", "或", "等", "的")
    )


def _names_a_group(c: Candidate) -> bool:
    """ "甲、乙等3个区": the count only names a group listed before it — unless it closes a list of what was
    done (in the past: a result, "古纳河酒业等22个项目顺利投产") or of what is to be done: the clause leads with a
    verb that completes ("完成呼伦大街、望城路等9条道路工程") or a completion follows ("…等50项重点项目竣工投产")."""
    if _GROUP_RE.search(c.before) is None or c.kind != "count":
        return False
    if _is_past(c):
        return False
    start = c.num_start
    while start > c.sent_start and not _CLAUSE_START_RE.match(c.folded, start - 1):
        start -= 1
    clause = c.folded[start : c.num_start]
    return _GROUP_GOAL_RE.search(clause) is None and _GROUP_DONE_RE.match(c.folded, c.pos) is None


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
    "project_designation": _project_designation,
    "increment_of_previous": _increment_of_previous,
    "formula": _formula,
}

# -- kind rules: a goal (target), a past result, or neither ----------------------------------------

_DONE_RE = re.compile(r"(?:完成|实现|达到|增长|下降|新增|净增|累计|减少|提高|提升|突破|超过|建成|达)了?$|了$")


def deadline_match(c: Candidate) -> re.Match[str] | None:
    found = None
    for dm in DEADLINE_RE.finditer(c.folded, c.sent_start, c.num_start):
        found = dm
    if found is None:
        para_start = max(c.index.paragraph_start(c.num_start), c.num_start - 300)
        for dm in PARAGRAPH_DEADLINE_RE.finditer(c.folded, para_start, c.sent_start):
            found = dm
    return found


def _is_planned(c: Candidate) -> bool:
    return PLAN_RE.search(c.sentence) is not None


_PLAN_IN_REVIEW_RE = re.compile(r"力争|预期目标|(?<!年)到\d{4}年(?!的)|(?:明年|今年|下一步)(?:要|将)")


def _is_past(c: Candidate) -> bool:
    """In a review section (unless the sentence looks ahead: 力争, 到2025年…; a 如期实现…目标 is the past), or a
    sentence about the past (比上年, 同比, 截至, 了…) with no plan in it."""
    if c.index.in_review(c.num_start):
        return _PLAN_IN_REVIEW_RE.search(c.sentence) is None
    if _is_planned(c) or c.index.plan_paragraph(c.num_start):
        return False
    if FUTURE_RE.search(c.sentence) is not None:
        return False
    return PAST_RE.search(c.sentence) is not None or _names_an_ended_period(c)


def _names_an_ended_period(c: Candidate) -> bool:
    """A sentence about a period that ended before the document's year: "“十四五”时期…从4.16万亿元增加到5.67万亿元"
    in a 2026 report, "2025年，全省…增长5.4%" — an achievement, stated without 比上年 or 了."""
    year = c.index.year
    if year is None:
        return False
    before = c.folded[c.sent_start : c.num_start]
    plans = five_year_plans(before)
    if plans:
        return plans[-1][1].end < year
    m = _LEADING_YEAR_RE.match(before)
    if m is not None and int(m.group(1)) < year:
        return True
    years = [int(y) for y in _YEAR_BEFORE_RE.findall(before)]
    return FROM_TO_CHANGE_RE.search(before) is not None and bool(years) and years[-1] < year


_LEADING_YEAR_RE = re.compile(r"\s*(?:[^，,。；;]{0,6}?)((?:19|20)\d{2})年[，,]")
_YEAR_BEFORE_RE = re.compile(r"((?:19|20)\d{2})年的")


def _has_goal_context(c: Candidate) -> bool:
    """A goal verb or qualifier in the fragment, 左右 after the number, or a deadline; durations need a
    shortening verb; in a statute only explicit planning counts."""
    if c.cell_at >= 0:
        return True  # a row of a planning table (属性 约束性/预期性) states a goal
    goal = (
        GOAL_RE.search(c.before) is not None
        or "左右" in c.after_quals
        or GOAL_AT_NUMBER_RE.search(c.before) is not None
        or (FLOOR_RE.search(c.before) is not None and NORM_MARKER_RE.search(c.sentence) is None)
    )
    if not goal and c.kind != "duration":
        # a list of quantities after one verb: "新建温室500亩，露地蔬菜种植1.4万亩" (the verb leads the sentence)
        goal = GOAL_RE.search(c.folded, c.sent_start, c.frag_start) is not None
    if c.kind == "duration":
        goal = DURATION_TO_RE.search(c.before) is not None or (
            DURATION_GOAL_RE.search(c.before) is not None and (bool(c.after_quals) or goal)
        )
    elif not goal:
        goal = deadline_match(c) is not None
    if c.index.statute:
        goal = goal and (deadline_match(c) is not None or _is_planned(c))
    return goal


def _has_result_context(c: Candidate) -> bool:
    """A result states an indicator's level or change: a measure or percentage, or a count after a verb of
    achievement (完成, 新增, 建成…); durations and bare counts in a review are left out."""
    if c.kind == "duration" or c.index.statute:
        return False
    if c.kind == "count" and not c.index.in_review(c.num_start):
        return _DONE_RE.search(c.before) is not None or GOAL_RE.search(c.before) is not None
    return True


def classify(c: Candidate) -> str | None:
    """ "result" for a past result, "target" for a goal, None for neither."""
    if _is_past(c):
        return "result" if _has_result_context(c) else None
    return "target" if _has_goal_context(c) else None
