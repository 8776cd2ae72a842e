"""Checks across fields and rows: consistency warnings, duplicates inside the file, the file's own total.

Errors reject a row; warnings import it flagged. Every problem names sheet, Excel
row and column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portfolio import vocab
from portfolio.ingest import values as V
from portfolio.ingest.columns import ColumnMapping
from portfolio.ingest.issues import ERROR, WARNING, Issue
from portfolio.ingest.table import Table
from portfolio.ingest.normalise import Candidate

TOTAL_TOLERANCE_WAN = 0.01
SOURCES_TOLERANCE_WAN = 0.05  # parts rounded to 0.01 each may miss the total by a few hundredths
_FUND_FIELDS = tuple(f.column for f in vocab.FUND_SOURCES)


def _issue(c: Candidate, mapping: ColumnMapping, sheet: str, level: str, key: str, field: str | None,
           **params: Any) -> None:
    col = mapping.column_of(field) if field else None
    c.issues.append(Issue.make(level, key, sheet, c.row, col, mapping.headers[col] if col is not None else None,
                               **params))


def check_rows(candidates: list[Candidate], mapping: ColumnMapping, sheet: str) -> None:
    """Per-row consistency: dates in order, spending within budget, funding parts adding up."""
    for c in candidates:
        v = c.values
        if v.get("plan_start") and v.get("plan_end") and v["plan_end"] < v["plan_start"]:
            _issue(c, mapping, sheet, WARNING, "ing_w_dates_order", "plan_end")
        if v.get("actual_start") and v.get("actual_end") and v["actual_end"] < v["actual_start"]:
            _issue(c, mapping, sheet, WARNING, "ing_w_dates_order", "actual_end")
        budget = v.get("budget_wan")
        if budget is not None and v.get("spent_wan") is not None and v["spent_wan"] > budget + TOTAL_TOLERANCE_WAN:
            _issue(c, mapping, sheet, WARNING, "ing_w_spent_over_budget", "spent_wan",
                   spent=f"{v['spent_wan']:g}", budget=f"{budget:g}")
        parts = [v[f] for f in _FUND_FIELDS if v.get(f) is not None]
        if parts and budget is None:
            # 资金来源 given without a total: the parts are the total.
            v["budget_wan"] = round(sum(parts), 6)
            _issue(c, mapping, sheet, WARNING, "ing_w_budget_from_sources", _first_fund(mapping),
                   total=f"{v['budget_wan']:g}")
        elif parts and abs(sum(parts) - budget) > SOURCES_TOLERANCE_WAN and sum(parts) > 0:
            _issue(c, mapping, sheet, WARNING, "ing_w_sources_sum", "budget_wan",
                   sources=f"{sum(parts):g}", budget=f"{budget:g}")
        status = v.get("status")
        pct = v.get("progress_pct")
        if status in ("completed", "accepted") and pct is not None and pct < 100:
            _issue(c, mapping, sheet, WARNING, "ing_w_status_progress", "progress_pct",
                   status=vocab.label("status", status), pct=f"{pct:g}")
        if status in ("planned", "approved", "tendering") and pct is not None and pct > 0:
            _issue(c, mapping, sheet, WARNING, "ing_w_status_progress", "progress_pct",
                   status=vocab.label("status", status), pct=f"{pct:g}")


def _first_fund(mapping: ColumnMapping) -> str | None:
    return next((f for f in _FUND_FIELDS if mapping.has(f)), None)


def check_duplicates(candidates: list[Candidate], mapping: ColumnMapping, sheet: str) -> None:
    """Rows with the same project key inside the file: the later one is rejected."""
    first: dict[str, Candidate] = {}
    for c in candidates:
        if c.rejected or not c.project_id:
            continue
        earlier = first.get(c.project_id)
        if earlier is None:
            first[c.project_id] = c
            continue
        same = _comparable(earlier.values) == _comparable(c.values)
        key = "ing_e_duplicate_same" if same else (
            "ing_e_duplicate_id" if c.id_from_sheet else "ing_e_duplicate_place_name")
        field = "project_id" if c.id_from_sheet else "name"
        _issue(c, mapping, sheet, ERROR, key, field, other=earlier.row, id=c.project_id)


def _comparable(values: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


@dataclass
class TotalCheck:
    file_total_wan: float | None  # the sheet's own total (None when it has none)
    rows_total_wan: float  # sum of budgets of the rows imported
    kind: str | None  # grand / subtotals
    row: int | None  # Excel row of the total
    matches: bool | None


def check_total(table: Table, mapping: ColumnMapping, candidates: list[Candidate],
                rejected_rows: set[int] | None = None) -> tuple[TotalCheck, list[Issue]]:
    """Compare the sheet's 合计/总计 (or the sum of its 小计 rows) with the rows imported."""
    rejected_rows = rejected_rows if rejected_rows is not None else {c.row for c in candidates if c.rejected}
    rows_total = round(sum(c.values.get("budget_wan") or 0.0 for c in candidates if c.row not in rejected_rows), 6)
    col = mapping.column_of("budget_wan")
    if col is None or not table.totals:
        return TotalCheck(None, rows_total, None, None, None), []
    factor = V.unit_factor(mapping.headers[col])
    if factor is None:
        factor = table.title_unit if table.title_unit is not None else 1.0

    def amount(r: int) -> float | None:
        return V.parse_amount(table.grid[r][col], factor)[0]

    grand = [(r, amount(r)) for r, kind in table.totals if kind == "grand"]
    grand = [(r, a) for r, a in grand if a is not None]
    subs = [(r, amount(r)) for r, kind in table.totals if kind == "sub"]
    subs = [(r, a) for r, a in subs if a is not None]
    if grand:
        # Several 合计 rows (per town, then overall): the overall one is the largest.
        r, file_total = max(grand, key=lambda ra: (ra[1], -ra[0]))
        kind = "grand"
    elif subs:
        r, file_total, kind = subs[-1][0], round(sum(a for _, a in subs), 6), "subtotals"
    else:
        return TotalCheck(None, rows_total, None, None, None), []
    matches = abs(file_total - rows_total) <= TOTAL_TOLERANCE_WAN
    issues = []
    if not matches:
        rejected = len(rejected_rows)
        issues.append(Issue.make(WARNING, "ing_w_total_mismatch", table.sheet, r + 1, col, mapping.headers[col],
                                 file_total=f"{file_total:,.2f}", rows_total=f"{rows_total:,.2f}",
                                 diff=f"{rows_total - file_total:+,.2f}", rejected=rejected))
    return TotalCheck(round(file_total, 6), rows_total, kind, r + 1, matches), issues
