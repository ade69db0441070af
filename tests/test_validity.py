"""Validity as a legal database shows it (kb.extract.validity): 效力级别 from the source, the issuer and the genre;
施行日期 and the last day in force from what the text or the source says of the document itself; the status on a
day passed in (现行有效, 尚未施行, 已失效, and what the sources say: 已修改, 已废止)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import corpus_file, corpus_folder

from kb.extract.doctype import document_genre
from kb.extract.validity import LEVELS, STATUSES, document_validity, in_force, level_of, status_on
from kb.model import Document, Validity


def level(title: str, agency: str, doc_number: str = "", category: str = "") -> str:
    return level_of(title, agency, document_genre(title), doc_number, category)[0]


# --- 效力级别 ---------------------------------------------------------------------------------------------


def test_the_source_classification_is_taken_first() -> None:
    assert level_of("上海口岸服务条例", "上海市人民代表大会常务委员会", "条例", "", "地方性法规/上海") == (
        "地方性法规",
        "来源分类：地方性法规",
    )
    assert (
        level("关于审理非法行医刑事案件具体应用法律若干问题的解释", "", category="司法解释/刑法")
        == "司法解释"
    )
    # A folder of local regulations holding a government's rules: the issuer decides.
    assert level("上海市某管理办法", "上海市人民政府", category="地方性法规/上海") == "地方政府规章"


@pytest.mark.parametrize(
    ("title", "agency", "doc_number", "expected"),
    [
        ("中华人民共和国专利法", "全国人民代表大会常务委员会", "", "法律"),
        ("专利代理条例", "国务院", "国令第706号", "行政法规"),
        ("国务院关于职工工作时间的规定", "国务院", "", "行政法规"),
        ("某市促进科技创新条例", "某市人民代表大会常务委员会", "", "地方性法规"),
        ("江西省行政规范性文件管理办法", "江西省人民政府", "江西省人民政府令第242号", "地方政府规章"),
        ("专利代理管理办法", "国家市场监督管理总局", "国家市场监督管理总局令第6号", "部门规章"),
        ("最高人民法院关于审理专利纠纷案件适用法律问题的若干规定", "最高人民法院", "", "司法解释"),
        ("中国共产党纪律处分条例", "中共中央", "", "党内法规"),
        ("中共中央 国务院关于实施乡村振兴战略的意见", "中共中央、国务院", "", "党内规范性文件"),
        ("国务院关于促进综合保税区高水平开放高质量发展的若干意见", "国务院", "国发〔2019〕3号", "规范性文件"),
        (
            "十堰市科技局关于印发科技计划项目管理办法的通知",
            "十堰市科学技术局",
            "十科发〔2020〕3号",
            "规范性文件",
        ),
        ("十堰市2019年科技创新工作要点", "十堰市科学技术局", "", "工作文件"),
        ("2025年中华人民共和国国务院政府工作报告", "国务院", "", "工作文件"),
        ("国务院关于河北雄安新区总体规划（2018—2035年）的批复", "国务院", "国函〔2018〕159号", "工作文件"),
        ("第十四届全国人民代表大会第三次会议关于政府工作报告的决议", "全国人民代表大会", "", "工作文件"),
    ],
)
def test_the_level_follows_the_issuer_and_the_genre(
    title: str, agency: str, doc_number: str, expected: str
) -> None:
    got, why = level_of(title, agency, document_genre(title), doc_number)
    assert got == expected and got in LEVELS
    assert agency in why  # it says why


def test_a_ministry_rule_without_an_order_number_is_a_normative_document() -> None:
    # Not issued by 令: a department's 办法 is a 规范性文件, not a 部门规章.
    assert level("科学技术部关于科技计划项目管理的办法", "科学技术部", "国科发〔2019〕1号") == "规范性文件"
    # 国家市场监督管理总局 contains 市 but is national; a city's bureau is local and makes no 规章.
    assert level("专利代理管理办法", "国家市场监督管理总局", "国家市场监督管理总局令第6号") == "部门规章"
    assert (
        level("某市市场监督管理局某管理办法", "某市市场监督管理局", "某市市场监督管理局令第1号")
        == "规范性文件"
    )


def test_nothing_known_gives_no_level() -> None:
    assert level_of("", "", "") == ("", "")
    assert level_of("art_5060_12345", "", "") == ("", "")


# --- 施行日期 and the last day in force ---------------------------------------------------------------------


def test_a_stated_start_of_the_document_itself_is_read() -> None:
    text = "第四十条 本条例自2019年3月1日起施行。"
    assert in_force(text, "专利代理条例")[:2] == ("2019-03-01", "自2019年3月1日起施行")
    notice = "《专利代理条例》已经2018年9月6日国务院第23次常务会议修订通过，现将修订后的《专利代理条例》公布，自2019年3月1日起施行。"
    assert in_force(notice, "专利代理条例")[0] == "2019-03-01"
    # Full-width digits and Chinese numerals.
    assert in_force("本办法自２０１１年１１月１日起施行。", "某办法")[0] == "2011-11-01"
    assert in_force("本规定自二〇二〇年一月一日起施行。", "某规定")[0] == "2020-01-01"


def test_another_documents_start_is_not_this_ones() -> None:
    text = "《中华人民共和国民法典》自2021年1月1日起施行以来，各地认真贯彻。本意见自印发之日起实施。"
    assert in_force(text, "关于贯彻民法典的意见", "2021-06-01")[:2] == ("2021-06-01", "自印发之日起实施")
    assert in_force("《某法》自2021年1月1日起施行。", "另一部规定")[0] == ""


def test_from_its_issue_needs_a_full_date() -> None:
    assert in_force("本办法自发布之日起施行。", "某办法", "2020-05-09")[0] == "2020-05-09"
    assert in_force("本办法自发布之日起施行。", "某办法", "2020")[0] == ""


def test_the_end_of_a_term_is_counted_from_the_start() -> None:
    assert in_force("本办法自2020年1月1日起施行，有效期5年。", "某办法")[2:] == ("2024-12-31", "有效期5年")
    assert in_force("本通知自发布之日起实施，试行两年。", "某通知", "2021-03-01")[2] == "2023-02-28"
    assert (
        in_force("本意见自印发之日起施行，有效期至2025年12月31日。", "某意见", "2021-03-01")[2]
        == "2025-12-31"
    )
    assert in_force("本办法有效期为3年。", "某办法", "2021-03-01")[2] == "2024-02-29"
    # 29 February plus a year: the term ends on the last day of February.
    assert in_force("本办法自2024年2月29日起施行，有效期1年。", "某办法")[2] == "2025-02-28"


def test_a_licences_term_is_not_the_documents() -> None:
    text = "第三十三条 护士执业注册有效期为5年。\n第三十五条 本条例自2008年5月12日起施行。"
    assert in_force(text, "护士条例", "2008-01-31") == ("2008-05-12", "自2008年5月12日起施行", "", "")


def test_a_lawrefbook_history_line_gives_the_start() -> None:
    history = "2006年3月1日 某市人民代表大会常务委员会通过\n2007年1月1日 施行"
    assert in_force("第一条 为了……", "某市条例", "2006-03-01", history)[:2] == (
        "2007-01-01",
        "2007年1月1日 施行",
    )


# --- status on a day -----------------------------------------------------------------------------------------


def test_the_status_is_computed_for_the_day_passed_in() -> None:
    v = Validity(in_force_from="2019-03-01", in_force_until="2024-12-31")
    assert status_on(v, "", date(2019, 2, 28))[0] == "尚未施行"
    assert status_on(v, "", date(2019, 3, 1))[0] == "现行有效"
    assert status_on(v, "", date(2024, 12, 31))[0] == "现行有效"
    assert status_on(v, "", date(2025, 1, 1)) == ("已失效", "有效期至2024-12-31")
    # What the sources say comes first; nothing said and no dates: in force, and it says why.
    assert status_on(v, "已废止", date(2020, 1, 1))[0] == "已废止"
    assert status_on(Validity(), "", date(2026, 1, 1)) == ("现行有效", "未见施行日期、有效期或废止的记载")
    assert {status_on(v, s, date(2020, 1, 1))[0] for s in ("", "已修改", "已废止", "已失效")} <= set(STATUSES)


def test_document_validity_puts_level_and_dates_together() -> None:
    doc = Document(
        id="d",
        title="某市科技计划项目管理办法",
        text="第三十条 本办法自2020年1月1日起施行，有效期5年。",
        agency="某市人民政府",
        date="2019-12-20",
        doc_number="某市人民政府令第3号",
    )
    doc.genre = document_genre(doc.title)
    v = document_validity(doc)
    assert (v.level, v.in_force_from, v.in_force_until) == ("地方政府规章", "2020-01-01", "2024-12-31")
    assert v.from_basis and v.until_basis and v.level_basis


# --- on the corpus ---------------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_the_patent_agency_regulation_is_an_administrative_regulation_in_force() -> None:
    """专利代理条例 (国令第706号): 行政法规, 施行日期 2019-03-01, 现行有效 (issue 30's check)."""
    path = corpus_file("gov_cn_2019_html/057_cdc7c1add993fdf4.html")
    from kb.extract.pipeline import make_document
    from kb.readers import read

    doc = make_document(read(path), path.stem, "gov_cn_2019_html/" + path.name)
    assert doc.title == "专利代理条例"
    v = doc.validity
    assert (v.level, v.in_force_from) == ("行政法规", "2019-03-01")
    assert status_on(v, "", date(2026, 12, 7))[0] == "现行有效"
    assert status_on(v, "", date(2019, 1, 1))[0] == "尚未施行"


@pytest.mark.corpus
def test_every_lawrefbook_document_gets_its_level_from_its_folder() -> None:
    paths = sorted(corpus_folder("laws_lawrefbook").glob("*.md"))[:60]
    assert paths
    from kb.extract.pipeline import make_document
    from kb.readers import read

    levels = [make_document(read(p), p.stem, "laws_lawrefbook/" + p.name).validity for p in paths]
    assert all(v.level in LEVELS and v.level_basis.startswith("来源分类") for v in levels)
    assert sum(1 for v in levels if v.in_force_from) >= len(levels) * 0.8
