"""Metadata read from the body when the file's header lacks it (kb.extract.metadata): title line, the title a
印发 notice issues, 文号 near the top, the agency at the head of the title, the 落款 date."""

from __future__ import annotations

import pytest
from conftest import corpus_file

from kb.extract.metadata import agency_of_title, doc_number_in, from_body, signature_date, title_line

NOTICE = (
    "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见\n"
    "赣府厅发〔2020〕6号\n"
    "各市、县（区）人民政府，省政府各部门：\n"
    "为促进全省婴幼儿照护服务事业健康发展，根据《国务院办公厅关于促进3岁以下婴幼儿照护服务发展的指导意见》"
    "（国办发〔2019〕15号）精神，提出如下实施意见。\n"
    "一、总体要求\n到2020年，每个设区市建成1—2个示范机构。\n"
    "2020年2月21日\n"
)


def test_title_number_agency_and_date_of_a_notice() -> None:
    assert from_body(NOTICE, {}) == {
        "title": "江西省人民政府办公厅关于促进3岁以下婴幼儿照护服务发展的实施意见",
        "doc_number": "赣府厅发〔2020〕6号",
        "agency": "江西省人民政府办公厅",
        "date": "2020-02-21",
    }


def test_the_header_wins_and_a_year_is_completed_by_the_signature() -> None:
    meta = {"title": "十堰市2019年科技创新工作要点", "agency": "十堰市科学技术局", "date": "2020"}
    out = from_body(NOTICE, meta)
    assert out["title"] == meta["title"] and out["agency"] == meta["agency"]
    assert out["date"] == "2020-02-21"  # same year: completed
    assert from_body(NOTICE, {"date": "2019"})["date"] == "2019"  # another year: left as the header says
    assert meta == {"title": "十堰市2019年科技创新工作要点", "agency": "十堰市科学技术局", "date": "2020"}


def test_a_cited_number_is_not_the_documents_own() -> None:
    body = "为贯彻落实《国务院关于促进融资担保行业加快发展的意见》（国发〔2015〕43号），制定本措施。\n"
    assert doc_number_in(body) == ""
    # a flat text: the title runs into the number, and is cut off first
    flat = "国务院关于加强地方政府性债务管理的意见国发〔2014〕43号各省、自治区、直辖市人民政府："
    assert doc_number_in(flat, "国务院关于加强地方政府性债务管理的意见") == "国发〔2014〕43号"


def test_the_title_a_notice_issues_when_its_own_is_missing() -> None:
    # a crawl kept the 主送 line (broken in two) and the notice's sentence, not the notice's title
    body = (
        "各\n市、县（区）人民政府，省政府各部门：\n"
        "《关于完善政府性融资担保体系切实支持小微企业和“三农”发展的若干措施》已经省政府同意，现印发给你们，请认真贯彻执行。\n"
        "2020年3月16日\n（此件主动公开）\n"
        "为贯彻落实《国务院关于促进融资担保行业加快发展的意见》，提出以下措施。\n"
        "1.扩大融资担保业务规模。\n"
    )
    out = from_body(body, {})
    assert out["title"] == "关于完善政府性融资担保体系切实支持小微企业和“三农”发展的若干措施"
    assert out["date"] == "2020-03-16"  # signed before the attached measures, not at the end of the text


def test_no_title_from_a_plain_opening_sentence() -> None:
    assert title_line("近期，江西省市场监督管理局组织开展了食品安全专项监督抽检。\n") == ""
    assert title_line("为做好疫情防控工作，印发了《关于依法从重从快的实施意见》。\n") == ""
    assert title_line("各市、县（区）人民政府：\n当前，全省疫情防控工作正处在决战攻坚阶段。\n") == ""


def test_an_effective_date_is_not_a_signature() -> None:
    assert signature_date("第三十条 本办法自2019年1月1日起施行。") == ""
    assert signature_date("本办法自印发之日起施行。\n\n二〇一九年三月一日\n") == "2019-03-01"


def test_agency_at_the_head_of_a_title() -> None:
    assert agency_of_title("国务院办公厅关于印发两个规定的通知") == "国务院办公厅"
    assert agency_of_title("关于金融支持防控疫情稳定经济增长的若干措施") == ""


@pytest.mark.corpus
def test_jiangxi_crawl_titles_and_dates_from_the_text() -> None:
    issued = corpus_file("jiangxi_gov_docs_2019/005_4231739ee1aec488.txt").read_text(encoding="utf-8")
    assert from_body(issued, {}) == {
        "title": "关于金融支持防控疫情稳定经济增长的若干措施",
        "date": "2020-02-09",
    }
    plain = corpus_file("jiangxi_gov_docs_2019/002_831bda2627ec45d5.txt").read_text(encoding="utf-8")
    assert "title" not in from_body(plain, {})  # a news item states no title: one is derived from its text


# --- titles derived for files that state none --------------------------------------------------------------


def test_a_reply_is_titled_by_the_request_it_answers() -> None:
    from kb.extract.metadata import derived_title

    text = "鹰潭市人民政府：\n你市《关于恳请批复鹰潭港总体规划的请示》（鹰府文〔2020〕5号）收悉。现批复如下。\n一、原则同意。\n"
    assert derived_title(text) == "关于鹰潭港总体规划的批复"


def test_an_announcing_sentence_names_the_subject_and_the_genre() -> None:
    from kb.extract.metadata import derived_title

    assert derived_title(
        "各设区市：\n现就新时代推进普通高中育人方式改革提出以下实施意见：\n一、总体要求\n"
    ) == ("关于新时代推进普通高中育人方式改革的实施意见")
    assert derived_title("为做好春耕备耕工作，现就有关事项通知如下：\n一、\n") == "关于做好春耕备耕工作的通知"
    assert (
        derived_title("现将《某局重点工作责任分工》印发给你们，请认真贯彻执行。")
        == "关于印发《某局重点工作责任分工》的通知"
    )


def test_else_the_first_heading_else_the_first_sentences_subject() -> None:
    from kb.extract.metadata import derived_title

    assert derived_title("江西省人民政府令\n第223号\n一、部门主要职责\n负责市场监管。\n") == "部门主要职责"
    assert (
        derived_title("在家做好自身和家人的安全防控措施，少出门，勤洗手。")
        == "在家做好自身和家人的安全防控措施"
    )
    assert derived_title("") == ""


def test_a_file_without_a_title_is_never_titled_by_its_file_name() -> None:
    from kb.extract.pipeline import make_document
    from kb.model import RawDocument

    doc = make_document(
        RawDocument("在家做好自身和家人的安全防控措施，少出门。"), "d", "x/023_9a8b7c6d5e4f3a2b.txt"
    )
    assert doc.title == "在家做好自身和家人的安全防控措施" and doc.title_derived
    stated = make_document(RawDocument("某市科技创新工作要点\n一、指导思想\n"), "d", "x/a.txt")
    assert stated.title == "某市科技创新工作要点" and not stated.title_derived
