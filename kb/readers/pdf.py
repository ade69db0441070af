"""PDF documents with a text layer, via pypdfium2 (PDFium; Apache-2.0/BSD).

Each character stands at its origin (``FPDFText_GetCharOrigin``, on the baseline) with its font size
(``FPDFText_GetFontSize`` scaled by the character's matrix) and the horizontal extent of its loose
box; its box's height counts for nothing (a thin glyph's box is as thin as its ink). Lines, columns,
page furniture, front matter, paragraphs and the 落款 are worked out by ``kb.readers.layout``.
Pages without a text layer but with images are scans: they are rendered and recognised by
``kb.readers.ocr`` (Tesseract), and ``meta["ocr"]`` names the recognised pages and their confidence;
without Tesseract a PDF that is only scans is refused (``扫描件，没有文字层…``, with how to install it). Limits: ``MAX_PAGES`` pages and ``kb.readers.limits.MAX_CHARS`` characters of text layer; the file size
limit of ``kb.readers.encoding`` applies. Encrypted, truncated (no ``%%EOF`` near the end) and
malformed files are refused with a reason. The PDF's own Title property is only a fallback
(often "Microsoft Word - 文件名.doc"), reported as a guess.
"""

from __future__ import annotations

import ctypes

from kb.model import RawDocument
from kb.readers import limits, ocr
from kb.readers.encoding import ReadError, check_size
from kb.readers.layout import Chunk, Page, assemble
from kb.readers.text import clean_meta, is_default_title, looks_like_title

MAX_PAGES = 2000
_EOF_WINDOW = 4096  # %%EOF must appear within this many bytes of the end
OCR_KEY = "ocr"
SCANNED_REASON = "扫描件，没有文字层（PDF 只有图像）"


def _pdfium():
    try:
        import pypdfium2
        import pypdfium2.raw
    except ImportError:  # pragma: no cover - dependency is declared
        raise ReadError("需要安装 pypdfium2 才能读取 .pdf") from None
    return pypdfium2, pypdfium2.raw


def _check_bytes(data: bytes) -> None:
    head = data[:1024]
    if b"%PDF-" not in head:
        raise ReadError("不是有效的 PDF 文件（缺少 %PDF 文件头）")
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise ReadError("PDF 文件不完整（结尾没有 %%EOF，文件可能被截断）")


def _char_size(raw, handle, index: int, box_height: float, box_width: float, matrix, sizes: dict) -> float:
    """The font size in page units: the font's size scaled by the character's matrix (text matrix x CTM).

    A glyph's box is no measure of it: the box of a thin glyph (一, 、) is as thin as its ink when the
    font reports no ascent and descent. Without a usable size, the larger side of the box. ``sizes``
    caches the size of each text object (every character of an object has it).
    """
    text_object = raw.FPDFText_GetTextObject(handle, index)
    key = ctypes.cast(text_object, ctypes.c_void_p).value if text_object else None
    if key is not None and key in sizes:
        return sizes[key]
    size = raw.FPDFText_GetFontSize(handle, index)
    result = 0.0
    if size > 0 and raw.FPDFText_GetMatrix(handle, index, ctypes.byref(matrix)):
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        result = size * scale
    if result > 0:
        if key is not None:
            sizes[key] = result
        return result
    return max(box_height, box_width) or 1.0


def _page_chunks(page, raw, budget: int) -> tuple[list[Chunk], int]:
    """(the page's characters as chunks, how many image objects it has when it has no text).

    Each character stands at its origin (``FPDFText_GetCharOrigin``: on the baseline, at the left of its
    advance), spans its loose box horizontally and has the font size of ``_char_size``. ``budget`` is the
    number of characters the file may still have (``kb.readers.limits.MAX_CHARS``): counted before anything is built.
    """
    height = page.get_size()[1]
    textpage = page.get_textpage()
    chunks: list[Chunk] = []
    try:
        handle = textpage.raw
        count = textpage.count_chars()
        if count > budget:
            limits.check_chars(limits.MAX_CHARS + 1, "PDF ")
        left, right = ctypes.c_double(), ctypes.c_double()
        bottom, top = ctypes.c_double(), ctypes.c_double()
        origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
        rect = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        sizes: dict = {}
        for i in range(count):
            code = raw.FPDFText_GetUnicode(handle, i)
            if code in (0, 0xFFFE, 0xFFFF, 0x0D, 0x0A, 0x02) or raw.FPDFText_IsGenerated(handle, i) == 1:
                continue  # generated line breaks/spaces: positions decide those
            try:
                ch = chr(code)
            except ValueError:
                continue
            if raw.FPDFText_GetLooseCharBox(handle, i, ctypes.byref(rect)):
                x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
            else:
                raw.FPDFText_GetCharBox(
                    handle,
                    i,
                    ctypes.byref(left),
                    ctypes.byref(right),
                    ctypes.byref(bottom),
                    ctypes.byref(top),
                )
                x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            x0, x1 = min(x0, x1), max(x0, x1)
            size = _char_size(raw, handle, i, abs(y1 - y0), x1 - x0, matrix, sizes)
            if raw.FPDFText_GetCharOrigin(handle, i, ctypes.byref(origin_x), ctypes.byref(origin_y)):
                baseline = height - origin_y.value
                x0 = min(x0, origin_x.value) if x1 > x0 else origin_x.value
            else:
                baseline = height - min(y0, y1)
            x1 = max(x1, x0)
            chunks.append(Chunk(ch, x0, x1, baseline, size, order=i))
    finally:
        textpage.close()
    images = 0
    if not any(c.text.strip() for c in chunks):
        images = sum(1 for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4))
    return chunks, images


