"""Build or update the index from the documents folders, in four named steps.

1. **plan** (``plan_build``): scan the folders (regular files only; links that leave the folders, devices and
   FIFOs are refused by name), hash every file with a bounded read, give each a unique, stable document id, and
   decide from the live generation's manifest what must be (re)analysed. A change of the analyzer, of any
   configuration file (``kb.config``), of the link overrides or of the extraction rules means a full rebuild;
   a staff decision (``curation.jsonl``, ``kb.store.curation``) re-analyses only the document it names.
2. **analyse** (``analyse_files``): read and analyse the changed files in worker processes (both cores), each
   file with a time budget; a file that cannot be read, fails or runs out of time costs only itself.
3. **write** (``write_generation``): a complete new generation aside (``.tmp-gen-*``): the JSON knowledge and the
   Whoosh index made from it; unchanged documents are hard-linked from the live generation.
4. **publish** (``publish_generation``): one atomic rename of ``CURRENT``.

A failure in steps 1–3 (a full disk, memory) removes the half-written generation and raises ``BuildError`` with
what happened and what to do; the live generation is never touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import multiprocessing
import os
import shutil
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kb.config import config_fingerprint
from kb.extract.curation import Decision, DocumentCuration
from kb.extract.indicators import Indicators, build_indicators, indicators_to_dict, load_indicator_config
from kb.extract.links import LinkOverrides, check_overrides, load_overrides
from kb.extract.pipeline import (
    PIPELINE_VERSION,
    Extraction,
    analyse,
    content_hash,
    document_id,
    load_extraction,
)
from kb.extract.references import resolve
from kb.model import TARGET, DocumentKB, Reference, to_dict
from kb.readers import SUPPORTED_SUFFIXES, ReadError, read
from kb.readers.encoding import read_bounded
from kb.search import analysis
from kb.search import schema as indexing
from kb.search.whoosh import patches as whoosh_patches
from kb.store import curation as curation_file
from kb.store.codec import document_from_dict, kb_from_dict, kb_to_dict, measure_from_dict, quantity_from_dict
from kb.store.generations import (
    GEN_PREFIX,
    TMP_PREFIX,
    StoreError,
    build_lock,
    current_generation,
    publish,
    read_json,
    remove_stale,
    write_json,
)
from kb.text.segment import segmenter

OVERRIDES_FILE = "links.toml"
INDICATORS_FILE = "indicators.json"
SIDECAR_FILE = "MANIFEST.jsonl"
STATUS_FILE = "status.json"
CURATION_FILE = curation_file.CURATION_FILE
IGNORED_FILES = frozenset({OVERRIDES_FILE, SIDECAR_FILE, CURATION_FILE, "README.md", "readme.md", ".gitkeep"})

# Seconds one file may take to read and analyse in its worker ($POLICYKB_FILE_SECONDS overrides).
DEFAULT_FILE_SECONDS = 120.0

EXIT_OK = 0
EXIT_REJECTED = 1  # built, but some files were refused (each named with its reason)
EXIT_LOCKED = 3  # another build holds the lock: nothing was done
EXIT_FAILED = 4  # the build failed (disk full, memory…): the live index is unchanged


class BuildError(StoreError):
    """A build that could not finish; the message says what happened and what to do. The old index stays."""


def file_seconds() -> float:
    configured = os.environ.get("POLICYKB_FILE_SECONDS", "").strip()
    try:
        return max(1.0, float(configured)) if configured else DEFAULT_FILE_SECONDS
    except ValueError:
        return DEFAULT_FILE_SECONDS


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


@dataclass
class SourceFile:
    folder: Path
    path: Path
    relative: str  # path relative to its folder, POSIX form
    digest: str = ""

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.relative}"


@dataclass
class BuildReport:
    documents: int = 0
    measures: int = 0
    targets: int = 0
    results: int = 0
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
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def reject(self, source: str, reason: str) -> None:
        self.rejected.append({"source": source, "reason": reason})

    def summary(self) -> str:
        mode = "全量构建 full build" if self.full else "增量构建 incremental build"
        if not self.published:
            mode = "无变化 nothing changed"
        return (
            f"{mode}: {self.documents} 个文件 documents, {self.measures} 条措施 measures, "
            f"{self.targets} 个目标 targets, {self.results} 项实绩 results, {self.links} 个关联 links; "
            f"新增 {self.added} / 更新 {self.changed} / 删除 {self.removed} / 未变 {self.unchanged}; "
            f"拒收 rejected {len(self.rejected)}; {self.seconds:.1f} s"
        )


# ---------------------------------------------------------------------------------------------------
# Step 1: plan


def scan(folders: Iterable[Path]) -> tuple[list[SourceFile], list[dict[str, str]]]:
    """All candidate files under the folders (recursively), and the ones refused without reading them.

    Only regular files are candidates. A symbolic link is followed only when its target is a regular file inside
    one of the documents folders; links that leave them, FIFOs, sockets and devices are refused by name.
    """
    roots = [folder.resolve() for folder in folders]
    files: list[SourceFile] = []
    refused: list[dict[str, str]] = []

    def refuse(relative: str, reason: str) -> None:
        refused.append({"source": relative, "reason": reason})

    for folder in roots:
        if not folder.is_dir():
            refuse(str(folder), "文件夹不存在 folder not found")
            continue
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith(".") or name in IGNORED_FILES or name.startswith("~$"):
                    continue
                path = Path(root) / name
                relative = path.relative_to(folder).as_posix()
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    refuse(relative, f"不支持的文件格式 unsupported format '{path.suffix or name}'")
                    continue
                if path.is_symlink():
                    real = path.resolve()
                    if not any(real.is_relative_to(r) for r in roots):
                        refuse(
                            relative,
                            "链接指向文档文件夹之外，未读取 symbolic link leaves the documents folders",
                        )
                        continue
                try:
                    mode = path.stat().st_mode
                except OSError as exc:
                    refuse(relative, f"无法读取 cannot read: {exc.strerror or exc}")
                    continue
                if not stat.S_ISREG(mode):
                    refuse(relative, "不是普通文件（管道、设备或套接字），未读取 not a regular file")
                    continue
                files.append(SourceFile(folder, path, relative))
    return files, refused


def _sidecar_digest(folder: Path, cache: dict[Path, str]) -> str:
    if folder not in cache:
        try:
            cache[folder] = hashlib.sha1(read_bounded(folder / SIDECAR_FILE)).hexdigest()
        except (OSError, ReadError):
            cache[folder] = ""
    return cache[folder]


def hash_files(files: list[SourceFile]) -> None:
    """Content hash of each file (plus its folder's metadata sidecar, which a reader may use)."""
    sidecars: dict[Path, str] = {}
    for source in files:
        try:
            data = read_bounded(source.path)
        except ReadError as exc:
            source.digest = "unreadable:" + str(exc)
            continue
        except OSError as exc:
            source.digest = "unreadable:" + (exc.strerror or str(exc))
            continue
        extra = _sidecar_digest(source.path.parent, sidecars)
        source.digest = content_hash(data + extra.encode("ascii"))


def _hashed_id(stem_id: str, text: str) -> str:
    return f"{stem_id}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def assign_ids(
    files: list[SourceFile], previous: dict[str, Any] | None = None
) -> tuple[dict[str, str], list[str]]:
    """A unique document id per file (by key), and a note for every id that had to be disambiguated.

    A file keeps the id it had in the previous build. Otherwise its id is the stem (``document_id``); when that
    is taken, the stem plus 8 hex digits of the hash of its relative path (of its full key if even that is
    taken). So ids never collide, and adding a same-named file never renames an existing document.
    """
    previous = previous or {}
    ids: dict[str, str] = {}
    owner: dict[str, str] = {}
    notes: list[str] = []
    for source in files:  # first the ids the previous build gave (stable across rebuilds)
        old = previous.get(source.key, {}).get("doc_id")
        if old and old not in owner:
            ids[source.key] = owner[old] = old
    for source in files:
        if source.key in ids:
            continue
        base = document_id(source.relative)
        doc_id = base
        if doc_id in owner:
            doc_id = _hashed_id(base, source.relative)
            if doc_id in owner:
                doc_id = _hashed_id(base, source.key)
        ids[source.key] = owner[doc_id] = doc_id
    by_stem: dict[str, list[SourceFile]] = {}
    for source in files:
        by_stem.setdefault(document_id(source.relative), []).append(source)
    for stem, group in by_stem.items():
        if len(group) > 1:
            shown = "、".join(f"{s.relative} → {ids[s.key]}" for s in group)
            notes.append(f"同名文件已分别编号 same-named files got distinct ids ({stem}): {shown}")
    return ids, notes


