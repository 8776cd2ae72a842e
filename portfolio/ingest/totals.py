"""Rows that only look like projects: totals, subtotals and group headings.

Two ways to find them:
- by their words, while the table is located (locate.py calls `total_kind` and
  `heading_text`): 合计/小计/总计 (also 合 计), 一、基础设施, （一）, 甲、;
- by structure and arithmetic, once the columns are known (`find_group_rows`):
  a town or group line whose amount equals the sum of the rows under it (or the
  rows above it, back to the previous group), and a group heading row with no
  amount that names only a town or a category. The town or category such a row
  names applies to the rows it groups.

Every row skipped here says why, with the rows it sums ("第12行：小计（= 第8–11行之和）").
"""
from __future__ import annotations

import re
from collections.abc import Sized
from dataclasses import dataclass, field
from typing import Any

from portfolio.ingest import values as V

_TOTAL = re.compile(r"^(?:[一二三四五六七八九十\d]+[、.])?(.{0,12}?)(合计|小计|总计|总合计|共计|累计|总额)(?:\(.*\))?[:：]?$")
_GRAND_PREFIX = ("", "全", "总", "全部", "全县", "全区", "全市", "全镇", "本表", "以上")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部类分]"
                     r"|[A-Za-z][、.．])")
_CN_NUMERAL = re.compile(r"^[一二三四五六七八九十]+[、.．]?$")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十]+[部类分]?)")
_PLACE_WORD = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:街道办事处|办事处|街道|镇|乡|自治县|县|区|市)$")
_INTEGER = re.compile(r"^\d{1,5}$")
_TOTAL_CHARS = frozenset("计計额額")
SUM_TOLERANCE = 0.005  # in the sheet's own unit: cents of 元 or 50 元 in 万元 sheets round either way


def total_kind(texts: list[tuple[int, str]]) -> str | None:
    """'grand' for 合计/总计 rows, 'sub' for 小计 and 某某合计 rows, None otherwise (first three texts)."""
    for _, text in texts[:3]:
        if not _TOTAL_CHARS.intersection(text):
            continue  # every total word holds 计 or 额 (計, 額 before simplifying): skip norm() and the pattern
        s = V.norm(text)
        if "计" not in s and "总额" not in s:
            continue
        m = _TOTAL.match(s)
        if m:
            if m.group(2) == "小计":
                return "sub"
            return "grand" if m.group(1) in _GRAND_PREFIX else "sub"
    return None


def heading_text(row: list[Any], texts: list[tuple[int, str]], seq_col: int | None, name_col: int | None,
                 distinct: Sized) -> str | None:
    """The heading of a category section row (一、基础设施; 一 | 基础设施类), else None."""
    first_col, first = texts[0]
    first_norm = V.norm(first)
    if seq_col is not None and first_col == seq_col and _CN_NUMERAL.match(first_norm):
        if name_col is not None and row[name_col] is not None:
            return V.text_value(row[name_col]) or first
        return first
    if HEADING.match(first_norm):
        # A heading spans the row (one text) or leaves the content columns empty.
        texts_only = [v for v in row if isinstance(v, str) and v.strip()]
        if len(set(texts_only)) <= 1 or len(distinct) <= 2:
            return first
        if name_col is not None and first_col <= name_col and row[name_col] in (None, row[first_col]):
            return first
    return None


def heading_subject(text: str) -> str:
    """A heading without its numbering and 类/项目 tail: 一、寨岗镇 -> 寨岗镇; （二）产业发展类 -> 产业发展类."""
    return _NUMBERING.sub("", V.norm(text)).strip(":：")


def place_word(text: str) -> str | None:
    """The text when it is one place name (寨岗镇, 东城街道, 连州市, 城南办事处), else None."""
    subject = heading_subject(text)
    return subject if _PLACE_WORD.match(subject) else None


@dataclass
class GroupRow:
    row: int  # 0-based sheet row
    kind: str  # 'sum' (a subtotal found by arithmetic) or 'group' (a heading without amount)
    text: str
    rows: tuple[int, ...] = ()  # the rows it sums or heads (0-based)
    grand: bool = False  # sums every project row of the sheet


