"""Cited titles 《…》 and 文号 (kb.extract.references)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import corpus_file
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.references import find_references, normalize_doc_number, normalize_title, resolve
from kb.model import Clause, Document, Reference

DOC = "000_3ccc218f3f77786b"


def doc_of(text: str, title: str = "", doc_number: str = "", doc_id: str = "d1") -> Document:
    return Document(id=doc_id, title=title, text=text, doc_number=doc_number)


def clause(cid: str, text: str, part: str, children: list[Clause] | None = None) -> Clause:
    start = text.index(part)
    return Clause(
        id=cid,
        doc_id=DOC,
        label="",
        style="",
        level=cid.count("."),
        heading="",
        span=(start, start + len(part)),
        label_span=(start, start),
        heading_span=(start, start),
        ordinal=1,
        children=children or [],
    )


@pytest.fixture(scope="module")
def seed_doc(seed_path: Path) -> Document:
    return doc_of(seed_path.read_text(encoding="utf-8"), title="十堰市2019年科技创新工作要点", doc_id=DOC)


def test_seed_titles_are_found_in_reading_order(seed_doc: Document) -> None:
    refs = find_references(seed_doc, [])
    assert [r.text for r in refs] == [
        "《湖北省高质量发展评价与考核办法(试行)》",
        "《十堰市贯彻落实科技创新重点任务分工方案》",
        "《2018—2020年十堰市高新技术产业发展行动计划》",
        "《关于县域创新驱动发展的若干意见》",
        "《关于县域创新驱动发展的实施意见》",
    ]
    for ref in refs:
        assert ref.form == "title"
        assert ref.doc_id == DOC
        assert seed_doc.text[ref.span[0] : ref.span[1]] == ref.text
    # The quoted project names in (八) are in “”, not 《》: not references.
    assert not any("娑罗子" in r.text for r in refs)


def test_each_reference_carries_its_innermost_clause(seed_doc: Document) -> None:
    text = seed_doc.text
    measures_start = text.index("三、主要措施")
    county = text[text.index("(九)") : text.index("(十)")].rstrip("\n")
    goals = text[text.index("二、主要目标") : measures_start].rstrip()
    outline = [
        clause(f"{DOC}.s2", text, goals),
        clause(f"{DOC}.s3", text, text[measures_start:], [clause(f"{DOC}.s3.9", text, county)]),
    ]
    by_text = {r.text: r.clause_id for r in find_references(seed_doc, outline)}
    assert by_text["《湖北省高质量发展评价与考核办法(试行)》"] == f"{DOC}.s2"
    assert by_text["《十堰市贯彻落实科技创新重点任务分工方案》"] == f"{DOC}.s3"
    assert by_text["《关于县域创新驱动发展的若干意见》"] == f"{DOC}.s3.9"


def test_own_title_and_own_doc_number_are_not_references() -> None:
    text = (
        "国务院关于印发A方案的通知\n国发〔2019〕4号\n现将《A方案》印发给你们。《国务院关于印发A方案的通知》"
    )
    refs = find_references(doc_of(text, title="国务院关于印发A方案的通知", doc_number="国发〔2019〕4号"), [])
    assert [r.text for r in refs] == ["《A方案》"]


def test_defined_short_names_are_not_references() -> None:
    text = "实施《国家组织药品集中采购和使用试点方案》(以下简称《方案》)。各地要按照《方案》要求推进。"
    assert [r.text for r in find_references(doc_of(text), [])] == ["《国家组织药品集中采购和使用试点方案》"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("按照国办发〔2018〕126号文件要求", ["国办发〔2018〕126号"]),
        ("《国务院关于促进融资担保行业加快发展的意见》（国发〔2015〕43号）", ["国发〔2015〕43号"]),
        ("根据鄂政办发[2018]12号和国发(2019)4号精神", ["鄂政办发[2018]12号", "国发(2019)4号"]),
        ("见赣府厅字【2019】22号", ["赣府厅字【2019】22号"]),
        ("依据国市监竞争［２０１９］１４５号", ["国市监竞争［２０１９］１４５号"]),
        ("按国办发（1985）49号执行", ["国办发（1985）49号"]),
        ("集团公司有关问题的批复国函〔1990〕12号", ["国函〔1990〕12号"]),
        ("市人民政府京政发〔1991〕3号", ["京政发〔1991〕3号"]),
        ("最高人民法院以法发〔2016〕3号印发", ["法发〔2016〕3号"]),
        ("国办函〔2019〕第5号", ["国办函〔2019〕第5号"]),
        ("2019年工作(2019)版第3号楼", []),
    ],
)
def test_doc_numbers_in_all_bracket_styles(text: str, expected: list[str]) -> None:
    refs = [r for r in find_references(doc_of(text), []) if r.form == "doc_number"]
    assert [r.text for r in refs] == expected
    for ref in refs:
        assert text[ref.span[0] : ref.span[1]] == ref.text


class _Text(HTMLParser):
    """Visible text of an HTML page, one line per block (enough for a reference test)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style", "title"}:
            self._skip += 1
        if tag in {"p", "br", "div", "tr"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "title"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@pytest.mark.corpus
def test_gov_cn_page_cites_a_title_and_its_doc_number() -> None:
    path = corpus_file("gov_cn_2019_html/001_2efa4af7b90955c2.html")
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    text = "".join(parser.parts)
    doc = doc_of(
        text,
        title="国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见",
        doc_number="国办发〔2019〕6号",
        doc_id=path.stem,
    )
    refs = find_references(doc, [])
    assert [(r.form, r.text) for r in refs] == [
        ("title", "《国务院关于促进融资担保行业加快发展的意见》"),
        ("doc_number", "国发〔2015〕43号"),
    ]
    assert all(text[r.span[0] : r.span[1]] == r.text for r in refs)
    resolve(
        refs, {"国务院关于促进融资担保行业加快发展的意见": "gov-2015-43"}, {"国发〔2015〕43号": "gov-2015-43"}
    )
    assert [r.resolved_id for r in refs] == ["gov-2015-43", "gov-2015-43"]


def test_normalised_keys() -> None:
    assert (
        normalize_doc_number("国发(２０１９)04号")
        == normalize_doc_number("国发〔2019〕4号")
        == "国发〔2019〕4号"
    )
    assert normalize_doc_number("鄂政办发【2018】第12号") == "鄂政办发〔2018〕12号"
    assert normalize_title("《2018—2020年 十堰市行动计划》") == normalize_title("2018-2020年十堰市行动计划")
    assert normalize_title("《办法（试行）》") == normalize_title("办法(试行)")


def ref(text: str, form: str = "title") -> Reference:
    return Reference(doc_id="d1", text=text, form=form, span=(0, len(text)))


def test_resolve_by_title_and_by_doc_number() -> None:
    refs = [
        ref("《湖北省高质量发展评价与考核办法（试行）》"),
        ref("《湖北省高质量发展评价与考核办法》"),
        ref("《关于县域创新驱动发展的若干意见》"),
        ref("国办发[2017]43号", "doc_number"),
        ref("《不在库中的文件》"),
    ]
    titles = {
        "湖北省高质量发展评价与考核办法(试行)": "hb-trial",
        "国务院办公厅关于县域创新驱动发展的若干意见": "gb-county",
    }
    resolve(refs, titles, {"国办发〔2017〕43号": "gb-county"})
    assert [r.resolved_id for r in refs] == ["hb-trial", "", "gb-county", "gb-county", ""]


def test_a_bare_guanyu_title_resolves_only_when_unambiguous() -> None:
    refs = [ref("《关于加强安全生产工作的通知》")]
    resolve(
        refs,
        {"甲省人民政府关于加强安全生产工作的通知": "a", "乙市人民政府关于加强安全生产工作的通知": "b"},
        {},
    )
    assert refs[0].resolved_id == ""


def test_a_reference_never_resolves_to_its_own_document() -> None:
    refs = [ref("《本文件》")]
    resolve(refs, {"本文件": "d1"}, {})
    assert refs[0].resolved_id == ""


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("《》〔〕[]()（）【】０１２９0129号第发国办鄂政字关于的通知根据\n 　a")
        ),
        max_size=120,
    )
    | st.text(max_size=200)
)
def test_find_references_never_raises_and_spans_slice_to_the_text(text: str) -> None:
    for found in find_references(doc_of(text, title="通知"), []):
        assert text[found.span[0] : found.span[1]] == found.text
        assert found.form in {"title", "doc_number"}
