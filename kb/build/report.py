"""What a build tells its caller: the counts, the rejected files with their reasons, warnings, exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.store.generations import StoreError

EXIT_OK = 0
EXIT_REJECTED = 1  # built, but some files were refused (each named with its reason)
EXIT_LOCKED = 3  # another build holds the lock: nothing was done
EXIT_FAILED = 4  # the build failed (disk full, memory…): the live index is unchanged


class BuildError(StoreError):
    """A build that could not finish; the message says what happened and what to do. The old index stays."""


@dataclass
class BuildReport:
    documents: int = 0
    measures: int = 0
    targets: int = 0
    results: int = 0
    links: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    full: bool = False
    published: bool = False
    generation: str = ""
    seconds: float = 0.0
    chars: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per build phase (for bench/)

    COUNTS = ("documents", "measures", "targets", "results", "links")

    @property
    def exit_code(self) -> int:
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def reject(self, source: str, reason: str) -> None:
        self.rejected.append({"source": source, "reason": reason})

    def counts(self) -> dict[str, object]:
        """The figures the workspace shows (``index/status.json``)."""
        keys = (*self.COUNTS, "added", "changed", "removed", "unchanged")
        return {k: getattr(self, k) for k in keys} | {
            "full": self.full,
            "published": self.published,
            "generation": self.generation,
            "seconds": round(self.seconds, 2),
            "warnings": self.warnings,
        }

    def summary(self) -> str:
        mode = "全量构建 full build" if self.full else "增量构建 incremental build"
        if not self.published:
            mode = "无变化 nothing changed"
        return (
            f"{mode}: {self.documents} 个文件 documents, {self.measures} 条措施 measures, "
            f"{self.targets} 个目标 targets, {self.results} 项实绩 results, {self.links} 个关联 links; "
            f"新增 {self.added} / 更新 {self.changed} / 删除 {self.removed} / 未变 {self.unchanged}; "
            f"拒收 rejected {len(self.rejected)}; {self.seconds:.1f} s"
        )
