"""Text from scans: Tesseract OCR on page images (PDF pages without a text layer; .png .jpg .jpeg .tif .tiff).

Tesseract (Apache-2.0; Debian ``tesseract-ocr`` with ``tesseract-ocr-chi-sim``) is run as a program, one page
at a time (``tesseract PAGE.png stdout -l chi_sim --psm 6 tsv``, one thread), through ``kb.readers.sandbox``:
its own process group, no network, an address-space limit, killed on its deadline or with us. The TSV gives
every recognised word with its box and confidence; the words become positioned chunks (baseline: the bottom
of their line's box; size: the line's median word height), and ``kb.readers.layout`` does what it does for
PDF and OFD: lines, page numbers, running heads, the title and byline, paragraphs rejoined across page-width
breaks, the 落款. So the outline and the extraction see a scan as any other text.

Recognised text is marked: ``meta["ocr"]`` is a JSON object (``ocr_meta``)::

    {"engine": "tesseract 5.3.0", "lang": "chi_sim", "dpi": 300, "pages": [{"page": 1, "confidence": 91}, …]}

(``dpi`` null for an image file, read at its own resolution) with each recognised page's confidence (Tesseract's word confidences, weighted by characters, 0–100); a PDF
that mixes text pages and scanned pages lists only the scanned ones.

Limits (each refusal names its setting): ``MAX_PAGES`` pages recognised per file (``$POLICYKB_OCR_PAGES``),
``MAX_PIXELS`` pixels per page image (a PDF page is rendered at ``DPI``, less when that would exceed it; an
image file over it is refused; one finer than ``DPI`` is scaled down to it), ``PAGE_SECONDS`` per page and ``FILE_SECONDS`` per file
(``$POLICYKB_OCR_SECONDS``; keep it under the build's ``$POLICYKB_FILE_SECONDS``, 120 s by default),
``MEMORY_BYTES`` of address space for Tesseract. ``$POLICYKB_OCR=off`` turns recognition off. Without
Tesseract (or its chi_sim data) a scan is refused as before, with the command that installs it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import time
import warnings
from dataclasses import dataclass, field

from kb.model import RawDocument
from kb.readers import sandbox
from kb.readers.encoding import ReadError, check_size
from kb.readers.layout import Chunk, Page, assemble
from kb.readers.text import clean_meta, looks_like_title

LANG = "chi_sim"
PSM = "6"  # one uniform block of text: measured faster and as accurate as automatic layout on 公文 pages
# Pages are recognised at 200 dpi: 16 pt 公文 text then has ~45-pixel glyphs, which Tesseract reads better than
# the ~67 of 300 dpi (bench/ocr.py: 99.5 % of characters right against 98.5 %, and faster); an image file
# that says it is finer is scaled down to it.
DPI = 200
MAX_PAGES = 30
MAX_PIXELS = 40_000_000  # an A4 page at 300 dpi is 8.7 M pixels
PAGE_SECONDS = 60.0
FILE_SECONDS = 90.0
MEMORY_BYTES = 1024 * 1024 * 1024
INSTALL_HINT = "Debian/Ubuntu：apt-get install tesseract-ocr tesseract-ocr-chi-sim"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@dataclass
class OcrPage:
    """One recognised page: its words as chunks (in the page's pixels, or points for a PDF) and confidence."""

    width: float
    height: float
    chunks: list[Chunk] = field(default_factory=list)
    confidence: int = 0  # 0–100
    number: int = 1


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        return default


def max_pages() -> int:
    return int(_setting("POLICYKB_OCR_PAGES", MAX_PAGES))


def file_seconds() -> float:
    return _setting("POLICYKB_OCR_SECONDS", FILE_SECONDS)


def enabled() -> bool:
    return os.environ.get("POLICYKB_OCR", "").strip().lower() not in ("off", "0", "no", "false")


@functools.cache
def _probe(executable: str) -> tuple[str, bool]:
    """(version line, whether the chi_sim data is installed) of a Tesseract executable."""
    try:
        version = subprocess.run([executable, "--version"], capture_output=True, timeout=15, check=False)
        langs = subprocess.run([executable, "--list-langs"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return "", False
    first = (version.stdout or version.stderr).decode("utf-8", "replace").strip().splitlines()
    listed = (langs.stdout + langs.stderr).decode("utf-8", "replace").split()
    return (first[0] if first else "tesseract"), LANG in listed


def find_tesseract() -> str | None:
    """The Tesseract executable when it and its chi_sim data are installed (and OCR is on), else None."""
    executable = shutil.which("tesseract")
    if not executable or not enabled():
        return None
    return executable if _probe(executable)[1] else None


def missing_reason(what: str) -> str:
    """Why a scan is refused when Tesseract is missing, with how to install it."""
    if not enabled():
        return f"{what}，文字识别已关闭（POLICYKB_OCR=off）"
    return f"{what}，需要安装 Tesseract 文字识别（{INSTALL_HINT}）"


# ---------------------------------------------------------------- TSV -> chunks (pure)


_SEGMENT_GAP = 1.2  # words further apart than this many sizes stay separate chunks (gutters, bylines)
# A dash bullet "——" at the start of a line, as Tesseract reads it: "-一", "一-", "--", "—-"…
_DASHES_RE = re.compile(r"^(?:[-_‐‑–—―－~～][-_‐‑–—―－一~～”\"]|一[-_‐‑–—―－~～])(?=[\u4e00-\u9fff“《（(])")
# A speck read as punctuation before a line's first character.
_STRAY_RE = re.compile(r"^[_.,，。、·'`]+(?=[\u4e00-\u9fff“《（(])")
# One or two characters apart from the rest of their line, read with less confidence than this: a speck.
_SPECK_CONFIDENCE = 50


def _joined(words: list[tuple[float, float, float, str, float]]) -> str:
    """Words of one segment as text: a space only between two Latin letters or digits (Chinese has none)."""
    text = ""
    for _, _, _, word, _ in words:
        if text and text[-1].isascii() and text[-1].isalnum() and word[0].isascii() and word[0].isalnum():
            text += " "
        text += word
    return text


_Word = tuple[float, float, float, str, float]  # left, right, height, text, confidence


def parse_tsv(tsv: str, scale: float = 1.0, order: int = 0) -> tuple[list[Chunk], int]:
    """Tesseract's TSV -> (chunks, confidence 0–100 weighted by characters); coordinates × ``scale``.

    The words of one line share a baseline (the bottom of the line's box) and a size (the median height of
    the line's words) and are joined into one chunk, cut only at gaps wider than ``_SEGMENT_GAP`` sizes (so
    ``kb.readers.layout`` still sees a gutter or a byline's gap); a segment of one or two characters apart
    from the line's text and read with confidence below ``_SPECK_CONFIDENCE`` is a speck of the scan and
    dropped; a line's opening "-一" (or "_”", "一-"…) is the "——" of a dash bullet.
    """
    rows = list(csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0][:1] != ["level"]:
        return [], 0
    chunks: list[Chunk] = []
    weighted = characters = 0.0
    for bottom, words in _tsv_lines(rows[1:]).values():
        if not words:
            continue
        words.sort(key=lambda w: w[0])
        size = statistics.median(w[2] for w in words) or 1.0
        for n, segment in enumerate(_segments(words, size)):
            text = _joined(segment)
            if n == 0:
                text = _STRAY_RE.sub("", _DASHES_RE.sub("——", text))
            x0, x1 = segment[0][0], max(w[1] for w in segment)
            chunks.append(
                Chunk(text, x0 * scale, x1 * scale, bottom * scale, size * scale, order=order + len(chunks))
            )
        for _, _, _, text, conf in words:
            if conf >= 0:
                weighted += conf * len(text)
                characters += len(text)
    return chunks, round(weighted / characters) if characters else 0


def _tsv_lines(rows: list[list[str]]) -> dict[tuple[str, ...], tuple[float, list[_Word]]]:
    """The TSV's lines (level 4) by their key (page, block, paragraph, line): the bottom of the line's box and
    its words (level 5), in file order; malformed rows are skipped."""
    lines: dict[tuple[str, ...], tuple[float, list[_Word]]] = {}
    for row in rows:
        if len(row) < 12:
            continue
        try:
            level = int(row[0])
            left, top, width, height = (float(v) for v in row[6:10])
            conf = float(row[10])
        except ValueError:
            continue
        key = tuple(row[1:5])
        if level == 4:
            lines[key] = (top + height, lines.get(key, (0.0, []))[1])
        elif level == 5:
            text = row[11].strip()
            if text:
                lines.setdefault(key, (top + height, []))[1].append((left, left + width, height, text, conf))
    return lines


def _segments(words: list[_Word], size: float) -> list[list[_Word]]:
    """A line's words (sorted by x) cut at gaps wider than ``_SEGMENT_GAP`` sizes, without the specks: short
    segments apart from the line's main one read with low confidence."""
    segments: list[list[_Word]] = []
    for word in words:
        if segments and word[0] - segments[-1][-1][1] <= _SEGMENT_GAP * size:
            segments[-1].append(word)
        else:
            segments.append([word])
    if len(segments) > 1:
        main = max(segments, key=lambda seg: sum(len(w[3]) for w in seg))
        segments = [
            seg
            for seg in segments
            if seg is main or sum(len(w[3]) for w in seg) > 2 or min(w[4] for w in seg) >= _SPECK_CONFIDENCE
        ]
    return segments


def ocr_meta(version: str, dpi: int | None, pages: list[OcrPage]) -> str:
    """The ``meta["ocr"]`` value: engine, language, resolution (None: an image file's own) and each recognised
    page's confidence."""
    return json.dumps(
        {
            "engine": version,
            "lang": LANG,
            "dpi": dpi,
            "pages": [{"page": page.number, "confidence": page.confidence} for page in pages],
        },
        ensure_ascii=False,
    )


# ---------------------------------------------------------------- running Tesseract


class Budget:
    """Seconds left for a file's pages (``file_seconds()``), each page at most ``PAGE_SECONDS``."""

    def __init__(self, seconds: float | None = None) -> None:
        self.deadline = time.monotonic() + (file_seconds() if seconds is None else seconds)

    def next_page(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0.5:
            raise ReadError(
                f"文字识别超时：扫描件识别超过 {file_seconds():g} 秒（POLICYKB_OCR_SECONDS），已放弃此文件"
            )
        return min(PAGE_SECONDS, left)


def recognise(image, *, scale: float = 1.0, number: int = 1, budget: Budget | None = None) -> OcrPage:
    """Recognise one page image (a Pillow image); chunk coordinates are its pixels × ``scale``."""
    executable = find_tesseract()
    if executable is None:
        raise ReadError(missing_reason("扫描件"))
    budget = budget or Budget()
    seconds = budget.next_page()
    with sandbox.work_dir("ocr") as work:
        page_file = work / "page.png"
        image.save(page_file, format="PNG", compress_level=1)
        env = dict(os.environ, OMP_THREAD_LIMIT="1", HOME=str(work))
        try:
            finished = sandbox.run(
                [executable, str(page_file), "stdout", "-l", LANG, "--psm", PSM, "tsv"],
                timeout=seconds,
                cwd=work,
                env=env,
                network=False,
                memory_bytes=MEMORY_BYTES,
            )
        except sandbox.HelperTimeout:
            if seconds < PAGE_SECONDS:  # the file's budget ran out during this page
                raise ReadError(
                    f"文字识别超时：扫描件识别超过 {file_seconds():g} 秒（POLICYKB_OCR_SECONDS），已放弃此文件"
                ) from None
            raise ReadError(
                f"文字识别超时：第 {number} 页超过 {seconds:g} 秒（kb.readers.ocr.PAGE_SECONDS），已放弃此文件"
            ) from None
        except OSError as exc:
            raise ReadError(f"无法启动 Tesseract（{exc.strerror or exc}）") from None
    if finished.returncode != 0:
        detail = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadError(f"文字识别失败（Tesseract：{detail[-1] if detail else finished.returncode}）")
    chunks, confidence = parse_tsv(finished.stdout.decode("utf-8", "replace"), scale)
    width, height = image.size
    return OcrPage(width * scale, height * scale, chunks, confidence, number)


def version() -> str:
    executable = find_tesseract()
    return _probe(executable)[0] if executable else ""


# ---------------------------------------------------------------- image files


def _pillow():
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - dependency is declared
        raise ReadError("需要安装 Pillow 才能读取图像文件") from None
    return Image


def _dpi(image) -> float:
    """The resolution an image file states (0 when it states none or nonsense)."""
    try:
        value = float(image.info.get("dpi", (0, 0))[0])
    except (TypeError, ValueError, IndexError):
        return 0.0
    return value if 50 <= value <= 2400 else 0.0


def image_pages(data: bytes) -> list:
    """The frames of an image file as greyscale Pillow images, within ``MAX_PIXELS`` and ``max_pages()``;
    a frame finer than ``DPI`` (as the file states) is scaled down to it."""
    image_module = _pillow()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", image_module.DecompressionBombWarning)
            image = image_module.open(io.BytesIO(data))
    except (image_module.DecompressionBombError, image_module.DecompressionBombWarning):
        raise ReadError(f"图像过大（上限 {MAX_PIXELS:,} 像素，kb.readers.ocr.MAX_PIXELS）") from None
    except Exception as exc:
        raise ReadError(f"不是有效的图像文件（{type(exc).__name__}）") from None
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages():
        raise ReadError(f"图像页数过多：{frames} 页（上限 {max_pages()} 页，POLICYKB_OCR_PAGES）")
    pages = []
    for index in range(frames):
        try:
            image.seek(index)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ReadError(
                    f"图像过大：{width}×{height} 像素（上限 {MAX_PIXELS:,} 像素，kb.readers.ocr.MAX_PIXELS）"
                )
            image.load()
            page = image.convert("L")
            dpi = _dpi(image)
            if dpi > 1.2 * DPI:
                size = (round(width * DPI / dpi), round(height * DPI / dpi))
                page = page.resize(size, image_module.Resampling.LANCZOS)
            pages.append(page)
        except ReadError:
            raise
        except Exception as exc:  # truncated or damaged image data, decompression bombs
            raise ReadError(f"不是有效的图像文件（{type(exc).__name__}: {exc}）") from None
    return pages


def read_image(data: bytes, fmt: str) -> tuple[RawDocument, set[str]]:
    """Read a scanned page (or a multi-page TIFF) by OCR; the second item names meta keys that are guesses."""
    check_size(len(data))
    if find_tesseract() is None:
        image_pages(data)  # a broken image is named as such first
        raise ReadError(missing_reason("图像文件需要文字识别"))
    images = image_pages(data)
    budget = Budget()
    recognised = [recognise(image, number=n, budget=budget) for n, image in enumerate(images, start=1)]
    pages = [Page(width=p.width, height=p.height, chunks=p.chunks) for p in recognised]
    meta, body = assemble(pages)
    inferred: set[str] = set()
    if not meta.get("title"):
        first = next((line for line in body.split("\n") if line.strip()), "")
        if looks_like_title(first):
            meta["title"] = first.strip()
        inferred.add("title")
    meta = clean_meta(meta)
    meta["ocr"] = ocr_meta(version(), None, recognised)
    return RawDocument(text=body, meta=meta, format=fmt, encoding="utf-8"), inferred


def read_png(data: bytes) -> tuple[RawDocument, set[str]]:
    return read_image(data, "png")


def read_jpeg(data: bytes) -> tuple[RawDocument, set[str]]:
    return read_image(data, "jpg")


def read_tiff(data: bytes) -> tuple[RawDocument, set[str]]:
    return read_image(data, "tif")
