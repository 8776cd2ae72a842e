"""Map exports: the legend fragment, the standalone offline HTML, the PNG rendered in headless Chromium."""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from portfolio import demo, headless, map_export, maps, views
from portfolio.filters import Filters
from tests.seed import insert_projects

AS_OF = demo.DEMO_AS_OF
BREAKOUT = "</script><script>alert(1)</script>"


def add_project(db, name: str) -> None:
    frame = pd.DataFrame([dict(project_id="Z1", name=name, county="阳山县", town="黎埠镇", village="石径村",
                               category="roads", status="in_progress", budget_wan=10.0, lon=112.41, lat=24.55,
                               location_precision="exact")])

    insert_projects(db, frame)


def test_legend_html_escapes_every_text():
    legend = maps.Legend("<b>类别</b>", (maps.LegendItem("<script>x</script>", "#0072B2", 3),
                                         maps.LegendItem("空心", "#777777", 2, hollow=True)),
                         "大小", (maps.SizeItem("10", 6.0),), ("注意 & 说明",), "2026-10-31")
    fragment = map_export.legend_html(legend)
    assert "<script>" not in fragment and "&lt;script&gt;x&lt;/script&gt;" in fragment
    assert "&lt;b&gt;类别&lt;/b&gt;" in fragment and "注意 &amp; 说明" in fragment
    assert "数据日期：2026-10-31" in fragment and "width:12px" in fragment  # size circle: 2 x radius


def test_standalone_html_is_self_contained_and_cannot_be_broken_out_of(mem_store):
    add_project(mem_store, BREAKOUT)
    result, title, subtitle = map_export.filters_map(mem_store, Filters(), AS_OF, "zh", 1200, 800)
    page = map_export.standalone_html(result.deck, title, result.legend, subtitle)
    head = page.split("<script>", 1)[0]
    tail = page.rsplit("</script>", 2)[-2]  # the page's own script, after the inlined bundle
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", head + tail)
    assert "<link" not in (head + tail).lower() and "<script src" not in page.lower()
    assert page.lower().count("</script") == 2  # the bundle's and the page's own: the name cannot close one
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in tail  # the name is there, as inert text
    assert map_export._script_json({"t": BREAKOUT}) == '{"t":"<\\/script><script>alert(1)<\\/script>"}'

    assert "createDeck(" in tail and len(page) > 4_000_000  # deck.gl inlined, not loaded from a CDN
    assert f'class="map-legend" style="font-family:' in page and f"font-size:{map_export.LEGEND_FONT_PX}px" in page
    assert title == "清远市乡村振兴项目分布图" and "2026-10-31" in subtitle


def test_exports_refuse_decks_meant_for_streamlit(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    with pytest.raises(ValueError, match="escaped tooltips"):
        map_export.standalone_html(maps.build(data).deck, "t", maps.Legend("x", ()))
    tiles = maps.Basemap("t", "raster", "https://example.org/{z}/{x}/{y}.png")
    with pytest.raises(ValueError, match="basemap"):
        map_export.standalone_html(maps.build(data, basemap=tiles, for_html=True).deck, "t", maps.Legend("x", ()))


@pytest.mark.slow
def test_map_png_has_the_requested_size_and_draws_the_map(demo_store):
    result, title, subtitle = map_export.filters_map(demo_store, Filters(counties=("阳山县",)), AS_OF, "zh", 1000, 640)
    png = map_export.map_png(result.deck, title, result.legend, 1000, 640, subtitle)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1000, 640)
    left, top = 0, map_export.TITLE_HEIGHT
    right, bottom = 1000 - map_export.LEGEND_WIDTH, 640
    pixels = np.asarray(image.crop((left, top, right, bottom))).astype(int)
    total = pixels.shape[0] * pixels.shape[1]
    assert (pixels != 255).any(axis=2).sum() > 0.2 * total  # county fill, borders, points
    county_fill = np.array(maps.FILL_SELECTED_RGB)
    assert (np.abs(pixels - county_fill).max(axis=2) <= 2).sum() > 0.05 * total  # the chosen county's fill
    title_band = np.asarray(image.crop((0, 0, 600, map_export.TITLE_HEIGHT - 10)))
    assert (title_band[:, :, 2] < 120).sum() > 500  # the dark-blue title was drawn


def test_map_png_for_returns_none_without_a_browser(demo_store, monkeypatch):
    monkeypatch.setattr(headless, "chromium_path", lambda: None)
    assert map_export.map_png_for(demo_store, Filters()) is None
    result, title, subtitle = map_export.filters_map(demo_store, Filters(), AS_OF)
    with pytest.raises(map_export.MapExportError, match="Chromium"):
        map_export.map_png(result.deck, title, result.legend)


@pytest.mark.slow
def test_map_png_goes_into_the_meeting_deck(demo_store):
    from pptx import Presentation

    from portfolio import meeting

    county = Filters(counties=("阳山县",))
    deck_bytes = meeting.deck_bytes(demo_store, county, "zh",
                                    map_png=lambda f: map_export.map_png_for(demo_store, f, "zh", 1600, 900))
    slides = Presentation(io.BytesIO(deck_bytes)).slides
    pictures = [shape for slide in slides for shape in slide.shapes if shape.shape_type == 13]
    assert pictures and Image.open(io.BytesIO(pictures[0].image.blob)).size == (2400, 1350)  # at 1.5x


# The 演示数据 mark (issue 10, item 5) ---------------------------------------------------------------
DEMO_ORANGE = np.array([0xD5, 0x5E, 0x00])


def _orange_pixels(png: bytes) -> int:
    band = np.asarray(Image.open(io.BytesIO(png)).convert("RGB").crop((0, 0, 1000, map_export.TITLE_HEIGHT)))
    return int((np.abs(band.astype(int) - DEMO_ORANGE).max(axis=2) <= 40).sum())


def test_map_html_carries_the_demo_mark_only_for_demo_data(demo_store, seed_store):
    for db, marked in ((demo_store, True), (seed_store, False)):
        result, title, subtitle = map_export.filters_map(db, Filters(), AS_OF)
        page = map_export.standalone_html(result.deck, title, result.legend, subtitle, demo=views.is_demo(db))
        assert ('data-mark="demo">演示数据<' in page) is marked


@pytest.mark.slow
def test_map_png_carries_the_demo_mark_only_for_demo_data(demo_store, seed_store):
    assert _orange_pixels(map_export.map_png_for(demo_store, Filters(), "zh", 1000, 640, pixel_ratio=1)) > 150
    assert _orange_pixels(map_export.map_png_for(seed_store, Filters(), "zh", 1000, 640, pixel_ratio=1)) == 0


def test_chromium_renders_queue_two_at_a_time():
    import threading
    import time as time_mod

    active, peak, lock = [0], [0], threading.Lock()
    seen_waiting = []

    def render():
        with headless.render_slot():
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            seen_waiting.append(headless.renders_in_use())
            time_mod.sleep(0.2)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=render) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert peak[0] == headless.MAX_RENDERS == 2
    assert max(running for running, _ in seen_waiting) == 2
    assert any(waiting > 0 for _, waiting in seen_waiting)  # the others queued
    assert headless.renders_in_use() == (0, 0)
