"""Expensive work (a report or list export, the key terms of a huge item) runs a few at a time, and a request
that finds every slot taken is told at once to come back (503 with ``Retry-After``) instead of holding a server
thread while it waits: searches and pages always find a free thread.

``EXPENSIVE_SLOTS`` (default 1) bounds the expensive requests the site runs at once; since one client holds at
most the slots there are, exports are limited per client too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from flask import Flask, current_app

EXTENSION = "policykb_throttle"
BUSY_MESSAGE = "服务器正在处理其他导出任务，请稍候几秒再试。"
RETRY_SECONDS = 5


class Busy(Exception):
    """Every slot for expensive work is taken: answer 503 with Retry-After."""


class Gate:
    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._semaphore = threading.BoundedSemaphore(self.slots)

    @contextlib.contextmanager
    def enter(self) -> Iterator[None]:
        if not self._semaphore.acquire(blocking=False):
            raise Busy(BUSY_MESSAGE)
        try:
            yield
        finally:
            self._semaphore.release()


def init_throttle(app: Flask) -> None:
    app.extensions[EXTENSION] = Gate(int(app.config.get("EXPENSIVE_SLOTS", 1)))


def expensive() -> contextlib.AbstractContextManager[None]:
    """``with expensive(): …`` around work that may take seconds (exports)."""
    return current_app.extensions[EXTENSION].enter()
