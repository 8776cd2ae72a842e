"""What each row under the header is: a project row, or a row skipped with its reason (a column-number
row, a repeated header, a template example, a total, notes, a category heading). Rows are looked at
one by one, by their first three texts; arithmetic subtotals are found later (totals.find_group_rows)."""
from __future__ import annotations

import re
from typing import Any

from portfolio.ingest import totals
from portfolio.ingest.columns import match_header
from portfolio.ingest.read import RawSheet
from portfolio.ingest.table import SkippedRow, Table
from portfolio.ingest.values import norm, text_value

_NOTES = re.compile(r"^(?:备注|附注|注|说明|填表说明|填报说明|填表人|填报人|制表人|制表|审核人|审核|审批|负责人|分管领导"
                    r"|主要领导|单位负责人|联系人|联系电话|填报单位|填报日期|制表日期|填表日期|报送单位|盖章|签字|\d+[.、]本表)"
                    r"(?:[:：\s(（]|$)")
_EXAMPLE = ("示例", "例", "样例", "填表示例", "example")


def _first_texts(row: list[Any], limit: int = 4) -> list[tuple[int, str]]:
    out = []
    for i, v in enumerate(row):
        if v is None:
            continue
        # Sequence numbers are ints: their text without the call (text_value gives the same).
        text = str(v) if type(v) is int else text_value(v)
        if text:
            out.append((i, text))
        if len(out) >= limit:
            break
    return out


def classify_rows(table: Table, sheet: RawSheet) -> None:
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
