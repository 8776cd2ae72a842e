"""The map picture for slides (issue 18, point 3): names clear of markers, full county names, a scale
bar, a legend of at least 12 pt on a 16:9 slide, a picture shaped like the slide's picture area, and
one render per page content, reused by the deck, the report and the PNG download."""
from __future__ import annotations

import io
import json
import math
import re

import pytest
from PIL import Image

from portfolio import demo, geo, map_export, maps, picture_cache
from portfolio.filters import Filters, town_key

AS_OF = demo.DEMO_AS_OF
CITY, COUNTY = Filters(), Filters(counties=("阳山县",))
TOWN = Filters(counties=("阳山县",), towns=(town_key("阳山县", "七拱镇"),))


def _spec(db, filters, options=None):
    result, _, _ = map_export.filters_map(db, filters, AS_OF, "zh", *map_export.PICTURE_SIZE, options=options)
    return result, json.loads(result.deck.to_json())


def _layer(spec, layer_id):
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def _world_px(lon, lat, zoom):
    world = 512 * 2 ** zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * world, (1 - y / math.pi) / 2 * world


def _label_boxes(layer, zoom):
    """Each drawn name's box, measured independently of the placement code: every character (CJK,
    full-width brackets) a full font size wide, lines 1.2 sizes tall, plus the white box's padding."""
    size = layer["getSize"]
    pad_x, pad_y = layer.get("backgroundPadding", [0, 0])[:2]
    boxes = []
    for row in layer["data"]:
        x, y = _world_px(*row["p"], zoom)
        dx, dy = row["o"]
        lines = row["t"].split("\n")
        half_w = max(len(line) for line in lines) * size / 2 + pad_x
        half_h = len(lines) * size * 1.2 / 2 + pad_y
        boxes.append((x + dx - half_w, y + dy - half_h, x + dx + half_w, y + dy + half_h, row["t"]))
    return boxes


def _covers(box, marker):
    x, y, r = marker
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (x - nx) ** 2 + (y - ny) ** 2 < r * r


@pytest.mark.parametrize("filters", [CITY, COUNTY, TOWN], ids=["city", "county", "town"])
def test_town_names_never_sit_on_markers_or_on_each_other(demo_store, filters):
    result, spec = _spec(demo_store, filters)
    zoom = spec["initialViewState"]["zoom"]
    main = _layer(spec, "projects")
    assert main["data"], "the picture draws the projects"
    markers = [(*_world_px(*rec["p"], zoom), rec["r"] + rec["w"] / 2) for rec in main["data"]]
    towns = _label_boxes(_layer(spec, "town_labels"), zoom)
    counties = _label_boxes(_layer(spec, "county_labels"), zoom)
    assert towns, "some town names are drawn"
    for box in towns:
        hit = [m for m in markers if _covers(box, m)]
        assert not hit, (box[4], hit[:3])
    every = towns + counties
    for i, a in enumerate(every):
        for b in every[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a[4], b[4])


def test_aggregated_bubbles_keep_their_names_off_them(demo_store):
    result, spec = _spec(demo_store, CITY, maps.MapOptions(point_limit=10))
    assert result.mode == "towns"
    zoom = spec["initialViewState"]["zoom"]
    bubbles = [(*_world_px(*rec["p"], zoom), rec["r"] + rec["w"] / 2) for rec in _layer(spec, "towns")["data"]]
    towns = _label_boxes(_layer(spec, "town_labels"), zoom)
    assert len(towns) >= 10 and any("\n" in box[4] for box in towns)  # name and count under the bubble
    for box in towns:
        assert not [b for b in bubbles if _covers(box, b)], box[4]


def test_county_names_are_written_in_full(demo_store):
    _, spec = _spec(demo_store, CITY)
    names = {row["t"] for row in _layer(spec, "county_labels")["data"]}
    assert names == {feature["properties"]["county"] for feature in geo.county_geojson()["features"]}
    assert {"连山壮族瑶族自治县", "连南瑶族自治县"} <= names
    # The page's own map keeps the short names it has room for.
    page = json.loads(maps.build(maps.load(demo_store, CITY, AS_OF)).deck.to_json())
    assert "连山县" in {row["t"] for row in _layer(page, "county_labels")["data"]}


def test_scale_bar_length_matches_the_view():
    view = maps.View(24.4, 112.6, 8.3)
    metres, px = map_export.scale_bar(view)
    per_px = 40_075_016.686 * math.cos(math.radians(24.4)) / (512 * 2 ** 8.3)
    assert metres == 20_000 and px == pytest.approx(20_000 / per_px)
    assert 0.4 * map_export.SCALE_TARGET_PX < px <= map_export.SCALE_TARGET_PX
    assert map_export.scale_label(20_000, "zh") == "20 公里" and map_export.scale_label(500, "en") == "500 m"
    assert map_export.scale_bar(maps.View(24.4, 112.6, 13.5))[0] == 500  # zoomed in: metres


