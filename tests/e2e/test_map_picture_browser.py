"""The exported offline map in a browser: its scale bar follows the reader's zoom (issue 18, point 3)."""
from __future__ import annotations

from portfolio import demo, map_export
from portfolio.filters import Filters
from portfolio.store import Store
from tests.e2e.browser import browser_page


def _bar(page) -> tuple[str, int]:
    label = page.locator('[data-testid="scale-bar"] .label').inner_text()
    width = page.locator('[data-testid="scale-bar"] .bar').evaluate("e => e.getBoundingClientRect().width")
    return label, round(width)


def test_scale_bar_follows_the_zoom_of_the_offline_map(tmp_path, shot_dir):
    db = Store(":memory:")
    demo.build(db)
    try:
        result, title, subtitle = map_export.filters_map(db, Filters(counties=("阳山县",)), demo.DEMO_AS_OF)
        page_html = map_export.standalone_html(result.deck, title, result.legend, subtitle)
    finally:
        db.close()
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    metres, px = map_export.scale_bar(result.view)
    with browser_page(1600, 900) as page:
        page.goto(path.as_uri())
        page.wait_for_function("() => window.__mapReady === true", timeout=60_000)
        label, width = _bar(page)
        assert label == map_export.scale_label(metres, "zh") and abs(width - px) <= 2
        page.screenshot(path=str(shot_dir / "map_scale_bar.png"))
        box = page.locator("#map").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -600)  # zoom in: the bar now stands for fewer metres
        page.wait_for_function(f"() => document.querySelector('[data-testid=\"scale-bar\"] .label')"
                               f".textContent !== {label!r}", timeout=20_000)
        zoomed_label, zoomed_width = _bar(page)
        assert zoomed_label != label and 0.4 * map_export.SCALE_TARGET_PX <= zoomed_width <= map_export.SCALE_TARGET_PX
        assert page.outside_requests == []
