"""Town boundaries (issue 18): the city's own GeoJSON is read in any of the three coordinate systems,
checked feature by feature against the gazetteer, stored by an admin with an audit row, and drawn on
maps of one county or town, with its source in the legend."""
from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from portfolio import audit, maps, town_borders as tb
from portfolio.auth import AuthError
from portfolio.filters import Filters
from portfolio.map_export import legend_html
from tests.border_factory import county_cells, feature_collection
from tests.seed import ADMIN, AS_OF, TAIPING

YANGSHAN_TOWNS = 13


def _layer(result, layer_id):
    spec = json.loads(result.deck.to_json())
    return next((layer for layer in spec["layers"] if layer["id"] == layer_id), None)


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_every_town_of_a_county_is_read_and_converted_to_wgs84(crs):
    checked = tb.read_borders(feature_collection("阳山县", crs), crs)
    assert checked.ok and checked.problems == () and checked.missing == ()
    assert len(checked.borders) == YANGSHAN_TOWNS == checked.features
    truth = county_cells("阳山县")
    for border in checked.borders:
        # back in WGS-84 within about 35 m (the 30 m simplification plus the inverse transform)
        assert shape(border.geometry).hausdorff_distance(shape(truth[border.town])) < 0.00035, border.town
        assert shape(border.geometry).contains(shapely.Point(border.label_point))
        assert border.town_code.startswith("441823") and len(border.town_code) == 12


def test_a_12_digit_code_alone_names_the_town():
    raw = feature_collection("阳山县", props=lambda county, town: {"XZQDM": next(
        tw.town_code for tw in maps.geo.towns() if tw.county == county and tw.town == town)})
    checked = tb.read_borders(raw, "wgs84")
    assert checked.ok and len(checked.borders) == YANGSHAN_TOWNS


def test_each_bad_feature_is_named_by_its_number_and_nothing_is_ok():
    square = {"type": "Polygon", "coordinates": [[[112.6, 24.4], [112.7, 24.4], [112.7, 24.5], [112.6, 24.4]]]}
    extra = [
        {"type": "Feature", "properties": {"name": "上级下达及区"}, "geometry": square},
        {"type": "Feature", "properties": {"name": "青莲镇", "county": "阳山县"}, "geometry": square},
        {"type": "Feature", "properties": {"name": "太平镇"}, "geometry": square},
        {"type": "Feature", "properties": {"name": "黎埠镇", "county": "阳山县"},
         "geometry": {"type": "LineString", "coordinates": [[112.6, 24.4], [112.7, 24.5]]}},
        {"type": "Feature", "properties": {"name": "七拱镇", "county": "阳山县"},
         "geometry": {"type": "Polygon", "coordinates": [[[38500000, 2700000], [38501000, 2700000], [38500000, 2701000],
                                                          [38500000, 2700000]]]}},
    ]
    checked = tb.read_borders(feature_collection("阳山县", extra=extra), "wgs84")
    assert not checked.ok
    messages = [p.message() for p in checked.problems if p.fatal]
    assert messages == [
        "第 14 个要素：“上级下达及区”（）不是本市的镇、乡或街道。",
        f"第 15 个要素：青莲镇 已在第 {_feature_of(checked, '青莲镇')} 个要素出现过。",
        "第 16 个要素：“太平镇”有重名（清新区、阳山县）：请在属性中加上县（county）。",
        "第 17 个要素：黎埠镇 的图形是 LineString，不是面（Polygon/MultiPolygon）。",
        "第 18 个要素：七拱镇 的坐标不是经纬度（可能是 CGCS2000 投影坐标，单位为米）：请先在 GIS 软件中转换为经纬度。",
    ]


def _feature_of(checked, town):
    names = list(county_cells("阳山县"))
    return names.index(town) + 1


def test_shifted_lines_put_the_seats_outside_and_are_refused():
    doc = json.loads(feature_collection("阳山县"))
    for feature in doc["features"]:
        feature["geometry"] = json.loads(json.dumps(shapely.geometry.mapping(
            shapely.affinity.translate(shape(feature["geometry"]), xoff=0.4))))
    checked = tb.read_borders(json.dumps(doc).encode(), "wgs84")
    assert not checked.ok
    assert checked.problems[0].message().startswith("13 个镇中有 13 个的镇政府驻地不在边界内")


