"""Read an indicator sheet: one row per village, one column (or a merged group of columns) per indicator.

Column meanings are in outcomes/header.py, and telling an indicator sheet from a project list in
outcomes/detect.py. Reuses the project importer's reading pieces: ingest/read.py (cells and merges), locate.py
(merged two-row headers, 合计/小计 and notes rows skipped), report_date.py (截至 2026年10月 in the
title) and places.py (county / town / village against the gazetteer):

    镇 | 村 | 户数 | 无害化卫生户厕普及率            | 生活污水治理率(%) | 美丽乡村创建等级 | 撂荒地复耕面积(亩)
                   | 已改(户) | 总户数(户) | 2026年目标(%) |

Every refused value names its cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portfolio.ingest.values import norm, text_value  # first: ingest.places imports it half-way otherwise
from portfolio.ingest import places, report_date  # noqa: E402
from portfolio.ingest import read as read_mod
from portfolio.ingest.issues import ERROR, WARNING, IngestError, Issue
from portfolio.ingest.locate import Table, locate
from portfolio.outcomes.catalogue import Catalogue, Indicator
from portfolio.outcomes.header import (DENOMINATOR, NUMERATOR, TARGET, TIER_FLAG, VALUE, Column, classify,
                                       find_header_row)
from portfolio.outcomes.rollup import rate_pct

_YES = ("是", "√", "✓", "已创建", "已建成", "1", "yes", "y")
_NO = ("否", "×", "未创建", "无", "0", "no", "n", "")
_EMPTY = ("", "-", "—", "/", "无数据", "暂无")


@dataclass
class Candidate:
    """One value the sheet gives for one place, indicator and period."""
    row: int  # Excel row
    col: int  # 0-based column of the cell that carries it (for messages)
    county: str | None
    town: str | None
    village: str | None
    town_code: str | None
    place_code: str
    level: str
    indicator: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    households: float | None = None
    target: float | None = None
    target_year: int | None = None


@dataclass
class ReadSheet:
    sheet: str
    period: date | None
    period_text: str | None
    columns: list[Column]
    candidates: list[Candidate] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (Excel row, kind, text)
    title: str = ""


def _number(value: Any) -> tuple[float | None, bool]:
    """(number, readable) of a cell: '85%' -> 85; blanks and 无数据 -> (None, True)."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        return float(value), True
    text = norm(str(value)).replace(",", "").replace("％", "%")
    if text in _EMPTY:
        return None, True
    if text.endswith("%"):
        text = text[:-1]
    try:
        return float(text), True
    except ValueError:
        return None, False


def read_sheet(book: read_mod.RawBook, sheet_name: str | None, catalogue: Catalogue, period: date | None = None,
               default_county: str | None = None, default_town: str | None = None) -> ReadSheet:
    """The candidates and issues of one sheet (the first with an indicator table when no name is given)."""
    sheets = [book.sheet(sheet_name)] if sheet_name else book.sheets
    for raw in sheets:
        header_row = find_header_row(raw.rows, catalogue)
        if header_row >= 0:
            return _read(raw, locate(raw, header_row=header_row), catalogue, period, default_county, default_town)
    raise IngestError("ind_err_no_table", sheet=sheet_name or "、".join(book.sheet_names()))


def _read(raw, table: Table, catalogue: Catalogue, period: date | None, default_county, default_town) -> ReadSheet:
    columns = [c for c in (classify(h, i, catalogue) for i, h in enumerate(table.headers)) if c]
    period_text = None
    if period is None:
        found = report_date.from_sheet(table.title, report_date.notes_texts(table))
        if found:
            period, period_text = found.value, found.text
    out = ReadSheet(table.sheet, period, period_text, columns, rows_read=len(table.data_rows), title=table.title)
    out.skipped = [(s.index + 1, s.kind, s.text) for s in table.skipped]
    if not any(c.role == "village" for c in columns) and not any(c.role == "town" for c in columns):
        raise IngestError("ind_err_no_place_column", sheet=table.sheet)
    if not any(c.indicator for c in columns):
        raise IngestError("ind_err_no_indicator_column", sheet=table.sheet)
    if period is None:
        raise IngestError("ind_err_no_period", sheet=table.sheet)
    fractions = _fraction_columns(table, columns)
    for c in fractions:
        out.issues.append(Issue.make(WARNING, "ind_w_fraction", table.sheet, None, c.index, c.header))
    county = default_county or table.title_county
    town = default_town or table.title_town
    seen: dict[str, int] = {}  # place code -> the Excel row that gave it first
    for r in table.data_rows:
        _read_row(out, table, r, columns, catalogue, fractions, county, town, seen)
    return out


def _fraction_columns(table: Table, columns: list[Column]) -> set[Column]:
    """Percent columns Excel stores as fractions (0.85 shown as 85%): every number at most 1, some not whole
    (for targets, every number at most 1)."""
    found = set()
    for c in columns:
        if c.unit != "%" or c.role not in (VALUE, TARGET):
            continue
        numbers = [table.grid[r][c.index] for r in table.data_rows
                   if isinstance(table.grid[r][c.index], (int, float)) and not isinstance(table.grid[r][c.index], bool)]
        # A target column of only 1s is Excel's 100 %: no programme target is 1 %.
        if numbers and all(0 <= n <= 1 for n in numbers) and (c.role == TARGET or any(n not in (0, 1) for n in numbers)):
            found.add(c)
    return found


def _cell_text(row: list[Any], columns: list[Column], role: str) -> tuple[str | None, Column | None]:
    for c in columns:
        if c.role == role:
            return text_value(row[c.index]), c
    return None, None


