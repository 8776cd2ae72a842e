"""The import pipeline used by the 数据导入 page and the command line.

analyse(): read -> find the table -> map columns -> normalise -> validate -> plan
(a dry run: reads the database, never writes). commit(): writes the plan in one
transaction. A progress callback receives (step_key, fraction) for the steps
read, locate, check, plan and write.
"""
from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator

from portfolio import auth, sql, store as store_mod
from portfolio.auth import User
from portfolio.ingest import columns, commit as commit_mod, locate as locate_mod, normalise as norm_mod
from portfolio.ingest import read as read_mod, report_date as report_date_mod, scope, totals, validate, values
from portfolio.ingest.clock import StepClock
from portfolio.ingest.issues import ERROR, WARNING, IngestError, Issue
from portfolio.ingest.plan import REJECTED, Plan, build_plan

STEPS = ("read", "locate", "check", "plan", "write")
Progress = Callable[[str, float], None]
# Place problems that leave a row without a point; the reason each gives is the key + "_why".
UNPLACED_BY = ("ing_w_place_county_unknown", "ing_w_place_town_unknown", "ing_w_town_ambiguous",
               "ing_w_place_unknown")


@dataclass
class ImportOptions:
    """Everything the user decides at upload (the page's widgets, the CLI's flags)."""

    sheet: str | None = None  # None: find the sheet holding the project table
    report_date: date | None = None  # None: the date the sheet states; without one nothing is committed
    county: str | None = None  # defaults for rows that lack them
    town: str | None = None
    category: str | None = None
    coord_system: str = "wgs84"
    mapping: dict[int, str | None] | None = None  # the user's corrections: column index -> field
    use_remembered: bool = True
    header_row: int | None = None  # Excel row of the header when it cannot be found by itself
    header_map: dict[str, str | None] | None = None  # header text -> field (the CLI's --map 表头=field)
    sheets: tuple[str, ...] | None = None  # several sheets imported as one batch (overrides `sheet`)
    remove_demo: bool = True  # the first real import into a demo database removes the demo projects


