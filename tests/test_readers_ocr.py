"""Scans read by OCR (issue 24): a scan of a printed page of the seed is searchable by its words.

Scans are made at test time from known text (tests/scan_fixtures.py: pages of the seed plan as
LibreOffice prints it, rendered at 300 dpi, turned 0.4°, speckled and thresholded to black and white).
Tests that run Tesseract skip with the command that installs it when it is absent; the rules around it
(TSV to lines, limits, the refusal without Tesseract) are tested everywhere.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from conftest import SEED
from scan_fixtures import SEED_PDF, page_text, scan_pages, scanned_pdf

from kb.extract.pipeline import analyse, load_extraction
from kb.readers import ReadError, ocr, read
from kb.readers.layout import Page, assemble
from kb.text.normalize import fold
from kb.text.segment import segmenter

HAS_TESSERACT = ocr.find_tesseract() is not None
needs_tesseract = pytest.mark.skipif(
    not HAS_TESSERACT, reason=f"Tesseract with chi_sim is not installed ({ocr.INSTALL_HINT})"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def words_of(text: str) -> set[str]:
    """The words (2+ ideographs) jieba finds in ``text``: what a searcher would type."""
    return {
        w for w in segmenter().cut(squash(text)) if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
    }


@pytest.fixture(scope="module")
def page_one_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scan") / "documents"
    folder.mkdir()
    path = folder / "scan-page-1.png"
    (image,) = scan_pages(pages=(0,), noise=0.0005)
    image.save(path, dpi=(300, 300))  # as a scanner writes it: the reader scales it to its 200 dpi
    return path


@pytest.fixture(scope="module")
def page_one(page_one_png: Path):
    if not HAS_TESSERACT:
        pytest.skip(f"Tesseract with chi_sim is not installed ({ocr.INSTALL_HINT})")
    return read(page_one_png)


# ---------------------------------------------------------------- with Tesseract


@needs_tesseract
def test_a_scanned_seed_page_reads_its_words(page_one) -> None:
    truth = words_of(page_text(SEED_PDF, 0))
    found = {w for w in truth if w in squash(page_one.text)}
    assert len(truth) > 100
    assert len(found) >= 0.9 * len(truth), sorted(truth - found)
    assert page_one.format == "png"
    assert page_one.meta["title"] == "十堰市2019年科技创新工作要点"
    assert "一、指导思想" in page_one.text.split("\n")


@needs_tesseract
def test_recognised_text_is_marked_with_its_confidence(page_one) -> None:
    marked = json.loads(page_one.meta["ocr"])
    assert marked["engine"].startswith("tesseract") and marked["lang"] == "chi_sim"
    (page,) = marked["pages"]
    assert page["page"] == 1 and 60 <= page["confidence"] <= 100


@needs_tesseract
def test_a_scan_of_a_printed_page_of_the_seed_is_searchable_by_its_words(
    page_one_png: Path, tmp_path: Path
) -> None:
    from kb.build import build
    from kb.search.engine import SearchEngine

    report = build([page_one_png.parent], tmp_path / "index", procs=1, quiet=True)
    assert report.documents == 1 and not report.rejected
    engine = SearchEngine(tmp_path / "index")
    try:
        for query in ("高质量发展", "科技成果转化", "习近平新时代中国特色社会主义思想", "脱贫攻坚"):
            result = engine.search(query)
            assert result.results and result.results[0].doc_id == "scan-page-1", query
    finally:
        engine.close()
    # The site says where the words come from, and every citation of them says so too.
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    data = client.get("/api/documents/scan-page-1").get_json()
    assert data["document"]["ocr"]["engine"].startswith("tesseract")
    assert data["document"]["ocr"]["pages"][0]["confidence"] > 50
    assert "据扫描件识别" in client.get("/documents/scan-page-1").get_data(as_text=True)
    clause = next(iter(data["toc"]), None)
    assert clause is not None
    citations = client.get(f"/api/clauses/{clause['id']}").get_json()["citations"]
    assert citations and all(
        "〔据扫描件识别〕" in c["reference"] or "〔据扫描件识别〕" in c["text"] for c in citations
    )


@needs_tesseract
def test_a_scanned_pdf_reads_as_the_seed_and_its_target_is_found(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(scan_pages(pages=(0, 1), noise=0.0005)))
    raw = read(path)
    assert raw.format == "pdf"
    assert raw.meta["title"] == "十堰市2019年科技创新工作要点"
    assert [p["page"] for p in json.loads(raw.meta["ocr"])["pages"]] == [1, 2]
    kb = analyse(raw, "scan", "scan.pdf", load_extraction())
    seed = analyse(read(SEED), "seed", "seed.txt", load_extraction())
    (target,) = [t for t in kb.targets if t.value == 42]
    assert (target.indicator, target.unit) == ("高新技术企业", "家")
    # the lines of the page are rejoined into the seed's paragraphs (page 2 ends inside measure (一))
    assert (
        squash(seed.document.text)[:900] in squash(raw.text) or _similar(seed.document.text, raw.text) > 0.9
    )


def _similar(truth: str, read_text: str) -> float:
    import difflib

    a, b = squash(truth)[:900], squash(read_text)[:900]
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@needs_tesseract
def test_only_the_scanned_pages_of_a_mixed_pdf_are_recognised(tmp_path: Path) -> None:
    import pypdfium2

    mixed = pypdfium2.PdfDocument.new()
    text_pages = pypdfium2.PdfDocument(str(SEED_PDF))
    scan = pypdfium2.PdfDocument(scanned_pdf(scan_pages(pages=(1,), noise=0.0005)))
    mixed.import_pages(text_pages, [0])
    mixed.import_pages(scan, [0])
    buffer = io.BytesIO()
    mixed.save(buffer)
    for document in (mixed, text_pages, scan):
        document.close()
    path = tmp_path / "mixed.pdf"
    path.write_bytes(buffer.getvalue())
    raw = read(path)
    assert [p["page"] for p in json.loads(raw.meta["ocr"])["pages"]] == [2]
    assert "净增高新技术企业42家" in squash(raw.text)


@needs_tesseract
def test_a_multi_page_tiff_is_read_page_by_page(tmp_path: Path) -> None:
    images = scan_pages(pages=(0, 1), noise=0.0)
    path = tmp_path / "scan.tif"
    images[0].save(path, save_all=True, append_images=images[1:], compression="group4", dpi=(300, 300))
    raw = read(path)
    assert raw.format == "tif" and len(json.loads(raw.meta["ocr"])["pages"]) == 2
    assert "净增高新技术企业42家" in squash(raw.text)


@needs_tesseract
def test_a_page_over_its_time_is_given_up_and_tesseract_is_gone(page_one_png: Path, monkeypatch) -> None:
    monkeypatch.setattr(ocr, "PAGE_SECONDS", 0.3)
    with pytest.raises(ReadError, match="文字识别超时"):
        read(page_one_png)
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _runs_on(p, page_one_png.parent)]


def _runs_on(proc: Path, folder: Path) -> bool:
    try:
        return (
            b"tesseract" in (proc / "cmdline").read_bytes()
            and b"policykb-ocr-" in (proc / "cmdline").read_bytes()
        )
    except OSError:
        return False


@needs_tesseract
def test_a_file_over_its_ocr_budget_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYKB_OCR_SECONDS", "0.2")
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(scan_pages(pages=(0,), noise=0.0)))
    with pytest.raises(ReadError, match=r"文字识别超时.*POLICYKB_OCR_SECONDS"):
        read(path)


# ---------------------------------------------------------------- limits and refusals (no Tesseract needed)


def test_too_many_scanned_pages_are_refused_before_any_recognition(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYKB_OCR_PAGES", "1")
    monkeypatch.setattr(ocr, "find_tesseract", lambda: "/nonexistent/tesseract")  # never run
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(scan_pages(pages=(0, 1), dpi=100, noise=0.0)))
    with pytest.raises(ReadError, match=r"扫描件页数过多：2 页.*POLICYKB_OCR_PAGES"):
        read(path)


def test_an_image_over_the_pixel_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    from PIL import Image

    monkeypatch.setattr(ocr, "MAX_PIXELS", 1_000_000)
    monkeypatch.setattr(ocr, "find_tesseract", lambda: "/nonexistent/tesseract")
    path = tmp_path / "huge.png"
    Image.new("1", (2000, 1000), 1).save(path)
    with pytest.raises(ReadError, match="图像过大：2000×1000"):
        read(path)


def test_a_decompression_bomb_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000), 1).save(path)  # 400 M pixels in a few kilobytes
    assert path.stat().st_size < 200_000
    with pytest.raises(ReadError, match=r"^图像过大"):
        read(path)


def test_a_damaged_image_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    buffer = io.BytesIO()
    scan_pages(pages=(0,), dpi=100, noise=0.0)[0].save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(ReadError, match="不是有效的图像文件"):
        read(path)
    (tmp_path / "text.jpg").write_text("这不是图像", encoding="utf-8")
    with pytest.raises(ReadError, match="不是有效的图像文件"):
        read(tmp_path / "text.jpg")


def test_without_tesseract_scans_are_refused_with_how_to_install_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ocr.find_tesseract() is None
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(scanned_pdf(scan_pages(pages=(0,), dpi=100, noise=0.0)))
    png = tmp_path / "scan.png"
    scan_pages(pages=(0,), dpi=100, noise=0.0)[0].save(png)
    with pytest.raises(
        ReadError, match=r"^扫描件，没有文字层.*apt-get install tesseract-ocr tesseract-ocr-chi-sim"
    ):
        read(pdf)
    with pytest.raises(
        ReadError, match=r"^图像文件需要文字识别.*apt-get install tesseract-ocr tesseract-ocr-chi-sim"
    ):
        read(png)


def test_ocr_can_be_turned_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("POLICYKB_OCR", "off")
    png = tmp_path / "scan.png"
    scan_pages(pages=(0,), dpi=100, noise=0.0)[0].save(png)
    with pytest.raises(ReadError, match="文字识别已关闭"):
        read(png)


# ---------------------------------------------------------------- Tesseract's TSV to lines (pure)

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def tsv(*lines: list[tuple[int, int, int, int, float, str]]) -> str:
    """Lines of words (left, top, width, height, conf, text) as Tesseract writes them."""
    out = [TSV_HEADER]
    for n, words in enumerate(lines, start=1):
        left = min(w[0] for w in words)
        top = min(w[1] for w in words)
        right = max(w[0] + w[2] for w in words)
        bottom = max(w[1] + w[3] for w in words)
        out.append(f"4\t1\t1\t1\t{n}\t0\t{left}\t{top}\t{right - left}\t{bottom - top}\t-1\t\n")
        for k, (x, y, w, h, conf, text) in enumerate(words, start=1):
            out.append(f"5\t1\t1\t1\t{n}\t{k}\t{x}\t{y}\t{w}\t{h}\t{conf}\t{text}\n")
    return "".join(out)


def test_words_of_a_line_join_without_spaces_but_latin_keeps_its_own() -> None:
    chunks, confidence = ocr.parse_tsv(
        tsv(
            [(100, 100, 60, 60, 95, "2019"), (170, 100, 60, 60, 91, "年"), (232, 100, 120, 60, 90, "科技")],
            [(100, 200, 90, 60, 96, "Hello"), (210, 200, 100, 60, 96, "world")],
        )
    )
    assert [c.text for c in chunks] == ["2019年科技", "Hello world"]
    assert chunks[0].baseline == 160 and chunks[1].baseline == 260
    assert confidence == round((95 * 4 + 91 + 90 * 2 + 96 * 10) / 17)


def test_a_speck_apart_from_its_line_is_dropped_and_a_dash_bullet_restored() -> None:
    chunks, _ = ocr.parse_tsv(
        tsv(
            [
                (5, 100, 20, 40, 21, "，"),
                (100, 100, 60, 60, 80, "-一"),
                (160, 100, 240, 60, 90, "省政府考核"),
            ],
            [(100, 200, 60, 60, 93, "对照"), (900, 200, 60, 60, 95, "十堰")],
        )
    )
    assert [c.text for c in chunks] == ["——省政府考核", "对照", "十堰"]  # a confident far word stays


def test_recognised_words_go_through_the_layout_like_any_page() -> None:
    rows = [[(300, 100, 600, 80, 92, "十堰市2019年科技创新工作要点")]]
    text = "这是一个很长的句子它一直写到页面的右边缘然后在下一行继续写"
    rows += [[(100, 300 + 100 * n, 1000, 60, 90, text)] for n in range(3)]
    rows += [[(100, 600, 300, 60, 90, "直到句号。")]]
    chunks, _ = ocr.parse_tsv(tsv(*rows))
    meta, body = assemble([Page(width=1200, height=1700, chunks=chunks)])
    assert meta["title"] == "十堰市2019年科技创新工作要点"
    assert body.split("\n") == ["十堰市2019年科技创新工作要点", text * 3 + "直到句号。"]
