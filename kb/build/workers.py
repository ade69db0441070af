"""Step 2 of a build: read and analyse the changed files in worker processes (both cores), each bounded.

Each file has a time budget (``$POLICYKB_FILE_SECONDS``, 120 s) inside its worker and a hard deadline outside it
(twice the budget plus a margin); each worker has a memory ceiling (``RLIMIT_AS``, ``$POLICYKB_WORKER_MB``). A
file that cannot be read, fails, runs out of time or memory costs only itself and is named with its reason.

The pool is a small one of our own (``_Pool``) rather than ``multiprocessing.Pool``: it knows which file each
worker holds, so a worker that dies (a crash inside a native library, the OOM killer's ``kill -9``) is noticed at
once by its sentinel, replaced, and its file tried **once more** in a fresh worker before it is rejected. A
rejection caused by the machine (a worker that died twice, the deadline, memory) is marked ``transient``: the
next build tries the file again instead of remembering it as the file's fault.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from kb.build.plan import Job
from kb.extract.curation import Decision, DocumentCuration
from kb.extract.links import LinkOverrides
from kb.extract.pipeline import Extraction, analyse
from kb.readers import ReadError, read
from kb.store.codec import kb_to_dict
from kb.text.segment import segmenter

DEFAULT_FILE_SECONDS = 120.0  # one file's read + analysis ($POLICYKB_FILE_SECONDS overrides)
DEFAULT_WORKER_MB = 4096  # address space of one worker ($POLICYKB_WORKER_MB overrides; 0 = no ceiling)

TIMEOUT_REASON = "处理超时（超过 {:.0f} 秒）processing took longer than {:.0f} s"
MEMORY_REASON = "文件过大，超出内存上限 too large to analyse within the memory limit"
DIED_REASON = (
    "处理进程两次意外退出（可能是文件损坏或内存不足），下次构建将重试 the worker died twice on this file"
)


def file_seconds() -> float:
    configured = os.environ.get("POLICYKB_FILE_SECONDS", "").strip()
    try:
        return max(1.0, float(configured)) if configured else DEFAULT_FILE_SECONDS
    except ValueError:
        return DEFAULT_FILE_SECONDS


def worker_memory_mb() -> int:
    configured = os.environ.get("POLICYKB_WORKER_MB", "").strip()
    return int(configured) if configured.isdigit() else DEFAULT_WORKER_MB


@dataclass(frozen=True)
class Analysed:
    """What analysing one file gave: its knowledge as JSON-able data, or the reason it was rejected."""

    key: str
    data: dict[str, Any] | None = None
    reason: str = ""
    chars: int = 0
    stale: dict[str, str] = field(default_factory=dict)  # curation decisions that no longer apply: seq -> why
    transient: bool = False  # rejected for a reason of the machine: the next build tries again


@dataclass(frozen=True)
class WorkerSettings:
    """What every worker needs, handed over once when it starts."""

    extraction: Extraction
    overrides: dict[Path, LinkOverrides]
    budget: float
    curation: dict[str, tuple[Decision, ...]]
    memory_mb: int = 0


class _OutOfTime(BaseException):
    """The file's time budget ran out. A BaseException, so that no reader's ``except Exception`` turns it into a
    read error: the file is rejected with 处理超时 whatever it was doing (a converter, OCR, the extractors)."""


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise _OutOfTime


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


def analyse_file(job: Job, settings: WorkerSettings) -> Analysed:
    """Read and analyse one file within its time budget; every failure becomes a reason."""
    decisions = settings.curation.get(job.doc_id)
    curation = DocumentCuration(decisions) if decisions else None
    budget = settings.budget
    try:
        with _time_budget(budget):
            raw = read(Path(job.path))
            if not raw.text.strip():
                return Analysed(job.key, reason="文件没有正文 no text in file")
            dkb = analyse(
                raw,
                job.doc_id,
                job.relative,
                settings.extraction,
                digest=job.digest,
                overrides=settings.overrides.get(Path(job.folder)),
                curation=curation,
            )
            stale = {str(seq): reason for seq, reason in curation.stale.items()} if curation else {}
            return Analysed(job.key, kb_to_dict(dkb), chars=len(raw.text), stale=stale)
    except _OutOfTime:
        return Analysed(job.key, reason=TIMEOUT_REASON.format(budget, budget), transient=True)
    except ReadError as exc:
        return Analysed(job.key, reason=str(exc))
    except MemoryError:
        return Analysed(job.key, reason=MEMORY_REASON, transient=True)
    except RecursionError:
        return Analysed(job.key, reason="文件结构嵌套过深 structure nested too deeply to analyse")
    except Exception as exc:  # an extractor bug must cost one file, not the build
        return Analysed(job.key, reason=f"分析失败 analysis failed: {type(exc).__name__}: {exc}")


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space: past it an allocation raises MemoryError (a named rejection) instead of
    the machine swapping or the OOM killer choosing a victim."""
    if megabytes <= 0:
        return
    import resource

    limit = megabytes * 2**20
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard < 0 else min(limit, hard), hard))


