"""作战图 in headless Chromium with every non-local request blocked.

Checks that the map draws (pixels in the deck canvas, Chinese county names), the
presentation mode on a 1920x1080 screen, choosing a town, a hostile project name in
the tooltip and the detail panel, the optional basemap (local tiles load; outside
tiles fail and the page says why), and the offline exports.
"""
from __future__ import annotations

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from PIL import Image

from portfolio import demo, maps
from portfolio.store import Store
from tests.e2e.browser import browser_page, wait_until_rendered
from tests.e2e.conftest import running_app
from tests.seed import insert_projects

ROOT = Path(__file__).resolve().parents[2]
CHART = '[data-testid="stDeckGlJsonChart"]'
XSS = "<img src=x onerror=alert(1)>"
TILE_RGB = (186, 120, 255)  # the local test tiles' colour: nothing else on the map has it
XSS_POINT = (113.62, 24.60)  # in 英德市, away from the demo projects


# Helpers -------------------------------------------------------------------------------------
def open_map(page, base: str, query: str = "") -> None:
    """Load the map page by its own link."""
    page.goto(f"{base}/map{query}")
    wait_until_rendered(page)
    page.wait_for_selector(f"{CHART} canvas", timeout=60_000)


def chart_image(page) -> Image.Image:
    return Image.open(io.BytesIO(page.locator(CHART).first.screenshot())).convert("RGB")


def painted(image: Image.Image) -> int:
    """Pixels that are not white, the page background behind an empty deck."""
    return int((np.asarray(image).min(axis=2) < 250).sum())


def wait_for_map(page, minimum: int = 20_000, timeout_s: float = 60) -> Image.Image:
    """Wait until the deck canvas has drawn at least `minimum` non-background pixels; return the image."""
    deadline = time.monotonic() + timeout_s
    while True:
        image = chart_image(page)
        if painted(image) >= minimum:
            return image
        if time.monotonic() > deadline:
            raise AssertionError(f"the map drew only {painted(image)} pixels")
        page.wait_for_timeout(250)


def click_until(page, x: float, y: float, shown, tries: int = 3, timeout_ms: int = 30_000) -> None:
    """Click the deck at (x, y) until `shown(timeout_ms)` returns without a timeout. On a loaded machine
    deck.gl can drop a click that lands during a redraw; selecting the same object again is harmless."""
    for attempt in range(tries):
        page.mouse.move(x + 3, y + 3)  # a real move, so that deck.gl picks (and shows the tooltip) again
        page.mouse.move(x, y)
        page.locator(".deck-tooltip").wait_for(state="visible", timeout=15_000)  # picking is ready
        page.mouse.click(x, y)
        try:
            shown(timeout_ms)
            return
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise


def current_view(page) -> maps.View:
    at = parse_qs(urlparse(page.url).query).get("map_at", [""])[0]
    view = maps.View.from_param(at)
    assert view is not None, page.url
    return view


