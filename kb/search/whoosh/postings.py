"""Whoosh's index read as numpy arrays: posting lists, field lengths, live documents, facet codes.

Whoosh answers a query by walking its matcher tree one posting at a time in Python. On the whole
corpus that costs ~10 µs per matched hit for our five fields × synonyms (``bench/README.md``). The
posting lists themselves are stored in blocks of up to 128 postings, each one pickled tuple
``(delta-coded ids, weights, values)``: decoding a block is one ``pickle.loads`` and one
``numpy.cumsum``. ``IndexArrays`` does that for the terms of a query and keeps the per-document
arrays every query needs (field lengths for BM25F, the live-document mask, the kind prior, the
facet values, the dates), so ``kb.search.evaluate`` can score every hit at once and every filter is a
mask over them. ``AmountIndex`` holds every quantity of the index (family, value, hit) for range matches.

This reads the block layout of the ``whoosh3`` codec (``W3LeafMatcher``), which is why Whoosh is
pinned exactly in ``pyproject.toml``; any other matcher (an inlined short posting list) is read
through Whoosh's public matcher API. ``tests/test_evaluate.py`` checks both against Whoosh.

One ``IndexArrays`` serves one index generation and every thread: it is read-only after
construction except for the decoded-postings cache, which has its own lock. Whoosh's readers are
not thread-safe (a posting file has one read position), so every method that reads the index
takes the calling thread's own reader.

The per-hit value arrays both backends share (facets, dates, priors) are ``kb.search.whoosh.columns``, re-exported here.
"""

from __future__ import annotations

import io
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pickle import load as pickle_load
from pickle import loads
from typing import Any

import numpy as np
from cachetools import LRUCache
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

from kb.search.term_scores import TermScores
from kb.search.whoosh.columns import (
    Facet,
    MultiFacet,
    date_bounds,
    hit_prior,
    unresolved_containers,
)
from kb.search.whoosh.columns import day_number as day_number  # re-exported (kb.search.filters)

# Decoded posting lists kept for later queries, counted in postings (12 bytes each: int64 id +
# float32 weight). The most frequent terms of the corpus (生产, 单位, 发展) are in most queries.
DEFAULT_CACHE_POSTINGS = 4_000_000

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_INT = struct.Struct("!i")  # StructFile.read_int
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class AmountIndex:
    """Every quantity of the index as three aligned arrays: family code, value (base unit), hit number.

    Read once per generation from the quantity field's terms (``family=value``, ``kb.search.amounts``); a range
    query is then one vectorised comparison over all quantities instead of one posting list per value.
    """

    def __init__(self, families: list[str], family: np.ndarray, value: np.ndarray, hit: np.ndarray) -> None:
        self.families = families
        self._code_of = {name: i for i, name in enumerate(families)}
        self.family = family
        self.value = value
        self.hit = hit

    @classmethod
    def read(cls, arrays: IndexArrays, reader: Any, fieldname: str) -> AmountIndex:
        from kb.search.amounts import parse_token

        families: list[str] = []
        code_of: dict[str, int] = {}
        fam_parts: list[np.ndarray] = []
        val_parts: list[np.ndarray] = []
        hit_parts: list[np.ndarray] = []
        for term, ids in field_postings(reader, fieldname):
            parsed = parse_token(term.decode("utf-8"))
            if parsed is None:
                continue
            name, value = parsed
            code = code_of.setdefault(name, len(families))
            if code == len(families):
                families.append(name)
            hit_parts.append(ids)
            fam_parts.append(np.full(len(ids), code, dtype=np.int32))
            val_parts.append(np.full(len(ids), value, dtype=np.float64))
        if not hit_parts:
            return cls([], np.zeros(0, np.int32), np.zeros(0, np.float64), _EMPTY_IDS)
        return cls(families, np.concatenate(fam_parts), np.concatenate(val_parts), np.concatenate(hit_parts))

    def docs(
        self,
        family: str,
        low: float | None,
        high: float | None,
        low_inclusive: bool = True,
        high_inclusive: bool = True,
    ) -> np.ndarray:
        """Sorted unique hit numbers holding a quantity of ``family`` in the range (None = unbounded)."""
        code = self._code_of.get(family)
        if code is None:
            return _EMPTY_IDS
        keep = self.family == code
        if low is not None:
            keep &= (self.value >= low) if low_inclusive else (self.value > low)
        if high is not None:
            keep &= (self.value <= high) if high_inclusive else (self.value < high)
        return np.unique(self.hit[keep])


