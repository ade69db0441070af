"""Summarise a ``py-spy record --subprocesses --format raw`` profile of a build: samples per process role
(the build process, analysis workers, Whoosh index sub-writers) and the top functions of each, inclusive
("cumulative", a function counted once per sample) and exclusive ("self"). Prints figures, never pass/fail.

```sh
py-spy record --subprocesses -r 100 --format raw -o /tmp/build.spy -- \\
    .venv/bin/python bench/profile_build.py --sample 300 --procs 2
.venv/bin/python bench/spy_summary.py /tmp/build.spy --top 25
```

py-spy samples threads that are running or runnable (not sleeping): on a machine shared with other work the
shares are shares of this build's CPU, and ``seconds`` are samples ÷ rate.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
ROLES = (
    ("analysis worker", "_worker_main (kb/build/workers.py"),
    ("index sub-writer", "SubWriterTask.run (whoosh/multiproc.py"),
)


def role(frames: list[str]) -> str:
    for name, marker in ROLES:
        if any(frame.startswith(marker) for frame in frames):
            return name
    return "build process"


def function(frame: str) -> str:
    """``name (file)`` without the line number: one entry per function."""
    m = _FRAME.match(frame)
    return f"{m['name']} ({m['file']})" if m else frame


def summarise(path: Path) -> tuple[Counter[str], dict[str, Counter[str]], dict[str, Counter[str]]]:
    per_role: Counter[str] = Counter()
    inclusive: dict[str, Counter[str]] = {}
    exclusive: dict[str, Counter[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        who = role(frames)
        # A forked sub-writer's stack starts with its parent's frames (the fork happened in them): keep the
        # frames from the process's own entry point on.
        for _name, marker in ROLES:
            starts = [i for i, f in enumerate(frames) if f.startswith(marker)]
            if starts:
                frames = frames[starts[0] :]
        per_role[who] += count
        names = [function(f) for f in frames]
        inclusive.setdefault(who, Counter()).update({n: count for n in set(names)})
        if names:
            exclusive.setdefault(who, Counter())[names[-1]] += count
    return per_role, inclusive, exclusive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--rate", type=float, default=100.0, help="py-spy's samples per second (-r)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    per_role, inclusive, exclusive = summarise(args.raw)
    total = sum(per_role.values()) or 1
    print(f"{total} samples = {total / args.rate:.1f} s of CPU (running or runnable)")
    for who, samples in per_role.most_common():
        print(f"\n## {who}: {samples / args.rate:.1f} s, {100 * samples / total:.1f} % of the build")
        for label, counter in (("cumulative", inclusive[who]), ("self", exclusive[who])):
            print(f"-- {label}")
            for name, n in counter.most_common(args.top):
                print(f"{n / args.rate:8.1f} s {100 * n / total:5.1f} %  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
