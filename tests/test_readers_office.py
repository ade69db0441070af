"""LibreOffice conversions (.doc/.wps) fetch nothing and leave nothing behind (issue 29, items 3 and 9).

A ".doc" that is really HTML with <img src=http://127.0.0.1:PORT/…>, a stylesheet link and a frame is
converted while a loopback HTTP listener counts requests: LibreOffice as such fetches them (shown first,
so the listener is known to hear it), the reader fetches nothing, with its profile alone and with its
network namespace alone. A conversion that times out, is interrupted by the build's alarm, or whose
reading process is killed with SIGKILL leaves no LibreOffice process and no copy of the document.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.readers import ReadError, read, sandbox
from kb.readers import office as office_module

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "fixtures" / "formats"
needs_soffice = pytest.mark.skipif(
    office_module.find_soffice() is None, reason="LibreOffice (soffice) is not installed"
)
pytestmark = [needs_soffice, pytest.mark.slow]


@contextlib.contextmanager
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server recording every request path (and user agent)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(f"{self.command} {self.path} {self.headers.get('User-Agent', '')}")
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET
        do_POST = do_GET

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def html_doc(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "notice.doc"
    path.write_text(
        "<html><head><title>关于做好科技扶贫工作的通知</title>"
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css"></head><body>'
        "<p>关于做好科技扶贫工作的通知</p><p>各县市区科技局：请认真贯彻落实科技扶贫工作的各项部署。</p>"
        f'<img src="http://127.0.0.1:{port}/logo.png"><iframe src="http://127.0.0.1:{port}/frame.html"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    return path


def test_libreoffice_itself_fetches_the_images_of_an_html_doc(tmp_path: Path) -> None:
    """The listener hears LibreOffice: converted plainly (no profile, no namespace), the file is fetched."""
    with listener() as (port, hits):
        source = html_doc(tmp_path, port)
        (tmp_path / "out").mkdir()
        subprocess.run(
            [
                str(office_module.find_soffice()),
                f"-env:UserInstallation={(tmp_path / 'plain-profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(tmp_path / "out"),
                str(source),
            ],
            capture_output=True,
            timeout=120,
            env=dict(os.environ, HOME=str(tmp_path)),
            check=False,
        )
        time.sleep(0.3)
    assert any("/logo.png" in hit for hit in hits), hits


def test_reading_an_html_doc_fetches_nothing(tmp_path: Path) -> None:
    with listener() as (port, hits):
        raw = read(html_doc(tmp_path, port))
        time.sleep(0.3)
    assert "请认真贯彻落实科技扶贫工作的各项部署" in raw.text
    assert hits == []


def test_the_profile_alone_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no network namespace can be made, the profile still sends every request nowhere."""
    monkeypatch.setattr(sandbox, "isolation_prefix", lambda: ())
    with listener() as (port, hits):
        raw = read(html_doc(tmp_path, port))
        time.sleep(0.3)
    assert "科技扶贫" in raw.text and hits == []


@pytest.mark.skipif(not sandbox.network_isolated(), reason="no network namespace can be made here")
def test_the_network_namespace_alone_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office_module, "_PROFILE_SETTINGS", ())
    with listener() as (port, hits):
        raw = read(html_doc(tmp_path, port))
        time.sleep(0.3)
    assert "科技扶贫" in raw.text and hits == []


# ---------------------------------------------------------------- nothing left behind


def processes_mentioning(text: str) -> list[int]:
    """Pids of processes whose command line mentions ``text`` (LibreOffice's carry the temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("policykb-"))


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory of conversions, for this test alone."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    return tmp


def test_a_timed_out_conversion_leaves_no_process_and_no_copy(private_tmp: Path, monkeypatch) -> None:
    monkeypatch.setattr(office_module, "TIMEOUT", 1.0)
    with pytest.raises(ReadError, match="LibreOffice 转换超时"):
        read(FORMATS / "seed.doc")
    assert wait_until(lambda: not processes_mentioning(str(private_tmp)), 5.0)
    assert leftovers(private_tmp) == []


class Alarm(Exception):
    """As the build's ``_OutOfTime``: an Exception raised by its SIGALRM handler."""


def test_a_conversion_interrupted_by_the_builds_alarm_leaves_nothing(private_tmp: Path) -> None:
    """The build's per-file budget raises in the middle of the conversion (SIGALRM): soffice dies with it."""

    def ring(_signum, _frame):
        raise Alarm

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises((Alarm, ReadError)):  # read() names any exception of a reader as a reason
            read(FORMATS / "seed.doc")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert wait_until(lambda: not processes_mentioning(str(private_tmp)), 5.0)
    assert leftovers(private_tmp) == []


def test_killing_the_reading_process_kills_libreoffice_and_the_copy_is_swept(
    private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 of a build worker mid-conversion: LibreOffice dies with it; the next run removes the copy."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib, kb.readers as r; r.read(pathlib.Path(sys.argv[1]))",
            str(FORMATS / "seed.doc"),
        ],
        cwd=ROOT,
        env=dict(os.environ, TMPDIR=str(private_tmp)),
    )
    try:
        assert wait_until(lambda: bool(processes_mentioning(str(private_tmp))), 30.0), "soffice never started"
        time.sleep(0.3)
        reader.kill()
        reader.wait(timeout=10)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert wait_until(lambda: not processes_mentioning(str(private_tmp)), 10.0), processes_mentioning(
        str(private_tmp)
    )
    assert leftovers(private_tmp)  # the killed process could not remove its folder...
    monkeypatch.setattr(sandbox, "STALE_SECONDS", 0.0)
    removed = sandbox.sweep(private_tmp)
    assert removed and leftovers(private_tmp) == []  # ...the next conversion's sweep does


def test_a_live_processs_folder_is_never_swept(private_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "STALE_SECONDS", 0.0)
    mine = private_tmp / f"policykb-lo-{os.getppid()}-abc"
    mine.mkdir()
    assert sandbox.sweep(private_tmp) == [] and mine.is_dir()
