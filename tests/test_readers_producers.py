"""The seed plan as other producers write it (issue 24): every shape reads as the .txt seed.

Fixtures: tests/fixtures/producers/, made by tests/fixtures/make_producers.py (Chromium, LibreOffice, reportlab,
three OFD writers' shapes, a plain .txt with a 落款). Whatever the producer, reading gives the seed's title, agency
and date and a body that reads line for line as the seed's; analysing what the reader returns
(``kb.extract.pipeline.analyse``) gives the seed's 10 measures with whole headlines and its targets (净增高新技术企业
42家). Each fixture is first shown to have the shape it stands for (thin 一 boxes, Kangxi radicals, two columns,
content order by font, tied OFD positions, shuffled objects), so a test cannot pass on a file that lost it.
"""

from __future__ import annotations

import ctypes
import functools
import re
import statistics
import zipfile
from pathlib import Path

import pytest
from conftest import SEED

from kb.extract.pipeline import analyse, load_extraction
from kb.model import DocumentKB, RawDocument
from kb.readers import read
from kb.readers.layout import Chunk, Page, assemble, baseline_groups, find_gutter
from kb.text.normalize import fold

PRODUCERS = Path(__file__).parent / "fixtures" / "producers"
FILES = [
    "chromium_narrow.pdf",
    "chromium_columns.pdf",
    "libreoffice.pdf",
    "reportlab.pdf",
    "ofd_per_glyph.ofd",
    "ofd_per_run.ofd",
    "ofd_mixed_fonts.ofd",
    "libreoffice.docx",
    "plain_signed.txt",
]
KANGXI_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF))


@functools.cache
def extraction():
    return load_extraction()


@functools.cache
def raw_of(name: str) -> RawDocument:
    return read(SEED if name == "seed" else PRODUCERS / name)


@functools.cache
def kb_of(name: str) -> DocumentKB:
    return analyse(raw_of(name), "seed", "seed.txt" if name == "seed" else name, extraction())


def folded_lines(text: str) -> list[str]:
    return [fold(line.strip()) for line in text.split("\n") if line.strip()]


def pdf_chars(name: str, page: int = 0) -> list[tuple[str, float, float, float]]:
    """(character, loose-box height, origin y, loose-box bottom) of one page, in the file's content order."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(PRODUCERS / name))
    try:
        textpage = document[page].get_textpage()
        box, x, y = raw.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
        out = []
        for i in range(textpage.count_chars()):
            raw.FPDFText_GetLooseCharBox(textpage.raw, i, ctypes.byref(box))
            raw.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
            out.append(
                (chr(raw.FPDFText_GetUnicode(textpage.raw, i)), box.top - box.bottom, y.value, box.bottom)
            )
        textpage.close()
        return out
    finally:
        document.close()


# ---------------------------------------------------------------- every producer reads as the seed


@pytest.mark.parametrize("name", FILES)
def test_title_agency_and_date_are_the_seeds(name: str) -> None:
    seed, document = kb_of("seed").document, kb_of(name).document
    assert (document.title, document.agency, document.date) == (
        "十堰市2019年科技创新工作要点",
        "十堰市科学技术局",
        "2019-07-08",
    )
    assert (document.title, document.agency, document.date) == (seed.title, seed.agency, seed.date)


@pytest.mark.parametrize("name", FILES)
def test_body_reads_line_for_line_as_the_seed(name: str) -> None:
    body = folded_lines(raw_of(name).text)
    assert body[0] == "十堰市2019年科技创新工作要点"
    assert body[1:] == folded_lines(raw_of("seed").text)


@pytest.mark.parametrize("name", FILES)
def test_the_ten_measures_with_whole_headlines_and_the_42_target(name: str) -> None:
    seed, kb = kb_of("seed"), kb_of(name)
    assert [fold(m.number) for m in kb.measures] == [f"({n})" for n in "一二三四五六七八九十"]
    assert [fold(m.headline) for m in kb.measures] == [m.headline for m in seed.measures]
    assert fold(kb.measures[1].headline) == "大力推进国家级高新区创建,推动高新技术产业发展。"
    (target,) = [t for t in kb.targets if t.value == 42]
    assert (target.indicator, target.unit, target.qualifier) == ("高新技术企业", "家", "净增")
    assert [(t.indicator, t.value, t.unit, t.kind) for t in kb.targets] == [
        (t.indicator, t.value, t.unit, t.kind) for t in seed.targets
    ]


@pytest.mark.parametrize("name", FILES)
def test_words_keep_their_thin_glyphs_and_no_radical_survives(name: str) -> None:
    text = raw_of(name).text
    assert "一如既往" in text and "两转一强化" in text and "“五位一体”" in text
    assert not [ch for ch in text if any(low <= ord(ch) <= high for low, high in KANGXI_RANGES)]


# ---------------------------------------------------------------- PDF shapes


def test_chromium_narrow_has_thin_boxes_for_yi_and_kangxi_radicals() -> None:
    """The shape of issue 24: 一's box is a sliver above the baseline; its origin is on the baseline."""
    chars = pdf_chars("chromium_narrow.pdf", 1)
    yi = [c for c in chars if c[0] == "一"]
    others = [c for c in chars if "\u4e00" < c[0] <= "\u9fff"]
    assert yi and max(c[1] for c in yi) < 3.0 < 12.0 < statistics.median(c[1] for c in others)
    assert all(c[3] - c[2] > 4.0 for c in yi)  # the box floats above the baseline
    radicals = {c[0] for page in range(3) for c in pdf_chars("chromium_narrow.pdf", page)}
    assert {"⼗", "⼯", "⼤"} <= radicals


