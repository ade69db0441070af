"""Outline parser: numbering styles, hierarchy, verbatim spans (kb.extract.outline)."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import corpus_file
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.extract.outline import STYLES, parse_outline
from kb.model import Clause, Document
from kb.text.numerals import label_number

SEED_ID = "000_3ccc218f3f77786b"


# --- helpers: document bodies built without kb.readers -------------------------------------------


def header_body(path: Path) -> str:
    """Body of a file with the seed's header: the lines after the 文号 label's value line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    head = lines[:16]
    if "文号" not in head:
        return "\n".join(lines)
    return "\n".join(lines[head.index("文号") + 2 :])


def html_body(path: Path) -> str:
    """Crude tag stripper: every <p>/<br>/<div>/<tr> on its own line."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
    text = re.sub(r"(?i)</?(p|br|div|tr|h\d)\b[^>]*>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def markdown_body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[-1]


def any_body(path: Path) -> str:
    if path.suffix == ".html":
        return html_body(path)
    if path.suffix == ".md":
        return markdown_body(path)
    return header_body(path)


def any_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")[:4000]
    if path.suffix == ".html":
        m = re.search(r"<title>(.*?)</title>", text)
        return m.group(1) if m else ""
    if path.suffix == ".md":
        return text.split("\n", 1)[0].lstrip("# ").strip()
    lines = text.split("\n")
    return lines[0].strip() if "文号" in lines[:16] else ""


def walk(roots: list[Clause]):
    for root in roots:
        yield from root.walk()


def check_invariants(text: str, roots: list[Clause], doc_id: str = "d") -> None:
    """Spans are verbatim, nested and ordered; labels, headings and ids are consistent."""

    def check(clauses: list[Clause], lo: int, hi: int, level: int, prefix: str) -> None:
        prev_end = lo
        for i, c in enumerate(clauses, 1):
            start, end = c.span
            assert lo <= start <= end <= hi, (c.id, c.span, lo, hi)
            assert start >= prev_end, f"{c.id} overlaps its previous sibling"
            assert text[start:end].startswith(c.label)
            assert c.label_span == (start, start + len(c.label))
            assert text[c.label_span[0] : c.label_span[1]] == c.label
            assert text[c.heading_span[0] : c.heading_span[1]] == c.heading
            if c.heading:
                assert start <= c.heading_span[0] <= c.heading_span[1] <= end
            assert c.label or c.heading, c.id
            assert end == start or not text[end - 1].isspace()
            assert c.ordinal == i and c.level == level
            assert c.id == f"{prefix}{i}" and c.doc_id == doc_id
            assert c.style in STYLES
            check(c.children, start, end, level + 1, f"{c.id}.")
            prev_end = end

    check(roots, 0, len(text), 1, f"{doc_id}.s")


# --- the seed -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> tuple[str, list[Clause]]:
    text = header_body(seed_path)
    return text, parse_outline(text, SEED_ID)


def test_seed_body_starts_with_the_text(seed):
    text, _ = seed
    assert text.startswith("2019年是新中国成立70周年,")


def test_seed_top_sections(seed):
    text, roots = seed
    assert [(c.label, c.heading, c.style) for c in roots] == [
        ("一、", "指导思想", "cn"),
        ("二、", "主要目标", "cn"),
        ("三、", "主要措施", "cn"),
    ]
    assert [c.id for c in roots] == [f"{SEED_ID}.s1", f"{SEED_ID}.s2", f"{SEED_ID}.s3"]
    # The labels are indented with U+2002 (and a space): the span starts at the label itself.
    line_start = text.rfind("\n", 0, roots[0].span[0]) + 1
    assert text[line_start : roots[0].span[0]].strip() == ""
    assert "\u2002" in text[line_start : roots[0].span[0]]
    # The preamble is no clause.
    assert text[: roots[0].span[0]].strip().startswith("2019年是新中国成立70周年")
    check_invariants(text, roots, SEED_ID)


def test_seed_measure_items(seed):
    text, roots = seed
    items = roots[2].children
    labels = ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)"]
    assert [c.label for c in items] == labels
    assert all(c.style == "cn_paren" and c.level == 2 for c in items)
    assert items[5].id == f"{SEED_ID}.s3.6"
    assert items[5].heading == "着力加强知识产权保护与运用,增强科技创新驱动力。"
    assert text[slice(*items[5].span)].startswith("(六)着力加强知识产权保护与运用")
    assert text[slice(*items[5].span)].endswith("严厉打击侵犯知识产权和制售假冒伪劣商品违法行为。")
    # The last clause runs to the end of the text, minus trailing whitespace.
    assert items[-1].span[1] == roots[2].span[1] == len(text.rstrip())
    assert roots[0].children == []


def test_seed_dash_bullets(seed):
    text, roots = seed
    bullets = roots[1].children
    assert [c.label for c in bullets] == ["——", "——", "——"]
    assert [c.style for c in bullets] == ["dash"] * 3
    assert bullets[0].heading == "省政府高质量发展考核评价相关指标出色完成。"
    assert bullets[2].heading == "创先争优各项工作始终保持全市前列。"
    # A dash bullet ends with its paragraph.
    assert "\n" not in text[slice(*bullets[0].span)]


# --- synthetic texts, one per style -------------------------------------------------------------


def labels_of(roots: list[Clause]) -> list[tuple[int, str, str, str]]:
    return [(c.level, c.label, c.style, c.heading) for c in walk(roots)]


def parse(text: str) -> list[Clause]:
    roots = parse_outline(text, "t")
    check_invariants(text, roots, "t")
    return roots


def test_full_hierarchy_by_first_appearance():
    text = (
        "前言不是条款。\n"
        "一、总体要求\n"
        "（一）指导思想。坚持……\n"
        "1.第一点。内容。\n"
        "（1）细目甲；\n"
        "①圈一\n"
        "②圈二\n"
        "（2）细目乙。\n"
        "2．第二点。\n"
        "（二）基本原则\n"
        "二、重点任务\n"
    )
    assert labels_of(parse(text)) == [
        (1, "一、", "cn", "总体要求"),
        (2, "（一）", "cn_paren", "指导思想。"),
        (3, "1.", "arabic", "第一点。"),
        (4, "（1）", "arabic_paren", "细目甲；"),
        (5, "①", "circled", "圈一"),
        (5, "②", "circled", "圈二"),
        (4, "（2）", "arabic_paren", "细目乙。"),
        (3, "2．", "arabic", "第二点。"),
        (2, "（二）", "cn_paren", "基本原则"),
        (1, "二、", "cn", "重点任务"),
    ]


def test_arabic_styles_and_full_width_digits():
    text = "1.甲项。\n2．乙项。\n3、丙项。\n１．全角数字。\n⒌带点数字\n"
    roots = parse(text)
    assert [(c.label, c.style, c.level) for c in roots] == [
        ("1.", "arabic", 1),
        ("2．", "arabic", 1),
        ("3、", "arabic", 1),
        ("１．", "arabic", 1),
        ("⒌", "arabic", 1),
    ]
    assert roots[3].heading == "全角数字。"


def test_parens_full_width_ascii_and_mixed():
    text = "(一)甲\n（二）乙\n(三）丙\n（四)丁\n（1）子\n(2)丑\n⑶寅\n"
    assert labels_of(parse(text)) == [
        (1, "(一)", "cn_paren", "甲"),
        (1, "（二）", "cn_paren", "乙"),
        (1, "(三）", "cn_paren", "丙"),
        (1, "（四)", "cn_paren", "丁"),
        (2, "（1）", "arabic_paren", "子"),
        (2, "(2)", "arabic_paren", "丑"),
        (2, "⑶", "arabic_paren", "寅"),
    ]


def test_circled_numbers():
    roots = parse("④第四\n⑳第二十\n")
    assert [(c.label, c.style) for c in roots] == [("④", "circled"), ("⑳", "circled")]


def test_dash_bullets_nest_under_the_current_clause_and_stay_leaves():
    text = "一、目标\n——指标一完成。补充说明。\n—指标二。\n－－指标三。\n――指标四。\n（一）措施\n二、保障\n"
    roots = parse(text)
    assert labels_of(roots) == [
        (1, "一、", "cn", "目标"),
        (2, "——", "dash", "指标一完成。"),
        (2, "—", "dash", "指标二。"),
        (2, "－－", "dash", "指标三。"),
        (2, "――", "dash", "指标四。"),
        (2, "（一）", "cn_paren", "措施"),
        (1, "二、", "cn", "保障"),
    ]


def test_dateline_under_a_title_is_not_a_bullet():
    roots = parse("政府工作报告\n——2026年2月4日在第五次会议上\n——二〇二六年一月二十七日在会议上\n一、回顾\n")
    assert [c.label for c in roots] == ["一、"]


def test_chapters_sections_articles_with_chinese_numerals():
    text = (
        "## 第一章  总则\n\n"
        "第一条 为了规范管理，制定本条例。\n\n"
        "第二条　本条例适用于：\n（一）甲；\n（二）乙。\n\n"
        "## 第二章　管理\n\n"
        "### 第一节 一般规定\n\n"
        "第一百零二条 第一百零二条的内容。\n"
        "第十七条之一 插入的条文。\n"
        "### 第二节 特别规定\n\n"
        "第一百二十三条\n\n"
        "## 第三章　附　　则\n\n"
        "第二百条 本条例自公布之日起施行。\n"
    )
    roots = parse(text)
    assert labels_of(roots) == [
        (1, "第一章", "chapter", "总则"),
        (2, "第一条", "article", "为了规范管理，制定本条例。"),
        (2, "第二条", "article", "本条例适用于："),
        (3, "（一）", "cn_paren", "甲；"),
        (3, "（二）", "cn_paren", "乙。"),
        (1, "第二章", "chapter", "管理"),
        (2, "第一节", "section", "一般规定"),
        (3, "第一百零二条", "article", "第一百零二条的内容。"),
        (3, "第十七条之一", "article", "插入的条文。"),
        (2, "第二节", "section", "特别规定"),
        (3, "第一百二十三条", "article", ""),
        (1, "第三章", "chapter", "附　　则"),
        (2, "第二百条", "article", "本条例自公布之日起施行。"),
    ]
    # Markdown '#'s are not part of the clause; the previous clause ends before them.
    chapter2 = roots[1]
    assert text[slice(*chapter2.span)].startswith("第二章　管理")
    assert not text[slice(*roots[0].span)].endswith("#")


def test_spaced_general_provisions_heading_and_running_article_text():
    text = "总　　则\n\n第一条 目的。\n第二条规定的事项不在此列。\n附　则\n第三条 施行。\n"
    roots = parse(text)
    assert labels_of(roots) == [
        (1, "", "chapter", "总　　则"),
        (2, "第一条", "article", "目的。"),
        (1, "", "chapter", "附　则"),
        (2, "第三条", "article", "施行。"),
    ]


def test_markdown_headings_without_labels():
    text = "## 范围\n本标准规定……\n### 重伤\n内容\n### 轻伤\n## 总则\n### 鉴定原则\n"
    assert labels_of(parse(text)) == [
        (1, "", "heading", "范围"),
        (2, "", "heading", "重伤"),
        (2, "", "heading", "轻伤"),
        (1, "", "chapter", "总则"),
        (2, "", "heading", "鉴定原则"),
    ]


def test_indentation_u2002_u3000_and_tabs():
    text = "\u2002\u2002 一、甲\n\u3000\u3000（一）乙。\n\t1.丙\n"
    roots = parse(text)
    assert labels_of(roots) == [
        (1, "一、", "cn", "甲"),
        (2, "（一）", "cn_paren", "乙。"),
        (3, "1.", "arabic", "丙"),
    ]
    assert roots[0].span[0] == 3


@pytest.mark.parametrize(
    "line",
    [
        "2019年是新中国成立70周年。",
        "1.5亿元用于补贴。",
        "3、4月份开展检查。",
        "2019.6.1起施行。",
        "一是加强领导，二是完善制度。",
        "一、二类水体达标。",
        "第二条规定的情形除外。",
        "——",
        "(a)不是编号",
        "0.不是编号",
        "〇、不是编号",
    ],
)
def test_not_labels(line):
    assert parse_outline("前言。\n" + line + "\n", "t") == []


def test_inline_ordinals_are_not_clauses():
    roots = parse("一、总体要求\n一是加强领导。二是完善制度。\n")
    assert len(roots) == 1 and roots[0].children == []


def test_sequence_continuity_and_restarts():
    # (三) right after (一) is allowed as a sibling; a "1." inside a (一) list is a child.
    roots = parse("（一）甲\n（三）丙\n1.子\n（四）丁\n")
    assert labels_of(roots) == [
        (1, "（一）", "cn_paren", "甲"),
        (1, "（三）", "cn_paren", "丙"),
        (2, "1.", "arabic", "子"),
        (1, "（四）", "cn_paren", "丁"),
    ]
    # 一、 restarting inside an article is a nested list, and 第X条 continues afterwards.
    roots = parse("一、总则\n第一条 内容：\n一、甲；\n二、乙。\n第二条 内容。\n二、分则\n")
    assert labels_of(roots) == [
        (1, "一、", "cn", "总则"),
        (2, "第一条", "article", "内容："),
        (3, "一、", "cn", "甲；"),
        (3, "二、", "cn", "乙。"),
        (2, "第二条", "article", "内容。"),
        (1, "二、", "cn", "分则"),
    ]


def test_annex_closes_open_clauses():
    text = "三、措施\n（一）甲。\n附件\n1.民生实事一。\n2.民生实事二。\n名词解释\n1.术语：解释。\n"
    roots = parse(text)
    assert [(c.label, c.style) for c in roots] == [("三、", "cn"), ("附件", "annex"), ("名词解释", "annex")]
    assert [c.label for c in roots[1].children] == ["1.", "2."]


def test_heading_rules():
    long_lead = "加强" + "很长的引导句" * 30
    text = (
        "（一）着力优化政策环境,营造良好氛围。深入贯彻……\n"
        "（二）没有句号的行\n"
        f"（三）{long_lead}；后半句。\n"
        f"（四）{long_lead}，后半句。\n"
        "（五）\n"
        "单独一行的标题。正文。\n"
    )
    roots = parse(text)
    assert roots[0].heading == "着力优化政策环境,营造良好氛围。"
    assert roots[1].heading == "没有句号的行"
    assert roots[2].heading == long_lead
    assert roots[3].heading == long_lead
    assert roots[4].heading == "单独一行的标题。"


def test_label_numbers_are_read_by_the_one_numeral_parser():
    assert label_number("一") == 1
    assert label_number("十二") == 12
    assert label_number("二十") == 20
    assert label_number("一百零二") == 102
    assert label_number("一百二十三") == 123
    assert label_number("二〇") == 20
    assert label_number("12") == 12
    assert label_number("十十") is None
    assert label_number("〇") is None


# --- real documents -----------------------------------------------------------------------------


def test_state_council_plan_outline():
    path = corpus_file("gov_cn_2019_html/002_021a81bc4bdd63b7.html")
    text = html_body(path)
    roots = parse_outline(text, "g", "国务院关于印发国家职业教育改革实施方案的通知")
    check_invariants(text, roots, "g")
    # The notice issues the plan: the plan is an attached document (a part) with its own outline.
    assert [(c.style, c.label, c.heading) for c in roots] == [("attachment", "", "国家职业教育改革实施方案")]
    roots = roots[0].children
    assert [c.label for c in roots] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert roots[0].heading == "完善国家职业教育制度体系"
    items = [c for r in roots for c in r.children]
    assert [c.label for c in items][:3] == ["（一）", "（二）", "（三）"]
    assert items[19].label == "（二十）"
    assert items[0].heading == "健全国家职业教育制度框架。"


def test_law_outline_chapters_and_articles():
    path = corpus_file("laws_lawrefbook/0000_87b3ae685789802d.md")
    text = markdown_body(path)
    roots = parse_outline(text, "law")
    check_invariants(text, roots, "law")
    assert all(c.style == "chapter" for c in roots)
    assert roots[0].label == "第一章" and roots[0].heading == "总则"
    assert roots[1].label == "第二章" and roots[1].heading == "口岸开放"
    articles = [c for c in walk(roots) if c.style == "article"]
    assert [c.label for c in articles[:3]] == ["第一条", "第二条", "第三条"]
    assert all(c.level == 2 for c in articles)
    assert articles[0].heading.startswith("为了规范口岸开放")


# --- the whole shared corpus ---------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_parses_with_valid_spans(corpus_dir: Path):
    from kb.extract.measures import extract_measures

    clauses: Counter[str] = Counter()
    measures: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    for path in sorted(corpus_dir.glob("*/*")):
        if path.suffix not in {".txt", ".md", ".html"}:
            continue
        text = any_body(path)
        roots = parse_outline(text, path.stem)
        check_invariants(text, roots, path.stem)
        doc = Document(id=path.stem, title=any_title(path), text=text)
        found = extract_measures(doc, roots)
        for m in found:
            assert doc.text[m.span[0] : m.span[1]] == m.text
        collection = path.parent.name
        docs[collection] += 1
        clauses[collection] += sum(1 for _ in walk(roots))
        measures[collection] += len(found)
    assert sum(docs.values()) > 0
    for collection in sorted(docs):
        print(
            f"{collection}: {docs[collection]} docs, {clauses[collection]} clauses, {measures[collection]} measures"
        )


# --- property test -------------------------------------------------------------------------------

_LABELS = st.sampled_from(
    [
        "一、",
        "十二、",
        "（一）",
        "(二)",
        "（三)",
        "1.",
        "2．",
        "３、",
        "（1）",
        "(2)",
        "①",
        "⑳",
        "——",
        "—",
        "－－",
        "第一章",
        "第二节",
        "第一百零二条 ",
        "第三条之一 ",
        "总　　则",
        "附件",
        "附件1",
        "名词解释",
        "## ",
        "### 第一章 ",
        "#",
        "2019年",
        "1.5",
        "",
    ]
)
_INDENT = st.sampled_from(["", " ", "\u2002\u2002 ", "\u3000\u3000", "\t"])
_WORDS = st.text(
    alphabet=st.sampled_from(list("加强措施。，；：、（）()——1２.年一二三十第条章 \u3000\n#")), max_size=30
)


@st.composite
def outline_texts(draw) -> str:
    lines = draw(st.lists(st.tuples(_INDENT, _LABELS, _WORDS), max_size=25))
    text = "\n".join(indent + label + words for indent, label, words in lines)
    if draw(st.booleans()):
        text += draw(st.text(max_size=40))
    return text


@settings(max_examples=300, deadline=None)
@given(outline_texts())
def test_property_label_like_texts(text: str):
    check_invariants(text, parse_outline(text, "p"), "p")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_property_arbitrary_text(text: str):
    check_invariants(text, parse_outline(text, "p"), "p")


def test_the_innermost_clause_is_found_from_the_roots_or_a_flat_list(seed) -> None:
    from kb.extract.places import innermost_clause

    text, roots = seed
    flat = [clause for root in roots for clause in root.walk()]
    measure_six = text.index("着力加强知识产权保护与运用")  # inside 三、主要措施 (六)
    span = (measure_six, measure_six + 4)
    found = innermost_clause(roots, span)
    assert found is not None and found.label.strip() in ("(六)", "（六）")
    assert innermost_clause(flat, span) is found
    # Every clause holding the span is an ancestor of the one found (or the clause itself).
    holders = [c for c in flat if c.span[0] <= span[0] and span[1] <= c.span[1]]
    assert all(found.id == c.id or found.id.startswith(c.id + ".") for c in holders)
    assert innermost_clause(roots, (len(text) + 5, len(text) + 6)) is None


# --- parts: attached documents and unnumbered headings (kb.extract.parts) ---------------------------


def _roots(text: str, title: str = "") -> list[tuple[str, str, str, list[str]]]:
    roots = parse_outline(text, "d", title)
    check_invariants(text, roots, "d")
    return [(r.style, r.label, r.heading, [c.label for c in r.children]) for r in roots]


def test_a_plan_issued_by_a_notice_is_a_part_under_its_own_title() -> None:
    text = (
        "各区人民政府：\n现将《某市科技创新行动方案》印发给你们，请认真贯彻落实。\n某市人民政府\n2024年3月1日\n"
        "某市科技创新行动方案\n一、总体要求\n（一）指导思想。坚持创新驱动。\n二、主要任务\n（一）培育企业。加快发展。\n"
    )
    assert _roots(text, "某市人民政府关于印发某市科技创新行动方案的通知") == [
        ("attachment", "", "某市科技创新行动方案", ["一、", "二、"])
    ]


def test_a_labelled_attachment_keeps_its_label_and_a_list_of_attachment_names_is_no_part() -> None:
    text = (
        "各单位：\n请按附件要求执行。\n附件：1.申报表\n某市科学技术局\n2024年3月1日\n\n"
        "附件1\n某市科技项目管理办法\n一、总则\n为规范管理，制定本办法。各单位应当按要求认真执行本办法的规定。\n"
    )
    roots = _roots(text)
    assert [(style, label, heading) for style, label, heading, _ in roots if style == "attachment"] == [
        ("attachment", "附件1", "某市科技项目管理办法")
    ]


def test_two_documents_issued_together_restart_their_numbering_in_parts_of_their_own() -> None:
    text = (
        "现将《甲市管理办法》《乙市管理办法》印发给你们。\n某市人民政府\n2024年3月1日\n"
        "甲市管理办法\n第一条 为规范甲，制定本办法。\n第二条 本办法自印发之日起施行。\n"
        "乙市管理办法\n第一条 为规范乙，制定本办法。\n第二条 本办法自印发之日起施行。\n"
    )
    assert [(s, h, c) for s, _, h, c in _roots(text, "关于印发《甲市管理办法》《乙市管理办法》的通知")] == [
        ("attachment", "甲市管理办法", ["第一条", "第二条"]),
        ("attachment", "乙市管理办法", ["第一条", "第二条"]),
    ]


def test_a_flat_text_gets_its_labels_and_parts_without_line_breaks() -> None:
    text = (
        "各县人民政府：《某市促进就业实施方案》已经市政府同意，现印发给你们，请认真贯彻落实。某市人民政府办公室2022年9月28日"
        "某市促进就业实施方案为促进就业，制定本方案。"
        + "坚持就业优先，强化政策支持，完善服务体系。"
        * 30
        + "一、总体目标到2025年，新增就业岗位1万个。二、主要措施（一）扩大就业。"
        "加大支持力度，落实各项政策措施，确保取得实效。（二）稳定岗位。加强服务保障，完善工作机制，推动各项任务落地见效。"
        "三、保障措施加强组织领导，明确责任分工，强化督促检查，确保各项工作落到实处。"
    )
    [(style, _, heading, children)] = _roots(text, "某市人民政府办公室关于印发某市促进就业实施方案的通知")
    assert (style, heading, children) == ("attachment", "某市促进就业实施方案", ["一、", "二、", "三、"])


def test_an_unnumbered_heading_over_a_fresh_list_is_a_place() -> None:
    text = (
        "过去一年，我们主要做了以下工作。\n（一）经济平稳增长。地区生产总值增长5%。\n\n"
        "2026年重点工作\n（一）扩大有效投资。推进重大项目建设。\n（二）提振消费。落实各项政策。\n"
    )
    roots = _roots(text)
    assert roots[-1] == ("heading", "", "2026年重点工作", ["（一）", "（二）"])


def _run_on(body: str) -> str:
    """A flat text (no line breaks, long enough to count as flat) ending with ``body``."""
    return (
        "为促进科技创新，结合本市实际，制定以下政策。"
        + "坚持创新驱动，强化企业主体地位，完善政策体系。" * 40
        + body
    )


def test_in_a_run_on_list_a_section_heading_no_longer_swallows_its_first_item() -> None:
    text = _run_on(
        "一、适用范围本政策适用于本市企业。二、支持政策（一）财政金融支持。1.项目投资补贴。按投资额给予补贴。"
        "2.转型升级补贴。给予奖补。（二）要素保障支持。3.用地保障。优先保障用地。"
    )
    roots = parse_outline(text, "d")
    check_invariants(text, roots, "d")
    second = roots[1]
    assert (second.label, second.heading) == ("二、", "支持政策")
    assert [(c.label, [g.label for g in c.children]) for c in second.children] == [
        ("（一）", ["1.", "2."]),
        ("（二）", ["3."]),
    ]


def test_in_a_run_on_list_the_next_number_starts_an_item_even_glued_to_the_sentence_before() -> None:
    text = _run_on(
        "三、支持人才。1.对引进人才给予奖励。四、加大转化后资助2.对转化项目给予支持3.对实施项目给予补助。4.对平台给予奖励。"
    )
    section = parse_outline(text, "d")[-1]
    assert [c.label for c in section.children] == ["2.", "3.", "4."]
    assert section.children[0].heading == "对转化项目给予支持"


def test_a_number_out_of_sequence_inside_a_sentence_starts_nothing() -> None:
    text = _run_on(
        "一、总体要求到2025年建成3.5万个基站，其中5.对外开放的基站占比提高。二、主要任务加快建设。"
    )
    assert [c.label for c in parse_outline(text, "d")] == ["一、", "二、"]
    article = _run_on(
        "第一条 为规范管理，制定本办法。第二条 依照本办法第三条规定执行。第三条 本办法自印发之日起施行。"
    )
    assert [c.label for c in parse_outline(article, "d")] == ["第一条", "第二条", "第三条"]
