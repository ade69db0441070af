"""Background builds for the workspace: one at a time, each in its own process, requests during a build queued.

``BuildQueue.request()`` is called after an upload, a replacement, a removal or a curation decision. A daemon
thread runs ``python -m kb build --documents … --index … --quiet`` as a subprocess (never a build inside the
server: a child process isolates memory and crashes, and the build's per-file time budget needs SIGALRM, which
only a main thread has) and waits for it. Requests that arrive while it runs coalesce into exactly one more
build after it. A build that finds the index's build lock held (a ``policykb build`` from the shell) is retried
until it gets its turn. The build writes ``index/status.json`` itself; ``state()`` adds what only the server
knows (queued, our child's pid, how the last run ended).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.build import EXIT_LOCKED, EXIT_OK, EXIT_REJECTED

LOG_FILE = "last-build.log"
LOG_TAIL = 4000  # characters of a failed build's output shown in the workspace


@dataclass
class BuildQueue:
    documents: list[Path]
    index_dir: Path
    log_dir: Path  # the instance folder: the last build's output is kept there
    config_dir: Path | None = None
    retry_seconds: float = 2.0
    lock_wait: float = 3600.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _idle: threading.Condition = field(init=False, repr=False)
    _pending: bool = False
    _thread: threading.Thread | None = None
    _proc: subprocess.Popen[bytes] | None = None
    _closed: bool = False
    runs: int = 0
    last_exit: int | None = None
    last_finished: str = ""
    last_requested: str = ""

    def __post_init__(self) -> None:
        self._idle = threading.Condition(self._lock)

    def command(self) -> list[str]:
        # --wait: a build started from the shell holds the lock; ours waits for it, then runs.
        cmd = [sys.executable, "-m", "kb", "build", "--quiet", "--wait", str(self.lock_wait)]
        for folder in self.documents:
            cmd += ["--documents", str(Path(folder).resolve())]
        return [*cmd, "--index", str(Path(self.index_dir).resolve())]

    def request(self) -> None:
        """Ask for a build: now when none runs, else once more after the running one."""
        with self._lock:
            if self._closed:
                return
            self._pending = True
            self.last_requested = time.strftime("%Y-%m-%dT%H:%M:%S")
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="policykb-build-queue", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._thread = None
                    self._idle.notify_all()
                    return
                self._pending = False
            code = self._run_once()
            if code == EXIT_LOCKED:  # someone else is building: ours comes after theirs
                with self._lock:
                    self._pending = True
                time.sleep(self.retry_seconds)

    def _run_once(self) -> int:
        env = dict(os.environ)
        if self.config_dir is not None:
            env["POLICYKB_CONFIG"] = str(Path(self.config_dir).resolve())
        log_path = Path(self.log_dir) / LOG_FILE
        with open(log_path, "wb") as log:
            try:
                proc = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,  # a Ctrl+C on the server does not kill a half-done build
                )
            except OSError as exc:
                log.write(f"cannot start the build: {exc}\n".encode())
                code = -1
            else:
                with self._lock:
                    self._proc = proc
                code = proc.wait()
                with self._lock:
                    self._proc = None
        with self._lock:
            self.runs += 1
            self.last_exit = code
            self.last_finished = time.strftime("%Y-%m-%dT%H:%M:%S")
        return code

    def state(self) -> dict[str, Any]:
        with self._lock:
            running = self._proc is not None
            data: dict[str, Any] = {
                "queued": self._pending,
                "running": running,
                "pid": self._proc.pid if self._proc is not None else None,
                "runs": self.runs,
                "last_exit": self.last_exit,
                "last_finished": self.last_finished,
                "last_requested": self.last_requested,
            }
        if self.last_exit not in (None, EXIT_OK, EXIT_REJECTED, EXIT_LOCKED) and not running:
            data["output"] = self.output()
        return data

    def output(self) -> str:
        """The end of the last build's output (for a failed build)."""
        try:
            text = (Path(self.log_dir) / LOG_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-LOG_TAIL:]

    def busy(self) -> bool:
        with self._lock:
            return self._thread is not None

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """Wait until no build runs or is queued (tests, shutdown); False on time-out."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._thread is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self, timeout: float = 30.0) -> None:
        """Stop queueing; let a running build finish within ``timeout``, else end it (its temp output is
        removed by the next build, the live index is never touched)."""
        with self._lock:
            self._closed = True
            self._pending = False
            proc = self._proc
        if proc is not None:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, 15)
                proc.wait(10)
