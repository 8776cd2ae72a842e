"""An older library (schema 6, before village indicators) opens with the indicator tables added and its data kept."""
from __future__ import annotations

import duckdb

from portfolio import store as store_mod
from portfolio.outcomes import values
from tests.seed import seed


def test_schema_6_library_gains_the_indicator_tables(tmp_path):
    path = tmp_path / "old.duckdb"
    db = store_mod.Store(path)
    seed(db)
    db.close()
    con = duckdb.connect(str(path))
    con.execute("DROP MACRO TABLE indicator_current")
    con.execute("DROP TABLE indicator_values")
    con.execute("DROP TABLE indicators")
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    projects = con.execute("SELECT count(*) FROM projects").fetchall()[0][0]
    con.close()
    db = store_mod.Store(path)
    try:
        assert db.meta("schema_version") == str(store_mod.SCHEMA_VERSION) and store_mod.SCHEMA_VERSION >= 7
        assert db.rows("project_count")[0][0] == projects > 0
        assert values.load(db).empty and values.periods(db) == []
    finally:
        db.close()