def fingerprint(overrides_digest: str, config_digest: str | None = None) -> str:
    """What must be equal for a build to reuse the live generation's analyses."""
    parts = [
        PIPELINE_VERSION,
        analysis.fingerprint(),
        config_digest or config_fingerprint(),
        overrides_digest,
    ]
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


Job = tuple[str, str, str, str, str]  # folder, path, relative, doc id, digest


@dataclass
class BuildPlan:
    previous: Path | None
    prev_manifest: dict[str, Any]
    prev_catalog: dict[str, Any]
    manifest: dict[str, Any]  # key -> {digest, doc_id, relative[, rejected]}
    jobs: list[Job]
    reuse: dict[str, str]  # key -> doc id reused from the previous generation
    old_ids: set[str]
    new_ids: set[str]

    @property
    def full(self) -> bool:
        return not self.prev_manifest

    @property
    def nothing_changed(self) -> bool:
        return (
            not self.jobs
            and not self.full
            and not (self.old_ids - self.new_ids)
            and self.previous is not None
        )


def plan_build(
    files: list[SourceFile],
    index_dir: Path,
    stamp: str,
    report: BuildReport,
    *,
    force: bool = False,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> BuildPlan:
    """Decide what to reuse and what to (re)analyse; fills the report's rejections, removals and notes.

    ``curation`` (staff decisions by document id, ``kb.store.curation``) counts in each document's entry: a
    document whose decisions changed is re-analysed, the others are reused.
    """
    curation = curation or {}
    previous = current_generation(index_dir)
    prev_manifest: dict[str, Any] = {}
    prev_catalog: dict[str, Any] = {}
    known_ids: dict[str, Any] = {}
    if previous is not None:
        with contextlib.suppress(OSError, ValueError):
            known_ids = read_json(previous / "manifest.json")
            if not force and read_json(previous / "meta.json").get("fingerprint") == stamp:
                prev_manifest = known_ids
                prev_catalog = read_json(previous / "catalog.json")
    ids, notes = assign_ids(files, known_ids)
    report.warnings.extend(notes)

    manifest: dict[str, Any] = {}
    jobs: list[Job] = []
    reuse: dict[str, str] = {}
    seen_digests: dict[str, str] = {}
    for source in files:
        doc_id = ids[source.key]
        if source.digest.startswith("unreadable:"):
            report.reject(source.relative, "无法读取 " + source.digest[len("unreadable:") :])
            continue
        if source.digest in seen_digests:
            report.reject(
                source.relative, f"与 {seen_digests[source.digest]} 内容相同（重复文件）duplicate content"
            )
            continue
        seen_digests[source.digest] = source.relative
        old = prev_manifest.get(source.key)
        decisions = curation.get(doc_id, ())
        curated = curation_file.document_digest(decisions) if decisions else ""
        if (
            old
            and old.get("digest") == source.digest
            and old.get("doc_id") == doc_id
            and old.get("curation", "") == curated
        ):
            manifest[source.key] = old
            if old.get("rejected"):
                report.reject(source.relative, old["rejected"])
            else:
                reuse[source.key] = doc_id
            continue
        jobs.append((str(source.folder), str(source.path), source.relative, doc_id, source.digest))
        manifest[source.key] = {"digest": source.digest, "doc_id": doc_id, "relative": source.relative}
        if decisions:
            manifest[source.key] |= {"curation": curated, "curation_seq": max(d.seq for d in decisions)}

    old_ids = {v["doc_id"] for v in prev_manifest.values() if not v.get("rejected")}
    new_ids = {v["doc_id"] for v in manifest.values()}
    for doc_id in sorted(set(curation) - new_ids):
        seqs = "、".join(f"#{d.seq}" for d in curation[doc_id])
        report.warnings.append(
            f"{CURATION_FILE}: 决定 {seqs} 所属文件 {doc_id} 不在文档文件夹中 decisions name a document not found"
        )
    report.full = not prev_manifest
    report.removed = len(old_ids - new_ids)
    report.unchanged = len(reuse)
    return BuildPlan(previous, prev_manifest, prev_catalog, manifest, jobs, reuse, old_ids, new_ids)


# ---------------------------------------------------------------------------------------------------
# Step 2: analyse (runs in forked worker processes)

_WORKER: dict[str, Any] = {}
# key, kb-as-dict or None, rejection reason, chars, stale curation decisions (seq -> reason)
AnalysedFile = tuple[str, dict[str, Any] | None, str, int, dict[str, str]]


class _OutOfTime(Exception):
    pass


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise _OutOfTime


def _init_worker(
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    budget: float,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> None:
    _WORKER["extraction"] = extraction
    _WORKER["overrides"] = overrides
    _WORKER["budget"] = budget
    _WORKER["curation"] = curation or {}


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Raise ``_OutOfTime`` in this thread after ``seconds`` (only possible in a process's main thread)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _analyse_file(job: Job) -> AnalysedFile:
    """Read and analyse one file within its time budget; every failure becomes a reason."""
    folder, path, relative, doc_id, digest = job
    key = f"{folder}/{relative}"
    budget = _WORKER.get("budget", 0.0)
    decisions = _WORKER.get("curation", {}).get(doc_id)
    curation = DocumentCuration(decisions) if decisions else None
    try:
        with _time_budget(budget):
            raw = read(Path(path))
            if not raw.text.strip():
                return key, None, "文件没有正文 no text in file", 0, {}
            dkb = analyse(
                raw,
                doc_id,
                relative,
                _WORKER["extraction"],
                digest=digest,
                overrides=_WORKER["overrides"].get(Path(folder)),
                curation=curation,
            )
            stale = {str(seq): reason for seq, reason in curation.stale.items()} if curation else {}
            return key, kb_to_dict(dkb), "", len(raw.text), stale
    except _OutOfTime:
        return key, None, f"处理超时（超过 {budget:.0f} 秒）processing took longer than {budget:.0f} s", 0, {}
    except ReadError as exc:
        return key, None, str(exc), 0, {}
    except MemoryError:
        return key, None, "文件过大，内存不足 too large to analyse", 0, {}
    except RecursionError:
        return key, None, "文件结构嵌套过深 structure nested too deeply to analyse", 0, {}
    except Exception as exc:  # an extractor bug must cost one file, not the build
        return key, None, f"分析失败 analysis failed: {type(exc).__name__}: {exc}", 0, {}


def analyse_files(
    jobs: list[Job],
    procs: int,
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    budget: float | None = None,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> Iterator[AnalysedFile]:
    """Analyse the jobs, in worker processes when there are enough of them; results in completion order.

    A worker that dies on a file (a crash inside a native library) costs that file only: each job has a deadline
    (twice the time budget plus a margin, counted from when it was handed to the pool), after which it is
    reported as rejected while the pool replaces the dead worker and goes on.
    """
    budget = file_seconds() if budget is None else budget
    if procs <= 1 or len(jobs) < 4:
        _init_worker(extraction, overrides, budget, curation)
        yield from map(_analyse_file, jobs)
        return
    segmenter()  # load jieba once, before forking
    deadline = 2 * budget + 10 if budget > 0 else float("inf")
    context = multiprocessing.get_context("fork")
    pending = list(reversed(jobs))
    running: dict[Any, tuple[Job, float]] = {}
    initargs = (extraction, overrides, budget, curation)
    pool = context.Pool(procs, initializer=_init_worker, initargs=initargs)
    crashed = False
    try:
        while pending or running:
            while pending and len(running) < 2 * procs:
                job = pending.pop()
                running[pool.apply_async(_analyse_file, (job,))] = (job, time.monotonic())
            finished = [r for r in running if r.ready()]
            for result in finished:
                job, _ = running.pop(result)
                try:
                    yield result.get()
                except Exception as exc:  # the result could not come back (e.g. not picklable)
                    yield _job_key(job), None, f"分析失败 analysis failed: {type(exc).__name__}: {exc}", 0, {}
            now = time.monotonic()
            for result, (job, handed) in list(running.items()):
                if now - handed > deadline:
                    del running[result]
                    crashed = True
                    yield (
                        _job_key(job),
                        None,
                        "处理进程意外退出，文件可能已损坏 the worker died on this file",
                        0,
                        {},
                    )
            if not finished:
                time.sleep(0.005)
    finally:
        _shut_down(pool, crashed)


def _shut_down(pool: Any, crashed: bool) -> None:
    """Stop the pool. After a worker died mid-task, ``Pool.terminate`` can wait forever for a result that never
    comes (its result thread blocks on the dead worker's pipe): the workers are killed and the wait is bounded."""
    if not crashed:
        pool.terminate()
        pool.join()
        return
    for process in list(getattr(pool, "_pool", [])):
        with contextlib.suppress(Exception):
            process.kill()
    stopper = threading.Thread(target=pool.terminate, daemon=True)
    stopper.start()
    stopper.join(timeout=5)


def _job_key(job: Job) -> str:
    return f"{job[0]}/{job[2]}"


# ---------------------------------------------------------------------------------------------------
# Step 3: write


def _progress(total: int, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="文件", desc="分析 analysing", file=sys.stderr, dynamic_ncols=True)


class _Status:
    """``index/status.json``: what the running build is doing (read by the staff workspace), written atomically."""

    def __init__(self, index_dir: Path, total: int) -> None:
        self.path = index_dir / STATUS_FILE
        self.total = total
        self.started = time.time()
        self._last = 0.0

    def update(self, phase: str, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        data = {
            "state": "running",
            "phase": phase,
            "done": done,
            "total": self.total,
            "pid": os.getpid(),
            "started": datetime.fromtimestamp(self.started).isoformat(timespec="seconds"),
        }
        tmp = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            write_json(tmp, data)
            os.replace(tmp, self.path)

    def finish(self, report: BuildReport | None, error: str = "") -> None:
        data = {
            "state": "failed" if error else "idle",
            "finished": datetime.now().isoformat(timespec="seconds"),
            "error": error,
            "report": None if report is None else {**_report_counts(report), "rejected": report.rejected},
        }
        tmp = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            write_json(tmp, data)
            os.replace(tmp, self.path)


def _report_counts(report: BuildReport) -> dict[str, Any]:
    keys = (
        "documents",
        "measures",
        "targets",
        "results",
        "links",
        "added",
        "changed",
        "removed",
        "unchanged",
    )
    return {k: getattr(report, k) for k in keys} | {
        "full": report.full,
        "published": report.published,
        "generation": report.generation,
        "seconds": round(report.seconds, 2),
        "warnings": report.warnings,
    }


def _link_or_copy(src: Any, dst: Any) -> Any:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _open_writer(plan: BuildPlan, whoosh_dir: Path, procs: int) -> Any:
    if plan.full or plan.previous is None:
        whoosh_dir.mkdir()
        ix = whoosh_index.create_in(str(whoosh_dir), indexing.make_schema())
        if len(plan.jobs) > 50:
            return ix.writer(procs=procs, multisegment=True, limitmb=writer_limit_mb(procs), compound=False)
        return ix.writer(compound=False)
    shutil.copytree(plan.previous / "whoosh", whoosh_dir, copy_function=_link_or_copy)
    ix = whoosh_index.open_dir(str(whoosh_dir))
    writer = ix.writer(timeout=30, compound=False)
    for doc_id in (plan.old_ids - set(plan.reuse.values())) | (plan.old_ids - plan.new_ids):
        writer.delete_by_term("doc_id", doc_id)
    return writer


def _failure(exc: BaseException, tmp: Path) -> BuildError:
    """The user-facing message for a build that failed while writing ``tmp``."""
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        return BuildError(
            "内存不足，构建已中止；原有索引保持不变。请关闭其他程序，或设置较小的 POLICYKB_WRITER_MB 后重试。"
            " Out of memory: the build stopped and the live index is unchanged; free memory or set a smaller"
            " POLICYKB_WRITER_MB and try again."
        )
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BuildError(
            f"磁盘空间不足（{tmp.parent}），构建已中止；原有索引保持不变。全量构建约需索引大小两倍的空闲空间。"
            f" Disk full under {tmp.parent}: the build stopped and the live index is unchanged; a full rebuild"
            " needs about twice the index size free."
        )
    return BuildError(
        f"构建失败，原有索引保持不变 build failed, live index unchanged: {type(exc).__name__}: {exc}"
    )


def write_generation(
    plan: BuildPlan,
    index_dir: Path,
    procs: int,
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    report: BuildReport,
    *,
    quiet: bool = True,
    status: _Status | None = None,
    started: float | None = None,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> tuple[Path, str, dict[str, Any]]:
    """Analyse the plan's jobs and write a complete generation aside; return (its temp dir, its name, catalog)."""
    started = started if started is not None else time.monotonic()
    name = GEN_PREFIX + datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    tmp = index_dir / (TMP_PREFIX + name)
    docs_dir = tmp / "docs"
    new_kbs: dict[str, DocumentKB] = {}
    bar = _progress(len(plan.jobs), quiet)
    writer = None
    try:
        docs_dir.mkdir(parents=True)
        # Reuse the unchanged documents' JSON (hard links: the old generation is never modified).
        if plan.previous is not None:
            for doc_id in plan.reuse.values():
                _link_or_copy(plan.previous / "docs" / f"{doc_id}.json", docs_dir / f"{doc_id}.json")
        writer = _open_writer(plan, tmp / "whoosh", procs)
        done = 0
        for key, data, reason, chars, stale in analyse_files(
            plan.jobs, procs, extraction, overrides, curation=curation
        ):
            entry = plan.manifest[key]
            done += 1
            if "curation" in entry:
                entry["curation_stale"] = stale
            if data is None:
                entry["rejected"] = reason
                report.reject(entry["relative"], reason)
            else:
                report.chars += chars
                dkb = kb_from_dict(data)
                write_json(docs_dir / f"{dkb.document.id}.json", data)
                for hit in indexing.hits(dkb):
                    writer.add_document(**hit)
                dkb.document.text = ""  # the catalog holds metadata only
                dkb.outline = []
                new_kbs[dkb.document.id] = dkb
                if entry["doc_id"] in plan.old_ids:
                    report.changed += 1
                else:
                    report.added += 1
            if bar is not None:
                bar.update(1)
            if status is not None:
                status.update("analyse", done)
        report.phases["analyse+add"] = time.monotonic() - started - sum(report.phases.values())
        if bar is not None:
            bar.set_description("写入索引 writing the index")
            bar.refresh()
        if status is not None:
            status.update("commit", done, force=True)
        writer.commit()
        failed = whoosh_patches.failed_subwriters(writer)
        writer = None
        if failed:
            code = errno.ENOSPC if errno.ENOSPC in failed else errno.ENOMEM if errno.ENOMEM in failed else 0
            raise OSError(code or errno.EIO, f"index sub-writer exited with {failed}")
        report.phases["commit"] = time.monotonic() - started - sum(report.phases.values())
        catalog = _catalog(plan.prev_catalog, set(plan.reuse.values()), new_kbs, extraction, report)
        report.warnings.extend(_check_overrides(overrides, plan.manifest, catalog))
        write_json(tmp / "catalog.json", catalog)
        indicators_started = time.monotonic()
        write_json(tmp / INDICATORS_FILE, _indicators(catalog, extraction, report))
        report.phases["indicators"] = time.monotonic() - indicators_started
        write_json(tmp / "manifest.json", plan.manifest)
        return tmp, name, catalog
    except BaseException as exc:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, (OSError, MemoryError)):
            raise _failure(exc, tmp) from exc
        raise
    finally:
        if bar is not None:
            bar.close()


# ---------------------------------------------------------------------------------------------------
# Step 4: publish


def publish_generation(index_dir: Path, tmp: Path, name: str, stamp: str, catalog: dict[str, Any]) -> Path:
    """Seal the generation (meta.json), move it into place and make it live with one atomic rename."""
    try:
        write_json(
            tmp / "meta.json",
            {"fingerprint": stamp, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "stats": catalog["meta"]},
        )
        final = index_dir / name
        os.replace(tmp, final)
        publish(index_dir, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _failure(exc, tmp) from exc
    remove_stale(index_dir)
    return final


# ---------------------------------------------------------------------------------------------------
# The whole build


def build(
    folders: list[Path],
    index_dir: Path,
    *,
    procs: int | None = None,
    quiet: bool = False,
    wait: float = 0.0,
    force: bool = False,
    log: Callable[[str], None] | None = None,
    extraction: Extraction | None = None,
) -> BuildReport:
    """Build or update ``index_dir`` from ``folders``: plan → analyse → write → publish (module docstring).

    Raises ``BuildLocked`` when another build holds the lock and ``BuildError`` when the build fails.
    """
    started = time.monotonic()
    procs = procs or min(2, os.cpu_count() or 1)
    whoosh_patches.install()
    report = BuildReport()
    say = log or (lambda _msg: None)
    index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir, wait=wait):
        remove_stale(index_dir)
        extraction = extraction or load_extraction()
        overrides, overrides_digest, problems = _load_overrides(folders)
        report.warnings.extend(problems)
        curation, curation_problems = curation_file.load(folders)
        report.warnings.extend(curation_problems)

        files, refused = scan(folders)
        report.rejected.extend(refused)
        hash_files(files)
        stamp = fingerprint(overrides_digest)
        plan = plan_build(files, index_dir, stamp, report, force=force, curation=curation)
        report.phases["scan+hash"] = time.monotonic() - started
        if plan.nothing_changed:
            stats = plan.prev_catalog.get("meta", {})
            for key in ("documents", "measures", "targets", "results", "links"):
                setattr(report, key, stats.get(key, 0))
            report.generation = plan.previous.name if plan.previous else ""
            report.seconds = time.monotonic() - started
            return report

        say(f"{len(plan.jobs)} 个文件待分析 files to analyse, {len(plan.reuse)} 个未变 unchanged")
        status = _Status(index_dir, len(plan.jobs))
        status.update("analyse", 0, force=True)
        try:
            tmp, name, catalog = write_generation(
                plan,
                index_dir,
                procs,
                extraction,
                overrides,
                report,
                quiet=quiet,
                status=status,
                started=started,
                curation=curation,
            )
            final = publish_generation(index_dir, tmp, name, stamp, catalog)
        except BaseException as exc:
            status.finish(report, str(exc) or type(exc).__name__)
            raise
        report.published = True
        report.generation = final.name
        report.seconds = time.monotonic() - started
        report.phases["catalog+publish"] = report.seconds - sum(report.phases.values())
        status.finish(report)
        return report


def _catalog(
    prev_catalog: dict[str, Any],
    reused_ids: set[str],
    new_kbs: dict[str, DocumentKB],
    extraction: Extraction,
    report: BuildReport,
) -> dict[str, Any]:
    documents = [d for d in prev_catalog.get("documents", []) if d["id"] in reused_ids]
    measures = [m for m in prev_catalog.get("measures", []) if m["doc_id"] in reused_ids]
    quantities = [q for q in prev_catalog.get("quantities", []) if q["doc_id"] in reused_ids]
    for dkb in new_kbs.values():
        entry = to_dict(dkb.document)
        entry.pop("text", None)
        entry["counts"] = {
            "measures": len(dkb.measures),
            "targets": len(dkb.targets),
            "results": len(dkb.results),
            "links": len(dkb.links),
        }
        entry["references"] = [
            {
                "text": r.text,
                "form": r.form,
                "resolved_id": "",
                "clause_id": r.clause_id,
                "relation": r.relation,
            }
            for r in dkb.references
        ]
        documents.append(entry)
        measures.extend(to_dict(dkb.measures))
        quantities.extend(to_dict(dkb.quantities))
    documents.sort(key=lambda d: d["id"])
    _resolve_references(documents)
    report.documents = len(documents)
    report.measures = len(measures)
    report.targets = sum(q["kind"] == TARGET for q in quantities)
    report.results = len(quantities) - report.targets
    report.links = sum(len(m.get("targets", [])) for m in measures)
    stats = {
        "documents": report.documents,
        "measures": report.measures,
        "targets": report.targets,
        "results": report.results,
        "links": report.links,
    }
    return {
        "meta": stats,
        "categories": [
            {"name": c.name, "description": c.description} for c in extraction.taxonomy.categories
        ],
        "documents": documents,
        "measures": measures,
        "quantities": quantities,
        "rejected": report.rejected,
    }


def _indicators(catalog: dict[str, Any], extraction: Extraction, report: BuildReport) -> dict[str, Any]:
    """The indicator series of the whole catalog (``kb.extract.indicators``); a bad indicators.toml is a warning."""
    try:
        config = load_indicator_config()
    except ValueError as exc:
        report.warnings.append(f"指标序列未生成 indicator series not built: {exc}")
        return indicators_to_dict(Indicators(error=str(exc)))
    documents = [
        document_from_dict({k: v for k, v in d.items() if k not in ("counts", "references")} | {"text": ""})
        for d in catalog["documents"]
    ]
    quantities = [quantity_from_dict(q) for q in catalog["quantities"]]
    return indicators_to_dict(build_indicators(documents, quantities, config, extraction.units))


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
        targets = [
            quantity_from_dict(q)
            for q in catalog["quantities"]
            if q["doc_id"] in doc_ids and q["kind"] == TARGET
        ]
        warnings.extend(check_overrides(rules, measures, targets))
    return warnings


def _resolve_references(documents: list[dict[str, Any]]) -> None:
    """Resolve every document's references in one pass (the lookup tables are built once per build)."""
    titles = {d["title"]: d["id"] for d in documents if d.get("title")}
    numbers = {d["doc_number"]: d["id"] for d in documents if d.get("doc_number")}
    pairs = [
        (data, Reference(doc_id=entry["id"], text=data["text"], form=data["form"], span=(0, 0)))
        for entry in documents
        for data in entry.get("references", [])
    ]
    resolve([ref for _, ref in pairs], titles, numbers)
    for data, ref in pairs:
        data["resolved_id"] = ref.resolved_id
