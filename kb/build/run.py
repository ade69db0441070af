"""The whole build: plan → analyse → write → publish (``kb.build``'s docstring), under the build lock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from kb.build.plan import fingerprint, load_link_overrides, plan_build
from kb.build.publish import publish_generation
from kb.build.report import BuildReport
from kb.build.scan import hash_files, scan
from kb.build.status import BuildStatus
from kb.build.write import write_generation
from kb.extract.pipeline import Extraction, load_extraction
from kb.search.whoosh import patches as whoosh_patches
from kb.store import curation as curation_file
from kb.store.generations import build_lock, remove_stale


def build(
    folders: list[Path],
    index_dir: Path,
    *,
    procs: int | None = None,
    quiet: bool = False,
    wait: float = 0.0,
    force: bool = False,
    log: Callable[[str], None] | None = None,
    extraction: Extraction | None = None,
) -> BuildReport:
    """Build or update ``index_dir`` from ``folders``: plan → analyse → write → publish (module docstring).

    Raises ``BuildLocked`` when another build holds the lock and ``BuildError`` when the build fails.
    """
    started = time.monotonic()
    procs = procs or min(2, os.cpu_count() or 1)
    whoosh_patches.install()
    report = BuildReport()
    say = log or (lambda _msg: None)
    index_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(index_dir, wait=wait):
        status = BuildStatus(index_dir, 0)
        try:
            return _build_locked(
                folders, index_dir, procs, quiet, force, say, extraction, report, status, started
            )
        except BaseException as exc:  # the workspace shows a failed build as failed, with its message
            status.finish(report, str(exc) or type(exc).__name__)
            raise


def _build_locked(
    folders: list[Path],
    index_dir: Path,
    procs: int,
    quiet: bool,
    force: bool,
    say: Callable[[str], None],
    extraction: Extraction | None,
    report: BuildReport,
    status: BuildStatus,
    started: float,
) -> BuildReport:
    remove_stale(index_dir)
    extraction = extraction or load_extraction()
    overrides, overrides_digest, problems = load_link_overrides(folders)
    report.warnings.extend(problems)
    curation, curation_problems = curation_file.load(folders)
    report.warnings.extend(curation_problems)
    status.update("scan", 0, force=True)
    files, refused = scan(folders)
    report.rejected.extend(refused)
    hash_files(files)
    stamp = fingerprint(overrides_digest)
    plan = plan_build(files, index_dir, stamp, report, force=force, curation=curation)
    report.phases["scan+hash"] = time.monotonic() - started
    if plan.nothing_changed:
        stats = plan.prev_catalog.get("meta", {})
        for key in BuildReport.COUNTS:
            setattr(report, key, stats.get(key, 0))
        report.generation = plan.previous.name if plan.previous else ""
        report.seconds = time.monotonic() - started
        status.finish(report)
        return report

    say(f"{len(plan.jobs)} 个文件待分析 files to analyse, {len(plan.reuse)} 个未变 unchanged")
    status.total = len(plan.jobs)
    status.update("analyse", 0, force=True)
    tmp, name, catalog = write_generation(
        plan,
        index_dir,
        procs,
        extraction,
        overrides,
        report,
        quiet=quiet,
        status=status,
        started=started,
        curation=curation,
    )
    final = publish_generation(index_dir, tmp, name, stamp, catalog)
    report.published = True
    report.generation = final.name
    report.seconds = time.monotonic() - started
    report.phases["catalog+publish"] = report.seconds - sum(report.phases.values())
    status.finish(report)
    return report
