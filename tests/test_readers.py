"""Spec of kb.readers: read(path) -> RawDocument, or ReadError with a one-line reason."""

from __future__ import annotations

import contextlib
import json
import random
import re
import zipfile
from pathlib import Path

import pytest
from conftest import SEED, corpus_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kb.readers.encoding as encoding_module
from kb.readers import SUPPORTED_SUFFIXES, ReadError, decode, parse_date, read

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
HTML_002 = "gov_cn_2019_html/002_021a81bc4bdd63b7.html"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def read_manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- public API


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {
        ".txt",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".docx",
        ".pdf",
        ".ofd",
        ".doc",
        ".wps",
        ".png",
        ".jpg",
        ".jpeg",
        ".tif",
        ".tiff",
    }


def test_a_read_error_carries_its_reason_as_one_line(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read(write(tmp_path, "empty.txt", b""))
    # The reason is what the build report and the pages show: one line, and the message itself.
    assert info.value.reason and "\n" not in info.value.reason
    assert str(info.value) == info.value.reason and "empty file" in info.value.reason


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"unsupported file type \.xlsx"):
        read(write(tmp_path, "a.xlsx", "hello"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="file not found"):
        read(tmp_path / "missing.txt")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2019年07月08日 00:00:00", "2019-07-08"),
        ("2019年7月8日", "2019-07-08"),
        ("2019-07-08", "2019-07-08"),
        ("2019.7.8", "2019-07-08"),
        ("2019/7/8", "2019-07-08"),
        ("２０１９年７月８日", "2019-07-08"),
        ("二〇一九年七月八日", "2019-07-08"),
        ("二〇一九年十二月三十一日", "2019-12-31"),
        ("2019年", "2019"),
        ("2019", "2019"),
        ("2019年7月", "2019"),
        ("", ""),
        ("不详", ""),
        ("2019年13月40日", ""),
    ],
)
def test_parse_date(written: str, iso: str) -> None:
    assert parse_date(written) == iso


# ---------------------------------------------------------------- .txt with the government-site header


def test_seed_metadata_and_body(seed_path: Path) -> None:
    raw = read(seed_path)
    assert raw.format == "txt" and raw.encoding == "utf-8"
    assert raw.meta["title"] == "十堰市2019年科技创新工作要点"
    assert raw.meta["index_no"] == "011081248/2019-00001"
    assert raw.meta["category"] == "其他"
    assert raw.meta["date"] == "2019-07-08"
    assert raw.meta["agency"] == "十堰市科学技术局"
    assert raw.meta.get("doc_number", "") == ""
    assert raw.text.startswith("2019年是新中国成立70周年")
    # Odd spaces inside lines are kept verbatim (U+2002 EN SPACE twice, then an ASCII space).
    assert "\u2002\u2002 一、指导思想" in raw.text.split("\n")
    assert "\r" not in raw.text and not raw.text.endswith("\n")
    # The body is the file after the header, verbatim.
    source = seed_path.read_text(encoding="utf-8")
    assert raw.text in source


def test_header_with_missing_value_lines() -> None:
    raw = read(FIXTURES / "header_empty_values.txt")
    assert raw.meta == {
        "title": "关于做好2020年春季植树工作的通知",
        "date": "2020-03-02",
        "agency": "某某县林业局",
    }
    # 文号 has no value and the body follows directly.
    assert raw.text == "各乡镇人民政府：\n现将有关事项通知如下。"


def test_header_doc_number_value_then_body(tmp_path: Path) -> None:
    content = (
        "标题\n\n索引号\n\n主题分类\n\n发文日期\n\n发布机构\n国务院\n文号\n国发〔1980〕82号\n正文第一句。"
    )
    raw = read(write(tmp_path, "a.txt", content))
    assert raw.meta["doc_number"] == "国发〔1980〕82号"
    assert raw.meta["agency"] == "国务院" and "date" not in raw.meta
    assert raw.text == "正文第一句。"


