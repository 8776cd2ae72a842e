"""The project table found in a sheet (locate.py fills it): its header, data rows and the rows skipped."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
