"""Indicator values of a filter as an .xlsx (`python -m portfolio export --format xlsx --indicators`).

One row per place, indicator and period (the standing values); text cells cannot start a formula
(xlsxwriter writes text as text, and Excel's quote prefix marks text that looks like one).
"""
from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from portfolio import export as project_export
from portfolio.i18n import t
from portfolio.outcomes import catalogue as catalogue_mod
from portfolio.outcomes import values
from portfolio.outcomes.labels import value_text

COLUMNS = ("county", "town", "village", "indicator", "period", "value", "unit", "numerator", "denominator",
           "households", "target", "target_year", "gap")


def frame(store, filters, lang: str = "zh", catalogue=None) -> pd.DataFrame:
    """The rows of the export, labelled, in place and indicator order."""
    cat = catalogue or catalogue_mod.default()
    df = values.load(store, filters)
    order = {code: i for i, code in enumerate(cat.codes)}
    df = df[df["indicator"].isin(order)].copy()
    df["order"] = df["indicator"].map(order)
    df = df.sort_values(["order", "period", "county", "town", "village"])
    rows = []
    for r in df.itertuples(index=False):
        ind = cat.get(r.indicator)
        rows.append({
            "county": r.county, "town": r.town, "village": r.village or "", "indicator": ind.name(lang),
            "period": r.period, "value": value_text(ind, r.value, lang) if ind.is_tier else r.value,
            "unit": ind.unit, "numerator": r.numerator, "denominator": r.denominator, "households": r.households,
            "target": value_text(ind, r.target, lang) if ind.is_tier else r.target, "target_year": r.target_year,
            "gap": None if ind.is_tier or pd.isna(r.target) or pd.isna(r.value) else r.target - r.value})
    return pd.DataFrame(rows, columns=COLUMNS)


def to_xlsx(store, filters, lang: str = "zh", note: str | None = None, catalogue=None) -> bytes:
    df = frame(store, filters, lang, catalogue)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    number = book.add_format({"num_format": "#,##0.0#"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    quoted = book.add_format({"quote_prefix": True})
    ws = book.add_worksheet(t("out_export_sheet", lang)[:31])
    for col, name in enumerate(COLUMNS):
        ws.write_string(0, col, t(f"out_c_{name}", lang), head)
        ws.set_column(col, col, 22 if name == "indicator" else 12)
    for row, record in enumerate(df.itertuples(index=False), start=1):
        for col, value in enumerate(record):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, quoted if value.startswith(project_export.FORMULA_PREFIXES) else None)
            elif hasattr(value, "year") and not isinstance(value, (int, float)):
                ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date_fmt)
            else:
                ws.write_number(row, col, float(value), number)
    ws.freeze_panes(1, 3)
    if note:
        ws2 = book.add_worksheet(t("out_export_note", lang)[:31])
        ws2.write_string(0, 0, note)
    book.close()
    return buffer.getvalue()
