"""The map decks: layers, shared palette, aggregation, payload bound, escaping, placement honesty."""
from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import unquote

import pandas as pd
import pytest

from portfolio import charts, demo, maps, sql, views, vocab
from portfolio.filters import Filters, flag_params
from portfolio.store import Store
from tests.seed import insert_projects

AS_OF = demo.DEMO_AS_OF
XSS = "<img src=x onerror=alert(1)>"


def spec_of(result: maps.MapResult) -> dict:
    return json.loads(result.deck.to_json())


def layer(spec: dict, layer_id: str) -> dict:
    return next(item for item in spec["layers"] if item["id"] == layer_id)


def insert(db: Store, rows: list[dict]) -> None:
    """Add projects through the app's named insert (columns by name; the rest take their defaults)."""
    frame = pd.DataFrame(rows)

    insert_projects(db, frame)


def project(pid: str, **values) -> dict:
    row = dict(project_id=pid, name=f"项目{pid}", county="阳山县", town="黎埠镇", village="石径村",
               category="roads", status="in_progress", budget_wan=10.0, progress_pct=40.0, year=2026,
               lon=112.41, lat=24.55, location_precision="exact")
    row.update(values)
    return row


# Layers and the offline default ---------------------------------------------------------------
def test_default_deck_is_offline_with_boundaries_labels_and_points(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    result = maps.build(data, data_date=AS_OF)
    spec = spec_of(result)
    assert "mapProvider" not in spec and spec.get("mapStyle") == "__MAP_STYLE__"  # no basemap, nothing fetched
    assert [(item["@@type"], item["id"]) for item in spec["layers"]] == [
        ("GeoJsonLayer", "counties"), ("ScatterplotLayer", "projects"),
        ("TextLayer", "county_labels"), ("TextLayer", "town_labels")]
    assert len(layer(spec, "counties")["data"]["features"]) == 8
    assert result.mode == "points" and result.shown == 560 == len(layer(spec, "projects")["data"])
    for label_layer in ("county_labels", "town_labels"):
        labels = layer(spec, label_layer)
        used = set("".join(row["t"] for row in labels["data"])) - {"\n"}
        assert used <= set(labels["characterSet"]), used - set(labels["characterSet"])
        assert "Noto Sans CJK SC" in labels["fontFamily"]
    assert {"阳山县", "清新区", "连山县"} <= {row["t"] for row in layer(spec, "county_labels")["data"]}
    assert "http" not in result.deck.to_json()  # no tile or style address anywhere


def test_points_use_the_chart_palette_for_categories_and_statuses(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    by_category = spec_of(maps.build(data, maps.MapOptions(color_by="category")))
    exact = data.points["placement"] == "exact"
    shown = layer(by_category, "projects")["data"]
    for row, category, is_exact in zip(shown, data.points["category"], exact):
        colour = row["f"] if is_exact else row["l"]  # hollow points carry the colour on their ring
        assert colour[:3] == vocab.hex_to_rgb(vocab.category_color(category))
    by_category_rows = views.by_category(demo_store, Filters())
    figure = charts.category_bars(by_category_rows, "zh")  # bars run bottom-up: reversed order
    chart_colours = dict(zip(by_category_rows["category"].iloc[::-1], figure.data[0].marker.color))
    legend = maps.build(data).legend
    assert {item.label: item.color for item in legend.items if not item.hollow} == {
        vocab.label("category", code): chart_colours[code] for code in chart_colours}

    by_status = spec_of(maps.build(data, maps.MapOptions(color_by="status")))
    for row, status, is_exact in zip(layer(by_status, "projects")["data"], data.points["status"], exact):
        colour = row["f"] if is_exact else row["l"]
        assert colour[:3] == vocab.hex_to_rgb(vocab.status_color(status))


def test_size_switch_budget_or_equal(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    budget = maps.build(data, maps.MapOptions(size_by="budget"))
    radii = {row["r"] for row in layer(spec_of(budget), "projects")["data"]}
    assert len(radii) > 10
    assert [s.label for s in budget.legend.sizes] and budget.legend.size_title.startswith("圆点大小")
    equal = maps.build(data, maps.MapOptions(size_by="equal"))
    assert {row["r"] for row in layer(spec_of(equal), "projects")["data"]} == {5.0}
    assert equal.legend.sizes == ()


# Aggregation and the payload bound ---------------------------------------------------------------
def test_above_the_threshold_the_map_sends_town_aggregates(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF, point_limit=100)
    assert data.mode == "towns" and data.points is None
    result = maps.build(data, maps.MapOptions(point_limit=100))
    spec = spec_of(result)
    assert result.aggregated and "projects" not in {item["id"] for item in spec["layers"]}
    towns = layer(spec, "towns")["data"]
    with_projects = data.towns[data.towns["projects"] > 0]
    assert len(towns) == len(with_projects) == 24
    assert sum(item.count for item in result.legend.items) == 24
    biggest = with_projects.sort_values("budget_wan").iloc[-1]
    top = max(towns, key=lambda row: row["r"])
    assert (top["c"], top["t"]) == (biggest["county"], biggest["town"])
    # Colour = completion rate class.
    rate = biggest["finished"] / biggest["projects"]
    assert top["f"][:3] == vocab.hex_to_rgb(maps.RATE_PALETTE[maps.classify(rate, list(maps.RATE_BREAKS))])


def test_within_one_town_above_the_threshold_the_map_bins_a_grid(demo_store):
    town = Filters(towns=("阳山县/黎埠镇",))
    data = maps.load(demo_store, town, AS_OF, point_limit=5)
    assert data.mode == "grid" and data.grid_cell and len(data.grid) > 1
    result = maps.build(data, maps.MapOptions(point_limit=5))
    cells = layer(spec_of(result), "cells")["data"]
    assert sum(data.grid["projects"]) == data.summary.placed
    assert len(cells) == len(data.grid)


@pytest.fixture(scope="module")
def big_store():
    """20,000 demo projects, the longest names squeezed in: more than the point threshold."""
    db = Store(":memory:")
    demo.build(db, n_projects=20_000)
    yield db
    db.close()


def test_payload_stays_under_two_megabytes_whatever_the_size(big_store):
    result = maps.build(maps.load(big_store, Filters(), AS_OF), data_date=AS_OF)
    assert result.mode == "towns"
    assert result.payload_bytes == len(result.deck.to_json().encode()) < maps.PAYLOAD_LIMIT
    # Exactly at the threshold, points with very long texts: clipped, and the bound still holds.
    near = maps.load(big_store, Filters(), AS_OF)
    points = big_store.df("map_points", {**flag_params(Filters(), AS_OF), "limit": maps.POINT_LIMIT})
    near.mode, near.points = "points", points.assign(name="很长的项目名称" * 60, village="很长的村名" * 30)
    dense = maps.build(near)
    assert dense.payload_bytes < maps.PAYLOAD_LIMIT
    assert (dense.mode, dense.shown) == ("points", maps.POINT_LIMIT) or dense.fell_back


def test_payload_limit_forces_town_totals():
    db = Store(":memory:")
    demo.build(db, n_projects=800)
    data = maps.load(db, Filters(), AS_OF)
    result = maps.build(data, maps.MapOptions(payload_limit=50_000))
    assert result.fell_back and result.mode == "towns"
    db.close()


# Tooltips ----------------------------------------------------------------------------------
def test_tooltip_values_are_escaped_for_exports_and_raw_for_streamlit(mem_store):
    insert(mem_store, [project("X1", name=XSS, village="<b>村</b>", budget_wan=12.5)])
    data = maps.load(mem_store, Filters(), AS_OF)
    exported = maps.build(data, for_html=True)
    text = exported.deck.to_json()
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text
    assert "&lt;b&gt;村&lt;/b&gt;" in text
    point = layer(spec_of(exported), "projects")["data"][0]
    assert point["h"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert point["b"].splitlines() == ["黎埠镇 · &lt;b&gt;村&lt;/b&gt;", "类别：道路", "状态：在建 · 进度 40%",
                                       "计划投资：12.5 万元"]
    # Streamlit 1.67 escapes every value it substitutes: pre-escaping would show "&lt;" to users.
    shown = layer(spec_of(maps.build(data)), "projects")["data"][0]
    assert shown["h"] == XSS
    assert maps.TOOLTIP["html"] == "<b>{h}</b><br/>{b}"
    assert re.findall(r"{(\w+)}", maps.TOOLTIP["html"]) == ["h", "b"]


def test_every_pickable_object_fills_the_tooltip_fields(demo_store):
    for options in (maps.MapOptions(), maps.MapOptions(point_limit=10), maps.MapOptions(layer="indicator")):
        data = maps.load(demo_store, Filters(), AS_OF, options.layer, options.point_limit)
        spec = spec_of(maps.build(data, options))
        for item in spec["layers"]:
            if item.get("pickable"):
                assert all(row["h"] and "b" in row for row in item["data"])


# Location honesty -----------------------------------------------------------------------------
def test_placement_counts_hollow_points_and_unplaced_projects(mem_store):
    insert(mem_store, [
        project("E1"),
        project("V1", location_precision="village"),
        project("T1", location_precision="town"),
        project("N1", lon=None, lat=None, location_precision="none"),  # shown at 黎埠镇's point
        project("U1", town="不存在镇", lon=None, lat=None, location_precision="none"),  # cannot be placed
    ])
    data = maps.load(mem_store, Filters(), AS_OF)
    s = data.summary
    assert (s.projects, s.exact, s.village, s.town, s.none, s.unplaced, s.approximate) == (5, 1, 1, 1, 1, 1, 3)
    spec = spec_of(maps.build(data))
    points = {row["i"]: row for row in layer(spec, "projects")["data"]}
    assert set(points) == {"E1", "V1", "T1", "N1"}
    黎埠 = next(t for t in maps.geo.towns() if t.town == "黎埠镇")
    assert points["N1"]["p"] == [round(黎埠.lon, 5), round(黎埠.lat, 5)]
    assert points["E1"]["f"][3] > 200 and all(points[i]["f"][:3] == [255, 255, 255] for i in ("V1", "T1", "N1"))
    legend = maps.build(data).legend
    assert any(item.hollow and item.count == 3 for item in legend.items)
    assert legend.notes == ("1 个项目无法定位，未在图上显示",)
    listed = maps.imprecise_projects(mem_store, Filters())
    assert list(listed["project_id"]) == ["U1", "N1", "T1", "V1"]


# Town indicators ------------------------------------------------------------------------------
@pytest.mark.parametrize("indicator", maps.INDICATORS)
def test_town_indicators_have_classes_and_a_no_data_class(demo_store, indicator):
    options = maps.MapOptions(layer="indicator", indicator=indicator)
    data = maps.load(demo_store, Filters(), AS_OF, "indicator")
    result = maps.build(data, options)
    towns = layer(spec_of(result), "towns")["data"]
    assert len(towns) == 85  # every gazetteer town in scope
    no_data = result.legend.items[-1]
    assert no_data.hollow and no_data.count == 85 - 24
    assert sum(item.count for item in result.legend.items) == 85
    hollow = [row for row in towns if row["l"][:3] == vocab.hex_to_rgb(maps.NO_DATA_COLOR)]
    assert len(hollow) == no_data.count
    colours = {tuple(row["f"][:3]) for row in towns if row not in hollow}
    legend_colours = {tuple(vocab.hex_to_rgb(item.color)) for item in result.legend.items[:-1]}
    assert colours <= legend_colours


def test_class_breaks_are_ascending_and_cover_the_maximum():
    breaks = maps.class_breaks([1, 2, 3, 10, 250, 4000, 0, None])
    assert breaks == sorted(breaks) and len(set(breaks)) == len(breaks)
    assert breaks[-1] >= 4000 and maps.classify(4000, breaks) == len(breaks) - 1
    assert maps.class_breaks([]) == []


# Views, basemaps, GCJ-02 -----------------------------------------------------------------------
def test_view_url_round_trip_and_bad_values():
    view = maps.View(24.1234, 112.9876, 9.25)
    assert maps.View.from_param(view.to_param()) == view
    for bad in ("", "abc", "1,2", "95,113,8", "24,113,40"):
        assert maps.View.from_param(bad) is None


def test_fit_view_contains_the_area():
    bounds = maps.Bounds(112.3, 24.4, 112.6, 24.7)
    view = maps.fit_view(bounds, 900, 600)
    assert bounds.west < view.lon < bounds.east and bounds.south < view.lat < bounds.north
    world = 512 * 2 ** view.zoom
    assert (bounds.east - bounds.west) / 360 * world < 900
    assert maps.fit_view(maps.Bounds(112.3, 24.4, 112.3, 24.4)).zoom == maps.MAX_FIT_ZOOM


TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
            "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123")


def test_basemap_configuration_and_problems():
    config = {"basemaps": [
        {"name": "天地图", "type": "raster", "url": TIANDITU, "overlay": TIANDITU.replace("vec", "cva"),
         "subdomains": "01234567"},
        {"name": "高德", "url": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
         "subdomains": ["1", "2"], "crs": "GCJ-02"},
        {"name": "样式", "type": "style", "url": "https://example.org/style.json"},
        {"name": "占位", "url": TIANDITU.replace("abc123", "您的密钥")},
        {"name": "坏地址", "url": "ftp://x/{z}/{x}/{y}"},
        {"name": "缺坐标", "url": "https://x.org/tiles.png"},
    ]}
    basemaps, problems = maps.basemaps_from_config(config)
    assert [b.name for b in basemaps] == ["天地图", "高德", "样式"]
    assert problems == ["占位: placeholder_key", "坏地址: bad_url", "缺坐标: no_xyz"]
    tianditu, amap, style = basemaps
    assert len(tianditu.tile_urls(tianditu.url)) == 8 and not tianditu.gcj02 and amap.gcj02
    assert style.style_url() == "https://example.org/style.json"
    raster_style = tianditu.style_url()
    assert raster_style.startswith("data:application/json")
    decoded = json.loads(unquote(raster_style.split(",", 1)[1]))
    assert [layer_["type"] for layer_ in decoded["layers"]] == ["raster", "raster"]
    probe = tianditu.probe_url(maps.View(24.3, 112.9, 8.0))
    assert "{" not in probe and "TILEMATRIX=9&" in probe


def test_gcj02_basemap_shifts_the_display_not_the_data(mem_store):
    insert(mem_store, [project("E1")])
    data = maps.load(mem_store, Filters(), AS_OF)
    amap = maps.Basemap("高德", "raster", "https://webrd01.is.autonavi.com/{z}/{x}/{y}", crs="gcj02")
    plain = layer(spec_of(maps.build(data)), "projects")["data"][0]["p"]
    shifted_result = maps.build(data, basemap=amap)
    shifted = layer(spec_of(shifted_result), "projects")["data"][0]["p"]
    expected = maps.geo.wgs84_to_gcj02(112.41, 24.55)
    assert plain == [112.41, 24.55]
    assert shifted == [round(expected[0], 5), round(expected[1], 5)] != plain
    assert shifted_result.gcj02 and data.points["lon"].iloc[0] == 112.41
    assert json.loads(shifted_result.deck.to_json())["mapStyle"].startswith("data:application/json")


# Queries ------------------------------------------------------------------------------------
FILTER_PARAMS = ("$counties", "$towns", "$villages", "$categories", "$statuses", "$years", "$sources", "$keyword")


def test_map_queries_read_through_the_filter_macros_with_every_filter():
    queries = sql.file_queries("maps")
    assert set(queries) == {"map_summary", "map_points", "map_town_stats", "map_grid", "map_imprecise"}
    for name, text in queries.items():
        assert re.search(r"FROM (filtered|flagged)_projects\(", text), name
        assert all(param in text for param in FILTER_PARAMS), name
        if "flagged_projects(" in text:
            assert "$as_of" in text, name


def test_filters_narrow_the_map(demo_store):
    whole = maps.load(demo_store, Filters(), AS_OF)
    county = maps.load(demo_store, Filters(counties=("阳山县",)), AS_OF)
    roads = maps.load(demo_store, Filters(categories=("roads",)), AS_OF)
    assert 0 < county.summary.projects < whole.summary.projects
    assert set(county.points["county"]) == {"阳山县"} and set(roads.points["category"]) == {"roads"}
    assert set(county.towns["county"]) == {"阳山县"}  # only the county's towns, with or without projects
    assert maps.area_label(Filters(counties=("阳山县",))) == "阳山县"
    assert maps.area_label(Filters(towns=("阳山县/黎埠镇",))) == "阳山县黎埠镇"
    assert maps.area_label(Filters()) == "清远市"


def test_english_labels(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    result = maps.build(data, maps.MapOptions(lang="en"), data_date=date(2026, 10, 31))
    assert result.legend.title == "Category"
    assert "Category:" in layer(spec_of(result), "projects")["data"][0]["b"]


# Labels on the wall screen, the wheel, same-named towns (issue 10, items 2 and 8) ---------------------------
def test_same_named_towns_are_labelled_with_their_county(demo_store):
    spec = spec_of(maps.build(maps.load(demo_store, Filters(), AS_OF)))
    texts = [row["t"] for row in layer(spec, "town_labels")["data"]]
    assert "太平镇（阳山县）" in texts and "石角镇（清城区）" in texts
    assert "太平镇" not in texts and "石角镇" not in texts
    assert maps.town_label("阳山县", "黎埠镇") == "黎埠镇"
    assert maps.town_label("清新区", "太平镇") == "太平镇（清新区）"


def test_wall_screen_town_labels_are_large_boxed_and_never_overlap(demo_store):
    data = maps.load(demo_store, Filters(), AS_OF)
    for scale, minimum in ((1.0, 13), (1.35, 16), (1.1, 16)):
        result = maps.build(data, maps.MapOptions(scale=scale), canvas=(1860, 860))
        town_layer = layer(spec_of(result), "town_labels")
        assert town_layer["getSize"] >= minimum and town_layer["background"] is True
        kept = town_layer["data"]
        again = maps.declutter([dict(row) for row in kept], result.view, town_layer["getSize"],
                               pad=maps.LABEL_PAD)
        assert len(again) == len(kept)  # none of the drawn names overlaps another


def test_page_decks_leave_the_wheel_to_the_page_and_exports_zoom_with_it(demo_store):
    from portfolio import map_export

    page = spec_of(maps.build(maps.load(demo_store, Filters(), AS_OF)))
    controller = page["views"][0]["controller"]
    assert page["views"][0]["@@type"] == "MapView"
    assert controller["scrollZoom"] is False and controller["doubleClickZoom"] is False
    assert controller["dragPan"] is True
    exported, _, _ = map_export.filters_map(demo_store, Filters(), AS_OF)
    assert spec_of(exported)["views"][0]["controller"] is True