def test_header_only_file_has_no_body(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no body text"):
        read(write(tmp_path, "a.txt", "标题\n\n索引号\n\n文号\n\n"))


def test_plain_text_title_from_short_first_line() -> None:
    raw = read(FIXTURES / "plain.txt")
    assert raw.meta == {"title": "某某区2021年工作计划"}
    assert raw.text.startswith("某某区2021年工作计划\n\n一、总体目标")


def test_plain_text_without_title(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "a.txt", "为做好疫情防控工作，保护人民群众生命安全。\n第二段。\n"))
    assert raw.meta == {}
    assert raw.text == "为做好疫情防控工作，保护人民群众生命安全。\n第二段。"


def test_crlf_and_bom(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "a.txt", "\ufeff第一行内容很长很长的句子。\r\n第二行\u3000缩进\r\r\n"))
    assert raw.encoding == "utf-8-sig"
    assert raw.text == "第一行内容很长很长的句子。\n第二行\u3000缩进"


def test_corpus_state_council_one_line_body() -> None:
    path = corpus_file("state_council_gccmpd/000_2847c204d7b73813.txt")
    raw = read(path, use_manifest=False)
    assert raw.meta["doc_number"] == "国发〔1980〕82号"
    assert "\n" not in raw.text
    assert raw.text.startswith(raw.meta["title"])


# ---------------------------------------------------------------- encodings and bad bytes


def test_gb18030_and_gbk_round_trip(tmp_path: Path) -> None:
    folder = corpus_file("gwr_county_hailar/MANIFEST.jsonl").parent
    source = sorted(folder.glob("*.txt"))[0]
    expected = read(source, use_manifest=False)
    text = source.read_text(encoding="utf-8")
    for codec in ("gb18030", "gbk"):
        path = write(tmp_path, f"{codec}.txt", text.encode(codec))
        raw = read(path)
        assert raw.encoding == "gb18030"
        assert raw.text == expected.text
        assert raw.meta == expected.meta


def test_decode_utf8_without_and_with_bom() -> None:
    assert decode("政策".encode()) == ("政策", "utf-8")
    assert decode(b"\xef\xbb\xbf" + "政策".encode()) == ("政策", "utf-8-sig")
    assert decode("\ufeff政策".encode("utf-16-le")) == ("政策", "utf-16")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n", "empty file"),
        ("\u3000\n".encode(), "empty file"),
        (b"PK\x03\x04\x00\x00binary", "binary file"),
        (bytes(range(1, 32)) * 10, "binary file"),
        (b"\x80\x80abc", "cannot decode as UTF-8 or GB18030"),
        ("Ça coûte très cher à Zürich, voilà.".encode("latin-1"), "cannot decode as UTF-8 or GB18030"),
        (bytes([0x81, 0x40, 0x82, 0x41, 0x83, 0x42, 0x84, 0x43] * 8), "mojibake"),
    ],
)
def test_decode_rejects(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        decode(data)


def test_read_reports_binary_and_empty(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="binary file"):
        read(write(tmp_path, "a.txt", b"\x00\x01\x02abc"))
    with pytest.raises(ReadError, match="empty file"):
        read(write(tmp_path, "b.md", b""))


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoding_module, "MAX_BYTES", 100)
    path = write(tmp_path, "big.txt", "政策文本。" * 100)
    with pytest.raises(ReadError, match=r"file too large: 1\.5 KB \(limit 100 bytes\)"):
        read(path)


# ---------------------------------------------------------------- HTML


