"""Indicator series across documents and years: grouping, attainment, conflicts. Pure (no I/O but the loader).

``build_indicators(documents, targets, config, units)`` turns every target (``kind="target"``) and past result
(``kind="result"``) of the knowledge base into **series**, one per region, indicator and unit kind, then judges
each year that has both a target and a result and flags years where documents disagree. The rules:

**Region** (``region_of``): the innermost administrative unit named at the start of the issuing agency
("呼伦贝尔市海拉尔区人民政府" → 海拉尔区, "十堰市科学技术局" → 十堰市; zones such as 高新区 are not regions of their
own), else a national body (国务院, 全国人民代表大会, 国家…, …部 → 全国), else the same read from the start of the
title ("2012年海拉尔区政府工作报告" → 海拉尔区). A document with no region makes no series.

**Indicator** (``concept_of``): the target's indicator, folded, with the configured scope prefixes and reporting
suffixes removed ("全区地区生产总值" → 地区生产总值), looked up exactly among the terms of ``indicators.toml``; an
unknown name is its own indicator, a vague one ("投资", "比重") none. An indicator left empty ("同比增长21%")
takes the one of the previous target in the same sentence. "A占B比重" is A's share of B.

**Unit kind** (``dimension_of``): a percentage is a growth rate (增速) when the mention says 增长/下降/增速/涨幅…,
a share of B for "A占B比重", else a rate (比率: 失业率, 城镇化率); 个百分点 is a change in points; any other unit is
an amount in its base unit (亿元 and 万元 are one kind, 元; values are converted to the series' most used unit),
either a level (达到, 总量) or an increment (新增, 净增, 新建). A decrease (下降3%, 降低4%左右) is negative growth.

**Year**: a target's deadline, else its document's year (a 2019 report's targets are for 2019); a result's
``year`` (the year it reports). Points without a year, and results that are averages over several years
("五年来年均增长12.1%"), are left out (counted in the stats).

**Attainment** (``judge``), for each year with a target and a result (the result of the earliest document that
reports it, i.e. the next year's report):

* floor (增长X%、达到X、X以上、突破X、不低于X, and a bare X): met when result ≥ X;
* ceiling (X以内、X以下、控制在X、不超过X, any decrease "下降X%", and a bare X for an indicator marked ``lower``):
  met when result ≤ X (for a decrease: at least X down);
* approximate (X左右、X上下、约X): the bound moves by ``approx_tolerance`` × |X| (5 %): "增长7%左右" is met from 6.65%;
* range (X—Y): a floor at X (a ceiling at Y when less is better);
* other basis: an increment target ("净增42家") with no increment result is judged on the difference of the level
  results of that year and the year before ("高新技术企业达到158家" − 116家), a level target with no level result on
  last year's level plus this year's increment (both sources in ``derived_from``); when a part is missing the year
  is not comparable;
* not comparable (``attained: null``): a yearly average (年均, 平均每年) or a cumulative increment (累计新增)
  against one year's result.

**Conflicts**: in one series, the same year with different target values from at least two documents (a plan's
净增高新技术企业42家 and another document's 新增30家 for the same city and year); all the sources are listed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb.config import config_file
from kb.ids import series_id
from kb.model import Document, Quantity
from kb.text.normalize import fold
from kb.text.numerals import plain_number, written_amount

NATIONAL = "全国"

# ------------------------------------------------------------------------------------------------ config


@dataclass(frozen=True)
class IndicatorConcept:
    name: str
    terms: tuple[str, ...]
    lower: bool = False  # less is better (失业率, 能耗): a bare value is a ceiling
    national_name: str = ""  # the name national series show (国内生产总值 for 地区生产总值)


@dataclass(frozen=True)
class IndicatorConfig:
    concepts: tuple[IndicatorConcept, ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    generic: frozenset[str] = frozenset()
    national: tuple[str, ...] = ("国务院",)
    national_prefixes: tuple[str, ...] = ()
    national_suffixes: tuple[str, ...] = ()
    not_regions: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    tolerance: float = 0.05
    by_term: Mapping[str, IndicatorConcept] = field(default_factory=dict, compare=False)

    def digest(self) -> str:
        """A short fingerprint of the table (stored with the series)."""
        text = repr((self.concepts, self.prefixes, self.suffixes, sorted(self.generic), self.national))
        text += repr((self.national_prefixes, self.national_suffixes, sorted(self.not_regions)))
        text += repr((sorted(self.aliases.items()), self.tolerance))
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _key(text: str) -> str:
    """The matching form of an indicator or a term: folded, ASCII lower-cased, no spaces."""
    return "".join(fold(text).lower().split())


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}：'{key}' 必须是字符串列表 must be a list of strings")
    return tuple(_key(v) for v in value if v.strip())


def parse_indicator_config(data: Mapping[str, Any], where: str = "indicators.toml") -> IndicatorConfig:
    """The configuration from parsed TOML; ``ValueError`` with a Chinese message naming the problem."""
    raw = data.get("indicator", [])
    if not isinstance(raw, list):
        raise ValueError(f"{where}：'indicator' 必须是表数组（[[indicator]]）")
    concepts: list[IndicatorConcept] = []
    by_term: dict[str, IndicatorConcept] = {}
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ValueError(f"{where}：第 {i} 个 [[indicator]] 缺少 name")
        name = entry["name"].strip()
        terms = entry.get("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and len(t.strip()) >= 2 for t in terms):
            raise ValueError(f"{where}：指标“{name}”的 terms 必须是至少两个字的字符串列表")
        lower = entry.get("lower", False)
        if not isinstance(lower, bool):
            raise ValueError(f"{where}：指标“{name}”的 lower 必须是 true 或 false")
        national_name = entry.get("national_name", "")
        if not isinstance(national_name, str):
            raise ValueError(f"{where}：指标“{name}”的 national_name 必须是字符串")
        concept = IndicatorConcept(name, tuple(_key(t) for t in [name, *terms]), lower, national_name.strip())
        concepts.append(concept)
        for term in concept.terms:
            other = by_term.get(term)
            if other is not None and other.name != name:
                raise ValueError(f"{where}：词“{term}”同时属于指标“{other.name}”和“{name}”")
            by_term[term] = concept
    regions = data.get("regions", {})
    if not isinstance(regions, dict):
        raise ValueError(f"{where}：[regions] 必须是表")
    aliases = regions.get("aliases", {})
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ValueError(f"{where}：[regions.aliases] 的键和值都必须是字符串")
    tolerance = data.get("approx_tolerance", 0.05)
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or not 0 <= tolerance < 1:
        raise ValueError(f"{where}：approx_tolerance 必须是 0 到 1 之间的数")
    return IndicatorConfig(
        concepts=tuple(concepts),
        prefixes=_strings(data, "prefixes", where),
        suffixes=_strings(data, "suffixes", where),
        generic=frozenset(_strings(data, "generic", where)),
        national=_strings(regions, "national", where) or ("国务院",),
        national_prefixes=_strings(regions, "national_prefixes", where),
        national_suffixes=_strings(regions, "national_suffixes", where),
        not_regions=frozenset(_strings(regions, "not_regions", where)),
        aliases={fold(k).strip(): v.strip() for k, v in aliases.items()},
        tolerance=float(tolerance),
        by_term=by_term,
    )


def load_indicator_config(path: Path | None = None) -> IndicatorConfig:
    """The indicator table (default: the configuration folder's ``indicators.toml``, else the packaged one)."""
    target = Path(path) if path is not None else config_file("indicators.toml")
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"指标配置文件 {target} 无法读取（须为 UTF-8 TOML）：{exc}") from None
    return parse_indicator_config(data, str(target))


