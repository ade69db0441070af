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
from kb.build.workers import analyse_files
from kb.extract.curation import Decision
from kb.extract.links import LinkOverrides
from kb.extract.pipeline import Extraction
from kb.model import DocumentKB
from kb.search import schema as indexing
from kb.search.whoosh import patches as whoosh_patches
from kb.search.whoosh.writer import link_or_copy, open_writer
from kb.store.codec import kb_from_dict
from kb.store.curation import SERIES
from kb.store.generations import GEN_PREFIX, TMP_PREFIX, write_json

INDICATORS_FILE = "indicators.json"
MANY_DOCUMENTS = 50  # above this a fresh index is written by several sub-writers


def _open_writer(plan: BuildPlan, whoosh_dir: Path, procs: int) -> Any:
    if plan.full or plan.previous is None:
        return open_writer(whoosh_dir, procs, previous=None, many=len(plan.jobs) > MANY_DOCUMENTS)
    gone = (plan.old_ids - set(plan.reuse.values())) | (plan.old_ids - plan.new_ids)
    return open_writer(whoosh_dir, procs, previous=plan.previous, many=False, delete=gone)


def failure(exc: BaseException, tmp: Path) -> BuildError:
    """The user-facing message for a build that failed while writing ``tmp``."""
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        return BuildError(
            "内存不足，构建已中止；原有索引保持不变。请关闭其他程序，或设置较小的 POLICYKB_WRITER_MB 后重试。"
            " Out of memory: the build stopped and the live index is unchanged; free memory or set a smaller"
            " POLICYKB_WRITER_MB and try again."
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
) -> tuple[Path, str, dict[str, Any]]:
    """Analyse the plan's jobs and write a complete generation aside; return (its temp dir, its name, catalog)."""
    started = started if started is not None else time.monotonic()
    name = GEN_PREFIX + datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    tmp = index_dir / (TMP_PREFIX + name)
    docs_dir = tmp / "docs"
    new_kbs: dict[str, DocumentKB] = {}
    bar = progress_bar(len(plan.jobs), quiet)
    writer = None
    try:
        docs_dir.mkdir(parents=True)
        # Reuse the unchanged documents' JSON (hard links: the old generation is never modified).
        if plan.previous is not None:
            for doc_id in plan.reuse.values():
                link_or_copy(plan.previous / "docs" / f"{doc_id}.json", docs_dir / f"{doc_id}.json")
        writer = _open_writer(plan, tmp / "whoosh", procs)
        done = 0
        for analysed in analyse_files(plan.jobs, procs, extraction, overrides, curation=curation):
            entry = plan.manifest[analysed.key]
            done += 1
            if "curation" in entry:
                entry["curation_stale"] = analysed.stale
            if analysed.data is None:
                entry["rejected"] = analysed.reason
                if analysed.transient:
                    entry["transient"] = True
                report.reject(entry["relative"], analysed.reason)
            else:
                report.chars += analysed.chars
                dkb = kb_from_dict(analysed.data)
                write_json(docs_dir / f"{dkb.document.id}.json", analysed.data)
                for hit in indexing.hits(dkb):
                    writer.add_document(**hit)
                dkb.document.text = ""  # the catalog holds metadata only
                dkb.outline = []
                new_kbs[dkb.document.id] = dkb
                if entry["doc_id"] in plan.old_ids:
                    report.changed += 1
                else:
                    report.added += 1
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
        failed = whoosh_patches.failed_subwriters(writer)
        writer = None
        if failed:
            code = errno.ENOSPC if errno.ENOSPC in failed else errno.ENOMEM if errno.ENOMEM in failed else 0
            raise OSError(code or errno.EIO, f"index sub-writer exited with {failed}")
        report.phases["commit"] = time.monotonic() - started - sum(report.phases.values())
        catalog = make_catalog(plan.prev_catalog, set(plan.reuse.values()), new_kbs, extraction, report)
        catalog["meta"]["curation_series"] = plan.series_digest
        report.warnings.extend(check_link_overrides(overrides, plan.manifest, catalog))
        write_json(tmp / "catalog.json", catalog)
        indicators_started = time.monotonic()
        series_decisions = (curation or {}).get(SERIES, ())
        write_json(tmp / INDICATORS_FILE, indicator_series(catalog, extraction, report, series_decisions))
        report.phases["indicators"] = time.monotonic() - indicators_started
        write_json(tmp / "manifest.json", plan.manifest)
        return tmp, name, catalog
    except BaseException as exc:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, (OSError, MemoryError)):
            raise failure(exc, tmp) from exc
        raise
    finally:
        if bar is not None:
            bar.close()
