"""The workspace's security state, in one SQLite file of the instance folder (``security.sqlite3``, mode 0600):
server-side sessions, the sign-in limiter and the security log. It survives a restart and is shared by every
server process and thread (SQLite's own locking; each write is one short transaction).

* **Sessions.** Each sign-in opens a session with a random token that the signed cookie carries; a request counts
  as signed in only while its token is open. Logout closes it on the server, so a copied cookie stops working at
  once (writes included); removing a user or changing their password closes all of theirs.
* **Sign-in limiter.** One limit for every sign-in route (the HTML form and ``/api/login`` count together), per
  user name and per client address: at most ``limit`` failed *or running* attempts per ``window`` seconds. An
  attempt reserves its place before the password is checked (in one ``BEGIN IMMEDIATE`` transaction), so 24
  parallel tries evaluate at most ``limit`` passwords; a successful attempt frees its place.
* **Security log.** Append-only: sign-ins, sign-outs, failed and refused sign-ins, with the server's clock, the user
  name tried and the client address. Admins read it at ``/workspace/security``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DB_FILE = "security.sqlite3"
SESSION_SECONDS = 10 * 3600  # a session ends after this long, like the cookie (PERMANENT_SESSION_LIFETIME)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, time REAL NOT NULL, state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key, time);
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, event TEXT NOT NULL, user TEXT NOT NULL,
    address TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS log_append_only_update BEFORE UPDATE ON log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_delete BEFORE DELETE ON log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
"""

EVENT_LABELS = {
    "sign_in": "登录",
    "sign_out": "退出",
    "sign_in_failed": "登录失败",
    "sign_in_refused": "登录受限（尝试过多）",
}


@dataclass(frozen=True)
class Attempt:
    """A reserved sign-in attempt: its rows, one per limited key."""

    ids: tuple[int, ...]


class Guard:
    def __init__(self, folder: Path, *, limit: int = 10, window: float = 15 * 60) -> None:
        self.path = Path(folder) / DB_FILE
        self.limit = limit
        self.window = window
        with self._connect() as db:
            db.executescript(_SCHEMA)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    # -- sessions
    def open_session(self, user: str) -> str:
        token = secrets.token_urlsafe(24)
        now = time.time()
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (now,))
            db.execute(
                "INSERT INTO sessions (token, user, created, expires) VALUES (?, ?, ?, ?)",
                (token, user, now, now + SESSION_SECONDS),
            )
        return token

    def session_open(self, user: str, token: str) -> bool:
        if not token:
            return False
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM sessions WHERE token = ? AND user = ? AND expires >= ?",
                (token, user, time.time()),
            ).fetchone()
        return row is not None

    def close_session(self, token: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def close_sessions_of(self, user: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE user = ?", (user,))

    # -- the sign-in limiter
    def reserve(self, keys: Sequence[str]) -> Attempt | None:
        """A place for one sign-in attempt under every key, or None when any key is at its limit."""
        now = time.time()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM attempts WHERE time < ?", (now - self.window,))
                for key in keys:
                    (count,) = db.execute("SELECT COUNT(*) FROM attempts WHERE key = ?", (key,)).fetchone()
                    if count >= self.limit:
                        db.execute("COMMIT")
                        return None
                ids = tuple(
                    int(
                        db.execute(
                            "INSERT INTO attempts (key, time, state) VALUES (?, ?, 'running')", (key, now)
                        ).lastrowid
                        or 0
                    )
                    for key in keys
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Attempt(ids)

    def finish(self, attempt: Attempt, *, failed: bool) -> None:
        """A failed attempt keeps its place until the window passes; a successful one frees it."""
        marks = ",".join("?" * len(attempt.ids))
        with self._connect() as db:
            if failed:
                db.execute(f"UPDATE attempts SET state = 'failed' WHERE id IN ({marks})", attempt.ids)
            else:
                db.execute(f"DELETE FROM attempts WHERE id IN ({marks})", attempt.ids)

    # -- the security log
    def record(self, event: str, user: str = "", address: str = "", detail: str = "") -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO log (time, event, user, address, detail) VALUES (?, ?, ?, ?, ?)",
                (stamp, event, user[:64], address[:64], detail[:200]),
            )

    def events(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest entries first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, time, event, user, address, detail FROM log ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [
            {
                "id": row[0],
                "time": row[1],
                "event": row[2],
                "label": EVENT_LABELS.get(row[2], row[2]),
                "user": row[3],
                "address": row[4],
                "detail": row[5],
            }
            for row in rows
        ]