# ------------------------------------------------------------------------------------------------ regions

_SUFFIX = r"(?:特别行政区|自治区|自治州|自治县|地区|新区|省|市|县|旗|盟|区|州)"
# One administrative unit: a few characters that are not an institution's, then a unit suffix.
_PLACE_RE = re.compile(r"[^局厅委办院会府部处署司所站室队组校馆中心，、,\s()（）《》\d]{1,12}?" + _SUFFIX)
_AFTER_ZHOU = re.compile(r"[省市县区]")  # 杭州 + 市, 贵州 + 省
_TITLE_LEAD = re.compile(r"^(?:\d{4}年(?:度)?|关于)+")


def _places(text: str) -> list[str]:
    """The administrative units named one after another at the start of ``text``."""
    out: list[str] = []
    pos = 0
    while True:
        m = _PLACE_RE.match(text, pos)
        if m is None:
            return out
        end = m.end()
        if text[end - 1] == "州" and _AFTER_ZHOU.match(text, end):
            end += 1
        out.append(text[pos:end])
        pos = end


# A place name never holds a scope word (全市, 本区) nor starts with a verb of a title ("印发十堰市…").
_NOT_PLACE_RE = re.compile(
    r"[全本我各该]|^(?:印发|转发|推动|推进|加快|促进|加强|深化|实施|支持|做好|开展|进一步|建设|关于)"
)


