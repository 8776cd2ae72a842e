"""Warm reruns reuse work (issue 13 §5) without showing stale numbers: the data version is read once
per run, figures and sidebar facets follow the filters and the data version."""
from __future__ import annotations

import json
import os

import pandas as pd

from portfolio import views
from portfolio.filters import Filters
from portfolio.store import Store


def _app_store():
    from ui import data

    return data.get_store(os.environ["PORTFOLIO_DB"])  # the app's own cached connection


def _comparison_spec(at) -> dict:
    """The town comparison among the page's figures (its legend note is an annotation starting ■)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next(s for s in specs if any(a["text"].startswith("■") for a in s["layout"].get("annotations", ())))


def _bar_labels(spec: dict) -> list[str]:
    return list(spec["data"][0]["y"])


def test_the_data_version_is_read_once_per_run(app, monkeypatch):
    at = app.run()
    reads = []
    real = Store.data_version
    monkeypatch.setattr(Store, "data_version", lambda self: reads.append(1) or real(self))
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5  # the page asked for its KPIs, charts and facets ...
    assert len(reads) == 1  # ... with one version read
    at.run()
    assert len(reads) == 2  # and the next run reads it again


def test_a_write_between_runs_shows_in_kpis_and_facets(app):
    at = app.run()
    before = {m.label: m.value for m in at.metric}
    county_label = at.multiselect(key="f_counties").format_func("阳山县")
    db = _app_store()
    db.write(lambda cur: cur.execute("DELETE FROM projects WHERE county = '阳山县' AND project_id IN "
                                     "(SELECT project_id FROM projects WHERE county = '阳山县' LIMIT 5)"))
    at.run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert int(after["项目数"]) == int(before["项目数"]) - 5 == views.kpis(db, Filters(), None).projects
    n = int(county_label.rsplit("(", 1)[1].rstrip(")"))
    assert at.multiselect(key="f_counties").format_func("阳山县") == county_label.replace(f"({n})", f"({n - 5})")


def test_the_comparison_figure_follows_filter_indicator_and_data(app):
    at = app.run()
    at.switch_page("app_pages/towns.py").run()
    assert at.selectbox(key="tw_indicator").value == "budget_wan"
    city = _comparison_spec(at)
    at.run()
    assert _comparison_spec(at) == city  # a warm rerun sends the same figure
    at.selectbox(key="tw_indicator").set_value("late").run()
    late = _comparison_spec(at)
    assert late["layout"]["xaxis"]["title"]["text"] != city["layout"]["xaxis"]["title"]["text"]
    assert late["data"][0]["x"] != city["data"][0]["x"]
    at.selectbox(key="tw_indicator").set_value("budget_wan")
    at.multiselect(key="f_counties").set_value(["阳山县"]).run()
    assert not at.exception
    # 阳山县 chosen: its meeting view compares only its own towns.
    db = _app_store()
    ranked = views.town_comparison(db, Filters(counties=("阳山县",)), None, "budget_wan")
    yangshan = _comparison_spec(at)
    assert set(_bar_labels(yangshan)) == set(ranked.head(25)["town"]) != set(_bar_labels(city))
    # A write changes the data version: the figure is built again from the new numbers.
    db.write(lambda cur: cur.execute("UPDATE projects SET budget_wan = budget_wan + 100000 WHERE project_id = "
                                     "(SELECT min(project_id) FROM projects WHERE county = '阳山县')"))
    at.run()
    assert not at.exception
    changed = _comparison_spec(at)["data"][0]
    assert changed["text"] != yangshan["data"][0]["text"]  # the bar labels (万元) carry the new budget
    assert _bar_labels({"data": [changed]})[-1] != _bar_labels(yangshan)[-1] or changed["x"] != yangshan["data"][0]["x"]


def test_a_sent_figure_sends_what_the_figure_would():
    import plotly.io as pio
    import plotly.tools

    from portfolio import charts
    from ui.figures import SentFigure, sendable

    frame = pd.DataFrame({"category": ["roads", "water_supply"], "projects": [3, 5], "budget_wan": [12.5, 40.0]})
    figure = charts.category_bars(frame, "zh", "budget_wan")
    sent = sendable(figure)
    assert isinstance(sent, SentFigure) and sendable(sent) is sent and sendable({"data": []}) == {"data": []}

    def wire(fig):  # what st.plotly_chart puts on the wire
        return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, True), validate=False))

    assert wire(sent) == wire(figure)
    assert [t["y"] for t in wire(sent)["data"]] == [t["y"] for t in wire(figure)["data"]]