def screen_point(page, view: maps.View, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is inside the chart element, for the view deck.gl starts from."""
    box = page.locator(CHART).first.bounding_box()
    x0, y0 = maps._pixel(view.lon, view.lat, view.zoom)
    x, y = maps._pixel(lon, lat, view.zoom)
    return box["width"] / 2 + (x - x0), box["height"] / 2 + (y - y0)


def dark_text_pixels(image: Image.Image, centre: tuple[float, float], half_w: int, half_h: int) -> int:
    """Near-black neutral pixels (label text is #464646 / #232323 with a white halo) around `centre`."""
    x, y = centre
    crop = image.crop((int(x - half_w), int(y - half_h), int(x + half_w), int(y + half_h)))
    pixels = np.asarray(crop).astype(int)
    high, low = pixels.max(axis=2), pixels.min(axis=2)
    return int(((high < 110) & (high - low < 20)).sum())


# The default server (app_server: demo data, no secrets) ---------------------------------------------
def test_default_map_is_offline_and_draws_chinese_labels(app_server, shot_dir):
    with browser_page(1600, 1000) as page:
        started = time.monotonic()
        open_map(page, app_server)
        image = wait_for_map(page)
        first_render = time.monotonic() - started
        page.screenshot(path=str(shot_dir / "map_default.png"), full_page=True)
        image.save(shot_dir / "map_default_canvas.png")
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("h1").first.inner_text().strip() == "作战图"
        legend = main.locator(".map-legend").first.inner_text()
        for text in ("项目类别", "供水", "道路", "厕所", "空心：近似位置", "圆点大小：计划投资（万元）",
                     "数据日期：2026-10-31"):
            assert text in legend
        assert "定位情况：560 个项目中" in main.inner_text()
        # County names drawn in the canvas: dark text pixels where 阳山县 and 英德市 sit.
        view = current_view(page)
        labels = maps.county_label_points()
        for county in ("阳山县", "英德市"):
            where = screen_point(page, view, *labels[county])
            assert dark_text_pixels(image, where, 34, 12) > 40, county
        assert page.outside_requests == []
        print(f"first render of the map page: {first_render:.1f} s")


def test_presentation_mode_fills_a_wall_screen(app_server, shot_dir):
    with browser_page(1920, 1080) as page:
        open_map(page, app_server, "?present=1")
        page.wait_for_selector('[data-testid="map-present-title"]')
        image = wait_for_map(page, 60_000)
        page.screenshot(path=str(shot_dir / "map_presentation_1920x1080.png"))
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        title = page.locator('[data-testid="map-present-title"]').inner_text()
        assert "乡村振兴项目作战图 · 清远市" in title and "数据日期：2026-10-31" in title
        strip = page.locator('[data-testid="map-kpi-strip"]').inner_text()
        assert "560" in strip and "完工率" in strip and "逾期项目" in strip
        # Large type: the KPI numbers and the legend read from the back of the room.
        kpi_px = page.locator('[data-testid="map-kpi-strip"] div div').first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)")
        legend_px = page.locator(".map-legend").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert kpi_px >= 36 and legend_px >= 20
        # The map, legend and numbers fit on the one screen, and the map fills most of its width.
        chart = page.locator(CHART).first.bounding_box()
        assert chart["y"] + chart["height"] <= 1080 and chart["width"] >= 1300
        legend_box = page.locator(".map-legend").first.bounding_box()
        assert legend_box["y"] + legend_box["height"] <= 1080
        assert painted(image) > 0.15 * image.width * image.height
        assert page.outside_requests == []


def test_choosing_a_town_zooms_and_narrows_the_filters(app_server, shot_dir):
    with browser_page(1600, 1000) as page:
        open_map(page, app_server)
        wait_for_map(page)
        before = current_view(page)
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="定位到镇").click()
        page.keyboard.type("黎埠镇 · 阳山县")
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.location.search.includes('town=')", timeout=30_000)
        wait_until_rendered(page)
        wait_for_map(page)
        page.screenshot(path=str(shot_dir / "map_town_libu.png"), full_page=True)
        after = current_view(page)
        assert after.zoom > before.zoom + 1.5
        assert abs(after.lon - 112.4) < 0.2 and abs(after.lat - 24.55) < 0.2
        sidebar_town = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).inner_text()
        assert "黎埠镇" in sidebar_town
        assert "town=%E9%98%B3%E5%B1%B1%E5%8E%BF%2F%E9%BB%8E%E5%9F%A0%E9%95%87" in page.url or "黎埠镇" in page.url
        assert page.outside_requests == []


