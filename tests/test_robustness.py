"""Crashes and concurrency never cost the index: kill -9 mid-build, competing builds, searching during swaps."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb.build import build
from kb.search.engine import SearchEngine
from kb.store.generations import current_generation
from kb.store.knowledge import KnowledgeBase

SEED_ID = "000_3ccc218f3f77786b"


def synthetic_plan(n: int) -> str:
    """A plan-shaped document with numbered measures and targets (generated, so tests stay self-contained)."""
    measures = "\n".join(
        f"({i})加强第{i}项科技创新工作。推进知识产权保护,新增科技型企业{10 + i}家,组织培训{i}次。" * 3
        for i in range(1, 11)
    )
    return f"某市第{n}号科技工作方案\n\n一、主要目标\n——发明专利申请量达到{1000 + n}件。\n\n二、主要措施\n{measures}\n"


@pytest.fixture
def seeded(tmp_path: Path, seed_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "documents"
    docs.mkdir()
    shutil.copy(seed_path, docs / seed_path.name)
    index = tmp_path / "index"
    build([docs], index, procs=1, quiet=True)
    return docs, index


def test_kill_9_during_a_build_leaves_the_previous_index_usable(seeded, tmp_path: Path):
    docs, index = seeded
    before = current_generation(index)
    for n in range(150):
        (docs / f"plan{n:03d}.txt").write_text(synthetic_plan(n), encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kb", "build", "--documents", str(docs), "--index", str(index), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Wait until the build is writing its new generation aside, then kill it and all its workers.
    deadline = time.monotonic() + 60
    while not list(index.glob(".tmp-gen-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(index.glob(".tmp-gen-*")), "the build never started writing"
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    assert current_generation(index) == before
    kb = KnowledgeBase.open(index)
    assert len(kb.measures(SEED_ID)) == 10
    engine = SearchEngine(index)
    assert engine.search("知识产权").results[0].id == f"{SEED_ID}.m3.6"
    engine.close()

    # The next build recovers by itself: no stale lock, leftovers removed, everything indexed.
    report = build([docs], index, procs=2, quiet=True)
    assert report.published and report.documents == 151
    assert not list(index.glob(".tmp-gen-*"))


def test_a_competing_build_process_is_refused_with_a_message(seeded):
    docs, index = seeded
    for n in range(120):
        (docs / f"plan{n:03d}.txt").write_text(synthetic_plan(n), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "kb",
        "build",
        "--documents",
        str(docs),
        "--index",
        str(index),
        "--quiet",
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(index.glob(".tmp-gen-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 3  # EXIT_LOCKED: nothing was done
    assert "另一个构建正在进行" in second.stderr
    assert "Traceback" not in second.stderr
    assert len(KnowledgeBase.open(index).documents()) == 121


def test_searches_keep_answering_while_builds_swap_the_index(seeded):
    docs, index = seeded
    engine = SearchEngine(index, check_interval=0.0)
    errors: list[BaseException] = []
    answered = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            try:
                result = engine.search("知识产权", type="measure")
                assert result.results and result.results[0].id == f"{SEED_ID}.m3.6"
                answered.append(result.total)
            except BaseException as exc:  # collected and re-raised in the test thread
                errors.append(exc)
                return

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    generations = set()
    for n in range(4):
        (docs / f"plan{n}.txt").write_text(synthetic_plan(n), encoding="utf-8")
        build([docs], index, procs=1, quiet=True)
        generations.add(current_generation(index))
    stop.set()
    for thread in threads:
        thread.join()
    engine.close()
    assert not errors, errors[0]
    assert len(generations) == 4 and len(answered) > 10
    # The engine follows the swaps: the last generation's documents are found.
    assert SearchEngine(index).search("某市第3号科技工作方案", type="document").total >= 1