def parse_pdf(data: bytes) -> tuple[dict[str, str], str, set[str]]:
    """Read PDF bytes into (meta, body, inferred keys)."""
    _check_bytes(data)
    pdfium, raw = _pdfium()
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ReadError("PDF 文件已加密（需要密码），无法读取") from None
        raise ReadError(f"不是有效的 PDF 文件（{message}）") from None
    try:
        count = len(document)
        if count == 0:
            raise ReadError("PDF 文件没有页面")
        if count > MAX_PAGES:
            raise ReadError(f"PDF 页数过多：{count} 页（上限 {MAX_PAGES} 页）")
        pages: list[Page] = []
        scanned: list[int] = []  # pages with images and no text layer
        total = 0
        for index in range(count):
            page = document[index]
            try:
                width, height = page.get_size()
                chunks, page_images = _page_chunks(page, raw, limits.MAX_CHARS - total)
            finally:
                page.close()
            if page_images:
                scanned.append(index)
            total += len(chunks)
            pages.append(Page(width=width, height=height, chunks=chunks))
        has_text = any(c.text.strip() for page in pages for c in page.chunks)
        recognised = _recognise(document, pages, scanned, has_text)
        try:
            pdf_title = (document.get_metadata_value("Title") or "").strip()
        except Exception:
            pdf_title = ""
    finally:
        document.close()
    if not any(c.text.strip() for page in pages for c in page.chunks):
        if scanned:
            raise ReadError("扫描件，没有文字层：文字识别没有读出文字")
        raise ReadError("PDF 没有文字内容（空白页面）")
    meta, body = assemble(pages)
    inferred: set[str] = set()
    if not meta.get("title"):
        first = next((line for line in body.split("\n") if line.strip()), "")
        if looks_like_title(first):
            meta["title"] = first.strip()
        elif pdf_title and looks_like_title(pdf_title) and not is_default_title(pdf_title):
            meta["title"] = pdf_title
        inferred.add("title")
    if recognised:
        meta[OCR_KEY] = ocr.ocr_meta(ocr.version(), ocr.DPI, recognised)
    return meta, body, inferred


def _recognise(document, pages: list[Page], scanned: list[int], has_text: bool) -> list[ocr.OcrPage]:
    """OCR the ``scanned`` pages (rendered at ``ocr.DPI``, fewer dots when a page would exceed
    ``ocr.MAX_PIXELS``) into ``pages``, in points like the text layer. Without Tesseract a PDF that is only
    scans is refused with how to install it; a PDF with a text layer keeps its text pages."""
    if not scanned:
        return []
    if ocr.find_tesseract() is None:
        if has_text:
            return []
        raise ReadError(ocr.missing_reason(SCANNED_REASON))
    if len(scanned) > ocr.max_pages():
        raise ReadError(
            f"扫描件页数过多：{len(scanned)} 页需要文字识别（上限 {ocr.max_pages()} 页，POLICYKB_OCR_PAGES）"
        )
    budget = ocr.Budget()
    recognised = []
    for index in scanned:
        width, height = pages[index].width, pages[index].height
        scale = min(ocr.DPI / 72, (ocr.MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        page = document[index]
        try:
            image = page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()
        result = ocr.recognise(image, scale=1 / scale, number=index + 1, budget=budget)
        pages[index].chunks = result.chunks
        recognised.append(result)
    return recognised


def read_pdf(data: bytes) -> tuple[RawDocument, set[str]]:
    """Read a .pdf file's bytes; the second item names meta keys that are guesses."""
    check_size(len(data))
    try:
        meta, body, inferred = parse_pdf(data)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("PDF 文件过大，内存不足") from None
    except Exception as exc:  # PDFium or layout failure on a hostile file: this file only
        raise ReadError(f"不是有效的 PDF 文件（{type(exc).__name__}: {exc}）") from None
    recognised = meta.pop(OCR_KEY, "")
    meta = clean_meta(meta)
    if recognised:
        meta["ocr"] = recognised  # not a metadata field a file states: kept past clean_meta
    return RawDocument(text=body, meta=meta, format="pdf", encoding="utf-8"), inferred
