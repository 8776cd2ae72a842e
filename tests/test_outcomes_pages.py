"""Village indicators on the pages (AppTest): the 数据导入 branch for indicator sheets, and its undo."""
from __future__ import annotations

import json

import pytest

from portfolio.outcomes import values
from tests.conftest import sign_in
from tests.test_outcomes_import import book

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _taiping(df):
    """阳山县太平镇太平村's row of 2026-10-31 (清新区 has a 太平镇 with a 太平村 too)."""
    return df[(df["county"] == "阳山县") & (df["village"] == "太平村") & (df["period"].astype(str) == "2026-10-31")]


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_indicator_sheet_upload_preview_commit_and_undo(app, demo_db_file):
    from ui import data

    at = sign_in(app, "taiping", "editor", towns=("阳山县/太平镇",)).run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    assert any(b.key == "out_up_template" for b in at.get("download_button"))
    at.get("file_uploader")[0].set_value(("太平镇指标.xlsx", book(), XLSX)).run()
    assert not at.exception
    assert any("村级指标表" in i.value for i in at.info)
    _button(at, "out_up_preview").click().run()
    assert not at.exception
    # The demo already holds these villages' values for 2026-10-31: every value changes.
    assert {m.label: m.value for m in at.metric} == {"新增": "0", "变更": "12", "未变": "0", "未导入": "0"}
    markdown = " ".join(m.value for m in at.markdown)
    assert "统计期 2026\\-10\\-31" in markdown or "统计期 2026-10-31" in markdown
    store = data.get_store(str(demo_db_file))
    before = values.load(store, indicator="toilet_rate")
    demo_value = _taiping(before)["numerator"]
    assert demo_value.tolist() != [240.0]
    _button(at, "out_up_commit").click().run()
    assert not at.exception
    assert any("已导入村级指标" in s.value for s in at.success)
    after = values.load(store, indicator="toilet_rate")
    taiping = _taiping(after)
    assert taiping["numerator"].tolist() == [240.0] and len(after) == len(before)
    # Undo from the history tab (the indicator batch is listed with the project imports).
    batch = store.rows("import_history", {"limit": 1})[0][0]
    assert next(s for s in at.selectbox if s.key == "up_undo_pick").value == batch
    _button(at, "up_undo").click().run()
    assert not at.exception
    again = values.load(store, indicator="toilet_rate")
    assert _taiping(again)["numerator"].tolist() == demo_value.tolist()  # the demo's value stands again


def test_overview_shows_the_programme_rates_with_target_and_change(app):
    at = app.run()
    assert not at.exception
    assert "村级指标（挂图作战）" in [s.value for s in at.subheader]
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    value, delta = metrics["生活污水治理率"]
    assert value.endswith("%") and delta.endswith("个百分点")
    assert metrics["美丽乡村创建等级"][0].endswith("个村")


def test_map_village_layer_title_and_legend(app):
    at = app.run()
    at.switch_page("app_pages/map.py").run()
    assert not at.exception
    next(s for s in at.selectbox if s.key == "out_map_w_layer").set_value("rain_sewage_split_rate").run()
    assert not at.exception
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "雨污分流自然村比例 · 各村 · 2026-10" in html
    assert "无数据" in html and "已达标" in html
    assert len(at.get("deck_gl_json_chart")) == 1
    # The wall screen keeps the choice though it draws no picker, and titles the screen with it.
    next(t for t in at.toggle if t.key == "map_w_present").set_value(True).run()
    assert not at.exception
    assert not any(s.key == "out_map_w_layer" for s in at.selectbox)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert 'data-testid="map-present-title"' in html and "雨污分流自然村比例 · 各村 · 2026-10" in html
    assert "map-kpi-strip" not in html
    at.run()  # and on the next run too (a widget's state would be gone by now)
    assert "雨污分流自然村比例 · 各村 · 2026-10" in " ".join(h.proto.body for h in at.get("html"))


def test_town_page_profile_and_still_missing_table(app):
    at = app.run()  # a viewer sees it too: no login
    at.switch_page("app_pages/towns.py").run()
    at.query_params["county"] = ["阳山县"]
    at.query_params["town"] = ["阳山县/太平镇"]
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert "村级指标：现状、目标与推进项目" in subheaders
    assert "全部计划项目完工后仍达不到2026年目标的村" in subheaders
    assert any(b.key == "out_tw_download" for b in at.get("download_button"))


def test_overview_rates_in_english(app):
    at = app.run()
    at.query_params["lang"] = ["en"]
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert "Village indicators" in [s.value for s in at.subheader]
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    value, delta = metrics["domestic sewage treatment rate"]
    assert value.endswith("%") and delta.endswith("points")
    assert metrics["beautiful village tier"][0].endswith("villages")
    captions = " ".join(c.value for c in at.caption)
    assert "target: 85.0%" in captions and "nan" not in captions and "None" not in captions


def test_village_map_zooms_with_the_map_buttons_on_the_page_and_the_wall_screen(app):
    """The village layer is zoomed by the same buttons as the project map; switching layers refits."""
    def zoom(at):
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"]["zoom"]

    at = app.run()
    at.switch_page("app_pages/map.py").run()
    next(s for s in at.selectbox if s.key == "out_map_w_layer").set_value("rain_sewage_split_rate").run()
    fitted = zoom(at)
    at.button(key="map_zoom_in").click().run()
    assert not at.exception
    assert zoom(at) == pytest.approx(fitted + 1)
    at.button(key="map_zoom_in").click().run()
    assert zoom(at) == pytest.approx(fitted + 2)
    at.button(key="map_fit").click().run()
    assert zoom(at) == pytest.approx(fitted)
    at.button(key="map_zoom_out").click().run()
    assert zoom(at) == pytest.approx(fitted - 1)
    # Another indicator is fitted afresh.
    next(s for s in at.selectbox if s.key == "out_map_w_layer").set_value("sewage_rate").run()
    assert zoom(at) == pytest.approx(fitted)
    # The wall screen: its own buttons (in the tools) move the village map too.
    next(t for t in at.toggle if t.key == "map_w_present").set_value(True).run()
    wall = zoom(at)
    at.button(key="map_zoom_in").click().run()
    assert not at.exception
    assert zoom(at) == pytest.approx(wall + 1)


def test_village_layer_hides_the_project_map_controls_and_gives_them_back_unchanged(app):
    at = app.run()
    at.query_params["map_color"] = ["status"]
    at.switch_page("app_pages/map.py").run()
    keys = {s.key for s in at.selectbox}
    assert {"map_w_basemap", "map_w_goto"} <= keys
    next(s for s in at.selectbox if s.key == "out_map_w_layer").set_value("sewage_rate").run()
    assert not at.exception
    keys = {s.key for s in at.selectbox}
    assert "map_w_basemap" not in keys and "map_w_goto" not in keys  # they would change nothing here
    next(s for s in at.selectbox if s.key == "out_map_w_layer").set_value("").run()
    assert not at.exception
    assert {"map_w_basemap", "map_w_goto"} <= {s.key for s in at.selectbox}
    assert at.session_state["map_w_color"] == "status"  # the switches come back as they were
