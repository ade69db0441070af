"""Browser tests: the --screenshots option, a built index and the real server (waitress) on a free port.

``--screenshots`` (registered in tests/conftest.py) or ``POLICYKB_SCREENSHOTS=1`` saves screenshots of the
main pages under bench/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "bench" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def screenshot_dir(request: pytest.FixtureRequest) -> Path | None:
    wanted = request.config.getoption("--screenshots", default=False) or os.environ.get(
        "POLICYKB_SCREENSHOTS"
    )
    if not wanted:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def browser_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kb.build import build

    base = tmp_path_factory.mktemp("browser")
    documents = base / "documents"
    documents.mkdir()
    for path in (ROOT / "documents").glob("*.txt"):
        shutil.copy(path, documents / path.name)
    index = base / "index"
    build([documents], index, procs=1, quiet=True)
    return index


@pytest.fixture(scope="session")
def live_server(browser_index: Path) -> Iterator[str]:
    """The site served by waitress in a thread on 127.0.0.1 and a free port; yields its base URL."""
    waitress = pytest.importorskip("waitress")
    from web import create_app

    app = create_app({"INDEX_DIR": str(browser_index)})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
