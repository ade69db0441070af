"""The build never loses, hides or hangs on data (issues 11 and 17): ids, configuration, hostile files, crashes.

Each test reproduces a reported failure on the real build and would fail before its fix.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED

from kb import config
from kb.build import EXIT_FAILED, EXIT_LOCKED, BuildError, BuildReport, build
from kb.build import workers as build_workers
from kb.store.generations import build_lock, current_generation
from kb.store.knowledge import KnowledgeBase

SEED_TEXT = SEED.read_text(encoding="utf-8")
OTHER_PLAN = "某区2020年科技工作要点\n\n一、主要目标\n发明专利申请量达到800件。\n二、主要措施\n（一）加强知识产权保护。\n"


def run(docs: Path | list[Path], index: Path, **kwargs: object) -> BuildReport:
    folders = docs if isinstance(docs, list) else [docs]
    return build(folders, index, procs=1, quiet=True, **kwargs)  # type: ignore[arg-type]


# -- issue 11, bug 1: same-named files


def test_same_named_files_in_two_folders_are_two_documents_with_stable_ids(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "b").mkdir()
    (docs / "a" / "plan.txt").write_text(SEED_TEXT, encoding="utf-8")
    (docs / "b" / "plan.txt").write_text(OTHER_PLAN, encoding="utf-8")
    report = run(docs, tmp_path / "index")
    kb = KnowledgeBase.open(tmp_path / "index")
    ids = sorted(d.id for d in kb.documents())
    assert report.documents == 2 and len(ids) == 2 and "plan" in ids
    assert any("同名文件" in w for w in report.warnings)
    titles = {d.title for d in kb.documents()}
    assert titles == {"十堰市2019年科技创新工作要点", "某区2020年科技工作要点"}

    # A third same-named file never renames the two that exist; a rebuild keeps every id.
    (docs / "c").mkdir()
    (docs / "c" / "plan.txt").write_text(OTHER_PLAN.replace("800件", "900件"), encoding="utf-8")
    run(docs, tmp_path / "index")
    again = sorted(d.id for d in KnowledgeBase.open(tmp_path / "index").documents())
    assert set(ids) < set(again) and len(again) == 3
    run(docs, tmp_path / "index", force=True)
    assert sorted(d.id for d in KnowledgeBase.open(tmp_path / "index").documents()) == again


def test_a_pdf_and_a_doc_of_the_same_stem_are_both_kept(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "plan.txt").write_text(SEED_TEXT, encoding="utf-8")
    (docs / "plan.md").write_text(
        "# 某区2020年科技工作要点\n\n一、主要措施\n（一）加强知识产权保护。\n", encoding="utf-8"
    )
    run(docs, tmp_path / "index")
    assert len(KnowledgeBase.open(tmp_path / "index").documents()) == 2


# -- issue 11, bug 3: every configuration file counts


@pytest.mark.parametrize(
    "name", ["concepts.toml", "units.txt", "taxonomy.toml", "userdict.txt", "synonyms.txt"]
)
def test_editing_any_configuration_file_rebuilds_everything(tmp_path: Path, name: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    folder = tmp_path / "config"
    config.init_config(folder)
    config.use_config_dir(folder)
    try:
        run(docs, tmp_path / "index")
        assert not run(docs, tmp_path / "index").published  # nothing changed
        with open(folder / name, "a", encoding="utf-8") as handle:
            handle.write("\n# 局里加的一行 a bureau's edit\n")
        report = run(docs, tmp_path / "index")
        assert report.published and report.full
    finally:
        config.use_config_dir(None)


def test_config_init_copies_the_defaults_and_keeps_edits(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    written = config.init_config(folder)
    assert sorted(p.name for p in written) == sorted(config.CONFIG_FILES)
    (folder / "units.txt").write_text("家 count\n", encoding="utf-8")
    assert config.init_config(folder) == []
    assert (folder / "units.txt").read_text(encoding="utf-8") == "家 count\n"
    assert config.config_file("units.txt", folder) == folder / "units.txt"
    assert config.config_file("units.txt", tmp_path / "absent") == config.default_file("units.txt")


# -- issue 11, bug 4: one segmenter, one taxonomy


def test_analysis_never_loads_jiebas_global_dictionary(tmp_path: Path) -> None:
    code = (
        "import jieba\n"
        "from pathlib import Path\n"
        "from kb.readers import read\n"
        "from kb.extract.pipeline import analyse, load_extraction\n"
        f"dkb = analyse(read(Path({str(SEED)!r})), 'seed', 'seed.txt', load_extraction())\n"
        "assert dkb.links, 'no links'\n"
        "print('global-initialised', jieba.dt.initialized)\n"
    )
    env = {**os.environ, "POLICYKB_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "global-initialised False" in proc.stdout


def test_a_bureaus_taxonomy_is_the_one_the_build_uses(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "taxonomy.toml").write_text(
        'fallback = "其他事项"\n'
        '[[category]]\nname = "专利工作"\ndescription = "专利"\nstrong = ["专利", "知识产权"]\n'
        '[[category]]\nname = "其他事项"\ndescription = "兜底"\nstrong = []\n',
        encoding="utf-8",
    )
    config.use_config_dir(folder)
    try:
        run(docs, tmp_path / "index")
    finally:
        config.use_config_dir(None)
    kb = KnowledgeBase.open(tmp_path / "index")
    assert {c.name for c in kb.categories} <= {"专利工作", "其他事项"}
    assert {m.number for m in kb.measures(category="专利工作")} >= {"(六)"}


# -- issue 17.1: a killed build leaves no lock and no orphans behind


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


@pytest.mark.slow
def test_kill_9_of_a_build_frees_the_lock_and_kills_its_workers(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    body = SEED_TEXT.split("文号\n", 1)[1]
    for n in range(120):  # enough work for a pool of workers and Whoosh's sub-writers
        (docs / f"plan{n:03d}.txt").write_text(f"某市第{n}号科技工作要点\n\n" + body * 3, encoding="utf-8")
    index = tmp_path / "index"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb", "build", "--documents", str(docs), "--index", str(index), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    children: list[int] = []
    while time.monotonic() < deadline and len(children) < 2:
        time.sleep(0.2)
        children = _children(proc.pid)
    assert children, "the build started no workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    assert not any(_alive(c) for c in children), "workers outlived their build"
    with build_lock(index, wait=5):  # the next build can start at once
        pass
    assert current_generation(index) is None  # nothing half-written was published


# -- issue 17.2 / 17.3: files that are not regular files, or not ours


def test_fifos_devices_and_links_out_of_the_folder_are_refused_by_name(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    os.mkfifo(docs / "pipe.txt")
    (docs / "zero.txt").symlink_to("/dev/zero")
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    inside = docs / "sub"
    inside.mkdir()
    (inside / "alias.txt").symlink_to(docs / "seed.txt")  # a link inside the folders is fine (a duplicate)
    report = run(docs, tmp_path / "index")
    reasons = {r["source"]: r["reason"] for r in report.rejected}
    assert "不是普通文件" in reasons["pipe.txt"]
    assert "文档文件夹之外" in reasons["zero.txt"] and "文档文件夹之外" in reasons["passwd.txt"]
    assert "重复" in reasons["sub/alias.txt"]
    kb = KnowledgeBase.open(tmp_path / "index")
    assert [d.id for d in kb.documents()] == ["seed"]


def test_a_file_over_its_time_budget_is_named_and_the_rest_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    (docs / "slow.txt").write_text(OTHER_PLAN, encoding="utf-8")
    real = build_workers.analyse

    def analyse(raw, doc_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc_id == "slow":
            time.sleep(30)
        return real(raw, doc_id, *args, **kwargs)

    monkeypatch.setattr(build_workers, "analyse", analyse)
    monkeypatch.setenv("POLICYKB_FILE_SECONDS", "1")
    started = time.monotonic()
    report = run(docs, tmp_path / "index")
    assert time.monotonic() - started < 25
    reasons = {r["source"]: r["reason"] for r in report.rejected}
    assert "处理超时" in reasons["slow.txt"]
    assert [d.id for d in KnowledgeBase.open(tmp_path / "index").documents()] == ["seed"]


def test_a_repeated_plan_does_not_exhaust_the_outline(tmp_path: Path) -> None:
    """620 KB of repeated sections ended in RecursionError: nesting no longer follows the input."""
    from kb.extract.outline import MAX_DEPTH, parse_outline

    body = SEED_TEXT.split("文号\n", 1)[1]
    outline = parse_outline(body * 120, "big")

    def depth(clauses: list, level: int = 1) -> int:  # type: ignore[type-arg]
        return max((depth(c.children, level + 1) for c in clauses), default=level - 1)

    assert depth(outline) <= MAX_DEPTH


# -- issue 17.4: a full disk or no memory: a message, an exit code, the old index intact


def _make_failing_commit(exc: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    from whoosh.writing import SegmentWriter

    def commit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise exc

    monkeypatch.setattr(SegmentWriter, "commit", commit)


@pytest.mark.parametrize(
    ("exc", "words"),
    [(OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"), (MemoryError(), "内存不足")],
)
def test_a_failed_write_keeps_the_live_index_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, words: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    index = tmp_path / "index"
    run(docs, index)
    live = current_generation(index)
    (docs / "other.txt").write_text(OTHER_PLAN, encoding="utf-8")
    _make_failing_commit(exc, monkeypatch)
    with pytest.raises(BuildError, match=words):
        run(docs, index)
    assert current_generation(index) == live
    assert not list(index.glob(".tmp-gen-*"))
    status = json.loads((index / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "failed" and words in status["error"]


def test_a_disk_full_in_a_whoosh_sub_writer_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's MpWriter commits without a sub-writer that died; the build must notice and refuse."""
    from whoosh import multiproc

    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(60):  # more than 50 files: the multi-process writer
        (docs / f"plan{n:02d}.txt").write_text(
            f"某市第{n}号通知\n\n一、加强第{n}项工作。\n", encoding="utf-8"
        )

    def process_file(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(multiproc.SubWriterTask, "_process_file", process_file)
    with pytest.raises(BuildError, match="磁盘空间不足"):
        build([docs], tmp_path / "index", procs=2, quiet=True)
    assert current_generation(tmp_path / "index") is None


def test_cli_exit_codes_tell_rejected_locked_and_failed_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    index = tmp_path / "index"
    args = ["build", "--documents", str(docs), "--index", str(index), "--quiet", "--procs", "1"]
    assert main(args) == 0
    (docs / "noise.txt").write_bytes(b"\x00\x01" * 100)
    assert main(args) == 1
    with build_lock(index):
        assert main(args) == EXIT_LOCKED
    (docs / "other.txt").write_text(OTHER_PLAN, encoding="utf-8")
    _make_failing_commit(OSError(errno.ENOSPC, "No space left on device"), monkeypatch)
    assert main(args) == EXIT_FAILED


def test_cli_prints_no_traceback_when_the_disk_is_full(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    code = (
        "import errno, sys\n"
        "from whoosh.writing import SegmentWriter\n"
        "def commit(self, *a, **k): raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "SegmentWriter.commit = commit\n"
        "from kb.cli import main\n"
        f"sys.exit(main(['build', '--documents', {str(docs)!r}, '--index', {str(tmp_path / 'index')!r}, '--quiet']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_FAILED
    assert "Traceback" not in proc.stderr and "磁盘空间不足" in proc.stderr


@pytest.mark.slow
def test_a_worker_that_dies_on_a_file_costs_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash inside a native library (PDFium, say) kills the worker process: the build goes on without it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "crash.txt").write_text(OTHER_PLAN, encoding="utf-8")
    for n in range(5):
        (docs / f"plan{n}.txt").write_text(f"某市第{n}号通知\n\n一、加强第{n}项工作。\n", encoding="utf-8")
    real = build_workers.analyse

    def analyse(raw, doc_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc_id == "crash":
            os._exit(139)
        return real(raw, doc_id, *args, **kwargs)

    monkeypatch.setattr(build_workers, "analyse", analyse)
    monkeypatch.setenv("POLICYKB_FILE_SECONDS", "1")
    report = build([docs], tmp_path / "index", procs=2, quiet=True)
    reasons = {r["source"]: r["reason"] for r in report.rejected}
    assert "处理进程两次意外退出" in reasons["crash.txt"]
    assert len(KnowledgeBase.open(tmp_path / "index").documents()) == 5
    # The death was the machine's, not the file's: the next build tries the file again (and here it reads).
    monkeypatch.setattr(build_workers, "analyse", real)
    again = build([docs], tmp_path / "index", procs=2, quiet=True)
    assert not again.rejected and len(KnowledgeBase.open(tmp_path / "index").documents()) == 6


@pytest.mark.slow
def test_a_worker_killed_once_is_replaced_and_its_file_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 (as the OOM killer would) of the worker holding a file: a fresh worker analyses it, nothing is lost."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "victim.txt").write_text(OTHER_PLAN, encoding="utf-8")
    for n in range(5):
        (docs / f"plan{n}.txt").write_text(f"某市第{n}号通知\n\n一、加强第{n}项工作。\n", encoding="utf-8")
    marker = tmp_path / "killed-once"
    real = build_workers.analyse

    def analyse(raw, doc_id, *args, **kwargs):  # type: ignore[no-untyped-def]
        if doc_id == "victim" and not marker.exists():
            marker.write_text("x")
            os.kill(os.getpid(), 9)
        return real(raw, doc_id, *args, **kwargs)

    monkeypatch.setattr(build_workers, "analyse", analyse)
    started = time.monotonic()
    report = build([docs], tmp_path / "index", procs=2, quiet=True)
    assert marker.exists() and not report.rejected
    assert time.monotonic() - started < 60  # noticed at once by its sentinel, not after a deadline
    assert "victim" in {d.id for d in KnowledgeBase.open(tmp_path / "index").documents()}


def test_a_file_name_that_is_not_utf8_is_named_and_indexed(tmp_path: Path) -> None:
    """A zip unpacked on Chinese Windows gives GBK names: the build names and indexes the file like any other."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")
    gbk = "十堰市科技工作方案.txt".encode("gbk")
    (Path(os.fsdecode(bytes(docs))) / os.fsdecode(gbk)).write_text(OTHER_PLAN, encoding="utf-8")
    bogus = b"\xff\xfe-broken.txt"  # neither UTF-8 nor GB18030
    (Path(os.fsdecode(bytes(docs))) / os.fsdecode(bogus)).write_text(OTHER_PLAN + "\n附", encoding="utf-8")
    report = build([docs], tmp_path / "index", procs=1, quiet=True)
    assert not report.rejected, report.rejected
    kb = KnowledgeBase.open(tmp_path / "index")
    sources = {d.source for d in kb.documents()}
    assert "十堰市科技工作方案.txt" in sources  # shown as the office wrote it
    assert any(s.startswith("\\xff") and s.endswith("-broken.txt") for s in sources)  # bytes escaped
    assert all(d.id.startswith(("doc-", "seed")) for d in kb.documents())
    # A rebuild reuses everything (the names are stable keys), and the status file says how it went.
    again = build([docs], tmp_path / "index", procs=1, quiet=True)
    assert again.unchanged == 3 and not again.published
    status = json.loads((tmp_path / "index" / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "idle" and not status["error"]


def test_a_build_that_fails_is_shown_as_failed_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.build import run as build_run

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_TEXT, encoding="utf-8")

    def broken_scan(folders):  # type: ignore[no-untyped-def]
        raise RuntimeError("scan exploded")

    monkeypatch.setattr(build_run, "scan", broken_scan)
    with pytest.raises(RuntimeError):
        build([docs], tmp_path / "index", procs=1, quiet=True)
    status = json.loads((tmp_path / "index" / "status.json").read_text(encoding="utf-8"))
    assert status["state"] == "failed" and "scan exploded" in status["error"]
