"""Issue 23 end to end in headless Chromium: a signed-in editor corrects what the machine extracted.

The real server (waitress) with real background builds, over the seed plan and a work report titled "Word
Document": from the review queue the editor fixes the title and the agency, turns a result into a target and back,
removes a non-measure, adds a missing measure from the outline and a missing target by selecting its words on the
page, merges two indicator series and undoes one decision. Each shows on the public page, in the JSON and in the
citation once the background build is live, is listed in the audit list, survives a full rebuild from scratch
(the same knowledge base) and edits of both files elsewhere (new ids, same decisions, none stale). Anonymous and
forged writes change nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from curation_fixtures import AGENCY, DOC, MISSED, REPORT, REPORT_ID, SEED, TITLE

import web.workspace.accounts as accounts
from kb.build import build
from kb.store.generations import current_generation, read_json
from web.workspace.accounts import UserStore

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

BUILD_SECONDS = 180.0


class Server:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.documents = base / "documents"
        self.documents.mkdir(parents=True)
        shutil.copy(SEED, self.documents / SEED.name)
        (self.documents / "report.md").write_text(REPORT, encoding="utf-8")
        self.index = base / "index"
        build([self.documents], self.index, procs=1, quiet=True)
        self.instance = base / "instance"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(accounts, "HASH_METHOD", "scrypt:4096:8:1")
            UserStore(self.instance).add("editor", "editor pass 1")

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
        self.ws = self.app.extensions["policykb_workspace"]
        server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, name="waitress-curation", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.effective_port}"
        finally:
            self.ws.queue.close()
            server.close()
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def curation_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server]]:
    server = Server(tmp_path_factory.mktemp("curation"))
    for url in server.start():
        yield url, server


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _json(page: Any, base: str, path: str) -> tuple[int, Any]:
    response = page.request.get(base + path)
    return response.status, (response.json() if response.ok else None)


def _decisions(page: Any, base: str) -> dict[int, dict[str, Any]]:
    return {d["id"]: d for d in _json(page, base, "/api/curation")[1]["decisions"]}


def _wait_live(page: Any, base: str, server: Server) -> dict[int, dict[str, Any]]:
    """Wait for the background build, then for the site to serve the new generation; no decision pending."""
    deadline = time.monotonic() + BUILD_SECONDS
    while time.monotonic() < deadline:
        decisions = _decisions(page, base)
        if not server.ws.queue.busy() and all(d["status"] != "pending" for d in decisions.values()):
            return decisions
        page.wait_for_timeout(500)
    raise AssertionError(f"decisions still pending: {_decisions(page, base)}")


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    assert "已记录" in page.locator(".flashes").inner_text(), page.locator(".flashes").inner_text()


def _citation(page: Any) -> str:
    """The official citation and the quote with it (复制引文 / 复制原文及出处)."""
    return page.locator('[data-cite-box] .cite-style[data-style="official"]').text_content() or ""


def _generation(index: Path) -> dict[str, Any]:
    generation = current_generation(index)
    assert generation is not None
    return {
        "catalog": read_json(generation / "catalog.json"),
        "docs": {p.name: read_json(p) for p in sorted((generation / "docs").glob("*.json"))},
        "indicators": read_json(generation / "indicators.json"),
    }


def test_editor_corrects_the_knowledge_and_it_lasts(browser, curation_site, tmp_path: Path) -> None:
    base, server = curation_site
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = _errors(page)
    try:
        page.goto(base + "/login")
        page.fill("#username", "editor")
        page.fill("#password", "editor pass 1")
        with page.expect_navigation():
            page.click("main button[type=submit]")

        # The review queue leads to the default title, one click away.
        page.goto(base + "/workspace/review")
        first_title = page.locator('[data-review-type="title"] a').first
        assert first_title.inner_text() == "Word Document"
        with page.expect_navigation():
            first_title.click()
        assert page.url.endswith(f"/documents/{REPORT_ID}#curate")
        page.fill('[data-set-document] input[name="fields.title"]', TITLE)
        page.fill('[data-set-document] input[name="fields.agency"]', AGENCY)
        _submit(page, "[data-set-document] button[type=submit]")

        # A past result made a target.
        page.goto(base + f"/results/{REPORT_ID}.r1-5")
        _submit(page, '[data-curate] button[data-action="set_kind"][data-kind="target"]')
        # (十) of the seed is no measure; 二、主要目标's third bullet is one.
        page.goto(base + f"/measures/{DOC}.m3.10")
        _submit(page, '[data-curate] button[data-action="not_measure"]')
        page.goto(base + f"/documents/{DOC}")
        page.select_option("[data-add-clause]", f"{DOC}.s2.3")
        _submit(page, "[data-add-measure-form] button[type=submit]")
        # The target the rules missed: select its words in the report's body.
        page.goto(base + f"/documents/{REPORT_ID}")
        page.evaluate(
            """(words) => {
                const body = document.querySelector("[data-selectable-body]");
                const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode()) && !node.data.includes(words)) {}
                const at = node.data.indexOf(words);
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                body.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            }""",
            MISSED,
        )
        page.locator("[data-selection-hint]").click()
        assert page.input_value("[data-selected-text]") == MISSED
        assert page.input_value("[data-span-start]").isdigit()
        _submit(page, "[data-add-target-form] button[type=submit]")
        decisions = _wait_live(page, base, server)
        assert [d["status"] for d in decisions.values()] == ["live"] * 5

        # Each shows on the public page, in the JSON and in the citation.
        anonymous = browser.new_context(locale="zh-CN")
        public = anonymous.new_page()
        public.goto(base + f"/documents/{REPORT_ID}")
        assert public.locator("h1").inner_text() == TITLE
        assert "已人工校对 · editor" in public.locator("[data-curated]").inner_text()
        assert public.locator("[data-curate]").count() == 0  # no edit controls for the public
        assert _json(public, base, f"/api/documents/{REPORT_ID}")[1]["document"]["agency"] == AGENCY
        public.goto(base + f"/measures/{REPORT_ID}.m2.1")
        assert f"《{TITLE}》" in _citation(public)
        public.goto(base + f"/targets/{REPORT_ID}.t1-5")
        assert public.locator(".badge-target").count() == 1 and public.locator("[data-curated]").count() == 1
        assert "净增高新技术企业45家" in _citation(public)
        assert _json(public, base, f"/api/targets/{REPORT_ID}.t1-5")[1]["target"]["kind"] == "target"
        assert _json(public, base, f"/api/measures/{DOC}.m3.10")[0] == 404
        public.goto(base + f"/documents/{DOC}")
        assert public.locator(f'a[href="/measures/{DOC}.m3.10"]').count() == 0
        public.goto(base + f"/measures/{DOC}.m2.3")
        assert "创先争优各项工作始终保持全市前列" in public.locator("h1").inner_text()
        assert "二、主要目标" in _citation(public)
        added = [
            t
            for t in _json(public, base, f"/api/documents/{REPORT_ID}")[1]["targets"]
            if t["value_text"] == "400家"
        ]
        assert len(added) == 1
        public.goto(base + f"/targets/{added[0]['id']}")
        assert MISSED in _citation(public) and f"《{TITLE}》" in _citation(public)

        # Back to a result; two series that are one indicator merged.
        page.goto(base + f"/targets/{REPORT_ID}.t1-5")
        _submit(page, '[data-curate] button[data-action="set_kind"][data-kind="result"]')
        series = _json(page, base, "/api/indicators?show=all")[1]["series"]
        turnover = next(s for s in series if s["name"] == "成果转化项目")
        planned = next(s for s in series if s["name"] == "科技成果转化项目")
        page.goto(base + turnover["url"])
        page.select_option("[data-merge-into]", planned["id"])
        _submit(page, "[data-merge-series] button[type=submit]")
        _wait_live(page, base, server)
        public.goto(base + f"/results/{REPORT_ID}.r1-5")
        assert public.locator(".badge-result").count() == 1
        assert "净增高新技术企业45家" in _citation(public)
        moved = public.request.get(base + f"/targets/{REPORT_ID}.t1-5", max_redirects=0)
        assert (moved.status, moved.headers["location"]) == (301, f"/results/{REPORT_ID}.r1-5")
        public.goto(base + planned["url"])
        assert "已人工校对" in public.locator("[data-curated]").inner_text()
        table = public.locator(".indicator-years").inner_text()
        assert "140项" in table and "152项" in table and "完成" in table
        merged = _json(public, base, "/api" + planned["url"])[1]
        assert {p["item_id"] for p in merged["points"]} == {f"{DOC}.t2.2-1", f"{REPORT_ID}.r1-6"}
        assert _json(public, base, "/api" + turnover["url"])[0] == 404

        # Undo one decision (the measure removed) from the audit list: an undo is a decision too.
        removed = next(d for d in _decisions(page, base).values() if d["action"] == "not_measure")
        page.goto(base + "/workspace/curation")
        _submit(page, f'button[data-undo="{removed["id"]}"]')
        decisions = _wait_live(page, base, server)
        assert decisions[removed["id"]]["status"] == "undone"
        assert _json(public, base, f"/api/measures/{DOC}.m3.10")[0] == 200
        page.goto(base + "/workspace/curation")
        rows = page.locator("[data-decisions] tbody tr")
        assert rows.count() == len(decisions) == 8
        audit = page.locator("[data-decisions]").inner_text()
        for text in (
            "修改文件信息",
            "标题：Word Document → " + TITLE,
            "实绩 → 目标",
            "目标 → 实绩",
            "标为非措施",
            "条款 → 措施",
            "新增目标",
            "并入",
            "撤销第",
        ):
            assert text in audit, text
        assert page.locator('[data-decisions] tr[data-status="undone"]').count() == 1

        # A full rebuild from scratch gives the same knowledge base.
        build([server.documents], tmp_path / "scratch", procs=1, quiet=True)
        assert _generation(tmp_path / "scratch") == _generation(server.index)

        # Both files edited elsewhere: a section before 三、主要措施 (the seed's measure ids move), a line in the
        # report's review. The background build applies every decision to the same words at their new places.
        seed = (server.documents / SEED.name).read_text(encoding="utf-8")
        seed = re.sub(
            r"(\s*)三、主要措施", r"\1三、基本原则\n\n坚持创新引领。\n\n\1四、主要措施", seed, count=1
        )
        (server.documents / SEED.name).write_text(seed, encoding="utf-8")
        report = REPORT.replace(
            "一、2019年工作回顾\n\n", "一、2019年工作回顾\n\n（本报告经局务会审议通过。）\n\n"
        )
        (server.documents / "report.md").write_text(report, encoding="utf-8")
        server.ws.rebuild()
        page.wait_for_timeout(300)
        assert server.ws.queue.wait_idle(BUILD_SECONDS)
        decisions = _wait_live(page, base, server)
        assert [d for d in decisions.values() if d["status"] == "stale"] == []
        public.goto(base + f"/documents/{REPORT_ID}")
        assert public.locator("h1").inner_text() == TITLE
        public.goto(base + f"/measures/{DOC}.m2.3")
        assert public.locator("[data-curated]").count() == 1
        assert _json(public, base, f"/api/measures/{DOC}.m4.10")[0] == 200  # undone: still a measure
        report_json = _json(public, base, f"/api/documents/{REPORT_ID}")[1]
        assert [t["indicator"] for t in report_json["targets"] if t["value_text"] == "400家"] == [
            "科技型中小企业评价入库"
        ]
        assert {r["id"] for r in report_json["results"]} >= {f"{REPORT_ID}.r1-5"}
        assert {p["item_id"] for p in _json(public, base, "/api" + planned["url"])[1]["points"]} == {
            f"{DOC}.t2.2-1",
            f"{REPORT_ID}.r1-6",
        }
        anonymous.close()

        # Anonymous and forged writes change nothing.
        before = (server.documents / "curation.jsonl").read_bytes()
        stranger = browser.new_context().new_page()
        stranger.goto(base + "/login")
        codes = stranger.evaluate(
            """async (base) => {
                const body = JSON.stringify({action: "set_document", document: "report", fields: {title: "x"}});
                const post = (headers) => fetch(base + "/api/curation", {method: "POST", body, headers}).then(r => r.status);
                const token = (await (await fetch(base + "/api/login")).json()).csrf_token;
                return [await post({"Content-Type": "application/json"}),
                        await post({"Content-Type": "application/json", "X-CSRFToken": token})];
            }""",
            base,
        )
        assert codes == [403, 401]
        forged = page.evaluate(
            """() => fetch("/api/curation", {method: "POST", headers: {"Content-Type": "application/json",
                  "X-CSRFToken": "forged"}, body: JSON.stringify({action: "undo", decision: 1})}).then(r => r.status)"""
        )
        assert forged == 403
        assert (server.documents / "curation.jsonl").read_bytes() == before
        assert json.loads(before.splitlines()[0])["user"] == "editor"
        assert [e for e in errors if "Failed to load resource" not in e] == []
    finally:
        context.close()
