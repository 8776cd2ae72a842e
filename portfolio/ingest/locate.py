"""Find the project table in a sheet as towns lay it out.

Handles: title rows above the header (附件2, the title, 单位：万元); headers over two
or three rows with merged cells (资金来源 over 中央/省级/市级/县级); merged cells in
the data (the value belongs to every cell of the merge); 合计/小计/总计 rows (also
合 计) before or after the data; category heading rows (一、基础设施, with or without
a subtotal); a column-number row under the header; blank rows, 备注 and signature
rows after the data; example rows of the template. A county or town named in the
title and the unit (万元 or 元) become defaults.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portfolio.ingest.columns import header_key, match_header
from portfolio.ingest.issues import IngestError
from portfolio.ingest import title, totals
from portfolio.ingest.read import RawBook, RawSheet
from portfolio.ingest.values import norm, text_value

HEADER_SCAN_ROWS = 40
MAX_HEADER_ROWS = 3

_NOTES = re.compile(r"^(?:备注|附注|注|说明|填表说明|填报说明|填表人|填报人|制表人|制表|审核人|审核|审批|负责人|分管领导"
                    r"|主要领导|单位负责人|联系人|联系电话|填报单位|填报日期|制表日期|填表日期|报送单位|盖章|签字|\d+[.、]本表)"
                    r"(?:[:：\s(（]|$)")
_EXAMPLE = ("示例", "例", "样例", "填表示例", "example")


@dataclass
class SkippedRow:
    index: int  # 0-based row in the sheet
    kind: str  # total / subtotal / heading / notes / header_repeat / column_numbers / example / sum / sum_total / group
    text: str
    rows: tuple[int, int] | None = None  # Excel rows a subtotal found by arithmetic sums (first, last)


@dataclass
class Table:
    sheet: str
    grid: list[list[Any]]  # the sheet's cells with merges filled
    header_rows: list[int]
    headers: list[str]  # composed header per column ('' when none)
    data_rows: list[int]
    skipped: list[SkippedRow] = field(default_factory=list)
    totals: list[tuple[int, str]] = field(default_factory=list)  # (row index, 'grand' | 'sub')
    sections: dict[int, str] = field(default_factory=dict)  # data row index -> heading text above it
    row_towns: dict[int, str] = field(default_factory=dict)  # data row index -> town named by its group heading
    title: str = ""
    title_unit: float | None = None  # factor to 万元 named in the title rows
    title_county: str | None = None
    title_town: str | None = None
    merged_rows: dict[int, set[int]] = field(default_factory=dict)  # column -> data rows filled from a merge above
    wide_merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # row -> (first, last) column
    score: float = 0.0
    rows_read: int = 0  # non-blank rows below the header


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


_CONF_WEIGHT = {3: 1.0, 2: 0.9, 1: 0.4}


def _header_score(row: list[Any]) -> float:
    """How many distinct fields this row's cells name; a word merely contained counts less
    (data cells such as 寨岗镇 or 石径村 contain field words too)."""
    found: dict[str, float] = {}
    numbers = 0
    for value in row:
        if value is None:
            continue
        if isinstance(value, str):
            if len(value) > 40:
                continue
            target, conf = match_header(value)
            if target and target != "ignore" and conf >= 1:
                found[target] = max(found.get(target, 0.0), _CONF_WEIGHT[conf])
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers += 1
    return sum(found.values()) - (1.0 if numbers > 2 else 0.0)


def _is_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    return not re.fullmatch(r"\s*[-+]?[\d,.]+%?\s*", value)


def _merge_spans_into(sheet: RawSheet, top_rows: set[int], row: int) -> bool:
    return any(r0 in top_rows and r1 >= row and r0 < row for r0, _, r1, _ in sheet.merged)


def _continues_header(sheet: RawSheet, grid: list[list[Any]], header_rows: list[int], row: int) -> bool:
    cells = [v for v in grid[row] if v is not None]
    if not cells or not all(_is_text(v) for v in cells):
        return False
    if _merge_spans_into(sheet, set(header_rows), row):
        return True
    # No merges (blank-padded two-row header): labels under a group header, blanks under the others.
    above = grid[header_rows[-1]]
    labels = fills_gap = 0
    for i, v in enumerate(grid[row]):
        if v is None:
            continue
        target, conf = match_header(v)
        if (target and conf >= 2) or norm(v) in ("合计", "小计", "计"):
            labels += 1
            fills_gap += above[i] is None
    name_col = next((i for i, v in enumerate(above) if v is not None and match_header(v)[0] == "name"), None)
    under_name_empty = name_col is not None and grid[row][name_col] is None
    return labels >= 1 and (fills_gap >= 1 or under_name_empty) and len(set(map(str, cells))) > 1


def _header_above(sheet: RawSheet, grid: list[list[Any]], row: int, header_row: int) -> bool:
    """Is `row` the upper part of the header starting at `header_row` (a group header above it)?"""
    cells = [v for v in grid[row] if v is not None]
    if not cells or not all(_is_text(v) for v in cells) or len(set(map(str, cells))) < 2:
        return False
    vertical = any(r0 <= row and r1 >= header_row for r0, _, r1, _ in sheet.merged)
    return vertical or _header_score(grid[row]) >= 1.8


def compose_headers(grid: list[list[Any]], header_rows: list[int], width: int) -> list[str]:
    """One header per column: distinct texts of the header rows joined by '/' (资金来源/中央)."""
    headers = []
    for c in range(width):
        parts: list[str] = []
        for r in header_rows:
            v = grid[r][c]
            text = text_value(v) if v is not None else None
            if text:
                text = re.sub(r"\s+", "", text) if re.search(r"[\u4e00-\u9fff]", text) else text
                if text not in parts:
                    parts.append(text)
        headers.append("/".join(parts))
    return headers


def find_header(grid: list[list[Any]], known_keys: frozenset[str] = frozenset()) -> tuple[int, float]:
    """(row index, score) of the row naming the most fields among the first rows (at least two).

    A row whose headers match a mapping the user confirmed earlier (known_keys) is the header.
    """
    best_row, best_score = -1, 1.5
    for r in range(min(len(grid), HEADER_SCAN_ROWS)):
        if known_keys and any(v is not None for v in grid[r]):
            if header_key(compose_headers(grid, [r], len(grid[r]))) in known_keys:
                return r, 100.0
        score = _header_score(grid[r])
        if score > best_score + 1e-9:
            best_row, best_score = r, score
    return best_row, best_score


def _first_texts(row: list[Any], limit: int = 4) -> list[tuple[int, str]]:
    out = []
    for i, v in enumerate(row):
        if v is None:
            continue
        text = text_value(v)
        if text:
            out.append((i, text))
        if len(out) >= limit:
            break
    return out


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
        header_row, score = find_header(grid, known_keys)
    if header_row < 0:
        raise IngestError("ing_err_no_header", sheet=sheet.name)
    header_rows = [header_row]
    # The best row may be the lower row of a multi-row header (merges copy 序号 into it).
    while (not forced and len(header_rows) < MAX_HEADER_ROWS and header_rows[0] > 0
           and _header_above(sheet, grid, header_rows[0] - 1, header_rows[0])):
        header_rows.insert(0, header_rows[0] - 1)
    while (len(header_rows) < MAX_HEADER_ROWS and header_rows[-1] + 1 < len(grid)
           and _continues_header(sheet, grid, header_rows, header_rows[-1] + 1)):
        header_rows.append(header_rows[-1] + 1)
    header_row = header_rows[0]
    headers = compose_headers(grid, header_rows, width)
    table = Table(sheet.name, grid, header_rows, headers, [], score=score)
    title.read_title(table, grid[:header_row])
    _classify_rows(table, sheet)
    return table


def _classify_rows(table: Table, sheet: RawSheet) -> None:
    grid = table.grid
    start = table.header_rows[-1] + 1
    header_norm = [norm(h.split("/")[-1]) if h else "" for h in table.headers]
    name_col = next((i for i, h in enumerate(table.headers) if match_header(h)[0] == "name"), None) if any(
        table.headers) else None
    seq_col = next((i for i, h in enumerate(table.headers) if match_header(h)[0] == "seq"), None)
    repeat_min = max(2, len([h for h in header_norm if h]) // 2)  # cells equal to the header: a repeat
    # Columns a repeated header can show in, the name column last: most rows fail on the others first.
    repeat_cols = sorted(((i, h, h.isdigit()) for i, h in enumerate(header_norm) if h),
                         key=lambda col: col[0] == name_col)
    section: str | None = None
    in_notes = False
    seen_data = False
    merges_from_above = _merged_down(sheet, start)
    for r in range(start, len(grid)):
        row = grid[r]
        texts = _first_texts(row, 3)  # the rules below look at the first three texts at most
        if not texts:
            continue
        table.rows_read += 1
        first = texts[0][1]
        first_norm = norm(first)
        # A column-number row (1 2 3 ... or （1）（2）) right under the header.
        if not seen_data and r == start and _is_column_numbers(row):
            table.skipped.append(SkippedRow(r, "column_numbers", first))
            continue
        if _repeats_header(row, repeat_cols, repeat_min):
            table.skipped.append(SkippedRow(r, "header_repeat", first))
            continue
        if seq_col is not None and isinstance(row[seq_col], str) and norm_or_empty(row[seq_col]) in _EXAMPLE:
            table.skipped.append(SkippedRow(r, "example", first))
            continue
        kind = totals.total_kind(texts)
        if kind:
            table.skipped.append(SkippedRow(r, "total" if kind == "grand" else "subtotal", first))
            table.totals.append((r, kind))
            continue
        distinct = _Distinct(row)
        if _NOTES.match(first_norm) and (name_col is None or texts[0][0] <= name_col or len(distinct) == 1):
            in_notes = True
            table.skipped.append(SkippedRow(r, "notes", first))
            continue
        heading = totals.heading_text(row, texts, seq_col, name_col, distinct)
        if heading is not None:
            if in_notes:
                table.skipped.append(SkippedRow(r, "notes", first))
                continue
            section = heading
            has_amount = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row if v is not None)
            table.skipped.append(SkippedRow(r, "heading", heading))
            if has_amount:
                table.totals.append((r, "sub"))
            continue
        if in_notes and len(distinct) == 1:
            table.skipped.append(SkippedRow(r, "notes", first))
            continue
        in_notes = False
        seen_data = True
        table.data_rows.append(r)
        if section:
            table.sections[r] = section
    for col, rows in merges_from_above.items():
        table.merged_rows[col] = rows
    for r0, c0, r1, c1 in sheet.merged:
        if c1 > c0 and r1 >= start:
            for r in range(max(r0, start), r1 + 1):
                table.wide_merges.setdefault(r, []).append((c0, c1))


def _repeats_header(row: list[Any], repeat_cols: list[tuple[int, str, bool]], repeat_min: int) -> bool:
    """At least `repeat_min` cells equal their column's header (in matching form): a repeated header row."""
    hits, misses_left = 0, len(repeat_cols) - repeat_min
    for i, header, numeric in repeat_cols:
        v = row[i]
        if v is not None and (numeric or isinstance(v, str)) and norm(str(v)) == header:
            hits += 1
            if hits >= repeat_min:
                return True
        else:
            misses_left -= 1
            if misses_left < 0:
                return False
    return False


