"""The overview in headless Chromium: Chinese title, a KPI value, no outside request."""
from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.browser import browser_page, wait_until_rendered


def open_overview(page, url: str, shot: Path) -> None:
    """Open the overview at `url`, wait for its KPI cards, and keep a screenshot."""
    page.goto(url)
    wait_until_rendered(page)
    page.wait_for_selector('[data-testid="stMetricValue"]')
    page.screenshot(path=str(shot))


def test_overview_renders_chinese_and_kpis(app_server, shot_dir):
    with browser_page() as page:
        open_overview(page, app_server + "/", shot_dir / "overview.png")
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("h1").inner_text().strip() == "总览"
        labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        kpis = dict(zip([l.strip() for l in labels], [v.strip() for v in values]))
        assert kpis["项目数"] == "560"
        assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", kpis["计划投资（万元）"])
        assert page.locator("text=演示数据").count() >= 1
        assert page.outside_requests == []


def test_county_filter_in_url_narrows_kpis(app_server, shot_dir):
    with browser_page() as page:
        open_overview(page, app_server + "/?county=阳山县", shot_dir / "overview_yangshan.png")
        first = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
        assert 0 < int(first.replace(",", "")) < 560
        assert page.outside_requests == []


def test_filters_mirror_into_the_url_and_reset(app_server, shot_dir):
    with browser_page() as page:
        page.goto(app_server + "/?county=阳山县&q=道路")
        wait_until_rendered(page)
        narrowed = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
        assert narrowed != "560"
        page.get_by_role("button", name="重置筛选").click()
        page.wait_for_function("() => !window.location.search.includes('county')", timeout=30_000)
        wait_until_rendered(page)
        assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == "560"
        # Choosing a status in the sidebar writes it into the URL, so the link reproduces the view.
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(4).click()
        page.get_by_role("option", name=re.compile("^在建")).click()
        page.keyboard.press("Escape")
        page.wait_for_function("() => window.location.search.includes('status=in_progress')", timeout=30_000)
        wait_until_rendered(page)
        shown = page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()
        assert 0 < int(shown.replace(",", "")) < 560
        page.screenshot(path=str(shot_dir / "overview_in_progress.png"))
        assert page.outside_requests == []


def test_attention_row_opens_the_project_detail(app_server, shot_dir):
    with browser_page(1600, 2600) as page:
        page.goto(app_server + "/")
        wait_until_rendered(page)
        grid = page.locator('[data-testid="stDataFrame"]').last  # the 需关注 table
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        # The grid is a canvas: click the selection cell of the first data row (below the header row).
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
        page.wait_for_function("() => window.location.pathname.endsWith('/projects')", timeout=30_000)
        wait_until_rendered(page)
        assert "project=XM" in page.url
        page.wait_for_selector("h3:has-text('项目详情')")
        page.screenshot(path=str(shot_dir / "attention_detail.png"))
        assert page.outside_requests == []