def test_chromium_narrow_lines_hold_28_characters_and_break_mid_sentence() -> None:
    chars = pdf_chars("chromium_narrow.pdf", 1)
    per_line: dict[float, str] = {}
    for ch, _, y, _ in chars:
        per_line[round(y)] = per_line.get(round(y), "") + ch.strip()
    full_width = [
        len(line) for line in per_line.values() if len(line) > 5 and not any(c.isascii() for c in line)
    ]
    assert max(full_width) == 28 and full_width.count(28) >= 5


def test_chromium_columns_pages_have_a_gutter() -> None:
    import pypdfium2

    from kb.readers.pdf import _page_chunks

    document = pypdfium2.PdfDocument(str(PRODUCERS / "chromium_columns.pdf"))
    try:
        import pypdfium2.raw as raw

        chunks, _ = _page_chunks(document[0], raw, 10**6)
        width = document[0].get_size()[0]
    finally:
        document.close()
    columns = find_gutter(baseline_groups(chunks))
    assert columns is not None and abs(columns.gutter - width / 2) < 10


def test_reportlab_draws_latin_after_chinese_but_reads_in_place() -> None:
    chars = [c[0] for c in pdf_chars("reportlab.pdf", 0) if not c[0].isspace()]
    assert "".join(chars).startswith("十堰市年科技创新工作要点")  # 2019 drawn later, in Helvetica
    assert "十堰市2019年科技创新工作要点" in raw_of("reportlab.pdf").text


# ---------------------------------------------------------------- OFD shapes


def page_xml(name: str, page: int = 0) -> str:
    with zipfile.ZipFile(PRODUCERS / name) as archive:
        return archive.read(f"Doc_0/Pages/Page_{page}/Content.xml").decode("utf-8")


def test_ofd_per_glyph_really_ties_every_glyph_of_a_line() -> None:
    xml = page_xml("ofd_per_glyph.ofd")
    codes = re.findall(
        r'<ofd:TextObject ID="\d+" Boundary="([^"]+)" Font="(\d)"[^>]*>(?:(?!</ofd:TextObject>).)*?X="(\S+)"[^>]*>(.)<',
        xml,
    )
    start = next(i for i, c in enumerate(codes) if c[3] == "十")
    title = codes[start : start + 16]
    assert "".join(c[3] for c in title) == "十堰市2019年科技创新工作要点"
    assert len({c[0] for c in title}) == 1  # one Boundary for the whole line
    assert {c[2] for c in title} == {"0"} and {c[1] for c in title} >= {"3", "5"}  # X="0"; digits in font 5
    assert 'DeltaX="g 0 ' in xml
    sizes = dict(
        re.findall(r'Font="(\d)" Size="([\d.]+)"><ofd:FillColor[^>]*/><ofd:TextCode X="0" Y="[\d.]+"', xml)
    )
    assert float(sizes["5"]) < float(
        sizes["3"]
    )  # the digits' font is smaller: its origins are not the line's


def test_tied_glyphs_of_different_sizes_keep_document_order() -> None:
    """Glyphs a converter put at one x of one Boundary, digits a little higher: read in the file's order."""
    text = raw_of("ofd_per_glyph.ofd").text
    assert text.split("\n")[0] == "十堰市2019年科技创新工作要点"
    assert "力争实现高新技术产业增加值330亿元，净增高新技术企业42家。" in text