def test_exports_open_offline(app_server, shot_dir, tmp_path):
    with browser_page(1600, 1000) as page:
        open_map(page, app_server, "?county=阳山县")
        wait_for_map(page)
        with page.expect_download(timeout=180_000) as info:  # a fresh Chromium map render under test load
            page.get_by_role("button", name="下载离线地图（HTML）").click()
        html_path = tmp_path / "map.html"
        info.value.save_as(html_path)
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="下载图片（PNG）").click()
        png_path = tmp_path / "map.png"
        info.value.save_as(png_path)
        assert page.outside_requests == []
    picture = Image.open(png_path).convert("RGB")
    picture.save(shot_dir / "map_export.png")
    # The download is the slide picture the deck and the report use (one render, cached).
    assert picture.size == (1845, 984) and painted(picture) > 0.3 * 1845 * 984
    with browser_page(1400, 900) as page:
        page.goto(html_path.as_uri())
        page.wait_for_function("() => window.__mapReady === true", timeout=60_000)
        page.screenshot(path=str(shot_dir / "map_export_html.png"))
        assert page.locator("h1").inner_text() == "阳山县乡村振兴项目分布图"
        assert "项目类别" in page.locator(".map-legend").inner_text()
        shot = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
        assert painted(shot) > 0.2 * shot.width * shot.height
        assert page.outside_requests == []


# The wall screen (issue 10, item 8) ----------------------------------------------------------------
WALL = (1920, 1080)
PHONE = (390, 844)


def _wall_labels(view: maps.View) -> list[dict]:
    """The town labels the wall screen draws at `view` over the default demo (what the server holds)."""
    import json

    from portfolio.filters import Filters

    db = Store(":memory:")
    demo.build(db)
    try:
        data = maps.load(db, Filters(), demo.DEMO_AS_OF)
        built = maps.build(data, maps.MapOptions(scale=1.35), view=view)
    finally:
        db.close()
    spec = json.loads(built.deck.to_json())
    return next(layer for layer in spec["layers"] if layer["id"] == "town_labels")


def test_wall_screen_map_fills_the_screen_without_an_empty_band(app_server, shot_dir):
    with browser_page(*WALL) as page:
        open_map(page, app_server, "?present=1")
        wait_for_map(page, 60_000)
        page.screenshot(path=str(shot_dir / "wall_1920x1080.png"))
        chart = page.locator(CHART).first.bounding_box()
        assert chart["width"] * chart["height"] >= 0.70 * WALL[0] * WALL[1], chart
        # Edge to edge, and down to the bottom of the screen: no empty band beside or below the map.
        assert chart["x"] <= 40 and chart["x"] + chart["width"] >= WALL[0] - 40
        assert WALL[1] - 60 <= chart["y"] + chart["height"] <= WALL[1]
        strip = page.locator('[data-testid="map-kpi-strip"]').bounding_box()
        assert chart["y"] - (strip["y"] + strip["height"]) <= 60  # nothing empty between the numbers and the map
        # The legend floats over the map instead of taking a column of its own.
        legend = page.locator(".map-legend").first.bounding_box()
        assert chart["x"] < legend["x"] and legend["x"] + legend["width"] <= chart["x"] + chart["width"]
        assert page.outside_requests == []


def test_wall_screen_town_labels_are_large_apart_and_win_over_points(app_server, shot_dir):
    with browser_page(*WALL) as page:
        open_map(page, app_server, "?present=1")
        image = wait_for_map(page, 60_000)
        page.mouse.move(2, 2)  # no tooltip over the labels
        page.wait_for_timeout(300)
        image = chart_image(page)
        image.save(shot_dir / "wall_labels_canvas.png")
        view = current_view(page)
        layer = _wall_labels(view)
        size = layer["getSize"]
        assert size >= 16
        assert layer["background"] is True
        boxes = []
        for row in layer["data"]:
            x, y = screen_point(page, view, *row["p"])
            half_w, half_h = len(row["t"]) * size / 2, size * 0.5
            boxes.append((x - half_w, y - half_h, x + half_w, y + half_h, row["t"]))
        assert len(boxes) >= 20
        for i, a in enumerate(boxes):  # never drawn over one another
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a[4], b[4])
        # Inside each name's box no colour of a point shows through: the name wins.
        pixels = np.asarray(image).astype(int)
        for x0, y0, x1, y1, text in boxes:
            crop = pixels[max(int(y0), 0):int(y1), max(int(x0), 0):int(x1)]
            saturated = ((crop.max(axis=2) - crop.min(axis=2)) > 60).mean()
            assert saturated < 0.03, (text, saturated)


