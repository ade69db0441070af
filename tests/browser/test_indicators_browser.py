"""Indicator pages in headless Chromium: filter the list, open a series, read its chart and table, follow a target
page to its series; no external request, no console error, no sideways scrolling on a phone."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
HAILAR = CORPUS / "gwr_county_hailar"
PLAN = """十堰市加快高新技术产业发展行动方案

发文日期
2019年03月01日 00:00:00
发布机构
十堰市人民政府

一、主要目标

2019年，全市新增高新技术企业30家。

二、主要措施

（一）加大高新技术企业培育力度。建立高新技术企业后备库。
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seed plan, a second 十堰市 plan with another value for 2019, and the Hailar reports when present."""
    waitress = pytest.importorskip("waitress")
    from kb.build import build
    from web import create_app

    root = tmp_path_factory.mktemp("indicator-site")
    docs = root / "documents"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    (docs / "plan.txt").write_text(PLAN, encoding="utf-8")
    if HAILAR.is_dir():
        shutil.copytree(HAILAR, docs / "hailar")
    build([docs], root / "index", procs=2, quiet=True)
    server = waitress.create_server(
        create_app({"INDEX_DIR": str(root / "index")}), host="127.0.0.1", port=0, threads=2
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def _watch(page, base: str, errors: list[str], outside: list[str]) -> None:
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: None if req.url.startswith(base) else outside.append(req.url))


def test_filter_open_series_and_read_chart_and_table(browser, site: str) -> None:
    region = "海拉尔区" if HAILAR.is_dir() else "十堰市"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    _watch(page, site, errors, outside)
    try:
        page.goto(site + "/")
        page.locator(".site-nav a", has_text="指标").click()
        page.wait_for_url("**/indicators")
        # Conflicts first: the two 十堰市 plans disagree on 2019's 高新技术企业.
        first = page.locator(".indicator-table tbody tr").first
        assert "高新技术企业" in first.inner_text() and "冲突 1" in first.inner_text()

        page.locator('select[name="region"]').select_option(region)
        page.locator(".indicator-filters button[type=submit]").click()
        page.wait_for_url("**/indicators?*region=*")
        regions = page.locator('.indicator-table td[data-label="地区"]').all_inner_texts()
        assert regions and set(regions) == {region}

        link = page.locator(".indicator-table tbody tr a").first
        name = link.inner_text()
        link.click()
        page.wait_for_url("**/indicators/ind.*")
        assert name.split(" · ")[0] in page.locator("h1").inner_text()
        chart = page.locator("svg.chart-svg")
        assert chart.get_attribute("role") == "img" and chart.is_visible()
        # one mark per point: a target (square) or a result (dot), each year of the table has one at least
        marks = page.locator("svg.chart-svg .mark-target, svg.chart-svg .mark-result").count()
        years = page.locator(".indicator-years tbody tr").count()
        assert marks >= years >= 1
        if region == "海拉尔区":
            # 地区生产总值（亿元）: the results of 2011–2018 in the reports of 2012–2019, the targets of 2012–2017
            assert (
                years == 8
                and page.locator(".indicator-years tbody tr").first.locator("th").inner_text() == "2011"
            )
        # The mark's tooltip names the year, the value and the document.
        assert "年目标" in page.locator("svg.chart-svg .mark-target title").first.text_content()
        api = page.request.get(site + "/api" + page.url.removeprefix(site)).json()
        assert len(api["points"]) == marks
        assert errors == [] and outside == []
    finally:
        context.close()


def test_target_page_links_to_its_series_with_the_conflict(browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    _watch(page, site, errors, outside)
    try:
        series = page.request.get(site + "/api/indicators?region=十堰市&indicator=高新技术企业").json()[
            "series"
        ]
        detail = page.request.get(site + "/api" + series[0]["url"]).json()
        seed_target = next(p for p in detail["points"] if p["value"] == 42)
        page.goto(site + seed_target["url"])
        page.locator(".series-link a").click()
        page.wait_for_url("**" + series[0]["url"])
        conflict = page.locator("#conflicts-h + ul")
        assert "2019" in conflict.inner_text()
        assert (
            "净增高新技术企业42家" in conflict.inner_text()
            and "新增高新技术企业30家" in conflict.inner_text()
        )
        assert page.locator("svg.chart-svg .mark-target.conflict").count() == 2
        assert errors == [] and outside == []
    finally:
        context.close()


def test_phone_has_no_sideways_page_scroll(browser, site: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(site + "/indicators?show=all")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator(".indicator-table tbody tr a").first.click()
        page.wait_for_url("**/indicators/ind.*")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # The chart keeps a legible width and scrolls inside its own box.
        box = page.locator(".chart-scroll")
        assert box.evaluate("el => el.scrollWidth >= 600 && el.clientWidth < 390")
    finally:
        context.close()