@dataclass
class _Frame:
    """What the arithmetic needs of the located table: amounts, fill counts, the text of each row."""

    grid: list[list[Any]]
    rows: list[int]
    amounts: dict[int, float | None]
    money_filled: dict[int, bool]
    seq: dict[int, str | None]
    numbered_seq: bool
    has_code: dict[int, bool]
    data_rows: list[int] = field(default_factory=list)  # every data row (`rows` loses the headings)
    _texts: dict[int, list[str]] = field(default_factory=dict)
    _filled: dict[int, int] | None = None
    _typical_fill: int = 0

    def filled(self, r: int) -> int:
        """Cells holding something in row r (counted for every data row the first time it is asked)."""
        if self._filled is None:
            self._filled = {d: sum(1 for v in self.grid[d] if v is not None and (not isinstance(v, str) or v.strip()))
                            for d in self.data_rows}
            fills = sorted(self._filled.values())
            self._typical_fill = fills[len(fills) // 2] if fills else 0
        return self._filled[r]

    @property
    def typical_fill(self) -> int:
        """The median fill of the data rows: what a project row looks like."""
        if self._filled is None and self.data_rows:
            self.filled(self.data_rows[0])
        return self._typical_fill

    def texts(self, r: int) -> list[str]:
        """The row's texts (computed for the few rows the checks look at)."""
        if r not in self._texts:
            self._texts[r] = [t for t in (V.text_value(v) for v in self.grid[r] if isinstance(v, str)) if t]
        return self._texts[r]


def _frame(grid: list[list[Any]], rows: list[int], fields: list[str | None], money: set[str]) -> _Frame:
    budget_col = fields.index("budget_wan") if "budget_wan" in fields else None
    money_cols = [i for i, f in enumerate(fields) if f in money]
    seq_col = fields.index("seq") if "seq" in fields else None
    code_col = fields.index("project_id") if "project_id" in fields else None
    amounts, money_filled, seq = {}, {}, {}
    read: dict[tuple[type, Any], float | None] = {}  # amounts repeat down a column: read each once

    def amount(v: Any) -> float | None:
        key = (type(v), v)
        if key not in read:
            read[key] = V.parse_amount(v, 1.0)[0]
        return read[key]

    for r in rows:
        row = grid[r]
        amounts[r] = amount(row[budget_col]) if budget_col is not None else None
        money_filled[r] = any(amount(row[i]) for i in money_cols)
        seq[r] = V.text_value(row[seq_col]) if seq_col is not None else None
    numbered = sum(1 for r in rows if seq[r] and _INTEGER.match(seq[r]))
    has_code = {r: code_col is not None and V.text_value(grid[r][code_col]) is not None for r in rows}
    return _Frame(grid, rows, amounts, money_filled, seq, numbered >= max(2, len(rows) // 2), has_code, list(rows))


def _looks_like_group(frame: _Frame, r: int) -> bool:
    """A row laid out as a group line: no running number where projects have one, fewer cells filled
    than a project row, or only a place name as its text."""
    if frame.has_code[r]:
        return False  # a row carrying a project code is a project
    if frame.numbered_seq and not (frame.seq[r] and _INTEGER.match(frame.seq[r])):
        return True
    if frame.filled(r) <= frame.typical_fill // 2:
        return True
    distinct = {t for t in frame.texts(r) if not _INTEGER.match(t)}
    return len(distinct) == 1 and place_word(next(iter(distinct))) is not None


def _sum_run(frame: _Frame, start: int, target: float, flagged: set[int], step: int) -> tuple[int, ...] | None:
    """The rows from `start` in direction `step` (skipping flagged ones) whose amounts add up to target."""
    order = frame.rows
    i = order.index(start) + step
    run: list[int] = []
    total = 0.0
    while 0 <= i < len(order):
        r = order[i]
        i += step
        if r in flagged:
            continue
        run.append(r)
        total += frame.amounts[r] or 0.0
        if abs(total - target) <= SUM_TOLERANCE and len(run) >= 2:
            return tuple(sorted(run))
        if total > target + SUM_TOLERANCE:
            return None
    return None


def _arithmetic(frame: _Frame, step: int) -> dict[int, tuple[int, ...]]:
    """Subtotal rows found in one direction (step -1: the rows above; +1: the rows under), nested ones too."""
    flagged: dict[int, tuple[int, ...]] = {}
    changed = True
    while changed:
        changed = False
        for r in frame.rows:
            amount = frame.amounts[r]
            if r in flagged or not amount or amount <= 0 or not _looks_like_group(frame, r):
                continue
            run = _sum_run(frame, r, amount, set(flagged), step)
            if run:
                flagged[r] = run
                changed = True
    return flagged


def _amountless_headings(frame: _Frame, grid: list[list[Any]], category_of) -> dict[int, str]:
    """Rows with no amount whose only text names a place or a category (寨岗镇; 农村供水类): group headings."""
    out = {}
    for n, r in enumerate(frame.rows[:-1]):
        if frame.money_filled[r]:
            continue
        distinct = {t for t in frame.texts(r) if not _INTEGER.match(t) and not _CN_NUMERAL.match(t)}
        if len(distinct) != 1:
            continue
        text = next(iter(distinct))
        if place_word(text) or category_of(heading_subject(text)):
            out[r] = text
    return out


def find_group_rows(grid: list[list[Any]], rows: list[int], fields: list[str | None], money: set[str],
                    category_of) -> list[GroupRow]:
    """Group lines among the data rows: subtotals by arithmetic, headings without an amount.

    `fields` is the column mapping (field per column); `category_of(text)` says whether a text names a category.
    """
    if len(rows) < 3:
        return []
    frame = _frame(grid, rows, fields, money)
    found: list[GroupRow] = []
    headings = _amountless_headings(frame, grid, category_of)
    for r, text in headings.items():
        found.append(GroupRow(r, "group", text))
    rest = [r for r in rows if r not in headings]
    frame.rows = rest
    if "budget_wan" in fields and len(rest) >= 3:
        above, under = _arithmetic(frame, -1), _arithmetic(frame, +1)
        sums = above if len(above) >= len(under) else under
        projects = [r for r in rest if r not in sums]
        for r, run in sums.items():
            text = next((t for t in frame.texts(r) if not _INTEGER.match(t)), "")
            grand = set(run) >= set(projects) and len(run) > 2
            found.append(GroupRow(r, "sum", text, run, grand))
    found.sort(key=lambda g: g.row)
    # A heading without amount heads the rows under it, up to the next heading.
    heading_rows = sorted(headings)
    for g in found:
        if g.kind == "group":
            later = [h for h in heading_rows if h > g.row]
            stop = later[0] if later else rows[-1] + 1
            g.rows = tuple(r for r in rest if g.row < r < stop)
    return found


def first_last(rows: tuple[int, ...]) -> tuple[int, int]:
    """Excel row numbers of the first and last row of a group."""
    return rows[0] + 1, rows[-1] + 1


def apply_group_rows(table, fields: list[str | None], money: set[str], category_of) -> None:
    """Take the group lines out of `table.data_rows` (into skipped and totals) and pass the town or
    category they name to the rows they group. `table` is a locate.Table."""
    from portfolio.ingest.table import SkippedRow

    groups = find_group_rows(table.grid, table.data_rows, fields, money, category_of)
    removed = {g.row for g in groups}
    projects = set(table.data_rows) - removed
    covered = {r for g in groups if g.kind == "sum" for r in g.rows}
    # Subtotals found by arithmetic check the file's total only when together they cover every project.
    sums_cover_all = projects <= covered
    for g in groups:
        if g.kind == "sum":
            table.skipped.append(SkippedRow(g.row, "sum_total" if g.grand else "sum", g.text, first_last(g.rows)))
            if g.grand or sums_cover_all:
                table.totals.append((g.row, "grand" if g.grand else "sub"))
        else:
            table.skipped.append(SkippedRow(g.row, "group", g.text))
        subject = heading_subject(g.text)
        for r in g.rows:
            if r in removed:
                continue
            if place_word(g.text):
                table.row_towns.setdefault(r, subject)
            elif g.kind == "group":
                table.sections[r] = g.text
    table.skipped.sort(key=lambda s: s.index)
    table.totals.sort()
    table.data_rows = [r for r in table.data_rows if r not in removed]
    # Headings found by their words (一、寨岗镇) name a town for their rows as well.
    for r, section in table.sections.items():
        town = place_word(section)
        if town and r not in table.row_towns:
            table.row_towns[r] = town


def skip_reason(skipped, lang: str = "zh") -> str:
    """'第12行：小计（= 第8–11行之和）' for one skipped row (a locate.SkippedRow)."""
    from portfolio.i18n import t

    if skipped.kind in ("sum", "sum_total"):
        first, last = skipped.rows
        what = t(f"ing_skip_{skipped.kind}", lang, first=first, last=last)
    elif skipped.kind == "group":
        what = t("ing_skip_group", lang, text=skipped.text)
    else:
        what = t(f"ing_skip_{skipped.kind}", lang)
    return t("ing_skip_line", lang, row=skipped.index + 1, what=what)
