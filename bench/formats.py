"""Reading cost of the office formats: pages/s for PDF and OFD, seconds per LibreOffice conversion.

Usage (from the project root)::

    .venv/bin/python bench/formats.py [--seconds 3] [--conversions 3]

Reads the seed-plan fixtures of tests/fixtures/formats/ through ``kb.readers.read`` (the whole
reader: parsing, layout, front matter, 落款) repeatedly for ``--seconds`` each and prints pages/s
and characters of body per second; then converts seed.doc and seed.wps ``--conversions`` times
each with LibreOffice as the reader does (fresh profile and temporary folder per call, no network)
and prints the seconds per conversion (skipped when soffice is absent). Figures, never pass/fail.

Then the producer shapes of tests/fixtures/producers/ (tests/fixtures/make_producers.py: Chromium
narrow and two-column, LibreOffice, reportlab PDFs; OFD one object per glyph, per run, mixed fonts;
a LibreOffice .docx; a plain .txt with a 落款): for each, pages/s and whether what the reader returns
is the seed's document once analysed (``kb.extract.pipeline.analyse``): title, agency and date, the
body line for line, the 10 measures with whole headlines, the 42家 target.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.readers import read  # noqa: E402
from kb.readers.office import convert_to_docx, find_soffice  # noqa: E402
from kb.readers.sandbox import network_isolated  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "formats"
PRODUCERS = ROOT / "tests" / "fixtures" / "producers"
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"


def pdf_pages(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def ofd_pages(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(1 for name in archive.namelist() if name.endswith("/Content.xml"))


def bench_reader(path: Path, pages: int, seconds: float) -> tuple[float, float, int]:
    """(pages/s, body chars/s, runs) reading ``path`` again and again for ``seconds``."""
    read(path)  # warm-up: imports, caches
    runs, chars = 0, 0
    start = time.perf_counter()
    while True:
        chars += len(read(path).text)
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return runs * pages / elapsed, chars / elapsed, runs


def bench_conversion(path: Path, times: int) -> list[float]:
    data = path.read_bytes()
    out = []
    for _ in range(times):
        start = time.perf_counter()
        convert_to_docx(data, path.suffix)
        out.append(time.perf_counter() - start)
    return out


def folded_lines(text: str) -> list[str]:
    from kb.text.normalize import fold

    return [fold(line.strip()) for line in text.split("\n") if line.strip()]


def bench_producers(seconds: float) -> None:
    from kb.extract.pipeline import analyse, load_extraction
    from kb.text.normalize import fold

    extraction = load_extraction()
    seed_raw = read(SEED)
    seed = analyse(seed_raw, "seed", SEED.name, extraction)
    print()
    print("Producer shapes (tests/fixtures/producers/), each read and analysed as the seed:")
    print()
    print(
        "| file | pages | pages/s | title, agency, date | body = seed's lines | measures, whole headlines | 42家 |"
    )
    print("|---|---:|---:|---|---|---|---|")
    for path in sorted(PRODUCERS.iterdir()):
        if path.suffix == ".pdf":
            pages = pdf_pages(path)
        elif path.suffix == ".ofd":
            pages = ofd_pages(path)
        else:
            pages = 1
        rate, _, _ = bench_reader(path, pages, seconds)
        raw = read(path)
        kb = analyse(raw, "seed", path.name, extraction)
        meta = (kb.document.title, kb.document.agency, kb.document.date) == (
            seed.document.title,
            seed.document.agency,
            seed.document.date,
        )
        body = folded_lines(raw.text)[1:] == folded_lines(seed_raw.text)
        headlines = [fold(m.headline) for m in kb.measures] == [m.headline for m in seed.measures]
        target = any(t.value == 42 and t.unit == "家" and t.indicator == "高新技术企业" for t in kb.targets)
        print(
            f"| {path.name} | {pages} | {rate:.1f} | {'yes' if meta else 'NO'} | {'yes' if body else 'NO'}"
            f" | {len(kb.measures)}, {'yes' if headlines else 'NO'} | {'yes' if target else 'NO'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent reading each format")
    parser.add_argument("--conversions", type=int, default=3, help="LibreOffice conversions per file")
    args = parser.parse_args()
    print(
        f"# formats bench — {platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    print()
    print("| file | pages | runs | pages/s | body chars/s |")
    print("|---|---:|---:|---:|---:|")
    for name, count in (("seed.pdf", pdf_pages), ("seed.ofd", ofd_pages)):
        path = FIXTURES / name
        pages = count(path)
        rate, chars, runs = bench_reader(path, pages, args.seconds)
        print(f"| {name} | {pages} | {runs} | {rate:.1f} | {chars:,.0f} |")
    print()
    bench_producers(args.seconds)
    print()
    soffice = find_soffice()
    if soffice is None:
        print("LibreOffice: soffice not found, conversions skipped")
        return
    isolated = "in a network namespace" if network_isolated() else "WITHOUT a network namespace"
    print(
        f"LibreOffice conversions ({soffice}; fresh offline profile per call, {isolated}, as the reader does):"
    )
    print()
    print("| file | conversions | median s | min s | max s | whole read() s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("seed.doc", "seed.wps"):
        path = FIXTURES / name
        times = bench_conversion(path, args.conversions)
        start = time.perf_counter()
        read(path)
        whole = time.perf_counter() - start
        print(
            f"| {name} | {len(times)} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f}"
            f" | {whole:.2f} |"
        )


if __name__ == "__main__":
    main()
