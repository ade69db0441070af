"""Measure the taxonomy's keywords and categories on the shared corpus and the dev gold set.

    python bench/taxonomy.py            # every keyword: corpus document frequency, gold support and precision
    python bench/taxonomy.py --summary  # per category: recall of the gold categories, precision, size

* **document frequency**: in how many documents of ``../shared/corpus`` (and the seed) the keyword occurs; a
  keyword found in fewer than two documents is a rule for one document (flagged ``ONE-DOC``).
* **support / precision**: among the dev gold set's annotated measures that contain the keyword, how many, and
  the share whose gold categories include the keyword's category (flagged ``LOW`` below 0.4 with support ≥ 5).
* **recall per category**: of the gold measures annotated with a category, the share the classifier puts in it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import match_paths, predicted_places  # noqa: E402
from gold import CORPUS, SEEDS, load_all  # noqa: E402

from kb.extract.pipeline import analyse, load_extraction  # noqa: E402
from kb.readers import ReadError, read  # noqa: E402
from kb.text.normalize import fold  # noqa: E402


def corpus_texts() -> list[str]:
    paths = sorted(CORPUS.glob("*/*"))
    paths += sorted(SEEDS.glob("*.txt"))
    out = []
    for path in paths:
        if path.suffix in (".txt", ".md", ".html"):
            out.append(fold(path.read_text(encoding="utf-8", errors="replace")))
    return out


def gold_measures() -> list[tuple[str, str, set[str], list[str]]]:
    """(text, headline, gold categories, predicted categories) of every matched annotated measure."""
    extraction = load_extraction()
    out = []
    for gold in load_all():
        if "measures" not in gold.annotated or not gold.text_path.exists():
            continue
        try:
            raw = read(gold.text_path)
        except ReadError:
            continue
        dkb = analyse(raw, "g", gold.source, extraction)
        places = predicted_places(dkb.outline)
        pred = [places.get(m.clause_id, [m.number]) for m in dkb.measures]
        for i, j in match_paths([m["path"] for m in gold.measures], pred):
            cats = set(gold.measures[i].get("categories", []))
            if cats:
                m = dkb.measures[j]
                out.append((fold(m.text), fold(m.headline), cats, m.categories))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)
    taxonomy = load_extraction().taxonomy
    measures = gold_measures()
    if not args.summary:
        texts = corpus_texts()
        print(f"{len(texts)} corpus documents, {len(measures)} annotated measures\n")
        print(f"{'category':<12} {'keyword':<14} {'kind':<6} {'df':>6} {'support':>8} {'precision':>9}")
        for category in taxonomy.categories:
            for kind, words in (("strong", category.strong), ("weak", category.weak)):
                for word in words:
                    key = fold(word)
                    df = sum(1 for t in texts if key in t)
                    holders = [cats for text, _, cats, _ in measures if key in text]
                    good = sum(1 for cats in holders if category.name in cats)
                    precision = good / len(holders) if holders else float("nan")
                    flag = (
                        "ONE-DOC"
                        if df < 2
                        else ("LOW" if holders and len(holders) >= 5 and precision < 0.4 else "")
                    )
                    print(
                        f"{category.name:<12} {word:<14} {kind:<6} {df:>6} {len(holders):>8} {precision:>9.2f} {flag}"
                    )
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for _, _, gold_cats, predicted in measures:
        for name in gold_cats:
            per[name]["gold"] += 1
            per[name]["found"] += name in predicted
        for name in predicted:
            per[name]["given"] += 1
            per[name]["right"] += name in gold_cats
    print(f"\n{'category':<14} {'gold':>5} {'recall':>7} {'given':>6} {'precision':>9}")
    total_gold = total_found = total_given = total_right = 0
    for name in [c.name for c in taxonomy.categories]:
        c = per[name]
        total_gold, total_found = total_gold + c["gold"], total_found + c["found"]
        total_given, total_right = total_given + c["given"], total_right + c["right"]
        recall = c["found"] / c["gold"] if c["gold"] else float("nan")
        precision = c["right"] / c["given"] if c["given"] else float("nan")
        print(f"{name:<14} {c['gold']:>5} {recall:>7.2f} {c['given']:>6} {precision:>9.2f}")
    # The issue's criterion: of the measures a category's key (strong) terms clearly describe — the gold gives
    # them the category and their text holds one of its strong keywords — the share the classifier puts in it.
    strong = {c.name: [fold(w) for w in c.strong] for c in taxonomy.categories}
    described = [
        (name, name in predicted)
        for text, _, gold_cats, predicted in measures
        for name in gold_cats
        if any(w in text for w in strong.get(name, []))
    ]
    kept = sum(1 for _, ok in described if ok)
    print(f"described by their key terms: {kept}/{len(described)} = {kept / max(1, len(described)):.2f}")
    first = sum(1 for _, _, g, p in measures if p and p[0] in g)
    print(
        f"\nall: recall {total_found / max(1, total_gold):.2f}, precision {total_right / max(1, total_given):.2f}, "
        f"first category right {first / max(1, len(measures)):.2f} ({len(measures)} measures)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