@pytest.mark.parametrize("raw, key", [
    (b"not json", "tb_err_json"),
    (b'{"type": "Feature"}', "tb_err_not_collection"),
    (b"[" + b" " * tb.MAX_BYTES + b"]", "tb_err_size"),
])
def test_files_that_are_not_town_layers_get_one_clear_error(raw, key):
    with pytest.raises(tb.BorderError) as err:
        tb.read_borders(raw, "wgs84")
    assert err.value.key == key and err.value.message()


def test_only_an_admin_saves_and_each_save_is_audited(seed_store):
    checked = tb.read_borders(feature_collection("阳山县", "gcj02"), "gcj02")
    version = seed_store.data_version()
    with pytest.raises(AuthError):
        tb.save_borders(seed_store, checked, TAIPING, "清远市自然资源局 2024")
    assert tb.summary(seed_store) == [] and seed_store.data_version() == version
    with pytest.raises(tb.BorderError):
        tb.save_borders(seed_store, checked, ADMIN, "  ")  # the legend needs a source
    assert tb.save_borders(seed_store, checked, ADMIN, "清远市自然资源局 2024", "towns.geojson", "ab" * 32) == 13
    [row] = tb.summary(seed_store)
    assert (row["county"], row["towns"], row["source"], row["loaded_by"]) == ("阳山县", 13, "清远市自然资源局 2024", "admin")
    entry = audit.entries(seed_store, action="borders")[0]
    assert (entry.user_name, entry.scope, entry.counts, entry.file_name) == ("admin", ("阳山县",), {"towns": 13}, "towns.geojson")
    assert seed_store.data_version() == version + 1  # maps are rebuilt
    # a later load replaces the towns it holds; removing forgets all, audited too
    assert tb.save_borders(seed_store, checked, ADMIN, "新来源") == 13
    assert tb.summary(seed_store)[0]["source"] == "新来源"
    with pytest.raises(AuthError):
        tb.remove_borders(seed_store, TAIPING)
    assert tb.remove_borders(seed_store, ADMIN) == 13
    assert tb.summary(seed_store) == []
    assert [e.counts for e in audit.entries(seed_store, action="borders")][0] == {"towns": 0, "removed": 13}


def test_a_refused_file_is_never_saved(seed_store):
    extra = [{"type": "Feature", "properties": {"name": "不存在镇"},
              "geometry": {"type": "Polygon", "coordinates": [[[112.6, 24.4], [112.7, 24.4], [112.7, 24.5], [112.6, 24.4]]]}}]
    checked = tb.read_borders(feature_collection("阳山县", extra=extra), "wgs84")
    with pytest.raises(tb.BorderError):
        tb.save_borders(seed_store, checked, ADMIN, "x")
    assert tb.summary(seed_store) == []


def test_the_map_of_one_county_or_town_draws_its_town_lines_and_names_their_source(demo_store):
    source = '<img src=x onerror="alert(1)">自然资源局'
    tb.save_borders(demo_store, tb.read_borders(feature_collection("阳山县"), "wgs84"), ADMIN, source)
    city = maps.build(maps.load(demo_store, Filters(), AS_OF))
    assert _layer(city, "town-borders") is None and city.legend.border_note == ""
    county = maps.build(maps.load(demo_store, Filters(counties=("阳山县",)), AS_OF), for_html=True)
    lines = _layer(county, "town-borders")
    assert len(lines["data"]["features"]) == YANGSHAN_TOWNS
    assert source in county.legend.border_note
    html = legend_html(county.legend)
    assert "<img" not in html and "&lt;img" in html
    town = maps.build(maps.load(demo_store, Filters(towns=("阳山县/七拱镇",)), AS_OF))
    widths = {f["properties"]["lw"] for f in _layer(town, "town-borders")["data"]["features"]}
    assert widths == {0.9, 1.6}  # the chosen town is drawn darker and wider
    other = maps.build(maps.load(demo_store, Filters(counties=("英德市",)), AS_OF))
    assert _layer(other, "town-borders") is None  # no lines were loaded for 英德市


def test_a_file_read_in_the_wrong_system_gets_a_warning_naming_the_right_one():
    checked = tb.read_borders(feature_collection("阳山县", "gcj02"), "wgs84")
    [hint] = checked.problems
    assert not hint.fatal and hint.params["best"] == "gcj02"
    assert hint.message().startswith("按 wgs84 读取时与县界重合 95.0%，按 gcj02 读取时为 100.0%")


