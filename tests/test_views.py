"""Query layer on an in-memory database built from schema.sql and a tiny seed."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio import views
from portfolio.filters import Filters
from portfolio.store import SCHEMA_VERSION, Store, refresh_progress_latest
from tests.seed import AS_OF, PROJECTS, seed


def test_kpis_equal_hand_computed_sums(seed_store):
    k = views.kpis(seed_store, Filters(), AS_OF)
    assert k.projects == 5
    assert k.budget_wan == pytest.approx(100 + 50 + 12 + 80 + 8)
    assert k.funds_in_place_wan == pytest.approx(80 + 50 + 0 + 40 + 8)
    assert k.spent_wan == pytest.approx(40 + 50 + 0 + 20 + 8)
    assert k.started == 4  # in_progress x2, completed, accepted
    assert k.finished == 2
    assert k.start_rate == pytest.approx(4 / 5) and k.finish_rate == pytest.approx(2 / 5)
    assert k.beneficiaries == 1000 + 500 + 160 + 600 + 300
    assert k.households == 250 + 120 + 40 + 150 + 80
    assert k.late == 1  # A1: plan_end 2026-03-31 passed, still in progress
    assert k.stalled == 1  # B1: 35% over its last four reports
    assert len(views.by_town(seed_store, Filters(), AS_OF)) == 3  # the two 太平镇 are different towns
    villages = views.by_village(seed_store, Filters(), AS_OF)
    assert set(zip(villages["county"], villages["town"], villages["village"])) == {
        ("阳山县", "太平镇", "石径村"), ("阳山县", "太平镇", "大坪村"), ("清新区", "太平镇", "大坪村"),
        ("连南瑶族自治县", "寨岗镇", "")}


@pytest.mark.parametrize(
    "filters, expected_ids",
    [
        (Filters(counties=("阳山县",)), {"A1", "A2", "A3"}),
        (Filters(towns=("清新区/太平镇",)), {"B1"}),
        (Filters(towns=("阳山县/太平镇",)), {"A1", "A2", "A3"}),
        (Filters(villages=("阳山县/太平镇/大坪村",)), {"A3"}),
        (Filters(categories=("water_supply", "roads")), {"A1", "A2"}),
        (Filters(statuses=("in_progress",)), {"A1", "B1"}),
        (Filters(years=(2026,)), {"A3", "B1"}),
        (Filters(sources=("central",)), {"A2", "B1"}),
        (Filters(keyword="石径"), {"A1", "A2"}),
        (Filters(keyword="路灯"), {"C1"}),
        (Filters(keyword="%"), set()),  # wildcards are plain text
        (Filters(counties=("阳山县",), categories=("toilets",)), {"A3"}),
    ],
)
def test_each_filter_narrows(seed_store, filters, expected_ids):
    table = views.project_table(seed_store, filters, AS_OF)
    assert set(table["project_id"]) == expected_ids
    assert views.kpis(seed_store, filters, AS_OF).projects == len(expected_ids)


def test_same_town_name_in_two_counties_is_kept_apart(seed_store):
    towns = views.by_town(seed_store, Filters(), AS_OF)
    taiping = towns[towns["town"] == "太平镇"].set_index("county")
    assert taiping.loc["阳山县", "projects"] == 3 and taiping.loc["清新区", "projects"] == 1
    assert taiping.loc["阳山县", "budget_wan"] == pytest.approx(162.0)


def test_cascade_drops_orphans():
    f = Filters(counties=("清新区",), towns=("阳山县/太平镇", "清新区/太平镇"),
                villages=("阳山县/太平镇/石径村", "清新区/太平镇/大坪村"))
    assert f.without_orphans() == Filters(counties=("清新区",), towns=("清新区/太平镇",),
                                          villages=("清新区/太平镇/大坪村",))
    only_town = Filters(towns=("清新区/太平镇",), villages=("阳山县/太平镇/石径村",))
    assert only_town.without_orphans().villages == ()


def test_url_round_trip_and_bad_values_dropped():
    f = Filters(counties=("阳山县",), towns=("阳山县/太平镇",), categories=("roads",), statuses=("planned",),
                years=(2025, 2026), sources=("central",), keyword="道路")
    params = f.to_query_params()
    assert Filters.from_query_params(params) == f
    bad = {"cat": ["roads", "nope"], "year": ["2025", "x"], "status": ["<script>"], "town": ["no-county"]}
    assert Filters.from_query_params(bad) == Filters(categories=("roads",), years=(2025,))


def test_by_category_and_status_follow_vocabulary_order(seed_store):
    assert list(views.by_category(seed_store, Filters())["category"]) == ["water_supply", "roads", "toilets", "sewage",
                                                                  "lighting"]
    assert list(views.by_status(seed_store, Filters())["status"]) == ["planned", "in_progress", "completed", "accepted"]


def test_facet_counts_ignore_their_own_facet(seed_store):
    f = Filters(counties=("阳山县",), categories=("roads",))
    assert views.facet_counts(seed_store, f, "county") == {"阳山县": 1}
    assert views.facet_counts(seed_store, f, "category") == {"water_supply": 1, "roads": 1, "toilets": 1}
    assert views.facet_counts(seed_store, Filters(), "town") == {"阳山县/太平镇": 3, "清新区/太平镇": 1,
                                                         "连南瑶族自治县/寨岗镇": 1}
    assert views.facet_counts(seed_store, Filters(), "source")["central"] == 2


def test_attention_lists_late_then_stalled(seed_store):
    att = views.attention(seed_store, Filters(), AS_OF)
    assert list(att["project_id"]) == ["A1", "B1"]
    assert list(att["is_late"]) == [True, False] and list(att["is_stalled"]) == [False, True]


def test_monthly_trend_is_cumulative(seed_store):
    trend = views.monthly_trend(seed_store, Filters(), months=24, as_of=AS_OF)
    last = trend.iloc[-1]
    assert last["started"] == 4 and last["finished"] == 2
    assert trend["started"].is_monotonic_increasing


def test_project_detail_and_history(seed_store):
    detail = views.project_detail(seed_store, "B1", AS_OF)
    assert detail["town"] == "太平镇" and detail["county"] == "清新区" and detail["is_stalled"]
    history = views.project_history(seed_store, "A1")
    assert list(history["progress_pct"]) == [20.0, 30.0, 40.0, 50.0]
    assert views.project_detail(seed_store, "nope", AS_OF) is None


def test_every_write_bumps_the_data_version(seed_store):
    before = seed_store.data_version()
    seed_store.write(lambda cur: None)
    assert seed_store.data_version() == before + 1


def test_failed_write_leaves_nothing(seed_store):
    def broken(cur):
        cur.execute("DELETE FROM projects")
        raise RuntimeError("boom")

    version = seed_store.data_version()
    with pytest.raises(RuntimeError):
        seed_store.write(broken)
    assert views.kpis(seed_store, Filters(), AS_OF).projects == len(PROJECTS)
    assert seed_store.data_version() == version


def test_migration_is_idempotent(tmp_path):
    path = tmp_path / "x.duckdb"
    first = Store(path)
    seed(first)
    first.close()
    again = Store(path)
    assert again.one("count_towns")["count_star()"] == 85
    assert views.kpis(again, Filters(), AS_OF).projects == len(PROJECTS)
    again.close()


def test_schema_1_database_is_upgraded_with_its_rollups(tmp_path):
    path = tmp_path / "old.duckdb"
    db = Store(path)
    seed(db)

    def to_schema_1(cur):
        for column in ("report_count", "last_report_date", "last_progress_pct", "progress_3_back_pct",
                       "prev_report_date"):
            cur.execute("ALTER TABLE projects DROP COLUMN " + column)
        cur.execute("ALTER TABLE progress_latest DROP COLUMN prev_report_date")
        cur.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")

    db.write(to_schema_1)
    db.close()
    upgraded = Store(path)
    assert upgraded.meta("schema_version") == str(SCHEMA_VERSION)
    k = views.kpis(upgraded, Filters(), AS_OF)
    assert k.stalled == 1 and k.late == 1
    changes = views.changes_since_previous_report(upgraded, Filters())
    assert (changes.previous, changes.latest) == (date(2026, 5, 31), date(2026, 6, 30))
    upgraded.close()


def test_a_later_update_compares_a_project_with_its_own_last_report(seed_store):
    # A3 last reported in April; B1 (another county) reported every month to June. A phone update on
    # A3 in July is compared with A3's April state, not counted as a new project against June's rows.
    seed_store.write(lambda cur: (cur.execute(
        "INSERT INTO progress_reports (project_id, report_date, status, progress_pct, spent_wan) VALUES "
        "('A3', DATE '2026-04-30', 'in_progress', 10, 2), ('A3', DATE '2026-07-15', 'in_progress', 45, 6)"),
        refresh_progress_latest(cur)))
    changes = views.changes_since_previous_report(seed_store, Filters())
    assert (changes.previous, changes.latest) == (date(2026, 6, 30), date(2026, 7, 15))
    assert changes.reported == 1 and changes.new_projects == 0
    assert changes.avg_progress_gain == pytest.approx(35)  # 10 -> 45
    assert changes.spent_wan_delta == pytest.approx(4)  # 2 -> 6


def test_changes_since_the_previous_report(seed_store):
    changes = views.changes_since_previous_report(seed_store, Filters())
    assert (changes.previous, changes.latest) == (date(2026, 5, 31), date(2026, 6, 30))
    assert changes.reported == 2  # A1 and B1 reported on 2026-06-30
    assert changes.avg_progress_gain == pytest.approx((10 + 0) / 2)  # A1 40 -> 50, B1 35 -> 35
    only_b1 = views.changes_since_previous_report(seed_store, Filters(counties=("清新区",)))
    assert only_b1.avg_progress_gain == 0 and only_b1.reported == 1
    none = views.changes_since_previous_report(seed_store, Filters(counties=("连南瑶族自治县",)))
    assert none.previous is None and none.latest is None
