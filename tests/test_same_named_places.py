"""Same-named towns are never ambiguous: the filter offers each with its county, and the
project table names the county beside the town (issue: 太平镇 is in 阳山县 and 清新区)."""
from __future__ import annotations


def test_town_filter_offers_both_taiping_towns_with_their_county(app):
    at = app.run()
    options = [o for o in at.multiselect(key="f_towns").options if o.startswith("太平镇")]
    assert len(options) == 2
    assert {o.split(" (")[0] for o in options} == {"太平镇 · 阳山县", "太平镇 · 清新区"}


def test_project_table_shows_the_county_with_the_town(app):
    app.query_params["town"] = ["阳山县/太平镇", "清新区/太平镇"]
    at = app.run()
    at.switch_page("app_pages/projects.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    town_column = [c for c in table.columns if c == "town"]
    assert town_column, list(table.columns)
    town_column = town_column[0]
    assert set(table[town_column]) == {"太平镇 · 阳山县", "太平镇 · 清新区"}