def test_wheel_scrolls_the_page_and_the_buttons_zoom_the_map(app_server, shot_dir):
    with browser_page(1600, 1000) as page:
        open_map(page, app_server)
        wait_for_map(page)
        before_view = current_view(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.mouse.move(2, 2)
        before = chart_image(page)
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator(CHART).first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        scroller = "document.querySelector('[data-testid=\"stMain\"]')"
        start = page.evaluate(f"window.scrollY + ({scroller} ? {scroller}.scrollTop : 0)")
        page.mouse.wheel(0, 400)
        page.wait_for_function(f"() => window.scrollY + ({scroller} ? {scroller}.scrollTop : 0) > {start}",
                               timeout=10_000)
        page.evaluate(f"window.scrollTo(0, 0); if ({scroller}) {scroller}.scrollTop = 0")
        page.mouse.move(2, 2)
        after = chart_image(page)
        change = np.abs(np.asarray(after).astype(int) - np.asarray(before).astype(int)).mean()
        assert change < 2.0, f"the wheel changed the map (mean pixel change {change:.1f})"
        assert current_view(page) == before_view
        page.get_by_role("button", name="放大").click()
        page.wait_for_function("z => { const at = new URLSearchParams(location.search).get('map_at') || '';"
                               " return Math.abs(parseFloat(at.split(',')[2]) - z) < 0.01; }",
                               arg=before_view.zoom + 1, timeout=30_000)
        wait_until_rendered(page)
        page.mouse.move(2, 2)
        deadline = time.monotonic() + 30
        while True:  # the canvas redraws at the new zoom
            zoomed = chart_image(page)
            change = np.abs(np.asarray(zoomed).astype(int) - np.asarray(before).astype(int)).mean()
            if change > 10 or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        page.screenshot(path=str(shot_dir / "map_zoomed_by_button.png"), full_page=True)
        assert change > 10, "the zoom button did not change the map"
        assert page.outside_requests == []


def test_wall_screen_exports_are_reachable_and_carry_the_demo_mark(app_server, shot_dir, tmp_path):
    with browser_page(*WALL) as page:
        open_map(page, app_server, "?present=1")
        wait_for_map(page, 60_000)
        opener = page.get_by_role("button", name="导出")
        opener_box = opener.bounding_box()
        assert opener_box["y"] + opener_box["height"] <= WALL[1] and opener_box["x"] + opener_box["width"] <= WALL[0]
        opener.click()
        button = page.get_by_role("button", name="下载离线地图（HTML）")
        button.wait_for(state="visible", timeout=15_000)
        page.screenshot(path=str(shot_dir / "wall_exports_open.png"))
        box = button.bounding_box()
        assert box["y"] + box["height"] <= WALL[1]
        with page.expect_download(timeout=180_000) as info:  # a fresh Chromium map render under test load
            button.click()
        html_path = tmp_path / "wall_map.html"
        info.value.save_as(html_path)
        assert page.get_by_role("button", name="下载图片（PNG）").is_visible()
        assert page.outside_requests == []
    html = html_path.read_text(encoding="utf-8")
    assert 'data-mark="demo">演示数据<' in html


def test_phone_presentation_stacks_cleanly(app_server, shot_dir):
    with browser_page(*PHONE) as page:
        open_map(page, app_server, "?present=1")
        page.wait_for_selector('[data-testid="map-present-title"]')
        wait_for_map(page, 10_000)
        page.screenshot(path=str(shot_dir / "wall_phone_390x844.png"))
        title = page.locator('[data-testid="map-present-title"] h1')
        box = title.bounding_box()
        font = title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert box["width"] >= 8 * font  # not a column of single characters
        assert box["height"] <= 2.8 * font  # at most two lines
        for span in page.locator('[data-testid="map-present-title"] span').all():
            span_box = span.bounding_box()
            span_font = span.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert span_box["height"] <= 1.8 * span_font, span.inner_text()  # date and demo mark on one line
        cells = page.locator('[data-testid="map-kpi-strip"] > div').all()
        assert len(cells) == 5
        for cell in cells:
            cell_box = cell.bounding_box()
            assert cell_box["x"] >= 0 and cell_box["x"] + cell_box["width"] <= PHONE[0], cell.inner_text()
            assert cell.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), cell.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        zoom_in, zoom_out = (page.get_by_role("button", name=n).bounding_box() for n in ("放大", "缩小"))
        assert abs(zoom_in["y"] - zoom_out["y"]) < 2  # the tool buttons sit side by side, not one per row
        assert page.outside_requests == []


