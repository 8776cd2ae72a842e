"""The demo portfolio and the vocabulary it is built on."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from portfolio import demo, geo, sql, views, vocab
from portfolio.filters import Filters


def test_demo_is_deterministic_and_shaped_like_the_programme():
    projects, reports = demo.generate()
    again, again_reports = demo.generate()
    pd.testing.assert_frame_equal(projects, again)
    pd.testing.assert_frame_equal(reports, again_reports)
    assert len(projects) == demo.DEFAULT_PROJECTS
    towns = projects[["county", "town"]].drop_duplicates()
    assert len(towns) == 24 and projects["county"].nunique() == 7
    for county_code, town in demo.ASSISTED_TOWNS[:13]:  # the towns named in published reports
        county = geo.county_names()[county_code]
        assert ((projects["county"] == county) & (projects["town"] == town)).any(), town
    assert 250 <= projects[["county", "town", "village"]].dropna().drop_duplicates().shape[0] <= 340
    assert set(projects["category"]) == set(vocab.CATEGORY_CODES)
    assert set(projects["status"]) == set(vocab.STATUS_CODES)
    assert projects["project_id"].is_unique
    assert set(projects["team"]) == {f"驻{t}工作队" for _, t in demo.ASSISTED_TOWNS}


def test_demo_magnitudes_match_published_figures():
    projects, _ = demo.generate()
    by_cat = projects.groupby("category")["budget_wan"].sum()
    assert by_cat["water_supply"] == pytest.approx(1400.1, rel=0.25)
    assert by_cat["roads"] == pytest.approx(1130.2, rel=0.25)
    assert by_cat["lighting"] == pytest.approx(324.7, rel=0.5)
    assert by_cat["farmland"] == pytest.approx(474.13, rel=0.35)
    toilets = projects[projects["category"] == "toilets"]
    per_household = toilets["budget_wan"].sum() / toilets["beneficiary_households"].sum()
    assert 0.25 <= per_household <= 0.35


def test_demo_villages_are_real_and_placed_near_their_town():
    projects, _ = demo.generate()
    real = {(v.town_code, v.short_name) for v in geo.villages()}
    seats = {t.town_code: t for t in geo.towns()}
    with_village = projects.dropna(subset=["village"])
    assert all((tc, v) in real for tc, v in zip(with_village["town_code"], with_village["village"]))
    for row in with_village.itertuples():
        seat = seats[row.town_code]
        assert geo.distance_km(row.lon, row.lat, seat.lon, seat.lat) < 9
        assert row.location_precision in ("village", "exact")


def test_demo_has_history_late_and_stalled(demo_store):
    k = views.kpis(demo_store, Filters(), demo.DEMO_AS_OF)
    assert k.late > 0 and k.stalled > 0
    _, reports = demo.generate()
    assert reports["report_date"].nunique() == demo.REPORT_MONTHS
    table = views.project_table(demo_store, Filters(statuses=("in_progress",)), demo.DEMO_AS_OF)
    lengths = [len(views.project_history(demo_store, pid)) for pid in table["project_id"]]
    assert min(lengths) >= 1 and max(lengths) == demo.REPORT_MONTHS
    assert sorted(lengths)[len(lengths) // 2] >= 3


def test_demo_scales_for_benchmarks():
    projects, reports = demo.generate(30_000, seed=7)
    assert len(projects) == 30_000 and projects["project_id"].is_unique
    assert projects["town"].nunique() > 24  # large portfolios spread over every town
    assert len(reports) > len(projects)


def test_sql_status_lists_match_vocabulary():
    macros = sql.query("create_indicator_macros")
    started = re.search(r"MACRO status_started\(status\) AS\s+coalesce\(status IN \(([^)]*)\)", macros)
    finished = re.search(r"MACRO status_finished\(status\) AS coalesce\(status IN \(([^)]*)\)", macros)
    assert tuple(re.findall(r"'(\w+)'", started.group(1))) == vocab.STARTED_STATUS_CODES
    assert tuple(re.findall(r"'(\w+)'", finished.group(1))) == vocab.FINISHED_STATUS_CODES == ("completed", "accepted")


def test_every_category_has_label_colour_and_area():
    for c in vocab.CATEGORIES:
        assert c.zh and c.en and re.fullmatch(r"#[0-9A-F]{6}", c.color) and c.area in vocab.AREA_BY_CODE
    assert len({c.color for c in vocab.CATEGORIES}) == len(vocab.CATEGORIES)
    assert vocab.CATEGORY_CODES[:5] == ("water_supply", "roads", "toilets", "sewage", "farmland")


def test_coordinate_round_trips():
    lon, lat = 112.6, 24.4
    assert geo.to_wgs84(*geo.wgs84_to_gcj02(lon, lat), "gcj02") == pytest.approx((lon, lat), abs=1e-7)
    bd = geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(lon, lat))
    assert geo.to_wgs84(*bd, "bd09") == pytest.approx((lon, lat), abs=1e-5)
    shift = geo.distance_km(lon, lat, *geo.wgs84_to_gcj02(lon, lat))
    assert 0.3 < shift < 0.9  # about 600 m near 113E, 24N


def test_demo_points_lie_in_their_own_county():
    projects, _ = demo.generate()
    codes = {t.county: t.county_code for t in geo.towns()}
    village_level = projects[projects["location_precision"] == "village"]
    outside = [r.project_id for r in village_level.itertuples() if geo.point_in_county(r.lon, r.lat) != codes[r.county]]
    assert outside == []


def test_demo_names_are_as_long_as_real_ones_and_leave_every_other_column_alone(monkeypatch):
    projects, reports = demo.generate()
    lengths = projects["name"].str.len()
    assert 38 <= lengths.median() <= 50 and lengths.quantile(0.75) >= 44 and lengths.max() >= 55
    assert (lengths >= 40).mean() > 0.5
    # The core name (village + works) is still inside each long name.
    assert projects["name"].str.contains("村|镇").all()
    # Names come from their own RNG stream: without the dressing every other column is unchanged.
    monkeypatch.setattr(demo.demo_names, "dress", lambda core, *args: core)
    plain, plain_reports = demo.generate()
    pd.testing.assert_frame_equal(plain.drop(columns="name"), projects.drop(columns="name"))
    pd.testing.assert_frame_equal(plain_reports, reports)
    assert plain["name"].str.len().max() <= 16  # the short core names of before


def test_demo_streams_in_chunks_with_the_same_library():
    whole, whole_reports = demo.generate(3_000, seed=5)
    parts = list(demo.generate_chunks(3_000, seed=5, chunk=3_000))
    pd.testing.assert_frame_equal(parts[0][0], whole)
    chunked = list(demo.generate_chunks(3_000, seed=5, chunk=1_000))
    projects = pd.concat([p for p, _ in chunked], ignore_index=True)
    assert len(chunked) == 3 and len(projects) == 3_000 and projects["project_id"].is_unique
    assert projects["project_id"].str.slice(6).astype(int).tolist() == list(range(1, 3_001))
    assert set(projects["status"]) == set(vocab.STATUS_CODES)


def test_demo_build_streams_into_the_store(mem_store):
    assert demo.build(mem_store, 1_200, seed=3) == 1_200
    assert mem_store.one("project_count")["n"] == 1_200
    projects, _ = demo.generate(1_200, seed=3)
    k = views.kpis(mem_store, Filters(), demo.DEMO_AS_OF)
    assert k.projects == 1_200 and k.budget_wan == pytest.approx(projects["budget_wan"].sum())


def test_a_library_built_in_chunks_has_the_rollup_a_full_rebuild_gives(monkeypatch):
    """Each chunk writes its own projects' rollup (one rebuild at the end ran out of memory at 10M)."""
    from portfolio import store as store_mod

    whole = demo.generate_chunks
    monkeypatch.setattr(demo, "generate_chunks", lambda n, seed, as_of: whole(n, seed, as_of, chunk=1_000))
    db = store_mod.Store(":memory:")
    assert demo.build(db, 3_000, seed=5) == 3_000
    query = ("SELECT project_id, report_count, last_report_date, last_progress_pct, progress_3_back_pct, "
             "prev_report_date, prev_progress_pct, last_status, prev_status, last_spent_wan, prev_spent_wan, "
             "place_report_date FROM projects ORDER BY project_id")
    with db.cursor() as cur:
        built = cur.execute(query).fetchall()
    db.write(lambda cur: store_mod.refresh_progress_latest(cur))
    with db.cursor() as cur:
        rebuilt = cur.execute(query).fetchall()
    assert built == rebuilt
    assert sum(1 for row in built if row[1]) > 1_000  # started projects have reports
    db.close()
