"""Step 1b of a build: decide from the live generation's manifest what to reuse and what to (re)analyse.

A change of the analyzer, of any configuration file (``kb.config``), of the link overrides or of the extraction
rules means a full rebuild; a staff decision (``curation.jsonl``, ``kb.store.curation``) re-analyses only the
document it names. A file rejected for a reason of the machine (a worker that died, memory, the deadline: see
``kb.build.workers``) is analysed again by the next build; a file rejected for its own content stays rejected until
it changes.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.build.report import BuildReport
from kb.build.scan import CURATION_FILE, OVERRIDES_FILE, SourceFile, assign_ids
from kb.config import config_fingerprint
from kb.extract.curation import Decision
from kb.extract.links import LinkOverrides, load_overrides
from kb.extract.pipeline import PIPELINE_VERSION
from kb.search import analysis
from kb.store import curation as curation_file
from kb.store.generations import current_generation, read_json


@dataclass(frozen=True)
class Job:
    """One file to read and analyse."""

    folder: str
    path: str
    relative: str  # as people read it (kb.build.scan.display_name)
    doc_id: str
    digest: str

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.relative}"


def fingerprint(overrides_digest: str, config_digest: str | None = None) -> str:
    """What must be equal for a build to reuse the live generation's analyses."""
    parts = [
        PIPELINE_VERSION,
        analysis.fingerprint(),
        config_digest or config_fingerprint(),
        overrides_digest,
    ]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def load_link_overrides(folders: Iterable[Path]) -> tuple[dict[Path, LinkOverrides], str, list[str]]:
    overrides: dict[Path, LinkOverrides] = {}
    digest = hashlib.sha1()
    problems: list[str] = []
    for folder in folders:
        path = folder.resolve() / OVERRIDES_FILE
        if path.is_file():
            digest.update(path.read_bytes())
            try:
                overrides[folder.resolve()] = load_overrides(path)
            except Exception as exc:  # a bad overrides file must not stop the build
                problems.append(f"{path}: {exc}")
    return overrides, digest.hexdigest(), problems


@dataclass
class BuildPlan:
    previous: Path | None
    prev_manifest: dict[str, Any]
    prev_catalog: dict[str, Any]
    manifest: dict[str, Any]  # key -> {digest, doc_id, relative[, rejected]}
    jobs: list[Job]
    reuse: dict[str, str]  # key -> doc id reused from the previous generation
    old_ids: set[str]
    new_ids: set[str]
    series_digest: str = ""  # of the series decisions (kb.store.curation.series_digest)
    series_changed: bool = False

    @property
    def full(self) -> bool:
        return not self.prev_manifest

    @property
    def nothing_changed(self) -> bool:
        return (
            not self.jobs
            and not self.full
            and not (self.old_ids - self.new_ids)
            and not self.series_changed
            and self.previous is not None
        )


def _previous_generation(
    index_dir: Path, stamp: str, force: bool
) -> tuple[Path | None, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The live generation, its manifest (for the ids it gave), and the manifest and catalog to reuse: empty
    when the build is forced, the rules changed (``stamp``) or the generation cannot be read."""
    previous = current_generation(index_dir)
    prev_manifest: dict[str, Any] = {}
    prev_catalog: dict[str, Any] = {}
    known_ids: dict[str, Any] = {}
    if previous is not None:
        with contextlib.suppress(OSError, ValueError):
            known_ids = read_json(previous / "manifest.json")
            if not force and read_json(previous / "meta.json").get("fingerprint") == stamp:
                prev_manifest = known_ids
                prev_catalog = read_json(previous / "catalog.json")
    return previous, known_ids, prev_manifest, prev_catalog


def _unchanged(old: Mapping[str, Any], source: SourceFile, doc_id: str, curated: str) -> bool:
    """The previous manifest entry still holds: same content, id and decisions, not rejected for a transient
    reason (rejected for a reason of the machine: try again)."""
    return (
        old.get("digest") == source.digest
        and old.get("doc_id") == doc_id
        and old.get("curation", "") == curated
        and not old.get("transient")
    )


def _rejected_unread(source: SourceFile, seen_digests: dict[str, str], report: BuildReport) -> bool:
    """Reject a file that could not be read, or whose content an earlier file has (``seen_digests``: digest ->
    the file shown; this file's is added when it is kept)."""
    if source.digest.startswith("unreadable:"):
        report.reject(source.shown, "无法读取 " + source.digest[len("unreadable:") :])
        return True
    if source.digest in seen_digests:
        report.reject(source.shown, f"与 {seen_digests[source.digest]} 内容相同（重复文件）duplicate content")
        return True
    seen_digests[source.digest] = source.shown
    return False


def _warn_missing_documents(
    curation: Mapping[str, tuple[Decision, ...]], new_ids: set[str], report: BuildReport
) -> None:
    for doc_id in sorted(set(curation) - new_ids):
        seqs = "、".join(f"#{d.seq}" for d in curation[doc_id])
        report.warnings.append(
            f"{CURATION_FILE}: 决定 {seqs} 所属文件 {doc_id} 不在文档文件夹中 decisions name a document not found"
        )


def plan_build(
    files: list[SourceFile],
    index_dir: Path,
    stamp: str,
    report: BuildReport,
    *,
    force: bool = False,
    curation: dict[str, tuple[Decision, ...]] | None = None,
) -> BuildPlan:
    """Decide what to reuse and what to (re)analyse; fills the report's rejections, removals and notes.

    ``curation`` (staff decisions by document id, ``kb.store.curation``) counts in each document's entry: a
    document whose decisions changed is re-analysed, the others are reused; a change of the series decisions
    (``curation_file.SERIES``) only makes the catalog step run again.
    """
    curation = dict(curation or {})
    series = curation.pop(curation_file.SERIES, ())
    previous, known_ids, prev_manifest, prev_catalog = _previous_generation(index_dir, stamp, force)
    ids, notes = assign_ids(files, known_ids)
    report.warnings.extend(notes)

    manifest: dict[str, Any] = {}
    jobs: list[Job] = []
    reuse: dict[str, str] = {}
    seen_digests: dict[str, str] = {}
    for source in files:
        doc_id = ids[source.key]
        if _rejected_unread(source, seen_digests, report):
            continue
        old = prev_manifest.get(source.key)
        decisions = curation.get(doc_id, ())
        curated = curation_file.document_digest(decisions) if decisions else ""
        if old and _unchanged(old, source, doc_id, curated):
            manifest[source.key] = old
            if old.get("rejected"):
                report.reject(source.shown, old["rejected"])
            else:
                reuse[source.key] = doc_id
            continue
        jobs.append(Job(str(source.folder), str(source.path), source.shown, doc_id, source.digest))
        manifest[source.key] = {"digest": source.digest, "doc_id": doc_id, "relative": source.shown}
        if decisions:
            manifest[source.key] |= {"curation": curated, "curation_seq": max(d.seq for d in decisions)}

    old_ids = {v["doc_id"] for v in prev_manifest.values() if not v.get("rejected")}
    new_ids = {v["doc_id"] for v in manifest.values()}
    _warn_missing_documents(curation, new_ids, report)
    report.full = not prev_manifest
    report.removed = len(old_ids - new_ids)
    report.unchanged = len(reuse)
    digest = curation_file.series_digest(series)
    changed = digest != prev_catalog.get("meta", {}).get("curation_series", "")
    return BuildPlan(
        previous, prev_manifest, prev_catalog, manifest, jobs, reuse, old_ids, new_ids, digest, changed
    )
