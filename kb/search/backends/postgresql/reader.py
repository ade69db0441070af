"""Reading one generation from PostgreSQL: its per-hit arrays, its posting lists and phrase checks.

``GenerationArrays`` has the attributes ``kb.search.evaluate`` and ``kb.search.engine`` read from Whoosh's
``IndexArrays`` (size, live mask, field lengths and averages, facets, prior, columns, dates, quantities), loaded
from the ``columns`` table in a few reads; ``postings`` reads posting lists from the ``postings`` table, every term
of a query in one round trip (``prefetch``), and keeps the most used ones. ``Reader`` is one thread's connection:
term statistics, stored fields and phrases — a phrase is a ``tsquery`` (``'b:科技' <-> 'b:成果'``) that PostgreSQL
checks against the positions of the candidates' ``words`` tsvector.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from kb.ids import enclosing_measure_ids
from kb.search import ranking
from kb.search.backends.postgresql import sql
from kb.search.backends.postgresql.analyse import FIELD_CODE, FIELDS, WORD_PREFIX, field_tokens
from kb.search.backends.postgresql.writer import FACETS
from kb.search.highlight import SCAN_CHARS
from kb.search.schema import COLUMN_FIELDS, FACET_FIELDS
from kb.search.term_scores import TermScores
from kb.search.whoosh.columns import Facet, MultiFacet, date_bounds, hit_prior, unresolved_containers
from kb.search.whoosh.postings import DEFAULT_CACHE_POSTINGS, AmountIndex

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
# Whoosh stores a field length as one lossy byte: scores match Whoosh's when lengths are rounded alike.
_LOSSY = np.array([byte_to_length(length_to_byte(n)) for n in range(1 << 16)], dtype=np.float32)


def _lossy(lengths: np.ndarray) -> np.ndarray:
    small = lengths < len(_LOSSY)
    out = np.empty(len(lengths), dtype=np.float32)
    out[small] = _LOSSY[lengths[small]]
    big = ~small
    if big.any():
        out[big] = [byte_to_length(length_to_byte(int(n))) for n in lengths[big]]
    return out


class GenerationArrays:
    """Per-generation arrays over the generation's segments (hit numbers global, segment after segment)."""

    def __init__(self, con: Any, generation: int, cache_postings: int = DEFAULT_CACHE_POSTINGS) -> None:
        self.generation = generation
        columns = self._read_segments(con, generation)
        self.segment_ids = np.array([s for s, _, _ in self.segments], dtype=np.int64)
        self.bases = np.array([b for _, b, _ in self.segments], dtype=np.int64)
        raw_lengths = (
            np.concatenate([sql.unpack(c["lengths"]) for c in columns])
            if columns
            else np.zeros((0, len(FIELDS)), np.int32)
        )
        self.lengths: dict[str, np.ndarray] = {}
        self.avg_length: dict[str, float] = {}
        self.field_length: dict[str, int] = {}
        for name, code in FIELD_CODE.items():
            column = raw_lengths[:, code].astype(np.int64)
            self.lengths[name] = _lossy(column)
            # Whoosh's statistics: total field length over all hits (deleted included) / number of hits.
            self.field_length[name] = int(column.sum())
            self.avg_length[name] = (self.field_length[name] / (self.size or 1)) or 1.0
        facets = {name: self._facet(columns, name) for name in FACETS}
        self.facets: dict[str, Facet | MultiFacet] = {
            name: self._categories(columns) if fieldname == "categories" else facets[fieldname]
            for name, fieldname in FACET_FIELDS.items()
        }
        self.prior = hit_prior(self.size, self.facets, {"type": ranking.TYPE_PRIOR})
        # The hit each hit sits in (kb.search.ranking.cap_by_container): -1 none, -2 not looked up yet; as
        # ``IndexArrays.container``, looked up when a search first needs it (``resolve_containers``).
        self.container = unresolved_containers(self.size, self.facets, ranking.CONTAINED_TYPES)
        self.columns: dict[str, Facet] = {name: facets[name] for name in COLUMN_FIELDS.values()}
        self.date_first, self.date_last = date_bounds(self.columns["date"])
        self._amounts = self._amount_index(columns)
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray, int, int]] = OrderedDict()
        self._cached = 0
        self._cache_limit = cache_postings
        self._lock = threading.Lock()
        # Whole posting lists' BM25 scores (kb.search.evaluate): half as many postings as the cache, 8 bytes each.
        self.term_scores = TermScores(cache_postings // 2)

    def _read_segments(self, con: Any, generation: int) -> list[dict[str, bytes]]:
        """Read the generation's segments: sets ``segments`` ((segment id, base, size) each), ``size`` and the
        ``live`` mask; returns each segment's columns (name → packed array)."""
        row = con.run("SELECT segments, deleted FROM generations WHERE id = :g", g=generation)
        if not row:
            raise sql.DatabaseError(f"generation {generation} not found")
        segment_ids = [int(s) for s in row[0][0]]
        deleted = row[0][1] or {}
        self.segments: list[tuple[int, int, int]] = []  # (segment id, base, size)
        base = 0
        columns: list[dict[str, bytes]] = []
        for sid in segment_ids:
            data = {str(name): bytes(blob) for name, blob in con.run(
                f"SELECT name, data FROM {sql.partition('columns', sid)}"
            )}  # fmt: skip
            size = len(sql.unpack(data["lengths"]))
            self.segments.append((sid, base, size))
            columns.append(data)
            base += size
        self.size = base
        self.live = np.ones(self.size, dtype=bool)
        for sid, b, _ in self.segments:
            gone = deleted.get(str(sid))
            if gone:
                self.live[np.asarray(gone, dtype=np.int64) + b] = False
        return columns

    def resolve_containers(self, reader: Reader, hits: Iterable[int]) -> bool:
        """Look up the measure each of these hits sits in (its id's ``enclosing_measure_ids``, the first live
        one), for those not looked up yet; True when any was."""
        todo = [int(h) for h in hits if self.container[h] == -2]
        if not todo:
            return False
        reader.prefetch_stored(todo)
        for hit in todo:
            found = -1
            for candidate in enclosing_measure_ids(reader.stored_fields(hit)["id"]):
                number = reader.hit_number(candidate)
                if number is not None:
                    found = number
                    break
            self.container[hit] = found
        return True

    # -- loading -------------------------------------------------------------------------------------------

    def _facet(self, columns: list[dict[str, bytes]], name: str) -> Facet:
        values = [""]
        index = {"": 0}
        parts = []
        for data in columns:
            local = sql.unpack_json(data[f"values:{name}"])
            remap = np.array([index.setdefault(v, len(index)) for v in local], dtype=np.int32)
            parts.append(remap[sql.unpack(data[f"facet:{name}"])])
        values = list(index)
        codes = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        return Facet(values, codes)

    def _categories(self, columns: list[dict[str, bytes]]) -> MultiFacet:
        docs: dict[str, list[np.ndarray]] = {}
        for (_, base, _), data in zip(self.segments, columns, strict=True):
            local = sql.unpack_json(data["values:categories"])
            pairs = sql.unpack(data["categories"])
            for code, value in enumerate(local):
                docs.setdefault(value, []).append(pairs[pairs[:, 0] == code, 1].astype(np.int64) + base)
        return MultiFacet({v: np.concatenate(p) for v, p in docs.items()}, self.size)

    def _amount_index(self, columns: list[dict[str, bytes]]) -> AmountIndex:
        families: list[str] = []
        code_of: dict[str, int] = {}
        fam, val, hit = [], [], []
        for (_, base, _), data in zip(self.segments, columns, strict=True):
            local = sql.unpack_json(data["values:amount"])
            remap = np.array([code_of.setdefault(v, len(code_of)) for v in local] or [0], dtype=np.int32)
            fam.append(remap[sql.unpack(data["amount:family"])])
            val.append(sql.unpack(data["amount:value"]))
            hit.append(sql.unpack(data["amount:hit"]).astype(np.int64) + base)
        families = list(code_of)
        if not fam:
            return AmountIndex([], np.zeros(0, np.int32), np.zeros(0, np.float64), _EMPTY_IDS)
        return AmountIndex(families, np.concatenate(fam), np.concatenate(val), np.concatenate(hit))

    def amounts(self, reader: Any = None) -> AmountIndex:
        return self._amounts

    # -- hit numbers ----------------------------------------------------------------------------------------

    def locate(self, hit: int) -> tuple[int, int]:
        """(segment id, hit number in the segment) of a global hit number."""
        k = int(np.searchsorted(self.bases, hit, side="right")) - 1
        return int(self.segment_ids[k]), int(hit - self.bases[k])

    def by_segment(self, hits: np.ndarray) -> Iterable[tuple[int, int, np.ndarray]]:
        """(segment id, base, local numbers) of sorted global hit numbers."""
        k = np.searchsorted(self.bases, hits, side="right") - 1
        for j in np.unique(k):
            sid, base, _ = self.segments[int(j)]
            yield sid, base, hits[k == j] - base

    # -- posting lists -------------------------------------------------------------------------------------

    def prefetch(self, reader: Reader, keys: Iterable[tuple[str, str]]) -> None:
        """Read the posting lists of every ``(field, term)`` neither cached nor read by this reader, in one query;
        the reader keeps them for its query (the cache may be too small to hold them all)."""
        with self._lock:
            missing = sorted(
                {k for k in keys if k not in self._cache and k not in reader.entries and k[0] in FIELD_CODE}
            )
        if not missing:
            return
        found: dict[tuple[str, str], list[tuple[int, bytes, bytes, int, int]]] = {k: [] for k in missing}
        # Each segment's partition by name (never the parent: see PostgresKnowledgeBase._table).
        query = " UNION ALL ".join(
            f"SELECT p.segment, p.chunk, p.field, p.term, p.ids, p.tfs, p.df, p.cf"
            f" FROM {sql.partition('postings', sid)} p JOIN q ON p.field = q.field AND p.term = q.term"
            for sid, _, _ in self.segments
        )
        rows = sql.run_prepared(
            reader.con,
            "WITH q AS (SELECT * FROM unnest(CAST(:f AS smallint[]), CAST(:t AS text[])) AS q(field, term))"
            f" SELECT segment, field, term, ids, tfs, df, cf FROM ({query}) x ORDER BY segment, chunk",
            f=[FIELD_CODE[f] for f, _ in missing],
            t=[t for _, t in missing],
        )
        base_of = {sid: base for sid, base, _ in self.segments}
        for sid, code, term, ids, tfs, df, cf in rows:
            found[(FIELDS[code], term)].append((base_of[int(sid)], bytes(ids), bytes(tfs), int(df), int(cf)))
        for key, parts in found.items():
            if parts:
                ids = np.concatenate(
                    [np.frombuffer(i, dtype="<i4").astype(np.int64) + b for b, i, _, _, _ in parts]
                )
                weights = np.concatenate(
                    [np.frombuffer(w, dtype="<u2").astype(np.float32) for _, _, w, _, _ in parts]
                )
                df = sum(p[3] for p in parts)
                cf = sum(p[4] for p in parts)
            else:
                ids, weights, df, cf = _EMPTY_IDS, _EMPTY_WEIGHTS, 0, 0
            ids.flags.writeable = False
            weights.flags.writeable = False
            reader.entries[key] = (ids, weights, df, cf)
            self._store(key, (ids, weights, df, cf))

    def _store(self, key: tuple[str, str], value: tuple[np.ndarray, np.ndarray, int, int]) -> None:
        if self._cache_limit <= 0:
            return
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = value
            self._cached += max(1, len(value[0]))
            while self._cached > self._cache_limit and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._cached -= max(1, len(old[0]))

    def _entry(self, reader: Reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        key = (fieldname, text)
        found = reader.entries.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        self.prefetch(reader, [key])
        return reader.entries.get(key, (_EMPTY_IDS, _EMPTY_WEIGHTS, 0, 0))

    def postings(self, reader: Reader, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(global hit numbers, term frequencies) of one term, deleted hits included (as in Whoosh)."""
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        ids, weights, _, _ = self._entry(reader, fieldname, text)
        return ids, weights


class Reader:
    """One thread's view of a generation: its connection, term statistics, stored fields, phrase checks."""

    def __init__(self, con: Any, arrays: GenerationArrays) -> None:
        self.con = con
        self.arrays = arrays
        # Posting lists read for this reader's query: (ids, frequencies, document frequency, collection frequency).
        self.entries: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int, int]] = {}
        self.stored: dict[int, dict[str, Any]] = {}  # stored fields read for this reader's page

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        return self.arrays._entry(self, fieldname, text)[2]

    def frequency(self, fieldname: str, text: str | bytes) -> int:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        return self.arrays._entry(self, fieldname, text)[3]

    def prefetch_stored(self, hits: Iterable[int]) -> None:
        """Read the stored fields of several hits (a page) in one query per segment."""
        todo = np.array(sorted({int(h) for h in hits} - set(self.stored)), dtype=np.int64)
        for sid, base, local in self.arrays.by_segment(todo):
            for row in sql.run_prepared(
                self.con,
                "SELECT n, id, type, doc_id, title, heading, doc_title, left(body, :scan), path, categories,"
                f" reported, date, genre, agency, doc_number FROM {sql.partition('hits', sid)} WHERE n = ANY(CAST(:ns AS int[]))",
                scan=SCAN_CHARS,
                ns=[int(x) for x in local],
            ):
                self.stored[base + int(row[0])] = _stored(row[1:])

    def stored_fields(self, hit: int) -> dict[str, Any]:
        if hit not in self.stored:
            self.prefetch_stored([hit])
        found = self.stored.get(hit)
        if found is None:
            raise KeyError(hit)
        return found

    def hit_number(self, item_id: str) -> int | None:
        """The live hit number of an id (a measure's, a clause's…), or None."""
        rows = sql.run_prepared(
            self.con,
            " UNION ALL ".join(
                f"SELECT segment, n FROM {sql.partition('hits', sid)} WHERE id = :id"
                for sid, _, _ in self.arrays.segments
            ),
            id=item_id,
        )
        base_of = {sid: base for sid, base, _ in self.arrays.segments}
        for sid, n in rows:
            hit = base_of[int(sid)] + int(n)
            if self.arrays.live[hit]:
                return hit
        return None

    def phrase_docs(self, fieldname: str, words: Sequence[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates (sorted global hit numbers) whose ``fieldname`` holds ``words`` consecutively."""
        prefix = WORD_PREFIX.get(fieldname)
        if prefix is None or len(candidates) == 0:
            return _EMPTY_IDS
        query = " <-> ".join("'" + (prefix + w).replace("\\", "\\\\").replace("'", "''") + "'" for w in words)
        held: list[np.ndarray] = []
        for sid, base, local in self.arrays.by_segment(np.asarray(candidates, dtype=np.int64)):
            # A row whose field passed PostgreSQL's position limits is checked on its text (the same tokens).
            rows = sql.run_prepared(
                self.con,
                f"SELECT n, CASE WHEN :f = ANY(inexact) THEN NULL ELSE words @@ CAST(:q AS tsquery) END,"
                f" CASE WHEN :f = ANY(inexact) THEN {fieldname} END"
                f" FROM {sql.partition('hits', sid)} WHERE n = ANY(CAST(:ns AS int[]))",
                f=fieldname,
                q=query,
                ns=[int(x) for x in local],
            )
            ok = [int(n) for n, matched, text in rows if matched or (matched is None and _consecutive(
                field_tokens(fieldname, text or ""), list(words)
            ))]  # fmt: skip
            if ok:
                held.append(np.asarray(sorted(ok), dtype=np.int64) + base)
        return np.concatenate(held) if held else _EMPTY_IDS


def _stored(row: Sequence[Any]) -> dict[str, Any]:
    (
        hid,
        htype,
        doc_id,
        title,
        heading,
        doc_title,
        body,
        path,
        categories,
        reported,
        date,
        genre,
        agency,
        number,
    ) = row
    return {
        "id": hid,
        "type": htype,
        "doc_id": doc_id,
        "title": title,
        "heading": heading,
        "doc_title": doc_title,
        "body": body,
        "path": path,
        "categories": ",".join(categories or []),
        "reported": reported,
        "date": date or "",
        "genre": genre or "",
        "agency": agency or "",
        "doc_number": number or "",
    }


def _consecutive(tokens: list[str], words: list[str]) -> bool:
    n = len(words)
    return any(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))


def key_terms(reader: Reader, text: str, numterms: int = 12) -> list[tuple[str, float]]:
    """Whoosh's ``key_terms_from_text("body", text, numterms, normalize=False)`` (the Bo1 model) on these
    statistics: the terms of ``text`` most telling against the body field of the whole generation."""
    counts: dict[str, float] = {}
    for token in field_tokens("body", text):
        counts[token] = counts.get(token, 0.0) + 1.0
    if not counts:
        return []
    arrays = reader.arrays
    arrays.prefetch(reader, [("body", t) for t in counts])
    n = arrays.size or 1
    scored = []
    for word, weight in counts.items():
        cf = reader.frequency("body", word)
        if cf <= 0:
            continue
        f = cf / n
        scored.append((weight * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), word))
    if not scored:
        return []
    top = max(s for s, _ in scored) or 1.0
    ranked = sorted(((s / top, w) for s, w in scored), key=lambda x: (-x[0], x[1]))
    return [(w, s) for s, w in ranked[:numterms]]


def tree_terms(node: Any) -> list[tuple[str, str]]:
    """Every (field, term) a query tree reads (terms, and the words of phrases)."""
    from whoosh import query as wq

    out: list[tuple[str, str]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, wq.Term):
            out.append((item.fieldname, item.text))
        elif isinstance(item, wq.Phrase):
            out.extend((item.fieldname, w) for w in item.words)
        elif isinstance(item, (wq.AndMaybe, wq.AndNot)):
            stack.extend((item.a, item.b))
        elif hasattr(item, "subqueries"):
            stack.extend(item.subqueries)
    return out
