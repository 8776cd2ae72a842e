"""Builders for the import tests: workbooks made in the test, byte for byte (no test here)."""
from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl

from portfolio.ingest import pipeline

REPORT_DATE = date(2024, 6, 30)


def xlsx(sheets: dict[str, list[list[Any]]] | list[list[Any]], merges: dict[str, list[str]] | None = None,
         hidden: tuple[str, ...] = ()) -> bytes:
    """An .xlsx made with openpyxl: {sheet: rows}, merges as {sheet: ['A1:B2', ...]}."""
    if not isinstance(sheets, dict):
        sheets = {"项目表": sheets}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def analyse(store, data: bytes, name: str = "t.xlsx", **options) -> pipeline.Analysis:
    options.setdefault("report_date", REPORT_DATE)
    return pipeline.analyse(store, data, name, pipeline.ImportOptions(**options))


def by_name(analysis: pipeline.Analysis) -> dict[str, dict[str, Any]]:
    """Accepted candidates' sheet values (plus inferred ones) by project name."""
    out = {}
    for c in analysis.candidates:
        if not c.rejected:
            out[c.values["name"]] = {**c.inferred, **c.values}
    return out


def skipped(analysis: pipeline.Analysis) -> list[tuple[int, str]]:
    return [(s["row"], s["reason"]) for s in analysis.summary()["skipped"]]


def issue_keys(analysis: pipeline.Analysis, level: str | None = None) -> list[tuple[int | None, str | None, str]]:
    """(row, column letter, key) of every problem."""
    return [(i.row, i.column, i.key) for i in analysis.issues() if level is None or i.level == level]


DUMP_QUERIES = {
    "projects": "SELECT * FROM projects",
    "progress_reports": "SELECT * FROM progress_reports",
    "progress_latest": "SELECT * FROM progress_latest",
    "import_batches": "SELECT * FROM import_batches",
    "project_versions": "SELECT * FROM project_versions",
    "column_mappings": "SELECT * FROM column_mappings",
    "meta": "SELECT * FROM meta",
}


def dump(store) -> dict[str, list[tuple]]:
    """Every row of every table an import touches, plus the data version: 'the database as it was'."""
    out = {}
    with store.cursor() as cur:
        for table, query in DUMP_QUERIES.items():
            out[table] = sorted(cur.execute(query).fetchall(), key=repr)
    return out
