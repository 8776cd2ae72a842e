"""The dry run: what an import would do to the library, row by row and field by field.

A row matches an existing project by its 项目编号, or (when the sheet has none) by
county + town + village + name. Only what the sheet gives is compared and written:
an empty cell never clears a stored value, and what we inferred (a category from
keywords, a village point) fills new projects but does not overwrite what an
existing project already has.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from portfolio import sql, vocab
from portfolio.ingest.issues import ERROR, WARNING, Issue
from portfolio.ingest.normalise import Candidate

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
REPORT_FIELDS = ("status", "progress_pct", "spent_wan", "funds_in_place_wan")
_LIFECYCLE = ("planned", "approved", "tendering", "in_progress", "completed", "accepted")
_PLACE_FIELDS = ("county", "town", "village")
# Columns that every write sets itself; never part of a diff.
_BOOKKEEPING = ("project_id", "batch_id", "updated_at")


@dataclass(slots=True)
class RowPlan:
    candidate: Candidate
    action: str
    project_id: str
    diffs: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, old, new)
    changed_row: dict[str, Any] | None = None  # the stored row with the changes (changed)
    report: str | None = None  # new / replaced / same / None (no progress given)
    new_from: _NewRow | None = None  # how the row of a new project is made (new)

    @property
    def row(self) -> dict[str, Any] | None:
        """The project row to write (new / changed; None when unchanged or rejected before planning).

        A new project's row is made from its candidate when asked for, not kept: 100,000 of them
        would hold as much memory as the candidates themselves.
        """
        if self.new_from is not None:
            return self.new_from.row(self.candidate, self.project_id)
        return self.changed_row

    @property
    def has_row(self) -> bool:
        return self.new_from is not None or self.changed_row is not None

    def get(self, name: str) -> Any:
        """row.get(name) (None without a row), without making a new project's whole row."""
        if self.new_from is not None:
            return self.new_from.value(self.candidate, name)
        return self.changed_row.get(name) if self.changed_row is not None else None


@dataclass(frozen=True)
class _NewRow:
    """The columns of a new project: the schema's defaults, then what was inferred, then the sheet's values."""

    defaults: dict[str, Any]
    columns: Any  # the projects table's column names (a keys view)

    def row(self, c: Candidate, project_id: str) -> dict[str, Any]:
        row = {**self.defaults, **c.inferred, **c.values, "project_id": project_id}
        for k in row.keys() - self.columns:
            del row[k]  # a value with no column of its own
        return row

    def value(self, c: Candidate, name: str) -> Any:
        """row(c)[name], or None, for a column other than project_id."""
        if name not in self.columns:
            return None
        if name in c.values:
            return c.values[name]
        return c.inferred[name] if name in c.inferred else self.defaults.get(name)


@dataclass
class Plan:
    rows: list[RowPlan]
    before: dict[str, dict[str, Any]]  # project_id -> stored row (changed projects)
    reports: list[dict[str, Any]]  # report rows to write
    replaced_reports: dict[str, dict[str, Any]]  # project_id -> stored report being replaced
    report_date: date
    duplicate_of: dict[str, Any] | None = None  # an earlier committed batch of the same file
    issues: list[Issue] = field(default_factory=list)  # found while matching (possible duplicates)

    def rejected_rows(self) -> dict[tuple[str, int], list[Issue]]:
        """(sheet, Excel row) -> the errors that reject it (from the candidate and from matching)."""
        out: dict[tuple[str, int], list[Issue]] = {}
        for r in self.rows:
            if r.action == REJECTED:
                out[(r.candidate.sheet, r.candidate.row)] = [i for i in r.candidate.issues if i.level == ERROR]
        for i in self.issues:
            if i.level == ERROR and (i.sheet or "", i.row) in out:
                out[(i.sheet or "", i.row)].append(i)
        return out

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        actions = Counter(r.action for r in self.rows)
        reports = Counter(r.report for r in self.rows)
        return {a: actions[a] for a in (NEW, CHANGED, UNCHANGED, REJECTED)} | {
            "reports_new": reports["new"], "reports_replaced": reports["replaced"], "reports_same": reports["same"]}

    @property
    def is_noop(self) -> bool:
        """Nothing would change: no new or changed project, no new or replaced report."""
        return not self.reports and not any(r.action in (NEW, CHANGED) for r in self.rows)

    def signature(self) -> tuple:
        """What the commit will write; a commit re-plans and refuses when this moved."""
        return tuple((r.project_id, r.action, r.report) for r in self.rows)


