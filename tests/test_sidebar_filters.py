"""The sidebar filters keep keys, never labels, whatever order the picks come in."""
from __future__ import annotations

import streamlit as st

from portfolio import demo, views
from portfolio.filters import Filters
from portfolio.store import Store


def _count(demo_db_file, filters: Filters) -> int:
    st.cache_resource.clear()  # release the app's handle before opening the file here
    db = Store(demo_db_file)
    try:
        return views.kpis(db, filters, demo.DEMO_AS_OF).projects
    finally:
        db.close()


def test_counts_in_labels_never_become_the_value(app, demo_db_file):
    """英德市, then 道路, then 在建: the county stays 英德市 though its count changes twice."""
    at = app.run()
    at.multiselect(key="f_counties").set_value(["英德市"]).run()
    at.multiselect(key="f_categories").set_value(["roads"]).run()
    at.multiselect(key="f_statuses").set_value(["in_progress"]).run()
    assert not at.exception
    assert at.multiselect(key="f_counties").value == ["英德市"]
    assert at.query_params["county"] in ("英德市", ["英德市"])
    expected = _count(demo_db_file, Filters(counties=("英德市",), categories=("roads",), statuses=("in_progress",)))
    assert expected > 0
    shown = {m.label: m.value for m in at.metric}["项目数"]
    assert shown == f"{expected:,}"
    county = at.multiselect(key="f_counties")
    assert [county.format_func(v) for v in county.value] == [f"英德市 ({_count_county(demo_db_file)})"]


def _count_county(demo_db_file) -> str:
    return f"{_count(demo_db_file, Filters(counties=('英德市',), categories=('roads',), statuses=('in_progress',))):,}"


def test_labels_in_state_or_url_are_dropped(app):
    app.query_params["county"] = "英德市 (77)"
    app.query_params["town"] = ["英德市/不存在镇", "_unplaced"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="f_counties").value == []
    assert "county" not in at.query_params


def test_flags_are_filters_with_counts_and_in_the_url(app, demo_db_file):
    at = app.run()
    flags = at.multiselect(key="f_flags")
    at.multiselect(key="f_flags").set_value(["late"]).run()
    assert not at.exception
    assert at.query_params["flag"] in ("late", ["late"])
    late = _count(demo_db_file, Filters(flags=("late",)))
    assert {m.label: m.value for m in at.metric}["项目数"] == f"{late:,}"
    assert flags.options and any("逾期" in o for o in flags.options)
