"""The index directory: generations, the CURRENT pointer, the build lock, and the read API.

Layout of ``index/``::

    CURRENT              name of the live generation directory (replaced atomically)
    build.lock           flock()ed while a build runs (released by the OS even on kill -9)
    gen-<stamp>/         one complete build
        meta.json        fingerprint, counts, build time
        manifest.json    source file -> content hash, document id (for incremental builds)
        catalog.json     documents (metadata), measures, targets, rejected files
        docs/<id>.json   the full knowledge of one document (text, outline, measures, targets, links, references)
        whoosh/          the search index
    .tmp-gen-*/          a build in progress; never read; removed by the next build if left by a crash

The knowledge base has one source of truth per generation: the JSON files, written by the same build that
writes the Whoosh index from them, and made visible together by one atomic rename of CURRENT.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.codec import document_from_dict, kb_from_dict, measure_from_dict, target_from_dict
from kb.model import Clause, Document, DocumentKB, Measure, Target
from kb.places import find_clause

CURRENT = "CURRENT"
LOCK = "build.lock"
GEN_PREFIX = "gen-"
TMP_PREFIX = ".tmp-gen-"


class StoreError(Exception):
    """The index is missing or unusable; the message says what to do."""


class BuildLocked(StoreError):
    """Another build holds the lock."""


def current_generation(index_dir: Path) -> Path | None:
    """The live generation directory, or None when nothing was built yet."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = index_dir / name
    return path if (path / "catalog.json").is_file() else None


def publish(index_dir: Path, generation: Path) -> None:
    """Make ``generation`` the live one with one atomic rename."""
    tmp = index_dir / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    with contextlib.suppress(OSError):
        dir_fd = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _created(path: Path) -> float:
    """When a generation was made, from its name (gen-YYYYmmdd-HHMMSS-ffffff), else its mtime."""
    from datetime import datetime

    try:
        return datetime.strptime(path.name[len(GEN_PREFIX) :], "%Y%m%d-%H%M%S-%f").timestamp()
    except ValueError:
        return path.stat().st_mtime


def remove_stale(index_dir: Path, grace: float = 120.0) -> list[str]:
    """Remove crashed temporary builds, and generations superseded more than ``grace`` seconds ago.

    A superseded generation is kept for a while because a searcher opened just before the swap may still
    be reading it; the live generation is never removed.
    """
    import time

    removed = []
    live = current_generation(index_dir)
    for path in index_dir.glob(TMP_PREFIX + "*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    generations = sorted(index_dir.glob(GEN_PREFIX + "*"), key=_created)
    now = time.time()
    for older, newer in itertools.pairwise(generations):
        if live is not None and older.resolve() == live.resolve():
            continue
        if now - _created(newer) > grace:
            shutil.rmtree(older, ignore_errors=True)
            removed.append(older.name)
    return removed


@contextlib.contextmanager
def build_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the build lock; wait up to ``wait`` seconds for another build, then raise BuildLocked."""
    import time

    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / LOCK, "a+")  # noqa: SIM115 - held for the duration of the build
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildLocked(
                        f"另一个构建正在进行（{index_dir / LOCK} 已被锁定）；请稍后再试。"
                        " Another build is running on this index; try again when it has finished."
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Category:
    name: str
    description: str
    measure_ids: list[str] = field(default_factory=list)


class KnowledgeBase:
    """Read-only view of one generation: documents, measures, targets, clauses, by id and in lists."""

    def __init__(self, generation: Path, cache_size: int = 64) -> None:
        self.generation = generation
        catalog = read_json(generation / "catalog.json")
        self.meta: dict[str, Any] = catalog.get("meta", {})
        self.rejected: list[dict[str, str]] = catalog.get("rejected", [])
        self._documents: dict[str, Document] = {}
        self._doc_info: dict[str, dict[str, Any]] = {}
        for entry in catalog["documents"]:
            info = dict(entry)
            extra = {k: info.pop(k) for k in ("counts", "references") if k in info}
            self._documents[info["id"]] = document_from_dict({**info, "text": ""})
            self._doc_info[info["id"]] = extra
        self._measures: dict[str, Measure] = {}
        for data in catalog["measures"]:
            measure = measure_from_dict(data)
            self._measures[measure.id] = measure
        self._targets: dict[str, Target] = {}
        for data in catalog["targets"]:
            target = target_from_dict(data)
            self._targets[target.id] = target
        self.categories: list[Category] = [
            Category(c["name"], c.get("description", ""), []) for c in catalog.get("categories", [])
        ]
        by_name = {c.name: c for c in self.categories}
        for measure in self._measures.values():
            for name in measure.categories:
                category = by_name.get(name)
                if category is None:
                    category = Category(name, "")
                    by_name[name] = category
                    self.categories.append(category)
                category.measure_ids.append(measure.id)
        self._cache: OrderedDict[str, DocumentKB] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path) -> KnowledgeBase:
        generation = current_generation(index_dir)
        if generation is None:
            raise StoreError(
                f"索引不存在：{index_dir}。请先运行 `policykb build`。"
                f" No index at {index_dir}: run `policykb build` first."
            )
        return cls(generation)

    # -- documents
    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def document_counts(self, doc_id: str) -> dict[str, int]:
        return dict(self._doc_info.get(doc_id, {}).get("counts", {}))

    def document_kb(self, doc_id: str) -> DocumentKB | None:
        """The full knowledge of one document (text, outline, ...), loaded lazily and cached."""
        if doc_id not in self._documents:
            return None
        with self._lock:
            cached = self._cache.get(doc_id)
            if cached is not None:
                self._cache.move_to_end(doc_id)
                return cached
        path = self.generation / "docs" / f"{doc_id}.json"
        try:
            dkb = kb_from_dict(read_json(path))
        except (OSError, ValueError, KeyError):
            return None
        with self._lock:
            self._cache[doc_id] = dkb
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return dkb

    # -- measures and targets
    def measures(self, doc_id: str | None = None, category: str | None = None) -> list[Measure]:
        return [
            m
            for m in self._measures.values()
            if (doc_id is None or m.doc_id == doc_id) and (category is None or category in m.categories)
        ]

    def measure(self, measure_id: str) -> Measure | None:
        return self._measures.get(measure_id)

    def targets(self, doc_id: str | None = None) -> list[Target]:
        return [t for t in self._targets.values() if doc_id is None or t.doc_id == doc_id]

    def target(self, target_id: str) -> Target | None:
        return self._targets.get(target_id)

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

    # -- clauses
    def clause(self, clause_id: str) -> tuple[Clause, list[Clause]] | None:
        """The clause and its ancestors (root first), or None."""
        doc_id = clause_id.split(".", 1)[0]
        dkb = self.document_kb(doc_id)
        if dkb is None:
            return None

        return find_clause(dkb.outline, clause_id)

    def kind_of(self, item_id: str) -> str | None:
        """'document', 'measure', 'target' or 'clause' for a known id, else None."""
        if item_id in self._documents:
            return "document"
        if item_id in self._measures:
            return "measure"
        if item_id in self._targets:
            return "target"
        if ".s" in item_id and self.clause(item_id) is not None:
            return "clause"
        return None

    def stats(self) -> dict[str, int]:
        return {
            "documents": len(self._documents),
            "measures": len(self._measures),
            "targets": len(self._targets),
            "links": sum(len(m.targets) for m in self._measures.values()),
        }


def is_current(kb: KnowledgeBase, index_dir: Path) -> bool:
    live = current_generation(index_dir)
    return live is not None and live.resolve() == kb.generation.resolve()
