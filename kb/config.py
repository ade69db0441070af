"""Where the documents and the index are: options, then environment, then defaults."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DOCUMENTS = "documents"
DEFAULT_INDEX = "index"


def documents_folders(option: Sequence[str] | None = None) -> list[Path]:
    """``--documents`` (repeatable), else ``POLICYKB_DOCUMENTS`` (joined with ':'), else ``documents/``."""
    if option:
        return [Path(p) for p in option]
    env = os.environ.get("POLICYKB_DOCUMENTS", "")
    folders = [Path(p) for p in env.split(":") if p.strip()]
    return folders or [Path(DEFAULT_DOCUMENTS)]


def index_dir(option: str | None = None) -> Path:
    """``--index``, else ``POLICYKB_INDEX``, else ``index/``."""
    return Path(option or os.environ.get("POLICYKB_INDEX") or DEFAULT_INDEX)
