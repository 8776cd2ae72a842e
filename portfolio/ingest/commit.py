"""Commit an import in one transaction, undo a batch exactly, list the history.

A commit goes through Store.write: one transaction under the write lock, rolled
back on any exception, bumping the data version. It re-plans inside the
transaction and refuses when the library moved since the preview. It keeps the
before-image of every row it changes in project_versions:

    action 'insert'  row_json NULL                         (the project is new)
    action 'update'  {"project": old row, "report": old}   (the project changed)
    action 'report'  {"project": null, "report": old}      (only its progress report changed)

where "report" is the stored report this batch replaced on the same date (or null).
Undo restores those images, removes the batch's reports and refreshes the rollup.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

import duckdb
import pyarrow as pa

from portfolio import audit, auth, sql, store as store_mod
from portfolio.auth import User
from portfolio.ingest import columns
from portfolio.ingest.issues import IngestError
from portfolio.ingest import scope
from portfolio.ingest.plan import CHANGED, NEW, UNCHANGED, Plan, build_plan


@dataclass
class CommitResult:
    batch_id: str | None  # None when there was nothing to write
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    reports: int
    noop: bool


_CHUNK_ROWS = 20_000  # project rows converted to Arrow and inserted at a time


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, default=_json_default, ensure_ascii=False)


def _schema(cur: duckdb.DuckDBPyConnection, query: str) -> pa.Schema:
    return cur.sql(sql.query(query)).to_arrow_table().schema


def _typed(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (dates possibly as ISO strings, from a before-image) as an Arrow table of the table's exact types."""
    try:
        return pa.Table.from_pylist(rows, schema=schema)  # the import's own rows: typed values, converted in C
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass  # ISO strings: convert them below
    arrays = []
    for f in schema:
        column = [row.get(f.name) for row in rows]
        if pa.types.is_date(f.type):
            column = [date.fromisoformat(v) if isinstance(v, str) else v.date() if isinstance(v, datetime) else v
                      for v in column]
        elif pa.types.is_timestamp(f.type):
            column = [datetime.fromisoformat(v) if isinstance(v, str) else v for v in column]
        arrays.append(pa.array(column, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _stamped(frame: pa.Table, values: dict[str, Any]) -> pa.Table:
    """`frame` with each named column set to one value on every row (no copy of the rows in Python)."""
    for name, value in values.items():
        i = frame.schema.get_field_index(name)
        field = frame.schema.field(i)
        frame = frame.set_column(i, field, pa.array([value] * frame.num_rows, field.type))
    return frame


def data_version(cur: duckdb.DuckDBPyConnection) -> int:
    """The store's data version: every committed write of project data bumps it (Store.write)."""
    rows = cur.execute(sql.query("get_meta"), {"key": "data_version"}).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _current_plan(cur: duckdb.DuckDBPyConnection, analysis, user: User) -> Plan:
    """The plan as it stands inside the commit's transaction.

    When nothing was written since the preview (same data version) and the same user commits,
    re-planning would give the preview's plan again: reuse it. Otherwise plan afresh.
    """
    if (analysis.data_version is not None and analysis.user == user
            and data_version(cur) == analysis.data_version):
        return analysis.plan
    return scope.restrict(cur, build_plan(cur, analysis.candidates, analysis.report_date, analysis.sha256,
                                          analysis.sheet), user, analysis.sheet)


def _next_batch_id(cur: duckdb.DuckDBPyConnection, when: datetime) -> str:
    n = cur.execute(sql.query("import_batch_count")).fetchall()[0][0]
    # Zero-padded sequence first: batch ids sort in commit order.
    return f"B{n + 1:06d}-{when:%Y%m%d%H%M%S}"


def commit(store: store_mod.Store, analysis, user: User | None,
           progress: Callable[[str, float], None] | None = None,
           before_write: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> CommitResult:
    """Write an analysed upload. Nothing is written when the plan changes nothing.

    `before_write` runs inside the transaction just before the project rows are
    written (tests inject a failure there).
    """
    auth.require_writer(user)
    plan: Plan = analysis.plan
    counts = plan.counts
    if plan.is_noop:
        return CommitResult(None, 0, 0, counts["unchanged"], counts["rejected"], 0, True)
    expected = plan.signature()

    def work(cur: duckdb.DuckDBPyConnection) -> CommitResult:
        if analysis.removes_demo:
            for name in ("import_delete_demo_reports", "import_delete_demo_latest", "import_delete_demo_projects",
                         "import_clear_demo_flag"):
                cur.execute(sql.query(name))
        fresh = _current_plan(cur, analysis, user)
        if fresh.signature() != expected:
            raise IngestError("ing_err_stale_plan")
        when = store_mod.now()
        batch_id = _next_batch_id(cur, when)
        if progress:
            progress("write", 0.1)
        cur.execute(sql.query("import_insert_batch"), {
            "batch_id": batch_id, "file_name": analysis.file_name, "sha256": analysis.sha256,
            "sheet": "、".join(analysis.sheets_imported), "uploaded_by": user.name, "uploaded_at": when,
            "report_date": analysis.report_date, "rows_read": analysis.rows_read,
            "inserted": counts[NEW], "updated": counts[CHANGED], "unchanged": counts["unchanged"],
            "rejected": counts["rejected"],
            "mapping_json": _dumps(analysis.mapping.as_dict()),
        })
        reported = {r["project_id"] for r in fresh.reports}
        versions = _before_images(fresh, reported)
        if versions:
            sql.execute_with_table(cur, "new_versions", pa.table({
                "batch_id": pa.array([batch_id] * len(versions), pa.string()),
                "project_id": pa.array([v[0] for v in versions], pa.string()),
                "action": pa.array([v[1] for v in versions], pa.string()),
                "row_json": pa.array([v[2] for v in versions], pa.string()),
            }), "import_insert_versions")
        if progress:
            progress("write", 0.3)
        if before_write:
            before_write(cur)
        # Projects: changed rows are replaced whole, new rows inserted.
        written = [r for r in fresh.rows if r.action in (NEW, CHANGED)]
        changed_ids = [r.project_id for r in fresh.rows if r.action == CHANGED]
        if changed_ids:
            sql.execute_with_table(cur, "gone_ids", pa.table({"project_id": pa.array(changed_ids, pa.string())}),
                        "import_delete_projects")
        schema = _schema(cur, "import_projects_empty")
        for start in range(0, len(written), _CHUNK_ROWS):
            # In chunks: 100,000 wide rows as dicts and as Arrow at once would add to the import's peak memory.
            rows = [r.row for r in written[start:start + _CHUNK_ROWS]]
            frame = _stamped(_typed(rows, schema), {"batch_id": batch_id, "updated_at": when})
            sql.execute_with_table(cur, "project_rows", frame, "import_insert_projects")
        del written
        if progress:
            progress("write", 0.6)
        if fresh.reports:
            sql.execute_with_table(cur, "report_rows", _stamped(_typed(fresh.reports, _schema(cur, "import_reports_empty")),
                                                     {"batch_id": batch_id}), "import_upsert_reports")
        # Always: new or moved projects take their town's report date (late is judged per town).
        store_mod.refresh_progress_latest(cur, sorted(reported))
        columns.remember(cur, analysis.mapping, batch_id)
        _audit_import(cur, analysis, fresh, reported, user, batch_id, when)
        if progress:
            progress("write", 0.9)
        return CommitResult(batch_id, counts[NEW], counts[CHANGED], counts["unchanged"], counts["rejected"],
                            len(fresh.reports), False)

    result = store.write(work)
    if progress:
        progress("write", 1.0)
    return result


def _audit_import(cur: duckdb.DuckDBPyConnection, analysis, fresh: Plan, reported: set[str], user: User,
                  batch_id: str, when: datetime) -> None:
    """The import's audit row: who, which towns, how many rows of each kind, the file and its sha256."""
    touched = _keys({(r.get("county"), r.get("town")) for r in fresh.rows
                     if r.action in (NEW, CHANGED) or r.project_id in reported})
    counts = fresh.counts
    audit_counts = {"inserted": counts[NEW], "updated": counts[CHANGED], "unchanged": counts["unchanged"],
                    "rejected": counts["rejected"], "reports": len(fresh.reports)}
    if analysis.removes_demo:
        audit_counts["demo_removed"] = analysis.demo_projects
    audit.record(cur, "import", user.name, scope=touched, file_name=analysis.file_name,
                 sha256=analysis.sha256, batch_id=batch_id, at=when, counts=audit_counts)


def _keys(places) -> list[str]:
    return ["/".join(p for p in place if p) for place in places if any(place)]


def _before_images(fresh: Plan, reported: set[str]) -> list[tuple[str, str, str | None]]:
    """(project_id, action, JSON of what undo restores) for every project the batch touches."""
    versions: list[tuple[str, str, str | None]] = []
    for r in fresh.rows:
        if r.action == NEW:
            versions.append((r.project_id, "insert", None))
        elif r.action == CHANGED:
            versions.append((r.project_id, "update", _dumps(
                {"project": fresh.before[r.project_id], "report": fresh.replaced_reports.get(r.project_id)})))
        elif r.action == UNCHANGED and r.project_id in reported:
            versions.append((r.project_id, "report", _dumps(
                {"project": None, "report": fresh.replaced_reports.get(r.project_id)})))
    return versions


def history(store: store_mod.Store, limit: int = 500) -> pa.Table:
    """The imports, latest first."""
    return store.arrow("import_history", {"limit": limit})


def undo_blockers(store: store_mod.Store, batch_id: str) -> list[str]:
    """Later committed batches that changed a project of this batch (undo must wait for them)."""
    return [r[0] for r in store.rows("import_later_conflicts", {"batch_id": batch_id})]


def undo(store: store_mod.Store, batch_id: str, user: User | None) -> int:
    """Restore the before-images of a batch exactly; returns how many projects it restored.

    Allowed for the latest batch, or any batch whose projects no later batch changed; for an
    admin, or an editor whose towns hold every project the batch touched. Audited. A village
    indicator batch goes to its own undo, with its own scope check (values, not projects).
    """
    auth.require_writer(user)
    from portfolio.outcomes import importer as indicator_import  # outcomes builds on ingest: import late

    if indicator_import.is_indicator_batch(store, batch_id):
        return indicator_import.undo(store, batch_id, user)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        places = scope.batch_places(cur, batch_id)
        auth.require_places(user, places)
        result = cur.execute(sql.query("import_batch"), {"batch_id": batch_id})
        rows = result.fetchall()
        if not rows:
            raise IngestError("ing_err_no_batch", batch=batch_id)
        batch = dict(zip([d[0] for d in result.description], rows[0]))
        if batch["state"] != "committed":
            raise IngestError("ing_err_batch_not_committed", batch=batch_id)
        blockers = [r[0] for r in cur.execute(sql.query("import_later_conflicts"), {"batch_id": batch_id}).fetchall()]
        if blockers:
            raise IngestError("ing_err_undo_blocked", batch=batch_id, later="、".join(blockers))
        versions = cur.execute(sql.query("import_batch_versions"), {"batch_id": batch_id}).fetchall()
        project_schema = _schema(cur, "import_projects_empty")
        report_schema = _schema(cur, "import_reports_empty")
        gone = [pid for pid, action, _ in versions if action in ("insert", "update")]
        restore_projects: list[dict[str, Any]] = []
        restore_reports: list[dict[str, Any]] = []
        for pid, action, row_json in versions:
            if not row_json:
                continue
            image = json.loads(row_json)
            if image.get("project"):
                restore_projects.append(image["project"])
            if image.get("report"):
                restore_reports.append(image["report"])
        cur.execute(sql.query("import_delete_batch_reports"), {"batch_id": batch_id})
        if restore_reports:
            sql.execute_with_table(cur, "report_rows", _typed(restore_reports, report_schema), "import_upsert_reports")
        if gone:
            sql.execute_with_table(cur, "gone_ids", pa.table({"project_id": pa.array(gone, pa.string())}),
                        "import_delete_projects")
        if restore_projects:
            sql.execute_with_table(cur, "project_rows", _typed(restore_projects, project_schema), "import_insert_projects")
        store_mod.refresh_progress_latest(cur, sorted({pid for pid, _, _ in versions}))
        columns.forget(cur, batch_id)
        cur.execute(sql.query("import_mark_undone"), {"batch_id": batch_id})
        audit.record(cur, "undo", user.name, scope=_keys(places), batch_id=batch_id,
                     file_name=batch["file_name"], counts={"projects": len(versions)})
        return len(versions)

    return store.write(work)
