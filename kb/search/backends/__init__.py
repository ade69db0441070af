"""Where the knowledge base lives: a choice of backend, behind two read interfaces.

* **Whoosh** (the default): the generation's JSON and its Whoosh index under the index folder
  (``kb.store.knowledge.KnowledgeBase`` + ``kb.search.engine.SearchEngine``).
* **PostgreSQL** (``--backend postgresql://…`` or ``POLICYKB_BACKEND``): the knowledge and the hits in tables
  (``kb.search.backends.postgresql``); readers need only the database, so several web processes on several
  servers (or read replicas) answer alike.

``open_backend(spec, index_dir)`` gives a ``Backend``: ``live()`` names the live generation, ``open()`` returns a
``KnowledgeReader`` and a ``SearchBackend`` pinned to it (the site reopens both when ``live()`` changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kb.search.engine import SearchBackend, SearchEngine
from kb.store.generations import StoreError, current_generation
from kb.store.knowledge import KnowledgeBase, KnowledgeReader

WHOOSH = "whoosh"


def is_postgresql(spec: str | None) -> bool:
    return bool(spec) and str(spec).startswith(("postgresql://", "postgres://"))


def check_spec(spec: str | None) -> str | None:
    """The backend named by ``--backend``/``POLICYKB_BACKEND``: None for Whoosh, else the database URL; a
    ``ValueError`` (for the user) for anything else."""
    if spec is None or not str(spec).strip() or str(spec).strip() == WHOOSH:
        return None
    spec = str(spec).strip()
    if is_postgresql(spec):
        return spec
    raise ValueError(
        f"未知的后端 unknown backend {spec!r}：请使用 whoosh 或 postgresql://用户@主机:端口/数据库"
        " (use whoosh or postgresql://user@host:port/database)"
    )


class Backend(Protocol):
    def live(self) -> str | None: ...
    def open(self) -> tuple[KnowledgeReader, SearchBackend]: ...


class WhooshBackend:
    """The generation directories under ``index_dir`` (``CURRENT``)."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)

    def live(self) -> str | None:
        generation = current_generation(self.index_dir)
        return generation.resolve().name if generation is not None else None

    def open(self) -> tuple[KnowledgeReader, SearchBackend]:
        kb = KnowledgeBase.open(self.index_dir)
        return kb, SearchEngine(
            self.index_dir, generation=kb.generation, validity_evidence=kb.validity_evidence
        )


class PostgresBackend:
    """A knowledge base in the PostgreSQL database at ``url`` (a primary or a read replica)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def live(self) -> str | None:
        from kb.search.backends.postgresql import sql
        from kb.search.backends.postgresql.writer import live_generation

        try:
            con, _ = sql.connect(self.url, application="policykb live")
        except sql.DatabaseError:
            return None
        try:
            live = live_generation(con)
        except Exception:  # no tables yet (nothing built), or a replica catching up
            return None
        finally:
            con.close()
        return live[1] if live else None

    def open(self) -> tuple[KnowledgeReader, SearchBackend]:
        from kb.search.backends.postgresql.engine import PostgresSearchEngine
        from kb.search.backends.postgresql.knowledge import PostgresKnowledgeBase

        kb = PostgresKnowledgeBase(self.url)
        try:
            engine = PostgresSearchEngine(
                self.url, generation=kb.generation_name, validity_evidence=kb.validity_evidence
            )
        except BaseException:
            kb.close()
            raise
        return kb, engine


def open_backend(spec: str | None, index_dir: Path) -> Backend:
    url = check_spec(spec)
    return PostgresBackend(url) if url else WhooshBackend(index_dir)


def open_reader(spec: str | None, index_dir: Path) -> KnowledgeReader:
    """The live generation's read API (CLI commands); ``StoreError`` when nothing is built."""
    url = check_spec(spec)
    if url is None:
        return KnowledgeBase.open(index_dir)
    from kb.search.backends.postgresql import sql
    from kb.search.backends.postgresql.knowledge import PostgresKnowledgeBase

    try:
        return PostgresKnowledgeBase(url)
    except sql.DatabaseError as exc:
        raise StoreError(str(exc)) from exc


def open_search(spec: str | None, index_dir: Path) -> SearchBackend:
    """A search engine that follows the live generation (CLI commands)."""
    url = check_spec(spec)

    def evidence() -> dict[str, str]:  # what other documents say of a document's validity, as on the site
        reader = open_reader(spec, index_dir)
        try:
            return reader.validity_evidence()
        finally:
            reader.close()

    if url is None:
        return SearchEngine(index_dir, validity_evidence=evidence)
    from kb.search.backends.postgresql import sql
    from kb.search.backends.postgresql.engine import PostgresSearchEngine

    try:
        return PostgresSearchEngine(url, validity_evidence=evidence)
    except sql.DatabaseError as exc:
        raise StoreError(str(exc)) from exc
