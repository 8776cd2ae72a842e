"""Schema 9: each project's map position (map_lon, map_lat, map_placement) is stored by
queries/place_keys.sql and kept current by Store.write; the map's queries read it and answer what
the per-query join with the gazetteer (reference_queries.placed) answers."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio.filters import UNPLACED, Filters, flag_params
from tests import reference_queries as reference
from tests.seed import AS_OF

CASES = [
    Filters(),
    Filters(counties=("阳山县",)),
    Filters(towns=("阳山县/七拱镇",), categories=("roads", "water_supply")),
    Filters(counties=(UNPLACED, "清新区"), years=(2025, 2026)),
    Filters(flags=("late",), sources=("provincial",)),
    Filters(keyword="不存在的项目"),  # nothing matches
]
STORED = "SELECT project_id, map_lon, map_lat, map_placement FROM projects ORDER BY project_id"
# The position by the test's own definition (joins the gazetteer per query).
DEFINED = ("SELECT project_id, draw_lon, draw_lat, placement FROM " + reference.placed("project_flags(NULL)")
           + " AS p ORDER BY project_id")


def _rows(db, text):
    with db.cursor() as cur:
        return cur.execute(text).fetchall()


def _same_map_answers(db, filters, as_of):
    params = flag_params(filters, as_of)
    assert db.one("map_summary", params) == pytest.approx(reference.one(db, reference.MAP_SUMMARY, params))
    for name, text, extra, order in (
            ("map_points", reference.MAP_POINTS, {"limit": 500}, None),
            ("map_imprecise", reference.MAP_IMPRECISE, {"limit": 500}, None),
            ("map_grid", reference.MAP_GRID, {"cell": 0.02}, ["lon", "lat"])):  # grid ties are unordered
        got, wanted = db.df(name, {**params, **extra}), reference.df(db, text, {**params, **extra})
        if order:
            got, wanted = (d.sort_values(order).reset_index(drop=True) for d in (got, wanted))
        assert got.columns.tolist() == wanted.columns.tolist(), name
        for column in wanted.columns:  # sums may differ in the last digit (order of addition)
            values = got[column].astype(object).where(got[column].notna(), None).tolist()
            expected = wanted[column].astype(object).where(wanted[column].notna(), None).tolist()
            numeric = wanted[column].dtype.kind == "f"
            assert values == (pytest.approx(expected, nan_ok=True) if numeric else expected), (name, column)


@pytest.mark.parametrize("filters", CASES, ids=lambda f: repr(f.to_query_params()))
def test_the_map_queries_answer_as_the_gazetteer_join(demo_store, filters):
    assert _rows(demo_store, STORED) == _rows(demo_store, DEFINED)
    _same_map_answers(demo_store, filters, date(2026, 10, 31))


def test_moving_a_project_moves_its_stored_position(seed_store):
    db = seed_store
    before = dict((r[0], r[1:]) for r in _rows(db, STORED))
    assert before["A1"][2] == "none" and before["A1"][0] is not None  # drawn at its town's point

    def move(cur):
        cur.execute("UPDATE projects SET county = '清新区' WHERE project_id = 'A3'")  # to the other 太平镇
        cur.execute("UPDATE projects SET town = '不存在镇' WHERE project_id = 'C1'")  # outside the gazetteer
        cur.execute("UPDATE projects SET lon = 112.6, lat = 24.5, location_precision = 'exact' "
                    "WHERE project_id = 'A1'")  # its own coordinates
        cur.execute("UPDATE projects SET lon = 113.0, lat = NULL, location_precision = 'village' "
                    "WHERE project_id = 'B1'")  # half a position: the town's latitude, placement 'none'
    db.write(move)
    after = dict((r[0], r[1:]) for r in _rows(db, STORED))
    assert after["A1"] == (112.6, 24.5, "exact")
    assert after["A3"][:2] != before["A3"][:2] and after["A3"][2] == "none"
    assert after["C1"] == (None, None, "unplaced")
    assert after["B1"] == (113.0, before["B1"][1], "none")
    assert _rows(db, STORED) == _rows(db, DEFINED)
    for filters in (Filters(), Filters(counties=("清新区", UNPLACED)), Filters(towns=("清新区/太平镇",))):
        _same_map_answers(db, filters, AS_OF)

    # Own coordinates with a town outside the gazetteer: drawn, and counted as a town of its own.
    db.write(lambda cur: cur.execute("UPDATE projects SET lon = 112.9, lat = 24.1, location_precision = 'town' "
                                     "WHERE project_id = 'C1'"))
    assert dict((r[0], r[1:]) for r in _rows(db, STORED))["C1"] == (112.9, 24.1, "town")
    _same_map_answers(db, Filters(), AS_OF)

    # Back where it was (an undo): the stored position follows.
    db.write(lambda cur: cur.execute("UPDATE projects SET lon = NULL, lat = NULL, location_precision = 'none' "
                                     "WHERE project_id = 'A1'"))
    assert dict((r[0], r[1:]) for r in _rows(db, STORED))["A1"] == before["A1"]


def test_a_library_without_the_columns_gains_them_at_open(tmp_path):
    import duckdb

    from portfolio import store as store_mod
    from tests.seed import seed

    path = tmp_path / "old.duckdb"
    db = store_mod.Store(path)
    seed(db)
    wanted = _rows(db, STORED)
    db.close()
    con = duckdb.connect(str(path))
    for statement in ("ALTER TABLE projects DROP COLUMN map_lon", "ALTER TABLE projects DROP COLUMN map_lat",
                      "ALTER TABLE projects DROP COLUMN map_placement",
                      "UPDATE projects SET place_sig = hash(county, town, village)"):  # a schema-8 signature
        con.execute(statement)
    con.close()
    db = store_mod.Store(path)
    try:
        assert _rows(db, STORED) == wanted
        _same_map_answers(db, Filters(), AS_OF)
    finally:
        db.close()
