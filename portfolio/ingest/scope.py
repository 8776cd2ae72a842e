"""Which rows of an import the importing user may write.

An editor writes only projects in their counties or towns: a row is refused when the
project it would create or change lies elsewhere, or when it would move another
town's project (same 项目编号) into theirs. The refused rows are rejected with a
reason naming the row and the town; the rest of the sheet goes in. Applied both to
the dry run and again inside the commit's transaction, so a page, the CLI and any
other caller get the same answer.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from portfolio import sql
from portfolio.auth import User
from portfolio.ingest.issues import ERROR, Issue
from portfolio.ingest.plan import NEW, REJECTED, Plan

PLACE_SEP = "/"


def _stored_places(cur: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    if not ids:
        return {}
    cur.register("scope_ids", pa.table({"project_id": pa.array(ids, pa.string())}))
    try:
        rows = cur.execute(sql.query("scope_stored_places")).fetchall()
    finally:
        cur.unregister("scope_ids")
    return {pid: (county, town) for pid, county, town in rows}


def restrict(cur: duckdb.DuckDBPyConnection, plan: Plan, user: User | None, sheet: str | None) -> Plan:
    """Reject the rows of `plan` that `user` may not write (admins and dry runs without a user: none)."""
    if user is None or user.is_admin:
        return plan
    stored = _stored_places(cur, [r.project_id for r in plan.rows if r.action not in (NEW, REJECTED)])
    refused: set[str] = set()
    for r in plan.rows:
        if r.action == REJECTED:
            continue
        places = []
        if r.has_row:
            places.append((r.get("county"), r.get("town")))
        if r.project_id in stored:
            places.append(stored[r.project_id])
        for county, town in places:
            if not user.may_write(county, town):
                place = PLACE_SEP.join(p for p in (county, town) if p) or "—"
                plan.issues.append(Issue.make(ERROR, "ing_err_out_of_scope", sheet, r.candidate.row,
                                              user=user.label, place=place, scope=user.scope_text()))
                r.action = REJECTED
                refused.add(r.project_id)
                break
    if refused:
        plan.reports = [rep for rep in plan.reports if rep["project_id"] not in refused]
        for pid in refused:
            plan.replaced_reports.pop(pid, None)
            plan.before.pop(pid, None)
    return plan


def batch_places(cur: duckdb.DuckDBPyConnection, batch_id: str) -> set[tuple[str | None, str | None]]:
    """Every (county, town) a batch touched: where its projects are now and where they were before."""
    rows = cur.execute(sql.query("scope_batch_places"), {"batch_id": batch_id}).fetchall()
    return {(county, town) for county, town in rows}