def _innermost(text: str, config: IndicatorConfig) -> str:
    places = []
    for place in _places(text):
        if _NOT_PLACE_RE.search(place):
            break
        if not any(place.endswith(z) for z in config.not_regions):
            places.append(place)
    return places[-1] if places else ""


def _is_national(text: str, config: IndicatorConfig, *, whole: bool) -> bool:
    if any(marker in text for marker in config.national) if whole else text.startswith(config.national):
        return True
    if not whole:
        return False
    return text.startswith(config.national_prefixes) or bool(
        config.national_suffixes and text.endswith(config.national_suffixes)
    )


def region_of(agency: str, title: str, config: IndicatorConfig) -> str:
    """The region a document speaks for: from the agency, else the title; ``""`` when neither names one."""
    agency = fold(agency).strip()
    for lead in ("中共", "中国共产党"):
        agency = agency.removeprefix(lead)
    region = ""
    if agency:
        first = re.split(r"[、,，\s]", agency, maxsplit=1)[0]  # joint issuers: the first one
        region = _innermost(first, config)
        if not region and _is_national(agency, config, whole=True):
            region = NATIONAL
    if not region:
        head = _TITLE_LEAD.sub("", fold(title).strip())
        region = NATIONAL if _is_national(head, config, whole=False) else _innermost(head, config)
    return config.aliases.get(region, region)


# ------------------------------------------------------------------------------------------------ concepts

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


def _lookup(text: str, config: IndicatorConfig) -> IndicatorConcept | None:
    """The configured concept of a cleaned indicator, else the indicator itself, else None when too vague."""
    concept = config.by_term.get(text)
    if concept is not None:
        return concept
    if (
        len(text) < 2
        or len(text) > _MAX_NAME
        or text in config.generic
        or not _CJK.search(text)
        or _HAS_DIGIT.search(text)
    ):
        return None
    return IndicatorConcept(text, (text,))


def concept_of(indicator: str, config: IndicatorConfig) -> Concept | None:
    """The indicator a target speaks of, or ``None`` (empty after cleaning, too vague, or not a name)."""
    text, growth = _strip(_key(indicator), config)
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
    return not _strip(_key(indicator), config)[0]


# ------------------------------------------------------------------------------------------------ dimensions

_SCALES = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "亿": 1e8}
_GROWTH_WORDS = re.compile(r"(?:增长|增速|增幅|涨幅|上涨|上升|提高|提升|下降|降低|减少|回落|缩小)(?![到至])")
_DECREASE_WORDS = re.compile(r"(?:下降|降低|减少|回落|缩小|缩减)(?![到至])")
_INCREMENT_WORDS = re.compile(
    r"新增|净增|增加(?![值到至])|提高(?![到至])|提升(?![到至])|新建|新培育|新认定|新引进|新开工|新改建|新招引"
)
_AVERAGE_WORDS = re.compile(r"年均|平均每年|每年平均")
# A ceiling names the level to stay under; a cut by an amount ("压减产能5000万吨") is a floor on that amount.
_CEILING_WORDS = re.compile(
    r"以内|以下|之内|不超过|不高于|(?<!不)低于|控制在|降至|降到|降低到|降低至|下降到|下降至|减少到|减少至|"
    r"缩短到|缩短至|缩减到|缩减至|压缩到|压缩至|压减到|压减至"
)
_FLOOR_WORDS = re.compile(r"以上|不低于|不少于|至少")
_APPROX_WORDS = re.compile(r"左右|上下|约")

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
    """The unit kind of a value: what it measures, in which base unit, and how to read its sign."""

    kind: str  # growth | rate | points | share | level | increment
    base: str  # base unit: "%", "个百分点", "元", "家", ...
    factor: float = 1.0  # the value's unit in base units (亿元 → 1e8)
    sign: int = 1  # -1 for a decrease ("下降3%")
    share_of: str = ""

    @property
    def key(self) -> str:
        if self.kind == "share":
            return f"share:{self.share_of}"
        if self.kind in ("level", "increment"):
            return f"{self.kind}:{self.base}"
        return self.kind


