"""Build or update the index from the documents folders.

A build scans the folders, hashes every file, re-reads and re-analyses only what changed (in worker processes,
both cores), writes a complete new generation aside and publishes it with one atomic rename of CURRENT. A change
of analyzer, dictionaries, synonyms, taxonomy, link overrides or extraction rules triggers a full rebuild.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kb import analysis, indexing, whoosh_patches
from kb.codec import kb_from_dict, kb_to_dict, measure_from_dict, target_from_dict
from kb.links import LinkOverrides, check_overrides, load_overrides
from kb.model import DocumentKB, to_dict
from kb.pipeline import PIPELINE_VERSION, analyse, content_hash, document_id
from kb.readers import SUPPORTED_SUFFIXES, ReadError, read
from kb.references import resolve
from kb.store import (
    GEN_PREFIX,
    TMP_PREFIX,
    build_lock,
    current_generation,
    publish,
    read_json,
    remove_stale,
    write_json,
)
from kb.taxonomy import Taxonomy, load_taxonomy

OVERRIDES_FILE = "links.toml"
SIDECAR_FILE = "MANIFEST.jsonl"


def writer_limit_mb(procs: int) -> int:
    """Megabytes of postings each Whoosh sub-writer sorts in memory ($POLICYKB_WRITER_MB overrides).

    Past this (Whoosh's own estimate of its posting tuples) a sub-writer spills a sorted run to disk
    and merges the runs at the end, pickling and unpickling every posting in pure Python: on the whole
    corpus (~1.7 GB of postings per sub-writer) a 1 GB limit cost 72 s of a 247 s build. A quarter of
    the machine's memory is shared by the sub-writers (real use is ~1.6× the estimate), at most 3 GB each.
    """
    configured = os.environ.get("POLICYKB_WRITER_MB", "").strip()
    if configured.isdigit():
        return max(64, int(configured))
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 1024
    return max(256, min(3072, memory // 4 // max(1, procs) // 2**20))


IGNORED_FILES = frozenset({OVERRIDES_FILE, SIDECAR_FILE, "README.md", "readme.md", ".gitkeep"})


@dataclass
class SourceFile:
    folder: Path
    path: Path
    relative: str  # path relative to its folder, POSIX form
    digest: str = ""


@dataclass
class BuildReport:
    documents: int = 0
    measures: int = 0
    targets: int = 0
    links: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = False
    published: bool = False
    generation: str = ""
    seconds: float = 0.0
    chars: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per build phase (for bench/)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        mode = "全量构建 full build" if self.full else "增量构建 incremental build"
        if not self.published:
            mode = "无变化 nothing changed"
        return (
            f"{mode}: {self.documents} 个文件 documents, {self.measures} 条措施 measures, "
            f"{self.targets} 个目标 targets, {self.links} 个关联 links; "
            f"新增 {self.added} / 更新 {self.changed} / 删除 {self.removed} / 未变 {self.unchanged}; "
            f"拒收 rejected {len(self.rejected)}; {self.seconds:.1f} s"
        )


def scan(folders: Iterable[Path]) -> tuple[list[SourceFile], list[dict[str, str]]]:
    """All candidate files under the folders (recursively), and the ones refused by name alone."""
    files: list[SourceFile] = []
    refused: list[dict[str, str]] = []
    for folder in folders:
        folder = folder.resolve()
        if not folder.is_dir():
            refused.append({"source": str(folder), "reason": "文件夹不存在 folder not found"})
            continue
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith(".") or name in IGNORED_FILES or name.startswith("~$"):
                    continue
                path = Path(root) / name
                relative = path.relative_to(folder).as_posix()
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    refused.append(
                        {
                            "source": relative,
                            "reason": f"不支持的文件格式 unsupported format '{path.suffix or name}'",
                        }
                    )
                    continue
                files.append(SourceFile(folder, path, relative))
    return files, refused


def _sidecar_digest(folder: Path, cache: dict[Path, str]) -> str:
    if folder not in cache:
        sidecar = folder / SIDECAR_FILE
        try:
            cache[folder] = hashlib.sha1(sidecar.read_bytes()).hexdigest()
        except OSError:
            cache[folder] = ""
    return cache[folder]


def hash_files(files: list[SourceFile]) -> None:
    """Content hash of each file (plus its folder's metadata sidecar, which a reader may use)."""
    sidecars: dict[Path, str] = {}
    for source in files:
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            source.digest = "unreadable:" + str(exc)
            continue
        extra = _sidecar_digest(source.path.parent, sidecars)
        source.digest = content_hash(data + extra.encode("ascii"))


def fingerprint(taxonomy: Taxonomy, overrides_digest: str) -> str:
    parts = [PIPELINE_VERSION, analysis.fingerprint(), taxonomy.fingerprint(), overrides_digest]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def _load_overrides(folders: Iterable[Path]) -> tuple[dict[Path, LinkOverrides], str, list[str]]:
    overrides: dict[Path, LinkOverrides] = {}
    digest = hashlib.sha1()
    problems: list[str] = []
    for folder in folders:
        path = folder.resolve() / OVERRIDES_FILE
        if path.is_file():
            digest.update(path.read_bytes())
            try:
                overrides[folder.resolve()] = load_overrides(path)
            except Exception as exc:  # a bad overrides file must not stop the build
                problems.append(f"{path}: {exc}")
    return overrides, digest.hexdigest(), problems


# -- worker side (runs in forked processes)

_WORKER: dict[str, Any] = {}


def _init_worker(taxonomy: Taxonomy, overrides: dict[Path, LinkOverrides]) -> None:
    _WORKER["taxonomy"] = taxonomy
    _WORKER["overrides"] = overrides


def _analyse_file(job: tuple[str, str, str, str, str]) -> tuple[str, dict[str, Any] | None, str, int]:
    """Read and analyse one file; return (its key, kb-as-dict or None, rejection reason, chars)."""
    folder, path, relative, doc_id, digest = job
    key = f"{folder}/{relative}"
    try:
        raw = read(Path(path))
        if not raw.text.strip():
            return key, None, "文件没有正文 no text in file", 0
        dkb = analyse(
            raw,
            doc_id,
            relative,
            _WORKER["taxonomy"],
            digest=digest,
            overrides=_WORKER["overrides"].get(Path(folder)),
        )
        return key, kb_to_dict(dkb), "", len(raw.text)
    except ReadError as exc:
        return key, None, str(exc), 0
    except MemoryError:
        return key, None, "文件过大，内存不足 too large to analyse", 0
    except Exception as exc:  # an extractor bug must cost one file, not the build
        return key, None, f"分析失败 analysis failed: {type(exc).__name__}: {exc}", 0


def _analyse_all(
    jobs: list[tuple[str, str, str, str, str]],
    procs: int,
    taxonomy: Taxonomy,
    overrides: dict[Path, LinkOverrides],
) -> Iterator[tuple[str, dict[str, Any] | None, str, int]]:
    if procs <= 1 or len(jobs) < 4:
        _init_worker(taxonomy, overrides)
        yield from map(_analyse_file, jobs)
        return
    analysis.segmenter()  # load jieba once, before forking
    context = multiprocessing.get_context("fork")
    with context.Pool(procs, initializer=_init_worker, initargs=(taxonomy, overrides)) as pool:
        yield from pool.imap_unordered(_analyse_file, jobs, chunksize=4)


def _progress(total: int, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="文件", desc="分析 analysing", file=sys.stderr, dynamic_ncols=True)


def _assign_ids(files: list[SourceFile]) -> dict[str, str]:
    """Document id per relative path; stems that collide across folders get a hash suffix."""
    ids: dict[str, str] = {}
    seen: dict[str, str] = {}
    for source in files:
        key = f"{source.folder}/{source.relative}"
        doc_id = document_id(source.relative)
        if doc_id in seen and seen[doc_id] != key:
            doc_id = document_id(key + "#")
        seen[doc_id] = key
        ids[key] = doc_id
    return ids


def build(
    folders: list[Path],
    index_dir: Path,
    *,
    procs: int | None = None,
    quiet: bool = False,
    wait: float = 0.0,
    force: bool = False,
    log: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build or update ``index_dir`` from ``folders``; see the module docstring."""
    started = time.monotonic()
    procs = procs or min(2, os.cpu_count() or 1)
    whoosh_patches.install()
    report = BuildReport()
    index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir, wait=wait):
        remove_stale(index_dir)
        taxonomy = load_taxonomy()
        overrides, overrides_digest, problems = _load_overrides(folders)
        report.warnings.extend(problems)
        print_ = log or (lambda _msg: None)

        files, refused = scan(folders)
        report.rejected.extend(refused)
        hash_files(files)
        report.phases["scan+hash"] = time.monotonic() - started
        ids = _assign_ids(files)
        stamp = fingerprint(taxonomy, overrides_digest)

        previous = current_generation(index_dir)
        prev_manifest: dict[str, Any] = {}
        prev_catalog: dict[str, Any] = {}
        if previous is not None and not force:
            with contextlib.suppress(OSError, ValueError):
                meta = read_json(previous / "meta.json")
                if meta.get("fingerprint") == stamp:
                    prev_manifest = read_json(previous / "manifest.json")
                    prev_catalog = read_json(previous / "catalog.json")
        report.full = not prev_manifest

        # Decide what to (re)analyse.
        manifest: dict[str, Any] = {}
        jobs = []
        reuse: dict[str, str] = {}  # key -> doc id reused from the previous generation
        seen_digests: dict[str, str] = {}
        for source in files:
            key = f"{source.folder}/{source.relative}"
            doc_id = ids[key]
            if source.digest.startswith("unreadable:"):
                report.rejected.append(
                    {"source": source.relative, "reason": "无法读取 " + source.digest[11:]}
                )
                continue
            if source.digest in seen_digests:
                report.rejected.append(
                    {
                        "source": source.relative,
                        "reason": f"与 {seen_digests[source.digest]} 内容相同（重复文件）duplicate content",
                    }
                )
                continue
            seen_digests[source.digest] = source.relative
            old = prev_manifest.get(key)
            if old and old.get("digest") == source.digest and old.get("doc_id") == doc_id:
                manifest[key] = old
                if old.get("rejected"):
                    report.rejected.append({"source": source.relative, "reason": old["rejected"]})
                else:
                    reuse[key] = doc_id
                continue
            jobs.append((str(source.folder), str(source.path), source.relative, doc_id, source.digest))
            manifest[key] = {"digest": source.digest, "doc_id": doc_id, "relative": source.relative}

        old_ids = {v["doc_id"] for v in prev_manifest.values() if not v.get("rejected")}
        new_ids = {ids[k] for k in manifest}
        report.removed = len(old_ids - new_ids)
        report.unchanged = len(reuse)

        if not jobs and not report.full and report.removed == 0 and previous is not None:
            # Nothing changed: keep the live generation.
            stats = prev_catalog.get("meta", {})
            report.documents = stats.get("documents", 0)
            report.measures = stats.get("measures", 0)
            report.targets = stats.get("targets", 0)
            report.links = stats.get("links", 0)
            report.generation = previous.name
            report.seconds = time.monotonic() - started
            return report

        generation_name = GEN_PREFIX + datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        tmp = index_dir / (TMP_PREFIX + generation_name)
        docs_dir = tmp / "docs"
        docs_dir.mkdir(parents=True)
        print_(f"{len(jobs)} 个文件待分析 files to analyse, {len(reuse)} 个未变 unchanged")

        # Reuse the unchanged documents' JSON (hard links: the old generation is never modified).
        if previous is not None:
            for doc_id in reuse.values():
                _link_or_copy(previous / "docs" / f"{doc_id}.json", docs_dir / f"{doc_id}.json")

        # Search index: start from a copy of the previous one when incremental.
        whoosh_dir = tmp / "whoosh"
        if report.full or previous is None:
            whoosh_dir.mkdir()
            ix = whoosh_index.create_in(str(whoosh_dir), indexing.make_schema())
            writer = (
                ix.writer(procs=procs, multisegment=True, limitmb=writer_limit_mb(procs), compound=False)
                if len(jobs) > 50
                else ix.writer(compound=False)
            )
        else:
            shutil.copytree(previous / "whoosh", whoosh_dir, copy_function=_link_or_copy)
            ix = whoosh_index.open_dir(str(whoosh_dir))
            writer = ix.writer(timeout=30, compound=False)
            for doc_id in (old_ids - set(reuse.values())) | (old_ids - new_ids):
                writer.delete_by_term("doc_id", doc_id)

        new_kbs: dict[str, DocumentKB] = {}
        bar = _progress(len(jobs), quiet)
        try:
            for key, data, reason, chars in _analyse_all(jobs, procs, taxonomy, overrides):
                relative = manifest[key]["relative"]
                if data is None:
                    manifest[key]["rejected"] = reason
                    report.rejected.append({"source": relative, "reason": reason})
                else:
                    report.chars += chars
                    dkb = kb_from_dict(data)
                    write_json(docs_dir / f"{dkb.document.id}.json", data)
                    for hit in indexing.hits(dkb):
                        writer.add_document(**hit)
                    dkb.document.text = ""  # the catalog holds metadata only
                    dkb.outline = []
                    new_kbs[dkb.document.id] = dkb
                    if manifest[key]["doc_id"] in old_ids:
                        report.changed += 1
                    else:
                        report.added += 1
                if bar is not None:
                    bar.update(1)
            report.phases["analyse+add"] = time.monotonic() - started - sum(report.phases.values())
            if bar is not None:
                bar.set_description("写入索引 writing the index")
                bar.refresh()
            writer.commit()
            report.phases["commit"] = time.monotonic() - started - sum(report.phases.values())
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if bar is not None:
                bar.close()

        catalog = _catalog(prev_catalog, set(reuse.values()), new_kbs, taxonomy, report)
        report.warnings.extend(_check_overrides(overrides, manifest, catalog))
        write_json(tmp / "catalog.json", catalog)
        write_json(tmp / "manifest.json", manifest)
        write_json(
            tmp / "meta.json",
            {"fingerprint": stamp, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "stats": catalog["meta"]},
        )
        final = index_dir / generation_name
        os.replace(tmp, final)
        publish(index_dir, final)
        remove_stale(index_dir)
        report.published = True
        report.generation = final.name
        report.seconds = time.monotonic() - started
        report.phases["catalog+publish"] = report.seconds - sum(report.phases.values())
        return report


def _link_or_copy(src: Any, dst: Any) -> Any:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _catalog(
    prev_catalog: dict[str, Any],
    reused_ids: set[str],
    new_kbs: dict[str, DocumentKB],
    taxonomy: Taxonomy,
    report: BuildReport,
) -> dict[str, Any]:
    documents = [d for d in prev_catalog.get("documents", []) if d["id"] in reused_ids]
    measures = [m for m in prev_catalog.get("measures", []) if m["doc_id"] in reused_ids]
    targets = [t for t in prev_catalog.get("targets", []) if t["doc_id"] in reused_ids]
    for dkb in new_kbs.values():
        entry = to_dict(dkb.document)
        entry.pop("text", None)
        entry["counts"] = {
            "measures": len(dkb.measures),
            "targets": len(dkb.targets),
            "links": len(dkb.links),
        }
        entry["references"] = [
            {"text": r.text, "kind": r.kind, "resolved_id": "", "clause_id": r.clause_id}
            for r in dkb.references
        ]
        documents.append(entry)
        measures.extend(to_dict(dkb.measures))
        targets.extend(to_dict(dkb.targets))
    documents.sort(key=lambda d: d["id"])
    _resolve_references(documents)
    report.documents = len(documents)
    report.measures = len(measures)
    report.targets = len(targets)
    report.links = sum(len(m.get("targets", [])) for m in measures)
    stats = {
        "documents": report.documents,
        "measures": report.measures,
        "targets": report.targets,
        "links": report.links,
    }
    return {
        "meta": stats,
        "categories": [{"name": c.name, "description": c.description} for c in taxonomy.categories],
        "documents": documents,
        "measures": measures,
        "targets": targets,
        "rejected": report.rejected,
    }


def _check_overrides(
    overrides: dict[Path, LinkOverrides], manifest: dict[str, Any], catalog: dict[str, Any]
) -> list[str]:
    """Warnings for links.toml rules that name no known target or measure of their folder's documents."""
    if not overrides:
        return []
    warnings = []
    for folder, rules in overrides.items():
        doc_ids = {v["doc_id"] for k, v in manifest.items() if k.startswith(f"{folder}/")}
        measures = [measure_from_dict(m) for m in catalog["measures"] if m["doc_id"] in doc_ids]
        targets = [target_from_dict(t) for t in catalog["targets"] if t["doc_id"] in doc_ids]
        warnings.extend(check_overrides(rules, measures, targets))
    return warnings


def _resolve_references(documents: list[dict[str, Any]]) -> None:
    """Resolve every document's references in one pass (the lookup tables are built once per build)."""
    from kb.model import Reference

    titles = {d["title"]: d["id"] for d in documents if d.get("title")}
    numbers = {d["doc_number"]: d["id"] for d in documents if d.get("doc_number")}
    pairs = [
        (data, Reference(doc_id=entry["id"], text=data["text"], kind=data["kind"], span=(0, 0)))
        for entry in documents
        for data in entry.get("references", [])
    ]
    resolve([ref for _, ref in pairs], titles, numbers)
    for data, ref in pairs:
        data["resolved_id"] = ref.resolved_id
