"""Load and validate the dev gold set (``tests/gold/**/*.toml``; format in ``tests/gold/README.md``).

python bench/gold.py [FILE ...]     # validate files (default: all), print problems, exit 1 if any
"""

from __future__ import annotations

import os
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "gold"
# The annotated documents stay in the shared corpus: $POLICYKB_CORPUS, else ../shared/corpus beside the checkout;
# the seed plan in its seeds/ sibling, else the copy in documents/.
CORPUS = Path(os.environ.get("POLICYKB_CORPUS") or ROOT.parent / "shared" / "corpus")
SEEDS = CORPUS.parent / "seeds" if (CORPUS.parent / "seeds").is_dir() else ROOT / "documents"
FIELDS = ("meta", "outline", "measures", "targets", "links")
SPLITS = ("dev", "test")


def fold_label(label: str) -> str:
    """Compare labels and path elements across full/half width and spacing: （一）= (一), 第 1 0 条 = 第10条."""
    return "".join(unicodedata.normalize("NFKC", label).split())


def path_key(path: list[str]) -> tuple[str, ...]:
    return tuple(fold_label(p) for p in path)


@dataclass
class GoldDocument:
    file: Path
    source: str
    collection: str
    annotated: tuple[str, ...]
    meta: dict[str, str]
    outline: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    links: list[dict[str, Any]]
    notes: str = ""
    split: str = "dev"  # "dev" (rules may be tuned on it) or "test" (the dev-test split: never tuned on)
    problems: list[str] = field(default_factory=list)

    @property
    def text_path(self) -> Path:
        if self.source.startswith("seeds/"):
            return SEEDS / self.source.split("/", 1)[1]
        return CORPUS / self.source


def load(path: Path) -> GoldDocument:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    source = data.get("source", "")
    return GoldDocument(
        file=path,
        source=source,
        collection=data.get("collection") or source.split("/", 1)[0],
        annotated=tuple(data.get("annotated", FIELDS)),
        meta={k: str(v) for k, v in data.get("meta", {}).items()},
        outline=list(data.get("outline", [])),
        measures=list(data.get("measures", [])),
        targets=list(data.get("targets", [])),
        links=list(data.get("links", [])),
        notes=data.get("notes", ""),
        split=data.get("split", "dev"),
    )


def load_all(directory: Path = GOLD_DIR) -> list[GoldDocument]:
    return [load(p) for p in sorted(directory.glob("*/*.toml"))]


def validate(doc: GoldDocument, text: str | None = None) -> list[str]:
    """Problems in one annotation file (empty when it is consistent with itself and with the text)."""
    problems: list[str] = []
    if text is None:
        try:
            text = doc.text_path.read_text(encoding="utf-8")
        except OSError as exc:
            return [f"source text unreadable: {exc}"]
    outline_paths = {path_key(o.get("path", [])) for o in doc.outline}
    if doc.split not in SPLITS:
        problems.append(f"split must be one of {SPLITS}, not {doc.split!r}")
    for unknown in set(doc.annotated) - set(FIELDS):
        problems.append(f"unknown annotated field {unknown!r}")
    for item in doc.outline:
        if not item.get("path"):
            problems.append(f"outline entry without path: {item}")
    for m in doc.measures:
        if path_key(m.get("path", [])) not in outline_paths and "outline" in doc.annotated:
            problems.append(f"measure path {m.get('path')} is not in the outline")
        if not m.get("headline"):
            problems.append(f"measure {m.get('path')} has no headline")
    mentions = set()
    for t in doc.targets:
        mention = t.get("mention", "")
        mentions.add(mention)
        if not mention or mention not in text:
            problems.append(f"target mention not verbatim in the text: {mention!r}")
        for key in ("indicator", "value", "unit", "kind"):
            if key not in t:
                problems.append(f"target {mention!r} lacks {key}")
        if t.get("kind") not in ("target", "result"):
            problems.append(f"target {mention!r}: kind must be 'target' or 'result'")
        if t.get("kind") == "result" and "year" not in t:
            problems.append(f"result {mention!r} lacks year")
    measure_paths = {path_key(m.get("path", [])) for m in doc.measures}
    for link in doc.links:
        if link.get("target") not in mentions:
            problems.append(f"link names an unknown target mention {link.get('target')!r}")
        if path_key(link.get("measure", [])) not in measure_paths:
            problems.append(f"link names an unknown measure path {link.get('measure')}")
    return problems


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(GOLD_DIR.glob("*/*.toml"))
    bad = 0
    for path in files:
        try:
            doc = load(path)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            print(f"{path}: cannot load: {exc}")
            bad += 1
            continue
        problems = validate(doc)
        for problem in problems:
            print(f"{path}: {problem}")
        bad += bool(problems)
        if not problems:
            print(
                f"{path}: ok ({len(doc.outline)} outline, {len(doc.measures)} measures, "
                f"{len(doc.targets)} targets, {len(doc.links)} links)"
            )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