def _worker_main(conn: Connection, settings: WorkerSettings) -> None:
    """A worker: its own process group (so a kill takes its converters with it), its memory ceiling, then one
    job at a time until it is sent None."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _limit_memory(settings.memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(analyse_file(job, settings))


@dataclass
class _Slot:
    process: Any
    conn: Connection
    job: Job | None = None
    handed: float = 0.0


class _Pool:
    """``procs`` forked workers, each holding at most one job; knows which job each one holds."""

    def __init__(self, procs: int, settings: WorkerSettings) -> None:
        self.settings = settings
        self.context = get_context("fork")
        self.slots = [self._start() for _ in range(procs)]

    def _start(self) -> _Slot:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, self.settings), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def replace(self, slot: _Slot) -> None:
        self.kill(slot)
        fresh = self._start()
        slot.process, slot.conn, slot.job = fresh.process, fresh.conn, None

    @staticmethod
    def kill(slot: _Slot) -> None:
        """Kill a worker and its process group (a converter it started dies with it)."""
        pid = slot.process.pid
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        slot.process.join(timeout=5)
        with contextlib.suppress(OSError):
            slot.conn.close()

    def close(self) -> None:
        for slot in self.slots:
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(None)
        for slot in self.slots:
            slot.process.join(timeout=2)
            if slot.process.is_alive():
                self.kill(slot)
            with contextlib.suppress(OSError):
                slot.conn.close()


def _hand_out(pool: _Pool, pending: list[Job]) -> None:
    """Give each idle worker the next pending job (``pending`` is popped from its end)."""
    for slot in pool.slots:
        if slot.job is None and pending:
            slot.job, slot.handed = pending.pop(), time.monotonic()
            try:
                slot.conn.send(slot.job)
            except OSError:  # it died while idle: a fresh worker takes the job
                job, _ = slot.job, pool.replace(slot)
                slot.job, slot.handed = job, time.monotonic()
                slot.conn.send(job)


def analyse_files(
    jobs: list[Job],
    procs: int,
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    budget: float | None = None,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> Iterator[Analysed]:
    """Analyse the jobs, in worker processes when there are enough of them; results in completion order.

    A worker that dies on a file is replaced and the file tried once more in the fresh worker; a second death, or
    a file past its deadline (twice the time budget plus a margin), is a transient rejection of that file only.
    """
    budget = file_seconds() if budget is None else budget
    settings = WorkerSettings(extraction, overrides, budget, curation or {}, worker_memory_mb())
    if procs <= 1 or len(jobs) < 4:
        for job in jobs:
            yield analyse_file(job, settings)
        return
    segmenter()  # load jieba once, before forking
    deadline = 2 * budget + 10 if budget > 0 else float("inf")
    pending = list(reversed(jobs))
    retried: set[str] = set()
    pool = _Pool(procs, settings)
    try:
        while pending or any(slot.job is not None for slot in pool.slots):
            _hand_out(pool, pending)
            busy = [slot for slot in pool.slots if slot.job is not None]
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=0.5))
            now = time.monotonic()
            for slot in busy:
                job = slot.job
                assert job is not None
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):  # it died while answering: a death like any other
                        result = None
                    if result is not None:
                        slot.job = None
                        yield result
                        continue
                    ready.add(slot.process.sentinel)
                if slot.process.sentinel in ready:
                    pool.replace(slot)
                    if job.key in retried:
                        yield Analysed(job.key, reason=DIED_REASON, transient=True)
                    else:  # once more, in a fresh worker, before blaming the file
                        retried.add(job.key)
                        pending.append(job)
                elif now - slot.handed > deadline:
                    pool.replace(slot)
                    yield Analysed(job.key, reason=TIMEOUT_REASON.format(budget, budget), transient=True)
    finally:
        pool.close()
