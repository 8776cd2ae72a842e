"""Find the project table in a sheet as towns lay it out.

Handles: title rows above the header (附件2, the title, 单位：万元); headers over two
or three rows with merged cells (资金来源 over 中央/省级/市级/县级); merged cells in
the data (the value belongs to every cell of the merge); 合计/小计/总计 rows (also
合 计) before or after the data; category heading rows (一、基础设施, with or without
a subtotal); a column-number row under the header; blank rows, 备注 and signature
rows after the data; example rows of the template. A county or town named in the
title and the unit (万元 or 元) become defaults.

By concern: header.py finds the header rows, row_kinds.py sorts the rows under it, table.py holds
the result; this module puts them together and chooses the sheet.
"""
from __future__ import annotations

import re
from typing import Any

from portfolio.ingest import header, row_kinds, title
from portfolio.ingest.columns import match_header
from portfolio.ingest.issues import IngestError
from portfolio.ingest.read import RawBook, RawSheet
from portfolio.ingest.table import SkippedRow, Table
from portfolio.ingest.values import text_value

__all__ = ["SkippedRow", "Table", "choose_table", "fill_merges", "locate", "project_like_rows", "project_sheets"]
MAX_HEADER_ROWS = 3


def fill_merges(sheet: RawSheet) -> list[list[Any]]:
    """The sheet's cells where every cell of a merge holds the merge's value.

    Rows a merge writes into are copies; the others are the sheet's own rows (never written to).
    """
    grid = list(sheet.rows)
    copied: set[int] = set()
    height, width = len(grid), sheet.width
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= height or c0 >= width:
            continue
        value = grid[r0][c0]
        if value is None:
            continue
        for r in range(r0, min(r1, height - 1) + 1):
            if r not in copied:
                grid[r] = list(grid[r])
                copied.add(r)
            row = grid[r]
            for c in range(c0, min(c1, width - 1) + 1):
                row[c] = value
    return grid


def locate(sheet: RawSheet, header_row: int | None = None, known_keys: frozenset[str] = frozenset()) -> Table:
    """The table of one sheet; raises IngestError when no header row is found.

    `header_row` (0-based) forces the header's first row; `known_keys` are header sets with a remembered mapping.
    """
    grid = fill_merges(sheet)
    width = sheet.width
    forced = header_row is not None
    if header_row is not None:
        if not 0 <= header_row < len(grid):
            raise IngestError("ing_err_no_header", sheet=sheet.name)
        score = 100.0
    else:
        header_row, score = header.find_header(grid, known_keys)
    if header_row < 0:
        raise IngestError("ing_err_no_header", sheet=sheet.name)
    header_rows = [header_row]
    # The best row may be the lower row of a multi-row header (merges copy 序号 into it).
    while (not forced and len(header_rows) < MAX_HEADER_ROWS and header_rows[0] > 0
           and header.header_above(sheet, grid, header_rows[0] - 1, header_rows[0])):
        header_rows.insert(0, header_rows[0] - 1)
    while (len(header_rows) < MAX_HEADER_ROWS and header_rows[-1] + 1 < len(grid)
           and header.continues_header(sheet, grid, header_rows, header_rows[-1] + 1)):
        header_rows.append(header_rows[-1] + 1)
    header_row = header_rows[0]
    headers = header.compose_headers(grid, header_rows, width)
    table = Table(sheet.name, grid, header_rows, headers, [], score=score)
    title.read_title(table, grid[:header_row])
    row_kinds.classify_rows(table, sheet)
    return table


# Sheets ----------------------------------------------------------------------
def project_like_rows(table: Table) -> int:
    """Data rows that read as projects: a text in the name (or content) column and a number somewhere."""
    targets = [match_header(h)[0] if h else None for h in table.headers]
    col = next((i for i, f in enumerate(targets) if f == "name"), None)
    if col is None:
        col = next((i for i, f in enumerate(targets) if f == "description"), None)
    if col is None:
        return 0
    count = 0
    for r in table.data_rows:
        row = table.grid[r]
        if text_value(row[col]) and any(isinstance(v, (int, float)) and not isinstance(v, bool) or (
                isinstance(v, str) and re.search(r"\d", v)) for i, v in enumerate(row) if i != col):
            count += 1
    return count


def project_sheets(book: RawBook) -> list[tuple[str, int]]:
    """(sheet name, project-like rows) of every sheet holding projects, most projects first."""
    out = []
    for sheet in book.sheets:
        try:
            table = locate(sheet)
        except IngestError:
            continue
        n = project_like_rows(table)
        if n:
            out.append((sheet.name, n))
    return sorted(out, key=lambda sn: -sn[1])


def choose_table(book: RawBook, sheet_name: str | None = None, header_row: int | None = None,
                 known_keys: frozenset[str] = frozenset()) -> Table:
    """The named sheet's table, or the sheet that holds the project table (cover and notes sheets lose)."""
    if sheet_name or (header_row is not None and len(book.sheets) == 1):
        return locate(book.sheet(sheet_name) if sheet_name else book.sheets[0], header_row, known_keys)
    best: Table | None = None
    best_key: tuple = ()
    for sheet in book.sheets:
        try:
            table = locate(sheet, header_row, known_keys)
        except IngestError:
            continue
        projects = project_like_rows(table)
        key = (projects > 0, sheet.visible, projects, min(table.score, 6), len(table.data_rows), table.score)
        if best is None or key > best_key:
            best, best_key = table, key
    if best is None:
        raise IngestError("ing_err_no_table", sheets="、".join(book.sheet_names()))
    return best
