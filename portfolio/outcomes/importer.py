"""Import an indicator sheet: dry run, preview, scope, then one Store.write transaction; undo.

The same journey as a project import (portfolio/ingest/pipeline.py): `analyse` reads and checks
the file and compares every value with the standing one (new / changed / unchanged / rejected),
rejecting the values of places outside the importing editor's towns; nothing is written until
`commit`, which re-checks the user, re-plans and re-applies the scope inside Store.write, records
the batch in import_batches (kind 'indicators'), adds the value rows and an audit row. `undo`
marks the batch undone; the values it replaced stand again (indicator_current).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from portfolio import audit, auth, sql, store as store_mod
from portfolio.auth import User
from portfolio.ingest import read as read_mod
from portfolio.ingest.issues import ERROR, IngestError, Issue
from portfolio.outcomes import catalogue as catalogue_mod
from portfolio.i18n import t
from portfolio.outcomes import labels, values
from portfolio.outcomes.sheet import Candidate, ReadSheet, read_sheet

NEW, CHANGED, UNCHANGED, REJECTED = "new", "changed", "unchanged", "rejected"
KIND = "indicators"
_COMPARED = ("value", "numerator", "denominator", "households", "target", "target_year")


@dataclass
class Planned:
    candidate: Candidate
    action: str
    before: dict | None = None


@dataclass
class IndicatorAnalysis:
    file_name: str
    sha256: str
    read: ReadSheet
    planned: list[Planned] = field(default_factory=list)
    scope_issues: list[Issue] = field(default_factory=list)

    @property
    def period(self) -> date:
        return self.read.period

    @property
    def sheet(self) -> str:
        return self.read.sheet

    def issues(self) -> list[Issue]:
        return [*self.read.issues, *self.scope_issues]

    def errors(self) -> list[Issue]:
        return [i for i in self.issues() if i.level == ERROR]

    @property
    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, REJECTED: 0}
        for p in self.planned:
            counts[p.action] += 1
        counts[REJECTED] += sum(1 for i in self.read.issues if i.level == ERROR)  # refused cells and rows
        return counts

    @property
    def is_noop(self) -> bool:
        return not any(p.action in (NEW, CHANGED) for p in self.planned)

    def signature(self) -> tuple:
        return tuple(sorted((p.candidate.place_code, p.candidate.indicator, p.action) for p in self.planned))

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        c = self.counts
        return {"kind": KIND, "file": self.file_name, "sheet": self.sheet, "period": self.period.isoformat(),
                "rows_read": self.read.rows_read, "values": len(self.planned), "new": c[NEW], "changed": c[CHANGED],
                "unchanged": c[UNCHANGED], "rejected": c[REJECTED],
                "places": len({p.candidate.place_code for p in self.planned}),
                "indicators": sorted({p.candidate.indicator for p in self.planned}),
                "skipped_rows": [{"row": r, "kind": k, "text": t} for r, k, t in self.read.skipped],
                "issues": [i.as_dict(lang) for i in self.issues()]}

    def preview_rows(self, lang: str = "zh", catalogue=None) -> list[dict[str, Any]]:
        """One row per value as the preview shows it: row, town, village, indicator, before, after,
        target (written with their units; empty, never nan, when missing) and what happens."""
        cat = catalogue or catalogue_mod.default()
        out = []
        for p in self.planned:
            c = p.candidate
            ind = cat.get(c.indicator)
            out.append({"row": c.row, "town": c.town or "", "village": c.village or "", "indicator": ind.name(lang),
                        "before": "" if p.before is None else labels.value_text(ind, p.before.get("value"), lang),
                        "after": labels.value_text(ind, c.value, lang),
                        "target": "" if c.target is None else labels.value_text(ind, c.target, lang),
                        "action": t(f"up_metric_{p.action}", lang)})
        return out


def analyse(store: store_mod.Store, data: bytes, file_name: str, user: User | None = None,
            period: date | None = None, sheet: str | None = None, county: str | None = None,
            town: str | None = None, catalogue=None) -> IndicatorAnalysis:
    """Read, check and compare an indicator sheet; writes nothing. Raises IngestError when unreadable."""
    cat = catalogue or catalogue_mod.default()
    book = read_mod.read_book(data, file_name)
    read = read_sheet(book, sheet, cat, period, county, town)
    analysis = IndicatorAnalysis(file_name, hashlib.sha256(data).hexdigest(), read)
    with store.cursor() as cur:
        _plan(cur, analysis, user)
    return analysis


def _plan(cur: duckdb.DuckDBPyConnection, analysis: IndicatorAnalysis, user: User | None) -> None:
    """Compare every candidate with the standing value and apply the user's scope (in place)."""
    read = analysis.read
    keys = [(c.place_code, c.indicator, read.period) for c in read.candidates]
    stored = values.stored_for(cur, keys)
    analysis.planned, analysis.scope_issues = [], []
    refused_rows: set[int] = set()
    for c in read.candidates:
        if user is not None and not user.is_admin and not user.may_write(c.county, c.town):
            if c.row not in refused_rows:
                refused_rows.add(c.row)
                place = "/".join(p for p in (c.county, c.town) if p) or "—"
                analysis.scope_issues.append(Issue.make(ERROR, "ing_err_out_of_scope", read.sheet, c.row,
                                                        user=user.label, place=place, scope=user.scope_text()))
            analysis.planned.append(Planned(c, REJECTED))
            continue
        before = stored.get((c.place_code, c.indicator, read.period))
        if before is None:
            action = NEW
        elif all(_same(before.get(k), getattr(c, k)) for k in _COMPARED):
            action = UNCHANGED
        else:
            action = CHANGED
        analysis.planned.append(Planned(c, action, before))


