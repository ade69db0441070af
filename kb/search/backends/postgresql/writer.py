"""Writing a generation into PostgreSQL (called by ``kb.build.write``, the only writer).

A build writes its hits into a new **segment** (one partition per table, loaded with COPY, indexed afterwards) and
the catalog into partitions of its **generation**; an incremental build's generation lists the previous
generation's segments too, with the hits of the changed and removed documents marked deleted (never modified:
readers of the old generation go on reading them). Nothing is visible until ``publish`` replaces the ``live`` row in
one transaction. A build that dies leaves a generation in state ``building``: the next build drops it (its
partitions) before it starts — readers never name it.

The text is analysed as the Whoosh writer analyses it (``kb.search.analysis``: jieba words, marked bigrams,
quantities) in ``procs`` worker processes, a batch of hits at a time; the main process numbers the hits, gathers
the posting lists per chunk of hits and streams everything with COPY.

The analysis of a batch is ``analyse``; publishing and dropping generations ``generations`` (both re-exported here).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kb.model import DocumentKB
from kb.search.amounts import parse_token
from kb.search.backends.postgresql import sql
from kb.search.backends.postgresql.analyse import (
    FIELD_CODE,
    FIELDS,
    MAX_LEXEME_BYTES,
    MAX_POSITION,
    MAX_POSITIONS,
    WORD_PREFIX,
    Batch,
    analyse_batch,
    field_tokens,
    words_vector,
)
from kb.search.backends.postgresql.generations import (
    drop_generation,
    drop_unfinished,
    live_generation,
    publish,
    retire,
)
from kb.search.schema import hits as schema_hits

__all__ = [
    "BATCH_HITS",
    "CHUNK_POSTINGS",
    "FACETS",
    "FIELDS",
    "FIELD_CODE",
    "HIT_COLUMNS",
    "MAX_LEXEME_BYTES",
    "MAX_POSITION",
    "MAX_POSITIONS",
    "WORD_PREFIX",
    "Batch",
    "PostgresWriter",
    "analyse_batch",
    "drop_generation",
    "drop_unfinished",
    "field_tokens",
    "iter_json_documents",
    "live_generation",
    "publish",
    "retire",
    "words_vector",
]

BATCH_HITS = 4000  # hits per task of the analysis processes
CHUNK_POSTINGS = 24_000_000  # postings gathered in memory before a chunk is written
FACETS = ("type", "genre", "doc_id", "agency", "year", "level", "date", "doc_number", "in_force")
HIT_COLUMNS = (
    "segment", "n", "id", "type", "doc_id", "agency", "year", "date", "doc_number", "genre", "categories",
    "title", "heading", "body", "linked", "doc_title", "path", "ord", "reported", "lengths", "inexact", "words",
)  # fmt: skip


@dataclass
class _Chunk:
    """Postings gathered for one chunk of hits, before they are written."""

    term_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    terms: list[tuple[int, str]] = field(default_factory=list)
    term: list[np.ndarray] = field(default_factory=list)
    hit: list[np.ndarray] = field(default_factory=list)
    tf: list[np.ndarray] = field(default_factory=list)
    postings: int = 0


class PostgresWriter:
    """Writes one generation (``name``) into the database at ``url``; see the module docstring."""

    def __init__(self, url: str, name: str, procs: int = 2) -> None:
        self.url = url
        self.name = name
        self.procs = max(1, procs)
        self.con, self.schema = sql.connect(url, application="policykb build")
        sql.ensure_schema(self.con, self.schema)
        if not self.con.run("SELECT pg_try_advisory_lock(:k)", k=sql.BUILD_LOCK)[0][0]:
            self.con.close()
            raise sql.DatabaseError(
                "另一个构建正在写入该数据库；请稍后再试。 Another build is writing to this database; try again later."
            )
        drop_unfinished(self.con)
        self.generation = int(
            self.con.run("INSERT INTO generations (name) VALUES (:n) RETURNING id", n=name)[0][0]
        )
        self.segment = int(
            self.con.run("INSERT INTO segments (generation) VALUES (:g) RETURNING id", g=self.generation)[0][
                0
            ]
        )
        for table in sql.SEGMENT_TABLES:
            sql.create_partition(self.con, table, self.segment)
        self.size = 0  # hits written to the segment
        self.doc_segment: dict[str, int] = {}  # where each document's knowledge lives
        self.base_segments: list[int] = []
        self.deleted: dict[int, list[int]] = {}
        self._hits = sql.CopyBuffer(self.con, sql.partition("hits", self.segment), HIT_COLUMNS)
        self._kbs = sql.CopyBuffer(
            self.con, sql.partition("document_kbs", self.segment), ("segment", "doc_id", "data")
        )
        self._postings = sql.CopyBuffer(
            self.con,
            sql.partition("postings", self.segment),
            ("segment", "chunk", "field", "term", "df", "cf", "ids", "tfs"),
            limit=32 << 20,
        )
        self._batch: list[dict[str, Any]] = []
        self._pending: deque[tuple[Any, list[dict[str, Any]]]] = deque()
        self._pool: Any = None
        self._chunk = _Chunk()
        self._chunks = 0
        self._meta: dict[str, list[Any]] = {name: [] for name in (*FACETS, "categories")}
        self._lengths: list[np.ndarray] = []
        self._amounts: list[tuple[str, np.ndarray]] = []
        self.timings: dict[str, float] = {}

    # -- reuse ------------------------------------------------------------------------------------------------

    def reuse(self, previous: str | None, keep: Iterable[str]) -> bool:
        """Share the segments of the generation named ``previous`` (when the database has it, ready): the hits of
        documents not in ``keep`` are marked deleted. False when it cannot: the caller adds those documents."""
        if previous is None:
            return False
        row = self.con.run(
            "SELECT id, segments, deleted FROM generations WHERE name = :n AND state = 'ready'", n=previous
        )
        if not row:
            return False
        old_id, segments, deleted = int(row[0][0]), [int(s) for s in row[0][1]], row[0][2] or {}
        keep = set(keep)
        located = self.con.run(f"SELECT id, segment FROM {sql.partition('documents', old_id)}")
        self.doc_segment = {doc_id: int(seg) for doc_id, seg in located if doc_id in keep}
        if set(self.doc_segment) != keep:
            return False  # the database lacks some document: write them all again
        self.base_segments = segments
        for seg in segments:
            gone = set(deleted.get(str(seg), []))
            rows = self.con.run(
                f"SELECT n, doc_id FROM {sql.partition('hits', seg)} WHERE NOT (doc_id = ANY(:keep))",
                keep=list(keep) or [""],
            )
            gone.update(int(n) for n, _ in rows)
            if gone:
                self.deleted[seg] = sorted(gone)
        return True

    # -- adding documents ---------------------------------------------------------------------------------

    def add(self, dkb: DocumentKB, data: dict[str, Any]) -> None:
        """Index one document's hits and store its knowledge (``data``: its JSON form)."""
        self._kbs.add(self.segment, dkb.document.id, json.dumps(data, ensure_ascii=False))
        self.doc_segment[dkb.document.id] = self.segment
        self._batch.extend(schema_hits(dkb))
        if len(self._batch) >= BATCH_HITS:
            self._submit()

    def _submit(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        if self.procs > 1:
            if self._pool is None:
                self._pool = multiprocessing.get_context("fork").Pool(self.procs)
            self._pending.append((self._pool.apply_async(analyse_batch, (batch,)), batch))
            while len(self._pending) > 2 * self.procs:
                self._receive()
        else:
            self._take(analyse_batch(batch), batch)

    def _receive(self) -> None:
        result, batch = self._pending.popleft()
        self._take(result.get(), batch)

    def _take(self, done: Batch, batch: list[dict[str, Any]]) -> None:
        base = self.size
        prefix = f"{self.segment}\t"
        for n, line in enumerate(done.lines, base):
            self._hits.add_line(f"{prefix}{n}\t{line}")
        for hit in batch:
            for name in FACETS:
                self._meta[name].append(hit.get(name) or "")
            self._meta["categories"].append(hit.get("categories") or "")
        self._lengths.append(done.lengths)
        chunk = self._chunk
        remap = np.empty(len(done.terms), dtype=np.int32)
        ids = chunk.term_ids
        for k, key in enumerate(done.terms):
            tid = ids.get(key)
            if tid is None:
                tid = ids[key] = len(chunk.terms)
                chunk.terms.append(key)
            remap[k] = tid
        chunk.term.append(remap[done.term])
        chunk.hit.append(done.hit + base)
        chunk.tf.append(done.tf)
        chunk.postings += len(done.term)
        self.size += len(done.lines)
        if chunk.postings >= CHUNK_POSTINGS:
            self._flush_chunk()

    def _flush_chunk(self) -> None:
        chunk = self._chunk
        if not chunk.postings:
            return
        term = np.concatenate(chunk.term)
        hit = np.concatenate(chunk.hit)
        tf = np.concatenate(chunk.tf)
        order = np.lexsort((hit, term))
        term, hit, tf = term[order], hit[order], tf[order]
        starts = np.flatnonzero(np.r_[True, term[1:] != term[:-1]])
        ends = np.r_[starts[1:], len(term)]
        amount_code = FIELD_CODE["amounts"]
        hit_bytes = hit.astype("<i4")
        tf_bytes = np.minimum(tf, 65535).astype("<u2")
        cfs = np.add.reduceat(tf.astype(np.int64), starts) if len(starts) else np.zeros(0, np.int64)
        prefix = f"{self.segment}\t{self._chunks}\t"
        add_line = self._postings.add_line
        for s, e, t, cf in zip(
            starts.tolist(), ends.tolist(), term[starts].tolist(), cfs.tolist(), strict=True
        ):
            code, text = chunk.terms[t]
            ids = hit_bytes[s:e]
            add_line(
                f"{prefix}{code}\t{sql.copy_text(text)}\t{e - s}\t{cf}\t\\\\x{ids.tobytes().hex()}"
                f"\t\\\\x{tf_bytes[s:e].tobytes().hex()}\n"
            )
            if code == amount_code:
                self._amounts.append((text, ids.astype(np.int32)))
        self._chunks += 1
        self._chunk = _Chunk()

    # -- the end ------------------------------------------------------------------------------------------

    def commit(self) -> None:
        """Write what is pending, the per-hit columns, and index the segment (the generation is not live yet)."""
        started = time.monotonic()
        self._submit()
        while self._pending:
            self._receive()
        self._close_pool()
        self._flush_chunk()
        for buffer in (self._hits, self._kbs, self._postings):
            buffer.flush()
        self._write_columns()
        self.timings["load"] = time.monotonic() - started
        started = time.monotonic()
        for table in sql.SEGMENT_TABLES:
            sql.index_partition(self.con, table, self.segment)
        self.con.run(
            "UPDATE segments SET size = :s, chunks = :c WHERE id = :id",
            s=self.size,
            c=self._chunks,
            id=self.segment,
        )
        self.timings["index"] = time.monotonic() - started

    def _write_columns(self) -> None:
        rows: list[tuple[str, bytes]] = []
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros((0, len(FIELDS)), np.int32)
        rows.append(("lengths", sql.pack(lengths.astype(np.int32))))
        for name in FACETS:
            code_of = {"": 0}
            codes = np.fromiter(
                (code_of.setdefault(v, len(code_of)) for v in self._meta[name]),
                dtype=np.int32,
                count=self.size,
            )
            values = list(code_of)
            rows.append((f"facet:{name}", sql.pack(codes)))
            rows.append((f"values:{name}", sql.pack_json(values)))
        cat_values: dict[str, int] = {}
        pairs: list[tuple[int, int]] = []
        for n, joined in enumerate(self._meta["categories"]):
            for value in (c for c in joined.split(",") if c):
                pairs.append((cat_values.setdefault(value, len(cat_values)), n))
        rows.append(("categories", sql.pack(np.array(pairs, dtype=np.int32).reshape(-1, 2))))
        rows.append(("values:categories", sql.pack_json(list(cat_values))))
        families: dict[str, int] = {}
        fam, val, hit = [], [], []
        for term, ids in self._amounts:
            parsed = parse_token(term)
            if parsed is None:
                continue
            code = families.setdefault(parsed[0], len(families))
            fam.append(np.full(len(ids), code, dtype=np.int32))
            val.append(np.full(len(ids), parsed[1], dtype=np.float64))
            hit.append(ids)
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0, np.float64)
        rows.append(("amount:family", sql.pack(np.concatenate(fam) if fam else empty_i)))
        rows.append(("amount:value", sql.pack(np.concatenate(val) if val else empty_f)))
        rows.append(("amount:hit", sql.pack(np.concatenate(hit) if hit else empty_i)))
        rows.append(("values:amount", sql.pack_json(list(families))))
        columns = sql.CopyBuffer(
            self.con, sql.partition("columns", self.segment), ("segment", "name", "data")
        )
        for name, data in rows:
            columns.add(self.segment, name, data)
        columns.flush()

    def finish(self, generation_dir: Path, fingerprint: str = "") -> None:
        """Write the catalog, indicator series and manifest of the generation (its JSON files in
        ``generation_dir``) and mark it ready — still not live: ``publish`` does that."""
        catalog = _read(generation_dir / "catalog.json")
        self.begin_catalog()
        self.add_catalog(catalog["documents"], catalog["measures"], catalog.get("quantities", []))
        self.end_catalog(
            catalog.get("meta", {}),
            catalog.get("categories", []),
            catalog.get("rejected", []),
            _read(generation_dir / "manifest.json", {}),
            _read(generation_dir / "indicators.json", {"error": "missing"}),
            fingerprint,
        )

    def begin_catalog(self) -> None:
        """Open the generation's catalog partitions (``add_catalog`` may then be called in pieces)."""
        self._catalog_started = time.monotonic()
        g = self.generation
        for table in sql.GENERATION_TABLES:
            sql.create_partition(self.con, table, g)
        self._docs = sql.CopyBuffer(
            self.con,
            sql.partition("documents", g),
            ("generation", "id", "segment", "ord", "title", "date", "entry"),
        )
        self._measures = sql.CopyBuffer(
            self.con,
            sql.partition("measures", g),
            ("generation", "id", "doc_id", "ord", "categories", "data"),
        )
        self._links = sql.CopyBuffer(
            self.con,
            sql.partition("links", g),
            ("generation", "measure_id", "target_id", "weak", "score", "evidence"),
        )
        self._quantities = sql.CopyBuffer(
            self.con, sql.partition("quantities", g), ("generation", "id", "doc_id", "ord", "kind", "data")
        )
        self._ord = {"documents": 0, "measures": 0, "quantities": 0}

    def add_catalog(
        self,
        documents: Iterable[dict[str, Any]],
        measures: Iterable[dict[str, Any]],
        quantities: Iterable[dict[str, Any]],
    ) -> None:
        """Catalog entries (the shapes of ``catalog.json``), in order."""
        g = self.generation
        for entry in documents:
            segment = self.doc_segment.get(entry["id"])
            if segment is None:
                raise RuntimeError(f"document {entry['id']} has no knowledge in the database")
            k = self._ord["documents"] = self._ord["documents"] + 1
            self._docs.add(
                g, entry["id"], segment, k, entry.get("title") or "", entry.get("date") or "", entry
            )
        for m in measures:
            k = self._ord["measures"] = self._ord["measures"] + 1
            self._measures.add(g, m["id"], m["doc_id"], k, list(m.get("categories") or []), m)
            for ref in m.get("targets") or []:
                evidence = json.dumps(ref.get("evidence") or [], ensure_ascii=False)
                self._links.add(g, m["id"], ref["id"], bool(ref.get("weak")), ref.get("score"), evidence)
        for q in quantities:
            k = self._ord["quantities"] = self._ord["quantities"] + 1
            self._quantities.add(g, q["id"], q["doc_id"], k, q["kind"], q)

    def end_catalog(
        self,
        meta: dict[str, Any],
        categories: list[Any],
        rejected: list[Any],
        manifest: dict[str, Any],
        indicators: dict[str, Any],
        fingerprint: str = "",
    ) -> None:
        """Index the catalog partitions and mark the generation ready (not live: ``publish`` does that)."""
        g = self.generation
        for buffer in (self._docs, self._measures, self._links, self._quantities):
            buffer.flush()
        for table in sql.GENERATION_TABLES:
            sql.index_partition(self.con, table, g)
        self.con.run(
            "UPDATE generations SET state = 'ready', built_at = now(), segments = CAST(:s AS bigint[]),"
            " deleted = CAST(:d AS jsonb), fingerprint = :f, stats = CAST(:st AS jsonb),"
            " categories = CAST(:c AS jsonb), rejected = CAST(:r AS jsonb), manifest = CAST(:m AS jsonb),"
            " indicators = CAST(:i AS jsonb) WHERE id = :g",
            s="{" + ",".join(str(x) for x in [*self.base_segments, self.segment]) + "}",
            d=json.dumps({str(k): v for k, v in self.deleted.items()}),
            f=fingerprint,
            st=json.dumps(meta),
            c=json.dumps(categories, ensure_ascii=False),
            r=json.dumps(rejected, ensure_ascii=False),
            m=json.dumps(manifest, ensure_ascii=False),
            i=json.dumps(indicators, ensure_ascii=False),
            g=g,
        )
        self.timings["catalog"] = time.monotonic() - self._catalog_started

    def cancel(self) -> None:
        """Drop what this build wrote (its generation never became live)."""
        self._close_pool(terminate=True)
        with contextlib.suppress(Exception):
            drop_generation(self.con, self.generation, own_segments=[self.segment])
        self.close()

    def _close_pool(self, terminate: bool = False) -> None:
        if self._pool is not None:
            if terminate:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()


def _read(path: Path, default: Any = None) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        if default is None:
            raise
        return default


def iter_json_documents(
    directory: Path, doc_ids: Iterable[str]
) -> Iterator[tuple[DocumentKB, dict[str, Any]]]:
    """The reused documents' knowledge from a JSON generation (when the database lacks them)."""
    from kb.store.codec import kb_from_dict

    for doc_id in sorted(doc_ids):
        data = _read(directory / "docs" / f"{doc_id}.json")
        yield kb_from_dict(data), data
