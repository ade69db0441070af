"""Bounded readers and text that is not text (issue 24 noise, issue 29 items 2, 4 and 9).

Each failure is reproduced by the file that showed it: an OFD whose DeltaX has many ``g N d`` groups (a 2.5 KB
file took 1.5 GB), a .docx of a million paragraphs (accepted; PDF and OFD stopped at 3 M characters), UTF-16
without a byte-order mark (refused as binary), bytes that decode to one katakana repeated (indexed), and the
default titles producers write into .docx core properties.
"""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import SEED

from kb.readers import ReadError, decode, limits, read
from kb.readers.ofd import _deltas
from kb.readers.plausible import check_plausible
from kb.readers.text import is_default_title, is_file_name_title

FORMATS = Path(__file__).parent / "fixtures" / "formats"
PRODUCERS = Path(__file__).parent / "fixtures" / "producers"


def rezip(source: Path, replace: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
    return buffer.getvalue()


# ---------------------------------------------------------------- OFD DeltaX (issue 29 item 2)


def test_deltas_expand_no_further_than_the_characters_they_place() -> None:
    assert _deltas("1 2 g 3 5.2", 10) == [1, 2, 5.2, 5.2, 5.2]
    assert _deltas("g 1000000000 1", 4) == [1, 1, 1, 1]
    assert _deltas(" ".join(["g 100000 1"] * 100_000), 3) == [1, 1, 1]
    assert _deltas("g inf 2 g nan 3 g -5 1 7", 5) == [2, 2, 2, 2, 2]
    assert _deltas("g nan 3 7", 5) == []  # a NaN count ends the list
    assert _deltas("g -5 1 7", 5) == [7]


def hostile_ofd(groups: int) -> bytes:
    """The seed OFD with every TextCode's DeltaX replaced by ``groups`` groups of "g 100000 0.1"."""
    with zipfile.ZipFile(FORMATS / "seed.ofd") as archive:
        page = archive.read("Doc_0/Pages/Page_0/Content.xml").decode("utf-8")
    import re

    hostile = re.sub(r'DeltaX="[^"]*"', 'DeltaX="' + " ".join(["g 100000 0.1"] * groups) + '"', page)
    return rezip(FORMATS / "seed.ofd", {"Doc_0/Pages/Page_0/Content.xml": hostile.encode("utf-8")})


def test_an_ofd_with_many_g_groups_reads_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """Before: every group was expanded (100,000 values each): 2.5 KB of DeltaX took 1.5 GB."""
    path = tmp_path / "groups.ofd"
    path.write_bytes(hostile_ofd(230))  # 230 groups × 100,000: 23 M floats per TextCode before the fix
    read(FORMATS / "seed.ofd")  # jieba and the readers loaded before memory is counted
    tracemalloc.start()
    start = time.perf_counter()
    try:
        raw = read(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    assert raw.meta["title"] == "十堰市2019年科技创新工作要点"
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert elapsed < 20, f"{elapsed:.1f} s"


# ---------------------------------------------------------------- a character cap for every reader (item 4)


def big_docx(paragraphs: int, text: str) -> bytes:
    """A .docx of ``paragraphs`` paragraphs, its XML written directly (python-docx would take minutes)."""
    body = "".join(f"<w:p><w:r><w:t>{text}{i}</w:t></w:r></w:p>" for i in range(paragraphs))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return rezip(FORMATS / "seed.docx", {"word/document.xml": document.encode("utf-8")})


def test_a_docx_of_a_million_paragraphs_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.docx"
    path.write_bytes(big_docx(1_200_000, "段"))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ReadError, match="段落过多"):
            read(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 15
    assert peak < 200 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"  # the XML itself is ~40 MB


def test_a_docx_over_the_character_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.docx"
    path.write_bytes(big_docx(2_000, "科技创新工作要点全面推进各项工作" * 4))
    assert read(path).text.count("\n") == 1_999
    monkeypatch.setattr(limits, "MAX_CHARS", 100_000)
    with pytest.raises(ReadError, match="Word 文档文字过多"):
        read(path)


@pytest.mark.parametrize(
    "name", ["formats/seed.pdf", "formats/seed.ofd", "formats/seed.docx", "producers/plain_signed.txt"]
)
def test_every_reader_stops_at_the_character_cap(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(__file__).parent / "fixtures" / name
    size = len(read(path).text)
    monkeypatch.setattr(limits, "MAX_CHARS", size // 2)
    with pytest.raises(ReadError, match="文字过多"):
        read(path)


def test_the_cap_holds_for_markdown_and_html_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CHARS", 1_000)
    (tmp_path / "a.md").write_text("# 标题\n\n" + "科技创新工作要点。" * 300, encoding="utf-8")
    (tmp_path / "a.html").write_text("<p>" + "科技创新工作要点。" * 300 + "</p>", encoding="utf-8")
    for name in ("a.md", "a.html"):
        with pytest.raises(ReadError, match="文字过多"):
            read(tmp_path / name)


# ---------------------------------------------------------------- UTF-16 without a BOM (item 9)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(tmp_path: Path, codec: str) -> None:
    """Before: refused as "binary file (contains NUL bytes)"."""
    source = SEED.read_text(encoding="utf-8")
    path = tmp_path / "seed.txt"
    path.write_bytes(source.replace("\n", "\r\n").encode(codec))
    raw = read(path)
    assert raw.encoding == codec
    assert raw.meta == read(SEED).meta and raw.text == read(SEED).text


def test_chinese_only_utf16_without_a_bom_is_read() -> None:
    text = "科技创新工作要点，全面推进各项工作。" * 20
    for codec in ("utf-16-le", "utf-16-be"):
        assert decode(text.encode(codec)) == (text, codec)


def test_random_bytes_are_not_taken_for_utf16() -> None:
    rng = random.Random(29)
    for _ in range(500):
        data = bytes(rng.randrange(256) for _ in range(2048))
        with pytest.raises(ReadError):
            decode(data)


# ---------------------------------------------------------------- text that is not text (issue 24)


def test_bytes_decoding_to_one_katakana_repeated_are_refused(tmp_path: Path) -> None:
    """Before: 4 KB that decode (GB18030) to a run of one katakana were indexed as a document."""
    path = tmp_path / "noise.txt"
    path.write_bytes(b"\xa5\xa2" * 2048)  # ア × 2048 in GB18030
    assert decode(path.read_bytes())[0] == "ア" * 2048
    with pytest.raises(ReadError, match="同一个字符“ア”"):
        read(path)


def test_random_kana_and_symbols_are_refused() -> None:
    rng = random.Random(24)
    kana = "".join(
        rng.choice([chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x30A1, 0x30FB)])
        for _ in range(1000)
    )
    with pytest.raises(ReadError, match="假名不成词句"):
        check_plausible(kana)
    symbols = "".join(rng.choice("★☆○●◎◇◆□■△▲※→←↑↓〓∈∏∑∮∝∞∧∨") for _ in range(600))
    with pytest.raises(ReadError, match="是符号"):
        check_plausible(symbols)
    ideographs = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(1000))
    with pytest.raises(ReadError, match="能组成词语"):
        check_plausible(ideographs)


@pytest.mark.parametrize(
    "text",
    [
        "The State Council issued guidelines on innovation. " * 30,
        "日本国民は、正当に選挙された国会における代表者を通じて行動し、われらとわれらの子孫のために、"
        "諸国民との協和による成果と、わが国全土にわたつて自由のもたらす恵沢を確保し、" * 10,
        "第一章　总则…………………………………………1\n第二章　规划…………………………………………5\n" * 20,
        "┌──────┬──────┐\n│指标　　│目标值　│\n├──────┼──────┤\n│高新技术企业│42家　│\n" * 10,
    ],
    ids=["english", "japanese", "table-of-contents-leaders", "box-drawing-table"],
)
def test_real_text_is_not_refused(text: str) -> None:
    check_plausible(text)


# ---------------------------------------------------------------- default titles (issue 24, DOCX)


@pytest.mark.parametrize(
    "title",
    [
        "Word Document",
        "Microsoft Word - 十堰市2019年科技创新工作要点.docx",
        "文档1",
        "Document1",
        "Untitled",
        "无标题",
        "新建 Microsoft Word 文档",
        "plan.doc",
    ],
)
def test_producer_default_titles(title: str) -> None:
    assert is_default_title(title)


@pytest.mark.parametrize(
    "title", ["十堰市2019年科技创新工作要点", "关于印发《文档管理办法》的通知", "Document Management Rules"]
)
def test_real_titles_are_no_default(title: str) -> None:
    assert not is_default_title(title)


def test_a_title_that_is_the_files_own_name() -> None:
    assert is_file_name_title("plan-2019", "plan-2019.docx")
    assert is_file_name_title("Microsoft Word - plan-2019.doc", "plan-2019.pdf")
    assert not is_file_name_title("十堰市2019年科技创新工作要点", "plan-2019.docx")


@pytest.mark.parametrize(
    "core", ["Word Document", "Microsoft Word - notice.docx", "文档1", "Untitled", "notice"]
)
def test_a_docx_with_a_default_core_title_takes_the_body_title_line(tmp_path: Path, core: str) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    document.core_properties.title = core
    heading = document.add_paragraph("关于做好科技扶贫工作的通知")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("各县市区科技局：")
    document.add_paragraph("请认真贯彻落实。")
    document.save(tmp_path / "notice.docx")
    assert read(tmp_path / "notice.docx").meta["title"] == "关于做好科技扶贫工作的通知"


@pytest.mark.parametrize("core", ["Word Document", "文档1", "Untitled", "notice"])
def test_a_default_core_title_alone_is_no_title(tmp_path: Path, core: str) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = core
    document.add_paragraph("一、总体要求")
    document.add_paragraph("全面推进各项工作。")
    document.save(tmp_path / "notice.docx")
    assert "title" not in read(tmp_path / "notice.docx").meta


def test_the_libreoffice_docx_fixture_has_the_producer_default() -> None:
    import docx

    core = docx.Document(str(PRODUCERS / "libreoffice.docx")).core_properties.title
    assert core in ("", "Word Document") and is_default_title(core)
    assert read(PRODUCERS / "libreoffice.docx").meta["title"] == "十堰市2019年科技创新工作要点"
