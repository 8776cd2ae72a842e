"""The stored place keys and report rollup columns (schema 8) stay right through writes and the migration."""
from __future__ import annotations

import duckdb

from portfolio import store as store_mod, views
from portfolio.filters import Filters
from tests.seed import AS_OF, seed

# The keys by their definition, computed from the gazetteer for every row (what the store must hold).
DEFINED_KEYS = """
SELECT p.project_id,
       CASE WHEN p.county IN (SELECT county FROM towns) THEN p.county ELSE '_unplaced' END,
       CASE WHEN (p.county, p.town) IN (SELECT (county, town) FROM towns) THEN p.county || '/' || p.town
            ELSE '_unplaced' END,
       CASE WHEN (p.county, p.town) IN (SELECT (county, town) FROM towns) AND coalesce(p.village, '') <> ''
            THEN p.county || '/' || p.town || '/' || p.village END
FROM projects AS p ORDER BY 1
"""
STORED_KEYS = "SELECT project_id, county_key, town_key, village_key FROM projects ORDER BY 1"


def _keys(db, text):
    with db.cursor() as cur:
        return cur.execute(text).fetchall()


def test_seed_keys_are_the_defined_ones(seed_store):
    stored = _keys(seed_store, STORED_KEYS)
    assert stored == _keys(seed_store, DEFINED_KEYS)
    assert ("B1", "清新区", "清新区/太平镇", "清新区/太平镇/大坪村") in stored
    assert ("C1", "连南瑶族自治县", "连南瑶族自治县/寨岗镇", None) in stored  # no village, no village key


def test_a_write_that_moves_or_blanks_a_place_updates_the_keys(seed_store):
    def move(cur):
        cur.execute("UPDATE projects SET county = '清新区' WHERE project_id = 'A3'")  # to the other 太平镇
        cur.execute("UPDATE projects SET village = NULL WHERE project_id = 'A1'")
        cur.execute("UPDATE projects SET town = '不存在镇' WHERE project_id = 'C1'")  # outside the gazetteer
    seed_store.write(move)
    assert _keys(seed_store, STORED_KEYS) == _keys(seed_store, DEFINED_KEYS)
    towns = views.facet_counts(seed_store, Filters(), "town", AS_OF)
    assert towns == {"清新区/太平镇": 2, "阳山县/太平镇": 2, "_unplaced": 1}
    villages = views.facet_counts(seed_store, Filters(), "village", AS_OF)
    assert villages == {"清新区/太平镇/大坪村": 2, "阳山县/太平镇/石径村": 1}
    assert views.kpis(seed_store, Filters(towns=("清新区/太平镇",)), AS_OF).budget_wan == 80 + 12


def test_a_schema_7_library_gains_the_keys_and_the_rollup_columns(tmp_path):
    path = tmp_path / "old.duckdb"
    db = store_mod.Store(path)
    seed(db)
    fresh = (views.kpis(db, Filters(counties=("阳山县",)), AS_OF), views.changes_since_previous_report(db, Filters(), AS_OF),
             _keys(db, STORED_KEYS))
    db.close()
    con = duckdb.connect(str(path))
    # the schema-7 shape: the columns schema 8 added, dropped (each statement written out: no SQL is built)
    for statement in (
        "ALTER TABLE projects DROP COLUMN county_key", "ALTER TABLE projects DROP COLUMN town_key",
        "ALTER TABLE projects DROP COLUMN village_key", "ALTER TABLE projects DROP COLUMN place_sig",
        "ALTER TABLE progress_latest DROP COLUMN last_status", "ALTER TABLE projects DROP COLUMN last_status",
        "ALTER TABLE progress_latest DROP COLUMN prev_status", "ALTER TABLE projects DROP COLUMN prev_status",
        "ALTER TABLE progress_latest DROP COLUMN last_spent_wan", "ALTER TABLE projects DROP COLUMN last_spent_wan",
        "ALTER TABLE progress_latest DROP COLUMN prev_spent_wan", "ALTER TABLE projects DROP COLUMN prev_spent_wan",
        "ALTER TABLE projects DROP COLUMN prev_progress_pct",
    ):
        con.execute(statement)
    con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    con.close()
    db = store_mod.Store(path)
    try:
        assert db.meta("schema_version") == str(store_mod.SCHEMA_VERSION)
        assert _keys(db, STORED_KEYS) == fresh[2]
        assert views.kpis(db, Filters(counties=("阳山县",)), AS_OF) == fresh[0]
        assert views.changes_since_previous_report(db, Filters(), AS_OF) == fresh[1]
        assert fresh[1].reported == 2 and fresh[1].avg_progress_gain == 5  # A1 40 -> 50, B1 35 -> 35
    finally:
        db.close()


def test_the_full_rollup_rebuilt_in_parts_equals_one_pass(seed_store, monkeypatch):
    def rollup():
        with seed_store.cursor() as cur:
            return cur.execute("SELECT * FROM progress_latest ORDER BY project_id").fetchall()

    seed_store.write(lambda cur: store_mod.refresh_progress_latest(cur))
    whole = rollup()
    assert len(whole) == 2 and len(whole[0]) == 12  # A1 and B1, with the last two reports' columns
    monkeypatch.setattr(store_mod, "REPORTS_PER_REBUILD_PART", 3)  # eight reports: three parts
    seed_store.write(lambda cur: store_mod.refresh_progress_latest(cur))
    assert rollup() == whole


def test_keys_filled_a_few_rows_a_transaction_are_the_defined_ones(seed_store):
    seed_store.write(lambda cur: cur.execute("UPDATE projects SET county_key = NULL, place_sig = NULL"),
                     touches_data=False)  # as a schema-7 library has them
    with seed_store.cursor() as cur:
        store_mod.fill_place_keys(cur, rows_at_a_time=2)  # five projects: three transactions
    assert _keys(seed_store, STORED_KEYS) == _keys(seed_store, DEFINED_KEYS)
