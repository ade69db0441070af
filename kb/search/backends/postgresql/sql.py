"""The PostgreSQL side of a knowledge base: connections, the tables, COPY encoding, the build lock.

Everything lives in one schema (``policykb`` unless the URL says ``?schema=NAME``):

=====================  ==========================================================================================
table                  what (``PARTITION BY LIST``: one partition per segment or per generation)
=====================  ==========================================================================================
``generations``        one row per build: name (= the JSON generation's), state (building → ready), its segments,
                       its deleted hits per segment, stats, categories, rejected files, the manifest (source file →
                       hash, document id, curation digest: the curation state), the indicator series
``live``               one row: the generation readers use (replaced in one transaction: the publish)
``segments``           a batch of hits written by one build; shared by later generations that reuse them
``hits``               per segment: one row per document, clause, measure, target, result (``kb.search.schema``):
                       the stored fields, per-field token counts, and ``words``, a ``tsvector`` of the title, body
                       and linked text pre-segmented by our analyzer (lexemes ``t:``/``b:``/``l:`` + token, with
                       positions: phrases are ``'b:科技' <-> 'b:成果'``); ``inexact`` names the fields that passed
                       PostgreSQL's limits (16,383 positions, 256 per lexeme): phrases there are checked on the text
``postings``           per segment: the term statistics BM25F needs — for each (field, term) of a chunk of hits its
                       document frequency, collection frequency and posting list (hit numbers int32, frequencies
                       uint16, little-endian ``bytea``)
``columns``            per segment: per-hit arrays as compressed ``bytea`` (field lengths, facet codes and values,
                       dates, quantities) so a reader loads a generation in a few reads
``document_kbs``       per segment: each document's whole knowledge (text, outline, measures, targets…) as JSON
``documents``,         per generation: the catalog — documents (metadata, counts, resolved references), measures,
``measures``,          targets and results (``kind``), and the target↔measure links with their evidence
``quantities``,
``links``
=====================  ==========================================================================================

A build holds ``pg_advisory_lock(BUILD_LOCK)`` on its connection: a second builder waits or gives up, and a killed
one's lock goes with its connection.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pg8000.native

DEFAULT_SCHEMA = "policykb"
BUILD_LOCK = 0x706F6C6B  # "polk": the one build at a time, per database
SCHEMA_VERSION = 1
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


class DatabaseError(Exception):
    """The database cannot be reached or used; the message says what to do."""


def is_url(spec: str | None) -> bool:
    return bool(spec) and str(spec).startswith(("postgresql://", "postgres://"))


def parse_url(url: str) -> tuple[dict[str, Any], str]:
    """pg8000 connection arguments and the schema name from ``postgresql://user[:password]@host[:port]/db[?schema=s]``.

    A host that is a path (``?host=/run/postgresql``) is a Unix socket directory."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    args: dict[str, Any] = {
        "user": unquote(parts.username or "postgres"),
        "database": unquote(parts.path.lstrip("/") or "postgres"),
    }
    if parts.password:
        args["password"] = unquote(parts.password)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    port = parts.port or int(query.get("port", ["5432"])[0])
    if host.startswith("/"):
        args["unix_sock"] = f"{host.rstrip('/')}/.s.PGSQL.{port}"
    else:
        args["host"], args["port"] = host, port
    schema = query.get("schema", [DEFAULT_SCHEMA])[0]
    if not _NAME.fullmatch(schema):
        raise DatabaseError(f"schema name not allowed: {schema!r}")
    return args, schema


def connect(url: str, *, application: str = "policykb") -> tuple[pg8000.native.Connection, str]:
    """A connection (autocommit, ``search_path`` = the schema) and the schema name."""
    args, schema = parse_url(url)
    try:
        con = pg8000.native.Connection(application_name=application, timeout=600, **args)
    except Exception as exc:  # pg8000 raises InterfaceError/DatabaseError/OSError subclasses
        where = args.get("unix_sock") or f"{args.get('host')}:{args.get('port')}"
        raise DatabaseError(
            f"无法连接数据库 {where}/{args['database']}：{exc}。请检查 --backend / POLICYKB_BACKEND 的地址与数据库是否在运行。"
            f" Cannot connect to PostgreSQL at {where}: check the URL and that the server runs."
        ) from exc
    con.run(f"SET search_path TO {schema}, public")
    return con, schema


MAX_PREPARED = 64


def is_transient(exc: BaseException) -> bool:
    """A failure a reader survives by reconnecting and trying again: the connection went away (the server
    restarted, a replica ended the session on a conflict with recovery), or the statement was cancelled for such
    a conflict (SQLSTATE 40001)."""
    if isinstance(exc, pg8000.native.InterfaceError):
        return True
    if isinstance(exc, pg8000.native.DatabaseError) and exc.args:
        detail = exc.args[0]
        return isinstance(detail, dict) and detail.get("C") in ("40001", "57P01", "57P04")
    return False


