"""Throwaway PostgreSQL clusters for tests and benchmarks: a primary on a free loopback port, and streaming
replicas made with ``pg_basebackup -R``. Nothing here is used by the application.

``initdb`` refuses to run as root: as root every server command runs as the ``postgres`` user
(``runuser -u postgres``), which must own the cluster's directory. ``available()`` says why clusters cannot be
made on this machine (no binaries, no ``postgres`` user), or None.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN_DIRS = [Path(p) for p in os.environ.get("POLICYKB_PG_BIN", "").split(":") if p] + sorted(
    Path("/usr/lib/postgresql").glob("*/bin"), reverse=True
)


def pg_bin() -> Path | None:
    """The directory of initdb/pg_ctl/pg_basebackup (newest installed version), or None."""
    for candidate in BIN_DIRS:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_root() -> bool:
    return os.geteuid() == 0


def available() -> str | None:
    """None when a cluster can be started here, else the reason (for a skip message)."""
    if pg_bin() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql postgresql-15-rum"
    if _as_root():
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One PostgreSQL server in ``directory`` on ``127.0.0.1:port`` (trust authentication, loopback only)."""

    def __init__(self, directory: Path, port: int | None = None, *, keep: bool = False) -> None:
        self.keep = (
            keep  # as root: leave the cluster's own directory in place at exit (a benchmark to query later)
        )
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = port or free_port()
        binary = pg_bin()
        if binary is None:
            raise RuntimeError(available() or "no PostgreSQL")
        self.bin = binary

    def _run(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if _as_root():
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        return done

    def _own(self) -> None:
        if _as_root():
            # The postgres user must reach the cluster through every parent. pytest's tmp dirs are 0700, and a
            # pytest session starting meanwhile takes back any bit given to others on its ``pytest-of-root``
            # (the server then fails on its own files): so as root the cluster lives in a directory of its own
            # under the system's temp dir (removed at exit), and ``directory`` names it.
            self.directory.mkdir(parents=True, exist_ok=True)
            own = Path(tempfile.mkdtemp(prefix="policykb-pg-"))
            os.chmod(own, 0o711)
            if not self.keep:
                atexit.register(shutil.rmtree, own, True)
            (self.directory / "cluster").symlink_to(own)
            self.directory = own / "c"
            self.data = self.directory / "data"
            self.directory.mkdir()
            shutil.chown(self.directory, "postgres", "postgres")
            return
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self, **settings: str) -> Cluster:
        self._own()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.directory}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "fsync = on",
            *(f"{k} = {v}" for k, v in settings.items()),
        ]
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n".join(lines) + "\n")
        with open(self.data / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def start(self) -> Cluster:
        log = self.directory / "server.log"
        for attempt in range(3):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "120", "start")
                return self
            except RuntimeError as exc:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
                if "already in use" not in tail or attempt == 2:
                    raise RuntimeError(f"{exc}\nserver log:\n{tail}") from None
                self.port = free_port()  # another process took the port meanwhile
                with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                    conf.write(f"port = {self.port}\n")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def replica(self, directory: Path) -> Cluster:
        """A streaming replica of this (running) primary, made with ``pg_basebackup -R`` and started."""
        standby = Cluster(directory)
        standby._own()
        try:
            standby._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-D", str(standby.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
            )  # fmt: skip
        except RuntimeError as exc:
            log = self.directory / "server.log"
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{exc}\nprimary log:\n{tail}") from None
        with open(standby.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"port = {standby.port}\nunix_socket_directories = '{standby.directory}'\n"
                "hot_standby_feedback = on\n"  # the primary keeps rows a replica's query still reads
            )
        return standby.start()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL on port {self.port} not ready")
            time.sleep(0.2)
