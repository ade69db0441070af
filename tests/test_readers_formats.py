"""Spec of the office formats: PDF, OFD, Word 97 .doc, WPS .wps, and .docx the way offices write them.

The fixtures in tests/fixtures/formats/ hold the seed plan (documents/000_3ccc218f3f77786b.txt) laid
out as an office would (see make_fixtures.py there). Whatever the format, reading it gives what the
.txt seed gives: the same title, agency and date, a body that reads line for line as the seed's
(outline labels starting lines, sentences rejoined across page-width breaks, no page numbers,
running headers or Kangxi radicals, the 落款 in the metadata and not in the body), and so the same
10 measures and the 42家 target. Hostile files (zip bombs, XML entities, truncated PDFs, scans) are
refused with a reason and cost only themselves.
"""

from __future__ import annotations

import contextlib
import functools
import io
import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SEED

import kb.readers as readers_module
from kb.build import build
from kb.extract.pipeline import analyse, load_extraction
from kb.model import DocumentKB, RawDocument
from kb.readers import SUPPORTED_SUFFIXES, ReadError, read
from kb.readers import archive as archive_module
from kb.readers import ofd as ofd_module
from kb.readers import office as office_module
from kb.readers import pdf as pdf_module
from kb.readers.layout import Chunk, Page, assemble, is_page_number, split_signature
from kb.text.normalize import fold, fold_compat_ideographs

FORMATS = Path(__file__).parent / "fixtures" / "formats"
HAS_SOFFICE = office_module.find_soffice() is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")

SEED_FILES = [
    pytest.param("seed.pdf", id="pdf"),
    pytest.param("seed.ofd", id="ofd"),
    pytest.param("seed.docx", id="docx"),
    pytest.param("seed_labelled.docx", id="docx-labelled"),
    pytest.param("seed.doc", id="doc", marks=needs_soffice),
    pytest.param("seed.wps", id="wps", marks=needs_soffice),
]
COMPAT_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF))


@functools.cache
def read_fixture(name: str) -> RawDocument:
    return read(FORMATS / name)  # cached: a LibreOffice conversion costs seconds


@functools.cache
def extraction():
    return load_extraction()


