"""文种 and plan periods read from titles (kb.extract.doctype); law validity from the sources (kb.extract.validity)."""

from __future__ import annotations

import pytest
from conftest import corpus_folder

from kb.extract.doctype import GENRES, Period, document_genre, period_status, plan_period
from kb.extract.references import find_references
from kb.extract.validity import ABOLISHES, law_status, mark_abolitions, source_status
from kb.model import Document


@pytest.mark.parametrize(
    "title, kind",
    [
        ("国务院关于印发国家职业教育改革实施方案的通知", "通知"),
        ("中共中央 国务院关于实施乡村振兴战略的意见", "意见"),
        ("国务院办公厅关于加快发展体育竞赛表演产业的指导意见", "意见"),
        ("十堰市2019年科技创新工作要点", "要点"),
        ("某市科技创新三年行动计划（2024—2026年）", "计划"),
        ("国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "规划"),
        ("2019年国务院政府工作报告", "报告"),
        ("个人所得税专项附加扣除暂行办法", "办法"),
        ("专利代理条例", "条例"),
        ("中华人民共和国个人所得税法", "法律"),
        ("中华人民共和国公司法", "法律"),
        ("中华人民共和国立法法", "法律"),
        ("中华人民共和国刑法修正案（十一）", "法律"),
        ("中华人民共和国民法典 物权编", "法律"),
        ("人民检察院刑事诉讼规则（试行）", "规则"),
        ("最高人民法院关于审理名誉权案件若干问题的解答", "解释"),
        ("国务院关于河北雄安新区总体规划（2018—2035年）的批复", "批复"),
        ("国务院办公厅关于科技节水建议的复函", "函"),
        ("湖北省科学技术厅关于支持创新的若干措施", "措施"),
        ("关于做好科技工作的几点想法", ""),
        ("", ""),
    ],
)
def test_document_kind_is_the_titles_ending(title: str, kind: str) -> None:
    assert document_genre(title) == kind
    assert kind == "" or kind in GENRES


@pytest.mark.parametrize(
    "title, period",
    [
        ("十堰市2019年科技创新工作要点", Period(2019, 2019)),
        ("某市科技创新三年行动计划（2024—2026年）", Period(2024, 2026)),
        ("安徽省工业互联网创新发展行动计划（2021-2023年）的通知", Period(2021, 2023)),
        ("湖北省“十三五”科技创新规划", Period(2016, 2020)),
        ("国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", Period(2021, 2025)),
        ("国务院关于河北雄安新区总体规划（2018—2035年）的批复", Period(2018, 2035)),
        ("中华人民共和国个人所得税法", None),  # not a plan
        ("关于2018年度国家科学技术奖励的决定", None),
        ("某市科技创新三年行动计划", None),  # a plan without years
    ],
)
def test_plan_period_from_the_title(title: str, period: Period | None) -> None:
    assert plan_period(title) == period


def test_period_status() -> None:
    assert period_status(Period(2019, 2019), 2026) == "已到期"
    assert period_status(Period(2024, 2026), 2026) == "执行中"
    assert period_status(Period(2027, 2030), 2026) == "未开始"
    assert period_status(None, 2026) == ""
    assert str(Period(2024, 2026)) == "2024–2026" and str(Period(2019, 2019)) == "2019"


# --- validity --------------------------------------------------------------------------------------------


def test_a_stated_status_or_a_status_line_is_taken_as_written() -> None:
    assert source_status("已废止", [])[0] == "已废止"
    assert source_status("", ["2010年1月1日 某市人大常委会通过", "【时效性：现行有效】"])[0] == "现行有效"
    assert source_status("", ["2021年9月24日 北京市人大常委会决定废止"])[0] == "已废止"
    # History lines of adoption and amendment say nothing about validity.
    lines = [
        "1992年9月19日 北京市人大常委会通过",
        "2010年12月23日 北京市人大常委会《关于修改部分地方性法规的决定》修正",
    ]
    assert source_status("", lines) == ("", "")


def decision() -> Document:
    text = (
        "北京市第十五届人民代表大会常务委员会第三十三次会议决定：\n\n"
        "一、废止《北京市社会治安综合治理条例》（1992年9月19日北京市第九届人民代表大会常务委员会第三十六次会议通过）\n\n"
        "二、根据《中华人民共和国立法法》的规定，本决定自公布之日起施行。\n"
    )
    return Document(
        id="decision", title="北京市人民代表大会常务委员会关于废止部分地方性法规的决定", text=text
    )


def test_abolitions_are_marked_on_the_references_that_say_so() -> None:
    doc = decision()
    refs = find_references(doc, [])
    mark_abolitions(doc.text, refs)
    marked = {r.text: r.relation for r in refs}
    assert marked["《北京市社会治安综合治理条例》"] == ABOLISHES
    assert marked["《中华人民共和国立法法》"] == ""  # cited, not abolished
    text = "第四十二条 本规定自2021年3月1日起施行。2008年12月25日…通过的《上海市房地产登记条例》同时废止。"
    new_law = Document(id="new", title="上海市不动产登记若干规定", text=text)
    refs = find_references(new_law, [])
    mark_abolitions(new_law.text, refs)
    assert [r.relation for r in refs] == [ABOLISHES]


def test_law_status_prefers_the_source_then_abolitions_then_later_versions() -> None:
    history = "1992年9月19日 通过\n2010年12月23日 修正"
    repealed = law_status(
        "", history, "2010-12-23", abolished_by=[("decision", "关于废止部分地方性法规的决定", "2021-09-24")]
    )
    assert repealed.status == "已废止" and repealed.by == "decision" and "2021-09-24" in repealed.reason
    assert repealed.history == ("1992年9月19日 通过", "2010年12月23日 修正")
    # An abolition dated before this version does not concern it (the law was adopted again later).
    assert law_status("", "", "2022-01-01", abolished_by=[("d", "决定", "2021-09-24")]).status == ""
    amended = law_status("", "", "2020-04-10", later_versions=[("v2", "2024-09-27")])
    assert amended.status == "已修改" and amended.by == "v2"
    assert law_status("", "", "2024-09-27", later_versions=[("v1", "2020-04-10")]).status == ""
    assert (
        law_status("现行有效", "", "2020-04-10", later_versions=[("v2", "2024-09-27")]).status == "现行有效"
    )
    assert law_status("", "", "").status == ""  # nothing said: nothing shown


@pytest.mark.corpus
def test_the_lawrefbook_preamble_is_kept_as_history() -> None:
    from kb.readers.markdown import read_markdown

    candidates = sorted(corpus_folder("laws_lawrefbook").glob("*.md"))
    assert candidates
    for path in candidates[:50]:
        raw, _ = read_markdown(path.read_bytes())
        head = path.read_text(encoding="utf-8").split("<!-- INFO END -->")[0]
        lines = [line.strip() for line in head.splitlines()[1:] if line.strip()]
        assert raw.meta.get("history", "") == "\n".join(lines), path.name
        assert "<!-- INFO END -->" not in raw.text
