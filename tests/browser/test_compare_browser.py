"""Comparing plans in headless Chromium, on the corpus (skipped without it): from 海拉尔区's 2019 report to its
comparison with 2018 (kept, new and dropped tasks; the targets that changed with last year's results), its Word
and Excel 对照表, and the 2026 GDP growth targets of the provinces on one indicator page, sorted and linked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

Y2018, Y2019 = "006_9e165d1d616b1565", "007_484eeaecdf6bdcb8"


@pytest.fixture(scope="module")
def site(compare_corpus_index: Path) -> Iterator[str]:
    waitress = pytest.importorskip("waitress")
    from web import create_app

    server = waitress.create_server(
        create_app({"INDEX_DIR": str(compare_corpus_index)}), host="127.0.0.1", port=0, threads=2
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


def test_what_is_new_this_year_and_its_exports(browser, site: str, screenshot_dir, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    _watch(page, site, errors, outside)
    try:
        page.goto(f"{site}/documents/{Y2019}")
        page.locator('a[data-compare="previous"]').click()
        page.wait_for_url(f"**/compare?a={Y2018}&b={Y2019}")
        relations = page.locator(".compare-measures tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.relation)"
        )
        assert {"kept", "new", "dropped"} <= set(relations)
        kept = page.locator('.compare-measures tr[data-relation="kept"]').first
        assert (
            kept.locator("td").nth(0).locator("a").count() == 1
            and kept.locator("td").nth(2).locator("a").count() == 1
        )
        # the GDP growth target changed (6% → 3.5%) and last year's result says it was met
        gdp = page.locator(".compare-targets tbody tr", has_text="地区生产总值 · 增速")
        assert "6% → 3.5%" in gdp.inner_text() and "完成" in gdp.inner_text()
        if screenshot_dir is not None:
            page.screenshot(path=str(screenshot_dir / "compare.png"), full_page=True)
        with page.expect_download() as download:
            page.locator('a[data-export="docx"]').click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".docx" and saved.read_bytes()[:2] == b"PK"
        import docx

        assert len(docx.Document(str(saved)).tables) == 2
        with page.expect_download() as download:
            page.locator('a[data-export="xlsx"]').click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        import openpyxl

        assert openpyxl.load_workbook(saved).sheetnames == ["措施对照", "目标对照"]
        assert errors == [] and outside == []
    finally:
        context.close()


def test_provincial_gdp_growth_targets_on_one_indicator_page(browser, site: str, screenshot_dir) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    _watch(page, site, errors, outside)
    try:
        listing = page.request.get(
            site + "/api/indicators?region=北京市&indicator=地区生产总值&show=all"
        ).json()
        series = next(s for s in listing["series"] if s["dimension"] == "growth")
        page.goto(site + series["url"])
        part = page.locator('.regions-part[data-kind="target"]')
        assert "2026 年各地区目标" in part.locator("h3").inner_text()
        rows = part.locator(".regions-table tbody tr")
        assert rows.count() >= 25
        values = [float(v) for v in rows.evaluate_all("rows => rows.map(r => r.dataset.value)")]
        assert values == sorted(values, reverse=True)
        regions = rows.evaluate_all("rows => rows.map(r => r.dataset.region)")
        assert len(set(regions)) == len(regions) and "北京市" in regions
        assert part.locator("svg.regions-svg .bar").count() == rows.count()
        if screenshot_dir is not None:
            page.screenshot(path=str(screenshot_dir / "regions.png"), full_page=True)
        # each value links to its clause in its own province's report
        link = rows.nth(0).locator("a.region-value")
        region = regions[0]
        link.click()
        page.wait_for_url("**/documents/*")
        assert (
            region.removesuffix("自治区").removesuffix("省").removesuffix("市")[:2]
            in page.locator("h1").inner_text()
        )
        assert errors == [] and outside == []
    finally:
        context.close()
