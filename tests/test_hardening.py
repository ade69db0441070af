"""Hardening (issue 29): one big item or one careless client cannot stop the service.

A huge measure's page analyses a bounded prefix for its related measures; expensive exports run a few at a time
and a request finding them all busy is told to come back (503, Retry-After) without holding a thread; waitress's
own error answers carry the security headers.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from kb.build import build
from kb.search.engine import RELATED_CHARS, SearchEngine
from web.pages.items import PAGE_QUOTE_CHARS

SEED_ID = "000_3ccc218f3f77786b"


def _long_plan(chars: int) -> str:
    sentence = "持续推进科技成果转化，支持企业建设研发平台，培育高新技术企业和科技型中小企业。"
    body = sentence * (chars // len(sentence) + 1)
    return f"某市科技创新超长工作方案\n\n一、主要措施\n\n（一）持续推进科技创新。{body}\n\n（二）加强组织领导。\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Path:
    root = tmp_path_factory.mktemp("hardening")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(seed_path, docs / seed_path.name)
    (docs / "long.txt").write_text(_long_plan(3 * RELATED_CHARS), encoding="utf-8")
    assert not build([docs], root / "index", procs=1, quiet=True).rejected
    return root / "index"


def test_related_measures_of_a_huge_measure_read_a_bounded_prefix(index: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from whoosh.searching import Searcher

    seen: list[int] = []
    real = Searcher.key_terms_from_text

    def spy(self, fieldname, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(len(text))
        return real(self, fieldname, text, *args, **kwargs)

    monkeypatch.setattr(Searcher, "key_terms_from_text", spy)
    engine = SearchEngine(index)
    try:
        engine.related("long.m1.1")
    finally:
        engine.close()
    assert seen and max(seen) <= RELATED_CHARS


def test_exports_wait_for_no_one_and_searches_go_on(index: Path) -> None:
    from web import create_app

    app = create_app({"INDEX_DIR": str(index), "TESTING": True, "EXPENSIVE_SLOTS": 1})
    client = app.test_client()
    gate = app.extensions["policykb_throttle"]
    with gate.enter():  # an export is running
        busy = client.get(f"/export?ids={SEED_ID}.m3.6&format=md")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert "导出" in busy.get_data(as_text=True)
        assert client.get("/api/search?q=知识产权").status_code == 200  # searches never wait for exports
    assert client.get(f"/export?ids={SEED_ID}.m3.6&format=md").status_code == 200


def test_the_page_of_a_huge_measure_answers(index: Path) -> None:
    from web import create_app

    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    data = client.get("/api/measures/long.m1.1").get_json()
    length = len(data["measure"]["text"])
    assert length > 3 * RELATED_CHARS
    # The page carries the whole text once; the quote of each citation style is cut, saying so and how long.
    for citation in data["citations"]:
        assert citation["truncated"] and citation["quote_length"] == length
        assert f"原文共 {length} 字" in citation["text"] and len(citation["text"]) < PAGE_QUOTE_CHARS + 1000
    body = client.get("/measures/long.m1.1").get_data(as_text=True)
    assert len(body) < 2 * length + 200_000  # the text once (plus markup), not once per citation style
    seed = client.get(f"/api/measures/{SEED_ID}.m3.6").get_json()
    assert not any(c["truncated"] for c in seed["citations"])  # an ordinary measure is quoted whole


def test_waitress_error_answers_carry_the_security_headers(index: Path) -> None:
    from web import create_app
    from web.cli import make_server
    from web.security import HEADERS

    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    server = make_server(app, "127.0.0.1", 0, 1)
    port = server.effective_port

    def serve() -> None:
        with contextlib.suppress(OSError, ValueError):  # closing the server under its loop ends the loop so
            server.run()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        assert head.split(" ")[1] == "431", head
        for name, value in HEADERS.items():
            assert f"{name}: {value}" in head
    finally:
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(timeout=5)
