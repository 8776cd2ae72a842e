"""Each page under AppTest: renders without exception, responds to filters and the URL."""
from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from portfolio import demo, views
from portfolio.filters import Filters
from portfolio.store import Store

def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(demo_db_file, filters: Filters) -> views.Kpis:
    st.cache_resource.clear()  # release the app's handle before opening the file here
    db = Store(demo_db_file)
    try:
        return views.kpis(db, filters, demo.DEMO_AS_OF)
    finally:
        db.close()


def test_overview_renders_demo_kpis(app, demo_db_file):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "总览"
    shown = metrics(at)
    k = expected(demo_db_file, Filters())
    assert shown["项目数"] == f"{k.projects:,}" == "560"
    assert shown["计划投资（万元）"] == f"{k.budget_wan:,.1f}"
    assert shown["逾期项目"] == str(k.late)
    assert len(at.get("plotly_chart")) == 5


def test_changing_a_filter_changes_the_kpis(app, demo_db_file):
    at = app.run()
    before = metrics(at)
    at.multiselect(key="f_counties").set_value(["阳山县"]).run()
    assert not at.exception
    after = metrics(at)
    k = expected(demo_db_file, Filters(counties=("阳山县",)))
    assert after["项目数"] == f"{k.projects:,}" != before["项目数"]
    assert after["计划投资（万元）"] == f"{k.budget_wan:,.1f}"
    assert at.query_params["county"] in ("阳山县", ["阳山县"])  # mirrored into the URL


def test_url_params_restore_the_filters(app, demo_db_file):
    app.query_params["county"] = "阳山县"
    app.query_params["cat"] = ["water_supply", "roads"]
    at = app.run()
    assert not at.exception
    assert at.multiselect(key="f_counties").value == ["阳山县"]
    assert at.multiselect(key="f_categories").value == ["water_supply", "roads"]
    k = expected(demo_db_file, Filters(counties=("阳山县",), categories=("water_supply", "roads")))
    assert metrics(at)["项目数"] == f"{k.projects:,}"


def test_county_change_drops_towns_that_no_longer_belong(app):
    app.query_params["town"] = ["阳山县/太平镇", "清新区/太平镇"]
    at = app.run()
    assert sorted(at.multiselect(key="f_towns").value) == ["清新区/太平镇", "阳山县/太平镇"]
    at.multiselect(key="f_counties").set_value(["清新区"]).run()  # its on_change prunes the towns
    assert at.multiselect(key="f_towns").value == ["清新区/太平镇"]
    assert at.query_params["town"] in ("清新区/太平镇", ["清新区/太平镇"])


def test_reset_clears_every_filter(app):
    app.query_params["county"] = "阳山县"
    app.query_params["q"] = "道路"
    at = app.run()
    assert metrics(at)["项目数"] != "560"
    next(b for b in at.button if b.label == "重置筛选").click().run()
    assert metrics(at)["项目数"] == "560"
    assert at.text_input(key="f_keyword").value == "" and at.multiselect(key="f_counties").value == []
    assert "county" not in at.query_params and "q" not in at.query_params


def test_english_switch_translates_labels(app):
    app.query_params["lang"] = "en"
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "Projects" in metrics(at)


def test_projects_page_table_and_detail(app, demo_db_file):
    at = app.run()
    at.switch_page("app_pages/projects.py").run()
    assert not at.exception
    assert at.title[0].value == "项目库"
    frames = at.dataframe
    assert len(frames[0].value) == 560
    pid = frames[0].value["project_id"].iloc[3]
    at.query_params["project"] = pid
    at.run()
    assert not at.exception
    assert any(pid in str(h.value) or "项目详情" in str(h.value) for h in at.subheader)
    assert len(at.get("plotly_chart")) in (0, 1)


def test_projects_page_filters_the_table(app):
    app.query_params["status"] = "in_progress"
    at = app.run()
    at.switch_page("app_pages/projects.py").run()
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["status"]) == {"在建"}


def test_towns_page_opens_on_the_city_wide_comparison(app):
    at = app.run()
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["项目数"] == "560"
    assert len(at.get("plotly_chart")) == 1  # every town compared, before any choice
    assert at.selectbox[0].value is None  # the chooser waits


def test_towns_page_asks_who_presents_and_when_before_the_download(app):
    at = app.run()
    at.multiselect(key="f_counties").set_value(["阳山县"]).run()
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    unit = next(w for w in at.text_input if w.label == "汇报单位")
    assert unit.value == "" and unit.placeholder == "阳山县"  # the cover's default: the area's name
    assert any(w.label == "会议日期" for w in at.date_input)
    unit.set_value("阳山县乡村振兴局").run()
    assert not at.exception
    assert next(w for w in at.text_input if w.label == "汇报单位").value == "阳山县乡村振兴局"
