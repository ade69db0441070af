"""Step 3 of a build: a complete new generation aside (``.tmp-gen-*``): the JSON knowledge and the search index made
from it; unchanged documents are hard-linked from the live generation (never modified).

A failure (a full disk, memory) removes the half-written generation and raises ``BuildError`` with what happened
and what to do; the live generation is never touched.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from kb.build.catalog import check_link_overrides, indicator_series, make_catalog
from kb.build.plan import BuildPlan
from kb.build.report import BuildError, BuildReport
from kb.build.status import BuildStatus, progress_bar
from kb.build.workers import Analysed, analyse_files
from kb.extract.curation import Decision
from kb.extract.links import LinkOverrides
from kb.extract.pipeline import Extraction
from kb.model import DocumentKB
from kb.search.whoosh.writer import WhooshIndex, link_or_copy, open_writer
from kb.store.codec import kb_from_dict
from kb.store.curation import SERIES
from kb.store.generations import GEN_PREFIX, TMP_PREFIX, read_json, write_json

INDICATORS_FILE = "indicators.json"
MANY_DOCUMENTS = 50  # above this a fresh index is written by several sub-writers


def _open_writer(plan: BuildPlan, whoosh_dir: Path, procs: int) -> Any:
    if plan.full or plan.previous is None or not (plan.previous / "whoosh").is_dir():
        # A fresh index gets the reused documents too (from their JSON, when the previous has no Whoosh index).
        many = len(plan.jobs) + len(plan.reuse) > MANY_DOCUMENTS
        return open_writer(whoosh_dir, procs, previous=None, many=many)
    gone = (plan.old_ids - set(plan.reuse.values())) | (plan.old_ids - plan.new_ids)
    return open_writer(whoosh_dir, procs, previous=plan.previous, many=False, delete=gone)


def open_index(plan: BuildPlan, tmp: Path, name: str, procs: int, backend: str | None) -> Any:
    """The search index of the new generation: Whoosh inside it, or (``backend``, a database URL) PostgreSQL's
    tables. The unchanged documents come from the previous index, else from their JSON."""
    if backend is None:
        index: Any = WhooshIndex(_open_writer(plan, tmp / "whoosh", procs))
        shared = not plan.full and plan.previous is not None and (plan.previous / "whoosh").is_dir()
    else:
        from kb.search.backends.postgresql.writer import PostgresWriter

        index = PostgresWriter(backend, name, procs)
        shared = index.reuse(plan.previous.name if plan.previous else None, plan.reuse.values())
    if not shared and plan.previous is not None:
        for doc_id in sorted(plan.reuse.values()):
            data = read_json(plan.previous / "docs" / f"{doc_id}.json")
            index.add(kb_from_dict(data), data)
    return index


def failure(exc: BaseException, tmp: Path) -> BuildError:
    """The user-facing message for a build that failed while writing ``tmp``."""
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        return BuildError(
            "内存不足，构建已中止；原有索引保持不变。请关闭其他程序，或设置较小的 POLICYKB_WRITER_MB 后重试。"
            " Out of memory: the build stopped and the live index is unchanged; free memory or set a smaller"
            " POLICYKB_WRITER_MB and try again."
        )
    if type(exc).__name__ == "DatabaseError":  # the database is unreachable, locked or refused a statement
        return BuildError(
            f"数据库错误，构建已中止；已发布的索引保持不变。 Database error, live index unchanged: {exc}"
        )
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return BuildError(
            f"磁盘空间不足（{tmp.parent}），构建已中止；原有索引保持不变。全量构建约需索引大小两倍的空闲空间。"
            f" Disk full under {tmp.parent}: the build stopped and the live index is unchanged; a full rebuild"
            " needs about twice the index size free."
        )
    return BuildError(
        f"构建失败，原有索引保持不变 build failed, live index unchanged: {type(exc).__name__}: {exc}"
    )


def write_generation(
    plan: BuildPlan,
    index_dir: Path,
    procs: int,
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    report: BuildReport,
    *,
    quiet: bool = True,
    status: BuildStatus | None = None,
    started: float | None = None,
    curation: dict[str, tuple[Decision, ...]] | None = None,
    backend: str | None = None,
) -> tuple[Path, str, dict[str, Any]]:
    """Analyse the plan's jobs and write a complete generation aside; return (its temp dir, its name, catalog).
    With ``backend`` (a database URL) the search index and a copy of the knowledge go to PostgreSQL."""
    started = started if started is not None else time.monotonic()
    name = GEN_PREFIX + datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    tmp = index_dir / (TMP_PREFIX + name)
    docs_dir = tmp / "docs"
    new_kbs: dict[str, DocumentKB] = {}
    bar = progress_bar(len(plan.jobs), quiet)
    writer = None
    try:
        docs_dir.mkdir(parents=True)
        _link_reused(plan, docs_dir)
        writer = open_index(plan, tmp, name, procs, backend)
        done = 0
        for analysed in analyse_files(plan.jobs, procs, extraction, overrides, curation=curation):
            done += 1
            _add_analysed(analysed, plan, docs_dir, writer, new_kbs, report)
            if bar is not None:
                bar.update(1)
            if status is not None:
                status.update("analyse", done)
        report.phases["analyse+add"] = time.monotonic() - started - sum(report.phases.values())
        if bar is not None:
            bar.set_description("写入索引 writing the index")
            bar.refresh()
        if status is not None:
            status.update("commit", done, force=True)
        writer.commit()
        report.phases["commit"] = time.monotonic() - started - sum(report.phases.values())
        catalog = _write_catalog(tmp, plan, new_kbs, extraction, overrides, report, curation)
        writer.finish(tmp)
        writer.close()
        return tmp, name, catalog
    except BaseException as exc:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, (OSError, MemoryError)) or type(exc).__name__ == "DatabaseError":
            raise failure(exc, tmp) from exc
        raise
    finally:
        if bar is not None:
            bar.close()


def _link_reused(plan: BuildPlan, docs_dir: Path) -> None:
    """Reuse the unchanged documents' JSON (hard links: the old generation is never modified)."""
    if plan.previous is not None:
        for doc_id in plan.reuse.values():
            link_or_copy(plan.previous / "docs" / f"{doc_id}.json", docs_dir / f"{doc_id}.json")


