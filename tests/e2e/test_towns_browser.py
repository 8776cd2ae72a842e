"""镇村画像 in the browser: choose a town, see its numbers, download its deck."""
from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pptx import Presentation

from tests.e2e.browser import browser_page, wait_until_rendered


def test_choose_town_and_download_deck(app_server, shot_dir, tmp_path):
    with browser_page(1600, 2400) as page:
        page.goto(app_server + "/towns")
        wait_until_rendered(page)
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
        page.keyboard.type("太平镇 · 清新区")
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.location.search.includes('town=')", timeout=30_000)
        wait_until_rendered(page)
        page.wait_for_selector("h2:has-text('清新区太平镇')")
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=60_000)
        page.screenshot(path=str(shot_dir / "towns_qingxin_taiping.png"))
        sidebar_town = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).inner_text()
        assert "太平镇" in sidebar_town
        # The deck is made when clicked (a deferred download). A click on a button from a run that a
        # newer rerun has replaced finds its file gone (Streamlit logs "Deferred file ... not found"
        # and sends nothing): let the page settle, and click the current button again if nothing came.
        wait_until_rendered(page)
        path = tmp_path / "deck.pptx"
        for attempt in range(2):
            try:
                with page.expect_download(timeout=120_000) as info:  # a fresh Chromium map render under load
                    page.get_by_role("button", name="下载汇报 PPT").click()
                info.value.save_as(path)
                break
            except PlaywrightTimeout:
                if attempt:
                    raise
                wait_until_rendered(page)
        prs = Presentation(str(path))
        assert len(prs.slides) == 8  # with the map picture and the village indicators' slide
        texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]
        assert sum("村级指标" in text for text in texts) == 1
        cover = " ".join(s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame)
        assert "清新区太平镇" in cover
        assert page.outside_requests == []