def test_gov_cn_html_metadata_and_body() -> None:
    raw = read(corpus_file(HTML_002), use_manifest=False)
    assert raw.format == "html"
    assert raw.meta["title"] == "国务院关于印发国家职业教育改革实施方案的通知"
    assert raw.meta["doc_number"] == "国发〔2019〕4号"
    assert raw.meta["agency"] == "国务院"
    assert raw.meta["date"] == "2019-01-24"  # 成文日期, not 发布日期
    assert raw.meta["index_no"] == "000014349/2019-00005"
    # The page writes a doubled backslash (SQL escaping); we keep one, as the manifest does.
    assert raw.meta["category"] == "科技、教育\\教育"
    lines = raw.text.split("\n")
    assert "（一）健全国家职业教育制度框架。" in lines
    assert lines[0] == "国务院关于印发国家职业教育改革"  # the body is UCAP-CONTENT: no metadata table
    assert "索引号" not in raw.text[:200]
    assert all(line == line.strip() and line for line in lines)


def test_html_generic_page(tmp_path: Path) -> None:
    page = """<html><head><title> 某某市 通知 </title><style>p {color: red}</style>
    <script>var x = "<p>不要</p>";</script></head>
    <body><h1>某某市关于&ldquo;双随机&rdquo;的通知</h1>
    <p>　　第一段<b>加粗</b>&amp;继续。</p><div>第二段<br>换行后</div>
    <ul><li>一项</li><li>二项</li></ul>
    <table><tr><td>甲</td><td>乙</td></tr></table><p>  </p></body></html>"""
    raw = read(write(tmp_path, "page.htm", page))
    assert raw.meta == {"title": "某某市 通知"}
    assert raw.text.split("\n") == [
        "某某市关于“双随机”的通知",
        "第一段加粗&继续。",
        "第二段",
        "换行后",
        "一项",
        "二项",
        "甲",
        "乙",
    ]


def test_html_source_newlines_inside_a_paragraph(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "a.html", "<p>推进科技\n   创新 and\n more。</p>"))
    assert raw.text == "推进科技创新 and more。"


def test_corpus_html_metadata_matches_manifest(corpus_dir: Path) -> None:
    folder = corpus_dir / "gov_cn_2019_html"
    rows = read_manifest(folder)
    assert len(rows) == 60
    mismatches = []
    for row in rows:
        raw = read(folder / row["file"], use_manifest=False)
        assert raw.text.strip(), row["file"]
        for key in ("title", "agency", "date", "doc_number", "index_no", "category"):
            if raw.meta.get(key, "") != row.get(key, ""):
                mismatches.append((row["file"], key, raw.meta.get(key), row.get(key)))
    assert mismatches == []


# ---------------------------------------------------------------- Markdown


def test_markdown_front_matter() -> None:
    raw = read(FIXTURES / "front_matter.md")
    assert raw.format == "md"
    assert raw.meta == {
        "title": "某某市促进科技创新若干措施",
        "agency": "某某市人民政府",
        "date": "2021-03-15",
        "doc_number": "某政发〔2021〕3号",
        "category": "科技",
        "url": "https://example.gov.cn/a.html",
    }
    assert raw.text == "# 某某市促进科技创新若干措施\n\n一、加大研发投入。"


