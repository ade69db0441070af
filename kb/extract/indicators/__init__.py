"""Indicator series across documents and years: grouping, attainment, conflicts. Pure (no I/O but the loader).

``build_indicators(documents, targets, config, units)`` turns every target (``kind="target"``) and past result
(``kind="result"``) of the knowledge base into **series**, one per region, indicator and dimension (aspect and base unit), then judges
each year that has both a target and a result and flags years where documents disagree. The rules:

**Region** (``region_of``): the innermost administrative unit named at the start of the issuing agency
("呼伦贝尔市海拉尔区人民政府" → 海拉尔区, "十堰市科学技术局" → 十堰市; zones such as 高新区 are not regions of their
own), else a national body (国务院, 全国人民代表大会, 国家…, …部 → 全国), else the same read from the start of the
title ("2012年海拉尔区政府工作报告" → 海拉尔区). A document with no region makes no series.

**Indicator** (``concept_of``): the target's indicator, folded, with the configured scope prefixes and reporting
suffixes removed ("全区地区生产总值" → 地区生产总值), looked up exactly among the terms of ``indicators.toml``; an
unknown name is its own indicator, a vague one ("投资", "比重") none. An indicator left empty ("同比增长21%")
takes the one of the previous target in the same sentence. "A占B比重" is A's share of B.

**Dimension** (``dimension_of``: its aspect and base unit): a percentage is a growth rate (增速) when the mention says 增长/下降/增速/涨幅…,
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
* approximate (X左右、X上下、约X): the bound moves by the unit table's tolerance × |X| (``units.txt`` ``@tolerance``, 5 %): "增长7%左右" is met from 6.65%;
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

from kb.extract.indicators.attainment import attainment, conflicts, judge
from kb.extract.indicators.concepts import (
    LABELS,
    Concept,
    Dimension,
    concept_of,
    dimension_of,
    is_empty_indicator,
)
from kb.extract.indicators.config import (
    NATIONAL,
    IndicatorConcept,
    IndicatorConfig,
    load_indicator_config,
    parse_indicator_config,
)
from kb.extract.indicators.model import (
    Attainment,
    Conflict,
    Indicators,
    Point,
    Series,
    indicators_from_dict,
    indicators_to_dict,
    series_from_dict,
)
from kb.extract.indicators.regions import region_of
from kb.extract.indicators.series import build_indicators, series_key_of
from kb.text.units import split_unit

__all__ = [
    "LABELS",
    "NATIONAL",
    "Attainment",
    "Concept",
    "Conflict",
    "Dimension",
    "IndicatorConcept",
    "IndicatorConfig",
    "Indicators",
    "Point",
    "Series",
    "attainment",
    "build_indicators",
    "concept_of",
    "conflicts",
    "dimension_of",
    "indicators_from_dict",
    "indicators_to_dict",
    "is_empty_indicator",
    "judge",
    "load_indicator_config",
    "parse_indicator_config",
    "region_of",
    "series_from_dict",
    "series_key_of",
    "split_unit",
]
