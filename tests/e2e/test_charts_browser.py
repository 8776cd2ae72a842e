"""The overview's charts at 1920x1080: axis ticks and bar labels legible from the back of a room (>= 14 px)."""
from __future__ import annotations

from tests.e2e.browser import browser_page, wait_until_rendered

CHART_TEXT = ".js-plotly-plot .xtick text, .js-plotly-plot .ytick text, .js-plotly-plot text.bartext"


def test_overview_ticks_and_bar_labels_are_at_least_14_px(app_server, shot_dir):
    with browser_page(1920, 1080) as page:
        page.goto(app_server + "/")
        wait_until_rendered(page)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot text.bartext').length > 10",
                               timeout=60_000)
        page.screenshot(path=str(shot_dir / "overview_1920x1080.png"), full_page=True)
        sizes = page.evaluate(f"""() => Array.from(document.querySelectorAll({CHART_TEXT!r}))
            .filter(e => e.textContent.trim() && e.getBoundingClientRect().width > 0)
            .map(e => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])""")
        ticks = page.evaluate("() => document.querySelectorAll('.js-plotly-plot .xtick text, "
                              ".js-plotly-plot .ytick text').length")
        assert ticks > 20 and len(sizes) > 30
        small = [(text, px) for text, px in sizes if px < 14]
        assert not small, small[:10]
        assert page.outside_requests == []