def test_the_keys_the_borders_tab_builds_exist_in_both_languages():
    from portfolio.i18n import STRINGS

    keys = [f"tb_crs_{c}" for c in tb.CRS_CHOICES] + ["act_borders"]
    assert [k for k in keys if not all(STRINGS.get(k, ("", "")))] == []


def test_the_map_of_a_town_fits_the_whole_town_outline(demo_store):
    tb.save_borders(demo_store, tb.read_borders(feature_collection("阳山县"), "wgs84"), ADMIN, "测试")
    data = maps.load(demo_store, Filters(towns=("阳山县/七拱镇",)), AS_OF)
    outline = shape(county_cells("阳山县")["七拱镇"]).bounds
    box = maps.area_bounds(data)
    assert box.west <= outline[0] + 0.001 and box.south <= outline[1] + 0.001
    assert box.east >= outline[2] - 0.001 and box.north >= outline[3] - 0.001


def test_the_borders_command_checks_loads_lists_and_removes(tmp_path, monkeypatch, capsys):
    from portfolio import cli
    from tests.test_auth_cli import run

    db = str(tmp_path / "p.duckdb")
    run(monkeypatch, capsys, ["user", "add", "boss", "--role", "admin", "--password-stdin", "--db", db], "first admin pw\n")
    run(monkeypatch, capsys, ["user", "add", "ts", "--role", "editor", "--town", "阳山县/太平镇", "--password-stdin",
                              "--db", db], "editor pass 1\n")
    path = tmp_path / "towns.geojson"
    path.write_bytes(feature_collection("阳山县", "bd09"))
    load = ["borders", "load", str(path), "--crs", "bd09", "--source", "市自然资源局", "--db", db]
    code, out, _ = run(monkeypatch, capsys, load + ["--user", "boss", "--dry-run", "--json"])
    assert code == 0 and json.loads(out) == {"ok": True, "features": 13, "towns": 13, "saved": 0, "problems": [],
                                             "missing": []}
    code, _, err = run(monkeypatch, capsys, load + ["--user", "ts"])
    assert code == 2 and "只有管理员" in err
    code, out, _ = run(monkeypatch, capsys, load + ["--user", "boss"])
    assert code == 0 and out.strip() == "13 个要素，识别出 13 个镇；已保存 13 个。"
    code, out, _ = run(monkeypatch, capsys, ["borders", "list", "--db", db])
    assert out.split("\t")[:3] == ["阳山县", "13 个镇", "市自然资源局"]
    path.write_bytes(b'{"type": "Feature"}')
    code, _, err = run(monkeypatch, capsys, load + ["--user", "boss"])
    assert code == 2 and err.strip() == "文件不是 GeoJSON 要素集合（FeatureCollection）。"
    assert run(monkeypatch, capsys, ["borders", "remove", "--user", "boss", "--db", db])[0] == 0
    assert cli.main(["borders", "list", "--db", db]) == 0 and capsys.readouterr().out == ""


def test_the_meeting_pictures_page_carries_the_lines_and_a_new_load_is_a_new_picture(demo_store):
    from portfolio import map_export

    county = Filters(counties=("阳山县",))
    before, title, subtitle = map_export.filters_map(demo_store, county, AS_OF)
    page_before = map_export.standalone_html(before.deck, title, before.legend, subtitle)
    tb.save_borders(demo_store, tb.read_borders(feature_collection("阳山县"), "wgs84"), ADMIN, "市自然资源局")
    after, title, subtitle = map_export.filters_map(demo_store, county, AS_OF)
    page_after = map_export.standalone_html(after.deck, title, after.legend, subtitle)
    assert _layer(before, "town-borders") is None and len(_layer(after, "town-borders")["data"]["features"]) == 13
    assert "镇界：市自然资源局" in page_after and "镇界" not in page_before
    assert map_export.picture_key(page_before, 1230, 570, 1.5) != map_export.picture_key(page_after, 1230, 570, 1.5)


def test_an_editor_gets_no_borders_tab(app):
    from tests.conftest import sign_in

    at = sign_in(app, "ts_team", "editor", towns=("阳山县/太平镇",)).run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["导入", "导入历史"]
    assert len(at.get("file_uploader")) == 1
