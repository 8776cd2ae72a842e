"""A 需关注 row opens 项目库 with the same filters, the project chosen and leading the table;
逾期 and 停滞 are columns seen without scrolling sideways at 1920×1080."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.browser import browser_page, wait_until_rendered


def test_attention_row_keeps_the_filters(app_server, shot_dir):
    with browser_page(1920, 1080) as page:
        page.goto(app_server + "/?county=阳山县&flag=late")
        wait_until_rendered(page)
        overview_count = page.locator('[data-testid="stMetric"]', has_text="项目数").first \
            .locator('[data-testid="stMetricValue"]').inner_text().strip()
        grid = page.locator('[data-testid="stDataFrame"]').last  # the 需关注 table
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first data row's selection cell
        page.wait_for_function("() => window.location.pathname.endsWith('/projects')", timeout=30_000)
        wait_until_rendered(page)
        page.wait_for_selector("h3:has-text('项目详情')")
        params = parse_qs(urlparse(page.url).query)
        assert params["county"] == ["阳山县"] and params["flag"] == ["late"] and re.fullmatch(r"XM\d+", params["project"][0])
        assert page.get_by_text(re.compile(rf"^共 {overview_count} 个项目$")).count() == 1
        table = page.locator('[data-testid="stDataFrame"]').first
        headers = table.locator("th, [role=columnheader]").all_inner_texts()
        assert "逾期" in headers and "停滞" in headers
        scroll = page.evaluate("""() => { const e = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                                          return [e.scrollWidth, e.clientWidth]; }""")
        assert scroll[0] <= scroll[1], scroll  # every column shows without scrolling sideways
        # The chosen project leads the table and is selected.
        first_row = table.locator("[role=row]").nth(1).inner_text()
        assert params["project"][0][:8] in first_row
        page.screenshot(path=str(shot_dir / "projects_from_attention.png"))
        assert page.outside_requests == []
