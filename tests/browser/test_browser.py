"""End to end in headless Chromium against the real server: search, measure page, copy, basket, categories."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DOC = "000_3ccc218f3f77786b"
SIX = f"{DOC}.m3.6"
TITLE = "《十堰市2019年科技创新工作要点》"
DESIGNATION = "《十堰市2019年科技创新工作要点》（十堰市科学技术局，2019年7月8日）"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _watch_console(page, errors: list[str]) -> None:
    """Collect console errors and CSP violations (an inline script would show up here)."""
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))


def test_search_open_copy_basket_and_category(browser, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    _watch_console(page, errors)
    try:
        page.goto(live_server + "/")
        # "/" focuses the search box.
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement && document.activeElement.id") == "home-q"
        page.keyboard.type("知识产权")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=*")
        first = page.locator(".hit a.hit-title").first
        assert first.get_attribute("href") == f"/measures/{SIX}"
        assert "知识产权" in first.inner_text()

        first.click()
        page.wait_for_url(f"**/measures/{SIX}")
        assert "(六)" in page.locator("h1").inner_text()
        assert page.locator("mark.mention").count() >= 1

        # "复制引文": the reference alone; "复制原文及出处": the verbatim quote, then the reference.
        page.get_by_role("button", name="复制引文").click()
        page.locator("[data-status]", has_text="已复制引文").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == DESIGNATION + "三、主要措施（六）"
        page.get_by_role("button", name="复制原文及出处").click()
        page.locator("[data-status]", has_text="已复制原文及出处").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("(六)着力加强知识产权保护与运用,增强科技创新驱动力。")
        assert copied.endswith("违法行为。\n" + DESIGNATION + "三、主要措施（六）")

        # Another style is one select away; the copy buttons follow it.
        page.locator("[data-cite-select]").select_option("gbt7714")
        assert page.locator('.cite-style[data-style="gbt7714"]').is_visible()
        assert not page.locator('.cite-style[data-style="official"]').is_visible()
        page.get_by_role("button", name="复制引文").click()
        page.locator("[data-status]", has_text="已复制引文").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == (
            "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
        )

        page.locator(f'[data-basket-add="{SIX}"]').click()
        page.locator("[data-status]", has_text="已加入引用篮").wait_for()
        assert page.locator("[data-basket-count]").inner_text() == "1"

        page.goto(live_server + "/basket")
        item = page.locator(f'.basket-item[data-id="{SIX}"]')
        item.wait_for()
        assert "着力加强知识产权保护与运用" in item.inner_text()
        assert page.locator("[data-export-ids]").input_value() == SIX

        page.goto(live_server + f"/measures/{SIX}")
        page.locator("a.chip-category", has_text="知识产权").first.click()
        page.wait_for_url("**/categories/**")
        assert "知识产权" in page.locator("h1").inner_text()
        assert page.locator(f'a[href="/measures/{SIX}"]').count() >= 1
        assert errors == []
    finally:
        context.close()


def test_basket_reorder_and_remove(browser, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    errors: list[str] = []
    _watch_console(page, errors)
    try:
        page.goto(live_server + "/basket")
        ids = [f"{DOC}.m3.1", SIX, f"{DOC}.t2.2-2"]
        page.evaluate("ids => localStorage.setItem('policykb.basket', JSON.stringify(ids))", ids)
        page.reload()
        page.locator(".basket-item").nth(2).wait_for()
        assert page.locator(".basket-item").evaluate_all("els => els.map(e => e.dataset.id)") == ids
        page.locator(f'.basket-item[data-id="{SIX}"] [data-action="up"]').click()
        assert page.locator(".basket-item").first.get_attribute("data-id") == SIX
        page.locator(f'.basket-item[data-id="{DOC}.m3.1"] [data-action="remove"]').click()
        assert page.locator(".basket-item").count() == 2
        stored = page.evaluate("JSON.parse(localStorage.getItem('policykb.basket'))")
        assert stored == [SIX, f"{DOC}.t2.2-2"]
        assert errors == []
    finally:
        context.close()


def test_copy_on_target_and_clause_pages(browser, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    _watch_console(page, errors)
    try:
        page.goto(live_server + f"/targets/{DOC}.t2.2-2")
        page.get_by_role("button", name="复制引文").click()
        page.locator("[data-status]", has_text="已复制引文").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == DESIGNATION + "二、主要目标第二项"
        page.goto(live_server + f"/clauses/{DOC}.s3.6")
        page.get_by_role("button", name="复制原文及出处").click()
        page.locator("[data-status]", has_text="已复制原文及出处").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("(六)") and copied.endswith(DESIGNATION + "三、主要措施（六）")
        assert errors == []
    finally:
        context.close()


def test_basket_copy_and_export_in_the_chosen_style(browser, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    _watch_console(page, errors)
    try:
        page.goto(live_server + "/basket")
        ids = [f"{DOC}.t2.2-2", SIX]
        page.evaluate("ids => localStorage.setItem('policykb.basket', JSON.stringify(ids))", ids)
        page.reload()
        target = page.locator(f'.basket-item[data-id="{DOC}.t2.2-2"]')
        target.wait_for()
        assert "全市发明专利申请量达到2100件" in target.locator(".basket-title").inner_text()
        assert target.locator(".cite-reference").inner_text() == DESIGNATION + "二、主要目标第二项"
        page.locator("[data-basket-style]").select_option("gbt7714-2025")
        assert target.locator(".cite-reference").inner_text() == (
            "十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08."
        )
        target.get_by_role("button", name="复制第 1 条的原文及出处").click()
        target.locator("[data-status]", has_text="已复制原文及出处").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("完成科技成果转化项目140项") and "二、主要目标第二项" in copied

        # Export: the chosen style and format, in the basket's order.
        assert page.locator("[data-export-ids]").input_value() == ",".join(ids)
        page.locator("[data-export-format]").select_option("md")
        with page.expect_download() as download_info:
            page.locator("[data-export-submit]").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".md")
        text = Path(download.path()).read_text(encoding="utf-8")
        assert text.index("## 一、全市发明专利申请量达到2100件") < text.index(
            "## 二、着力加强知识产权保护与运用"
        )
        assert "出处：《十堰市2019年科技创新工作要点》二、主要目标第二项[1]" in text
        assert "## 参考文献\n\n[1] 十堰市科学技术局. 十堰市2019年科技创新工作要点[Z]. 2019-07-08.\n" in text

        page.locator("[data-export-format]").select_option("docx")
        with page.expect_download() as download_info:
            page.locator("[data-export-submit]").click()
        import docx

        document = docx.Document(download_info.value.path())
        assert document.paragraphs[1].text == "一、全市发明专利申请量达到2100件"
        assert document.sections[0].page_height.mm == pytest.approx(297, abs=0.1)
        assert errors == []
    finally:
        context.close()


def test_screenshots(browser, live_server: str, screenshot_dir: Path | None) -> None:
    if screenshot_dir is None:
        pytest.skip("screenshots not requested (--screenshots or POLICYKB_SCREENSHOTS=1)")
    pages = {
        "home": "/",
        "search": "/search?q=知识产权",
        "measure": f"/measures/{SIX}",
        "document": f"/documents/{DOC}#{DOC}.s3.6",
        "basket": "/basket",
    }
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="zh-CN")
        page = context.new_page()
        page.goto(live_server + "/")
        page.evaluate("id => localStorage.setItem('policykb.basket', JSON.stringify([id]))", SIX)
        for name, path in pages.items():
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            # Desktop: the whole page; phone: the first screen, what a reader sees on arrival.
            full_page = device == "desktop" and name != "document"
            shot = screenshot_dir / f"{name}-{device}.png"
            page.screenshot(path=str(shot), full_page=full_page)
            assert page.locator("h1").count() >= 1, f"{name} has no heading"
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000, shot
        context.close()
