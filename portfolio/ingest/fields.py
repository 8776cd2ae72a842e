"""Readers of the value fields of one row: money, category, nature and scale, status, dates, counts.

Each takes the row being read (normalise._Row: cell(), has(), issue(), warn_unreadable(), the
candidate `c` and the shared `sheet`) and fills the candidate's values, inferred values and problems.
normalise.normalise calls them in order; places, names, coordinates and keys stay in normalise.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio import vocab
from portfolio.ingest import values as V
from portfolio.ingest.columns import MONEY_FIELDS
from portfolio.ingest.issues import WARNING

if TYPE_CHECKING:
    from portfolio.ingest.normalise import _Row

HUGE_BUDGET_WAN = 100_000.0  # 10亿元 for one village project: almost surely a unit mistake
ABSURD_AMOUNT_WAN = 10_000_000.0  # 1000亿元: no project-library entry; the value is not kept


def read_money(rr: _Row) -> None:
    vals, sheet = rr.c.values, rr.sheet
    for f in MONEY_FIELDS:
        if not rr.has(f):
            continue
        raw = rr.cell(f)
        amount, problem = V.parse_amount(raw, sheet.factors[f])
        rr.warn_unreadable(problem, f)
        if amount is not None and abs(amount) > ABSURD_AMOUNT_WAN:
            rr.issue(WARNING, "ing_w_amount_absurd", f, value=V.text_value(raw) or "")
            amount = None
        if amount is not None:
            vals[f] = amount
            if rr.r in sheet.table.merged_rows.get(sheet.cols[f], ()):
                rr.issue(WARNING, "ing_w_amount_merged", f)
    if vals.get("budget_wan", 0) > HUGE_BUDGET_WAN:
        rr.issue(WARNING, "ing_w_budget_huge", "budget_wan", value=f"{vals['budget_wan']:g}")


def read_category(rr: _Row, name: str | None) -> None:
    """Category from its column, else keywords in the name and content, else the section heading."""
    c, vals, options = rr.c, rr.c.values, rr.sheet.options
    section = rr.sheet.table.sections.get(rr.r)
    category_text = V.text_value(rr.cell("category"))
    code, rule = V.classify_category(category_text, vals.get("subcategory"), name, vals.get("description"), None)
    if rule[0] in ("keyword", "default") and options.category:
        code, rule = options.category, ("option", "", vocab.label("category", options.category))
    elif rule[0] == "default" and section:
        code, rule = V.classify_category(None, None, None, None, section)
    if category_text and rule[0] not in ("column",):
        rr.issue(WARNING, "ing_w_category_unknown", "category", value=category_text,
                 used=vocab.label("category", code))
    if rule[0] in ("column", "subcategory"):
        vals["category"] = code
    else:
        c.inferred["category"] = code
    c.category_rule = rule
    area = V.parse_area(rr.cell("area")) if rr.has("area") else None
    if area:
        vals["area"] = area
    else:
        c.inferred["area"] = vocab.CATEGORY_BY_CODE.get(code, vocab.CATEGORY_BY_CODE["other"]).area


def read_nature_and_scale(rr: _Row) -> None:
    vals = rr.c.values
    if rr.has("nature"):
        nature, problem = V.parse_nature(rr.cell("nature"))
        if nature:
            vals["nature"] = nature
        if problem:
            rr.issue(WARNING, problem, "nature", value=nature or "")
    if rr.has("scale"):
        qty, unit = V.parse_scale(rr.cell("scale"))
        if qty is not None:
            vals["scale_qty"] = qty
            if unit and "scale_unit" not in vals:
                vals["scale_unit"] = unit
        elif rr.cell("scale") is not None and not V.is_empty_marker(rr.cell("scale")):
            rr.warn_unreadable("ing_w_number_unreadable", "scale")


def read_status(rr: _Row) -> None:
    """Status from its column, else from words in the progress cell, else from the percentage."""
    c, vals = rr.c, rr.c.values
    status_text = V.text_value(rr.cell("status")) if rr.has("status") else None
    progress_raw = rr.cell("progress_pct")
    pct, problem = V.parse_percent(progress_raw, rr.sheet.progress_fractions) if rr.has("progress_pct") else (
        None, None)
    rr.warn_unreadable(problem, "progress_pct")
    if pct is not None:
        vals["progress_pct"] = pct
    status = None
    if status_text and not V.is_empty_marker(status_text):
        hit = V.status_from_text(status_text)
        if hit:
            status, c.status_rule = hit[0], "column"
        else:
            rr.issue(WARNING, "ing_w_status_unknown", "status", value=status_text)
    if status is None and isinstance(progress_raw, str):
        hit = V.status_from_text(progress_raw)
        if hit:
            status, c.status_rule = hit[0], "progress_text"
    if status:
        vals["status"] = status
    elif pct is not None:
        c.inferred["status"] = "completed" if pct >= 100 else ("in_progress" if pct > 0 else "planned")
        c.status_rule = "progress"
    else:
        c.inferred["status"] = "planned"
        c.status_rule = "default"


DATE_FIELDS = ("plan_start", "actual_start", "plan_end", "actual_end", "plan_period")


def _date_span(rr: _Row, f: str):
    """(first day, last day) the date cell of field `f` names, its problem reported; None when it names none."""
    if not rr.has(f):
        return None
    start, end, problem = V.parse_date_span(rr.cell(f))
    rr.warn_unreadable(problem, f)
    return (start, end) if start else None


def read_dates(rr: _Row) -> None:
    """Start and end dates; a range written in one of the two columns fills the other."""
    vals = rr.c.values
    for start_field, end_field in (("plan_start", "plan_end"), ("actual_start", "actual_end")):
        span = _date_span(rr, start_field)
        if span:
            start, end = span
            vals[start_field] = start
            if end != start and not rr.has(end_field) and (end - start).days > 31:
                vals[end_field] = end
        span = _date_span(rr, end_field)
        if span:
            start, end = span
            vals[end_field] = end
            whole_year = start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31
            if start_field not in vals and (end - start).days > 31 and not whole_year:
                vals[start_field] = start
    span = _date_span(rr, "plan_period")
    if span:
        vals.setdefault("plan_start", span[0])
        vals.setdefault("plan_end", span[1])


def read_counts_and_year(rr: _Row) -> None:
    vals = rr.c.values
    for f in ("beneficiaries", "beneficiary_households"):
        if rr.has(f):
            number, problem = V.parse_count(rr.cell(f))
            rr.warn_unreadable(problem, f)
            if number is not None:
                vals[f] = number
    if rr.has("year"):
        year, problem = V.parse_year(rr.cell("year"))
        rr.warn_unreadable(problem, "year")
        if year:
            vals["year"] = year
    if "year" not in vals:
        basis = vals.get("plan_start") or vals.get("plan_end")
        if basis:
            rr.c.inferred["year"] = basis.year
