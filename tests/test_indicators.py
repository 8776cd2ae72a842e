"""Each indicator is defined once, and every place that shows it gives the same number.

开工/完工/逾期/停滞 are columns of the macro chain (queries/schema.sql); the rates are
portfolio.indicators. The overview, the town page, the map's town indicators, and the
meeting pack (deck and report share meeting.collect) must agree for the same filter.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from portfolio import demo, indicators, maps, meeting, sql, views
from portfolio.filters import Filters
from tests.conftest import ROOT

AS_OF = demo.DEMO_AS_OF
SCOPES = [Filters(), Filters(counties=("阳山县",)), Filters(categories=("roads", "water_supply"), years=(2025,)),
          Filters(flags=("late",))]


def pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def test_rate_helper_definitions():
    k = views.Kpis(projects=4, budget_wan=200.0, funds_in_place_wan=150.0, spent_wan=50.0, started=3, finished=1,
                   beneficiaries=0, households=0, late=0, stalled=0)
    assert (k.start_rate, k.finish_rate, k.in_place_rate, k.spent_rate) == (0.75, 0.25, 0.75, 0.25)
    assert indicators.rate("start_rate", {"started": 0, "projects": 0}) is None
    frame = pd.DataFrame({"started": [1, 0], "projects": [2, 0]})
    rates = indicators.rate("start_rate", frame)
    assert rates.iloc[0] == 0.5 and math.isnan(rates.iloc[1])


@pytest.mark.parametrize("filters", SCOPES, ids=["all", "county", "roads-2025", "late"])
def test_views_map_and_meeting_agree(demo_store, filters):
    k = views.kpis(demo_store, filters, AS_OF)
    towns = views.by_town(demo_store, filters, AS_OF)
    assert towns["projects"].sum() == k.projects and towns["started"].sum() == k.started
    assert towns["finished"].sum() == k.finished and towns["late"].sum() == k.late
    assert towns["stalled"].sum() == k.stalled
    for row in towns.itertuples():
        assert row.start_rate == pytest.approx(indicators.rate("start_rate", row))
    # The map's town indicator layer reads the same columns.
    map_towns = maps.load(demo_store, filters, AS_OF).towns
    by_key = {(r.county, r.town): r for r in towns.itertuples()}
    for row in map_towns[map_towns["projects"] > 0].itertuples():
        mine = by_key[(row.county, row.town)]
        assert (row.projects, row.started, row.finished, row.late) == (mine.projects, mine.started, mine.finished,
                                                                      mine.late)
        for indicator in ("start_rate", "finish_rate"):
            assert maps.indicator_value(row, indicator) == pytest.approx(getattr(mine, indicator))
    # The meeting pack (pptx and HTML report render this one content model).
    content = meeting.collect(demo_store, filters)
    assert content.kpis == k
    assert content.towns[["projects", "started", "finished", "late"]].equals(towns[["projects", "started", "finished",
                                                                                    "late"]])


def test_overview_and_town_page_show_the_same_numbers(app, demo_db_file):
    import streamlit as st

    from portfolio.store import Store

    app.query_params["county"] = "阳山县"
    at = app.run()
    overview = {m.label: m.value for m in at.metric}
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    town_page = {m.label: m.value for m in at.metric}
    st.cache_resource.clear()
    db = Store(demo_db_file)
    try:
        k = views.kpis(db, Filters(counties=("阳山县",)), AS_OF)
    finally:
        db.close()
    for label in ("项目数", "开工率", "完工率", "逾期项目", "停滞项目"):
        assert overview[label] == town_page[label], label
    assert overview["开工率"] == pct(k.start_rate) and overview["完工率"] == pct(k.finish_rate)
    assert overview["项目数"] == f"{k.projects:,}"


def test_status_rules_live_in_the_macros_only():
    """No query but the macros spells out which statuses are started or finished, or the late rule."""
    for name, text in sql.all_queries().items():
        if name == "create_indicator_macros":
            continue
        assert not re.search(r"status\s+(NOT\s+)?IN\s*\(", text), name
        assert "plan_end <" not in text and "progress_3_back_pct <" not in text.replace("last_progress_pct <=", ""), name
    # portfolio/maps*.py is being split by the map work; it moves to indicators.rate there.
    for path in [*ROOT.joinpath("portfolio").rglob("*.py"), *ROOT.joinpath("app_pages").glob("*.py")]:
        if Path(path).name.startswith("maps") or "ingest" in Path(path).parts:  # ingest checks a sheet, not indicators
            continue
        text = Path(path).read_text(encoding="utf-8")
        assert "'completed', 'accepted'" not in text and '"completed", "accepted"' not in text, path
        assert not re.search(r"\[\"(started|finished)\"\]\s*/\s*\w+\[\"projects\"\]", text), path
