"""The staff workspace end to end in headless Chromium against the real server and real background builds.

One site starts with an empty documents folder (no index: the public pages answer 503): sign in, upload the seed
plan printed as PDF under a Chinese name, watch the build, find it by search, reject a link and see it gone, as
an admin remove the file; anonymous and cross-site writes are refused; a path in a file name stays in uploads/.
A second site (its own limiter) checks the failed-login limit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import web.workspace.accounts as accounts
from web.workspace.accounts import UserStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "tests" / "fixtures" / "formats" / "seed.pdf"
PDF_NAME = "十堰市2019年科技创新工作要点.pdf"
BUILD_SECONDS = 120_000  # ms: the longest wait for a background build to go live


class Server:
    def __init__(self, base: Path) -> None:
        self.documents = base / "documents"
        self.documents.mkdir(parents=True)
        self.index = base / "index"
        self.instance = base / "instance"
        users = UserStore(self.instance)
        # A production hash costs ~0.4 s here; the method is stored with each hash (tests/test_users.py checks it).
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")
            users.add("editor", "editor pass 1")
            users.add("admin", "admin pass 1", role="admin")

    def start(self) -> Iterator[str]:
        waitress = pytest.importorskip("waitress")
        from web import create_app

        self.app = create_app(
            {
                "INDEX_DIR": str(self.index),
                "DOCUMENTS": [str(self.documents)],
                "INSTANCE_DIR": str(self.instance),
                "RELOAD_INTERVAL": 0.2,
            }
        )
        server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, name="waitress-workspace", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.effective_port}"
        finally:
            self.app.extensions["policykb_workspace"].queue.close()
            server.close()
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def workspace_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server]]:
    server = Server(tmp_path_factory.mktemp("workspace"))
    for url in server.start():
        yield url, server


def _watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _login(page: Any, base: str, user: str, password: str | None = None) -> None:
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", password or f"{user} pass 1")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _real_errors(errors: list[str]) -> list[str]:
    # The refused requests we make on purpose show up as failed resources; nothing else may.
    return [e for e in errors if "Failed to load resource" not in e]


def test_upload_pdf_search_reject_link_and_remove(browser, workspace_site) -> None:
    base, server = workspace_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = _watch(page)
    try:
        # Nothing built yet: the public site says so, the workspace works.
        assert page.goto(base + "/").status == 503
        page.goto(base + "/workspace")
        page.wait_for_url(lambda url: "/login?next=" in url)
        _login(page, base, "editor")
        page.wait_for_url("**/workspace")
        assert page.locator('meta[name="csrf-token"]').get_attribute("content")
        assert "尚未建立" in page.locator("[data-build-status]").inner_text()

        page.set_input_files(
            "#upload-file",
            files=[{"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF.read_bytes()}],
        )
        page.click("[data-upload-form] button[type=submit]")
        page.wait_for_url("**/workspace")
        assert "已上传" in page.locator(".flashes").inner_text()
        upload = page.locator(f'.ws-upload[data-upload="{PDF_NAME}"]')
        # workspace.js follows the build and reloads once the document is live.
        page.locator(f'.ws-upload[data-upload="{PDF_NAME}"][data-state="live"]').wait_for(
            timeout=BUILD_SECONDS
        )
        assert (server.documents / "uploads" / PDF_NAME).is_file()
        link = upload.locator("[data-doc-link]")
        assert "十堰市2019年科技创新工作要点" in link.inner_text()
        doc_url = link.get_attribute("href") or ""
        doc_id = doc_url.rsplit("/", 1)[-1]
        upload.locator("summary").click()
        extracted = upload.locator(".ws-extracted").inner_text()
        assert (
            "10 条措施" in extracted
            and "着力加强知识产权保护与运用" in extracted
            and "发明专利申请量" in extracted
        )

        # Found by search, like any document.
        page.fill("#header-q", "知识产权")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=*")
        six = f"{doc_id}.m3.6"
        assert page.locator(f'.hit a.hit-title[href="/measures/{six}"]').count() == 1

        # Reject a link on the measure page and see it gone once the new index is live.
        page.goto(base + f"/measures/{six}")
        patents = f"{doc_id}.t2.2-2"
        assert page.locator(f'.link-list a[href="/targets/{patents}"]').count() == 1
        page.locator(f'[data-curate] button[data-action="reject_link"][data-target="{patents}"]').click()
        page.wait_for_url(f"**/measures/{six}")
        assert "待生效" in page.locator("[data-item-decisions]").inner_text()
        for _ in range(120):
            page.wait_for_timeout(1000)
            page.reload()
            if page.locator('[data-item-decisions] [data-status="live"]').count():
                break
        assert page.locator('[data-item-decisions] [data-status="live"]').count() == 1
        assert page.locator(f'.link-list a[href="/targets/{patents}"]').count() == 0
        page.goto(base + f"/targets/{patents}")
        assert page.locator(f'.link-list a[href="/measures/{six}"]').count() == 0
        page.goto(base + "/workspace/curation")
        row = page.locator('[data-decisions] tr[data-seq="1"]')
        assert (
            "editor" in row.inner_text() and "否决关联" in row.inner_text() and "已生效" in row.inner_text()
        )

        # Editors cannot remove files; an admin can, into the trash.
        page.goto(base + "/workspace")
        assert page.locator("form[action='/uploads/remove']").count() == 0
        page.locator(".user-box button").click()
        page.wait_for_url(base + "/")
        _login(page, base, "admin")
        page.wait_for_url("**/workspace")
        page.on("dialog", lambda dialog: dialog.accept())
        page.locator(f'.ws-upload[data-upload="{PDF_NAME}"] form[action="/uploads/remove"] button').click()
        page.wait_for_url("**/workspace")
        assert "回收站" in page.locator(".flashes").inner_text()
        assert list((server.documents / "uploads" / ".trash").iterdir())
        for _ in range(120):
            page.wait_for_timeout(1000)
            if page.request.get(base + f"/api/documents/{doc_id}").status in (404, 503):
                break
        assert page.request.get(base + f"/api/documents/{doc_id}").status in (404, 503)
        assert _real_errors(errors) == []
    finally:
        context.close()


def test_anonymous_cross_site_and_escaping_writes(browser, workspace_site) -> None:
    base, server = workspace_site
    before = sorted(p.name for p in server.documents.rglob("*"))
    decisions = server.documents / "curation.jsonl"
    size = decisions.stat().st_size if decisions.exists() else 0

    anonymous = browser.new_context()
    page = anonymous.new_page()
    try:
        page.goto(base + "/login")
        token = page.locator("input[name=csrf_token]").get_attribute("value")
        codes = page.evaluate(
            """async ([token]) => {
                const post = (url, body, headers) => fetch(url, {method: "POST", body, headers}).then(r => r.status);
                const form = new FormData();
                form.append("file", new File(["某市测试方案"], "x.txt"));
                return [
                    await post("/api/curation", JSON.stringify({action: "not_target", target: "a.t1-1"}),
                               {"Content-Type": "application/json"}),
                    await post("/api/curation", JSON.stringify({action: "not_target", target: "a.t1-1"}),
                               {"Content-Type": "application/json", "X-CSRFToken": token}),
                    await post("/api/upload", form, {"X-CSRFToken": token}),
                    await post("/api/uploads/remove", JSON.stringify({name: "x.txt"}),
                               {"Content-Type": "application/json", "X-CSRFToken": token}),
                ];
            }""",
            [token],
        )
        assert codes == [403, 401, 401, 401]
    finally:
        anonymous.close()

    context = browser.new_context()
    page = context.new_page()
    try:
        _login(page, base, "editor")
        page.wait_for_url("**/workspace")
        # A cross-site form (another origin posting to the workspace with the editor's cookie): refused.
        attacker = context.new_page()
        attacker.set_content(
            f"""<form id="f" action="{base}/curation" method="post">
                <input name="action" value="not_target"><input name="target" value="doc.t1-1"></form>"""
        )
        with attacker.expect_navigation():
            attacker.evaluate("document.getElementById('f').submit()")
        assert "请先登录" in attacker.content() or "安全校验" in attacker.content()
        # Signed in, but without the token: refused.
        status = page.evaluate(
            """() => fetch("/api/curation", {method: "POST", headers: {"Content-Type": "application/json"},
                       body: JSON.stringify({action: "not_target", target: "doc.t1-1"})}).then(r => r.status)"""
        )
        assert status == 403
        assert (decisions.stat().st_size if decisions.exists() else 0) == size
        assert sorted(p.name for p in server.documents.rglob("*")) == before

        # A path in the file name never leaves the upload folder.
        result = page.evaluate(
            """async () => {
                const token = document.querySelector('meta[name="csrf-token"]').content;
                const form = new FormData();
                form.append("file", new File(["某市测试方案\\n\\n一、工作措施\\n\\n（一）开展测试。"], "../../escape.txt"));
                const r = await fetch("/api/upload", {method: "POST", body: form, headers: {"X-CSRFToken": token}});
                return [r.status, await r.json()];
            }"""
        )
        assert result[0] == 201
        assert result[1]["stored"][0]["name"] == "escape.txt"
        assert (server.documents / "uploads" / "escape.txt").is_file()
        assert not (server.documents.parent / "escape.txt").exists()
        assert not (server.documents.parent.parent / "escape.txt").exists()
    finally:
        context.close()


def test_failed_logins_are_rate_limited(browser, tmp_path: Path) -> None:
    server = Server(tmp_path)
    for base in server.start():
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        try:
            for _ in range(10):
                _login(page, base, "editor", "wrong password")
                assert "用户名或密码不正确" in page.locator("[data-login-error]").inner_text()
            _login(page, base, "editor")  # the right password, too late
            assert "登录失败次数过多" in page.content()
            assert page.locator("h1").inner_text() == "请求过于频繁"
            assert page.request.get(base + "/api/status").status == 401
        finally:
            context.close()
