"""The demo's village indicators: every village, two years of periods, targets, a few regressions."""
from __future__ import annotations

import hashlib

import pandas as pd

from portfolio import demo
from portfolio.outcomes import catalogue, demo_values, values


def test_every_demo_village_has_every_indicator_over_two_years(demo_store):
    df = values.load(demo_store)
    towns, chosen = demo.assisted_places()
    village_codes = {v.village_code for t in towns for v in chosen[t.town_code]}
    assert set(df["place_code"]) == village_codes and len(village_codes) == 279
    assert set(df["indicator"]) == set(catalogue.default().codes)
    periods = sorted(df["period"].unique())
    assert len(periods) == 5 and (periods[-1] - periods[0]).days >= 700
    assert str(periods[-1]) == str(demo.DEMO_AS_OF)
    rates = df[df["indicator"].isin(demo_values.RATES)]
    assert (rates["numerator"] <= rates["denominator"]).all() and rates["value"].between(0, 100).all()
    assert rates["target"].notna().all() and (rates["target_year"] == 2026).all()
    # 无数据 at the last period for a few villages of one indicator only.
    last = df[df["period"] == periods[-1]]
    counts = last.groupby("indicator")["place_code"].nunique()
    assert 0 < 279 - counts["rain_sewage_split_rate"] < 20
    assert (counts.drop("rain_sewage_split_rate") == 279).all()


def test_a_few_villages_regress_and_tiers_only_climb(demo_store):
    df = values.load(demo_store).sort_values("period")
    periods = sorted(df["period"].unique())
    prev, last = periods[-2], periods[-1]
    rates = df[df["indicator"].isin(["tap_water_rate", "sewage_rate"])]
    wide = rates.pivot_table(index=["place_code", "indicator"], columns="period", values="value")
    dropped = wide[wide[last] < wide[prev] - 5].reset_index()["place_code"].unique()
    assert len(dropped) == demo_values.REGRESSING
    tiers = df[df["indicator"] == "beautiful_tier"].pivot_table(index="place_code", columns="period", values="value")
    assert (tiers.diff(axis=1).fillna(0) >= 0).all().all()


def test_indicator_values_leave_the_demo_projects_unchanged(demo_store):
    projects, reports = demo.generate()

    def digest(frame: pd.DataFrame) -> str:
        text = frame.sort_values(list(frame.columns[:2])).to_csv(index=False)
        return hashlib.sha256(text.encode()).hexdigest()

    stored = demo_store.con.execute("SELECT project_id, budget_wan, village_code, status FROM projects").df()
    assert digest(stored) == digest(projects[["project_id", "budget_wan", "village_code", "status"]]
                                    .astype({"budget_wan": "float64"}))
    assert demo_store.con.execute("SELECT count(*) FROM progress_reports").fetchall()[0][0] == len(reports)
    again = demo_values.generate(projects, demo.DEFAULT_SEED)
    assert again == demo_values.generate(projects, demo.DEFAULT_SEED)  # deterministic
    assert len(again) == len(values.load(demo_store))


def test_demo_values_step_aside_once_the_library_is_real(demo_store):
    """A first real project import clears the demo flag (ingest/commit.py): the demo's values go with it."""
    from portfolio import sql

    assert len(values.load(demo_store)) > 0
    demo_store.write(lambda cur: cur.execute(sql.query("import_clear_demo_flag")))
    assert len(values.load(demo_store)) == 0
