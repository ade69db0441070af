"""Indicator series: regions, indicator names, unit kinds, grouping, attainment rules, conflicts; the build step,
the KnowledgeBase accessors, ``policykb indicators``, the site pages; end to end on the Hailar and national
government work reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, SEED, corpus_missing

from kb.build import build
from kb.cli import main
from kb.config import CONFIG_FILES, config_file
from kb.extract.indicators import (
    NATIONAL,
    IndicatorConfig,
    Point,
    build_indicators,
    concept_of,
    indicators_from_dict,
    indicators_to_dict,
    judge,
    load_indicator_config,
    parse_indicator_config,
    region_of,
    split_unit,
)
from kb.ids import is_series_id, type_of
from kb.model import Document, Quantity
from kb.store.knowledge import KnowledgeBase
from kb.text.units import load_units

CONFIG = load_indicator_config()
UNITS = load_units()
SEED_ID = "000_3ccc218f3f77786b"
HAILAR = CORPUS / "gwr_county_hailar"
NATIONAL_DIR = CORPUS / "gwr_national"


# ------------------------------------------------------------------------------------------------ helpers


def doc(doc_id: str, agency: str, year: int | str, title: str = "") -> Document:
    return Document(id=doc_id, title=title or f"{doc_id} 文件", text="", agency=agency, date=str(year))


_counter = {"n": 0}


def target(
    doc_id: str,
    indicator: str,
    value: float,
    unit: str,
    qualifier: str = "",
    *,
    mention: str = "",
    kind: str = "target",
    year: int | None = None,
    deadline: int | None = None,
    value_max: float | None = None,
    span: tuple[int, int] | None = None,
) -> Quantity:
    """A target (or result) as the extractor makes them; the mention defaults to indicator + qualifier + value."""
    _counter["n"] += 1
    n = _counter["n"]
    return Quantity(
        id=f"{doc_id}.t0-{n}",
        doc_id=doc_id,
        clause_id="",
        indicator=indicator,
        value=value,
        unit=unit,
        qualifier=qualifier,
        deadline=deadline,
        value_max=value_max,
        mention=mention or f"{indicator}{qualifier}{value:g}{unit}",
        span=span or (n * 100, n * 100 + 50),
        kind=kind,
        year=year,
    )


def result(doc_id: str, indicator: str, value: float, unit: str, year: int, **kw) -> Quantity:
    return target(doc_id, indicator, value, unit, kind="result", year=year, **kw)


def series_of(indicators, region: str, name: str, dimension: str):
    found = [s for s in indicators.series if (s.region, s.name, s.dimension) == (region, name, dimension)]
    assert len(found) == 1, [(s.region, s.name, s.dimension) for s in indicators.series]
    return found[0]


def point(
    value: float, qualifier: str = "", unit: str = "%", value_max: float | None = None, mention: str = ""
):
    return Point(2019, "target", value, unit, qualifier, "d", "d.t0-1", value_max, mention)


# ------------------------------------------------------------------------------------------------ regions


@pytest.mark.parametrize(
    ("agency", "title", "region"),
    [
        ("呼伦贝尔市海拉尔区人民政府", "2015年海拉尔区政府工作报告", "海拉尔区"),
        ("十堰市科学技术局", "十堰市2019年科技创新工作要点", "十堰市"),
        ("国务院", "2025年中华人民共和国国务院政府工作报告", NATIONAL),
        ("国务院办公厅、中央军委办公厅", "", NATIONAL),
        ("全国人民代表大会", "第十三届全国人民代表大会第二次会议关于政府工作报告的决议", NATIONAL),
        ("公安部", "", NATIONAL),
        ("市场监督管理总局", "", NATIONAL),
        ("杭州市人民代表大会常务委员会", "", "杭州市"),
        ("贵州省人民政府", "", "贵州省"),
        ("广西壮族自治区人民政府", "", "广西壮族自治区"),
        ("景宁畲族自治县人民代表大会", "", "景宁畲族自治县"),
        ("江西省市场监督管理局", "", "江西省"),
        ("十堰市高新区管委会", "", "十堰市"),
        ("中共十堰市委办公室", "", "十堰市"),
        ("", "2012年海拉尔区政府工作报告", "海拉尔区"),
        ("", "十堰市2019年科技创新工作要点", "十堰市"),
        ("", "中华人民共和国个人所得税法", NATIONAL),
        ("", "关于印发十堰市科技创新三年行动方案的通知", ""),
        ("", "推动全市高质量发展的若干措施", ""),
        ("", "", ""),
    ],
)
def test_region_from_agency_else_title(agency: str, title: str, region: str) -> None:
    assert region_of(agency, title, CONFIG) == region


def test_region_aliases_rename() -> None:
    config = parse_indicator_config({"regions": {"aliases": {"襄樊市": "襄阳市"}}})
    assert region_of("襄樊市人民政府", "", config) == "襄阳市"


# ------------------------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("indicator", "name"),
    [
        ("地区生产总值", "地区生产总值"),
        ("全区地区生产总值", "地区生产总值"),
        ("生产总值", "地区生产总值"),
        ("ＧＤＰ", "地区生产总值"),
        ("国内生产总值比上年", "地区生产总值"),
        ("经济增长预期目标", "地区生产总值"),
        ("高企", "高新技术企业"),
        ("高新技术企业", "高新技术企业"),
        ("区本级固定资产投资", "固定资产投资"),
        ("农民人均纯收入", "农村居民人均可支配收入"),
        ("一般公共财政预算收入按可比口径", "一般公共预算收入"),
        ("旅游收入", "旅游收入"),  # configured
        ("蔬菜产量", "蔬菜产量"),  # not configured: its own indicator
        ("人均地区生产总值", "人均地区生产总值"),  # not GDP: the longest name is not a substring match
        ("工业生产总值", "工业生产总值"),
    ],
)
def test_indicator_names_map_to_concepts(indicator: str, name: str) -> None:
    concept = concept_of(indicator, CONFIG)
    assert concept is not None and concept.name == name


@pytest.mark.parametrize("indicator", ["同比", "按可比价格计算", "投资", "比重", "6月底前要全面", "x"])
def test_empty_or_vague_indicators_name_nothing(indicator: str) -> None:
    assert concept_of(indicator, CONFIG) is None


def test_growth_suffix_and_share_are_read_from_the_name() -> None:
    cpi = concept_of("居民消费价格涨幅", CONFIG)
    assert cpi is not None and cpi.name == "居民消费价格" and cpi.growth and cpi.lower
    share = concept_of("研究与试验发展经费支出占国内生产总值比重", CONFIG)
    assert share is not None and (share.name, share.share_of) == ("研发经费投入", "地区生产总值")


def test_units_split_into_base_and_scale() -> None:
    assert split_unit("亿元", UNITS) == ("元", 1e8)
    assert split_unit("万亿元", UNITS) == ("元", 1e12)
    assert split_unit("万千瓦", UNITS) == ("千瓦", 1e4)
    assert split_unit("千瓦", UNITS) == ("千瓦", 1.0)
    assert split_unit("家", UNITS) == ("家", 1.0)
    assert split_unit("‰", UNITS) == ("%", 0.1)
    assert split_unit("亿公斤", UNITS) == ("吨", 1e5) and split_unit("亿吨", UNITS) == ("吨", 1e8)


# ------------------------------------------------------------------------------------------------ grouping


def test_level_and_growth_are_two_series_of_one_indicator_per_region() -> None:
    docs = [doc("h2015", "呼伦贝尔市海拉尔区人民政府", 2015), doc("s2015", "十堰市人民政府", 2015)]
    targets = [
        target("h2015", "地区生产总值", 8, "%", "增长", mention="地区生产总值增长8%"),
        target("h2015", "地区生产总值", 296, "亿元", "达到", mention="达到296亿元"),
        target("s2015", "生产总值", 9, "%", "增长", mention="生产总值增长9%"),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    growth = series_of(ind, "海拉尔区", "地区生产总值", "growth")
    level = series_of(ind, "海拉尔区", "地区生产总值", "level:元")
    other = series_of(ind, "十堰市", "地区生产总值", "growth")
    assert [(p.year, p.value, p.unit) for p in growth.points] == [(2015, 8.0, "%")]
    assert [(p.year, p.value, p.unit) for p in level.points] == [(2015, 296.0, "亿元")]
    assert growth.title == "海拉尔区 · 地区生产总值 · 增速（%）"
    assert level.title == "海拉尔区 · 地区生产总值（亿元）"
    assert other.points[0].doc_id == "s2015"
    assert len({growth.id, level.id, other.id}) == 3 and all(is_series_id(s.id) for s in ind.series)
    assert type_of(growth.id) is None  # not a document, clause, measure or target id


def test_amounts_convert_to_the_series_unit() -> None:
    docs = [
        doc("a", "海拉尔区人民政府", 2016),
        doc("b", "海拉尔区人民政府", 2017),
        doc("c", "海拉尔区人民政府", 2018),
    ]
    targets = [
        target("a", "旅游收入", 83, "亿元", "达到"),
        target("b", "旅游收入", 900000, "万元", "达到"),
        target("c", "旅游收入", 95, "亿元", "达到"),
    ]
    series = series_of(build_indicators(docs, targets, CONFIG, UNITS), "海拉尔区", "旅游收入", "level:元")
    assert series.unit == "亿元"
    assert [(p.year, p.value) for p in series.points] == [(2016, 83.0), (2017, 90.0), (2018, 95.0)]


def test_year_is_the_deadline_else_the_document_year_and_results_carry_theirs() -> None:
    docs = [doc("p", "十堰市人民政府", "2019-03-01"), doc("r", "十堰市人民政府", "2021-02-01")]
    targets = [
        target("p", "高新技术企业", 300, "家", "达到", deadline=2020),
        target("p", "高新技术企业", 250, "家", "达到"),
        result("r", "高新技术企业", 310, "家", 2020, qualifier="达到"),
    ]
    series = series_of(build_indicators(docs, targets, CONFIG, UNITS), "十堰市", "高新技术企业", "level:家")
    assert [(p.year, p.kind, p.value) for p in series.points] == [
        (2019, "target", 250.0),
        (2020, "target", 300.0),
        (2020, "result", 310.0),
    ]


def test_empty_indicator_takes_the_previous_one_of_its_sentence_only() -> None:
    docs = [doc("h2012", "呼伦贝尔市海拉尔区人民政府", 2012)]
    sentence = (10, 60)
    targets = [
        target(
            "h2012", "地区生产总值", 240, "亿元", "达到", span=sentence, mention="地区生产总值达到240亿元"
        ),
        target("h2012", "同比", 21, "%", "增长", span=sentence, mention="同比增长21%"),
        target("h2012", "同比", 5, "%", "增长", span=(70, 90), mention="同比增长5%"),  # another sentence
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    growth = series_of(ind, "海拉尔区", "地区生产总值", "growth")
    assert [p.value for p in growth.points] == [21.0]
    assert ind.stats["skipped_no_indicator"] == 1


def test_decrease_is_negative_growth_and_share_is_its_own_series() -> None:
    docs = [doc("n2019", "国务院", 2019)]
    targets = [
        target(
            "n2019", "单位国内生产总值能耗", 3, "%", "下降、左右", mention="单位国内生产总值能耗下降3%左右"
        ),
        target("n2019", "单位国内生产总值能耗", 4, "%", "左右", mention="单位国内生产总值能耗降低4%左右"),
        target("n2019", "研究与试验发展经费支出占国内生产总值比重", 2.2, "%", "达到"),
        target("n2019", "城镇登记失业率", 4.5, "%", "控制在、以内", mention="城镇登记失业率控制在4.5%以内"),
        target("n2019", "城镇登记失业率", 0.5, "个百分点", "", mention="城镇登记失业率下降0.5个百分点"),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    energy = series_of(ind, NATIONAL, "单位国内生产总值能耗", "growth")  # the national name
    assert [p.value for p in energy.points] == [-3.0, -4.0]
    share = series_of(ind, NATIONAL, "研发经费投入", "share:地区生产总值")
    assert share.title == "全国 · 研发经费投入占地区生产总值比重（%）"
    assert series_of(ind, NATIONAL, "城镇登记失业率", "rate").points[0].value == 4.5
    assert series_of(ind, NATIONAL, "城镇登记失业率", "points").points[0].value == -0.5


def test_documents_without_region_make_no_series() -> None:
    docs = [doc("x", "", 2019, title="推动全市高质量发展的若干措施")]
    ind = build_indicators(docs, [target("x", "地区生产总值", 7, "%", "增长")], CONFIG, UNITS)
    assert ind.series == [] and ind.stats["skipped_no_region"] == 1


# ------------------------------------------------------------------------------------------------ attainment rules


@pytest.mark.parametrize(
    ("target_point", "result_value", "met"),
    [
        (point(8, "增长"), 8.0, True),  # a bare growth target is a floor
        (point(8, "增长"), 7.9, False),
        (point(6, "增长、以上"), 6.1, True),
        (point(6, "增长、以上"), 5.99, False),
        (point(7, "增长、左右"), 6.65, True),  # 左右: 5 % tolerance
        (point(7, "增长、左右"), 6.6, False),
        (point(7, "增长、左右"), 9.0, True),  # exceeding a floor is met
        (point(4.6, "控制在、以内"), 4.6, True),  # ceilings
        (point(4.6, "控制在、以内"), 4.7, False),
        (point(-3, "下降、以上"), -3.5, True),  # "下降3%以上": at least 3 down
        (point(-3, "下降、以上"), -2.0, False),
        (point(-4, "左右", mention="能耗降低4%左右"), -3.85, True),
        (point(-4, "左右", mention="能耗降低4%左右"), -3.7, False),
        (point(6, "增长", value_max=6.5), 6.1, True),  # a range: its lower bound
        (point(6, "增长", value_max=6.5), 5.9, False),
        (point(42, "净增", unit="家"), 45, True),
        (point(42, "净增", unit="家"), 30, False),
        (point(282, "达到", unit="亿元"), 274.4, False),
        (point(500, "突破", unit="万人次"), 525.6, True),
        (point(900, "新增、不低于", unit="万人", mention="城镇新增就业人数不低于900万人"), 1100, True),
        (point(5000, "", unit="万吨", mention="压减粗钢产能5000万吨"), 6500, True),  # a cut by an amount
        (point(3, "", unit="天", mention="审批时限缩短到3天"), 5, False),  # a level to stay under
        (point(-0.5, "", unit="个百分点", mention="下降0.5个百分点"), -0.6, True),
    ],
)
def test_attainment_rules(target_point: Point, result_value: float, met: bool) -> None:
    assert judge(target_point, result_value, tolerance=0.05)[0] is met


def test_lower_is_better_makes_a_bare_value_a_ceiling_and_the_rule_is_stated() -> None:
    assert judge(point(3, "左右", mention="居民消费价格涨幅3%左右"), 2.0, lower=True)[0] is True
    assert judge(point(3, "左右", mention="居民消费价格涨幅3%左右"), 3.2, lower=True)[0] is False
    met, rule = judge(point(7, "增长、左右"), 6.9)
    assert met and rule == "目标7%左右：结果不低于6.65%即完成（容差5%）"


def test_attainment_links_both_sources_and_takes_the_first_report_of_a_result() -> None:
    agency = "呼伦贝尔市海拉尔区人民政府"
    docs = [
        doc("r2014", agency, "2014-02-20"),
        doc("r2015", agency, "2015-02-05"),
        doc("r2019", agency, 2019),
    ]
    targets = [
        target("r2014", "地区生产总值", 11, "%", "增长", mention="地区生产总值增长11%"),
        result("r2015", "地区生产总值", 9.1, "%", 2014, qualifier="增长", mention="同比增长9.1%"),
        result(
            "r2019", "地区生产总值", 9.3, "%", 2014, qualifier="增长", mention="增长9.3%"
        ),  # restated later
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    (judged,) = series_of(ind, "海拉尔区", "地区生产总值", "growth").attainment
    assert (judged.year, judged.attained) == (2014, False)
    assert (judged.target.doc_id, judged.result.doc_id) == ("r2014", "r2015")
    assert judged.target.item_id.startswith("r2014.") and judged.result.item_id.startswith("r2015.")


def test_average_results_are_left_out() -> None:
    docs = [doc("r2016", "海拉尔区人民政府", 2016)]
    targets = [
        result("r2016", "地区生产总值", 12.1, "%", 2015, qualifier="年均、增长", mention="年均增长12.1%"),
        result("r2016", "地区生产总值", 8.9, "%", 2015, qualifier="增长", mention="同比增长8.9%"),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    assert [p.value for p in series_of(ind, "海拉尔区", "地区生产总值", "growth").points] == [8.9]
    assert ind.stats["skipped_average_result"] == 1


def test_yearly_average_target_is_not_comparable() -> None:
    docs = [doc("plan", "国务院", 2016), doc("r", "国务院", 2021)]
    targets = [
        target(
            "plan", "国内生产总值", 6.5, "%", "年均、增长", deadline=2020, mention="国内生产总值年均增长6.5%"
        ),
        result("r", "国内生产总值", 2.3, "%", 2020, qualifier="增长"),
    ]
    (judged,) = series_of(
        build_indicators(docs, targets, CONFIG, UNITS), NATIONAL, "国内生产总值", "growth"
    ).attainment
    assert judged.attained is None and "年均" in judged.rule


def test_net_increase_target_against_levels_reported_two_years_running() -> None:
    docs = [
        doc("plan", "十堰市科学技术局", 2019),
        doc("r19", "十堰市人民政府", 2019),
        doc("r20", "十堰市人民政府", 2020),
    ]
    targets = [
        target("plan", "高新技术企业", 42, "家", "净增", mention="净增高新技术企业42家"),
        result("r19", "高新技术企业", 116, "家", 2018, qualifier="达到", mention="高新技术企业达到116家"),
        result("r20", "高新技术企业", 158, "家", 2019, qualifier="达到", mention="高新技术企业达到158家"),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    (judged,) = series_of(ind, "十堰市", "高新技术企业", "increment:家").attainment
    assert judged.attained is True and judged.result.value == 42.0
    assert judged.derived_from == [targets[1].id, targets[2].id]
    assert "上年总量之差" in judged.rule


def test_net_increase_without_last_years_level_is_not_comparable() -> None:
    docs = [doc("plan", "十堰市科学技术局", 2019), doc("r20", "十堰市人民政府", 2020)]
    targets = [
        target("plan", "高新技术企业", 42, "家", "净增"),
        result("r20", "高新技术企业", 158, "家", 2019, qualifier="达到"),
    ]
    (judged,) = series_of(
        build_indicators(docs, targets, CONFIG, UNITS), "十堰市", "高新技术企业", "increment:家"
    ).attainment
    assert judged.attained is None and judged.result.item_id == targets[1].id


def test_years_without_a_result_are_not_judged() -> None:
    docs = [doc("a", "国务院", 2024), doc("b", "国务院", 2025)]
    targets = [
        target("a", "国内生产总值", 5, "%", "增长、左右"),
        target("b", "国内生产总值", 5, "%", "增长、左右"),
    ]
    assert (
        series_of(
            build_indicators(docs, targets, CONFIG, UNITS), NATIONAL, "国内生产总值", "growth"
        ).attainment
        == []
    )


# ------------------------------------------------------------------------------------------------ conflicts


def test_conflict_needs_two_documents_with_different_values_for_one_region_and_year() -> None:
    docs = [
        doc("plan", "十堰市科学技术局", 2019),
        doc("other", "十堰市人民政府", 2019),
        doc("same", "十堰市发展和改革委员会", 2019),
        doc("elsewhere", "襄阳市人民政府", 2019),
    ]
    targets = [
        target("plan", "高新技术企业", 42, "家", "净增", mention="净增高新技术企业42家"),
        target("other", "高新技术企业", 30, "家", "新增", mention="新增高新技术企业30家"),
        target("same", "高企", 42, "家", "新增", mention="新增高企42家"),
        target("elsewhere", "高新技术企业", 50, "家", "新增", mention="新增高新技术企业50家"),
        target("plan", "科技型中小企业", 100, "家", "新增"),
        target("plan", "科技型中小企业", 120, "家", "新增"),  # one document: not a conflict
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    shiyan = series_of(ind, "十堰市", "高新技术企业", "increment:家")
    (conflict,) = shiyan.conflicts
    assert conflict.year == 2019 and conflict.values == [30.0, 42.0]
    assert set(conflict.item_ids) == {targets[0].id, targets[1].id, targets[2].id}
    assert conflict.doc_ids == ["other", "plan", "same"]
    assert series_of(ind, "襄阳市", "高新技术企业", "increment:家").conflicts == []
    assert series_of(ind, "十堰市", "科技型中小企业", "increment:家").conflicts == []
    assert ind.series[0] is shiyan  # conflicts first


def test_same_value_in_two_documents_is_no_conflict() -> None:
    docs = [doc("report", "国务院", 2019), doc("resolution", "全国人民代表大会", 2019)]
    targets = [target(d, "国内生产总值", 6, "%", "增长", value_max=6.5) for d in ("report", "resolution")]
    assert (
        series_of(
            build_indicators(docs, targets, CONFIG, UNITS), NATIONAL, "国内生产总值", "growth"
        ).conflicts
        == []
    )


def test_misses_rank_before_met_and_serialisation_round_trips() -> None:
    agency = "呼伦贝尔市海拉尔区人民政府"
    docs = [doc(f"r{y}", agency, y) for y in (2016, 2017)]
    targets = [
        target("r2016", "旅游收入", 83, "亿元", "达到"),
        result("r2017", "旅游收入", 80, "亿元", 2016),
        target("r2016", "旅游接待人数", 700, "万人次", "达到"),
        result("r2017", "旅游接待人数", 720, "万人次", 2016),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    assert [s.name for s in ind.series] == ["旅游收入", "旅游接待人数"]
    back = indicators_from_dict(json.loads(json.dumps(indicators_to_dict(ind))))
    assert back.series == ind.series and back.stats == ind.stats


# ------------------------------------------------------------------------------------------------ configuration


def test_packaged_table_loads_and_a_bureau_copy_replaces_it(tmp_path: Path) -> None:
    assert "地区生产总值" in {c.name for c in CONFIG.concepts}
    custom = tmp_path / "indicators.toml"
    custom.write_text('[[indicator]]\nname = "创新平台"\nterms = ["众创空间", "孵化器"]\n', encoding="utf-8")
    assert config_file("indicators.toml", tmp_path) == custom
    config = load_indicator_config(config_file("indicators.toml", tmp_path))
    assert concept_of("孵化器", config).name == "创新平台"  # type: ignore[union-attr]
    assert concept_of("生产总值", config).name == "生产总值"  # type: ignore[union-attr]  # no longer mapped
    assert "indicators.toml" in CONFIG_FILES


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[indicator]]\nname = "A"\nterms = ["高企"]\n[[indicator]]\nname = "B"\nterms = ["高企"]\n',
            "同时属于",
        ),
        ('[[indicator]]\nterms = ["高企"]\n', "缺少 name"),
        ('[[indicator]]\nname = "A"\nterms = ["高"]\n', "至少两个字"),
        ("approx_tolerance = 2\n", "approx_tolerance"),
        ("prefixes = 3\n", "prefixes"),
        ("[[indicator]\n", "无法读取"),
    ],
)
def test_bad_tables_are_refused_in_chinese(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_indicator_config(path)


def test_default_config_is_usable_without_a_file() -> None:
    config = IndicatorConfig()  # no table: indicators are named as written, regions read from the agency
    assert region_of("国务院", "", config) == NATIONAL
    assert region_of("十堰市人民政府", "", config) == "十堰市"
    assert region_of("", "关于印发实施方案的通知", config) == ""
    concept = concept_of("地区生产总值", config)
    assert concept is not None and (concept.name, concept.growth) == ("地区生产总值", False)


# ------------------------------------------------------------------------------------------------ build, KB, CLI, site

CONFLICTING_PLAN = """十堰市加快高新技术产业发展行动方案

