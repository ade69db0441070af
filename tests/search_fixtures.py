"""The search test index: the seed plan plus a curated slice of the shared corpus.

Not a conftest: ``tests/conftest.py`` builds the index once per run (the ``search_index`` session
fixture, shared read-only by the test modules); bench/quality.py calls ``build_search_index`` itself.
The corpus files are COPIED (links that leave the documents folders are refused); each collection gets
its own subfolder so its ``MANIFEST.jsonl`` sidecar (copied next to the documents) gives the reader the
title, agency, date and 文号.
When the shared corpus is absent, the index holds the seed plan only (judged queries over corpus
documents then skip themselves).
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from conftest import CORPUS, SEED

from kb.build import build

MANIFEST = "MANIFEST.jsonl"

# collection folder → glob patterns of its documents used by the tests.
CORPUS_SLICE: dict[str, tuple[str, ...]] = {
    # 60 State Council documents of 2019: 国家职业教育改革实施方案 (002), 个人所得税专项附加扣除 (031),
    # 专利代理条例 (057), 支持创新相关改革举措 (009), ...
    "gov_cn_2019_html": ("*.html",),
    # 中共中央 国务院关于实施乡村振兴战略的意见
    "central_doc_mooc_sample": ("*.txt",),
    # 个人所得税法, 促进科技成果转化法, 专利法
    "laws_lawrefbook": (
        "2489_635973504aa30fca.md",
        "2591_2c9d624e0c292142.md",
        "2434_b6fc4054e5df5e1d.md",
    ),
    # 江西省 2019 implementing opinions and notices (no header: the sidecar carries the metadata)
    "jiangxi_gov_docs_2019": ("*.txt",),
    # 2026 provincial work reports rich in 科技创新: 上海, 天津, 安徽, 湖北
    "gwr_provincial_2026": (
        "000_4a4aa0c42559e447.txt",
        "006_39084fdeb8497adf.txt",
        "008_a5a487bb58c9afe8.txt",
        "020_826f8f43090e04e1.txt",
    ),
}


def corpus_available() -> bool:
    return CORPUS.is_dir()


def make_documents(root: Path) -> Path:
    """Create ``root/documents`` (seed copied, corpus slice symlinked) and return it."""
    docs = root / "documents"
    seed_dir = docs / "seed"
    seed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(SEED, seed_dir / SEED.name)
    if not corpus_available():
        return docs
    for collection, patterns in CORPUS_SLICE.items():
        source = CORPUS / collection
        if not source.is_dir():
            continue
        target = docs / collection
        target.mkdir(exist_ok=True)
        files = sorted({path for pattern in patterns for path in source.glob(pattern)})
        if (source / MANIFEST).is_file():
            files.append(source / MANIFEST)
        for path in files:
            link = target / path.name
            if not link.exists():
                shutil.copy2(path, link)  # a copy: links that leave the documents folders are refused
    return docs


def build_search_index(root: Path) -> Path:
    """Build the search test index under ``root`` (about 100 documents) and return its directory."""
    docs = make_documents(root)
    index_dir = root / "index"
    report = build([docs], index_dir, procs=2, quiet=True)
    assert report.published, report.summary()
    return index_dir


# --------------------------------------------------------------------------------------------
# Judged queries (tests/judged_queries.toml)
# --------------------------------------------------------------------------------------------

JUDGED_PATH = Path(__file__).resolve().parent / "judged_queries.toml"
# The two splits: ranking is tuned on "dev" only; "test" (the dev-test split) is only ever measured.
SPLITS = {"dev": JUDGED_PATH, "test": JUDGED_PATH.with_name("judged_queries_test.toml")}


@dataclass(frozen=True)
class Judgement:
    """One judged query: what is typed, the filters, and which ids must come back where."""

    q: str
    why: str
    first: str = ""
    top3: tuple[str, ...] = ()
    type: str | None = None  # the type of hit (document | measure | target | result | clause)
    doc: str | None = None
    xfail: str = ""

    @property
    def relevant(self) -> tuple[str, ...]:
        """The ids judged relevant (binary relevance for MRR/nDCG)."""
        return (self.first,) if self.first else self.top3

    @property
    def label(self) -> str:
        """A readable test id: the query text plus its filters."""
        extra = "".join(f" [{k}={v}]" for k, v in (("type", self.type), ("doc", self.doc)) if v)
        return self.q + extra

    def passes(self, ranked: list[str]) -> bool:
        """The judgement's condition on the ranked result ids."""
        if self.first:
            return bool(ranked) and ranked[0] == self.first
        return any(i in ranked[:3] for i in self.top3)


def load_judged(path: Path = JUDGED_PATH, *, split: str | None = None) -> list[Judgement]:
    """The judged queries of ``path``, or of a split ("dev", "test", or "all" for both)."""
    if split == "all":
        return [*load_judged(SPLITS["dev"]), *load_judged(SPLITS["test"])]
    if split is not None:
        path = SPLITS[split]
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    judged = []
    for entry in data["query"]:
        judged.append(
            Judgement(
                q=entry["q"],
                why=entry["why"],
                first=entry.get("first", ""),
                top3=tuple(entry.get("top3", ())),
                type=entry.get("type"),
                doc=entry.get("doc"),
                xfail=entry.get("xfail", ""),
            )
        )
    return judged
