"""The WHERE composed from only the filters set selects exactly what the all-clauses macro selects."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio import sql
from portfolio.filters import UNPLACED, Filters, flag_params

AS_OF = date(2026, 10, 31)
CASES = [
    Filters(),
    Filters(counties=("阳山县",)),
    Filters(counties=("阳山县", UNPLACED)),
    Filters(towns=("阳山县/七拱镇", "清新区/太平镇")),
    Filters(counties=("阳山县",), villages=("阳山县/七拱镇/新圳村",)),
    Filters(categories=("roads", "sewage"), statuses=("in_progress",)),
    Filters(years=(2025,), sources=("central", "social")),
    Filters(sources=("nonsense",)),
    Filters(keyword="污水"),
    Filters(keyword="xm2025"),
    Filters(flags=("late",)),
    Filters(flags=("late", "stalled"), counties=("英德市",)),
]
BY_MACRO = ("SELECT project_id, is_late, is_stalled, town_key FROM flagged_projects($counties, $towns, $villages, "
            "$categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags) ORDER BY project_id")


@pytest.mark.parametrize("filters", CASES, ids=lambda f: repr(f.to_query_params()))
def test_composed_where_selects_what_the_macro_selects(demo_store, filters):
    params = flag_params(filters, AS_OF)
    with demo_store.cursor() as cur:
        expected = cur.execute(BY_MACRO, params).fetchall()  # the macro: every clause, empty ones true
        text = sql.compose(BY_MACRO, params)
        used = {k: v for k, v in params.items() if f"${k}" in text}
        composed = cur.execute(text, used).fetchall()
    assert composed == expected
    if filters != Filters():
        assert len(expected) < demo_store.one("project_count")["n"]  # the case does narrow


def test_only_the_filters_set_reach_the_sql_and_values_stay_bound():
    keyword = "x'); DROP TABLE projects; --"
    text, params = sql.bind("grouped_places", flag_params(Filters(categories=("roads",), keyword=keyword), AS_OF))
    assert "$categories" in text and "$keyword" in text
    assert "$counties" not in text and "$towns" not in text and "$flags" not in text
    assert keyword not in text and "roads" not in text
    assert set(params) == {"categories", "keyword", "as_of"}
    empty, empty_params = sql.bind("grouped_places", flag_params(Filters(), AS_OF))
    assert "WHERE" not in empty.split("project_flags")[1].split(")")[1] and set(empty_params) == {"as_of"}
