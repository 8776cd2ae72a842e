"""Read an indicator sheet: one row per village, one column (or a merged group of columns) per indicator.

Reuses the project importer's reading pieces: ingest/read.py (cells and merges), locate.py
(merged two-row headers, 合计/小计 and notes rows skipped), report_date.py (截至 2026年10月 in the
title) and places.py (county / town / village against the gazetteer). What is new here is the
meaning of the columns:

    镇 | 村 | 户数 | 无害化卫生户厕普及率            | 生活污水治理率(%) | 美丽乡村创建等级 | 撂荒地复耕面积(亩)
                   | 已改(户) | 总户数(户) | 2026年目标(%) |

A column is an indicator's value (%, 亩, 万元, a tier's name), its numerator (已改, 已治理: 户 / 个 /
公里), its denominator (总户数, 自然村总数, 总里程), its target (目标), a yes/no flag of one tier
(美丽乡村/干净整洁村), or the village's households. Every refused value names its cell.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portfolio.ingest.values import norm, text_value  # first: ingest.places imports it half-way otherwise
from portfolio.ingest import places, report_date  # noqa: E402
from portfolio.ingest import read as read_mod
from portfolio.ingest.issues import ERROR, WARNING, IngestError, Issue
from portfolio.ingest.locate import Table, locate
from portfolio.outcomes.catalogue import Catalogue, Indicator
from portfolio.outcomes.rollup import rate_pct

PLACE_HEADERS = {
    "county": ("县", "县区", "县(市、区)", "县(市区)", "县市区", "区县", "所属县"),
    "town": ("镇", "镇街", "乡镇", "镇(街道)", "镇(街)", "乡镇(街道)", "街镇", "所属镇"),
    "village": ("村", "村名", "行政村", "村(社区)", "村委会", "村居", "村(居)", "村名称", "行政村名称"),
    "households": ("户数", "总户数", "农户数", "户籍户数", "常住户数", "户数(户)", "总户数(户)"),
}
_UNIT = re.compile(r"[(（]([^()（）]{1,6})[)）]$")
_YEAR = re.compile(r"((?:19|20)\d{2})年?")
_DENOMINATOR_WORDS = ("总户数", "总数", "应改", "应治理", "应建", "全部", "总里程", "自然村数", "户数合计", "总")
_TARGET_WORDS = ("目标", "计划值", "任务")
_YES = ("是", "√", "✓", "已创建", "已建成", "1", "yes", "y")
_NO = ("否", "×", "未创建", "无", "0", "no", "n", "")
_EMPTY = ("", "-", "—", "/", "无数据", "暂无")

VALUE, NUMERATOR, DENOMINATOR, TARGET, TIER_FLAG = "value", "numerator", "denominator", "target", "tier_flag"


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    role: str  # county / town / village / households / value / numerator / denominator / target / tier_flag
    indicator: str | None = None
    unit: str | None = None
    target_year: int | None = None
    tier_rank: int | None = None  # for tier_flag columns


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


def _bare(header: str) -> tuple[str, str | None]:
    """Header text without its unit: ('已改户数', '户') for 已改户数(户)."""
    text = norm(header)
    unit = None
    m = _UNIT.search(text)
    if m:
        unit = m.group(1)
        text = text[: m.start()]
    return text, unit


def _place_role(part: str) -> str | None:
    bare, _ = _bare(part)
    for role, words in PLACE_HEADERS.items():
        if bare in {norm(w) for w in words} or norm(part) in {norm(w) for w in words}:
            return role
    return None


def _indicator_in(text: str, catalogue: Catalogue) -> Indicator | None:
    """The indicator whose name or alias the text contains (the longest such name wins)."""
    best, best_len = None, 0
    for ind in catalogue.indicators:
        for name in (ind.name_zh, *ind.aliases, ind.code):
            n = norm(name)
            if n and n in text and len(n) > best_len:
                best, best_len = ind, len(n)
    return best


def classify(header: str, index: int, catalogue: Catalogue) -> Column | None:
    """What a composed header ('无害化卫生户厕普及率/已改户数(户)') means, or None (ignored)."""
    if not header:
        return None
    parts = header.split("/")
    role = _place_role(parts[-1]) if len(parts) == 1 or _indicator_in(norm(header), catalogue) is None else None
    if role:
        return Column(index, header, role)
    ind = _indicator_in(norm(header), catalogue)
    if ind is None:
        return None
    sub, unit = _bare(parts[-1])
    if unit is None and len(parts) > 1:
        unit = _bare(parts[0])[1]
    year = _YEAR.search(sub)
    if any(w in sub for w in _TARGET_WORDS):
        return Column(index, header, TARGET, ind.code, unit, int(year.group(1)) if year else None)
    if ind.is_tier:
        sub_norm = norm(sub)
        for rank, tier in enumerate(ind.tiers):
            if rank and len(parts) > 1 and norm(tier) in sub_norm and norm(ind.name_zh) not in sub_norm:
                return Column(index, header, TIER_FLAG, ind.code, None, None, rank)
        return Column(index, header, VALUE, ind.code)
    if ind.is_rate:
        counted = unit not in (None, "%", "％")
        if not counted:
            return Column(index, header, VALUE, ind.code, "%")
        if any(w in sub for w in _DENOMINATOR_WORDS) and len(parts) > 1:
            return Column(index, header, DENOMINATOR, ind.code, unit)
        return Column(index, header, NUMERATOR, ind.code, unit)
    return Column(index, header, VALUE, ind.code, unit)


def find_header_row(grid: list[list[Any]], catalogue: Catalogue) -> int:
    """The first row naming a village (or, for a sheet of towns' own figures, a town) column and at
    least one indicator: the top row of a merged header."""
    for r, row in enumerate(grid[:40]):
        texts = [norm(v) for v in (text_value(c) for c in row) if v]
        if any(_place_role(t) in ("village", "town") for t in texts) and any(_indicator_in(t, catalogue) for t in texts):
            return r
    return -1


_SHARED_STRINGS = "xl/sharedStrings.xml"
_MEASURES = ("率", "比例", "面积", "收入", "等级")
_PEEK_BYTES = 256 * 1024  # of each part's XML: the 40 rows where a header may be, many times over


def _may_name_indicators(data: bytes, catalogue: Catalogue) -> bool:
    """A cheap first look at an .xlsx: do its strings (the shared string table, or the sheets' inline
    strings) name any indicator at all? Project lists do not, so the project import is not slowed by
    reading every upload twice. Other formats: maybe."""
    if not data.startswith(b"PK\x03\x04"):
        return True
    # Names of a measure only (…率, …比例, …面积, …收入, …等级): topic words such as 雨污分流 or
    # 撂荒地复耕 also name projects (雨污分流管网工程). Each as UTF-8 and as XML character references
    # (some writers store 率 as &#29575;).
    names = [form for ind in catalogue.indicators for name in (ind.name_zh, *ind.aliases) if name.endswith(_MEASURES)
             for form in (name.encode("utf-8"), "".join(f"&#{ord(c)};" for c in name).encode(),
                          "".join(f"&#x{ord(c):x};" for c in name).encode(), "".join(f"&#x{ord(c):X};" for c in name).encode())]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [i for i in z.infolist() if i.filename == _SHARED_STRINGS] or \
                [i for i in z.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            for info in members:
                with z.open(info) as member:
                    # Headers sit in the first rows, and a string table lists strings in order of first
                    # use: the beginning of each part is enough, whatever the file's size.
                    text = member.read(_PEEK_BYTES)
                if any(name in text for name in names):
                    return True
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return True  # an odd file: let the full reader decide
    return False


def looks_like_indicator_sheet(data: bytes, file_name: str, catalogue: Catalogue) -> bool:
    """Auto-detection: some sheet has a village column and an indicator column (or a town column and two
    indicator columns), and no project name column."""
    if not _may_name_indicators(data, catalogue):
        return False
    try:
        book = read_mod.read_book(data, file_name)
    except IngestError:
        return False
    for sheet in book.sheets:
        for row in sheet.rows[:40]:
            texts = [norm(v) for v in (text_value(c) for c in row) if v]
            roles = {_place_role(t) for t in texts}
            found = len({i.code for i in (_indicator_in(t, catalogue) for t in texts) if i})
            if (("village" in roles and found >= 1) or ("town" in roles and found >= 2)) and \
                    not any(t in ("项目名称", "项目名", "建设内容") for t in texts):
                return True
    return False


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
