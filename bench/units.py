"""Which units follow numbers in the corpus, and which of them the unit table (``units.txt``) lacks.

    python bench/units.py                                  # the corpus at ../shared/corpus (or $POLICYKB_CORPUS)
    python bench/units.py --corpus DIR --top 80 --min 5    # more rows, rarer units
    python bench/units.py --known                          # also the table's own units, with their counts

Every Arabic number (with its scale 万/亿 and a range "5—10"; Chinese numerals are mostly words: 一步, 一些) is followed by something; this script
counts what: the longest unit of the table when one follows, else the run of letters (EFLOPS, Gbps, PB) or the
next one to three ideographs (栋, 标准机架, 批次). Years (2019年), ordinals (第十条), dates (3月, 8日), list labels
(1. 2、) and numbers inside words are left out. For each unknown candidate it prints how often it follows a number
and in how many documents, with an example, so that a unit earns its line in ``units.txt`` by what it does across
the corpus, not by one document. Laws (``laws_lawrefbook``) are left out by default: their numbers are article
terms and fines, not quantities of plans (``--laws`` counts them too).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kb.readers import ReadError, read  # noqa: E402
from kb.text.normalize import fold  # noqa: E402
from kb.text.units import load_units  # noqa: E402

# Arabic numbers only: Chinese numerals are mostly words (一步, 一些, 三农) and would drown the list.
_NUMBER = re.compile(
    r"(?<![\dA-Za-z.第])\d+(?:,\d{3})*(?:\.\d+)?"
    r"(?:多|余)?(?:[十百千]?[万亿]+)?(?:\s?(?:—{1,2}|–|-|~|～|至|到)\s?\d+(?:\.\d+)?(?:[十百千]?[万亿]+)?)?"
)
_LETTERS = re.compile(r"[A-Za-z]+(?:/[A-Za-z]+)?")
_NOT_UNITS = re.compile(r"^(?:年|月|日|号|时|点|分|秒|周|届|次会|条第|是|的|和|与|或|等|个百|%|、|\.)")
SUFFIXES = {".txt", ".html", ".htm", ".md", ".docx", ".pdf", ".ofd"}


def corpus_dir(option: str | None) -> Path:
    if option:
        return Path(option)
    env = os.environ.get("POLICYKB_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus"


def followers(text: str, units: dict[str, str], longest: int) -> list[tuple[str, bool, str]]:
    """(what follows a number, whether the table knows it, the context) for every number of ``text``."""
    folded = fold(text)
    out: list[tuple[str, bool, str]] = []
    for m in _NUMBER.finditer(folded):
        end = m.end()
        if end >= len(folded):
            continue
        known = next(
            (folded[end : end + k] for k in range(longest, 0, -1) if folded[end : end + k] in units), None
        )
        context = folded[max(0, m.start() - 12) : end + 8].replace("\n", " ")
        if known is not None:
            out.append((known, True, context))
            continue
        letters = _LETTERS.match(folded, end)
        if letters:
            out.append((letters.group(), False, context))
            continue
        run = folded[end : end + 3]
        cjk = "".join(ch for ch in run[:3] if "\u4e00" <= ch <= "\u9fff")
        if not cjk or not run.startswith(cjk[:1]) or _NOT_UNITS.match(run):
            continue
        out.append((cjk[:1], False, context))
        if len(cjk) >= 2 and run.startswith(cjk[:2]):
            out.append((cjk[:2], False, context))
        if len(cjk) == 3:
            out.append((cjk, False, context))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument(
        "--min", type=int, default=5, help="least documents a candidate must follow numbers in"
    )
    parser.add_argument("--known", action="store_true", help="also list the table's units with their counts")
    parser.add_argument("--laws", action="store_true", help="count laws_lawrefbook too")
    args = parser.parse_args(argv)
    folder = corpus_dir(args.corpus)
    if not folder.is_dir():
        print(f"corpus not found: {folder}", file=sys.stderr)
        return 1
    units = load_units()
    longest = max(len(u) for u in units)
    counts: Counter[str] = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    example: dict[str, str] = {}
    known: Counter[str] = Counter()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    for path in files:
        if not args.laws and "laws_lawrefbook" in path.parts:
            continue
        try:
            text = read(path).text
        except (ReadError, OSError, ValueError):
            continue
        for unit, is_known, context in followers(text, units, longest):
            if is_known:
                known[unit] += 1
                continue
            counts[unit] += 1
            docs[unit].add(str(path))
            example.setdefault(unit, context)
    rows = [(u, n) for u, n in counts.most_common() if len(docs[u]) >= args.min]
    print(f"{len(files)} files; numbers followed by a unit of the table: {sum(known.values())}")
    print(f"\nunknown candidates (≥ {args.min} documents), most frequent first:")
    print(f"{'candidate':<12}{'count':>7}{'docs':>6}  example")
    for unit, n in rows[: args.top]:
        print(f"{unit:<12}{n:>7}{len(docs[unit]):>6}  {example[unit]}")
    if args.known:
        print("\nunits of the table:")
        for unit, n in known.most_common():
            print(f"{unit:<12}{n:>7}")
        unused = sorted(set(units) - set(known))
        print(f"\nnever after a number: {' '.join(unused) or '—'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
