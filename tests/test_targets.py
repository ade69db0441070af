"""kb.extract.quantities: quantities (targets and results) of a text."""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import corpus_file
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.quantities import extract_quantities, find_quantities
from kb.model import Clause, Document
from kb.text.units import load_units

SEED_TARGETS = {
    ("高新技术产业增加值", 330.0, "亿元"),
    ("高新技术企业", 42.0, "家"),
    ("科技成果转化项目", 140.0, "项"),
    ("发明专利申请量", 2100.0, "件"),
    ("高新技术产品登记备案", 160.0, "项"),
    ("技术合同交易额", 35.0, "亿元"),
    ("省级以上创新创业平台", 15.0, "家"),
    ("科技型企业", 350.0, "家"),
    ("增资", 5000.0, "万元"),
    ("各类培训", 8.0, "次"),
    ("深度贫困县", 5.0, "个"),
}


def crude_html_text(path: Path) -> str:
    """Body text of an HTML file by stripping tags (tests only; kb.readers does it properly)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(?:br|p|div|tr)\b[^>]*>", "\n", raw)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def check_invariants(text: str, targets) -> None:
    for t in targets:
        s, e = t.mention_span
        assert text[s:e] == t.mention
        ss, se = t.span
        assert text[ss:se] == t.text
        assert ss <= s <= e <= se
        assert math.isfinite(t.value)
        assert t.value_max is None or (math.isfinite(t.value_max) and t.value_max >= t.value)
        assert t.indicator and t.unit


# --- the seed plan ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


def test_seed_exact_set(seed_text: str) -> None:
    targets = find_quantities(seed_text, "000_3ccc218f3f77786b")
    got = [(t.indicator, t.value, t.unit) for t in targets]
    assert len(got) == len(set(got))
    assert set(got) == SEED_TARGETS
    check_invariants(seed_text, targets)


def test_seed_details(seed_text: str) -> None:
    by_indicator = {t.indicator: t for t in find_quantities(seed_text, "d")}
    patent = by_indicator["发明专利申请量"]
    assert patent.mention == "全市发明专利申请量达到2100件"
    assert patent.qualifier == "达到"
    assert patent.text.startswith("完成科技成果转化项目140项") and patent.text.endswith("350家以上。")
    assert by_indicator["高新技术产业增加值"].qualifier == "力争"
    assert by_indicator["高新技术企业"].qualifier == "净增"
    assert by_indicator["省级以上创新创业平台"].qualifier == "新增、以上"
    assert by_indicator["科技型企业"].qualifier == "以上"
    assert by_indicator["增资"].qualifier == "争取"
    assert all(t.deadline is None for t in by_indicator.values())


def test_seed_clause_ids(seed_text: str) -> None:
    """Clause ids and target ids come from the innermost clause holding the mention."""
    doc_id = "000_3ccc218f3f77786b"
    goals_at = seed_text.index("二、主要目标")
    measures_at = seed_text.index("三、主要措施")
    m5 = seed_text.index("(五)")
    m6 = seed_text.index("(六)")

    def clause(cid: str, start: int, end: int, level: int, children=()) -> Clause:
        return Clause(
            cid, doc_id, "", "", level, "", (start, end), (start, start), (start, end), 1, list(children)
        )

    outline = [
        clause(f"{doc_id}.s2", goals_at, measures_at, 1),
        clause(f"{doc_id}.s3", measures_at, len(seed_text), 1, [clause(f"{doc_id}.s3.5", m5, m6, 2)]),
    ]
    doc = Document(id=doc_id, title="", text=seed_text)
    targets = extract_quantities(doc, outline)
    ids = [t.id for t in targets]
    assert ids[:8] == [f"{doc_id}.t2-{k}" for k in range(1, 9)]
    capital = next(t for t in targets if t.indicator == "增资")
    assert capital.clause_id == f"{doc_id}.s3.5" and capital.id == f"{doc_id}.t3.5-1"
    training = next(t for t in targets if t.indicator == "各类培训")
    assert training.clause_id == f"{doc_id}.s3" and training.id == f"{doc_id}.t3-1"
    assert find_quantities("新增高新技术企业42家。", "x")[0].id == "x.t0-1"


# --- the State Council plan 国发〔2019〕4号 ----------------------------------------------------------


def test_vocational_education_plan() -> None:
    text = crude_html_text(corpus_file("gov_cn_2019_html/002_021a81bc4bdd63b7.html"))
    targets = find_quantities(text, "002")
    check_invariants(text, targets)
    got = {(t.indicator, t.value, t.unit): t for t in targets}
    for key in [
        ("高水平高等职业学校", 50.0, "所"),
        ("骨干专业（群）", 150.0, "个"),
        ("高水平专业化产教融合实训基地", 300.0, "个"),
        ("“双师型”教师培养培训基地", 100.0, "个"),
        ("示范性职业教育集团（联盟）", 300.0, "个"),
    ]:
        assert key in got, key
    assert got[("高水平高等职业学校", 50.0, "所")].deadline == 2022
    assert got[("示范性职业教育集团（联盟）", 300.0, "个")].deadline == 2020
    values = {t.value for t in targets}
    assert 2019 not in values and 4 not in values  # 国发〔2019〕4号, "从2019年开始"
    assert not any(t.unit == "次" for t in targets)  # "每5年修订1次": a frequency norm


# --- single rules -----------------------------------------------------------------------------------


def one(text: str):
    targets = find_quantities(text, "d")
    check_invariants(text, targets)
    assert len(targets) == 1, targets
    return targets[0]


def test_growth_rate() -> None:
    t = one("今年主要预期目标是：地区生产总值增长5%左右。")
    assert (t.indicator, t.value, t.unit, t.qualifier) == ("地区生产总值", 5.0, "%", "增长、左右")


def test_scaled_units() -> None:
    t = one("城镇新增就业1.5万人以上。")
    assert (t.indicator, t.value, t.unit, t.qualifier) == ("城镇新增就业", 1.5, "万人", "新增、以上")
    t = one("力争实现技术合同交易额一百五十亿元。")
    assert (t.value, t.unit) == (150.0, "亿元")
    t = one("完成全年投资两千万元。")
    assert (t.value, t.unit) == (2000.0, "万元")


def test_ranges() -> None:
    t = one("新增国家级平台5-10家。")
    assert (t.value, t.value_max, t.unit) == (5.0, 10.0, "家")
    t = one("培育3至5个省级产业集群。")
    assert (t.indicator, t.value, t.value_max, t.unit) == ("省级产业集群", 3.0, 5.0, "个")
    t = one("地区生产总值增长5.5%—6%。")
    assert (t.value, t.value_max, t.unit) == (5.5, 6.0, "%")


def test_deadline_and_raise_to() -> None:
    t = one("到2025年，高标准农田比例提高到80%以上。")
    assert (t.indicator, t.value, t.unit, t.deadline, t.qualifier) == (
        "高标准农田比例",
        80.0,
        "%",
        2025,
        "提高到、以上",
    )
    t = one("2020年前建成县级服务中心30个。")
    assert t.deadline == 2020 and t.indicator == "县级服务中心"
    t = one("普惠托位占比由50%提高到68%。")
    assert (t.indicator, t.value) == ("普惠托位占比", 68.0)


def test_inherited_indicator() -> None:
    targets = find_quantities("力争人工智能核心产业营收6800亿元左右、增长20%以上。", "d")
    assert [(t.indicator, t.value, t.unit) for t in targets] == [
        ("人工智能核心产业营收", 6800.0, "亿元"),
        ("人工智能核心产业营收", 20.0, "%"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2019年是新中国成立70周年,也是十堰建市50周年。",
        "扎实推进《2018—2020年十堰市高新技术产业发展行动计划》落实。",
        "深入贯彻党的十九大精神，按照“五位一体”总体布局和“四个全面”战略布局。",
        "围绕全市“一心两翼三高地”的区域产业布局和“一主四大四新”产业体系建设。",
        "形成省、市、县三级联动的特派员服务体系，引导“三区”科技人才对结。",
        "深入开展“两转一强化”活动，牢固树立“四个意识”，确保居于全省第一方阵。",
        "继续组织一期“京堰对口协作科技行政管理干部培训班”。",
        "国务院关于印发国家职业教育改革实施方案的通知 国发〔2019〕4号",
        "第十条 实施1+X证书制度试点，联系电话0719-8888888。",
        "原则上每5年修订1次职业院校专业目录。",
        "对违法单位处一万元以上五万元以下罚款。",
        "违法所得五万元以上的，没收违法所得。",
        "全面落实《关于稳定经济增长20条政策措施的通知》，推动“金融15条”落地。",
        "收费标准为每立方米2.4元。",
        "全年地区生产总值增长5.2%，比上年提高0.3个百分点。",
    ],
)
def test_not_targets(text: str) -> None:
    assert [t for t in find_quantities(text, "d") if t.kind == "target"] == []


def test_statute_thresholds_are_not_targets() -> None:
    law = (
        "# 某某条例\n\n第一条 为了规范管理，制定本条例。\n\n"
        "第二条 建筑面积超过5000平方米的公共建筑，应当安装设施。\n\n"
        "第三条 农民专业合作社成员超过150人的，可以设立成员代表大会。\n\n"
        "第四条 年木材产量达到5000立方米以上的企业，纳入重点管理。\n"
    )
    assert find_quantities(law, "law") == []
    plan_in_law = law + "\n第五条 到2025年，全省森林覆盖率达到60%以上。\n"
    t = one(plan_in_law)
    assert (t.indicator, t.value, t.deadline) == ("全省森林覆盖率"[2:], 60.0, 2025)


def test_review_section_gives_results_with_their_year_never_targets() -> None:
    report = (
        "一、2025年工作回顾\n新增国家级专精特新企业16家，城镇新增就业5.1万人。\n"
        "二、2026年工作安排\n新增国家级专精特新企业20家以上，城镇新增就业5万人以上。\n"
    )
    found = find_quantities(report, "r", year=2026)
    assert [(t.indicator, t.value) for t in found if t.kind == "target"] == [
        ("国家级专精特新企业", 20.0),
        ("城镇新增就业", 5.0),
    ]
    assert [(t.indicator, t.value, t.year) for t in found if t.kind == "result"] == [
        ("国家级专精特新企业", 16.0, 2025),
        ("城镇新增就业", 5.1, 2025),
    ]


def test_units_file_is_editable(tmp_path: Path) -> None:
    units = load_units()
    assert units["个百分点"] == "percent" and units["所"] == "count" and units["年"] == "duration"
    custom = tmp_path / "units.txt"
    custom.write_text("# test\n家 count\n张 count\n", encoding="utf-8")
    assert load_units(custom) == {"家": "count", "张": "count"}
    targets = find_quantities("新增养老床位500张，净增科技企业3家。", "d", units={"家": "count"})
    assert [(t.indicator, t.value, t.unit) for t in targets] == [("科技企业", 3.0, "家")]


# --- properties -------------------------------------------------------------------------------------

_CHARS = "，。；、：（）“”《》\n 0123456789.%—-~至到年万亿元个家以上左右增长达到新增力争第每的了"
_WORDS = ["到2022年", "2019年", "一百五十", "两千", "1.5万人", "个百分点", "增长5%左右", "罚款", "第十条\n"]
_PIECES = st.sampled_from([*_CHARS, *_WORDS])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))
def test_never_raises_and_spans_hold(text: str) -> None:
    check_invariants(text, find_quantities(text, "p"))


# --- the whole shared corpus ------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus(corpus_dir: Path) -> None:
    counts: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    files = sorted(p for p in corpus_dir.rglob("*") if p.suffix in (".txt", ".md", ".html"))
    assert files
    for path in files:
        text = crude_html_text(path) if path.suffix == ".html" else path.read_text(encoding="utf-8")
        targets = find_quantities(text, path.stem)
        check_invariants(text, targets)
        collection = path.parent.name
        counts[collection] += len(targets)
        docs[collection] += bool(targets)
    for collection in sorted(counts):
        print(f"{collection}: {counts[collection]} targets in {docs[collection]} documents")
    assert counts["laws_lawrefbook"] < 50  # statutes: thresholds and penalties are not targets
    assert counts["gwr_provincial_2026"] > 500


# --- the named rules, each alone (kb.extract.targets.explain names the rule that decided) ----------------


def decided(text: str, mention: str) -> tuple[str | None, str]:
    """(kind, rule) of the candidate whose text starts with ``mention``."""
    from kb.extract.quantities import explain

    for d in explain(text):
        if d.mention.startswith(mention):
            return d.kind, d.rule
    raise AssertionError(f"no candidate {mention!r} in {explain(text)}")


@pytest.mark.parametrize(
    ("text", "mention", "rule"),
    [
        ("会上来了三五个人。", "", "not_a_number"),  # 三五: "three or five", no number
        ("推进一期工程建设。", "一期", "bare_digit_word"),
        ("2019年全市科技工作要点。", "2019年", "year"),
        ("建设5个—10家中心。", "5个", "mixed_range"),
        ("服务3人民群众。", "3人", "word_after_unit"),
        ("收费100元/吨。", "100元", "rate_or_slogan"),
        ("建设10-5家平台。", "10-5家", "not_a_range"),
        ("比例由40%提高到50%。", "40%", "baseline"),
        ("对年营业收入5万元以上的企业给予支持。", "5万元", "attribute"),
        ("处五万元罚款。", "五万元", "statistic_or_penalty"),
        ("按每立方米2.4元收取。", "2.4元", "per_unit_norm"),
        ("落实《稳定经济增长20条政策措施》。", "20条", "inside_name"),
        ("发展3岁以下婴幼儿照护服务。", "3岁", "age_or_size_attribute"),
        ("违反规定的，处以罚款2万元。", "2万元", "legal_norm"),
        ("工龄低于3年，可申请补贴。", "3年", "eligibility"),
        ("博士后工作年限可缩短至2年。", "2年", "eligibility"),
        ("对新认定的企业给予50万元奖励。", "50万元", "support_level"),
        ("安排资金100万元资金奖补。", "100万元", "support_level"),
        ("推进甲区、乙区等3个区试点。", "3个", "names_a_group"),
        ("拟安排专项债券4.4万亿元，比上年增加5000亿元。", "5000亿元", "increment_of_previous"),
        ("覆盖率=签约人数/常住人口数*100%。", "100%", "formula"),
        ("加强对5名专家事迹的宣传。", "5名", "no_goal_context"),
    ],
)
def test_each_rejection_rule_alone(text: str, mention: str, rule: str) -> None:
    assert decided(text, mention) == (None, rule)


@pytest.mark.parametrize(
    ("text", "mention", "kind"),
    [
        ("力争新增三家上市公司，建成五个省级创新平台。", "三家", "target"),
        ("力争新增三家上市公司，建成五个省级创新平台。", "五个", "target"),
        ("推进10个重点项目建设。", "10个", "target"),
        ("新增省级以上创新平台15处以上。", "15处", "target"),
        ("推动不少于30%的项目落地。", "30%", "target"),
        ("力争每千人口托位数不少于4.5个。", "4.5个", "target"),
        ("赤字率拟按4%左右安排，比上年提高1个百分点。", "4%", "target"),
        ("新增装机容量300MW。", "300MW", "target"),
        ("粮食产量1.4万亿斤左右。", "1.4万亿斤", "target"),
        ("2018年地区生产总值增长7%，比上年提高0.5个百分点。", "7%", "result"),
    ],
)
def test_goals_and_results_the_rules_keep(text: str, mention: str, kind: str) -> None:
    assert decided(text, mention)[0] == kind


def test_from_x_to_y_keeps_only_y() -> None:
    found = find_quantities("研发投入强度由2.1%提高到2.5%。", "d")
    assert [(t.value, t.kind) for t in found] == [(2.5, "target")]


def test_a_restated_target_is_kept_once() -> None:
    text = "经济增长预期目标为5%左右。\n……\n国内生产总值增长5%左右。\n"
    found = [t for t in find_quantities(text, "d") if t.kind == "target"]
    assert len([t for t in found if t.value == 5.0]) <= 2  # two wordings of one target may both stay
    assert len(find_quantities("净增高新技术企业42家。净增高新技术企业42家。", "d")) == 1


def test_deadline_from_sentence_else_paragraph_else_the_plans_period() -> None:
    text = "到2025年，全市科技型企业达到500家。\n新增高新技术企业42家。\n"
    found = find_quantities(text, "d", title="某市科技创新三年行动计划（2024—2026年）")
    assert [(t.indicator, t.deadline) for t in found] == [("科技型企业", 2025), ("高新技术企业", 2026)]
    from kb.text.periods import Period, period_of

    assert period_of("十堰市2019年科技创新工作要点") == Period(2019, 2019)
    assert period_of("三年行动计划（2024—2026年）") == Period(2024, 2026)


def test_numbers_split_across_lines_are_read_whole() -> None:
    text = "电力市场化直接交易电量总规模暂定为\n3\n45\n亿千瓦时。"
    found = find_quantities(text, "d")
    assert [(t.value, t.unit) for t in found] == [(345.0, "亿千瓦时")]
    assert (
        found[0].mention in text
        and text[found[0].mention_span[0] : found[0].mention_span[1]] == found[0].mention
    )


def test_indicator_names_shed_budget_and_milestone_verbs() -> None:
    # sentences of the 2025 national government work report: 拟 / 拟按 and 首次跃上 are not part of the indicator
    text = (
        "今年赤字率拟按4%左右安排。拟安排地方政府专项债券4.4万亿元。"
        "过去一年，粮食产量首次跃上1.4万亿斤新台阶。"
    )
    found = [(t.kind, t.indicator, t.value, t.unit) for t in find_quantities(text, "d", year=2025)]
    assert found == [
        ("target", "赤字率", 4.0, "%"),
        ("target", "地方政府专项债券", 4.4, "万亿元"),
        ("result", "粮食产量", 1.4, "万亿斤"),
    ]


def test_a_goal_named_only_as_a_goal_restates_the_target() -> None:
    # 2025 national report: the second sentence explains the 5% stated first, it is not a target of its own
    text = (
        "今年发展主要预期目标是：国内生产总值增长5%左右；城镇调查失业率5.5%左右。"
        "经济增长预期目标为5%左右，既是稳就业、防风险、惠民生的需要。"
    )
    found = [(t.indicator, t.value) for t in find_quantities(text, "d", year=2025)]
    assert found == [("国内生产总值", 5.0), ("城镇调查失业率", 5.5)]
    # without the earlier statement the same sentence is the target
    assert [(t.indicator, t.value) for t in find_quantities(text.split("。", 1)[1], "d", year=2025)] == [
        ("经济增长预期目标", 5.0)
    ]


# --- deadlines: the sentence, the paragraph, the block head, the plan's period, its horizon ------------------


def _deadlines(text: str, title: str = "") -> list[tuple[str, float, int | None]]:
    from kb.extract.outline import parse_outline

    found = find_quantities(text, "d", parse_outline(text, "d", title), title=title)
    return [(t.indicator, t.value, t.deadline) for t in found if t.kind == "target"]


def test_a_year_stated_at_the_head_of_a_goal_block_is_the_deadline_of_every_target_under_it() -> None:
    text = (
        "一、总体要求\n坚持创新驱动。\n二、发展目标\n到2026年，全市科技创新能力显著提升：\n——高新技术企业达到500家；\n"
        "——技术合同成交额达到50亿元。\n三、主要任务\n（一）培育企业。新增科技型企业100家。\n"
    )
    assert _deadlines(text, "某市科技创新行动方案") == [
        ("高新技术企业", 500.0, 2026),
        ("技术合同成交额", 50.0, 2026),
        ("科技型企业", 100.0, 2026),  # the plan's horizon: its goals are due 2026
    ]


def test_a_heading_that_names_a_five_year_plan_dates_the_targets_of_its_section() -> None:
    text = (
        "三、“十五五”时期主要目标任务\n（一）发展目标。经济年均增长5%左右，城镇化率达到65%左右。\n"
        "四、2026年重点工作\n（一）扩大内需。社会消费品零售总额增长5%。\n"
    )
    assert [d for _, _, d in _deadlines(text, "2026年某省政府工作报告")] == [2030, 2030, 2026]


def test_a_year_earlier_in_the_same_sentence_is_the_deadline_but_a_baseline_year_is_not() -> None:
    assert _deadlines("力争2024年全市规上工业产值突破150亿元以上。") == [("规上工业产值", 150.0, 2024)]
    assert _deadlines("确保2020年3月初全省口罩日产能达到1000万只。")[0][2] == 2020
    assert _deadlines("海洋捕捞总产量与2015年相比减少5%以上。")[0][2] is None
    assert _deadlines("营业收入力争在2021年基础上实现翻倍，研发经费占比力争达到2%以上。")[-1][2] is None


def test_a_five_year_plan_named_in_the_sentence_gives_its_last_year() -> None:
    assert _deadlines("“十四五”期间培养市级以上骨干教师1500名。", "2022年工作要点")[0][2] == 2025


def test_an_annual_rate_takes_the_plans_end_year_or_none() -> None:
    assert _deadlines("每年开展返乡创业培训800人。", "三年行动计划（2021—2023年）")[0][2] == 2023
    assert _deadlines("每年开展返乡创业培训800人。", "关于支持创业的若干政策")[0][2] is None


def test_without_a_period_in_the_title_a_target_is_due_when_the_plans_goals_are() -> None:
    text = (
        "一、目标任务\n全市计划到2022年底，新增返乡创业人数3200人。\n"
        "二、工作举措\n（一）优化服务。将企业开办时间压缩至5个工作日。\n"
    )
    assert [d for _, _, d in _deadlines(text, "某市促进返乡创业实施方案")] == [2022, 2022]


# --- goal shapes: a bound right before the number, a floor, a duration to reach -------------------------------


@pytest.mark.parametrize(
    "text, mention",
    [
        ("被抽查对象满意度达85%以上。", "85%"),  # 达 right before the number
        ("抽查产品数≥500批次，检查企业数≥300家。", "500批次"),  # ≥ as in an indicator table
        ("培养不少于3500名基层医生。", "3500名"),  # a floor is a goal ...
        ("将企业开办时间压缩至5个工作日。", "5个工作日"),  # a duration to reach
        ("光子产业产值超过200亿元。", "200亿元"),
    ],
)
def test_goal_shapes_with_a_bound_before_the_number_are_targets(text: str, mention: str) -> None:
    assert decided(text, mention) == ("target", "target")


def test_a_floor_that_sets_a_norm_is_no_target() -> None:
    # ... but not when the sentence sets a norm of a procedure (原则上, 费率, 按照…标准)
    assert decided("担保费率原则上不低于1%。", "1%")[0] is None
    assert decided("风险责任比例不超过20%。", "20%")[0] is None


# --- results without a section named 回顾 --------------------------------------------------------------------


def _kinds(text: str, title: str = "", year: int | None = None) -> list[tuple[str, float, str, int | None]]:
    from kb.extract.outline import parse_outline

    found = find_quantities(text, "d", parse_outline(text, "d", title), title=title, year=year)
    return [(t.indicator, t.value, t.kind, t.year if t.kind == "result" else t.deadline) for t in found]


def test_a_review_of_the_previous_plan_period_inside_a_new_plans_explanation_gives_results() -> None:
    text = (
        "关于“十五五”规划纲要的说明\n“十四五”时期，全省生产总值从4.16万亿元增加到5.67万亿元。\n"
        "“十五五”时期，全省生产总值年均增长5%左右。\n"
    )
    assert _kinds(text, "2026年某省政府工作报告", 2026) == [
        ("生产总值", 5.67, "result", 2025),  # 从X增加到Y: the result is Y, of the period's last year
        ("生产总值", 5.0, "target", 2030),
    ]


def test_a_change_between_two_stated_years_before_the_documents_year_is_a_result() -> None:
    found = _kinds("一般公共预算收入从2020年的3826.5亿元增长到2025年的4398.6亿元。", "2026年工作报告", 2026)
    assert found == [("一般公共预算收入", 4398.6, "result", 2025)]


def test_a_background_part_of_a_plan_states_results_of_the_documents_own_year() -> None:
    text = (
        "一、实施背景\n（一）发展基础。全市投运养老机构190家，建成社区老龄食堂6个。\n"
        "二、发展目标\n到2025年，全市养老机构达到220家。\n"
    )
    assert _kinds(text, "某市一老一小整体解决方案", 2022) == [
        ("投运养老机构", 190.0, "result", 2022),
        ("社区老龄食堂", 6.0, "result", 2022),
        ("养老机构", 220.0, "target", 2025),
    ]


def test_a_paragraph_that_opens_with_the_plans_goals_keeps_its_sentences_goals() -> None:
    text = "今年经济社会发展的主要预期目标是：地区生产总值增长3.5%左右。城乡居民人均可支配收入分别增长7%和8%左右。\n"
    assert {kind for _, _, kind, _ in _kinds(text, "2019年政府工作报告", 2019)} == {"target"}


def test_a_baseline_year_is_not_the_year_a_result_reports() -> None:
    text = "一、“十二五”时期工作回顾\n2015年城镇常住居民人均可支配收入完成30788元，比2010年增加13480元。\n"
    assert [y for *_, y in _kinds(text, "2016年政府工作报告", 2016)] == [2015, 2015]


def test_a_share_a_multiple_or_a_dated_value_after_的_is_a_quantity_but_a_rate_of_support_is_not() -> None:
    assert decided("全年民生支出666亿元，占一般公共预算支出的84.1%。", "84.1%")[1] != "statistic_or_penalty"
    assert decided("旅游收入达到69亿元，是2010年的2.6倍。", "2.6倍")[1] != "statistic_or_penalty"
    assert decided("年内新开通海拉尔至俄蒙地区的3条航线。", "3条") == ("target", "target")
    assert decided("按设备投资的5%给予补助。", "5%") == (None, "support_level")
    assert decided("全部建成的三万九千个。", "三万九千个") == (None, "statistic_or_penalty")


# --- units measured on the corpus, lists of named items, support levels and ranks ---------------------------


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("算力规模突破4000P。", 4000.0, "P"),  # computing and storage units
        ("新建数据中心5万标准机架。", 5.0, "万标准机架"),
        ("全年新开工高层住宅13栋。", 13.0, "栋"),  # units bench/units.py finds after numbers in the corpus
        ("中欧班列开行6037列。", 6037.0, "列"),
        ("年内筹措2700多万元。", 2700.0, "万元"),  # 多/余 between the digits and the scale
        ("惠及1100多万学生。", 1100.0, "万"),  # a bare scale counting people
    ],
)
def test_units_of_the_table_and_bare_scales_make_quantities(text: str, value: float, unit: str) -> None:
    from kb.extract.quantities import explain

    assert [(d.value, d.unit) for d in explain(text)] == [(value, unit)]


def test_a_unit_in_latin_letters_is_not_cut_out_of_a_longer_word() -> None:
    from kb.extract.quantities import explain

    assert [d.unit for d in explain("推进5G网络建设，装机达到5GW。")] == ["GW"]


def test_a_count_closing_a_list_is_a_target_when_the_clause_completes_it() -> None:
    assert decided("完成呼伦大街、望城路等9条道路工程。", "9条") == ("target", "target")
    assert decided("确保中船重工智能装备等50项重点项目竣工投产。", "50项") == ("target", "target")
    assert decided("依托河北新发地、定兴同福等50家龙头企业，打造农产品加工集群。", "50家") == (
        None,
        "names_a_group",
    )


def test_award_grades_rates_and_ranks_of_a_support_list_are_no_targets() -> None:
    assert decided("科技进步奖：一等奖50万元，二等奖30万元。", "50万元") == (None, "support_level")
    assert decided("对取得技师证书的，技师2000元。", "2000元") == (None, "support_level")
    assert decided("对新增主营业务收入2000万元以上的企业给予支持。", "2000万元")[0] is None
    assert decided("对进入全国前100名的企业给予奖励。", "100名") == (None, "rank")
    assert decided("全年发放惠农补贴资金5846万元。", "5846万元")[0] is None  # outside a review: an offer


def test_a_capacity_inside_a_named_projects_designation_is_no_target() -> None:
    assert decided("加快大唐700万吨露天矿、亘富200万吨褐煤提质项目建设。", "700万吨") == (
        None,
        "project_designation",
    )
    assert decided("加快大唐700万吨露天矿、亘富200万吨褐煤提质项目建设。", "200万吨") == (
        None,
        "project_designation",
    )
    # a verb leading straight to the number makes it the goal
    assert decided("启动2.5万亩蔬菜基地建设工程。", "2.5万亩") == ("target", "target")


def test_a_restated_level_still_lends_its_indicator_to_the_growth_after_it() -> None:
    text = "地区生产总值由2010年的162.4亿元增加到2015年的287.9亿元。2015年地区生产总值完成287.9亿元，同比增长8.9%。"
    found = find_quantities(text, "d", year=2016)
    assert [(q.indicator, q.value, q.kind, q.year) for q in found][-1] == (
        "地区生产总值",
        8.9,
        "result",
        2015,
    )


def test_a_planning_table_flattened_into_text_gives_its_rows_as_targets() -> None:
    text = (
        "主要指标2025年属性13每千人拥有3岁以下婴幼儿托位数（个）4.5预期性14托育机构保育人员（万人）≥0.3预期性"
    )
    found = find_quantities(text, "d", title="某市一老一小整体解决方案（2021—2025年）")
    assert [(q.indicator, q.value, q.unit, q.mention, q.deadline) for q in found] == [
        ("每千人拥有3岁以下婴幼儿托位数", 4.5, "个", "每千人拥有3岁以下婴幼儿托位数（个）4.5", 2025),
        ("托育机构保育人员", 0.3, "万人", "托育机构保育人员（万人）≥0.3", 2025),
    ]


def test_digits_broken_onto_lines_of_their_own_are_read_whole() -> None:
    text = (
        "天津地区\n202\n5\n年电力市场化交易规模暂定为\n3\n45\n亿千瓦时，力争新能源交易电量占比达到\n40\n%。"
    )
    found = find_quantities(text, "d")
    assert [(q.value, q.unit) for q in found] == [(345.0, "亿千瓦时"), (40.0, "%")]
    assert all(q.mention in text for q in found)  # the mention keeps the line breaks, verbatim