def run_prepared(con: pg8000.native.Connection, query: str, **params: Any) -> list[Any]:
    """Run ``query`` as a statement prepared once per connection: one round trip per call (``con.run`` takes
    three: parse, describe, execute), which is what a search pays per query on a busy machine."""
    cache: dict[str, Any] | None = getattr(con, "_policykb_prepared", None)
    if cache is None:
        cache = {}
        con._policykb_prepared = cache  # type: ignore[attr-defined]
    statement = cache.get(query)
    if statement is None:
        if len(cache) >= MAX_PREPARED:
            oldest = next(iter(cache))
            with contextlib.suppress(Exception):
                cache.pop(oldest).close()
        statement = cache[query] = con.prepare(query)
    try:
        return statement.run(**params) or []
    except Exception:
        cache.pop(query, None)  # e.g. a partition dropped since: prepared again next time
        raise


DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
SET search_path TO {schema}, public;
CREATE TABLE IF NOT EXISTS schema_version (version int NOT NULL);
CREATE TABLE IF NOT EXISTS generations (
    id bigserial PRIMARY KEY,
    name text UNIQUE NOT NULL,
    state text NOT NULL DEFAULT 'building' CHECK (state IN ('building', 'ready', 'retired')),
    segments bigint[] NOT NULL DEFAULT '{{}}',
    deleted jsonb NOT NULL DEFAULT '{{}}',
    started_at timestamptz NOT NULL DEFAULT now(),
    built_at timestamptz,
    fingerprint text,
    stats jsonb, categories jsonb, rejected jsonb, manifest jsonb, indicators jsonb
);
CREATE TABLE IF NOT EXISTS live (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    generation bigint NOT NULL REFERENCES generations (id),
    published_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS segments (
    id bigserial PRIMARY KEY,
    generation bigint NOT NULL,
    size int NOT NULL DEFAULT 0,
    chunks int NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS hits (
    segment bigint NOT NULL, n int NOT NULL,
    id text NOT NULL, type text NOT NULL, doc_id text NOT NULL,
    agency text, year text, date text, doc_number text, genre text, categories text[],
    title text, heading text, body text, linked text, doc_title text, path text, ord int, reported int,
    lengths int[] NOT NULL, inexact text[] NOT NULL, words tsvector NOT NULL
) PARTITION BY LIST (segment);
CREATE TABLE IF NOT EXISTS postings (
    segment bigint NOT NULL, chunk int NOT NULL, field smallint NOT NULL, term text NOT NULL,
    df int NOT NULL, cf bigint NOT NULL, ids bytea NOT NULL, tfs bytea NOT NULL
) PARTITION BY LIST (segment);
CREATE TABLE IF NOT EXISTS columns (
    segment bigint NOT NULL, name text NOT NULL, data bytea NOT NULL
) PARTITION BY LIST (segment);
CREATE TABLE IF NOT EXISTS document_kbs (
    segment bigint NOT NULL, doc_id text NOT NULL, data text NOT NULL
) PARTITION BY LIST (segment);
CREATE TABLE IF NOT EXISTS documents (
    generation bigint NOT NULL, id text NOT NULL, segment bigint NOT NULL, ord int NOT NULL,
    title text, date text, entry jsonb NOT NULL
) PARTITION BY LIST (generation);
CREATE TABLE IF NOT EXISTS measures (
    generation bigint NOT NULL, id text NOT NULL, doc_id text NOT NULL, ord int NOT NULL,
    categories text[] NOT NULL, data jsonb NOT NULL
) PARTITION BY LIST (generation);
CREATE TABLE IF NOT EXISTS quantities (
    generation bigint NOT NULL, id text NOT NULL, doc_id text NOT NULL, ord int NOT NULL,
    kind text NOT NULL, data jsonb NOT NULL
) PARTITION BY LIST (generation);
CREATE TABLE IF NOT EXISTS links (
    generation bigint NOT NULL, measure_id text NOT NULL, target_id text NOT NULL,
    weak boolean NOT NULL, score real, evidence jsonb
) PARTITION BY LIST (generation);
"""

SEGMENT_TABLES = ("hits", "postings", "columns", "document_kbs")
GENERATION_TABLES = ("documents", "measures", "quantities", "links")
# Indexes made after a partition is loaded (faster than keeping them up to date row by row).
SEGMENT_INDEXES = {
    "hits": ["PRIMARY KEY (n)", "INDEX (id)"],
    "postings": ["UNIQUE (field, term, chunk)"],
    "columns": ["PRIMARY KEY (name)"],
    "document_kbs": ["PRIMARY KEY (doc_id)"],
}
GENERATION_INDEXES = {
    "documents": ["PRIMARY KEY (id)"],
    "measures": ["PRIMARY KEY (id)", "INDEX (doc_id, ord)"],
    "quantities": ["PRIMARY KEY (id)", "INDEX (doc_id, ord)"],
    "links": ["INDEX (measure_id)", "INDEX (target_id)"],
}


def ensure_schema(con: pg8000.native.Connection, schema: str) -> None:
    """Create the tables when missing (idempotent; run by the build, never by readers)."""
    con.run("SELECT pg_advisory_lock(:k)", k=BUILD_LOCK + 1)
    try:
        for statement in DDL.format(schema=schema).split(";"):
            if statement.strip():
                con.run(statement)
        if not con.run("SELECT 1 FROM schema_version"):
            con.run("INSERT INTO schema_version VALUES (:v)", v=SCHEMA_VERSION)
    finally:
        con.run("SELECT pg_advisory_unlock(:k)", k=BUILD_LOCK + 1)


def partition(table: str, key: int) -> str:
    return f"{table}_{'s' if table in SEGMENT_TABLES else 'g'}{int(key)}"


def create_partition(con: pg8000.native.Connection, table: str, key: int) -> str:
    name = partition(table, key)
    con.run(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES IN ({int(key)})")
    return name


def index_partition(con: pg8000.native.Connection, table: str, key: int) -> None:
    name = partition(table, key)
    specs = SEGMENT_INDEXES.get(table) or GENERATION_INDEXES.get(table, [])
    for k, spec in enumerate(specs):
        if spec.startswith("INDEX"):
            con.run(f"CREATE INDEX {name}_i{k} ON {name} {spec[len('INDEX') :]}")
        else:
            con.run(f"ALTER TABLE {name} ADD {spec}")
    con.run(f"ANALYZE {name}")


def drop_partitions(con: pg8000.native.Connection, tables: Iterable[str], key: int) -> None:
    for table in tables:
        con.run(f"DROP TABLE IF EXISTS {partition(table, key)}")


# -- COPY text format ------------------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": ""})
_NEEDS_ESCAPE = re.compile("[\\\\\n\r\t\x00]")


def copy_text(value: str) -> str:
    """A string in COPY's text format."""
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def copy_value(value: Any) -> str:
    """One value in COPY's text format (NULL as \\N)."""
    kind = type(value)
    if kind is str:
        return copy_text(value)
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return _array_literal(value).translate(_COPY_ESCAPES)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return copy_text(str(value))


def _array_literal(values: Sequence[Any]) -> str:
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
        elif isinstance(v, (int, float)):
            out.append(str(v))
        else:
            out.append('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(out) + "}"


class CopyBuffer:
    """Rows for ``COPY table (columns) FROM STDIN`` sent in batches of about ``limit`` bytes."""

    def __init__(
        self, con: pg8000.native.Connection, table: str, columns: Sequence[str], limit: int = 8 << 20
    ):
        self.con = con
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.limit = limit
        self._parts: list[str] = []
        self._size = 0

    def add(self, *values: Any) -> None:
        self.add_line("\t".join(copy_value(v) for v in values) + "\n")

    def add_line(self, line: str) -> None:
        """A row already in COPY's text format (ending with a newline)."""
        self._parts.append(line)
        self._size += len(line)
        if self._size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            data = "".join(self._parts).encode("utf-8")
            self._parts, self._size = [], 0
            self.con.run(self.sql, stream=_pieces(data))


def _pieces(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    """COPY data in pieces (pg8000 sends each as one CopyData message)."""
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield bytes(view[start : start + size])


# -- arrays as bytea -------------------------------------------------------------------------------------------


def pack(array: np.ndarray) -> bytes:
    """A numpy array as compressed bytes (dtype and shape travel in a small header)."""
    head = json.dumps({"dtype": array.dtype.str, "shape": list(array.shape)}).encode()
    return len(head).to_bytes(4, "little") + head + zlib.compress(np.ascontiguousarray(array).tobytes(), 1)


def unpack(data: bytes) -> np.ndarray:
    size = int.from_bytes(data[:4], "little")
    head = json.loads(data[4 : 4 + size])
    raw = zlib.decompress(data[4 + size :])
    return np.frombuffer(raw, dtype=np.dtype(head["dtype"])).reshape(head["shape"])


def pack_json(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 1)


def unpack_json(data: bytes) -> Any:
    return json.loads(zlib.decompress(data))


class ThreadConnections:
    """One connection per thread to ``url`` (made on first use), all of them closed by ``close_all``: what the
    search engine and the knowledge base of a web process hold."""

    def __init__(self, url: str, application: str) -> None:
        self.url = url
        self.application = application
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Any] = []

    def get(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is None:
            con, _ = connect(self.url, application=self.application)
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def drop(self) -> None:
        """Close this thread's connection (after a transient failure: the next ``get`` makes a new one)."""
        con = getattr(self._local, "con", None)
        self._local.con = None
        if con is not None:
            with self._lock:
                if con in self._all:
                    self._all.remove(con)
            with contextlib.suppress(Exception):
                con.close()

    def close_all(self) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for con in connections:
            with contextlib.suppress(Exception):
                con.close()
        self._local = threading.local()