# A server with a hostile project name and basemap settings ------------------------------------------
class _Tiles(BaseHTTPRequestHandler):
    requests: list[str] = []
    png = b""

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Tiles.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(_Tiles.png)))
        self.end_headers()
        self.wfile.write(_Tiles.png)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tile_server():
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_RGB).save(buffer, "PNG")
    _Tiles.png = buffer.getvalue()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _add_hostile_project(db_path: Path) -> None:
    db = Store(db_path)
    frame = pd.DataFrame([dict(project_id="XSS1", name=XSS, county="英德市", town="沙口镇", village="<b>清华村</b>",
                               category="water_supply", status="in_progress", budget_wan=120.0, progress_pct=35.0,
                               lon=XSS_POINT[0], lat=XSS_POINT[1], location_precision="exact", year=2026)])
    insert_projects(db, frame)
    db.close()


@pytest.fixture(scope="module")
def map_server(tmp_path_factory, tile_server):
    """A dashboard over the demo data plus a project named like an HTML tag, with two basemaps configured
    and a point limit of 300 (so that the 561 projects show as town totals)."""
    home = tmp_path_factory.mktemp("map_e2e")
    secrets = home / "secrets.toml"
    secrets.write_text(
        "[map]\npoint_limit = 300\n"
        "[[map.basemaps]]\n"
        f'name = "本地测试底图"\ntype = "raster"\nurl = "{tile_server}/tiles/{{z}}/{{x}}/{{y}}.png"\n'
        "[[map.basemaps]]\n"
        'name = "外网底图"\ntype = "raster"\nurl = "https://tiles.example.com/{z}/{x}/{y}.png"\n',
        encoding="utf-8")
    with running_app(home / "map.duckdb", prepare=_add_hostile_project,
                     env={"STREAMLIT_SECRETS_FILES": str(secrets)}) as url:
        yield url


def test_hostile_project_name_shows_as_text_in_tooltip_and_detail(map_server, shot_dir):
    with browser_page(1600, 1000) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_map(page, map_server, "?q=img")
        wait_for_map(page)
        x, y = screen_point(page, current_view(page), *XSS_POINT)
        box = page.locator(CHART).first.bounding_box()
        page.mouse.move(box["x"] + x, box["y"] + y)
        tooltip = page.locator(".deck-tooltip")
        tooltip.wait_for(state="visible", timeout=15_000)
        page.screenshot(path=str(shot_dir / "map_tooltip_hostile_name.png"))
        text = tooltip.inner_text()
        assert XSS in text and "<b>清华村</b>" in text and "类别：供水" in text and "进度 35%" in text
        assert tooltip.locator("img").count() == 0 and tooltip.locator("b").count() == 1  # only our heading
        click_until(page, box["x"] + x, box["y"] + y,
                    lambda ms: page.get_by_text("项目详情", exact=True).wait_for(timeout=ms))
        wait_until_rendered(page)
        page.screenshot(path=str(shot_dir / "map_detail_hostile_name.png"), full_page=True)
        main = page.locator('[data-testid="stMain"]')
        assert XSS in main.inner_text()
        assert main.locator("img[src=x]").count() == 0
        assert page.get_by_role("button", name="在项目库中打开").is_visible()
        assert dialogs == [] and page.outside_requests == []