class IndexArrays:
    """Per-generation arrays over a Whoosh reader (global document numbers, like a ``MultiReader``)."""

    def __init__(
        self,
        reader: Any,
        *,
        scored_fields: Iterable[str],
        facet_fields: Mapping[str, str],
        multi_valued: Sequence[str] = (),
        priors: Mapping[str, Mapping[str, float]] | None = None,
        cache_postings: int = DEFAULT_CACHE_POSTINGS,
        column_fields: Mapping[str, str] | None = None,
        date_column: str | None = None,
        amount_field: str | None = None,
        id_field: str | None = None,
        containers_of: Callable[[str], Sequence[str]] | None = None,
        contained_types: Sequence[str] = (),
    ) -> None:
        self.size = reader.doc_count_all()
        self.live = _live(reader, self.size)
        self.lengths: dict[str, np.ndarray] = {}
        self.avg_length: dict[str, float] = {}
        for name in scored_fields:
            self.lengths[name] = self._field_lengths(reader, name)
            # Whoosh's own statistics (BM25FScorer): total field length over all documents, deleted included.
            self.avg_length[name] = (reader.field_length(name) / (self.size or 1)) or 1.0
        self.facets: dict[str, Facet | MultiFacet] = {
            name: self._multi_facet(reader, fieldname)
            if fieldname in multi_valued
            else self._facet(reader, fieldname)
            for name, fieldname in facet_fields.items()
        }
        self.prior = hit_prior(self.size, self.facets, priors or {})
        # Decoded posting lists, least recently used first out, bounded by their total number of postings.
        self._cache: LRUCache[tuple[str, str], tuple[np.ndarray, np.ndarray]] = LRUCache(
            maxsize=max(1, cache_postings), getsizeof=lambda entry: max(1, len(entry[0]))
        )
        self._cache_limit = cache_postings
        self._lock = threading.Lock()
        # Whole posting lists' BM25 scores (kb.search.evaluate): half as many postings as the cache, 8 bytes each.
        self.term_scores = TermScores(cache_postings // 2)
        self._amounts: AmountIndex | None = None
        self._amount_field = amount_field
        # Single-valued fields used as filters only (文号, date), and the dates as YYYYMMDD: the first and
        # the last day a date may mean (a year-only date is the whole year; -1 = no date).
        self.columns: dict[str, Facet] = {
            name: self._facet(reader, fieldname) for name, fieldname in (column_fields or {}).items()
        }
        self.date_first, self.date_last = (
            date_bounds(self.columns[date_column])
            if date_column is not None
            else date_bounds(None, self.size)
        )
        # The hit each hit sits in (kb.search.ranking.cap_by_container): -1 none, -2 not looked up yet. Only the
        # hits of ``contained_types`` may sit in another; ``resolve_containers`` looks theirs up when a search first
        # needs them (reading 300,000 ids at start-up cost more than every search's few lookups).
        self._id_field = id_field
        self._containers_of = containers_of
        looked_up = id_field is not None and containers_of is not None
        self.container = unresolved_containers(self.size, self.facets, contained_types if looked_up else ())

    def resolve_containers(self, reader: Any, docnums: Iterable[int]) -> bool:
        """Look up the container of each of these hits not looked up yet (its stored id, then the first live hit
        among ``containers_of(id)``); True when any was looked up. Threads may race here: they write the same."""
        if self._id_field is None or self._containers_of is None:
            return False
        todo = [int(d) for d in docnums if self.container[d] == -2]
        for docnum in todo:
            found = -1
            item_id = reader.stored_fields(docnum).get(self._id_field) or ""
            for candidate in self._containers_of(item_id):
                ids, _ = self.postings(reader, self._id_field, candidate, cache=False)
                live = ids[self.live[ids]] if len(ids) else ids
                if len(live):
                    found = int(live[-1])
                    break
            self.container[docnum] = found
        return bool(todo)

    def amounts(self, reader: Any) -> AmountIndex:
        """The quantities of the index (read on first use, ~1 s on the whole corpus; ``warm`` does it early)."""
        if self._amounts is None:
            if self._amount_field is None:
                raise LookupError("this index has no quantity field")
            built = AmountIndex.read(self, reader, self._amount_field)
            with self._lock:
                if self._amounts is None:
                    self._amounts = built
        return self._amounts

    # -- per-document arrays ------------------------------------------------------------------

    def _field_lengths(self, reader: Any, fieldname: str) -> np.ndarray:
        """Whoosh's per-document field lengths (stored as one lossy byte each, decoded alike)."""
        out = np.zeros(self.size, dtype=np.float64)
        for segment, base in segments(reader):
            perdoc = segment._perdoc
            column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            if column is None:
                continue
            raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            out[base : base + len(raw)] = _BYTE_TO_LENGTH[raw]
        return out

    def _postings_by_value(self, reader: Any, fieldname: str) -> Iterable[tuple[str, np.ndarray]]:
        for term, ids in field_postings(reader, fieldname):
            yield term.decode("utf-8"), ids

    def _facet(self, reader: Any, fieldname: str) -> Facet:
        values = [""]
        codes = np.zeros(self.size, dtype=np.int32)
        for value, ids in self._postings_by_value(reader, fieldname):
            values.append(value)
            codes[ids] = len(values) - 1
        return Facet(values, codes)

    def _multi_facet(self, reader: Any, fieldname: str) -> MultiFacet:
        return MultiFacet(dict(self._postings_by_value(reader, fieldname)), self.size)

    # -- posting lists ------------------------------------------------------------------------

    def postings(
        self, reader: Any, fieldname: str, text: str | bytes, *, cache: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """(global document numbers, weights) of one term, deleted documents included."""
        btext = text.encode("utf-8") if isinstance(text, str) else text
        key = (fieldname, btext.decode("utf-8", "surrogateescape"))
        if cache:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    return hit
        parts_ids: list[np.ndarray] = []
        parts_weights: list[np.ndarray] = []
        for segment, base in segments(reader):
            if (fieldname, btext) not in segment:
                continue
            fmt = segment.schema[fieldname].format
            leaf = segment._terms.matcher(fieldname, btext, fmt)
            ids, weights = _decode(leaf)
            parts_ids.append(ids + base)
            parts_weights.append(weights)
        if not parts_ids:
            result = (_EMPTY_IDS, _EMPTY_WEIGHTS)
        elif len(parts_ids) == 1:
            result = (parts_ids[0], parts_weights[0])
        else:
            result = (np.concatenate(parts_ids), np.concatenate(parts_weights))
        for array in result:
            array.flags.writeable = False  # shared by every query (and thread) through the cache
        if cache and 0 < len(result[0]) <= self._cache_limit:
            with self._lock:
                self._cache[key] = result
        return result


def field_postings(reader: Any, fieldname: str) -> list[tuple[bytes, np.ndarray]]:
    """Every term of a field with its global document numbers, in term order, read in one pass over each
    segment's term table (no lookup per term: ~100× faster than ``postings`` per term of the lexicon)."""
    merged: dict[bytes, list[np.ndarray]] = {}
    for segment, base in segments(reader):
        terms = segment._terms
        if fieldname not in segment.schema:
            continue
        for (name, btext), terminfo in terms.items_from(fieldname, b""):
            if name != fieldname:
                break
            if terminfo.is_inlined():
                ids = np.asarray(terminfo.inlined_postings()[0], dtype=np.int64)
            else:
                ids = _decode_extent(terms._postfile, *terminfo.extent())
            merged.setdefault(btext, []).append(ids + base)
    return [
        (btext, parts[0] if len(parts) == 1 else np.concatenate(parts))
        for btext, parts in sorted(merged.items())
    ]


def _live(reader: Any, size: int) -> np.ndarray:
    """The mask of the hits no segment of ``reader`` has deleted."""
    live = np.ones(size, dtype=bool)
    for segment, base in segments(reader):
        deleted = list(segment.deleted_docs_set) if segment.has_deletions() else []
        if deleted:
            live[np.asarray(deleted, dtype=np.int64) + base] = False
    return live


def segments(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, its first global document number) of a (multi-)reader; empty ones left out."""
    out = []
    base = 0
    for segment in getattr(reader, "readers", None) or [reader]:
        size = segment.doc_count_all()
        if size:  # an index without documents has an EmptyReader, which has no per-document files
            out.append((segment, base))
        base += size
    return out


def phrase_docs(reader: Any, fieldname: str, words: Sequence[str], candidates: np.ndarray) -> np.ndarray:
    """The candidates (sorted global document numbers) whose field holds ``words`` consecutively."""
    keep = np.zeros(len(candidates), dtype=bool)
    if len(candidates) == 0:
        return candidates
    for segment, base in segments(reader):
        end = base + segment.doc_count_all()
        lo, hi = np.searchsorted(candidates, [base, end])
        if lo == hi:
            continue
        btexts = [w.encode("utf-8") for w in words]
        if any((fieldname, b) not in segment for b in btexts):
            continue
        matchers = [segment.postings(fieldname, b) for b in btexts]
        for i in range(lo, hi):
            local = int(candidates[i]) - base
            positions = []
            for m in matchers:
                if not m.is_active():
                    break
                m.skip_to(local)
                if not m.is_active() or m.id() != local:
                    break
                positions.append(m.value_as("positions"))
            else:
                keep[i] = _consecutive(positions)
            if not all(m.is_active() for m in matchers):
                break
    return candidates[keep]


def _decode(leaf: Any) -> tuple[np.ndarray, np.ndarray]:
    """All (ids, weights) of one segment's posting list."""
    if not hasattr(leaf, "_postfile") or getattr(leaf, "_byteids", False):
        ids_list: list[int] = []
        weights_list: list[float] = []
        while leaf.is_active():
            ids_list.append(leaf.id())
            weights_list.append(leaf.weight())
            leaf.next()
        return np.asarray(ids_list, dtype=np.int64), np.asarray(weights_list, dtype=np.float32)
    postfile = leaf._postfile
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while True:
        raw = postfile.get(leaf._dataoffset, leaf._nextoffset - leaf._dataoffset)
        if leaf._compression:
            raw = zlib.decompress(raw)
        ids, weights = loads(raw)[:2]
        count = leaf._blocklength
        id_blocks.append(np.cumsum(np.asarray(ids, dtype=np.int64)))
        if weights is None:
            weight_blocks.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float32))
        if leaf._lastblock:
            break
        leaf._goto(leaf._nextoffset)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _decode_extent(postfile: Any, offset: int, length: int | tuple[int]) -> np.ndarray:
    """The document numbers of one on-disk posting list (``W3LeafMatcher``'s layout), read in one piece:
    the header tag, then blocks of (int length, negative for the last; pickled info; data).

    (``W3TermInfo.from_bytes`` leaves the length as a 1-tuple; Whoosh itself never reads it.)"""
    if isinstance(length, tuple):
        length = length[0]
    buf = postfile.get(offset, length)
    if buf[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a whoosh3 posting list")
    stream = io.BytesIO(buf)
    pos = 4
    blocks: list[np.ndarray] = []
    while pos < len(buf):
        (size,) = _INT.unpack_from(buf, pos)
        last = size < 0
        end = pos + _INT.size + abs(size)
        stream.seek(pos + _INT.size)
        info = pickle_load(stream)
        raw = buf[stream.tell() : end]
        if info[3]:  # compression
            raw = zlib.decompress(raw)
        blocks.append(np.cumsum(np.asarray(loads(raw)[0], dtype=np.int64)))
        pos = end
        if last:
            break
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def _consecutive(positions: list[Sequence[int]]) -> bool:
    """Whether some position p of the first word has word k at p + k for every k (Whoosh's slop 1)."""
    first, rest = positions[0], [set(p) for p in positions[1:]]
    return any(all(p + k in s for k, s in enumerate(rest, start=1)) for p in first)
