"""Saved searches: a signed-in user keeps standing questions and sees, per search, what is new since the last visit.

Each user's searches live in the instance folder, ``instance/saved_searches/<sha256 of the user name>.json`` (the
name is inside; the file name never comes from user input), mode 0600, rewritten atomically (a temporary file,
fsync, rename) under a per-user lock, so two requests never lose each other's change and a crash never leaves half
a file. Nobody else's searches are ever read for a user: the store is opened with the signed-in user's name only.

A saved search is a search's canonical URL parameters (``SearchRequest.to_params``), a name, and what its user has
seen: the documents that had a matching hit at the last visit (``SearchBackend.documents``; at most
``MAX_TRACKED``, the newest). *New since the last visit* = the documents with a matching hit now that were not
among them: a document added to the knowledge base (or newly matching after an edit) is new, whatever its date; a
new measure of a document already seen is not. Saving counts as a visit; so does opening the results from the
workspace (``mark_seen``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from web.workspace.accounts import write_private

FOLDER = "saved_searches"
MAX_SAVED = 50  # saved searches per user
MAX_TRACKED = 5000  # documents remembered as seen per saved search (the newest)
MAX_NAME = 60


class SavedSearchError(ValueError):
    """A refused change; the message (Chinese) says why."""


@dataclass(frozen=True)
class SavedSearch:
    id: str
    name: str
    params: dict[str, str]  # the search's URL parameters (SearchRequest.to_params)
    created: str
    visited: str  # when its user last saw its results (ISO time)
    seen: list[str] = field(default_factory=list)  # document ids with a matching hit at that visit

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("seen")
        data["seen_documents"] = len(self.seen)
        return data


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class SavedSearches:
    """One user's saved searches (every call rereads the small file)."""

    def __init__(self, instance: Path, user: str) -> None:
        if not user:
            raise SavedSearchError("请先登录工作台。")
        self.user = user
        self.folder = Path(instance) / FOLDER
        stem = hashlib.sha256(user.encode("utf-8")).hexdigest()[:32]
        self.path = self.folder / f"{stem}.json"
        self._lock_path = self.folder / f"{stem}.lock"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read(self) -> list[SavedSearch]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise SavedSearchError(f"已保存的检索无法读取：{self.path.name}（{exc}）") from None
        if not isinstance(data, dict) or data.get("user") != self.user:
            return []  # never another user's file
        out = []
        for entry in data.get("searches") or []:
            try:
                out.append(
                    SavedSearch(
                        id=str(entry["id"]),
                        name=str(entry["name"]),
                        params={str(k): str(v) for k, v in dict(entry["params"]).items()},
                        created=str(entry.get("created", "")),
                        visited=str(entry.get("visited", "")),
                        seen=[str(d) for d in entry.get("seen") or []],
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry: the others still count
        return out

    def _write(self, searches: list[SavedSearch]) -> None:
        payload = {"version": 1, "user": self.user, "searches": [asdict(s) for s in searches]}
        write_private(self.path, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")

    def list(self) -> list[SavedSearch]:
        return self._read()

    def get(self, search_id: str) -> SavedSearch | None:
        return next((s for s in self._read() if s.id == search_id), None)

    def add(self, name: str, params: Mapping[str, Any], seen: list[str]) -> SavedSearch:
        """Save a search (its canonical parameters) as seen now; the same parameters again only rename it."""
        name = " ".join(str(name or "").split())[:MAX_NAME] or str(params.get("q") or "未命名检索")[:MAX_NAME]
        clean = {str(k): str(v) for k, v in params.items() if v not in (None, "")}
        with self._locked():
            searches = self._read()
            for i, old in enumerate(searches):
                if old.params == clean:
                    searches[i] = SavedSearch(old.id, name, old.params, old.created, old.visited, old.seen)
                    self._write(searches)
                    return searches[i]
            if len(searches) >= MAX_SAVED:
                raise SavedSearchError(f"最多保存 {MAX_SAVED} 个检索：请先删除不再需要的。")
            now = _now()
            saved = SavedSearch(secrets.token_hex(6), name, clean, now, now, list(seen[:MAX_TRACKED]))
            self._write([*searches, saved])
            return saved

    def mark_seen(self, search_id: str, seen: list[str]) -> SavedSearch:
        """Record a visit: ``seen`` (the documents matching now) becomes what later visits compare with."""
        with self._locked():
            searches = self._read()
            for i, old in enumerate(searches):
                if old.id == search_id:
                    searches[i] = SavedSearch(
                        old.id, old.name, old.params, old.created, _now(), seen[:MAX_TRACKED]
                    )
                    self._write(searches)
                    return searches[i]
        raise LookupError(search_id)

    def remove(self, search_id: str) -> bool:
        with self._locked():
            searches = self._read()
            kept = [s for s in searches if s.id != search_id]
            if len(kept) == len(searches):
                return False
            self._write(kept)
            return True