# Units that measure the same thing under another name: (the unit series use, its factor).
_SAME_AS = {
    "‰": ("%", 0.1),
    "公斤": ("吨", 1e-3),
    "千克": ("吨", 1e-3),
    "千米": ("公里", 1.0),
    "平方千米": ("平方公里", 1.0),
    "度": ("千瓦时", 1.0),
    "吨标煤": ("吨标准煤", 1.0),
    "百分点": ("个百分点", 1.0),
}


def split_unit(unit: str, units: Mapping[str, str]) -> tuple[str, float]:
    """A unit's base unit and scale: "亿元" → ("元", 1e8), "万千瓦" → ("千瓦", 1e4), "亿公斤" → ("吨", 1e5)."""
    base, factor = unit, 1.0
    while base not in units and base not in _SAME_AS and len(base) > 1 and base[0] in _SCALES:
        factor *= _SCALES[base[0]]
        base = base[1:]
    if base in _SAME_AS:
        base, scale = _SAME_AS[base]
        factor *= scale
    return base, factor


def _after_indicator(mention: str, indicator: str) -> str:
    """The folded mention after the indicator (the whole mention when the indicator is not in it)."""
    at = mention.find(indicator) if indicator else -1
    return mention[at + len(indicator) :] if at >= 0 else mention


def dimension_of(
    target: Quantity, concept: Concept, units: Mapping[str, str], mention: str | None = None
) -> Dimension:
    """The unit kind of a target's value; ``mention`` is the target's mention already folded (else folded here)."""
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
        growth = concept.growth or bool(_GROWTH_WORDS.search(words)) or bool(_AVERAGE_WORDS.search(words))
        if growth and not _RATIO_NAME_RE.search(concept.name):
            return Dimension("growth", "%", factor, -1 if _DECREASE_WORDS.search(words) else 1)
        return Dimension("rate", "%", factor)
    if units.get(base) == "duration":
        return Dimension("level", base, factor)
    kind = "increment" if _INCREMENT_WORDS.search(mention + " " + target.qualifier) else "level"
    return Dimension(kind, base, factor)


# ------------------------------------------------------------------------------------------------ series


@dataclass
class Point:
    """One target or result of a series, in the series' unit (growth and points signed: a decrease < 0)."""

    year: int
    kind: str  # target | result
    value: float
    unit: str
    qualifier: str
    doc_id: str
    item_id: str
    value_max: float | None = None
    mention: str = ""


@dataclass
class Attainment:
    year: int
    target: Point
    result: Point
    attained: bool | None
    rule: str  # the rule applied, in Chinese ("增长7%左右：结果不低于6.65%即完成（容差5%）")
    derived_from: list[str] = field(default_factory=list)  # result ids of a derived increment


@dataclass
class Conflict:
    year: int
    values: list[float]
    item_ids: list[str]
    doc_ids: list[str]


@dataclass
class Series:
    id: str
    name: str  # the indicator ("地区生产总值")
    dimension: str  # Dimension.key ("growth", "level:元", "share:地区生产总值")
    label: str  # "增速", "新增", "比重", "" (a level)
    unit: str  # the unit every point is in ("%", "亿元", "家")
    region: str
    lower: bool = False
    points: list[Point] = field(default_factory=list)
    attainment: list[Attainment] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def title(self) -> str:
        """ "海拉尔区 · 地区生产总值 · 增速（%）"."""
        parts = [self.region, self.name]
        if self.dimension.startswith("share:"):
            parts[-1] = f"{self.name}占{self.dimension[6:]}比重"
        elif self.label:
            parts.append(self.label)
        return " · ".join(parts) + (f"（{self.unit}）" if self.unit else "")

    @property
    def compared(self) -> bool:
        """Worth a look without asking for everything: a judged year, a conflict, or points from several documents."""
        return bool(self.attainment or self.conflicts or len({p.doc_id for p in self.points}) > 1)

    @property
    def doc_ids(self) -> list[str]:
        return sorted({p.doc_id for p in self.points})

    def targets(self) -> list[Point]:
        return [p for p in self.points if p.kind == "target"]

    def results(self) -> list[Point]:
        return [p for p in self.points if p.kind == "result"]

    def summary(self) -> dict[str, int]:
        years_judged = {a.year for a in self.attainment}
        targets = self.targets()
        return {
            "points": len(self.points),
            "targets": len(targets),
            "results": len(self.results()),
            "documents": len(self.doc_ids),
            "targets_with_result": sum(1 for p in targets if p.year in years_judged),
            "met": sum(1 for a in self.attainment if a.attained is True),
            "missed": sum(1 for a in self.attainment if a.attained is False),
            "not_comparable": sum(1 for a in self.attainment if a.attained is None),
            "conflicts": len(self.conflicts),
        }