class _Distinct:
    """The distinct texts of a row's cells, worked out only when a rule asks how many there are."""

    def __init__(self, row: list[Any]) -> None:
        self._row = row
        self._n: int | None = None

    def __len__(self) -> int:
        if self._n is None:
            self._n = len({str(v) for v in self._row if v is not None})
        return self._n


def norm_or_empty(value: Any) -> str:
    text = text_value(value)
    return norm(text) if text else ""


def _merged_down(sheet: RawSheet, start: int) -> dict[int, set[int]]:
    """Column -> data rows whose value was copied from a merge spanning several data rows."""
    out: dict[int, set[int]] = {}
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= start and r1 > r0:
            for c in range(c0, c1 + 1):
                out.setdefault(c, set()).update(range(r0 + 1, r1 + 1))
    return out


def _is_column_numbers(row: list[Any]) -> bool:
    values = [v for v in row if v is not None]
    if len(values) < 3:
        return False
    numbers = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append(float(v))
            continue
        m = re.fullmatch(r"[(（]?(\d{1,2})[)）]?|[甲乙丙丁]", norm(str(v)))
        if not m:
            return False
        numbers.append(float(m.group(1)) if m.group(1) else 0.0)
    ints = [n for n in numbers if n]
    return len(ints) >= 3 and ints == sorted(ints) and all(b - a == 1 for a, b in zip(ints, ints[1:]))


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