def test_markdown_without_front_matter_title_from_heading(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "a.markdown", "# 实施方案\n\n正文。\n"))
    assert raw.meta == {"title": "实施方案"}
    assert raw.text == "# 实施方案\n\n正文。"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: [未闭合\n---\n正文", "front matter is not valid YAML"),
        ("---\ntitle: a\n正文没有结束标记", "front matter not closed"),
        ("---\n- 一\n- 二\n---\n正文", "front matter must be a mapping"),
        ("---\ntitle: a\n  b: c\n---\n正文", "front matter is not valid YAML"),
    ],
)
def test_markdown_malformed_front_matter(tmp_path: Path, content: str, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read(write(tmp_path, "a.md", content))


def test_lawrefbook_layout() -> None:
    raw = read(FIXTURES / "lawrefbook.md")
    assert raw.meta["title"] == "某某市科技进步条例"
    assert raw.meta["date"] == "2020-05-14"  # the last history line that is not an effective date
    assert raw.meta["agency"] == "某某市人民代表大会常务委员会"
    assert raw.text == "## 第一章  总则\n\n第一条 为了促进科技进步，制定本条例。"


def test_corpus_lawrefbook_sample_matches_manifest(corpus_dir: Path) -> None:
    folder = corpus_dir / "laws_lawrefbook"
    rows = random.Random(20190708).sample(read_manifest(folder), 200)
    counts = dict.fromkeys(("title", "date", "agency", "own_date", "own_agency"), 0)
    for row in rows:
        raw = read(folder / row["file"])
        own = read(folder / row["file"], use_manifest=False)
        assert "<!-- INFO END -->" not in raw.text
        counts["title"] += own.meta.get("title", "") == row["title"]
        counts["date"] += raw.meta.get("date", "") == row["date"]
        counts["agency"] += raw.meta.get("agency", "") == row["agency"]
        counts["own_date"] += own.meta.get("date", "") == row["date"]
        counts["own_agency"] += own.meta.get("agency", "") == row["agency"]
    rates = {key: value / len(rows) for key, value in counts.items()}
    print("LawRefBook match rates:", rates)
    assert rates["title"] >= 0.95  # from the file alone
    assert rates["date"] >= 0.95  # the manifest's date is the version date, not always in the file
    assert rates["own_date"] >= 0.4
    assert rates["own_agency"] >= 0.85


# ---------------------------------------------------------------- .docx


def make_docx(path: Path, *, core_title: str = "") -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    if core_title:
        document.core_properties.title = core_title
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run("某某市2022年科技工作要点").bold = True
    document.add_paragraph("文号：某科发〔2022〕1号")
    document.add_paragraph("发文机关：某某市科学技术局")
    document.add_paragraph("成文日期：2022年1月24日")
    document.add_paragraph("\u3000\u3000一、总体要求")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标值"
    table.cell(1, 0).text = "发明专利申请量"
    table.cell(1, 1).text = "2100件"
    document.add_paragraph("附件：指标分解表")
    document.save(path)
    return path


def test_docx_good(tmp_path: Path) -> None:
    raw = read(make_docx(tmp_path / "plan.docx"))
    assert raw.format == "docx"
    assert raw.meta == {
        "title": "某某市2022年科技工作要点",
        "doc_number": "某科发〔2022〕1号",
        "agency": "某某市科学技术局",
        "date": "2022-01-24",
    }
    assert raw.text.split("\n") == [
        "某某市2022年科技工作要点",
        "\u3000\u3000一、总体要求",
        "指标",
        "目标值",
        "发明专利申请量",
        "2100件",
        "附件：指标分解表",
    ]


def test_docx_body_title_line_wins_over_the_core_title(tmp_path: Path) -> None:
    """What the page shows is cited: the core property is often a template's or a producer's (issue 24)."""
    raw = read(make_docx(tmp_path / "plan.docx", core_title="核心属性标题"))
    assert raw.meta["title"] == "某某市2022年科技工作要点"


def test_docx_core_title_when_the_body_has_no_title_line(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "核心属性标题"
    document.add_paragraph("一、总体要求")
    document.add_paragraph("全面推进各项工作。")
    document.save(tmp_path / "plan.docx")
    assert read(tmp_path / "plan.docx").meta["title"] == "核心属性标题"


def test_docx_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=re.escape("不是有效的 .docx 文件（不是 zip 压缩包）")):
        read(write(tmp_path, "a.docx", "这其实是文本"))


def test_docx_zip_without_document(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ReadError, match=re.escape("不是有效的 .docx 文件")):
        read(path)


def test_docx_truncated(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    path = write(tmp_path, "bad.docx", good[: len(good) // 2])
    with pytest.raises(ReadError, match=re.escape("不是有效的 .docx 文件")):
        read(path)


# ---------------------------------------------------------------- MANIFEST.jsonl sidecar


def test_manifest_sidecar_fills_missing_metadata(tmp_path: Path) -> None:
    rows = [
        {
            "file": "sub/a.txt",
            "title": "清单标题",
            "agency": "清单机关",
            "date": "2020-02-11",
            "source_url": "http://x",
        },
        {"file": "b.txt", "title": "清单标题B", "agency": "清单机关B", "category": "政务信息"},
        "not an object",
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken json\n"
    write(tmp_path, "MANIFEST.jsonl", text)
    # a.txt: no header; its short first line is only a guessed title, so the manifest wins.
    a = read(write(tmp_path, "a.txt", "某某短标题\n正文。"))
    assert a.meta == {"title": "清单标题", "agency": "清单机关", "date": "2020-02-11", "url": "http://x"}
    assert read(tmp_path / "a.txt", use_manifest=False).meta == {"title": "某某短标题"}
    # b.txt: the file's own header wins; the manifest only fills what is missing.
    b = read(
        write(
            tmp_path,
            "b.txt",
            "自己的标题\n\n索引号\n\n主题分类\n\n发文日期\n\n发布机构\n自己的机关\n文号\n\n正文",
        )
    )
    assert b.meta == {"title": "自己的标题", "agency": "自己的机关", "category": "政务信息"}
    # A file without a row is unaffected.
    assert read(write(tmp_path, "c.txt", "没有清单行的文件内容很长很长。")).meta == {}


def test_manifest_cache_sees_changes(tmp_path: Path) -> None:
    write(tmp_path, "MANIFEST.jsonl", json.dumps({"file": "a.txt", "agency": "旧"}) + "\n")
    path = write(tmp_path, "a.txt", "正文很长很长很长很长很长。")
    assert read(path).meta["agency"] == "旧"
    import os

    write(tmp_path, "MANIFEST.jsonl", json.dumps({"file": "a.txt", "agency": "新"}) + "\n")
    stat = (tmp_path / "MANIFEST.jsonl").stat()
    os.utime(tmp_path / "MANIFEST.jsonl", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert read(path).meta["agency"] == "新"


def signed(path: Path, key: str, value: str) -> bool:
    """``value`` is what a 落款 of the file states for ``key``: an agency on lines of its own, or a date-only
    line (at the end, or before the attachment of a notice)."""
    lines = [
        re.sub(r"\s+", "", line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()
    ]
    if key == "agency":
        return bool(value) and value.replace(" ", "") in "".join(lines[-8:])
    return key == "date" and any(len(line) <= 12 and parse_date(line) == value for line in lines)


def manifest_or_signature(path: Path, row: dict, key: str, value: str) -> bool:
    """The manifest's value, or, where the manifest states none (a crawl without metadata), the 落款's."""
    return value == row[key] or (not row[key] and key in ("agency", "date") and signed(path, key, value))


def test_corpus_jiangxi_metadata_from_manifest(corpus_dir: Path) -> None:
    folder = corpus_dir / "jiangxi_gov_docs_2019"
    for row in read_manifest(folder):
        raw = read(folder / row["file"])
        for key in ("title", "agency", "date", "doc_number", "category"):
            assert manifest_or_signature(folder / row["file"], row, key, raw.meta.get(key, "")), (
                row["file"],
                key,
            )
    # the 落款 of a plain text gives its agency (issue 24): 江西省市场监管局 signs 002
    assert read(folder / "002_831bda2627ec45d5.txt").meta["agency"] == "江西省市场监管局"


def test_corpus_txt_collections_read(corpus_dir: Path) -> None:
    """Every .txt of the corpus reads and agrees with its manifest (header first, manifest fills)."""
    for collection in sorted(p for p in corpus_dir.iterdir() if p.is_dir()):
        files = sorted(collection.glob("*.txt"))
        rows = {row["file"]: row for row in read_manifest(collection)} if files else {}
        for path in files:
            own = read(path, use_manifest=False)
            raw = read(path)
            assert own.text.strip() and raw.text == own.text
            row = rows[path.name]
            for key in ("title", "agency", "date", "doc_number"):
                assert manifest_or_signature(path, row, key, raw.meta.get(key, "")), (path, key)
            if collection.name != "jiangxi_gov_docs_2019":
                # The header alone states the title and agency; a year-only date is in the manifest only.
                assert own.meta.get("title", "") == row["title"], path
                assert own.meta.get("agency", "") == row["agency"], path
                assert own.meta.get("date", "") in ("", row["date"]), path


# ---------------------------------------------------------------- properties


@given(st.binary(max_size=2048))
@settings(max_examples=300, deadline=None)
def test_decode_never_raises_anything_but_read_error(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except ReadError as exc:
        assert exc.reason and "\n" not in exc.reason
    else:
        assert isinstance(text, str) and encoding


@given(st.text(max_size=400), st.sampled_from([".txt", ".md", ".html"]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_arbitrary_text_only_raises_read_error(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"doc{suffix}"
    try:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    except UnicodeEncodeError:
        return
    try:
        raw = read(path)
    except ReadError as exc:
        assert exc.reason and "\n" not in exc.reason
    else:
        assert isinstance(raw.text, str) and raw.text.strip()
        assert "\r" not in raw.text
        assert all(isinstance(v, str) for v in raw.meta.values())


@given(
    st.text(alphabet=st.sampled_from("---\n:titleabc[]{}#<!-- INFO END -->年月日2019 \u3000"), max_size=200)
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_markdown_like_text_only_raises_read_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "doc.md", text)
    with contextlib.suppress(ReadError):
        read(path)


@given(st.text(alphabet=st.sampled_from(list('<>/="pdivtrbUCAP-CONTENTid &;#x\n标题：\u3000')), max_size=300))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_read_html_like_text_only_raises_read_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "doc.html", text)
    with contextlib.suppress(ReadError):
        raw = read(path)
        assert raw.text == raw.text.strip() and "\n\n" not in raw.text


# -- issue 11: bytes that merely decode are not a document


def _random_hanzi(seed: int, n: int = 2000) -> bytes:
    """GB2312 level-1 ideographs at random: decodes cleanly as GB18030, reads as nothing."""
    import random

    rnd = random.Random(seed)
    return bytes(b for _ in range(n) for b in (rnd.randrange(0xB0, 0xD8), rnd.randrange(0xA1, 0xFF)))


def test_random_ideographs_are_refused_by_name_and_the_rest_is_indexed(tmp_path: Path) -> None:
    from kb.build import build
    from kb.store.knowledge import KnowledgeBase

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "noise.txt").write_bytes(_random_hanzi(1))
    (docs / "plan.txt").write_bytes(SEED.read_bytes())
    report = build([docs], tmp_path / "index", procs=1, quiet=True)
    reasons = {r["source"]: r["reason"] for r in report.rejected}
    assert "乱码" in reasons["noise.txt"]
    assert [d.id for d in KnowledgeBase.open(tmp_path / "index").documents()] == ["plan"]


def test_plausibility_separates_text_from_noise() -> None:
    from kb.readers.plausible import word_share

    assert word_share(SEED.read_text(encoding="utf-8"))[0] > 0.75
    assert word_share(_random_hanzi(2).decode("gb18030"))[0] < 0.05


def test_control_characters_and_replacement_characters_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "controls.txt"
    binary.write_text("科技创新工作要点\n" + "\x01\x02\x03正文" * 50, encoding="utf-8")
    with pytest.raises(ReadError, match=r"控制字符|control"):
        read(binary)
    broken = tmp_path / "broken.txt"
    broken.write_text("科技创新工作要点\n" + "\ufffd\ufffd正文" * 50, encoding="utf-8")
    with pytest.raises(ReadError, match="无法解码"):
        read(broken)