def same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            fa, fb = float(a), float(b)
        except (TypeError, ValueError):
            return False
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb))
    if isinstance(a, datetime) != isinstance(b, datetime) and isinstance(a, date) and isinstance(b, date):
        return (a.date() if isinstance(a, datetime) else a) == (b.date() if isinstance(b, datetime) else b)
    return a == b


def _fetch(cur: duckdb.DuckDBPyConnection, query: str, frames: dict[str, pa.Table],
           params: dict | None = None) -> list[dict[str, Any]]:
    for name, frame in frames.items():
        cur.register(name, frame)
    try:
        return cur.sql(sql.query(query), params=params or {}).to_arrow_table().to_pylist()
    finally:
        for name in frames:
            try:
                cur.unregister(name)
            except duckdb.Error:
                pass  # an aborted transaction refuses even this; the original error matters


def empty_row(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """A project row with every column None, except the columns the schema requires."""
    schema = cur.sql(sql.query("import_projects_empty")).to_arrow_table().schema
    row: dict[str, Any] = {name: None for name in schema.names}
    row.update(category="other", status="planned", location_precision="none")
    return row


def _match_place_names(cur: duckdb.DuckDBPyConnection, accepted: list[Candidate],
                       skip_demo: bool = False) -> dict[int, list[str]]:
    keyed = [(i, c) for i, c in enumerate(accepted) if c.values.get("name")]
    if not keyed:
        return {}
    frame = pa.table({
        "idx": pa.array([i for i, _ in keyed], pa.int64()),
        "county": pa.array([c.values.get("county") or "" for _, c in keyed], pa.string()),
        "town": pa.array([c.values.get("town") or "" for _, c in keyed], pa.string()),
        "village": pa.array([c.values.get("village") or "" for _, c in keyed], pa.string()),
        "name": pa.array(["".join(c.values["name"].split()) for _, c in keyed], pa.string()),
    })
    out: dict[int, list[str]] = {}
    for row in _fetch(cur, "import_match_place_name", {"incoming_places": frame}, {"skip_demo": skip_demo}):
        out.setdefault(row["idx"], []).append(row["project_id"])
    return out


def build_plan(cur: duckdb.DuckDBPyConnection, candidates: list[Candidate], report_date: date,
               sha256: str | None = None, sheet: str | None = None, skip_demo: bool = False) -> Plan:
    """Compare the candidates with the stored projects and reports (reads only).

    With skip_demo the demo projects, which this import removes, are not matched.
    """
    accepted = [c for c in candidates if not c.rejected and c.project_id]
    rows: list[RowPlan] = [RowPlan(c, REJECTED, c.project_id) for c in candidates if c.rejected or not c.project_id]
    issues: list[Issue] = []

    # Rows without a 项目编号 take the stored id of the same place and name (candidates stay unmodified).
    matches = _match_place_names(cur, accepted, skip_demo)
    keyed: list[tuple[Candidate, str]] = []
    seen: dict[str, Candidate] = {}
    for i, c in enumerate(accepted):
        found = matches.get(i, [])
        project_id = c.project_id
        if not c.id_from_sheet and found:
            project_id = found[0]
        elif c.id_from_sheet and found and project_id not in found:
            issues.append(Issue.make(WARNING, "ing_w_maybe_same_project", c.sheet or sheet, c.row, None, None,
                                     other=found[0]))
        if project_id in seen:
            # Two rows landing on one stored project: the later one is a duplicate.
            issues.append(Issue.make(ERROR, "ing_e_duplicate_place_name", c.sheet or sheet, c.row, None, None,
                                     other=seen[project_id].row, id=project_id))
            rows.append(RowPlan(c, REJECTED, project_id))
            continue
        seen[project_id] = c
        keyed.append((c, project_id))

    ids = pa.table({"project_id": pa.array([pid for _, pid in keyed], pa.string())})
    stored = {r["project_id"]: r for r in _fetch(cur, "import_projects_by_id", {"incoming_ids": ids},
                                                 {"skip_demo": skip_demo})}
    stored_reports = {r["project_id"]: r for r in _fetch(cur, "import_reports_on_date", {"incoming_ids": ids},
                                                         {"report_date": report_date, "skip_demo": skip_demo})}
    blank = empty_row(cur)
    # New rows keep only what is set: a column missing from a row is written as NULL, as in `blank`.
    new_row = _NewRow({k: v for k, v in blank.items() if v is not None}, blank.keys())
    before: dict[str, dict[str, Any]] = {}
    reports: list[dict[str, Any]] = []
    replaced: dict[str, dict[str, Any]] = {}
    for c, project_id in keyed:
        old = stored.get(project_id)
        if old is None:
            plan_row = RowPlan(c, NEW, project_id, new_from=new_row)
        else:
            updates = {k: v for k, v in c.values.items() if k in old}
            updates.update(_inferred_updates(c, old))
            # In the table's column order, so every diff reads the same way.
            diffs = [(k, old[k], updates[k]) for k in old
                     if k in updates and k not in _BOOKKEEPING and not same_value(old[k], updates[k])]
            if diffs:
                row = dict(old)
                row.update(updates)
                before[project_id] = old
                plan_row = RowPlan(c, CHANGED, project_id, diffs, row)
            else:
                plan_row = RowPlan(c, UNCHANGED, project_id)
        if not c.values.keys().isdisjoint(REPORT_FIELDS) or (
                c.status_rule == "progress" and "progress_pct" in c.values):
            final = plan_row if plan_row.has_row else (old or {})
            report = {"project_id": project_id, "report_date": report_date,
                      "status": final.get("status"), "progress_pct": final.get("progress_pct"),
                      "spent_wan": final.get("spent_wan"), "funds_in_place_wan": final.get("funds_in_place_wan")}
            previous = stored_reports.get(project_id)
            if previous is None:
                plan_row.report = "new"
                reports.append(report)
            elif all(same_value(previous.get(f), report[f]) for f in REPORT_FIELDS):
                plan_row.report = "same"
            else:
                plan_row.report = "replaced"
                replaced[project_id] = previous
                reports.append(report)
        rows.append(plan_row)
    rows.sort(key=lambda r: (r.candidate.sheet, r.candidate.row))
    return Plan(rows, before, reports, replaced, report_date, _earlier_batch(cur, sha256), issues)


def _earlier_batch(cur: duckdb.DuckDBPyConnection, sha256: str | None) -> dict[str, Any] | None:
    """The latest committed batch of a file with the same content, if any."""
    earlier = cur.execute(sql.query("import_batches_by_sha"), {"sha256": sha256}).fetchall() if sha256 else []
    if not earlier:
        return None
    batch_id, file_name, uploaded_at, earlier_date = earlier[0]
    return {"batch_id": batch_id, "file_name": file_name, "uploaded_at": uploaded_at, "report_date": earlier_date}


def _inferred_updates(c: Candidate, old: dict[str, Any]) -> dict[str, Any]:
    """What an inference may change on a stored project: fill gaps, advance a status, re-place a moved row."""
    out: dict[str, Any] = {}
    inferred = c.inferred
    status = inferred.get("status")
    old_status = old.get("status")
    if (status and c.status_rule == "progress" and old_status in _LIFECYCLE and status in _LIFECYCLE
            and _LIFECYCLE.index(status) > _LIFECYCLE.index(old_status)):
        out["status"] = status
    if inferred.get("year") and old.get("year") is None:
        out["year"] = inferred["year"]
    if "location_precision" in inferred and old.get("location_precision") != "exact":
        moved = any(f in c.values and not same_value(c.values[f], old.get(f)) for f in _PLACE_FIELDS)
        if old.get("lon") is None or moved:
            out["lon"], out["lat"] = inferred.get("lon"), inferred.get("lat")
            out["location_precision"] = inferred["location_precision"]
    if "category" in c.values and "area" not in c.values and inferred.get("area"):
        old_category = vocab.CATEGORY_BY_CODE.get(old.get("category") or "")
        if old.get("area") is None or (old_category is not None and old.get("area") == old_category.area):
            out["area"] = inferred["area"]
    return out
