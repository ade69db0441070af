"""OCR of scans made from known text: characters right and seconds per page.

Usage (from the project root; needs Tesseract with chi_sim)::

    .venv/bin/python bench/ocr.py [--pages 6] [--dpi 200 300] [--document]

The known text is the seed plan as LibreOffice prints it (tests/fixtures/producers/libreoffice.pdf, Noto CJK
fonts, 公文 layout: 16 pt body, 22 pt title). Each page is "printed and scanned" by
tests/scan_fixtures.py in two ways: ``render`` (the page rendered in grey at the given dpi, as the PDF
reader renders a page without text layer) and ``scan`` (rendered, turned 0.4°, speckled, thresholded to black
and white, as an office scanner's document mode gives it), then read by ``kb.readers.ocr.recognise`` (the
reader's own Tesseract call: one thread, ``--psm 6``). Characters right (of what Tesseract read, before the
layout moves a 落款 into the metadata):
the share of the page's text-layer characters (whitespace removed, ``fold``-ed: full- and half-width
punctuation alike) that ``difflib.SequenceMatcher`` matches in order in the recognised text; a misread, lost
or extra character costs. Seconds: the recognition of one page (render and layout excluded), wall clock and
Tesseract's own CPU time (the machine is shared: the CPU time is the steadier figure). With
``--document`` the whole seed is scanned into one image-only PDF and read by ``kb.readers.read`` and
analysed: title, agency, date, measures, the 42家 target, compared with the .txt seed. Figures, never
pass/fail; medians over pages (2 shared cores: timings are noisy).
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scan_fixtures import SEED_PDF, page_text, scan_pages, scanned_pdf  # noqa: E402

from kb.readers import ocr, read  # noqa: E402
from kb.text.normalize import fold  # noqa: E402


def squash(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def chars_right(truth: str, recognised: str) -> float:
    a, b = squash(truth), squash(recognised)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def page_count() -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(SEED_PDF))
    try:
        return len(document)
    finally:
        document.close()


def bench_pages(pages: int, dpis: list[int]) -> None:
    print(
        "| variant | dpi | pages | characters right (median, min) | seconds/page (median, max)"
        " | Tesseract CPU s/page (median) | confidence |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for variant in ("render", "scan"):
        for dpi in dpis:
            rights, seconds, cpus, confidences = [], [], [], []
            for index in range(pages):
                if variant == "render":
                    (image,) = scan_pages(pages=(index,), dpi=dpi, skew=0.0, noise=0.0, binary=False)
                else:
                    (image,) = scan_pages(pages=(index,), dpi=dpi, noise=0.0005)
                start, cpu = time.perf_counter(), _children_cpu()
                result = ocr.recognise(image.convert("L"), number=index + 1, budget=ocr.Budget(600))
                seconds.append(time.perf_counter() - start)
                cpus.append(_children_cpu() - cpu)
                recognised = "".join(
                    chunk.text for chunk in result.chunks
                )  # before the layout takes the 落款 out
                rights.append(chars_right(page_text(SEED_PDF, index), recognised))
                confidences.append(result.confidence)
            print(
                f"| {variant} | {dpi} | {pages} | {statistics.median(rights):.1%}, {min(rights):.1%}"
                f" | {statistics.median(seconds):.1f}, {max(seconds):.1f} | {statistics.median(cpus):.1f}"
                f" | {statistics.median(confidences):.0f} |"
            )


def bench_document(dpi: int) -> None:
    from kb.extract.pipeline import analyse, load_extraction

    seed_path = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
    extraction = load_extraction()
    seed = analyse(read(seed_path), "seed", seed_path.name, extraction)
    images = scan_pages(pages=tuple(range(page_count())), dpi=dpi, noise=0.0005)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seed-scan.pdf"
        buffer = io.BytesIO(scanned_pdf(images, dpi=dpi))
        path.write_bytes(buffer.getvalue())
        start = time.perf_counter()
        raw = read(path)
        elapsed = time.perf_counter() - start
    kb = analyse(raw, "scan", "seed-scan.pdf", extraction)
    doc = kb.document
    headlines = sum(
        1
        for a, b in zip(kb.measures, seed.measures, strict=False)
        if squash(a.headline) == squash(b.headline)
    )
    target = [t for t in kb.targets if t.value == 42 and t.unit == "家"]
    print()
    print(
        f"Whole seed scanned at {dpi} dpi ({len(images)} pages, one image-only PDF), read() in {elapsed:.0f} s:"
    )
    print()
    print(f"- characters right over the body: {chars_right(seed.document.text, raw.text):.1%}")
    print(f"- title {doc.title!r} (seed {seed.document.title!r}), agency {doc.agency!r}, date {doc.date!r}")
    print(f"- measures {len(kb.measures)} (seed {len(seed.measures)}), headlines read exactly: {headlines}")
    print(
        f"- 42家 target: {'found' if target else 'missing'}; targets {len(kb.targets)} (seed {len(seed.targets)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=0, help="pages of the seed to scan (default: all)")
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 300])
    parser.add_argument(
        "--document", action="store_true", help="also read and analyse the whole scanned seed"
    )
    args = parser.parse_args()
    if ocr.find_tesseract() is None:
        print(f"Tesseract with chi_sim is not installed ({ocr.INSTALL_HINT})")
        return
    print(f"# OCR bench — {ocr.version()}, chi_sim, --psm {ocr.PSM}, reader render dpi {ocr.DPI}")
    print()
    bench_pages(args.pages or page_count(), args.dpi)
    if args.document:
        bench_document(ocr.DPI)


if __name__ == "__main__":
    main()
