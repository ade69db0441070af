"""Step 1a of a build: find the candidate files under the documents folders, hash them, give each a stable id.

Only regular files are candidates. A symbolic link is followed only when its target is a regular file inside one
of the documents folders; links that leave them, FIFOs, sockets and devices are refused by name. A file name that
is not valid UTF-8 (a zip unpacked on Chinese Windows gives GBK names) is a file like any other: its id and the
name shown to people are made from its bytes (``display_name``), never from a string that cannot be encoded.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.extract.pipeline import content_hash, document_id
from kb.readers import SUPPORTED_SUFFIXES, ReadError
from kb.readers.encoding import read_bounded
from kb.store import curation as curation_file

OVERRIDES_FILE = "links.toml"
SIDECAR_FILE = "MANIFEST.jsonl"
CURATION_FILE = curation_file.CURATION_FILE
IGNORED_FILES = frozenset({OVERRIDES_FILE, SIDECAR_FILE, CURATION_FILE, "README.md", "readme.md", ".gitkeep"})


def display_name(name: str) -> str:
    """A file name as people read it: itself when it is valid UTF-8, else its bytes decoded as GB18030 (what a
    Chinese Windows zip writes) when that reads, else with every undecodable byte escaped (\\xNN)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


@dataclass
class SourceFile:
    folder: Path
    path: Path
    relative: str  # path relative to its folder, POSIX form (as the file system gives it)
    digest: str = ""

    @property
    def key(self) -> str:
        """The file's identity across builds (folder + relative path); safe to encode (names shown as read)."""
        return f"{self.folder}/{display_name(self.relative)}"

    @property
    def shown(self) -> str:
        """The relative path as people read it (``display_name``)."""
        return display_name(self.relative)


def scan(folders: Iterable[Path]) -> tuple[list[SourceFile], list[dict[str, str]]]:
    """All candidate files under the folders (recursively), and the ones refused without reading them (each
    named, with the reason): unsupported formats, links that leave the folders, links to folders (never
    followed), FIFOs, sockets and devices."""
    roots = [folder.resolve() for folder in folders]
    files: list[SourceFile] = []
    refused: list[dict[str, str]] = []

    def refuse(relative: str, reason: str) -> None:
        refused.append({"source": display_name(relative), "reason": reason})

    for folder in roots:
        if not folder.is_dir():
            refuse(str(folder), "文件夹不存在 folder not found")
            continue
        for root, dirs, names in os.walk(folder):
            here = Path(root)
            for name in sorted(d for d in dirs if not d.startswith(".") and (here / d).is_symlink()):
                refuse(
                    (here / name).relative_to(folder).as_posix(),
                    "文件夹链接未读取（请放入文件夹本身）symbolic link to a folder not followed",
                )
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink())
            for name in sorted(names):
                if name.startswith(".") or name in IGNORED_FILES or name.startswith("~$"):
                    continue
                path = here / name
                relative = path.relative_to(folder).as_posix()
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    shown_suffix = display_name(path.suffix or name)
                    refuse(relative, f"不支持的文件格式 unsupported format '{shown_suffix}'")
                    continue
                if path.is_symlink():
                    real = path.resolve()
                    if not any(real.is_relative_to(r) for r in roots):
                        refuse(
                            relative,
                            "链接指向文档文件夹之外，未读取 symbolic link leaves the documents folders",
                        )
                        continue
                try:
                    mode = path.stat().st_mode
                except OSError as exc:
                    refuse(relative, f"无法读取 cannot read: {exc.strerror or exc}")
                    continue
                if not stat.S_ISREG(mode):
                    refuse(relative, "不是普通文件（管道、设备或套接字），未读取 not a regular file")
                    continue
                files.append(SourceFile(folder, path, relative))
    return files, refused


def _sidecar_digest(folder: Path, cache: dict[Path, str]) -> str:
    if folder not in cache:
        try:
            cache[folder] = hashlib.sha1(read_bounded(folder / SIDECAR_FILE)).hexdigest()
        except (OSError, ReadError):
            cache[folder] = ""
    return cache[folder]


def hash_files(files: list[SourceFile]) -> None:
    """Content hash of each file (plus its folder's metadata sidecar, which a reader may use)."""
    sidecars: dict[Path, str] = {}
    for source in files:
        try:
            data = read_bounded(source.path)
        except ReadError as exc:
            source.digest = "unreadable:" + str(exc)
            continue
        except OSError as exc:
            source.digest = "unreadable:" + (exc.strerror or str(exc))
            continue
        extra = _sidecar_digest(source.path.parent, sidecars)
        source.digest = content_hash(data + extra.encode("ascii"))


def _hashed_id(stem_id: str, text: str) -> str:
    return f"{stem_id}-{hashlib.sha1(os.fsencode(text)).hexdigest()[:8]}"


def assign_ids(
    files: list[SourceFile], previous: dict[str, Any] | None = None
) -> tuple[dict[str, str], list[str]]:
    """A unique document id per file (by key), and a note for every id that had to be disambiguated.

    A file keeps the id it had in the previous build. Otherwise its id is the stem (``document_id``); when that
    is taken, the stem plus 8 hex digits of the hash of its relative path (of its full key if even that is
    taken). So ids never collide, and adding a same-named file never renames an existing document.
    """
    previous = previous or {}
    ids: dict[str, str] = {}
    owner: dict[str, str] = {}
    notes: list[str] = []
    for source in files:  # first the ids the previous build gave (stable across rebuilds)
        old = previous.get(source.key, {}).get("doc_id")
        if old and old not in owner:
            ids[source.key] = owner[old] = old
    for source in files:
        if source.key in ids:
            continue
        base = document_id(source.relative)
        doc_id = base
        if doc_id in owner:
            doc_id = _hashed_id(base, source.relative)
            if doc_id in owner:
                doc_id = _hashed_id(base, source.key)
        ids[source.key] = owner[doc_id] = doc_id
    by_stem: dict[str, list[SourceFile]] = {}
    for source in files:
        by_stem.setdefault(document_id(source.relative), []).append(source)
    for stem, group in by_stem.items():
        if len(group) > 1:
            shown = "、".join(f"{s.shown} → {ids[s.key]}" for s in group)
            notes.append(f"同名文件已分别编号 same-named files got distinct ids ({stem}): {shown}")
    return ids, notes