def test_clicking_a_town_total_zooms_to_the_town_and_narrows_the_filters(map_server, shot_dir):
    with browser_page(1600, 1000) as page:
        open_map(page, map_server)
        page.get_by_text("超过 300 个").first.wait_for(timeout=30_000)  # the page says it aggregated
        wait_for_map(page)
        before = current_view(page)
        aimed = next(t for t in maps.geo.towns() if (t.county, t.town) == ("阳山县", "太平镇"))
        x, y = screen_point(page, before, aimed.lon, aimed.lat)
        box = page.locator(CHART).first.bounding_box()
        wait_until_rendered(page)
        click_until(page, box["x"] + x, box["y"] + y,
                    lambda ms: page.wait_for_function("() => window.location.search.includes('town=')", timeout=ms))
        wait_until_rendered(page)
        wait_for_map(page)
        page.screenshot(path=str(shot_dir / "map_town_total_clicked.png"), full_page=True)
        # Bubbles overlap at this zoom: whichever town's circle was on top, the map narrows to it and frames it.
        county, town = parse_qs(urlparse(page.url).query)["town"][0].split("/")
        chosen = next(t for t in maps.geo.towns() if (t.county, t.town) == (county, town))
        assert maps.geo.distance_km(chosen.lon, chosen.lat, aimed.lon, aimed.lat) < 25
        after = current_view(page)
        assert after.zoom > before.zoom + 1.5
        assert maps.geo.distance_km(after.lon, after.lat, chosen.lon, chosen.lat) < 15
        sidebar_town = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).inner_text()
        assert town in sidebar_town
        assert page.outside_requests == []


def test_local_basemap_loads_under_boundaries_and_points(map_server, tile_server, shot_dir):
    _Tiles.requests.clear()
    with browser_page(1600, 1000) as page:
        open_map(page, map_server, "?map_base=本地测试底图")
        frame = page.frame_locator('iframe[title="st.iframe"], iframe').first
        frame.get_by_text("底图“本地测试底图”已加载。").wait_for(timeout=30_000)
        deadline = time.monotonic() + 60
        while True:  # tiles arrive after the style: wait for the tile colour to show
            image = chart_image(page)
            tile_pixels = int((np.asarray(image) == TILE_RGB).all(axis=2).sum())
            if tile_pixels > 20_000 or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        page.screenshot(path=str(shot_dir / "map_local_basemap.png"), full_page=True)
        assert tile_pixels > 20_000, "the local tiles did not show"
        assert any(path.startswith("/tiles/") for path in _Tiles.requests)
        assert painted(image) - tile_pixels > 20_000  # boundaries, names and points drawn over the tiles
        assert page.outside_requests == []


def test_unreachable_basemap_is_explained_and_the_map_still_draws(map_server, shot_dir):
    with browser_page(1600, 1000) as page:
        open_map(page, map_server, "?map_base=外网底图")
        frame = page.frame_locator("iframe").first
        message = frame.get_by_text("未能加载")
        message.wait_for(timeout=30_000)
        image = wait_for_map(page)
        page.screenshot(path=str(shot_dir / "map_basemap_unreachable.png"), full_page=True)
        assert "连接不到瓦片服务器" in message.inner_text() and "照常显示" in message.inner_text()
        assert painted(image) > 50_000
        hosts = {urlparse(url).hostname for url in page.outside_requests}
        assert hosts == {"tiles.example.com"}  # the only thing that tried to leave: the chosen basemap
