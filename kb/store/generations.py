"""The index directory: generations, the CURRENT pointer, the build lock, JSON files.

Layout of ``index/``::

    CURRENT              name of the live generation directory (replaced atomically)
    build.lock           flock()ed while a build runs, holds its pid (released by the OS even on kill -9)
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
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

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
    try:
        return datetime.strptime(path.name[len(GEN_PREFIX) :], "%Y%m%d-%H%M%S-%f").timestamp()
    except ValueError:
        return path.stat().st_mtime


def remove_stale(index_dir: Path, grace: float = 120.0) -> list[str]:
    """Remove crashed temporary builds, and generations superseded more than ``grace`` seconds ago.

    A superseded generation is kept for a while because a searcher opened just before the swap may still
    be reading it; the live generation is never removed.
    """
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


# -- the build lock
#
# flock() is held by an open file description, which fork() shares with every child: pool workers and Whoosh's
# sub-writers would keep a killed build's lock alive (and run on as orphans). So children forked while this
# process holds a lock close their copy at once, and die with the process that forked them (PR_SET_PDEATHSIG).

_HELD_LOCK_FDS: set[int] = set()
_PR_SET_PDEATHSIG = 1
_FORKED_BY = [0]  # the pid of the process that last forked (set just before each fork)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the thread that forked it exits (no-op elsewhere)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _before_fork() -> None:
    _FORKED_BY[0] = os.getpid()


def _after_fork_in_child() -> None:
    if not _HELD_LOCK_FDS:
        return
    for fd in list(_HELD_LOCK_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCK_FDS.clear()
    _die_with_parent()
    if os.getppid() != _FORKED_BY[0]:  # the parent died before the request took effect: die now
        os._exit(1)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists (another user's included)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_owner(index_dir: Path) -> int | None:
    """The pid written by the build that holds (or last held) the lock, if any."""
    try:
        text = (index_dir / LOCK).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def build_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the build lock; wait up to ``wait`` seconds for another build, then raise BuildLocked.

    The lock belongs to this process alone: children it forks meanwhile drop their copy and are killed if it
    dies, so a ``kill -9`` of a build frees the lock at once.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / LOCK, "a+")  # noqa: SIM115 - held for the duration of the build
    deadline = time.monotonic() + wait
    locked = False
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildLocked(_locked_message(index_dir)) from None
                time.sleep(0.2)
        _HELD_LOCK_FDS.add(handle.fileno())
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        _HELD_LOCK_FDS.discard(handle.fileno())
        if locked:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _locked_message(index_dir: Path) -> str:
    owner = lock_owner(index_dir)
    message = (
        f"另一个构建正在进行（{index_dir / LOCK} 已被锁定）；请稍后再试。"
        " Another build is running on this index; try again when it has finished."
    )
    if owner is not None and not pid_alive(owner):
        message += (
            f" 锁的所有者（进程 {owner}）已不存在，锁由其遗留的子进程持有：结束这些进程（如 `fuser {index_dir / LOCK}`）后重试。"
            f" The lock's owner (pid {owner}) is gone; processes it left behind still hold the lock."
        )
    elif owner is not None:
        message += f" （进程 {owner} pid）"
    return message


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path: Path, data: Any) -> None:
    # json.dumps, not json.dump: only the one-shot encoder is the C one (json.dump always runs the pure-Python
    # encoder); the text is the same.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