def test_ofd_per_run_objects_are_not_in_reading_order() -> None:
    xml = page_xml("ofd_per_run.ofd")
    first_texts = re.findall(r"<ofd:TextCode[^>]*>([^<]+)<", xml)[:6]
    assert not any(text.startswith("十堰市") for text in first_texts[:2])


def test_ofd_mixed_fonts_inherits_y_across_text_codes() -> None:
    xml = page_xml("ofd_mixed_fonts.ofd")
    assert re.search(r"<ofd:TextCode X=\"[\d.]+\" DeltaX=", xml)  # a TextCode without Y
    assert "CTM=" in xml


# ---------------------------------------------------------------- layout rules behind them


def glyphs(text: str, y: float, x: float = 0.0, size: float = 10.0, order: int = 0) -> list[Chunk]:
    out = []
    for i, ch in enumerate(text):
        out.append(Chunk(ch, x, x + size, y, size, order=order + i))
        x += size
    return out


def test_a_thin_glyph_on_the_baseline_stays_in_its_line() -> None:
    """Lines are grouped by baseline (origin) and size: a glyph's box never enters into it."""
    row = glyphs("（一）加强基础研究", 100.0)
    row[1] = Chunk("一", row[1].x0, row[1].x1, 100.0, 10.0, order=1)  # same origin, whatever its box
    _, body = assemble([Page(width=300, height=400, chunks=row + glyphs("下一行", 112.0, order=20))])
    assert body.split("\n") == ["（一）加强基础研究", "下一行"]


def test_tied_positions_keep_document_order() -> None:
    tied = [Chunk(ch, 50.0, 60.0, 100.0, 10.0, order=i) for i, ch in enumerate("十堰市2019年")]
    shuffled = tied[3:] + tied[:3]
    (group,) = baseline_groups(shuffled)
    assert "".join(c.text for c in group) == "十堰市2019年"


def two_column_page(byline: bool) -> Page:
    """Columns of 16 characters (x 0–160 and 180–340) under a title across both (and a byline)."""
    left = ["左栏第一行的文字写满了整个栏宽度", "左栏第二行的文字也写满了整个栏宽", "左栏第三行结束。"]
    right = ["右栏第一行的文字写满了整个栏宽度", "右栏第二行的文字也写满了整个栏宽", "右栏第三行结束。"]
    chunks = glyphs("两栏排版的标题", 20.0, x=135.0)
    if byline:
        chunks += glyphs("某某市科学技术局", 35.0, x=70.0) + glyphs("2019年7月8日", 35.0, x=180.0)
    for n, (a, b) in enumerate(zip(left, right, strict=True)):
        y, order = 50.0 + 12 * n, 100 * (n + 1)
        chunks += glyphs(a, y, x=0.0, order=order) + glyphs(b, y, x=180.0, order=order + 50)
    return Page(width=340.0, height=400.0, chunks=chunks)


def test_two_columns_are_read_left_column_first() -> None:
    _, body = assemble([two_column_page(byline=False)])
    assert body.split("\n") == [
        "两栏排版的标题",
        "左栏第一行的文字写满了整个栏宽度左栏第二行的文字也写满了整个栏宽左栏第三行结束。",
        "右栏第一行的文字写满了整个栏宽度右栏第二行的文字也写满了整个栏宽右栏第三行结束。",
    ]


def test_a_byline_across_the_gutter_is_not_split_into_the_columns() -> None:
    meta, body = assemble([two_column_page(byline=True)])
    assert meta["agency"] == "某某市科学技术局" and meta["date"] == "2019-07-08"
    assert body.split("\n")[1].startswith("左栏第一行")


def test_a_table_of_short_cells_is_no_second_column() -> None:
    rows = [
        ("指标", "目标值"),
        ("高新技术企业", "42家"),
        ("技术合同交易额", "35亿元"),
        ("发明专利申请量", "2100件"),
    ]
    chunks: list[Chunk] = []
    for n, (a, b) in enumerate(rows):
        chunks += glyphs(a, 20.0 + 12 * n) + glyphs(b, 20.0 + 12 * n, x=160.0)
    assert find_gutter(baseline_groups(chunks)) is None
    _, body = assemble([Page(width=320.0, height=400.0, chunks=chunks)])
    assert body.split("\n")[1] == "高新技术企业 42家"
