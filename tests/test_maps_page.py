"""The 作战图 page under AppTest: deck, switches, URL state, town choice, presentation, basemap settings."""
from __future__ import annotations

import json

import pytest

from portfolio import vocab

TIANDITU = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
            "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123")


def open_map(app, **params):
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.switch_page("app_pages/map.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def deck(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer_ids(spec: dict) -> list[str]:
    return [item["id"] for item in spec["layers"]]


def html_text(at) -> str:
    return " ".join(element.proto.body for element in at.get("html"))


def test_map_page_draws_the_offline_deck_legend_and_notes(app):
    at = open_map(app)
    assert at.title[0].value == "作战图"
    spec = deck(at)
    assert "mapProvider" not in spec and spec["mapStyle"] == "__MAP_STYLE__"
    assert layer_ids(spec) == ["counties", "projects", "county_labels", "town_labels"]
    assert len(spec["layers"][1]["data"]) == 560
    legend = html_text(at)
    assert "项目类别" in legend and "供水" in legend and "数据日期：2026-10-31" in legend
    captions = " ".join(c.value for c in at.caption)
    assert "定位情况：560 个项目中" in captions and "空心圆" in captions
    assert app.query_params["map_at"]  # the fitted view is in the URL


def test_colour_switch_and_url_state(app):
    at = open_map(app, map_color="status", map_size="equal", map_at="24.5000,112.6000,9.00")
    spec = deck(at)
    points = spec["layers"][1]["data"]
    status_colours = {tuple(vocab.hex_to_rgb(s.color)) for s in vocab.STATUSES}
    assert {tuple(p["f"][:3]) if p["f"][:3] != [255, 255, 255] else tuple(p["l"][:3]) for p in points} <= status_colours
    assert {p["r"] for p in points} == {5.0}
    view = spec["initialViewState"]
    assert (view["latitude"], view["longitude"], view["zoom"]) == (24.5, 112.6, 9.0)
    assert "项目状态" in html_text(at)


def test_indicator_layer_shows_every_town_with_a_no_data_class(app):
    at = open_map(app)
    at.session_state["map_w_layer"] = "indicator"
    at.session_state["map_w_indicator"] = "finish_rate"
    at.run()
    assert not at.exception
    spec = deck(at)
    assert layer_ids(spec) == ["counties", "towns", "county_labels", "town_labels"]
    assert len(spec["layers"][1]["data"]) == 85
    legend = html_text(at)
    assert "完工率（按镇）" in legend and "无项目" in legend


def test_choosing_a_town_hands_the_narrowed_filters_to_the_sidebar(app):
    at = open_map(app)
    at.selectbox(key="map_w_goto").set_value("阳山县/黎埠镇").run()
    assert not at.exception
    assert at.session_state["f_towns"] == ["阳山县/黎埠镇"]  # the sidebar took the narrowed filters


def test_presentation_mode_has_title_kpis_and_no_chrome(app):
    at = open_map(app, present="1")
    html = html_text(at)
    assert "乡村振兴项目作战图 · 清远市" in html and "map-kpi-strip" in html and "560" in html
    assert '[data-testid="stSidebar"]' in html and "display: none" in html  # the chrome is hidden
    assert not at.title  # the big title replaces the page header
    assert at.toggle(key="map_w_present").value is True
    # The exports stay reachable on the wall screen (in the 导出 popover); the list of imprecise projects stays off.
    assert [b.proto.label for b in at.get("download_button")] == ["下载离线地图（HTML）", "下载图片（PNG）"]
    assert not at.dataframe


def test_configured_basemap_becomes_the_map_style_and_bad_entries_are_named(app):
    app.secrets["map"] = {"basemaps": [
        {"name": "天地图矢量", "type": "raster", "url": TIANDITU, "subdomains": "0123"},
        {"name": "示例", "type": "raster", "url": TIANDITU.replace("abc123", "您的密钥")},
    ]}
    at = open_map(app, map_base="天地图矢量")
    spec = deck(at)
    assert spec["mapStyle"].startswith("data:application/json")
    assert "tianditu.gov.cn" in spec["mapStyle"]
    warnings = " ".join(w.value for w in at.warning)
    assert "示例" in warnings and "示例占位符" in warnings
    assert at.selectbox(key="map_w_basemap").options == ["无底图（离线）", "天地图矢量"]
    probe = at.get("iframe")
    assert probe and "TILEMATRIX=" in probe[0].proto.srcdoc


def test_above_the_point_limit_the_page_aggregates_and_says_how_to_zoom_in(app):
    app.secrets["map"] = {"point_limit": 100}
    at = open_map(app)
    spec = deck(at)
    assert layer_ids(spec) == ["counties", "towns", "county_labels", "town_labels"]
    note = " ".join(i.value for i in at.info)
    assert "560 个可定位项目，超过 100 个" in note and "定位到镇" in note
    assert "完工率（按镇汇总）" in html_text(at)


def test_imprecise_projects_can_be_listed(app):
    at = open_map(app)
    at.toggle(key="map_w_list").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 420  # the demo's village- and town-placed projects
    assert set(table["placement"]) == {"按村定位（近似）", "按镇定位（近似）"}


def test_page_in_english(app):
    at = open_map(app, lang="en")
    assert at.title[0].value == "Map"
    assert "Category" in html_text(at) and "Data as of 2026-10-31" in html_text(at)
    assert at.toggle(key="map_w_present").label == "Presentation mode"


def _component_script():
    """What the town page does: draw the map for its filters, legend on the right, react to clicks."""
    import streamlit as st

    from portfolio.filters import Filters
    from ui import data, map_view

    filters = Filters(counties=("阳山县",))
    result, map_data = map_view.draw_map(filters, data.data_date(), key="town_map", legend="right", height=400,
                                         on_pick=lambda pick: st.session_state.update(picked=pick))
    st.write(f"mode={result.mode} shown={result.shown} placed={map_data.summary.placed}")


def test_component_draws_the_map_for_given_filters(app):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_component_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = deck(at)
    points = spec["layers"][1]["data"]
    assert layer_ids(spec) == ["counties", "projects", "county_labels", "town_labels"]
    assert points and {p["b"].split(" · ")[0].split("\n")[0] for p in points} <= {
        "小江镇", "大崀镇", "太平镇", "七拱镇", "黎埠镇"}  # the demo's assisted towns of 阳山县
    assert "项目类别" in html_text(at)
    assert at.markdown[-1].value == f"mode=points shown={len(points)} placed={len(points)}"


def test_a_map_that_fits_itself_zooms_with_its_buttons(app):
    """The town page's map: the wheel scrolls the page, so buttons under the map zoom it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_component_script, default_timeout=60).run()
    fitted = deck(at)["initialViewState"]["zoom"]
    assert deck(at)["views"][0]["controller"]["scrollZoom"] is False
    at.button(key="town_map_map_zoom_in").click().run()
    assert not at.exception
    assert deck(at)["initialViewState"]["zoom"] == pytest.approx(fitted + 1)
    at.button(key="town_map_map_fit_short").click().run()
    assert deck(at)["initialViewState"]["zoom"] == pytest.approx(fitted)
