"""The store side of village indicators: the catalogue table, value rows, the standing values.

Value rows are only ever added; a batch's rows stand while the batch does (see the macro
indicator_current in queries/outcomes_schema.sql), so undoing an indicator import restores the
values before it exactly, whatever order batches came in.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa

from portfolio import sql
from portfolio.outcomes.catalogue import Catalogue

VALUE_COLUMNS = ("batch_id", "place_code", "level", "county", "town", "village", "town_code", "indicator",
                 "period", "value", "numerator", "denominator", "households", "target", "target_year")
_TYPES = {"period": pa.date32(), "target_year": pa.int32(),
          **{c: pa.float64() for c in ("value", "numerator", "denominator", "households", "target")}}


def sync_catalogue(cur: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    """Write the catalogue into the indicators table (inside the caller's transaction)."""
    inds = catalogue.indicators
    table = pa.table({
        "code": pa.array([i.code for i in inds], pa.string()),
        "name_zh": pa.array([i.name_zh for i in inds], pa.string()),
        "name_en": pa.array([i.name_en for i in inds], pa.string()),
        "unit": pa.array([i.unit for i in inds], pa.string()),
        "kind": pa.array([i.kind for i in inds], pa.string()),
        "higher_is_better": pa.array([i.higher_is_better for i in inds], pa.bool_()),
        "categories": pa.array([list(i.categories) for i in inds], pa.list_(pa.string())),
        "base_unit": pa.array([i.base_unit for i in inds], pa.string()),
        "tiers": pa.array([list(i.tiers) for i in inds], pa.list_(pa.string())),
        "sort_order": pa.array([i.sort_order for i in inds], pa.int32()),
    })
    cur.execute(sql.query("outcomes_clear_catalogue"))
    sql.execute_with_table(cur, "catalogue_rows", table, "outcomes_insert_catalogue")


def value_table(rows: list[dict]) -> pa.Table:
    """Value rows (dicts with VALUE_COLUMNS) as an Arrow table of the stored types."""
    return pa.table({c: pa.array([r.get(c) for r in rows], _TYPES.get(c, pa.string())) for c in VALUE_COLUMNS})


def insert_values(cur: duckdb.DuckDBPyConnection, rows: list[dict] | pa.Table) -> None:
    table = rows if isinstance(rows, pa.Table) else value_table(rows)
    if table.num_rows:
        sql.execute_with_table(cur, "value_rows", table, "outcomes_insert_values")


def stored_for(cur: duckdb.DuckDBPyConnection, keys: list[tuple[str, str, date]]) -> dict[tuple, dict]:
    """The standing values for (place_code, indicator, period) keys."""
    if not keys:
        return {}
    frame = pa.table({"place_code": pa.array([k[0] for k in keys], pa.string()),
                      "indicator": pa.array([k[1] for k in keys], pa.string()),
                      "period": pa.array([k[2] for k in keys], pa.date32())})
    cur.register("value_keys", frame)
    try:
        result = cur.execute(sql.query("outcomes_stored_for"))
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        cur.unregister("value_keys")
    return {(r[0], r[1], r[2]): dict(zip(names, r)) for r in rows}


def load(store, filters=None, indicator: str | None = None) -> pd.DataFrame:
    """The standing values of the places in `filters` (every period), one indicator or all."""
    params = {"counties": list(filters.counties) if filters else [],
              "towns": list(filters.towns) if filters else [],
              "villages": list(filters.villages) if filters else [],
              "indicator": indicator}
    return store.df("outcomes_values", params)


def periods(store) -> list[date]:
    """Periods with standing values, latest first."""
    return [r[0] for r in store.rows("outcomes_periods")]