@dataclass
class Indicators:
    """All series of a knowledge base and what was left out, by reason."""

    series: list[Series] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    config_digest: str = ""
    error: str = ""  # why there are no series (a bad indicators.toml; "missing" for an older generation)


def _round(value: float) -> float:
    return round(value, 6)


def _year(text: str) -> int | None:
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def _point_year(target: Quantity, doc: Document) -> int | None:
    if target.kind == "result":
        return target.year
    return target.deadline if target.deadline is not None else _year(doc.date)


def series_key_of(series: Series) -> tuple[str, str, str]:
    """The key a series is grouped by (and its id made from): region, indicator, unit kind."""
    return (series.region, series.name, series.dimension)


def build_indicators(
    documents: Iterable[Document],
    targets: Iterable[Quantity],
    config: IndicatorConfig,
    units: Mapping[str, str],
    regroup: Callable[[Quantity, tuple[str, str, str]], tuple[str, str, str]] | None = None,
) -> Indicators:
    """Every series of the knowledge base (module docstring for the rules), conflicts and misses first.

    ``targets`` in document reading order (as the catalog holds them): the sentence rule for an empty indicator
    looks at the target before. ``regroup(target, key)`` may send a point to another series key (staff decisions
    that merge or split series, ``kb.extract.curation.SeriesCuration``).
    """
    docs = {d.id: d for d in documents}
    regions: dict[str, str] = {}
    stats: Counter[str] = Counter()
    groups: dict[tuple[str, str, str], list[tuple[Point, Dimension, Document, int]]] = defaultdict(list)
    lower_of: dict[tuple[str, str, str], bool] = {}
    previous: tuple[tuple[str, int, int], Concept] | None = None  # (doc id, sentence span), concept
    for order, target in enumerate(targets):
        kind = "result" if target.kind == "result" else "target"
        stats[kind + "s"] += 1
        doc = docs.get(target.doc_id)
        if doc is None:
            stats["skipped_no_document"] += 1
            continue
        if doc.id not in regions:
            regions[doc.id] = region_of(doc.agency, doc.title, config)
        region = regions[doc.id]
        sentence = (target.doc_id, target.span[0], target.span[1])
        concept = concept_of(target.indicator, config)
        same_sentence = previous is not None and previous[0] == sentence
        if concept is None and same_sentence and is_empty_indicator(target.indicator, config):
            concept = previous[1]  # "地区生产总值达到240亿元，同比增长21%"
        if concept is None:
            stats["skipped_no_indicator"] += 1
            continue
        previous = (sentence, concept)
        if not region:
            stats["skipped_no_region"] += 1
            continue
        year = _point_year(target, doc)
        if year is None:
            stats["skipped_no_year"] += 1
            continue
        mention = fold(target.mention)
        dim = dimension_of(target, concept, units, mention)
        if kind == "result" and _AVERAGE_WORDS.search(target.qualifier + " " + mention):
            stats["skipped_average_result"] += 1  # "五年来年均增长12.1%" is no one year's result
            continue
        point = Point(
            year=year,
            kind=kind,
            value=target.value,
            unit=fold(target.unit),
            qualifier=target.qualifier,
            doc_id=target.doc_id,
            item_id=target.id,
            value_max=target.value_max,
            mention=target.mention,
        )
        name = concept.national_name if region == NATIONAL and concept.national_name else concept.name
        key = (region, name, dim.key)
        if regroup is not None:
            key = regroup(target, key)
        groups[key].append((point, dim, doc, order))
        lower_of[key] = lower_of.get(key, False) or concept.lower
        stats["grouped_" + kind + "s"] += 1

    series_list: list[Series] = []
    for (region, name, dim_key), members in groups.items():
        series_list.append(_make_series(region, name, dim_key, members, lower_of[(region, name, dim_key)]))
    by_key = {(s.region, s.name, s.dimension): s for s in series_list}
    for series in series_list:
        basis, _, base = series.dimension.partition(":")
        other = {"increment": "level", "level": "increment"}.get(basis)
        sibling = by_key.get((series.region, series.name, f"{other}:{base}")) if other else None
        series.attainment = attainment(series, config.tolerance, sibling)
        series.conflicts = conflicts(series)
    series_list.sort(key=_rank)
    stats["series"] = len(series_list)
    return Indicators(series_list, dict(stats), config.digest())