def test_exported_page_has_the_scale_bar_of_its_view(demo_store):
    result, title, subtitle = map_export.filters_map(demo_store, COUNTY, AS_OF, "zh", *map_export.PICTURE_SIZE)
    page = map_export.standalone_html(result.deck, title, result.legend, subtitle)
    metres, px = map_export.scale_bar(result.view)
    bar = re.search(r'data-testid="scale-bar"><div class="label">([^<]+)</div>\s*<div class="bar" '
                    r'style="width:(\d+)px"', page)
    assert bar and bar.group(1) == map_export.scale_label(metres, "zh") and int(bar.group(2)) == round(px)


def test_picture_is_shaped_like_the_slide_picture_area_with_a_12pt_legend(demo_store):
    width_in, height_in = map_export.SLIDE_PICTURE_IN
    css_w, css_h = map_export.PICTURE_SIZE
    # the slide shows the picture below its title band
    assert css_w / (css_h - map_export.TITLE_HEIGHT) == pytest.approx(width_in / height_in, rel=0.01)
    assert width_in / 13.333 >= 0.9  # most of a 16:9 slide's width
    # The legend's type on the slide, read from the page the picture is taken of: CSS px times the
    # device pixel ratio gives image pixels, and the picture's pixel width spans width_in inches.
    result, title, subtitle = map_export.filters_map(demo_store, COUNTY, AS_OF, "zh", css_w, css_h)
    page = map_export.standalone_html(result.deck, title, result.legend, subtitle)
    legend_px = int(re.search(r'class="map-legend" style="[^"]*font-size:(\d+)px', page).group(1))
    points_per_image_px = width_in * 72 / (css_w * map_export.PIXEL_RATIO)
    assert legend_px * map_export.PIXEL_RATIO * points_per_image_px >= 12
    # The page's own legend (beside the live map) keeps its smaller type.
    assert "font-size:14px" in map_export.legend_html(result.legend)


def test_cache_keys_on_the_page_and_size():
    a = map_export.picture_key("<page a>", 1230, 570, 1.5)
    assert a == map_export.picture_key("<page a>", 1230, 570, 1.5)
    assert len({a, map_export.picture_key("<page b>", 1230, 570, 1.5),
                map_export.picture_key("<page a>", 1600, 900, 1.5),
                map_export.picture_key("<page a>", 1230, 570, 1.0)}) == 4


def test_picture_cache_files_beside_the_database(tmp_path):
    cache = picture_cache.PictureCache(tmp_path / "cache" / "map_pictures")
    made = []

    def make():
        made.append(1)
        return b"png-bytes"

    assert cache.get_or_make("k1", make) == b"png-bytes" and cache.get_or_make("k1", make) == b"png-bytes"
    assert made == [1] and (tmp_path / "cache" / "map_pictures" / "k1.png").read_bytes() == b"png-bytes"
    fresh = picture_cache.PictureCache(tmp_path / "cache" / "map_pictures")  # another process, say the CLI
    assert fresh.get_or_make("k1", make) == b"png-bytes" and made == [1]
    assert picture_cache.folder_for(str(tmp_path / "p.duckdb")) == (tmp_path / "cache" / "map_pictures").resolve()
    assert picture_cache.folder_for(":memory:") is None


@pytest.mark.slow
def test_one_render_serves_the_deck_the_report_and_the_download(demo_db_file, monkeypatch):
    from pptx import Presentation

    from portfolio import meeting, report
    from portfolio.store import Store

    db = Store(demo_db_file)
    try:
        renders = []
        real = map_export.map_png

        def counting(*args, **kwargs):
            renders.append(kwargs.get("pixel_ratio"))
            return real(*args, **kwargs)

        monkeypatch.setattr(map_export, "map_png", counting)
        first = map_export.map_png_for(db, COUNTY, "zh")
        assert Image.open(io.BytesIO(first)).size == (1845, 984)
        deck = meeting.deck_bytes(db, COUNTY, "zh", map_png=lambda f: map_export.map_png_for(db, f, "zh"))
        html = report.build_report(db, COUNTY, "zh", map_export.map_png_for(db, COUNTY, "zh"))
        assert renders == [1.5]  # one Chromium run for all three
        assert list((demo_db_file.parent / "cache" / "map_pictures").glob("*.png"))
        pictures = [shape for slide in Presentation(io.BytesIO(deck)).slides for shape in slide.shapes
                    if shape.shape_type == 13]
        assert pictures[0].image.blob == map_export.picture_body(first)  # below its title band
        assert pictures[0].width >= 0.9 * Presentation(io.BytesIO(deck)).slide_width
        # The legend on the slide: 17 CSS px at 1.5 device px, over the picture's width on the slide.
        points_per_px = pictures[0].width / 12700 / 1845
        assert map_export.LEGEND_FONT_PX * 1.5 * points_per_px >= 12
        import base64
        assert base64.b64encode(map_export.picture_body(first)).decode() in html
        # Another language is another picture.
        map_export.map_png_for(db, COUNTY, "en")
        assert len(renders) == 2
    finally:
        db.close()
