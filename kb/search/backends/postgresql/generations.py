"""Generations in PostgreSQL after the build: ``publish`` (the ``live`` row replaced in one transaction), retiring
old generations and the segments no generation uses, and dropping what a killed build left behind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.search.backends.postgresql import sql
from kb.store.generations import StoreError


def publish(url: str, name: str, keep: int = 2) -> None:
    """Make the ready generation ``name`` live in one transaction, then retire all but the ``keep`` newest ready
    generations (readers of the previous one go on until they reopen) and drop unreferenced segments."""
    con, _ = sql.connect(url, application="policykb publish")
    try:
        row = con.run("SELECT id FROM generations WHERE name = :n AND state = 'ready'", n=name)
        if not row:
            raise sql.DatabaseError(f"generation {name} is not ready in the database")
        gid = int(row[0][0])
        con.run("BEGIN")
        con.run(
            "INSERT INTO live (one, generation) VALUES (true, :g)"
            " ON CONFLICT (one) DO UPDATE SET generation = :g, published_at = now()",
            g=gid,
        )
        con.run("COMMIT")
        retire(con, keep)
    finally:
        con.close()


def live_generation(con: Any) -> tuple[int, str] | None:
    row = sql.run_prepared(con, "SELECT g.id, g.name FROM live l JOIN generations g ON g.id = l.generation")
    return (int(row[0][0]), str(row[0][1])) if row else None


def open_generation(con: Any, generation: str | None = None) -> tuple[int, str]:
    """(id, name) of the live generation, or of the ready generation named ``generation``; a ``StoreError`` that
    says what to do when there is none."""
    if generation is not None:
        row = con.run("SELECT id FROM generations WHERE name = :n AND state = 'ready'", n=generation)
        if not row:
            raise StoreError(f"generation {generation} not in the database")
        return int(row[0][0]), generation
    try:
        live = live_generation(con)
    except Exception as exc:  # no tables: nothing was ever built into this database
        raise StoreError(f"数据库中没有知识库表 no knowledge base tables in the database: {exc}") from exc
    if live is None:
        raise StoreError(
            "数据库中还没有已发布的索引：请先运行 `policykb build --backend …`。"
            " No published generation in the database: run `policykb build --backend …` first."
        )
    return live


def retire(con: Any, keep: int = 2) -> None:
    """Drop the ready generations older than the ``keep`` newest (never the live one) and the segments no
    remaining generation uses."""
    live = live_generation(con)
    rows = con.run("SELECT id FROM generations WHERE state = 'ready' ORDER BY id DESC")
    for (gid,) in rows[keep:]:
        if live is not None and int(gid) == live[0]:
            continue
        drop_generation(con, int(gid))
    used = {int(s) for (segs,) in con.run("SELECT segments FROM generations") for s in segs}
    for (sid,) in con.run("SELECT id FROM segments"):
        if int(sid) not in used and not con.run(
            "SELECT 1 FROM generations WHERE state = 'building' AND id = (SELECT generation FROM segments WHERE id = :s)",
            s=int(sid),
        ):
            sql.drop_partitions(con, sql.SEGMENT_TABLES, int(sid))
            con.run("DELETE FROM segments WHERE id = :s", s=int(sid))


def drop_generation(con: Any, gid: int, own_segments: Iterable[int] = ()) -> None:
    sql.drop_partitions(con, sql.GENERATION_TABLES, gid)
    for sid in own_segments:
        sql.drop_partitions(con, sql.SEGMENT_TABLES, sid)
        con.run("DELETE FROM segments WHERE id = :s", s=int(sid))
    con.run("DELETE FROM generations WHERE id = :g", g=gid)


def drop_unfinished(con: Any) -> list[str]:
    """Drop the generations a killed build left in state ``building`` (the caller holds the build lock, so no
    build is writing them) with their own segments."""
    dropped = []
    for gid, name in con.run("SELECT id, name FROM generations WHERE state = 'building'"):
        own = [int(s) for (s,) in con.run("SELECT id FROM segments WHERE generation = :g", g=int(gid))]
        drop_generation(con, int(gid), own)
        dropped.append(str(name))
    return dropped