def _doc_order(doc: Document) -> tuple[str, str]:
    return (doc.date or "9999", doc.id)


def _make_series(
    region: str,
    name: str,
    dim_key: str,
    members: list[tuple[Point, Dimension, Document, int]],
    lower: bool,
) -> Series:
    # The series' unit: the unit most of its points are written in (first seen on a tie).
    counts = Counter(p.unit for p, _, _, _ in members)
    unit = max(counts, key=lambda u: (counts[u], -next(i for i, m in enumerate(members) if m[0].unit == u)))
    unit_factor = next(d.factor for p, d, _, _ in members if p.unit == unit)
    display = "%" if dim_key in ("growth", "rate") or dim_key.startswith("share:") else unit
    if display == "%":
        unit_factor = 1.0
    kind = dim_key.split(":", 1)[0]
    points = []
    for point, dim, _doc, _order in sorted(members, key=lambda m: (m[0].year, _doc_order(m[2]), m[3])):
        scale = dim.factor / unit_factor
        point.value = _round(point.value * scale * dim.sign)
        if point.value_max is not None:
            point.value_max = _round(point.value_max * scale * dim.sign)
            if point.value_max < point.value:  # a signed range keeps low ≤ high
                point.value, point.value_max = point.value_max, point.value
        point.unit = display
        points.append(point)
    return Series(
        id=series_id(region, name, dim_key),
        name=name,
        dimension=dim_key,
        label=LABELS.get(kind, ""),
        unit=display,
        region=region,
        lower=lower,
        points=points,
    )


def _rank(series: Series) -> tuple[Any, ...]:
    summary = series.summary()
    return (
        -min(1, summary["conflicts"]),
        -summary["missed"],
        -len(series.attainment),
        -summary["documents"],
        -summary["points"],
        series.region,
        series.name,
        series.dimension,
    )


# ------------------------------------------------------------------------------------------------ attainment


def _written(point: Point) -> str:
    return written_amount(point.value, point.value_max, point.unit)


def judge(target: Point, result: float, *, lower: bool = False, tolerance: float = 0.05) -> tuple[bool, str]:
    """Whether ``result`` meets ``target`` (module docstring), and the rule applied, in Chinese."""
    qualifier = target.qualifier
    words = qualifier + " " + fold(target.mention)
    low = target.value
    high = target.value_max if target.value_max is not None else target.value
    decrease = high < 0 and (target.unit == "%" or target.unit.endswith("百分点"))  # "下降3%以上": at most −3
    ceiling = bool(_CEILING_WORDS.search(words)) or decrease or (lower and not _FLOOR_WORDS.search(qualifier))
    approx = bool(_APPROX_WORDS.search(qualifier)) and target.value_max is None
    written = _written(target)
    eps = 1e-9 * max(1.0, abs(low), abs(high))
    if ceiling:
        bound = high + (tolerance * abs(high) if approx else 0.0)
        met = result <= bound + eps
        how = f"不高于{plain_number(_round(bound))}{target.unit}"
    else:
        bound = low - (tolerance * abs(low) if approx else 0.0)
        met = result >= bound - eps
        how = f"不低于{plain_number(_round(bound))}{target.unit}"
    if approx:
        rule = f"目标{written}左右：结果{how}即完成（容差{plain_number(tolerance * 100)}%）"
    elif target.value_max is not None:
        rule = f"目标{written}（区间）：结果{how}即完成"
    else:
        rule = f"目标{written}：结果{how}即完成"
    return met, rule


def _not_comparable(target: Point) -> str:
    """Why a target cannot be judged against one year's result ("" when it can)."""
    words = target.qualifier + " " + fold(target.mention)
    if _AVERAGE_WORDS.search(words):
        return "年均目标与单一年份的结果不可比"
    if "累计" in target.qualifier and _INCREMENT_WORDS.search(words):
        return "累计新增目标与单一年份的结果不可比"
    return ""


