"""Measure extractor (kb.extract.measures): which clauses of a plan are its measures."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import corpus_file
from test_outline import header_body, html_body, markdown_body

from kb.extract.measures import extract_measures, is_legal_title, is_non_action_title, is_roster
from kb.extract.outline import parse_outline
from kb.model import Document, Measure

SEED_ID = "000_3ccc218f3f77786b"


def measures_of(text: str, doc_id: str = "t", title: str = "") -> list[Measure]:
    doc = Document(id=doc_id, title=title, text=text)
    found = extract_measures(doc, parse_outline(text, doc_id, title))
    for m in found:
        assert m.text == text[m.span[0] : m.span[1]]
        assert m.text.startswith(m.number)
        assert m.doc_id == doc_id and m.categories == [] and m.targets == []
        assert m.id == m.clause_id.replace(f"{doc_id}.s", f"{doc_id}.m", 1)
    assert [m.ordinal for m in found] == list(range(1, len(found) + 1))
    return found


# --- the seed -----------------------------------------------------------------------------------

SEED_HEADLINES = [
    "着力优化政策环境,营造激励科技创新发展良好氛围。",
    "大力推进国家级高新区创建,推动高新技术产业发展。",
    "扎实做好科技与经济融通发展,为科技创新提供源头动力。",
    "积极培育培养科技领军人才,为科技创新提供智力支撑。",
    "不断健全科技金融服务体系,带动社会资本投入科技创新。",
    "着力加强知识产权保护与运用,增强科技创新驱动力。",
    "稳步开展科技扶贫工作,助力全市脱贫主战场。",
    "持续推进生物医药产业发展,促进社发领域科技创新。",
    "加快促进县域创新发展,推进全市科技工作全面进步。",
    "深入开展“两转一强化”活动,提升科技管理部门服务水平。",
]
SEED_NUMBERS = ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)"]


@pytest.fixture(scope="module")
def seed_measures(seed_path: Path) -> tuple[str, list[Measure]]:
    text = header_body(seed_path)
    return text, measures_of(text, SEED_ID, "十堰市2019年科技创新工作要点")


def test_seed_has_exactly_the_ten_measures(seed_measures):
    _, found = seed_measures
    assert len(found) == 10
    assert [m.number for m in found] == SEED_NUMBERS
    assert [m.headline for m in found] == SEED_HEADLINES
    assert [m.ordinal for m in found] == list(range(1, 11))
    assert [m.path for m in found] == [["三、主要措施", n] for n in SEED_NUMBERS]
    assert [m.id for m in found] == [f"{SEED_ID}.m3.{i}" for i in range(1, 11)]
    assert [m.clause_id for m in found] == [f"{SEED_ID}.s3.{i}" for i in range(1, 11)]


def test_seed_measure_text_is_verbatim(seed_measures):
    text, found = seed_measures
    six = found[5]
    assert six.text.startswith(
        "(六)着力加强知识产权保护与运用,增强科技创新驱动力。推进省级知识产权培训(十堰)基地"
    )
    assert six.text.endswith("严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。")
    assert six.text == text[six.span[0] : six.span[1]]
    # Goals (——) and the guiding-ideas section are not measures.
    assert not any("省政府高质量发展考核评价" in m.text for m in found)
    assert not any(m.text.startswith("一、") or m.text.startswith("二、") for m in found)


# --- a State Council plan -----------------------------------------------------------------------

GROUPS = [
    "一、完善国家职业教育制度体系",
    "二、构建职业教育国家标准",
    "三、促进产教融合校企“双元”育人",
    "四、建设多元办学格局",
    "五、完善技术技能人才保障政策",
    "六、加强职业教育办学质量督导评价",
    "七、做好改革组织实施工作",
]
CN = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
]


def test_state_council_plan_has_twenty_measures_in_seven_groups():
    text = html_body(corpus_file("gov_cn_2019_html/002_021a81bc4bdd63b7.html"))
    found = measures_of(text, "gf4", "国务院关于印发国家职业教育改革实施方案的通知")
    assert [m.number for m in found] == [f"（{n}）" for n in CN]
    group_sizes = [4, 4, 4, 2, 2, 2, 2]
    expected_groups = [g for g, size in zip(GROUPS, group_sizes, strict=True) for _ in range(size)]
    # The plan is the notice's attached document: its title is the first element of every place.
    assert {m.path[0] for m in found} == {"国家职业教育改革实施方案"}
    assert [m.path[1] for m in found] == expected_groups
    assert found[0].path == ["国家职业教育改革实施方案", "一、完善国家职业教育制度体系", "（一）"]
    assert found[0].headline == "健全国家职业教育制度框架。"
    assert found[5].headline == "启动1+X证书制度试点工作。"
    assert found[0].id == "gf4.m1.1.1" and found[19].id == "gf4.m1.7.2"
    # The 总体要求与目标 / 具体指标 paragraphs come before 一、 and yield nothing.
    assert not any("具体指标" in m.text[:20] for m in found)


# --- a law, a provincial report -----------------------------------------------------------------


def test_law_has_no_measures_but_a_full_outline():
    path = corpus_file("laws_lawrefbook/0000_87b3ae685789802d.md")
    text = markdown_body(path)
    outline = parse_outline(text, "law")
    assert [c.label for c in outline][:2] == ["第一章", "第二章"]
    assert sum(1 for root in outline for c in root.walk() if c.style == "article") > 20
    assert extract_measures(Document(id="law", title="上海口岸服务条例", text=text), outline) == []
    # Articles alone are enough, whatever the title says.
    assert extract_measures(Document(id="law", title="", text=text), outline) == []


def test_provincial_report_measures_skip_the_review():
    path = corpus_file("gwr_provincial_2026/000_4a4aa0c42559e447.txt")
    text = header_body(path)
    outline = parse_outline(text, "sh")
    review = next(c for c in outline if "回顾" in c.heading)
    assert len(review.children) >= 3  # the review has (一)… items of its own
    found = measures_of(text, "sh", "2026年上海市政府工作报告")
    assert len(found) >= 10
    assert not any(review.span[0] <= m.span[0] < review.span[1] for m in found)
    assert any(m.path[0] == "三、2026年主要任务" for m in found)


def test_report_with_unnumbered_part_titles():
    text = (
        "各位代表：\n"
        "2025年工作回顾\n"
        "（一）经济运行稳中有进。全年增长5%。\n"
        "（二）改革持续深化。\n"
        "2026年重点工作\n"
        "重点抓好以下工作：\n"
        "（一）扩大有效需求。\n"
        "（二）建设现代化产业体系。\n"
    )
    found = measures_of(text)
    assert [m.headline for m in found] == ["扩大有效需求。", "建设现代化产业体系。"]
    assert [m.path for m in found] == [["2026年重点工作", "（一）"], ["2026年重点工作", "（二）"]]


# --- synthetic rules ----------------------------------------------------------------------------


def test_sections_without_items_are_one_measure_each():
    text = (
        "一、总体要求\n坚持……\n"
        "二、主要目标\n——到2022年完成100项。\n"
        "三、加强组织领导\n各地要……\n"
        "四、强化督促检查\n定期通报。\n"
    )
    found = measures_of(text)
    assert [(m.number, m.headline, m.path) for m in found] == [
        ("三、", "加强组织领导", ["三、加强组织领导"]),
        ("四、", "强化督促检查", ["四、强化督促检查"]),
    ]


def test_deepest_list_of_actions_and_enumerations():
    text = (
        "一、重点任务\n"
        "（一）打造加工制造中心。\n"
        "1.统筹两个市场。\n"
        "2.推动产业转移。\n"
        "（二）符合下列条件的项目予以支持：\n"
        "1.条件一；\n"
        "2.条件二。\n"
        "（三）完善政策。\n"
        "——配套文件一。\n"
        "——配套文件二。\n"
    )
    found = measures_of(text)
    assert [(m.number, m.path) for m in found] == [
        ("1.", ["一、重点任务", "（一）", "1."]),
        ("2.", ["一、重点任务", "（一）", "2."]),
        ("（二）", ["一、重点任务", "（二）"]),
        ("（三）", ["一、重点任务", "（三）"]),
    ]
    assert [m.id for m in found] == ["t.m1.1.1", "t.m1.1.2", "t.m1.2", "t.m1.3"]


def test_excluded_parts_and_annexes():
    text = (
        "一、指导思想\n（一）坚持……。\n（二）坚持……。\n"
        "二、基本原则\n（一）统筹兼顾。\n"
        "三、工作目标\n（一）到2022年……。\n"
        "四、主要目标和重点任务\n（一）实施创新工程。\n"
        "附件\n1.民生实事。\n2.民生实事。\n"
    )
    found = measures_of(text)
    assert [m.path for m in found] == [["四、主要目标和重点任务", "（一）"]]


def test_legal_titles_and_articles():
    assert is_legal_title("中华人民共和国刑法修正案（九）")
    assert is_legal_title("上海市口岸服务条例")
    assert is_legal_title("关于审理名誉权案件若干问题的解释")
    assert is_legal_title("科技创新券管理办法（试行）")
    assert is_legal_title("关于修改部分地方性法规的决定")
    assert not is_legal_title("十堰市2019年科技创新工作要点")
    assert not is_legal_title("国务院关于印发国家职业教育改革实施方案的通知")
    text = "一、措施\n（一）加强领导。\n（二）完善制度。\n"
    assert len(measures_of(text, title="某某条例")) == 0
    assert len(measures_of(text, title="某某实施方案")) == 2


def test_non_action_titles():
    for title in [
        "2025年工作回顾",
        "过去五年工作回顾",
        "指导思想",
        "基本原则",
        "主要目标",
        "总体要求",
        "当前形势",
        "名词解释",
    ]:
        assert is_non_action_title(title), title
    for title in [
        "主要措施",
        "重点任务",
        "2026年重点工作",
        "主要目标和重点工作",
        "加强组织领导",
        "总体要求和目标任务",
    ]:
        assert not is_non_action_title(title), title


def test_empty_outline_and_plain_text():
    assert measures_of("") == []
    assert measures_of("没有任何编号的正文。\n第二段。\n") == []


def test_an_amendment_decree_has_no_measures():
    """Its numbered items are edits to another text (将第六条修改为…), not actions of a plan."""
    text = (
        "第223号\n省人民政府第66次常务会议决定对《江西省流动人口服务和管理办法》作如下修改：\n"
        "一、将第六条修改为：“公安机关负责流动人口的居住登记。”\n"
        "二、将第八条中的“暂住证”修改为“居住证”。\n"
    )
    doc = Document(id="amend", title="", text=text)
    assert extract_measures(doc, parse_outline(text, "amend")) == []


def test_an_attached_table_typed_as_text_gives_no_measures():
    # shaped like gov_cn_2019_html/009 (推广清单): the notice lists the reforms, the attachment is the same list
    # as a table (序号 / 改革举措 / 主要内容 … one cell a line) whose section rows are not action items
    text = (
        "国务院办公厅关于推广第二批支持创新相关改革举措的通知\n"
        "一、推广的改革举措\n"
        "（一）科技金融创新方面5项：区域性股权市场设置科技创新专板。\n"
        "（二）管理体制创新方面3项：允许地方高校自主开展人才引进。\n"
        "二、认真抓好组织实施\n各地区要加强组织领导。\n"
        "附件：第二批支持创新相关改革举措推广清单\n"
        "附件\n第二批支持创新相关改革举措推广清单\n"
        "序号\n改革举措\n主 要 内 容\n指导部门\n推广范围\n"
        "一、科技金融创新方面（共5项）\n1\n区域性股权市场设置科技创新专板\n根据科技型中小企业的特点推出专板。\n"
        "中国证监会\n8个改革试验区域\n"
        "二、管理体制创新方面（共3项）\n2\n允许地方高校自主开展人才引进\n高校自主评审。\n教育部\n全国\n"
    )
    title = "国务院办公厅关于推广第二批支持创新相关改革举措的通知"
    found = measures_of(text, "t", title)
    assert [m.path for m in found] == [
        ["一、推广的改革举措", "（一）"],
        ["一、推广的改革举措", "（二）"],
        ["二、认真抓好组织实施"],
    ]
    # the same attachment as prose (no 序号 header) is an attached plan: its sections are measures
    prose = text.replace("序号\n改革举措\n主 要 内 容\n指导部门\n推广范围\n", "")
    assert any(m.path[0].startswith("附件") for m in measures_of(prose, "t", title))


# --- round 3: instruments, statutes and the shapes that are no measures --------------------------------------


def _instrument_measures(title: str, agency: str = "某市科学技术局", category: str = "") -> list[list[str]]:
    text = (
        "第一章 总则\n第一条 为鼓励科技创新，根据有关规定，制定本办法。\n第二条 本办法适用于本市企业。\n"
        "第二章 支持措施\n第三条 对新认定的高新技术企业，给予一次性奖励20万元。\n"
        "第四条 市科技局应当加强对企业研发活动的宣传。\n第五条 申请奖励的企业应当提交下列材料。\n"
        "第三章 附则\n第六条 本办法自印发之日起施行。\n"
    )
    doc = Document(id="t", title=title, text=text, agency=agency, category=category)
    return [m.path for m in extract_measures(doc, parse_outline(text, "t", title))]


def test_the_support_and_promotion_articles_of_an_instrument_are_its_measures() -> None:
    assert _instrument_measures("某市科技创新奖励办法") == [
        ["第二章支持措施", "第三条"],
        ["第二章支持措施", "第四条"],
    ]


def test_a_statute_has_no_measures_whoever_wrote_its_articles() -> None:
    assert _instrument_measures("某市科技创新促进条例") == []  # a 条例
    assert (
        _instrument_measures("某市科技创新奖励办法", agency="某市人民代表大会常务委员会") == []
    )  # a legislature
    assert (
        _instrument_measures("某市科技创新奖励办法", category="地方性法规/某省") == []
    )  # the source says so


def test_rules_of_procedure_holidays_and_approvals_are_no_measures() -> None:
    assert measures_of("一、总则\n（一）坚持依法行政。\n（二）坚持民主决策。\n", title="国务院工作规则") == []
    holidays = "一、元旦：1月1日放假，共1天。\n二、春节：2月4日至10日放假调休，共7天。\n"
    assert measures_of(holidays, title="国务院办公厅关于2019年部分节假日安排的通知") == []
    approvals = "一、原则同意《规划》。\n二、原则同意《规划》提出的岸线方案。\n三、你市要加强对《规划》实施的组织领导。\n"
    assert [m.number for m in measures_of(approvals, title="关于鹰潭港总体规划的批复")] == ["三、"]


def test_a_five_year_plan_summarised_in_a_work_report_is_not_this_years_work() -> None:
    text = (
        "一、2025年工作回顾\n（一）经济平稳增长。\n二、“十五五”时期主要目标任务\n（一）推进创新驱动。\n"
        "（二）推进绿色转型。\n三、2026年重点工作\n（一）扩大内需。\n（二）发展新质生产力。\n"
    )
    assert [m.path for m in measures_of(text, title="2026年某省政府工作报告")] == [
        ["三、2026年重点工作", "（一）"],
        ["三、2026年重点工作", "（二）"],
    ]


def test_a_clause_that_lays_down_rules_or_sets_up_bodies_is_one_measure() -> None:
    rules = "一、严格野外火源管控。进入林区应当遵守以下规定：\n（一）严禁吸烟。\n（二）严禁烧纸。\n二、加强值守。\n"
    assert [m.number for m in measures_of(rules, title="某市森林防火命令")] == [
        "一、",
        "二、",
    ]  # a 命令's items act
    bodies = "一、组织形式\n（一）成立工作小组。\n（二）设立办事机构。下设：\n1.监督组。负责监督。\n2.专家组。负责评审。\n"
    assert [m.number for m in measures_of(bodies, title="某试点方案")] == ["（一）", "（二）"]


def test_a_title_led_by_an_action_verb_is_an_action_whatever_it_names() -> None:
    assert (
        is_non_action_title("职责分工")
        and is_non_action_title("支持对象")
        and is_non_action_title("申报及审核")
    )
    assert not is_non_action_title("明确部门职责分工")
    assert not is_non_action_title("适度扩大低保覆盖范围")
    assert not is_non_action_title("以保障和改善民生为根本，确保民生工作取得新成绩")


def test_a_list_of_names_and_posts_is_no_measure() -> None:
    """A 组成人员名单 (a name, a gap, a post on each line) lists people, not actions; a 工作要求 followed by an
    unlabelled list of members is still one measure (corpus: 3 of 3,222 measures were such lists)."""
    roster = (
        "某市人民政府办公室关于调整某市科技领导小组组成人员的通知\n现将调整后的组成人员名单通知如下：\n"
        "一、领导小组成员\n组　长：张　三　　市长\n副组长：李四光　　副市长\n王五一　　市科技局局长\n"
        "二、专家委员（按姓氏笔划为序）\n马　一　　教授、某大学原校长\n王小二　　研究员、某研究院副院长\n"
        "刘　三　　正高级教师、某实验小学校长\n"
        "三、工作要求\n各成员单位要按照职责分工，认真落实领导小组确定的工作任务。\n"
        "某市科技领导小组成员名单\n组　长：张　三　　市长\n成　员：赵　六　　市财政局局长\n钱　七　　市教育局局长\n"
        "孙　八　　市人社局局长\n"
    )
    assert [m.number for m in measures_of(roster, title="关于调整某市科技领导小组组成人员的通知")] == ["三、"]
    assert is_roster("二、专家委员\n马　一　　教授\n王小二　　研究员、某研究院副院长\n刘　三　　校长\n")
    assert not is_roster("（一）加强组织领导。\n1.成立专班。\n2.定期调度。\n3.严格考核。\n")
    assert not is_roster("（二）名单\n张三\n李四\n")  # names without posts: too little to tell
