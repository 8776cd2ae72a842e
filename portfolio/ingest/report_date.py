"""The report date of an upload, and what it does to the dashboard's data date.

An upload's 报告日期 is never a silent "today": it is read from the sheet (截至2024年6月30日,
填报日期：2024年7月5日, 2024年1-6月 in the title) or chosen by the user (the page's date
field, the CLI's --report-date). Without one the preview still runs, but nothing is committed.

Late is judged per place (see queries/imports.sql, import_late_by_town): a project is late when
its plan_end lies before the latest report date of its own town, so one town's upload never
makes another town's projects late. The preview says how the upload moves the data date and how
many existing projects of the towns it reports on turn late because of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from portfolio import sql
from portfolio.ingest import values as V

# Words that put a date forward as the date the sheet speaks for, strongest first.
_AS_OF = re.compile(r"(?:截至|截止|截止到|截至到|数据截至|统计截至)[:：]?((?:19|20)\d{2}[年.\-/]\d{1,2}(?:[月.\-/]\d{1,2}日?|月)?)")
_FILLED = re.compile(r"(?:填报日期|填表日期|制表日期|报送日期|报送时间|填报时间|统计日期)[:：]?"
                     r"((?:19|20)\d{2}[年.\-/]\d{1,2}(?:[月.\-/]\d{1,2}日?|月)?)")
_PERIOD = re.compile(r"((?:19|20)\d{2})年(?:1|一)?[-—~至到]?(\d{1,2})月(?:份)?")


@dataclass
class SheetDate:
    value: date
    text: str  # the words it was read from


def _date_of(text: str) -> date | None:
    _, end, problem = V.parse_date_span(text)
    return None if problem else end


def from_sheet(title: str, notes: list[str]) -> SheetDate | None:
    """The report date a sheet states in its title or its notes rows, if any."""
    texts = [V.norm(title)] + [V.norm(n) for n in notes]
    for pattern in (_AS_OF, _FILLED):
        for text in texts:
            m = pattern.search(text)
            if m and (found := _date_of(m.group(1))):
                return SheetDate(found, m.group(0))
    m = _PERIOD.search(texts[0])
    if m:
        found = _date_of(f"{m.group(1)}年{m.group(2)}月")
        if found:
            return SheetDate(found, m.group(0))
    return None


def notes_texts(table) -> list[str]:
    """The texts of the rows skipped as notes or signatures (a locate.Table)."""
    out = []
    for s in table.skipped:
        if s.kind == "notes":
            out.extend(t for t in (V.text_value(v) for v in table.grid[s.index]) if t)
    return out


@dataclass
class DataDateChange:
    old: date | None  # the dashboard's data date now
    new: date | None  # after this upload
    newly_late: int  # existing projects of the towns this upload reports on that turn late

    @property
    def moves(self) -> bool:
        return self.new is not None and self.new != self.old


def current_data_date(cur: duckdb.DuckDBPyConnection, skip_demo: bool = False) -> date | None:
    """The data date now; with skip_demo, the one left once the demo projects are removed."""
    return cur.execute(sql.query("import_data_date"), {"skip_demo": skip_demo}).fetchall()[0][0]


def _places(plan_rows) -> pa.Table:
    places = set()
    for r in plan_rows:
        county = r.get("county") or r.candidate.get("county")
        town = r.get("town") or r.candidate.get("town")
        places.add((county, town))
    return pa.table({"county": pa.array([p[0] for p in places], pa.string()),
                     "town": pa.array([p[1] for p in places], pa.string())})


def change(cur: duckdb.DuckDBPyConnection, plan, report_date: date | None,
           skip_demo: bool = False) -> DataDateChange:
    """How committing `plan` (a plan.Plan) on `report_date` moves the data date and the late count
    (with skip_demo: the demo projects are removed by the same commit)."""
    old = current_data_date(cur)
    if report_date is None:
        return DataDateChange(old, None, 0)
    remaining = current_data_date(cur, skip_demo) if skip_demo else old
    new = max(remaining, report_date) if remaining else report_date
    carried = [r for r in plan.rows if r.action != "rejected"]
    ids = pa.table({"project_id": pa.array([r.project_id for r in carried], pa.string())})
    cur.register("incoming_ids", ids)
    cur.register("incoming_places_dates", _places(carried))
    try:
        newly_late = cur.execute(sql.query("import_newly_late"),
                                 {"report_date": report_date, "data_date": remaining,
                                  "skip_demo": skip_demo}).fetchall()[0][0]
    finally:
        cur.unregister("incoming_ids")
        cur.unregister("incoming_places_dates")
    return DataDateChange(old, new, int(newly_late))


def late_project_ids(cur: duckdb.DuckDBPyConnection, as_of: date) -> list[str]:
    """The late projects under the per-place rule (import_late_by_town)."""
    return [r[0] for r in cur.execute(sql.query("import_late_by_town"), {"as_of": as_of}).fetchall()]