def _first_results(series: Series | None) -> dict[int, Point]:
    """The result of each year: the one of the earliest document (points are sorted that way)."""
    out: dict[int, Point] = {}
    for point in series.results() if series is not None else []:
        out.setdefault(point.year, point)
    return out


def _derived(year: int, value: float, unit: str, sources: list[Point], mention: str) -> Point:
    last = sources[-1]
    return Point(year, "result", _round(value), unit, "推算", last.doc_id, last.item_id, None, mention)


def attainment(series: Series, tolerance: float = 0.05, sibling: Series | None = None) -> list[Attainment]:
    """One judgement per year and distinct target value that has a result.

    ``sibling`` is the other basis of the same indicator and unit: the level series of an increment series, or
    the increment series of a level series. A year without a result of its own is then judged on a derived one
    (increment = this year's level − last year's; level = last year's level + this year's increment) when both
    parts exist in the series' unit, else marked not comparable against the other basis' result.
    """
    own = _first_results(series)
    other = _first_results(sibling) if sibling is not None and sibling.unit == series.unit else {}
    increment = series.dimension.startswith("increment:")
    out: list[Attainment] = []
    seen: set[tuple[int, float, float | None, str]] = set()
    for target in series.targets():
        year = target.year
        key = (year, target.value, target.value_max, target.qualifier)
        if key in seen:
            continue
        result, derived, reason = own.get(year), [], ""
        if result is None and year in other:
            if increment and year - 1 in other:
                before, now = other[year - 1], other[year]
                mention = f"{before.year}年{_written(before)} → {now.year}年{_written(now)}"
                result = _derived(year, now.value - before.value, series.unit, [before, now], mention)
                derived = [before.item_id, now.item_id]
            elif not increment and year - 1 in own:
                before, added = own[year - 1], other[year]
                mention = f"{before.year}年{_written(before)} + {added.year}年新增{_written(added)}"
                result = _derived(year, before.value + added.value, series.unit, [before, added], mention)
                derived = [before.item_id, added.item_id]
            else:
                result = other[year]
                reason = (
                    "新增目标与总量结果不可比（缺少上年总量）"
                    if increment
                    else "总量目标与新增结果不可比（缺少上年总量）"
                )
        if result is None:
            continue
        seen.add(key)
        reason = reason or _not_comparable(target)
        if reason:
            out.append(Attainment(year, target, result, None, reason, derived))
            continue
        met, rule = judge(target, result.value, lower=series.lower, tolerance=tolerance)
        if derived:
            rule += "（结果为当年与上年总量之差）" if increment else "（结果为上年总量加当年新增）"
        out.append(Attainment(year, target, result, met, rule, derived))
    return out


def conflicts(series: Series) -> list[Conflict]:
    """Years whose targets differ between at least two documents, with every source."""
    by_year: dict[int, list[Point]] = defaultdict(list)
    for point in series.targets():
        by_year[point.year].append(point)
    out = []
    for year, points in sorted(by_year.items()):
        docs = {p.doc_id for p in points}
        values = {(p.value, p.value_max) for p in points}
        if len(docs) < 2 or len(values) < 2:
            continue
        out.append(
            Conflict(
                year=year,
                values=sorted({p.value for p in points}),
                item_ids=[p.item_id for p in points],
                doc_ids=sorted(docs),
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ (de)serialise


def indicators_to_dict(indicators: Indicators) -> dict[str, Any]:
    return {
        "config": indicators.config_digest,
        "error": indicators.error,
        "stats": indicators.stats,
        "series": [asdict(s) for s in indicators.series],
    }


def _point(data: Mapping[str, Any]) -> Point:
    return Point(**data)


def series_from_dict(data: Mapping[str, Any]) -> Series:
    fields = dict(data)
    fields["points"] = [_point(p) for p in data.get("points", [])]
    fields["attainment"] = [
        Attainment(**{**a, "target": _point(a["target"]), "result": _point(a["result"])})
        for a in data.get("attainment", [])
    ]
    fields["conflicts"] = [Conflict(**c) for c in data.get("conflicts", [])]
    return Series(**fields)


def indicators_from_dict(data: Mapping[str, Any]) -> Indicators:
    return Indicators(
        series=[series_from_dict(s) for s in data.get("series", [])],
        stats=dict(data.get("stats", {})),
        config_digest=str(data.get("config", "")),
        error=str(data.get("error", "")),
    )