@functools.cache
def knowledge(name: str) -> DocumentKB:
    path = SEED if name == "seed.txt" else FORMATS / name
    raw = read(SEED) if name == "seed.txt" else read_fixture(name)
    return analyse(raw, "seed", path.name, extraction())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def folded_lines(text: str) -> list[str]:
    """Non-empty lines, stripped and folded (full-width ，（） as ASCII, as the .txt seed writes them)."""
    return [fold(line) for line in lines(text)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rezip(source: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The zip at ``source`` with some entries replaced (and some added)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_entry(archive: zipfile.ZipFile, name: str, megabytes: int) -> None:
    """An entry of zeros: ``megabytes`` MB inflated from a few KB."""
    block = b"\0" * (1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as handle:
        for _ in range(megabytes):
            handle.write(block)


# ---------------------------------------------------------------- every format reads as the seed


def test_the_office_formats_are_supported() -> None:
    assert {".pdf", ".ofd", ".doc", ".wps", ".docx"} <= set(SUPPORTED_SUFFIXES)


@pytest.mark.parametrize("name", SEED_FILES)
def test_metadata_is_the_seeds(name: str) -> None:
    seed = read(SEED).meta
    raw = read_fixture(name)
    assert raw.meta["title"] == seed["title"] == "十堰市2019年科技创新工作要点"
    assert raw.meta["agency"] == seed["agency"] == "十堰市科学技术局"
    assert raw.meta["date"] == seed["date"] == "2019-07-08"
    assert raw.format == name.rsplit(".", 1)[1]


@pytest.mark.parametrize("name", SEED_FILES)
def test_body_reads_line_for_line_as_the_seed(name: str) -> None:
    """The title line (as on the page) and then exactly the seed's paragraphs, one per line."""
    seed = read(SEED)
    body = folded_lines(read_fixture(name).text)
    assert body[0] == seed.meta["title"]
    assert body[1:] == folded_lines(seed.text)


@pytest.mark.parametrize("name", SEED_FILES)
def test_outline_labels_start_lines_in_order(name: str) -> None:
    body = lines(read_fixture(name).text)
    labels = [
        m.group(0) for line in body if (m := re.match(r"^(?:[一二三]、|（[一二三四五六七八九十]）)", line))
    ]
    assert labels == ["一、", "二、", "三、"] + [f"（{n}）" for n in "一二三四五六七八九十"]
    assert "三、主要措施" in body


@pytest.mark.parametrize("name", SEED_FILES)
def test_no_page_numbers_running_headers_or_signature_in_the_body(name: str) -> None:
    body = lines(read_fixture(name).text)
    assert not [line for line in body if is_page_number(line)]
    assert "十堰市科学技术局" not in body  # the PDF's running header, and the 落款 agency
    assert (
        body.count("十堰市2019年科技创新工作要点") == 1
    )  # the OFD's running header is gone, the title stays
    assert not [line for line in body if "2019年7月8日" in line]  # the 落款 date and the byline
    assert body[-1].endswith("进一步开拓视野，解放思想，提升能力。")


@pytest.mark.parametrize("name", SEED_FILES)
def test_no_kangxi_radicals_or_compatibility_ideographs(name: str) -> None:
    text = read_fixture(name).text
    odd = sorted({ch for ch in text if any(low <= ord(ch) <= high for low, high in COMPAT_RANGES)})
    assert odd == []


def test_the_ofd_fixture_really_has_kangxi_radicals_to_fold() -> None:
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        page = archive.read("Doc_0/Pages/Page_0/Content.xml").decode("utf-8")
    assert "⼗堰市" in page and "⼯作要点" in page
    assert "⼗" not in read_fixture("seed.ofd").text


@pytest.mark.parametrize("name", ["seed.pdf", "seed.ofd"])
def test_sentences_are_rejoined_across_line_and_page_breaks(name: str) -> None:
    body = read_fixture(name).text
    # 高新技术企业42家 breaks across pages 1/2 (PDF) and 2018—2020 across a line (PDF, before the dash).
    assert "力争实现高新技术产业增加值330亿元，净增高新技术企业42家。" in body
    assert "扎实推进《2018—2020年十堰市高新技术产业发展行动计划》落实" in body
    assert len(lines(body)) == len(lines(read(SEED).text)) + 1


@pytest.mark.parametrize("name", [*SEED_FILES, pytest.param("seed.txt", id="txt")])
def test_the_ten_measures_and_the_42_target_are_the_seeds(name: str) -> None:
    seed = knowledge("seed.txt")
    kb = knowledge(name)
    assert len(kb.measures) == 10
    assert [fold(m.number) for m in kb.measures] == [f"({n})" for n in "一二三四五六七八九十"]
    assert [fold(m.headline) for m in kb.measures] == [m.headline for m in seed.measures]
    assert kb.measures[0].headline.endswith("营造激励科技创新发展良好氛围。")
    (target,) = [t for t in kb.targets if t.value == 42]
    assert (target.indicator, target.unit) == ("高新技术企业", "家")
    assert "净增" in target.qualifier
    assert [(t.indicator, t.value, t.unit) for t in kb.targets] == [
        (t.indicator, t.value, t.unit) for t in seed.targets
    ]


# ---------------------------------------------------------------- fold


def test_fold_compat_ideographs_maps_one_char_to_one() -> None:
    text = "⼗堰市科技创新⼯作要点 第⼆⻚ ⽅⽂ \uf900 ⺀ 十"
    folded = fold_compat_ideographs(text)
    assert folded == "十堰市科技创新工作要点 第二页 方文 豈 ⺀ 十"
    assert len(folded) == len(text)
    assert fold_compat_ideographs("（一）“引号”，2019年") == "（一）“引号”，2019年"  # nothing else changes


# ---------------------------------------------------------------- layout rules on synthetic pages

SIZE = 10.0
RIGHT = 280.0  # 28 characters of 10 units from x = 0


def at(text: str, y: float, x: float = 0.0, size: float = SIZE) -> list[Chunk]:
    chunks = []
    for ch in text:
        width = size / 2 if ch.isascii() else size
        chunks.append(Chunk(ch, x, x + width, y, size))
        x += width
    return chunks


def centred(text: str, y: float, size: float = SIZE) -> list[Chunk]:
    width = sum(size / 2 if ch.isascii() else size for ch in text)
    return at(text, y, (RIGHT - width) / 2, size)


def page(*rows: list[Chunk]) -> Page:
    return Page(width=RIGHT, height=400.0, chunks=[c for row in rows for c in row])  # margins of 0


def full(text: str, y: float) -> list[Chunk]:
    """A justified line: its characters spread from the left to the right margin."""
    pitch = (RIGHT - SIZE) / (len(text) - 1)
    assert 0.8 * SIZE <= pitch <= 1.3 * SIZE, "a full line holds about 28 characters"
    return [Chunk(ch, i * pitch, i * pitch + SIZE, y, SIZE) for i, ch in enumerate(text)]


def test_a_full_line_that_does_not_end_a_sentence_continues() -> None:
    _, body = assemble(
        [
            page(
                full("这是一个很长的句子它一直写到页面的右边缘然后在下一行继续写下", 20),
                at("去直到句号。", 32),
            )
        ]
    )
    assert body == "这是一个很长的句子它一直写到页面的右边缘然后在下一行继续写下去直到句号。"


def test_never_joined_across_an_outline_label_or_after_a_short_line() -> None:
    _, body = assemble(
        [
            page(
                at("一、总体要求", 20, x=20),
                full("面向二〇三五年的远景目标持续推进科技创新的各项工作不断深入", 32),
                at("（一）加强基础研究。", 44),
                full("各地要按照本要点的部署安排抓好落实并及时报送工作进展情况有", 56),
                at("1.建立台账。", 68),
                full("第三条以下内容为一个全宽行用来检验条款标签不会被接到上一行", 80),
                at("第四条　附则。", 92),
            )
        ]
    )
    assert body.split("\n") == [
        "一、总体要求",
        "面向二〇三五年的远景目标持续推进科技创新的各项工作不断深入",
        "（一）加强基础研究。",
        "各地要按照本要点的部署安排抓好落实并及时报送工作进展情况有",
        "1.建立台账。",
        "第三条以下内容为一个全宽行用来检验条款标签不会被接到上一行",
        "第四条　附则。",
    ]


def test_an_indented_line_starts_a_paragraph_even_after_a_full_line() -> None:
    _, body = assemble(
        [
            page(
                full("第一段的文字一直写满了这一整行而且并没有用句号来结束这一行", 20),
                at("第二段首行缩进两个字。", 32, x=20),
                at("第二段首行缩进两个字。", 44, x=20),
            )
        ]
    )
    assert len(body.split("\n")) == 3


def test_page_numbers_and_running_headers_are_dropped_and_pages_rejoined() -> None:
    pages = []
    for n, (first, last) in enumerate(
        [
            (
                "开头一行写满了整个版心的宽度并且这一句话还没有写完就到了页",
                "面的末尾所以下一页要接上它继续写这一行也写满了整个版心宽度",
            ),
            (
                "才算写完了这一句话。然后是第二页正文的其余部分继续写满整行",
                "第二页的最后一行同样写满了整个版心并把句子带到第三页的开头",
            ),
            (
                "第三页接着写完。这一行也写满了整个版心的宽度而且没有结束句",
                "子最后在这里结束了整个文件的正文部分内容全部都写完了谢谢。",
            ),
        ],
        start=1,
    ):
        footer = ["— 1 —", "- 2 -", "第3页 共3页"][n - 1]
        pages.append(
            page(
                at("十堰市科学技术局", 8, x=200, size=6),
                full(first, 30),
                full(last, 42),
                centred(footer, 380, size=8),
            )
        )
    _, body = assemble(pages)
    assert body == (
        "开头一行写满了整个版心的宽度并且这一句话还没有写完就到了页面的末尾所以下一页要接上它继续写这一行也写满了整个版心宽度"
        "才算写完了这一句话。然后是第二页正文的其余部分继续写满整行第二页的最后一行同样写满了整个版心并把句子带到第三页的开头"
        "第三页接着写完。这一行也写满了整个版心的宽度而且没有结束句子最后在这里结束了整个文件的正文部分内容全部都写完了谢谢。"
    )


@pytest.mark.parametrize(
    "text", ["— 3 —", "- 3 -", "—3—", "3", "第3页 共6页", "第 3 页", "3/6", "Page 3 of 6", "－ 12 －"]
)
def test_page_number_forms(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2019年", "一、指导思想", "3家", "第三条", "（3）"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_front_matter_banner_doc_number_title_and_signature() -> None:
    meta, body = assemble(
        [
            page(
                centred("十堰市科学技术局文件", 10, size=16),
                centred("十科发〔2019〕5号", 40),
                centred("关于印发十堰市2019年科技", 70, size=14),
                centred("创新工作要点的通知", 88, size=14),
                at("各县市区科技局：", 120),
                at("现将要点印发给你们，请认真贯彻落实。", 132, x=20),
                at("十堰市科学技术局", 160, x=180),
                at("2019年7月8日", 172, x=190),
                at("（此件公开发布）", 184, x=20),
            )
        ]
    )
    assert meta == {
        "doc_number": "十科发〔2019〕5号",
        "title": "关于印发十堰市2019年科技创新工作要点的通知",
        "agency": "十堰市科学技术局",
        "date": "2019-07-08",
    }
    assert body.split("\n") == [
        "关于印发十堰市2019年科技创新工作要点的通知",
        "各县市区科技局：",
        "现将要点印发给你们，请认真贯彻落实。",
        "（此件公开发布）",
    ]


def test_agency_and_date_line_under_the_title() -> None:
    meta, body = assemble(
        [
            page(
                centred("某某市科技工作要点", 10, size=16),
                centred("某某市科学技术局　2020年3月1日", 30),
                at("一、总体要求", 50, x=20),
                at("全面推进。", 62, x=20),
            )
        ]
    )
    assert meta == {"title": "某某市科技工作要点", "agency": "某某市科学技术局", "date": "2020-03-01"}
    assert body.split("\n") == ["某某市科技工作要点", "一、总体要求", "全面推进。"]


def test_signature_is_taken_only_at_the_end_of_the_body() -> None:
    assert split_signature(["正文。", "某某局", "2019年7月8日", "附件：指标表", "指标"]) == (
        {"date": "2019-07-08", "agency": "某某局"},
        ["正文。", "附件：指标表", "指标"],
    )
    # a date-only line followed by more body is not a 落款
    body = ["正文。", "2019年7月8日", "下一段正文。"]
    assert split_signature(body) == ({}, body)
    # no agency line: the date alone
    assert split_signature(["正文。", "二〇一九年七月八日"]) == ({"date": "2019-07-08"}, ["正文。"])


# ---------------------------------------------------------------- .docx as offices write it


def make_docx(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for align, text in paragraphs:
        paragraph = document.add_paragraph(text)
        if align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(path)
    return path


def test_docx_title_before_label_lines_even_when_not_centred(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "plan.docx",
        [
            ("left", "十堰市2019年科技创新工作要点"),
            ("left", "发布机构：十堰市科学技术局"),
            ("left", "发文日期：2019年7月8日"),
            ("left", "文号："),
            ("left", "一、指导思想"),
        ],
    )
    raw = read(path)
    assert raw.meta == {
        "title": "十堰市2019年科技创新工作要点",
        "agency": "十堰市科学技术局",
        "date": "2019-07-08",
    }
    assert raw.text.split("\n") == ["十堰市2019年科技创新工作要点", "一、指导思想"]


def test_docx_signature_is_metadata_and_the_note_after_it_stays(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "notice.docx",
        [
            ("center", "关于做好科技扶贫工作的通知"),
            ("left", "各县市区科技局："),
            ("left", "请认真贯彻落实。"),
            ("right", "十堰市科学技术局"),
            ("right", "2019年7月8日"),
            ("left", "（此件公开发布）"),
        ],
    )
    raw = read(path)
    assert raw.meta == {
        "title": "关于做好科技扶贫工作的通知",
        "agency": "十堰市科学技术局",
        "date": "2019-07-08",
    }
    assert raw.text.split("\n") == [
        "关于做好科技扶贫工作的通知",
        "各县市区科技局：",
        "请认真贯彻落实。",
        "（此件公开发布）",
    ]


def test_docx_zip_bomb_is_refused_before_python_docx_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        zip_bomb_entry(archive, "word/document.xml", 20)
    assert path.stat().st_size < 100_000
    with pytest.raises(ReadError, match="zip 炸弹"):
        read(path)


def test_docx_total_inflated_size_is_limited(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_TOTAL_BYTES", 30_000)
    with pytest.raises(ReadError, match="解压后超过"):
        read(FORMATS / "seed.docx")


def test_docx_with_an_xml_entity_is_refused(tmp_path: Path) -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol "lol">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = write(tmp_path, "entity.docx", rezip(FORMATS / "seed.docx", {"word/document.xml": document}))
    with pytest.raises(ReadError, match="DTD/实体"):
        read(path)


# ---------------------------------------------------------------- PDF


def test_without_tesseract_a_scanned_pdf_is_named_with_its_reason_and_the_fix(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without tesseract (OCR: tests/test_readers_ocr.py)
    with pytest.raises(
        ReadError, match=r"^扫描件，没有文字层.*apt-get install tesseract-ocr tesseract-ocr-chi-sim"
    ):
        read(FORMATS / "seed_scanned.pdf")


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    data = (FORMATS / "seed.pdf").read_bytes()
    with pytest.raises(ReadError, match="PDF"):
        read(write(tmp_path, "cut.pdf", data[: len(data) // 2]))


def test_garbage_with_a_pdf_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="不是有效的 PDF 文件"):
        read(write(tmp_path, "a.pdf", "这其实是文本".encode()))
    with pytest.raises(ReadError, match="不是有效的 PDF 文件"):
        read(write(tmp_path, "b.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"))


def test_pdf_page_limit(monkeypatch) -> None:
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 3)
    with pytest.raises(ReadError, match="页数过多"):
        read(FORMATS / "seed.pdf")


# ---------------------------------------------------------------- OFD


def test_ofd_page_order_comes_from_document_xml() -> None:
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        stored = [n for n in archive.namelist() if n.endswith("Content.xml")]
    assert stored[0].endswith("Page_5/Content.xml")  # the zip lists pages last to first
    assert lines(read_fixture("seed.ofd").text)[1].startswith("2019年是新中国成立70周年")


def in_points(content: bytes) -> bytes:
    """A page's text objects rewritten as PDF-to-OFD converters write them: points, scaled by a CTM."""
    k = 72 / 25.4  # points per mm

    def scale(value: str) -> str:
        tokens = value.split()
        out = []
        for i, token in enumerate(tokens):
            repeat_count = i > 0 and tokens[i - 1] == "g"
            out.append(token if token == "g" or repeat_count else f"{float(token) * k:.4f}")
        return " ".join(out)

    text = content.decode("utf-8")
    text = re.sub(
        r'Size="([\d.]+)"', lambda m: f'CTM="{1 / k:.6f} 0 0 {1 / k:.6f} 0 0" Size="{scale(m[1])}"', text
    )
    text = re.sub(r'(X|Y|DeltaX)="([^"]+)"', lambda m: f'{m[1]}="{scale(m[2])}"', text)
    return text.encode("utf-8")


def test_ofd_text_objects_with_a_ctm_read_the_same(tmp_path: Path) -> None:
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        pages = {n: in_points(archive.read(n)) for n in archive.namelist() if n.endswith("Content.xml")}
    assert b"CTM=" in pages["Doc_0/Pages/Page_0/Content.xml"]
    raw = read(write(tmp_path, "points.ofd", rezip(FORMATS / "seed.ofd", pages)))
    assert (raw.meta, raw.text) == (read_fixture("seed.ofd").meta, read_fixture("seed.ofd").text)


def test_ofd_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.ofd"
    with (
        zipfile.ZipFile(FORMATS / "seed.ofd") as old,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
        zip_bomb_entry(new, "Doc_0/Res/image.bin", 20)
    with pytest.raises(ReadError, match="zip 炸弹"):
        read(path)


def test_ofd_with_an_xml_entity_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        ofd_xml = archive.read("OFD.xml")
    hostile = ofd_xml.replace(
        b"?>\n", b'?>\n<!DOCTYPE ofd:OFD [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n', 1
    )
    assert hostile != ofd_xml
    path = write(tmp_path, "entity.ofd", rezip(FORMATS / "seed.ofd", {"OFD.xml": hostile}))
    with pytest.raises(ReadError, match="DTD/实体"):
        read(path)


def test_ofd_with_a_missing_page_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(FORMATS / "seed.ofd") as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            if not info.filename.endswith("Page_3/Content.xml"):
                new.writestr(info.filename, old.read(info.filename))
    with pytest.raises(ReadError, match=re.escape("缺少部件 Doc_0/Pages/Page_3/Content.xml")):
        read(write(tmp_path, "short.ofd", buffer.getvalue()))


def test_ofd_paths_may_not_leave_the_package(tmp_path: Path) -> None:
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        ofd_xml = archive.read("OFD.xml")
    hostile = ofd_xml.replace(b"Doc_0/Document.xml", b"../../etc/passwd")
    with pytest.raises(ReadError, match="超出文件包"):
        read(write(tmp_path, "escape.ofd", rezip(FORMATS / "seed.ofd", {"OFD.xml": hostile})))


def test_not_an_ofd(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=re.escape("不是有效的 .ofd 文件（不是 zip 压缩包）")):
        read(write(tmp_path, "a.ofd", b"plain text"))
    with pytest.raises(ReadError, match=re.escape("缺少 OFD.xml")):
        read(write(tmp_path, "b.ofd", rezip(FORMATS / "seed_labelled.docx", {})))


def test_ofd_page_limit(monkeypatch) -> None:
    monkeypatch.setattr(ofd_module, "MAX_PAGES", 2)
    with pytest.raises(ReadError, match="页数过多"):
        read(FORMATS / "seed.ofd")


# ---------------------------------------------------------------- .doc / .wps via LibreOffice


def test_without_libreoffice_doc_and_wps_are_named_with_the_reason(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without soffice
    assert office_module.find_soffice() is None
    for name in ("seed.doc", "seed.wps"):
        with pytest.raises(ReadError, match=r"^需要安装 LibreOffice 才能读取 \.doc/\.wps"):
            read(FORMATS / name)


def test_a_doc_that_is_really_a_docx_needs_no_libreoffice(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, "renamed.doc", (FORMATS / "seed_labelled.docx").read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path))
    raw = read(path)
    assert raw.format == "doc" and raw.meta["title"] == "十堰市2019年科技创新工作要点"


def test_a_doc_that_is_no_word_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"不是有效的 \.doc 文件"):
        read(write(tmp_path, "a.doc", b"\x01\x02garbage" * 100))


@needs_soffice
def test_libreoffice_writes_nothing_next_to_the_source(tmp_path: Path) -> None:
    source = tmp_path / "plan.doc"
    shutil.copy(FORMATS / "seed.doc", source)
    raw = read(source)
    assert raw.meta["title"] == "十堰市2019年科技创新工作要点"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.doc"]


@needs_soffice
def test_libreoffice_conversion_is_given_up_after_the_timeout(monkeypatch) -> None:
    monkeypatch.setattr(office_module, "TIMEOUT", 0.2)
    with pytest.raises(ReadError, match="LibreOffice 转换超时"):
        read(FORMATS / "seed.doc")


@needs_soffice
def test_libreoffice_refusing_a_file_is_a_reason(tmp_path: Path) -> None:
    broken = (FORMATS / "seed.doc").read_bytes()[:4096]  # an OLE header and nothing behind it
    with pytest.raises(ReadError, match="LibreOffice"):
        read(write(tmp_path, "broken.doc", broken))


# ---------------------------------------------------------------- one bad file costs only itself


def test_a_crashing_reader_raises_read_error(tmp_path: Path, monkeypatch) -> None:
    def crash(data: bytes):
        raise IndexError("list index out of range")

    monkeypatch.setitem(readers_module._READERS, ".pdf", crash)
    with pytest.raises(ReadError, match="IndexError"):
        read(FORMATS / "seed.pdf")


def test_hostile_files_are_rejected_and_the_rest_is_built(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYKB_OCR", "off")  # the scan is refused as without Tesseract
    docs = tmp_path / "documents"
    docs.mkdir()
    shutil.copy(FORMATS / "seed.pdf", docs / "plan-pdf.pdf")
    shutil.copy(FORMATS / "seed.ofd", docs / "plan-ofd.ofd")
    shutil.copy(FORMATS / "seed_scanned.pdf", docs / "scan.pdf")
    data = (FORMATS / "seed.pdf").read_bytes()
    (docs / "cut.pdf").write_bytes(data[: len(data) // 3])
    with zipfile.ZipFile(docs / "bomb.ofd", "w", zipfile.ZIP_DEFLATED) as archive:
        zip_bomb_entry(archive, "OFD.xml", 20)
    report = build([docs], tmp_path / "index", procs=1, quiet=True)
    rejected = {r["source"]: r["reason"] for r in report.rejected}
    assert set(rejected) == {"scan.pdf", "cut.pdf", "bomb.ofd"}
    assert rejected["scan.pdf"].startswith("扫描件，没有文字层")
    assert "zip 炸弹" in rejected["bomb.ofd"]
    assert report.documents == 2 and report.measures == 20


@pytest.mark.parametrize("name", ["seed.pdf", "seed.ofd", "seed.docx"])
def test_damaged_files_give_a_document_or_a_reason(tmp_path: Path, name: str) -> None:
    """Cut short, bytes overwritten, a slice taken out: never an exception other than ReadError."""
    rng = random.Random(name)
    data = (FORMATS / name).read_bytes()
    for i in range(24):
        damaged = bytearray(data)
        if i % 3 == 0:
            damaged = damaged[: rng.randrange(len(damaged))]
        elif i % 3 == 1:
            for _ in range(rng.randrange(1, 40)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        else:
            start = rng.randrange(len(damaged))
            del damaged[start : start + rng.randrange(1, 5000)]
        path = write(tmp_path, f"damaged{i}{Path(name).suffix}", bytes(damaged))
        with contextlib.suppress(ReadError):
            read(path)
