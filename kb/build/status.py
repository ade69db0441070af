"""``index/status.json``: what the running build is doing, read by the staff workspace; and the progress bar."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from kb.build.report import BuildReport
from kb.store.generations import write_json

STATUS_FILE = "status.json"


def progress_bar(total: int, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="文件", desc="分析 analysing", file=sys.stderr, dynamic_ncols=True)


class BuildStatus:
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
            "report": None if report is None else {**report.counts(), "rejected": report.rejected},
        }
        tmp = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            write_json(tmp, data)
            os.replace(tmp, self.path)
