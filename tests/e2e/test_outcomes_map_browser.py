"""作战图's village indicator layer in a real browser: the 美丽乡村 tier map, drawn offline, titled, coloured by tier."""
from __future__ import annotations

import numpy as np

from portfolio.outcomes import map_layer
from tests.e2e.browser import browser_page, wait_until_rendered
from tests.e2e.test_map_browser import CHART, chart_image, open_map, wait_for_map


def _near(image, rgb, tolerance: int = 18) -> int:
    """Pixels within `tolerance` of a colour (village dots of one class)."""
    pixels = np.asarray(image).astype(int)
    return int((np.abs(pixels - np.array(rgb)).max(axis=2) <= tolerance).sum())


def test_tier_map_by_village(app_server, shot_dir):
    with browser_page(1600, 1000) as page:
        open_map(page, app_server)
        wait_for_map(page)
        layer = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="挂图作战")
        layer.click()
        page.keyboard.type("美丽乡村创建等级")
        page.keyboard.press("Enter")
        page.wait_for_selector('[data-testid="out-map-title"]', timeout=60_000)
        wait_until_rendered(page)
        page.wait_for_selector(f"{CHART} canvas", timeout=60_000)
        image = wait_for_map(page)
        page.screenshot(path=str(shot_dir / "outcomes_tier_map.png"), full_page=True)
        image.save(shot_dir / "outcomes_tier_map_canvas.png")
        title = page.locator('[data-testid="out-map-title"]').inner_text()
        assert title == "美丽乡村创建等级 · 各村 · 2026-10"
        legend = page.locator('[data-testid="out-map-legend"]').inner_text()
        for tier in ("特色精品村", "美丽宜居村", "干净整洁村", "未创建", "无数据"):
            assert tier in legend
        # Every tier's colour is on the canvas (dots of the 279 demo villages).
        shot = chart_image(page)
        for rgb in map_layer.TIER_RGB[1:]:
            assert _near(shot, rgb) > 30, rgb
        assert page.outside_requests == []


def test_wall_screen_opens_on_an_indicator_by_link(app_server, shot_dir):
    with browser_page(1920, 1080) as page:
        open_map(page, app_server, "?present=1&village_layer=sewage_rate")
        page.wait_for_selector('[data-testid="out-map-title"]', timeout=60_000)
        image = wait_for_map(page)
        page.screenshot(path=str(shot_dir / "outcomes_sewage_wall.png"))
        assert page.locator('[data-testid="out-map-title"]').inner_text() == "生活污水治理率 · 各村 · 2026-10"
        assert page.locator('[data-testid="map-kpi-strip"]').count() == 0  # the project KPIs give way
        legend = page.locator('[data-testid="out-map-legend"]').inner_text()
        assert "已达标" in legend and "差30个百分点以上" in legend and "无数据" in legend
        assert _near(image, map_layer.GAP_RGB[3]) > 30  # villages that met the target, in green
        # Title and map on the one screen.
        title_box = page.locator('[data-testid="out-map-title"]').bounding_box()
        chart = page.locator(CHART).first.bounding_box()
        print("title", title_box, "chart", chart, "scroll", page.evaluate("() => window.scrollY"))
        assert title_box["y"] >= 0 and chart["y"] + chart["height"] <= 1080
        assert page.outside_requests == []
