"""Uploaded documents: ``uploads/`` in the first documents folder, removed ones kept in ``uploads/.trash/``.

``safe_upload_name`` keeps a file's name readable (Chinese names stay Chinese) but safe: only its last path part
is kept (``../../x.txt`` lands in the upload folder as ``x.txt``), control and reserved characters go, a leading
dot (hidden files are not built) or ``~$`` (office lock files) is dropped, and the name is cut to fit any file
system. Every change is logged, with the user and the time, in ``uploads/.log.jsonl`` (hidden: never built).
The build skips folders whose names start with a dot, so the trash is never indexed, and nothing is ever deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from kb.build import IGNORED_FILES
from kb.readers import SUPPORTED_SUFFIXES

UPLOADS = "uploads"
TRASH = ".trash"
LOG = ".log.jsonl"
MAX_NAME_BYTES = 200  # below every file system's 255-byte limit, with room for " (99)" and the trash prefix
_RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_IGNORED = {name.lower() for name in IGNORED_FILES}


class UploadError(ValueError):
    """An upload refused; the message (Chinese) says why and what to do."""


def safe_upload_name(raw: str) -> str:
    """A safe, readable file name for an uploaded file's client-side name, or ``UploadError``."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"\s+", " ", name)  # tabs and newlines are spaces, not dropped
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _RESERVED.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = "." + suffix.strip().lower() if suffix.strip() else ""
    stem = stem.lstrip(".~$ ")
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise UploadError(
            f"不支持的文件格式 {shown[:20]}：可上传 {' '.join(sorted(SUPPORTED_SUFFIXES))} 文件。"
        )
    stem = stem.strip(" .") or "未命名"
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or "未命名"
    if (stem + suffix).lower() in _IGNORED:
        stem += "-1"
    return stem + suffix


def numbered(name: str, n: int) -> str:
    stem, suffix = os.path.splitext(name)
    return f"{stem} ({n}){suffix}"


def sha1_file(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Stored:
    name: str  # file name inside uploads/
    relative: str  # path relative to the documents folder ("uploads/…"), the document's source
    size: int
    sha1: str
    action: str  # upload | replace | unchanged | duplicate
    duplicate_of: str = ""


class UploadFolder:
    """The upload folder of one documents folder."""

    def __init__(self, documents: Path, max_bytes: int = 50 * 2**20) -> None:
        self.documents = Path(documents).resolve()
        self.root = self.documents / UPLOADS
        self.trash = self.root / TRASH
        self.max_bytes = max_bytes

    # -- paths

    def path_of(self, name: str) -> Path:
        """The file of an upload named ``name`` (which must be a name ``safe_upload_name`` gives)."""
        if not isinstance(name, str) or not name or safe_upload_name(name) != name:
            raise UploadError("文件名不正确。")
        path = self.root / name
        if path.parent != self.root:
            raise UploadError("文件名不正确。")
        return path

    def relative(self, name: str) -> str:
        return f"{UPLOADS}/{name}"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _log(self, user: str, action: str, name: str, **extra: Any) -> None:
        entry = {"time": _now(), "user": user, "action": action, "name": name, **extra}
        with open(self.root / LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    # -- changes

    def save(self, stream: IO[bytes], client_name: str, user: str) -> Stored:
        """Store one uploaded file under a safe name; a same-named different file gets " (2)" etc."""
        name = safe_upload_name(client_name)
        tmp, size, sha1 = self._write_temp(stream)
        try:
            with self._locked():
                for existing in self._files():
                    if existing.stat().st_size == size and sha1_file(existing) == sha1:
                        action = "unchanged" if existing.name == name else "duplicate"
                        return Stored(
                            existing.name, self.relative(existing.name), size, sha1, action, existing.name
                        )
                final, n = name, 1
                while (self.root / final).exists():
                    n += 1
                    final = numbered(name, n)
                os.link(tmp, self.root / final)  # never replaces a file that appeared meanwhile
                self._log(user, "upload", final, size=size, sha1=sha1, client_name=client_name[:300])
                return Stored(final, self.relative(final), size, sha1, "upload")
        finally:
            tmp.unlink(missing_ok=True)

    def replace(self, name: str, stream: IO[bytes], client_name: str, user: str) -> Stored:
        """Put a new version in place of upload ``name`` (same format); the old one goes to the trash."""
        path = self.path_of(name)
        if not path.is_file():
            raise UploadError(f"没有名为 {name} 的上传文件。")
        new_suffix = os.path.splitext(safe_upload_name(client_name))[1]
        if new_suffix != os.path.splitext(name)[1].lower():
            raise UploadError(f"替换文件须与原文件格式相同（{os.path.splitext(name)[1]}）。")
        tmp, size, sha1 = self._write_temp(stream)
        try:
            with self._locked():
                trashed = self._to_trash(path)
                os.replace(tmp, path)
                self._log(user, "replace", name, size=size, sha1=sha1, trash=trashed)
                return Stored(name, self.relative(name), size, sha1, "replace")
        finally:
            tmp.unlink(missing_ok=True)

    def remove(self, name: str, user: str) -> str:
        """Move upload ``name`` to the trash (a rebuild removes it from the index); returns its trash name."""
        path = self.path_of(name)
        with self._locked():
            if not path.is_file():
                raise UploadError(f"没有名为 {name} 的上传文件。")
            trashed = self._to_trash(path)
            self._log(user, "remove", name, trash=trashed)
            return trashed

    def _to_trash(self, path: Path) -> str:
        self.trash.mkdir(parents=True, exist_ok=True)
        base = f"{datetime.now():%Y%m%d-%H%M%S}-{path.name}"
        target, n = self.trash / base, 1
        while target.exists():
            n += 1
            target = self.trash / numbered(base, n)
        os.link(path, target)
        path.unlink()
        return target.name

    def _write_temp(self, stream: IO[bytes]) -> tuple[Path, int, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".incoming-{os.getpid()}-{os.urandom(6).hex()}"
        digest = hashlib.sha1()
        size = 0
        try:
            with open(tmp, "xb") as out:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    size += len(block)
                    if size > self.max_bytes:
                        raise UploadError(f"文件超过 {self.max_bytes // 2**20} MB 上限。")
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if size == 0:
            tmp.unlink(missing_ok=True)
            raise UploadError("文件是空的。")
        return tmp, size, digest.hexdigest()

    # -- listing

    def _files(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(
            p
            for p in self.root.iterdir()
            if not p.name.startswith(".") and p.is_file() and not p.is_symlink()
        )

    def files(self) -> list[Path]:
        """The uploaded files the build will read (hidden files and the trash excluded)."""
        return self._files()

    def log(self) -> list[dict[str, Any]]:
        try:
            lines = (self.root / LOG).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    out.append(entry)
        return out

    def trashed(self) -> list[str]:
        if not self.trash.is_dir():
            return []
        return sorted((p.name for p in self.trash.iterdir() if p.is_file()), reverse=True)