def _add_analysed(
    analysed: Analysed,
    plan: BuildPlan,
    docs_dir: Path,
    writer: Any,
    new_kbs: dict[str, DocumentKB],
    report: BuildReport,
) -> None:
    """One analysed file into the generation: its JSON, the index and the catalog's documents (metadata only);
    or its rejection, into its manifest entry and the report."""
    entry = plan.manifest[analysed.key]
    if "curation" in entry:
        entry["curation_stale"] = analysed.stale
    if analysed.data is None:
        entry["rejected"] = analysed.reason
        if analysed.transient:
            entry["transient"] = True
        report.reject(entry["relative"], analysed.reason)
        return
    report.chars += analysed.chars
    dkb = kb_from_dict(analysed.data)
    write_json(docs_dir / f"{dkb.document.id}.json", analysed.data)
    writer.add(dkb, analysed.data)
    dkb.document.text = ""  # the catalog holds metadata only
    dkb.outline = []
    new_kbs[dkb.document.id] = dkb
    if entry["doc_id"] in plan.old_ids:
        report.changed += 1
    else:
        report.added += 1


def _write_catalog(
    tmp: Path,
    plan: BuildPlan,
    new_kbs: dict[str, DocumentKB],
    extraction: Extraction,
    overrides: dict[Path, LinkOverrides],
    report: BuildReport,
    curation: dict[str, tuple[Decision, ...]] | None,
) -> dict[str, Any]:
    """The generation's catalog, indicator series and manifest, written into ``tmp``; returns the catalog."""
    catalog = make_catalog(plan.prev_catalog, set(plan.reuse.values()), new_kbs, extraction, report)
    catalog["meta"]["curation_series"] = plan.series_digest
    report.warnings.extend(check_link_overrides(overrides, plan.manifest, catalog))
    write_json(tmp / "catalog.json", catalog)
    indicators_started = time.monotonic()
    series_decisions = (curation or {}).get(SERIES, ())
    write_json(tmp / INDICATORS_FILE, indicator_series(catalog, extraction, report, series_decisions))
    report.phases["indicators"] = time.monotonic() - indicators_started
    write_json(tmp / "manifest.json", plan.manifest)
    return catalog