发文日期
2019年03月01日 00:00:00
发布机构
十堰市人民政府
文号
十政发〔2019〕3号

一、主要目标

2019年，全市新增高新技术企业30家，高新技术产业增加值达到330亿元。

二、主要措施

（一）加大高新技术企业培育力度。建立高新技术企业后备库，组织开展政策宣讲。
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plan (净增高新技术企业42家) and another 十堰市 plan (新增30家) for the same year."""
    root = tmp_path_factory.mktemp("indicators")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    (docs / "shiyan_plan.txt").write_text(CONFLICTING_PLAN, encoding="utf-8")
    report = build([docs], root / "index", procs=1, quiet=True)
    assert report.published and "indicators" in report.phases
    return root / "index"


def hitech(kb: KnowledgeBase):
    return next(s for s in kb.indicator_series(region="十堰市") if s.name == "高新技术企业")


def test_build_writes_the_series_and_the_kb_reads_them(index: Path) -> None:
    kb = KnowledgeBase.open(index)
    assert (kb.generation / "indicators.json").is_file()
    series = hitech(kb)
    assert series.dimension == "increment:家"
    assert sorted(p.value for p in series.points) == [30.0, 42.0]
    (conflict,) = series.conflicts
    assert set(conflict.doc_ids) == {SEED_ID, "shiyan_plan"}
    assert kb.indicator(series.id) is series
    seed_target = next(p.item_id for p in series.points if p.doc_id == SEED_ID)
    assert kb.target(seed_target).mention == "净增高新技术企业42家"  # type: ignore[union-attr]
    assert kb.indicator_of(seed_target) is series
    assert ("十堰市", len(kb.indicator_series(region="十堰市"))) in kb.indicator_regions()
    assert kb.indicator_status()["error"] == ""
    assert kb.indicator("ind.000000000000") is None and kb.indicator_of("nope") is None


def test_cli_lists_series_as_json_and_as_a_table(index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--index", str(index), "--region", "十堰市", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data and {s["region"] for s in data} == {"十堰市"}
    first = data[0]  # conflicts first
    assert set(first) >= {"id", "name", "unit", "region", "points", "attainment", "conflicts"}
    assert first["name"] == "高新技术企业" and first["unit"] == "家"
    assert set(first["points"][0]) >= {"year", "kind", "value", "unit", "qualifier", "doc_id", "item_id"}
    assert first["conflicts"][0]["values"] == [30.0, 42.0] and len(first["conflicts"][0]["item_ids"]) == 2
    assert main(["indicators", "--index", str(index), "--region", "海拉尔区", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["indicators", "--index", str(index), "--compared"]) == 0
    out = capsys.readouterr().out
    assert (
        "高新技术企业 · 新增（家）" in out
        and "高新技术产业增加值（亿元）" in out
        and "共 2 个指标序列" in out
    )


def test_cli_says_when_the_index_predates_indicator_series(tmp_path: Path, index: Path, capsys) -> None:
    old = tmp_path / "index"
    shutil.copytree(index, old, symlinks=True)
    kb = KnowledgeBase.open(old)
    (kb.generation / "indicators.json").unlink()
    assert main(["indicators", "--index", str(old)]) == 1
    assert "policykb build" in capsys.readouterr().err
    from web import create_app

    client = create_app({"INDEX_DIR": str(old), "TESTING": True}).test_client()
    listing = client.get("/indicators")
    assert listing.status_code == 200 and "尚未生成指标序列" in listing.get_data(as_text=True)
    assert client.get(f"/targets/{SEED_ID}.t2.1-2").status_code == 200  # target pages work without series


@pytest.fixture(scope="module")
def client(index: Path):
    from web import create_app

    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_list_page_puts_conflicts_first_and_filters(client) -> None:
    page = client.get("/indicators")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "高新技术企业 · 新增" in html and "冲突 1" in html
    api = client.get("/api/indicators").get_json()
    # Compared: series with points from both plans (高新技术产业增加值 330亿元 in both: no conflict).
    assert [s["name"] for s in api["series"]] == ["高新技术企业", "高新技术产业增加值"] and api["total"] == 2
    assert client.get("/api/indicators?show=all").get_json()["total"] > 1
    assert (
        client.get("/api/indicators?show=all&indicator=专利").get_json()["series"][0]["name"]
        == "发明专利申请量"
    )
    assert client.get("/api/indicators?region=十堰市").get_json()["filters"]["region"] == "十堰市"
    assert {r["name"] for r in api["regions"]} == {"十堰市"}


def test_list_page_refuses_bad_filters_in_chinese(client) -> None:
    bad = client.get("/indicators?show=everything")
    assert bad.status_code == 400 and "show" in bad.get_data(as_text=True)
    unknown = client.get("/indicators?region=火星")
    assert unknown.status_code == 400 and "火星" in unknown.get_data(as_text=True)
    assert client.get("/api/indicators?region=火星").status_code == 400


def test_series_page_has_chart_table_conflict_and_json_twin(client, index: Path) -> None:
    series = hitech(KnowledgeBase.open(index))
    page = client.get(f"/indicators/{series.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<svg class="chart-svg"' in html and html.count('<g class="mark-target conflict">') == 2
    assert "<script" not in html.split("<main", 1)[1]  # server-rendered: no script in the page body
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "<table" in html and "2019" in html and "净增高新技术企业42家" in html and "目标冲突" in html
    api = client.get(f"/api/indicators/{series.id}").get_json()
    assert api["id"] == series.id and len(api["points"]) == 2 and api["conflicts"][0]["year"] == 2019
    assert {d["id"] for d in api["documents"]} == {SEED_ID, "shiyan_plan"}


def test_series_page_missing_or_malformed_id_is_404(client) -> None:
    assert client.get("/indicators/ind.000000000000").status_code == 404
    assert client.get("/indicators/..%2Fetc").status_code == 404
    assert client.get("/api/indicators/not-a-series").status_code == 404


def test_target_page_links_to_its_series(client, index: Path) -> None:
    series = hitech(KnowledgeBase.open(index))
    seed_target = next(p.item_id for p in series.points if p.doc_id == SEED_ID)
    html = client.get(f"/targets/{seed_target}").get_data(as_text=True)
    assert f'href="/indicators/{series.id}"' in html
    assert client.get(f"/api/targets/{seed_target}").get_json()["series"]["id"] == series.id


def test_series_page_draws_judged_years(tmp_path: Path, index: Path) -> None:
    """Attainment on the page: results made with the data classes (the extractor of results is issue 12's)."""
    from web import create_app

    root = tmp_path / "index"
    shutil.copytree(index, root, symlinks=True)
    kb = KnowledgeBase.open(root)
    agency = "呼伦贝尔市海拉尔区人民政府"
    docs = [
        doc("a", agency, 2014, "2014年报告"),
        doc("b", agency, 2015, "2015年报告"),
        doc("c", agency, 2016, "2016年报告"),
    ]
    targets = [
        target("a", "地区生产总值", 11, "%", "增长"),
        result("b", "地区生产总值", 9.1, "%", 2014, qualifier="增长"),
        target("b", "地区生产总值", 8, "%", "增长"),
        result("c", "地区生产总值", 8.1, "%", 2015, qualifier="增长"),
    ]
    ind = build_indicators(docs, targets, CONFIG, UNITS)
    (kb.generation / "indicators.json").write_text(json.dumps(indicators_to_dict(ind)), encoding="utf-8")
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    series = series_of(ind, "海拉尔区", "地区生产总值", "growth")
    html = client.get(f"/indicators/{series.id}").get_data(as_text=True)
    assert '<g class="mark-result missed">' in html and '<g class="mark-result met">' in html
    assert 'class="line-result"' in html and 'class="line-target"' in html
    assert "未完成" in html and "目标11%：结果不低于11%即完成" in html
    listing = client.get("/api/indicators").get_json()
    assert listing["series"][0]["summary"]["missed"] == 1 and listing["series"][0]["summary"]["met"] == 1


# ------------------------------------------------------------------------------------------------ end to end


def _copy_reports(source: Path, dest: Path, titles: set[str] | None = None) -> Path:
    if not (source / "MANIFEST.jsonl").is_file():
        pytest.skip(corpus_missing(source))
    dest.mkdir(parents=True)
    rows = [json.loads(line) for line in (source / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()]
    kept = [r for r in rows if titles is None or r["title"] in titles]
    for row in kept:
        shutil.copy(source / row["file"], dest / row["file"])
    (dest / "MANIFEST.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8"
    )
    return dest


@pytest.fixture(scope="module")
def hailar(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("hailar")
    docs = _copy_reports(HAILAR, root / "gwr_county_hailar")
    report = build([docs], root / "index", procs=2, quiet=True)
    assert report.published and report.documents == 8
    return KnowledgeBase.open(root / "index")


@pytest.mark.corpus
def test_hailar_reports_give_yearly_gdp_targets(hailar: KnowledgeBase) -> None:
    growth = next(
        s for s in hailar.indicator_series("海拉尔区") if (s.name, s.dimension) == ("地区生产总值", "growth")
    )
    targets = {p.year: p.value for p in growth.targets()}
    # Each report's 主要预期目标: 2012 同比增长21% (indicator from its sentence), 2013 20%, … 2019 3.5%左右.
    assert targets == {2012: 21, 2013: 20, 2014: 11, 2015: 8, 2016: 7.5, 2017: 7.5, 2018: 6, 2019: 3.5}
    docs = {d.id: d for d in hailar.documents()}
    assert all(docs[p.doc_id].year == str(p.year) for p in growth.targets())
    level = next(
        s
        for s in hailar.indicator_series("海拉尔区")
        if (s.name, s.dimension) == ("地区生产总值", "level:元")
    )
    assert {p.year: p.value for p in level.targets()} == {
        2012: 240,
        2013: 282,
        2014: 282,
        2015: 296,
        2016: 309,
        2017: 326.4,
    }
    assert hailar.indicator_of(growth.points[0].item_id) is growth


@pytest.mark.corpus
def test_hailar_results_meet_last_years_targets(hailar: KnowledgeBase) -> None:
    growth = next(
        s for s in hailar.indicator_series("海拉尔区") if (s.name, s.dimension) == ("地区生产总值", "growth")
    )
    if not growth.results():
        pytest.skip(
            "no result extracted from the Hailar 工作回顾 sections: result extraction (Quantity.kind='result', "
            "issue 12) is not in this branch yet"
        )
    docs = {d.id: d for d in hailar.documents()}
    judged = {a.year: a for a in growth.attainment}
    # The 2013–2017 and 2019 reports state last year's growth (the 2018 report does not state 2017's).
    assert set(judged) >= {2012, 2013, 2014, 2015, 2016, 2018}
    for year, a in judged.items():
        assert docs[a.target.doc_id].year == str(year)
        assert docs[a.result.doc_id].year == str(year + 1)
        assert a.attained is not None
    # 2012: 增长21% against 同比增长18.5% in the 2013 report → missed; 2014: 11% against 9.1% → missed.
    assert (judged[2012].result.value, judged[2012].attained) == (18.5, False)
    assert (judged[2014].result.value, judged[2014].attained) == (9.1, False)
    # 2015: 增长8% against 同比增长8.9% (not the five-year 年均增长12.1% of the same review) → met.
    assert (judged[2015].result.value, judged[2015].attained) == (8.9, True)
    # 2018: 增长6%左右 against 同比增长6.0% in the 2019 report → met.
    assert (judged[2018].result.value, judged[2018].attained) == (6.0, True)


NATIONAL_TITLES = {f"{y}年中华人民共和国国务院政府工作报告" for y in range(2013, 2018)}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("national")
    docs = _copy_reports(NATIONAL_DIR, root / "gwr_national", NATIONAL_TITLES)
    report = build([docs], root / "index", procs=2, quiet=True)
    assert report.published and report.documents == len(NATIONAL_TITLES)
    return KnowledgeBase.open(root / "index")


@pytest.mark.corpus
def test_national_reports_give_growth_targets_of_the_whole_country(national: KnowledgeBase) -> None:
    assert [r for r, _ in national.indicator_regions()] == [NATIONAL]
    gdp = next(
        s for s in national.indicator_series(NATIONAL) if (s.name, s.dimension) == ("国内生产总值", "growth")
    )
    by_year: dict[int, set[tuple[float, float | None]]] = {}
    for p in gdp.targets():
        by_year.setdefault(p.year, set()).add((p.value, p.value_max))
    assert (7.5, None) in by_year[2013] and (7.5, None) in by_year[2014] and (7.0, None) in by_year[2015]
    assert (6.5, 7.0) in by_year[2016]  # 增长6.5%－7%: a range
    cpi = next(s for s in national.indicator_series(NATIONAL) if s.name == "居民消费价格")
    assert cpi.lower and {p.value for p in cpi.targets() if p.year == 2015} == {3.0}


@pytest.mark.corpus
def test_national_results_pair_consecutive_reports(national: KnowledgeBase) -> None:
    gdp = next(
        s for s in national.indicator_series(NATIONAL) if (s.name, s.dimension) == ("国内生产总值", "growth")
    )
    if not gdp.results():
        pytest.skip(
            "no result extracted from the national reports' reviews: result extraction (Quantity.kind='result', "
            "issue 12) is not in this branch yet"
        )
    docs = {d.id: d for d in national.documents()}
    assert {a.year for a in gdp.attainment} >= {2013, 2014, 2015, 2016}
    for a in gdp.attainment:
        assert docs[a.result.doc_id].year == str(a.year + 1) and docs[a.target.doc_id].year == str(a.year)


def test_chart_geometry_keeps_marks_inside_the_frame() -> None:
    from web.chart import nice_step, series_chart

    docs = [
        doc("a", "十堰市人民政府", 2019),
        doc("b", "十堰市科学技术局", 2019),
        doc("c", "十堰市人民政府", 2021),
    ]
    targets = [
        target("a", "高新技术企业", 30, "家", "新增"),
        target("b", "高新技术企业", 42, "家", "净增"),
        target("c", "高新技术企业", 50, "家", "新增"),
        result("c", "高新技术企业", 35, "家", 2020, qualifier="新增"),
    ]
    series = series_of(
        build_indicators(docs, targets, CONFIG, UNITS), "十堰市", "高新技术企业", "increment:家"
    )
    chart = series_chart(series, {"a": "甲方案", "b": "乙要点"})
    marks = chart["targets"] + chart["results"]
    assert all(chart["top"] <= m["y"] < chart["bottom"] for m in marks)  # none on the frame
    assert all(chart["left"] <= m["x"] <= chart["right"] for m in marks)
    assert [t["label"] for t in chart["x_ticks"]] == ["2019", "2020", "2021"]
    assert sum(1 for m in chart["targets"] if m["cls"] == "conflict") == 2
    assert "《甲方案》" in chart["targets"][0]["label"] and chart["results"][0]["cls"] == ""
    assert chart["target_line"].count(",") == 2  # first target of 2019 and 2021
    assert nice_step(12) == 2.5 and nice_step(0) == 1.0


# ------------------------------------------------------------------------------------------------ round 3


def test_an_indicator_is_a_regions_quantity_never_a_companys() -> None:
    docs = [doc("a", "国务院", 2004), doc("b", "国务院", 2005)]
    found = build_indicators(
        docs,
        [
            target("a", "集团公司注册资本暂定为人民币", 4.1, "亿元"),  # two companies' registered capital
            target("b", "集团公司注册资本暂定为人民币", 5.1, "亿元"),
            target("a", "中国华能集团公司", 200.0, "万千瓦"),
        ],
        CONFIG,
        UNITS,
    )
    assert found.series == [] and found.stats["skipped_no_indicator"] == 3


def test_people_counted_by_a_bare_scale_join_the_series_counted_in_people() -> None:
    docs = [doc("a", "国务院", 2019), doc("b", "国务院", 2020)]
    found = build_indicators(
        docs,
        [
            target("a", "学生", 1100.0, "万", kind="result", year=2018),  # "惠及1100多万学生"
            target("b", "学生", 1200.0, "万人", kind="result", year=2019),
        ],
        CONFIG,
        UNITS,
    )
    [series] = found.series
    assert series.dimension == "level:人" and {p.unit for p in series.points} == {"万人"}
