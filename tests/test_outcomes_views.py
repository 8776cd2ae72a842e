"""Village indicators in the views: rates for a filter with change, the map layer's classes and 无数据,
a place's profile, and the villages that will still miss the 2026 target."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from portfolio import demo
from portfolio.filters import Filters
from portfolio.outcomes import catalogue, importer, labels, map_layer, views
from tests.seed import ADMIN
from tests.test_outcomes_import import CAT, ROWS, book

TOILETS = CAT.get("toilet_rate")
TIER = CAT.get("beautiful_tier")
TAIPING = Filters(counties=("阳山县",), towns=("阳山县/太平镇",))


def _import(store, rows=ROWS, title=None):
    kw = {} if title is None else {"title": title}
    a = importer.analyse(store, book(rows, **kw), "t.xlsx", user=ADMIN, catalogue=CAT)
    return importer.commit(store, a, ADMIN, catalogue=CAT)


def test_rate_classes_and_no_data():
    places = pd.DataFrame({"value": [100.0, 95.0, 80.0, 50.0, None, 60.0],
                           "target": [100.0, 100.0, 100.0, 100.0, 100.0, None]})
    out = map_layer.classify(TOILETS, places)
    assert out["cls_key"].tolist() == ["cls_met", "cls_near", "cls_mid", "cls_far", "no_data", "no_target"]
    assert out["rgb"].iloc[4] == list(map_layer.NO_DATA_RGB)
    entries = {e.label: e.count for e in map_layer.legend(TOILETS, out)}
    assert entries == {"已达标": 1, "差10个百分点以内": 1, "差10–30个百分点": 1, "差30个百分点以上": 1,
                       "无目标任务": 1, "无数据": 1}


def test_tier_classes():
    out = map_layer.classify(TIER, pd.DataFrame({"value": [0.0, 2.0, 3.0, None], "target": [1.0] * 4}))
    assert out["cls_key"].tolist() == ["未创建", "美丽宜居村", "特色精品村", "no_data"]
    assert [e.label for e in map_layer.legend(TIER, out)] == ["特色精品村", "美丽宜居村", "干净整洁村", "未创建", "无数据"]


def test_village_layer_after_an_import(mem_store):
    _import(mem_store)
    frame, period = map_layer.village_frame(mem_store, TAIPING, TOILETS)
    assert period == date(2026, 10, 31)
    got = dict(zip(frame["village"], frame["cls_key"]))
    assert got == {"太平村": "cls_mid", "毛崀村": "cls_near", "龙塘村": "cls_far"}  # 80 %, 95 %, 30 % of 100 %
    rain, _ = map_layer.village_frame(mem_store, TAIPING, CAT.get("rain_sewage_split_rate"))
    assert set(rain["cls_key"]) == {"no_data"} and len(rain) == 3  # not in the sheet: every village 无数据
    records = map_layer.deck_json_records(map_layer.deck(TOILETS, frame))
    assert len(records) == 3 and any("太平村：80.0%" in r["tip"] for r in records)
    assert labels.title(TOILETS, "out_each_village", period) == "无害化卫生户厕普及率 · 各村 · 2026-10"


def test_rates_for_a_filter_with_change_since_the_previous_period(mem_store):
    _import(mem_store, title="阳山县太平镇各村指标（截至2026年4月30日）")
    later = [list(r) for r in ROWS]
    later[2][4] = 60  # 龙塘村 60 of 100 households now
    _import(mem_store, later)
    toilets = next(r for r in views.rates(mem_store, TAIPING, CAT) if r.indicator.code == "toilet_rate")
    assert toilets.period == date(2026, 10, 31) and toilets.previous_period == date(2026, 4, 30)
    assert toilets.current.value == pytest.approx(490 / 600 * 100)
    assert toilets.previous.value == pytest.approx(460 / 600 * 100)
    assert toilets.change == pytest.approx(30 / 600 * 100)
    assert labels.change_text(TOILETS, toilets.change) == "+5.0 个百分点"
    assert labels.gap_text(TOILETS, toilets.current.gap) == f"{toilets.current.gap:.1f} 个百分点"
    assert labels.gap_text(TOILETS, -2.0) == "已达标" and labels.gap_text(TOILETS, None) == ""
    tiers = next(r for r in views.rates(mem_store, TAIPING, CAT) if r.indicator.code == "beautiful_tier")
    assert labels.rollup_text(TIER, tiers.current.value) == "2 个村"  # 太平村 and 毛崀村 are created, 龙塘村 not
    assert labels.change_text(TIER, 1.0) == "+1 个村"
    assert views.rates(mem_store, Filters(counties=("英德市",)), CAT) == []


def test_still_missing_after_every_planned_project(demo_store):
    table = views.still_missing(demo_store, Filters(), demo.DEMO_AS_OF)
    sewage = table[table["indicator"] == "sewage_rate"]
    assert len(sewage) and (sewage["value"] < sewage["target"]).all()
    # Cross-check one by hand: villages short of the sewage target, minus those with an unfinished
    # sewage project due by the end of 2026.
    from portfolio.outcomes import values

    v = values.load(demo_store, indicator="sewage_rate")
    latest = v[v["period"] == v["period"].max()]
    short = set(latest[latest["value"] < latest["target"]]["place_code"])
    p = demo_store.con.execute(
        "SELECT village_code, max(plan_end) FROM projects WHERE category = 'sewage' "
        "AND status NOT IN ('completed', 'accepted') AND village_code IS NOT NULL GROUP BY village_code").fetchall()
    in_time = {code for code, end in p if end is not None and end <= date(2026, 12, 31)}
    expected = short - in_time
    assert len(sewage) == len(expected)
    assert set(sewage["reason"]) <= {"no_project", "too_late"}
    late = sewage[sewage["reason"] == "too_late"]
    assert (late["last_plan_end"] > date(2026, 12, 31)).all()


def test_profile_lists_the_projects_that_move_each_indicator(demo_store):
    prof = views.profile(demo_store, TAIPING, demo.DEMO_AS_OF).set_index("indicator")
    assert set(prof.index) == set(catalogue.default().codes)
    n = demo_store.con.execute(
        "SELECT count(*) FROM projects WHERE county = '阳山县' AND town = '太平镇' AND category = 'toilets' "
        "AND status NOT IN ('completed', 'accepted')").fetchall()[0][0]
    assert prof.loc["toilet_rate", "projects"] == n
    assert len(prof.loc["toilet_rate", "trend"]) == 5
    assert prof.loc["toilet_rate", "gap"] == pytest.approx(prof.loc["toilet_rate", "target"]
                                                           - prof.loc["toilet_rate", "value"])
