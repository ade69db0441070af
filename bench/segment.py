"""Segmentation benchmark: rjieba against jieba (the reference) on the whole corpus, token for token.

Usage (from the project root):

    .venv/bin/python bench/segment.py [--corpus DIR] [--limit N] [--show 5] [--hmm]

Every document of the corpus (``$POLICYKB_CORPUS``, else ``../shared/corpus``) is read as a build reads it
(``kb.readers.read``), then cut by both implementations of ``kb.text.segmenters`` loaded with the same
dictionaries (jieba's ``dict.txt`` and the configured user dictionary):

* the raw cut (``cut(normalize(text))``, precise mode, HMM off: every word, punctuation and whitespace
  included, so equal lists mean equal offsets), timed;
* ``kb.text.segment.segment`` (the tokens and offsets the index and the queries use), timed, with each
  implementation as the process-wide segmenter.

Prints MB/s (UTF-8 megabytes of text, 10^6 bytes) and M characters/s for both, the speed-up, and the number of
documents whose tokens or offsets differ (with the first differences). ``--hmm`` also compares the raw cuts with
HMM on (not used by the project: information only). Figures only, never pass/fail.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.readers import SUPPORTED_SUFFIXES, ReadError, read  # noqa: E402
from kb.text import segment as segment_module  # noqa: E402
from kb.text.normalize import normalize  # noqa: E402
from kb.text.segmenters import JiebaSegmenter, RJiebaSegmenter, rjieba_version  # noqa: E402


def default_corpus() -> Path:
    env = os.environ.get("POLICYKB_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus"


def load_corpus(corpus: Path, limit: int | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(relative path, text) of every readable document, and the files that could not be read."""
    docs: list[tuple[str, str]] = []
    skipped: list[str] = []
    paths = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    for path in paths[:limit] if limit else paths:
        relative = str(path.relative_to(corpus))
        try:
            docs.append((relative, read(path).text))
        except ReadError as exc:
            skipped.append(f"{relative}: {exc}")
    return docs, skipped


def timed(fn: Callable[[str], list], texts: Sequence[str]) -> tuple[float, list[list]]:
    """Seconds (process CPU time, so other processes on the machine count less) and outputs of ``fn``."""
    out = []
    started = time.process_time()
    for text in texts:
        out.append(fn(text))
    return time.process_time() - started, out


def first_difference(a: list, b: list) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def show(name: str, a: list, b: list, width: int = 6) -> str:
    i = first_difference(a, b)
    lo = max(0, i - 2)
    return f"   {name} token {i}: jieba {a[lo : i + width]} | rjieba {b[lo : i + width]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--limit", type=int, default=None, help="first N files only (sorted by path)")
    parser.add_argument("--show", type=int, default=5, help="differences to print")
    parser.add_argument("--hmm", action="store_true", help="also compare raw cuts with HMM on (information)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    docs, skipped = load_corpus(args.corpus, args.limit)
    names = [name for name, _ in docs]
    texts = [text for _, text in docs]
    norms = [normalize(text) for text in texts]
    chars = sum(map(len, texts))
    mbytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(
        f"corpus {args.corpus}: {len(docs)} documents read ({len(skipped)} not readable) in "
        f"{time.monotonic() - started:.0f} s; {chars / 1e6:.1f} M characters, {mbytes:.1f} MB UTF-8"
    )

    entries = segment_module.user_entries()
    t0 = time.perf_counter()
    ref = JiebaSegmenter(entries, segment_module.cache_dir())
    t1 = time.perf_counter()
    fast = RJiebaSegmenter(entries)
    t2 = time.perf_counter()
    print(
        f"load: jieba {t1 - t0:.2f} s, rjieba {rjieba_version()} {t2 - t1:.2f} s; totals {ref.total} / {fast.total}"
    )

    def per_collection(differing: list[int]) -> str:
        counts = Counter(names[i].split("/", 1)[0] for i in differing)
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"

    rows = []
    # -- raw cut -----------------------------------------------------------------------------------------------
    ref_s, ref_cut = timed(lambda t: list(ref.cut(t, HMM=False)), norms)
    fast_s, fast_cut = timed(lambda t: fast.cut(t, HMM=False), norms)
    raw_diff = [i for i in range(len(docs)) if ref_cut[i] != fast_cut[i]]
    rows.append(("raw cut (HMM off)", ref_s, fast_s, raw_diff))
    tokens = sum(map(len, ref_cut))
    del ref_cut
    for i in raw_diff[: args.show]:
        print(f"   differs: {names[i]}")
        print(show("cut", list(ref.cut(norms[i])), fast.cut(norms[i])))
    del fast_cut

    # -- kb.text.segment.segment -------------------------------------------------------------------------------
    previous = segment_module.set_segmenter(ref)
    try:
        ref_s, ref_seg = timed(segment_module.segment, texts)
        segment_module.set_segmenter(fast)
        fast_s, fast_seg = timed(segment_module.segment, texts)
    finally:
        segment_module.set_segmenter(previous)
    seg_diff = [i for i in range(len(docs)) if ref_seg[i] != fast_seg[i]]
    rows.append(("segment() tokens + offsets", ref_s, fast_s, seg_diff))
    kept = sum(map(len, ref_seg))
    for i in seg_diff[: args.show]:
        print(f"   differs: {names[i]}")
        print(show("segment", ref_seg[i], fast_seg[i]))
    del ref_seg, fast_seg

    if args.hmm:
        ref_s, ref_cut = timed(lambda t: list(ref.cut(t, HMM=True)), norms)
        fast_s, fast_cut = timed(lambda t: fast._rs_cut(t, True), norms)
        hmm_diff = [i for i in range(len(docs)) if ref_cut[i] != fast_cut[i]]
        rows.append(("raw cut, HMM on (not used)", ref_s, fast_s, hmm_diff))
        for i in hmm_diff[: args.show]:
            print(f"   differs (HMM on): {names[i]}")
            print(show("cut", ref_cut[i], fast_cut[i]))
        del ref_cut, fast_cut

    print(
        f"\n{len(docs)} documents, {chars / 1e6:.1f} M characters, {mbytes:.1f} MB; {tokens:,} raw words, "
        f"{kept:,} tokens kept by segment(); CPU seconds of this process\n"
    )
    print("| pass | jieba MB/s (M chars/s) | rjieba MB/s (M chars/s) | speed-up | documents differing |")
    print("|---|---:|---:|---:|---|")
    for label, ref_s, fast_s, diff in rows:
        print(
            f"| {label} | {mbytes / ref_s:.2f} ({chars / 1e6 / ref_s:.2f}) | {mbytes / fast_s:.2f} "
            f"({chars / 1e6 / fast_s:.2f}) | {ref_s / fast_s:.1f}× | {len(diff)} of {len(docs)}"
            f" ({per_collection(diff)}) |"
        )
    print(
        f"\nload average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}; total {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