@dataclass
class Analysis:
    file_name: str
    sha256: str
    size: int
    kind: str
    encoding: str | None
    sheet_names: list[str]
    sheet: str
    table: locate_mod.Table
    mapping: columns.ColumnMapping
    candidates: list[norm_mod.Candidate]
    plan: Plan
    total: validate.TotalCheck
    report_date: date | None  # None: neither the sheet nor the user gave one (the preview runs, commit refuses)
    options: ImportOptions
    file_issues: list[Issue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # step -> wall seconds
    report_date_source: str | None = None  # option / sheet / None
    report_date_text: str | None = None  # the sheet's words the date was read from
    date_change: report_date_mod.DataDateChange | None = None
    demo_projects: int = 0  # demo projects in the database now
    user: User | None = None  # whose scope the plan was restricted to
    parts: list = field(default_factory=list)  # SheetPart per sheet read (one unless several were asked for)
    cpu_timings: dict[str, float] = field(default_factory=dict)  # step -> CPU seconds (time.process_time)
    data_version: int | None = None  # the store's data version the plan was made against

    @property
    def sheets_imported(self) -> list[str]:
        return [p.table.sheet for p in self.parts] or [self.sheet]

    @property
    def removes_demo(self) -> bool:
        return self.demo_projects > 0 and self.options.remove_demo

    @property
    def rows_read(self) -> int:
        return self.table.rows_read

    def issues(self) -> list[Issue]:
        """Every problem, file-level first, then by row."""
        rows = [i for c in self.candidates for i in c.issues] + self.plan.issues
        rows.sort(key=lambda i: (i.row or 0, len(i.column or ""), i.column or ""))
        return self.file_issues + rows

    def errors(self) -> list[Issue]:
        return [i for i in self.issues() if i.level == ERROR]

    def warnings(self) -> list[Issue]:
        return [i for i in self.issues() if i.level == WARNING]

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts

    def placement_counts(self) -> tuple[int, dict[str, int]]:
        """(accepted rows placed only at town or county level, reason's i18n key -> accepted rows unplaced)."""
        approximate = 0
        unplaced: Counter = Counter()
        for c in self.candidates:
            if c.rejected or "lon" in c.values:
                continue
            precision = c.inferred.get("location_precision")
            if precision in ("town", "county"):
                approximate += 1
            elif precision in (None, "none"):
                keys = [i.key for i in c.issues if i.key in UNPLACED_BY]
                if keys:
                    unplaced[f"{keys[0]}_why"] += 1
                elif not (c.values.get("county") or c.values.get("town")):
                    unplaced["ing_unplaced_no_place_why"] += 1
                else:
                    unplaced["ing_unplaced_no_point_why"] += 1
        return approximate, dict(unplaced)

    def imported_budget_wan(self) -> float:
        return round(sum(r.candidate.values.get("budget_wan") or 0.0
                         for r in self.plan.rows if r.action != REJECTED), 6)

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        """The import summary as one JSON-ready object (the CLI's --json output; ingest/summary.py)."""
        from portfolio.ingest import summary

        return summary.summary(self, lang)

    def rejected_xlsx(self, lang: str = "zh") -> bytes:
        """The rejected rows with their original cells and a reason column (ingest/rejected.py)."""
        from portfolio.ingest import rejected

        return rejected.rejected_xlsx(self, lang)


def project_sheets(data: bytes, file_name: str) -> list[tuple[str, int]]:
    """(sheet, project-like rows) of every sheet holding projects, most first."""
    return locate_mod.project_sheets(read_mod.read_book(data, file_name))


def file_sheets(data: bytes, file_name: str) -> list[str]:
    """The sheet names of an upload (raises IngestError when it cannot be read)."""
    return read_mod.read_book(data, file_name).sheet_names()


@dataclass
class SheetPart:
    """One sheet of an upload, read up to its checked candidates."""

    table: locate_mod.Table
    mapping: columns.ColumnMapping
    candidates: list[norm_mod.Candidate]
    issues: list[Issue]


def analyse(store: store_mod.Store, data: bytes, file_name: str, options: ImportOptions | None = None,
            progress: Progress | None = None, user: User | None = None) -> Analysis:
    """The dry run of an upload: everything up to the plan; the database is only read.

    With a `user`, rows outside their towns are rejected (ingest/scope.py); without one the
    dry run shows everything, and the commit needs a user anyway.

    With options.sheets naming several sheets, they are read one by one and planned as one batch.
    Raises IngestError (with a Chinese message) when the file cannot be read or holds no project table.
    """
    with _collector_paused():
        return _analyse(store, data, file_name, options or ImportOptions(), progress, user)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs.

    An import allocates a few objects per cell and keeps them to the end; the collector would walk
    that growing heap again and again (a third of the time at 100,000 rows). The importer builds no
    reference cycles; what other code leaves meanwhile is collected once the import is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyse(store: store_mod.Store, data: bytes, file_name: str, options: ImportOptions,
             progress: Progress | None, user: User | None) -> Analysis:
    clock = StepClock()

    def step(key: str, fraction: float) -> None:
        if progress:
            progress(key, max(0.0, min(1.0, fraction)))

    step("read", 0.0)
    with clock.step("read"):
        book = read_mod.read_book(data, file_name)
        sha256 = hashlib.sha256(data).hexdigest()
    step("read", 1.0)

    names: list[str | None] = list(options.sheets) if options.sheets else [options.sheet]
    parts = [_read_sheet(store, book, name, options, step, clock) for name in names]
    table, mapping = parts[0].table, parts[0].mapping
    candidates = [c for part in parts for c in part.candidates]
    file_issues = [i for part in parts for i in part.issues]

    step("plan", 0.0)
    report_date, date_source, date_text = _report_date(table, options)
    with store.cursor() as cur:
        with clock.step("plan"):
            # Without a report date the dry run compares against the current data date; commit() refuses.
            version = commit_mod.data_version(cur)
            demo_projects = cur.execute(sql.query("import_demo_count")).fetchall()[0][0]
            skip_demo = bool(demo_projects and options.remove_demo)
            stand_in = report_date or report_date_mod.current_data_date(cur, skip_demo) or date.today()
            plan = build_plan(cur, candidates, stand_in, sha256, table.sheet, skip_demo=skip_demo)
        with clock.step("scope"):
            plan = scope.restrict(cur, plan, user, table.sheet)
        with clock.step("plan"):
            date_change = report_date_mod.change(cur, plan, report_date, skip_demo)
    with clock.step("validate"):
        if report_date is None:
            file_issues.insert(0, Issue.make(ERROR, "ing_e_no_report_date", table.sheet, None))
        total = _check_totals(parts, plan, file_issues)
        if plan.duplicate_of and plan.is_noop:
            file_issues.insert(0, Issue.make(WARNING, "ing_w_same_file", None, None, None, None,
                                             batch=plan.duplicate_of["batch_id"],
                                             when=str(plan.duplicate_of["uploaded_at"])[:16]))
    step("plan", 1.0)
    analysis = Analysis(file_name, sha256, len(data), book.kind, book.encoding, book.sheet_names(), table.sheet,
                        table, mapping, candidates, plan, total, report_date, options, file_issues, clock.wall,
                        date_source, date_text, date_change, demo_projects, user)
    analysis.parts = parts
    analysis.cpu_timings = clock.cpu
    analysis.data_version = version
    return analysis


def _read_sheet(store: store_mod.Store, book: read_mod.RawBook, sheet_name: str | None, options: ImportOptions,
                step: Callable[[str, float], None], clock: StepClock) -> SheetPart:
    """Locate, map, drop group rows, normalise and check one sheet."""
    with clock.step("locate"):
        table, mapping, issues = _locate_sheet(store, book, sheet_name, options, step)
    step("check", 0.0)
    with clock.step("normalise"):
        norm_options = norm_mod.Options(options.county, options.town, options.category, options.coord_system)
        candidates = norm_mod.normalise(table, mapping, norm_options, progress=lambda f: step("check", f * 0.9))
    with clock.step("validate"):
        validate.check_rows(candidates, mapping, table.sheet)
        validate.check_duplicates(candidates, mapping, table.sheet)
    step("check", 1.0)
    return SheetPart(table, mapping, candidates, issues)


def _locate_sheet(store: store_mod.Store, book: read_mod.RawBook, sheet_name: str | None, options: ImportOptions,
                  step: Callable[[str, float], None]) -> tuple[locate_mod.Table, columns.ColumnMapping, list[Issue]]:
    """The sheet's table, its column mapping (group rows dropped) and the mapping's notes."""
    step("locate", 0.0)
    known: frozenset[str] = frozenset()
    if options.use_remembered:
        with store.cursor() as cur:
            known = frozenset(r[0] for r in cur.execute(sql.query("import_mapping_keys")).fetchall())
    header_row = options.header_row - 1 if options.header_row else None
    table = locate_mod.choose_table(book, sheet_name, header_row, known)
    step("locate", 0.6)
    mapping = _map_columns(store, table, options)
    totals.apply_group_rows(table, mapping.fields, set(columns.MONEY_FIELDS),
                            lambda text: values.category_from_label(text) is not None)
    issues: list[Issue] = list(mapping.notes)
    if not any(mapping.has(f) for f in ("name", *norm_mod.NAME_SOURCES)):
        raise IngestError("ing_err_no_name_column", sheet=table.sheet,
                          headers="、".join(h for h in table.headers if h) or "—")
    if not mapping.has("name"):
        issues.append(Issue.make(WARNING, "ing_w_no_name_column", table.sheet, table.header_rows[0] + 1))
    step("locate", 1.0)
    return table, mapping, issues


def _check_totals(parts: list[SheetPart], plan: Plan, file_issues: list[Issue]) -> validate.TotalCheck:
    """Each sheet's own total against its imported rows; several sheets add up."""
    checks = []
    for part in parts:
        rejected = {r.candidate.row for r in plan.rows
                    if r.action == REJECTED and r.candidate.sheet == part.table.sheet}
        check, issues = validate.check_total(part.table, part.mapping, part.candidates, rejected)
        file_issues.extend(issues)
        checks.append(check)
    if len(checks) == 1:
        return checks[0]
    rows_total = round(sum(c.rows_total_wan for c in checks), 6)
    if any(c.file_total_wan is None for c in checks):
        return validate.TotalCheck(None, rows_total, None, None, None)
    file_total = round(sum(c.file_total_wan for c in checks), 6)
    return validate.TotalCheck(file_total, rows_total, "sheets", None, all(c.matches for c in checks))


def _map_columns(store: store_mod.Store, table: locate_mod.Table, options: ImportOptions) -> columns.ColumnMapping:
    """The guessed mapping, replaced by a remembered one for the same headers, then the user's corrections."""
    mapping = columns.auto_map(table.headers, table.sheet, table.header_rows[0] + 1)
    if options.use_remembered and not options.mapping:
        with store.cursor() as cur:
            stored = columns.remembered(cur, table.headers)
        if stored is not None:
            mapping = columns.ColumnMapping(table.headers, stored, "remembered", mapping.confidence, [])
    override = dict(options.mapping or {})
    if options.header_map:
        override.update(columns.override_by_header(table.headers, options.header_map, table.sheet))
    return columns.apply_override(mapping, override) if override else mapping


def _report_date(table: locate_mod.Table, options: ImportOptions) -> tuple[date | None, str | None, str | None]:
    """(report date, 'option' / 'sheet' / None, the sheet's words): the user's choice wins over the sheet's."""
    if options.report_date:
        return options.report_date, "option", None
    stated = report_date_mod.from_sheet(table.title, report_date_mod.notes_texts(table))
    return (stated.value, "sheet", stated.text) if stated else (None, None, None)


def commit(store: store_mod.Store, analysis: Analysis, user: User | None,
           progress: Progress | None = None, before_write=None) -> commit_mod.CommitResult:
    """Write the analysed upload in one transaction (see portfolio.ingest.commit) as `user`,
    an editor or admin; the commit re-checks their scope and records itself in the audit log.

    A database on disk is copied to its backups first (Store.backup keeps the last ten).
    """
    auth.require_writer(user)
    if analysis.report_date is None:
        raise IngestError("ing_err_no_report_date", sheet=analysis.sheet)
    clock = StepClock()
    with _collector_paused(), clock.step("write"):
        if not analysis.plan.is_noop:
            if progress:
                progress("write", 0.0)
            store.backup(label="import")
        result = commit_mod.commit(store, analysis, user, progress, before_write)
    analysis.timings.update(clock.wall)
    analysis.cpu_timings.update(clock.cpu)
    return result
