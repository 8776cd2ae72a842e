"""The header of a project table: the row naming the most fields, the rows above and below it that
belong to it (a group header such as 资金来源 over 中央/省级), and one composed text per column."""
from __future__ import annotations

import re
from typing import Any

from portfolio.ingest.columns import header_key, match_header
from portfolio.ingest.read import RawSheet
from portfolio.ingest.values import norm, text_value

HEADER_SCAN_ROWS = 40

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


def continues_header(sheet: RawSheet, grid: list[list[Any]], header_rows: list[int], row: int) -> bool:
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


def header_above(sheet: RawSheet, grid: list[list[Any]], row: int, header_row: int) -> bool:
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