def _same(a, b) -> bool:
    if a is None or a != a:
        return b is None or b != b
    if b is None or b != b:
        return False
    return abs(float(a) - float(b)) < 1e-9


def _next_batch_id(cur: duckdb.DuckDBPyConnection, when) -> str:
    # The project import's numbering (portfolio/ingest/commit.py): one sequence for every batch kind.
    n = cur.execute(sql.query("import_batch_count")).fetchall()[0][0]
    return f"B{n + 1:06d}-{when:%Y%m%d%H%M%S}"


@dataclass
class IndicatorCommit:
    batch_id: str | None
    new: int
    changed: int
    unchanged: int
    rejected: int
    noop: bool


def commit(store: store_mod.Store, analysis: IndicatorAnalysis, user: User | None,
           catalogue=None) -> IndicatorCommit:
    """Write the new and changed values as one batch, in one transaction, audited."""
    auth.require_writer(user)
    cat = catalogue or catalogue_mod.default()
    expected = analysis.signature()

    def work(cur: duckdb.DuckDBPyConnection) -> IndicatorCommit:
        _plan(cur, analysis, user)
        if analysis.signature() != expected:
            raise IngestError("ing_err_stale_plan")
        counts = analysis.counts
        if analysis.is_noop:
            return IndicatorCommit(None, 0, 0, counts[UNCHANGED], counts[REJECTED], True)
        when = store_mod.now()
        batch_id = _next_batch_id(cur, when)
        written = [p.candidate for p in analysis.planned if p.action in (NEW, CHANGED)]
        cur.execute(sql.query("outcomes_insert_batch"), {
            "batch_id": batch_id, "file_name": analysis.file_name, "sha256": analysis.sha256,
            "sheet": analysis.sheet, "uploaded_by": user.name, "uploaded_at": when, "report_date": analysis.period,
            "rows_read": analysis.read.rows_read, "inserted": counts[NEW], "updated": counts[CHANGED],
            "unchanged": counts[UNCHANGED], "rejected": counts[REJECTED],
            "mapping_json": json.dumps({c.header: [c.role, c.indicator] for c in analysis.read.columns},
                                       ensure_ascii=False),
        })
        values.sync_catalogue(cur, cat)
        values.insert_values(cur, [{
            "batch_id": batch_id, "place_code": c.place_code, "level": c.level, "county": c.county, "town": c.town,
            "village": c.village, "town_code": c.town_code, "indicator": c.indicator, "period": analysis.period,
            "value": c.value, "numerator": c.numerator, "denominator": c.denominator, "households": c.households,
            "target": c.target, "target_year": c.target_year} for c in written])
        scope = sorted({"/".join(p for p in (c.county, c.town) if p) for c in written})
        audit.record(cur, "import", user.name, scope=scope, file_name=analysis.file_name, sha256=analysis.sha256,
                     batch_id=batch_id, at=when, detail=KIND,
                     counts={"indicator_values_new": counts[NEW], "indicator_values_changed": counts[CHANGED],
                             "unchanged": counts[UNCHANGED], "rejected": counts[REJECTED],
                             "period": analysis.period.isoformat()})
        return IndicatorCommit(batch_id, counts[NEW], counts[CHANGED], counts[UNCHANGED], counts[REJECTED], False)

    return store.write(work)


def is_indicator_batch(store: store_mod.Store, batch_id: str) -> bool:
    row = store.one("outcomes_batch", {"batch_id": batch_id})
    return row is not None and row["kind"] == KIND


def undo(store: store_mod.Store, batch_id: str, user: User | None) -> int:
    """Undo an indicator batch: its values step aside and the ones before stand again. Returns the
    number of values it had written. Admins, or an editor whose towns hold every value of the batch."""
    auth.require_writer(user)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        result = cur.execute(sql.query("outcomes_batch"), {"batch_id": batch_id})
        rows = result.fetchall()
        if not rows or rows[0][3] != KIND:
            raise IngestError("ing_err_no_batch", batch=batch_id)
        if rows[0][2] != "committed":
            raise IngestError("ing_err_batch_not_committed", batch=batch_id)
        places = {(c, t) for c, t in cur.execute(sql.query("outcomes_batch_places"), {"batch_id": batch_id}).fetchall()}
        auth.require_places(user, places)
        n = cur.execute(sql.query("outcomes_batch_value_count"), {"batch_id": batch_id}).fetchall()[0][0]
        cur.execute(sql.query("import_mark_undone"), {"batch_id": batch_id})
        audit.record(cur, "undo", user.name, scope=["/".join(p for p in place if p) for place in places],
                     batch_id=batch_id, file_name=rows[0][1], detail=KIND, counts={"indicator_values": n})
        return n

    return store.write(work)


def undo_any(store: store_mod.Store, batch_id: str, user: User | None) -> int:
    """Undo a batch of any kind: indicator batches here, project batches by the project import's undo."""
    if is_indicator_batch(store, batch_id):
        return undo(store, batch_id, user)
    from portfolio.ingest import commit as ingest_commit

    return ingest_commit.undo(store, batch_id, user)
