"""Patches of Whoosh's writers: byte-identical speed-ups, and sub-writers that fail loudly.

**Speed-up.**
When a segment writer flushes, ``FieldWriter.add_postings`` asks for the length of the field in the
document of every posting it writes (for the per-block min/max lengths). Whoosh answers from the
per-document column file it has just written, one seek + struct read per posting: ~11 % of the CPU
of indexing (measured on 400 corpus documents: 35.0 s → 31.0 s). ``install()`` replaces
``SegmentWriter._flush_segment`` with the same steps, but hands ``add_postings`` a reader that loads
each length column once.

This relies on the internals of whoosh-reloaded 2.7.5 (the codec's length columns); that is why
Whoosh is pinned exactly in ``pyproject.toml``. ``tests/test_build.py`` checks that the index
written with the patch is byte-identical to the one written without it.

**Terms of kb's analyzers.** Whoosh's ``Positions.word_values`` and ``Frequency.word_values`` (the text
fields) pull one reused Token per term through two generators and count them in Python; ~30 % of an index
sub-writer's time before its commit. For kb's own analyzers (``kb.search.analysis.index_terms``) the patched
methods take the terms in one list and build the same (term, frequency, weight, value) entries from it; any
other analyzer goes through Whoosh's code. The segments stay byte-identical (the same tests).

**Failing sub-writers.** ``MpWriter``'s sub-writer processes print a raw traceback and exit when they fail (a
full disk), and ``MpWriter.commit`` then silently commits without their segments. ``install()`` makes a failing
sub-writer exit with a code that names the error (``SUBWRITER_EXIT``); ``failed_subwriters`` lets the build
refuse to publish such an index.
"""

from __future__ import annotations

import errno
import os
import sys
from collections import Counter
from typing import Any

from whoosh import formats, multiproc, writing
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

from kb.search.analysis import index_terms, term_positions
from kb.search.whoosh import blocks, grouped

_BYTE_TO_LENGTH = [0] + [byte_to_length(b) for b in range(1, 256)]
_ORIGINAL_FLUSH = writing.SegmentWriter._flush_segment
_ORIGINAL_RUN = multiproc.SubWriterTask.run
_ORIGINAL_POSITIONS = formats.Positions.word_values
_ORIGINAL_FREQUENCY = formats.Frequency.word_values

# Exit codes of a failed sub-writer process: errno for OS errors (ENOSPC 28), ENOMEM for MemoryError.
SUBWRITER_EXIT = {"disk_full": errno.ENOSPC, "memory": errno.ENOMEM, "other": 1}


class _PreloadedLengths:
    """``doc_field_length`` of a per-document reader, each field's column read in one go."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._columns: dict[str, bytes] = {}

    def _column(self, fieldname: str) -> bytes:
        column = self._columns.get(fieldname)
        if column is None:
            reader = self._perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            column = bytes(reader._dbfile.get(reader._basepos, reader._count)) if reader is not None else b""
            self._columns[fieldname] = column
        return column

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self._column(fieldname)
        # Whoosh returns None for a zero byte; add_postings only tests the length for truth.
        return _BYTE_TO_LENGTH[column[docnum]] if docnum < len(column) else default

    def field_lengths(self, fieldname: str) -> Any:
        """``doc_field_length(docnum, fieldname)`` of one field, as a function of the document number."""
        column = self._column(fieldname)
        size = len(column)

        def length(docnum: int) -> int:
            return _BYTE_TO_LENGTH[column[docnum]] if docnum < size else 0

        return length

    def close(self) -> None:
        self._perdoc.close()


def _flush_segment(self: Any) -> None:
    # Whoosh's SegmentWriter._flush_segment, with the length reader preloaded.
    self.perdocwriter.close()
    lengths = _PreloadedLengths(self.per_document_reader()) if self.codec.length_stats else None
    pool = self.pool
    if not (
        isinstance(pool, grouped.GroupedPostingPool)
        and grouped.write_grouped(self.fieldwriter, self.schema, lengths, pool)
    ):
        self.fieldwriter.add_postings(self.schema, lengths, pool.iter_postings())
    self.fieldwriter.close()
    if lengths is not None:
        lengths.close()


def _positions_word_values(self: Any, value: Any, analyzer: Any, **kwargs: Any) -> Any:
    # Whoosh's Positions.word_values: per term its positions (delta-encoded by the format), frequency and
    # weight (the sum of the tokens' boosts, 1.0 each, times the field boost).
    terms = index_terms(analyzer, value, kwargs)
    if terms is None:
        return _ORIGINAL_POSITIONS(self, value, analyzer, **kwargs)
    poses = term_positions(terms)
    boost, encode = self.field_boost, self.encode
    return [(term, len(p), float(len(p)) * boost, encode(p)) for term, p in poses.items()]


def _frequency_word_values(self: Any, value: Any, analyzer: Any, **kwargs: Any) -> Any:
    # Whoosh's Frequency.word_values: per term its frequency, weight and the frequency packed.
    terms = index_terms(analyzer, value, kwargs)
    if terms is None:
        return _ORIGINAL_FREQUENCY(self, value, analyzer, **kwargs)
    boost, pack = self.field_boost, formats.pack_uint
    return [(term, freq, float(freq) * boost, pack(freq)) for term, freq in Counter(terms).items()]


def _run_or_exit(self: Any) -> None:
    # SubWriterTask.run, ending the process with a code that names the failure instead of a traceback.
    try:
        _ORIGINAL_RUN(self)
    except MemoryError:
        sys.stderr.write("索引子进程内存不足 index sub-writer: out of memory\n")
        os._exit(SUBWRITER_EXIT["memory"])
    except OSError as exc:
        sys.stderr.write(f"索引子进程失败 index sub-writer: {exc}\n")
        os._exit(exc.errno if exc.errno == errno.ENOSPC else SUBWRITER_EXIT["other"])
    except Exception as exc:
        sys.stderr.write(f"索引子进程失败 index sub-writer: {type(exc).__name__}: {exc}\n")
        os._exit(SUBWRITER_EXIT["other"])


def failed_subwriters(writer: Any) -> list[int]:
    """Exit codes of the sub-writer processes of an ``MpWriter`` that did not finish cleanly."""
    tasks = getattr(writer, "tasks", None) or []
    return [task.exitcode for task in tasks if task.exitcode not in (0, None)]


def install() -> None:
    """Patch ``SegmentWriter``, ``SubWriterTask`` and the text formats' ``word_values`` (idempotent; forked index
    sub-writers inherit it)."""
    writing.SegmentWriter._flush_segment = _flush_segment
    writing.SegmentWriter.add_document = grouped.add_document
    writing.PostingPool = grouped.GroupedPostingPool
    whoosh3.W3PostingsWriter._write_block = blocks.write_block
    multiproc.SubWriterTask.run = _run_or_exit
    formats.Positions.word_values = _positions_word_values
    formats.Frequency.word_values = _frequency_word_values


def uninstall() -> None:
    """Restore Whoosh's own methods (for the equivalence test)."""
    writing.SegmentWriter._flush_segment = _ORIGINAL_FLUSH
    writing.SegmentWriter.add_document = grouped._ORIGINAL_ADD_DOCUMENT
    writing.PostingPool = grouped._ORIGINAL_POOL
    whoosh3.W3PostingsWriter._write_block = blocks._ORIGINAL_WRITE_BLOCK
    multiproc.SubWriterTask.run = _ORIGINAL_RUN
    formats.Positions.word_values = _ORIGINAL_POSITIONS
    formats.Frequency.word_values = _ORIGINAL_FREQUENCY