def _read_row(out: ReadSheet, table: Table, r: int, columns: list[Column], catalogue: Catalogue,
              fractions: set[Column], county: str | None, town: str | None, seen: dict[str, int]) -> None:
    row = table.grid[r]
    excel_row = r + 1
    sheet = table.sheet

    def error(key: str, col: Column | None, **params):
        out.issues.append(Issue.make(ERROR, key, sheet, excel_row, None if col is None else col.index,
                                     None if col is None else col.header, **params))

    county_text, _ = _cell_text(row, columns, "county")
    town_text, town_col = _cell_text(row, columns, "town")
    village_text, village_col = _cell_text(row, columns, "village")
    if not village_text and not town_text:
        return
    place = places.resolve(county_text, town_text or table.row_towns.get(r), village_text, None, county, town)
    ambiguous = dict(next((params for key, params in place.problems if key == "ing_w_town_ambiguous"), ()))
    if ambiguous:
        error("ind_err_town_ambiguous", town_col or village_col, **ambiguous)
        return
    if village_text and not place.village_code:
        error("ind_err_village_unknown", village_col, village=village_text, town=place.town or town_text or "—")
        return
    if not village_text and not place.town_code:
        error("ind_err_town_unknown", town_col, town=town_text or "—")
        return
    level = "village" if place.village_code else "town"
    code = place.village_code or place.town_code
    if code in seen:
        error("ind_err_duplicate_place", village_col or town_col, place=place.village or place.town, first=seen[code])
        return
    seen[code] = excel_row
    households = None
    for c in columns:
        if c.role == "households":
            households, ok = _number(row[c.index])
            if not ok or (households is not None and households < 0):
                error("ind_err_not_number", c, value=text_value(row[c.index]) or "")
                households = None
    by_indicator: dict[str, list[Column]] = {}
    for c in columns:
        if c.indicator:
            by_indicator.setdefault(c.indicator, []).append(c)
    for code_, cols in by_indicator.items():
        ind = catalogue.get(code_)
        cand = _indicator_value(ind, cols, row, fractions, error)
        if cand is None:
            continue
        value, numerator, denominator, target, target_year, anchor = cand
        if value is None and numerator is None and target is None:
            continue
        out.candidates.append(Candidate(excel_row, anchor.index, place.county, place.town, place.village,
                                        place.town_code, code, level, ind.code, value, numerator, denominator,
                                        households, target, target_year))


def _indicator_value(ind: Indicator, cols: list[Column], row: list[Any], fractions: set[Column], error):
    """(value, numerator, denominator, target, target_year, anchor column) of one indicator in one row,
    or None when a cell is refused (the error is recorded)."""
    got: dict[str, tuple[Any, Column]] = {}
    flags: list[tuple[int, bool, Column]] = []
    for c in cols:
        cell = row[c.index]
        if c.role == TIER_FLAG:
            text = norm(text_value(cell) or "").lower()
            if text not in _YES and text not in _NO:
                error("ind_err_flag", c, value=text_value(cell) or "")
                return None
            flags.append((c.tier_rank, text in _YES, c))
            continue
        if ind.is_tier and c.role in (VALUE, TARGET):
            text = text_value(cell)
            if not text or norm(text) in _EMPTY:
                continue
            rank = _tier_rank(ind, text)
            if rank is None:
                error("ind_err_tier_unknown", c, value=text, indicator=ind.name_zh, tiers="→".join(ind.tiers))
                return None
            got[c.role] = (float(rank), c)
            continue
        number, ok = _number(cell)
        if not ok:
            error("ind_err_not_number", c, value=text_value(cell) or "")
            return None
        if number is None:
            continue
        if c in fractions:
            number *= 100
        if number < 0:
            error("ind_err_negative", c, value=_fmt(number), indicator=ind.name_zh)
            return None
        if ind.is_rate and c.role in (VALUE, TARGET) and number > 100:
            error("ind_err_pct_over", c, value=_fmt(number), indicator=ind.name_zh)
            return None
        got[c.role] = (number, c)
    if flags:
        flags.sort(key=lambda f: f[0])
        top = max((rank for rank, yes, _ in flags if yes), default=0)
        for rank, yes, c in flags:
            if rank < top and not yes:
                high = next(cc for rk, y, cc in flags if rk == top)
                error("ind_err_tier_order", high, high=ind.tiers[top], low=ind.tiers[rank],
                      tiers="→".join(ind.tiers))
                return None
        got.setdefault(VALUE, (float(top), flags[0][2]))
    value = got.get(VALUE, (None, None))[0]
    numerator = got.get(NUMERATOR, (None, None))[0]
    denominator = got.get(DENOMINATOR, (None, None))[0]
    if numerator is not None and denominator is not None:
        if numerator > denominator:
            error("ind_err_num_above_den", got[NUMERATOR][1], num=_fmt(numerator), den=_fmt(denominator),
                  indicator=ind.name_zh)
            return None
        if denominator > 0:
            value = rate_pct(numerator, denominator)
    elif ind.is_rate and (numerator is not None or denominator is not None) and value is None:
        numerator = denominator = None  # half a ratio says nothing
    target_col = got.get(TARGET, (None, None))[1]
    anchor = next((got[k][1] for k in (VALUE, NUMERATOR, TARGET) if k in got), cols[0])
    return (value, numerator, denominator, got.get(TARGET, (None, None))[0],
            target_col.target_year if target_col else None, anchor)


def _tier_rank(ind: Indicator, text: str) -> int | None:
    t = norm(text)
    for rank, tier in enumerate(ind.tiers):
        if t == norm(tier) or (len(t) >= 2 and t.rstrip("村") == norm(tier).rstrip("村")):
            return rank
    if t in ("否", "无", "未"):
        return 0
    return None


def _fmt(number: float) -> str:
    return f"{number:g}"
