"""The app's view of the knowledge base: one ``KnowledgeReader`` and one ``SearchBackend``, reopened when a build
publishes.

Every request asks :meth:`IndexState.get` for the pair. At most once per ``interval`` seconds (per process)
it asks the backend (``kb.search.backends``: the index folder's ``CURRENT``, or the database's ``live`` row) which
generation is live and, when it differs, opens (and warms) the new generation while the other requests go on
with the old pair; the swap is a single attribute assignment.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kb.search.backends import Backend, WhooshBackend
from kb.search.engine import SearchBackend
from kb.store.generations import StoreError
from kb.store.knowledge import KnowledgeReader


class IndexUnavailable(Exception):
    """No usable index (never built, or unreadable): pages answer 503."""


@dataclass(frozen=True)
class Opened:
    kb: KnowledgeReader
    engine: SearchBackend


class IndexState:
    def __init__(self, backend: Backend | Path, interval: float = 1.0) -> None:
        self.backend: Backend = WhooshBackend(backend) if isinstance(backend, (str, Path)) else backend
        self.interval = interval
        self._lock = threading.Lock()
        self._opened: Opened | None = None
        self._checked = float("-inf")

    def _open(self) -> Opened | None:
        try:
            kb, engine = self.backend.open()
        except (StoreError, OSError, ValueError, KeyError, RuntimeError):
            return None
        try:
            # Requests keep the previous pair until this returns, so they never wait for the warm-up.
            engine.warm()
        except (StoreError, OSError, ValueError, KeyError, RuntimeError):
            engine.close()
            kb.close()
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
                    live = self.backend.live()
                    if live is not None and (opened is None or opened.kb.generation_name != live):
                        fresh = self._open()
                        if fresh is not None:
                            self._opened = fresh
                            if opened is not None:
                                opened.engine.close()
        if self._opened is None:
            raise IndexUnavailable(str(getattr(self.backend, "index_dir", "") or "database"))
        return self._opened


EXTENSION = "policykb"


def current_index() -> Opened:
    """The open index of the running app (raises IndexUnavailable)."""
    from flask import current_app

    state: IndexState = current_app.extensions[EXTENSION]
    return state.get()
