"""The overview's one grouped pass gives what the single questions (queries/facets.sql, by_category,
by_status, and the reference kpis and by_town of tests/reference_queries.py) give, under every kind of filter."""
from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

import pytest

from portfolio import views
from portfolio.filters import UNPLACED, Filters, flag_params
from tests import reference_queries as reference

AS_OF = date(2026, 10, 31)
CASES = [
    Filters(),
    Filters(counties=("阳山县",)),
    Filters(towns=("阳山县/七拱镇",), categories=("roads", "water_supply")),
    Filters(counties=(UNPLACED, "清新区"), years=(2025, 2026)),
    Filters(flags=("stalled",), sources=("provincial",)),
    Filters(keyword="不存在的项目"),  # nothing matches
]


@pytest.mark.parametrize("filters", CASES, ids=lambda f: repr(f.to_query_params()))
def test_grouped_pass_matches_the_single_questions(demo_store, filters):
    db = demo_store
    params = flag_params(filters, AS_OF)
    single = reference.one(db, reference.KPIS, params)
    assert asdict(views.kpis(db, filters, AS_OF)) == pytest.approx(single)

    for name, view, key in (("by_category", views.by_category, "category"), ("by_status", views.by_status, "status")):
        expected = db.df(name, params).sort_values(key).reset_index(drop=True)
        got = view(db, filters, AS_OF).sort_values(key).reset_index(drop=True)
        assert got.columns.tolist() == expected.columns.tolist()
        for column in expected.columns:
            assert got[column].tolist() == pytest.approx(expected[column].tolist()) if column != key else \
                got[column].tolist() == expected[column].tolist(), (name, column)

    towns = views.by_town(db, filters, AS_OF)
    expected = reference.df(db, reference.BY_TOWN, params)
    assert towns["town_key"].tolist() == expected["town_key"].tolist()  # same order: budget, then key
    for column in expected.columns:
        values, wanted = towns[column].tolist(), expected[column].tolist()
        assert values == (wanted if column in ("county", "town", "town_key") else pytest.approx(wanted)), column

    for facet in views.FACETS:
        cleared = replace(filters, **{f: () for f in views._FACET_CLEARS[facet]})
        fparams = flag_params(cleared, AS_OF)
        got = views.facet_counts(db, filters, facet, AS_OF)
        if facet in ("source", "flag"):
            assert got == {k: int(v) for k, v in db.one(f"facet_{facet}", fparams).items()}
        elif facet in ("category", "status"):  # the single question leaves ties unordered; the pass orders them
            assert got == {str(v): n for v, n in db.rows(f"facet_{facet}", fparams)}, facet
            assert list(got.values()) == sorted(got.values(), reverse=True)
        else:
            assert list(got.items()) == [(str(v), n) for v, n in db.rows(f"facet_{facet}", fparams)], facet


def test_a_write_is_seen_at_once(seed_store):
    before = views.kpis(seed_store, Filters(), date(2026, 6, 30))
    seed_store.write(lambda cur: cur.execute("UPDATE projects SET budget_wan = budget_wan + 1 WHERE project_id = 'A1'"))
    after = views.kpis(seed_store, Filters(), date(2026, 6, 30))
    assert after.budget_wan == pytest.approx(before.budget_wan + 1)
    assert views.by_town(seed_store, Filters(), date(2026, 6, 30))["budget_wan"].sum() == pytest.approx(after.budget_wan)
