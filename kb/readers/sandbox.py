"""Helper programs (LibreOffice, Tesseract) run on untrusted files: bounded, isolated, never left behind.

``run`` starts a program in a fresh temporary folder of its own (``work_dir``) and

* in its own session and process group, killed as a whole (``SIGKILL``) on a timeout and on any exception
  that reaches us while it runs (the build's per-file alarm, Ctrl-C), before the folder is removed;
* with ``setpriv --pdeathsig KILL`` (util-linux) when available: if our process itself is killed (``kill -9``,
  the out-of-memory killer), the program dies with it; with ``unshare --pid --fork --kill-child`` its
  descendants die too (the kernel ends a PID namespace with its first process);
* with ``network=False``: in a network namespace with no interface (``unshare --net``; as root, or through a
  user namespace where the kernel allows it). Where no namespace can be made, the program runs with the
  network and one warning is logged ("no network namespace…"); callers add their own settings (LibreOffice's
  profile sends every request to a proxy that is not there);
* with ``memory_bytes``: an address-space limit (``ulimit -v``) on the program;
* with stdin from ``/dev/null`` and at most ``OUTPUT_LIMIT`` bytes of its stdout kept.

A temporary folder whose process died without removing it (``kill -9``) is removed by the next call of
``work_dir`` in any process (``sweep``): its name carries the owner's pid.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OUTPUT_LIMIT = 64 * 1024 * 1024  # bytes of a program's stdout kept
STALE_SECONDS = 30.0  # a dead owner's folder older than this is removed by the next sweep
_DIR_RE = re.compile(r"^policykb-(?:lo|ocr)-(\d+)-")


class HelperTimeout(Exception):
    """The program ran out of time and was killed with its process group."""


@dataclass
class Finished:
    returncode: int
    stdout: bytes
    stderr: bytes


def _works(command: list[str]) -> bool:
    try:
        return (
            subprocess.run(
                [*command, "true"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


@functools.cache
def death_prefix() -> tuple[str, ...]:
    """``setpriv --pdeathsig KILL --`` when it works here: the program dies when we do."""
    setpriv = shutil.which("setpriv")
    command = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []
    return tuple(command) if command and _works(command) else ()


@functools.cache
def isolation_prefix() -> tuple[str, ...]:
    """The ``unshare`` command that runs a program without network and in its own PID namespace, or ()."""
    unshare = shutil.which("unshare")
    if unshare:
        base = [unshare, "--net", "--pid", "--fork", "--kill-child=KILL"]
        for extra in ([], ["--user", "--map-root-user"]):
            command = base[:1] + extra + base[1:] + ["--"]
            if _works(command):
                return tuple(command)
    log.warning(
        "no network namespace (unshare --net failed or is missing): helper programs run with the network; "
        "LibreOffice's profile still sends its requests nowhere"
    )
    return ()


def network_isolated() -> bool:
    """Whether ``run(..., network=False)`` really runs without a network here."""
    return bool(isolation_prefix())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the temporary folders of helper runs whose process is gone (killed before it could)."""
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _DIR_RE.match(entry.name)
        if not m or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        try:
            if not entry.is_dir() or entry.is_symlink() or now - entry.stat().st_mtime < STALE_SECONDS:
                continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def work_dir(kind: str) -> Iterator[Path]:
    """A fresh private folder ``policykb-{kind}-{pid}-…`` in the temporary directory, removed afterwards."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=f"policykb-{kind}-{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.kill()
    with contextlib.suppress(Exception):
        process.wait(timeout=10)


def run(
    command: list[str],
    *,
    timeout: float,
    cwd: Path,
    env: dict[str, str] | None = None,
    network: bool = True,
    memory_bytes: int | None = None,
) -> Finished:
    """Run ``command`` as the module docstring says; raise ``HelperTimeout`` or ``OSError``."""
    full = list(death_prefix())
    if not network:
        full += list(isolation_prefix())
    if memory_bytes:
        full += ["/bin/sh", "-c", f'ulimit -v {max(1, memory_bytes // 1024)} && exec "$@"', "sh"]
    full += command
    process = subprocess.Popen(
        full,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,  # its own process group, killed as a whole
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise HelperTimeout(f"{Path(command[0]).name} ran out of time ({timeout:g} s)") from None
    except BaseException:
        _kill_group(process)  # the build's alarm, Ctrl-C: never leave the program running
        raise
    _kill_group(process)  # anything it left in its group (a daemonised child)
    return Finished(process.returncode, stdout[:OUTPUT_LIMIT], stderr[-65536:])
