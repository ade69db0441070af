"""Writing a generation's Whoosh index: a fresh one (several sub-writers for a big build) or the live one copied
by hard links and updated; the memory each sub-writer may sort in."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from kb.search import schema as indexing


def writer_limit_mb(procs: int) -> int:
    """Megabytes of postings each Whoosh sub-writer sorts in memory ($POLICYKB_WRITER_MB overrides).

    Past this (Whoosh's own estimate of its posting tuples) a sub-writer spills a sorted run to disk
    and merges the runs at the end, pickling and unpickling every posting in pure Python: on the whole
    corpus (~1.7 GB of postings per sub-writer) a 1 GB limit cost 72 s of a 247 s build. A quarter of
    the machine's memory is shared by the sub-writers (real use is ~1.6× the estimate), at most 3 GB each.
    """
    configured = os.environ.get("POLICYKB_WRITER_MB", "").strip()
    if configured.isdigit():
        return max(64, int(configured))
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 1024
    return max(256, min(3072, memory // 4 // max(1, procs) // 2**20))


def link_or_copy(src: Any, dst: Any) -> Any:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def open_writer(
    whoosh_dir: Path, procs: int, *, previous: Path | None, many: bool, delete: Iterable[str] = ()
) -> Any:
    """A writer of a new index at ``whoosh_dir``: fresh when there is no ``previous`` generation (several
    sub-writers when ``many`` documents are coming), else the previous generation's index copied by hard links
    (never modified) with the documents ``delete`` removed."""
    if previous is None:
        whoosh_dir.mkdir()
        ix = whoosh_index.create_in(str(whoosh_dir), indexing.make_schema())
        if many:
            return ix.writer(procs=procs, multisegment=True, limitmb=writer_limit_mb(procs), compound=False)
        return ix.writer(compound=False)
    shutil.copytree(previous / "whoosh", whoosh_dir, copy_function=link_or_copy)
    ix = whoosh_index.open_dir(str(whoosh_dir))
    writer = ix.writer(timeout=30, compound=False)
    for doc_id in delete:
        writer.delete_by_term("doc_id", doc_id)
    return writer
