"""What a quantity measures: its indicator (``concept_of``) and the dimension of its value (``dimension_of``): an
aspect (growth, rate, points, share, level, increment) and a base unit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kb.extract.indicators.config import IndicatorConcept, IndicatorConfig, indicator_key
from kb.model import Quantity
from kb.text.normalize import fold
from kb.text.units import split_unit

_SHARE_RE = re.compile(r"^(?P<subject>.+?)占(?P<base>.+?)(?:的)?(?:比重|比例|份额)$")
_RATIO_NAME_RE = re.compile(r"(?:率|比重|比例|占比|强度|系数|指数)$")
_HAS_DIGIT = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿]{2,}|\d")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MAX_NAME = 20


@dataclass(frozen=True)
class Concept:
    """What a target's indicator resolves to: the series name, and what the cleaning learned on the way."""

    name: str
    lower: bool = False
    growth: bool = False  # the indicator itself said 增速/涨幅/增长率
    share_of: str = ""  # "A占B比重": the name of B
    national_name: str = ""


def _strip(text: str, config: IndicatorConfig) -> tuple[str, bool]:
    """``text`` without the configured prefixes and suffixes; whether a growth suffix was among them."""
    growth = False
    changed = True
    while changed and text:
        changed = False
        for prefix in config.prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in config.suffixes:
            if text.endswith(suffix) and not text[: -len(suffix)].endswith("占"):  # "占比" stays
                text, changed = text[: -len(suffix)], True
                growth = growth or suffix in ("增速", "增长率", "增幅", "涨幅", "增长")
    if text in config.prefixes:  # a bare prefix word ("按可比价格计算") says nothing
        text = ""
    return text, growth


# An indicator is a measurable quantity of a region: never a company's (注册资本 of a named company, a firm's name
# standing for its plant: "亘富200万吨", "集团公司注册资本暂定为人民币4.1亿元"), never a bracketed note ("(只)").
_NOT_A_REGIONS_RE = re.compile(r"注册资本|公司|集团|有限|股份|银行$|酒业$|^[(（]")


def _lookup(text: str, config: IndicatorConfig) -> IndicatorConcept | None:
    """The configured concept of a cleaned indicator, else the indicator itself, else None when too vague or
    not a region's (a company's)."""
    concept = config.by_term.get(text)
    if concept is not None:
        return concept
    if (
        _NOT_A_REGIONS_RE.search(text)
        or len(text) < 2
        or len(text) > _MAX_NAME
        or text in config.generic
        or not _CJK.search(text)
        or _HAS_DIGIT.search(text)
    ):
        return None
    return IndicatorConcept(text, (text,))


def concept_of(indicator: str, config: IndicatorConfig) -> Concept | None:
    """The indicator a target speaks of, or ``None`` (empty after cleaning, too vague, or not a name)."""
    text, growth = _strip(indicator_key(indicator), config)
    if not text:
        return None
    share = _SHARE_RE.match(text)
    if share:
        found = _lookup(_strip(share.group("subject"), config)[0], config)
        base = _lookup(_strip(share.group("base"), config)[0], config)
        if found is None or base is None:
            return None
        return Concept(found.name, found.lower, False, base.name)
    found = _lookup(text, config)
    if found is None:
        return None
    return Concept(found.name, found.lower, growth, national_name=found.national_name)


def is_empty_indicator(indicator: str, config: IndicatorConfig) -> bool:
    """True when nothing is left of the indicator after cleaning ("同比", "按可比价格计算")."""
    return not _strip(indicator_key(indicator), config)[0]


_GROWTH_WORDS = re.compile(r"(?:增长|增速|增幅|涨幅|上涨|上升|提高|提升|下降|降低|减少|回落|缩小)(?![到至])")
_DECREASE_WORDS = re.compile(r"(?:下降|降低|减少|回落|缩小|缩减)(?![到至])")
INCREMENT_WORDS = re.compile(
    r"新增|净增|增加(?![值到至])|提高(?![到至])|提升(?![到至])|新建|新培育|新认定|新引进|新开工|新改建|新招引"
)
AVERAGE_WORDS = re.compile(r"年均|平均每年|每年平均")
# A ceiling names the level to stay under; a cut by an amount ("压减产能5000万吨") is a floor on that amount.
CEILING_WORDS = re.compile(
    r"以内|以下|之内|不超过|不高于|(?<!不)低于|控制在|降至|降到|降低到|降低至|下降到|下降至|减少到|减少至|"
    r"缩短到|缩短至|缩减到|缩减至|压缩到|压缩至|压减到|压减至"
)
FLOOR_WORDS = re.compile(r"以上|不低于|不少于|至少")
APPROX_WORDS = re.compile(r"左右|上下|约")

LABELS = {
    "growth": "增速",
    "rate": "比率",
    "points": "变化",
    "share": "比重",
    "level": "",
    "increment": "新增",
}


@dataclass(frozen=True)
class Dimension:
    """The dimension of a value: its aspect (what it measures), its base unit, and how to read its sign."""

    aspect: str  # growth | rate | points | share | level | increment
    base: str  # base unit: "%", "个百分点", "元", "家", ...
    factor: float = 1.0  # the value's unit in base units (亿元 → 1e8)
    sign: int = 1  # -1 for a decrease ("下降3%")
    share_of: str = ""

    @property
    def key(self) -> str:
        if self.aspect == "share":
            return f"share:{self.share_of}"
        if self.aspect in ("level", "increment"):
            return f"{self.aspect}:{self.base}"
        return self.aspect


def _after_indicator(mention: str, indicator: str) -> str:
    """The folded mention after the indicator (the whole mention when the indicator is not in it)."""
    at = mention.find(indicator) if indicator else -1
    return mention[at + len(indicator) :] if at >= 0 else mention


def dimension_of(
    target: Quantity, concept: Concept, units: Mapping[str, str], mention: str | None = None
) -> Dimension:
    """The dimension of a quantity's value; ``mention`` is its mention already folded (else folded here)."""
    mention = fold(target.mention) if mention is None else mention
    unit = fold(target.unit)
    base, factor = split_unit(unit, units)
    after = _after_indicator(mention, fold(target.indicator))
    words = after + " " + target.qualifier
    if base == "个百分点":
        return Dimension("points", "个百分点", 1.0, -1 if _DECREASE_WORDS.search(words) else 1)
    if base == "%":
        if concept.share_of:
            return Dimension("share", "%", factor, share_of=concept.share_of)
        growth = concept.growth or bool(_GROWTH_WORDS.search(words)) or bool(AVERAGE_WORDS.search(words))
        if growth and not _RATIO_NAME_RE.search(concept.name):
            return Dimension("growth", "%", factor, -1 if _DECREASE_WORDS.search(words) else 1)
        return Dimension("rate", "%", factor)
    if units.get(base) == "duration":
        return Dimension("level", base, factor)
    aspect = "increment" if INCREMENT_WORDS.search(mention + " " + target.qualifier) else "level"
    return Dimension(aspect, base, factor)
