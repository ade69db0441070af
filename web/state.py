"""The app's view of the index: one KnowledgeBase and one SearchEngine, reopened when a build publishes.

Every request asks :meth:`IndexState.get` for the pair. At most once per ``interval`` seconds (per process)
it compares the open generation with ``index/CURRENT`` and, when they differ, opens (and warms) the new
generation while the other requests go on with the old pair; the swap is a single attribute assignment.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kb.search.engine import SearchBackend, SearchEngine
from kb.store.generations import StoreError, current_generation
from kb.store.knowledge import KnowledgeBase, is_current


class IndexUnavailable(Exception):
    """No usable index (never built, or unreadable): pages answer 503."""


@dataclass(frozen=True)
class Opened:
    kb: KnowledgeBase
    engine: SearchBackend


class IndexState:
    def __init__(self, index_dir: Path, interval: float = 1.0) -> None:
        self.index_dir = Path(index_dir)
        self.interval = interval
        self._lock = threading.Lock()
        self._opened: Opened | None = None
        self._checked = float("-inf")

    def _open(self) -> Opened | None:
        if current_generation(self.index_dir) is None:
            return None
        try:
            kb = KnowledgeBase.open(self.index_dir)
            engine = SearchEngine(
                self.index_dir, generation=kb.generation, validity_evidence=kb.validity_evidence
            )
            # Requests keep the previous pair until this returns, so they never wait for the warm-up.
            engine.warm()
        except (StoreError, OSError, ValueError, KeyError):
            return None
        return Opened(kb, engine)

    def get(self) -> Opened:
        """The open index, reopened first if a newer generation is live; raises IndexUnavailable."""
        now = time.monotonic()
        # Nothing open yet (start-up, or no index): wait for whoever is opening instead of failing.
        if self._opened is None or now - self._checked >= self.interval:
            with self._lock:
                if self._opened is None or now - self._checked >= self.interval:
                    self._checked = now
                    opened = self._opened
                    if opened is None or not is_current(opened.kb, self.index_dir):
                        fresh = self._open()
                        if fresh is not None:
                            self._opened = fresh
                            if opened is not None:
                                opened.engine.close()
        if self._opened is None:
            raise IndexUnavailable(str(self.index_dir))
        return self._opened


EXTENSION = "policykb"


def current_index() -> Opened:
    """The open index of the running app (raises IndexUnavailable)."""
    from flask import current_app

    state: IndexState = current_app.extensions[EXTENSION]
    return state.get()
