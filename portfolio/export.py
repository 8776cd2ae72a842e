"""Exports of a filtered view: Excel and CSV with Chinese headers.

While the library holds demo projects, both carry the 演示数据 mark: a first column
saying so on every row, and for Excel the sheet name and the note sheet too.

No exported cell can start a formula: text that begins with = + - @ or a control
character gets a leading apostrophe, the convention spreadsheet programs show as text.
"""
from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

from portfolio import vocab
from portfolio.i18n import t

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
MONEY_COLUMNS = ("budget_wan", "funds_in_place_wan", "spent_wan", "fund_central_wan", "fund_provincial_wan",
                 "fund_city_wan", "fund_county_wan", "fund_assistance_wan", "fund_social_wan")
EXPORT_COLUMNS = (
    "project_id", "name", "county", "town", "village", "category", "subcategory", "area", "nature",
    "description", "scale_qty", "scale_unit", "budget_wan", "funds_in_place_wan", "spent_wan",
    "fund_central_wan", "fund_provincial_wan", "fund_city_wan", "fund_county_wan", "fund_assistance_wan",
    "fund_social_wan", "status", "progress_pct", "plan_start", "plan_end", "actual_start", "actual_end",
    "beneficiaries", "beneficiary_households", "year", "lon", "lat", "location_precision",
    "assisting_unit", "team", "responsible_unit", "responsible_person", "notes", "is_late", "is_stalled",
)


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


DEMO_BATCH = "demo"  # batch_id of the demo portfolio's projects


def is_demo_export(df: pd.DataFrame, demo: bool | None) -> bool:
    """`demo` when the caller knows (the library holds demo projects); else whether the rows hold any."""
    if demo is not None:
        return bool(demo)
    return "batch_id" in df.columns and bool((df["batch_id"] == DEMO_BATCH).any())


def export_frame(df: pd.DataFrame, lang: str, demo: bool | None = None, csv_apostrophe: bool = True) -> pd.DataFrame:
    """The project table with labels for codes and headers in the chosen language
    (led by a 数据说明 column reading 演示数据 when the export is of demo data). For CSV, text
    that would start a formula gets a leading apostrophe; the xlsx writer marks such cells
    with Excel's hidden quote prefix instead (csv_apostrophe=False)."""
    out = df[[c for c in EXPORT_COLUMNS if c in df.columns]].copy()
    if "category" in out:
        out["category"] = out["category"].map(lambda c: vocab.label("category", c, lang))
    if "status" in out:
        out["status"] = out["status"].map(lambda s: vocab.label("status", s, lang))
    if "area" in out:
        out["area"] = out["area"].map(lambda a: vocab.label("area", a, lang) if a else a)
    if "location_precision" in out:
        out["location_precision"] = out["location_precision"].map(lambda p: t(f"prec_{p}", lang) if p else p)
    for flag in ("is_late", "is_stalled"):
        if flag in out:
            out[flag] = out[flag].map(lambda v: t("yes", lang) if v else t("no", lang))
    if csv_apostrophe:
        for column in out.columns:
            if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
                out[column] = out[column].map(neutralise)
    out = out.rename(columns={c: t(f"c_{c}", lang) for c in out.columns})
    if is_demo_export(df, demo):
        out.insert(0, t("export_data_note", lang), t("demo_badge", lang))
    return out


def to_csv(df: pd.DataFrame, lang: str, demo: bool | None = None) -> bytes:
    """UTF-8 with BOM, so that Excel opens the Chinese text correctly."""
    return export_frame(df, lang, demo).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, lang: str, sheet: str | None = None, note: str | None = None,
            demo: bool | None = None) -> bytes:
    """An .xlsx with a frozen header row, number formats and readable column widths.

    `note` (the data date and filters) goes to a second sheet, so every export says
    what produced it.
    """
    demo = is_demo_export(df, demo)
    frame = export_frame(df, lang, demo, csv_apostrophe=False)
    buffer = io.BytesIO()
    # strings_to_formulas off: text is always written as text, never evaluated.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    title = sheet or t("page_projects", lang)
    ws = book.add_worksheet((f"{title}（{t('demo_badge', lang)}）" if demo else title)[:31])
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter", "font_name": "微软雅黑"})
    money = book.add_format({"num_format": "#,##0.00", "font_name": "微软雅黑"})
    integer = book.add_format({"num_format": "#,##0", "font_name": "微软雅黑"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd", "font_name": "微软雅黑"})
    text = book.add_format({"font_name": "微软雅黑"})
    # Excel's own "this is text" mark: shows =1+2 as typed, with no visible apostrophe, never runs it.
    quoted = book.add_format({"font_name": "微软雅黑", "quote_prefix": True})
    source_columns = ([None] if demo else []) + [c for c in EXPORT_COLUMNS if c in df.columns]
    for col, title in enumerate(frame.columns):
        ws.write_string(0, col, title, header)
    for col, name in enumerate(source_columns):
        name = name or "demo_note"
        fmt = money if name in MONEY_COLUMNS else integer if name in ("beneficiaries", "beneficiary_households") else \
            date_fmt if name.startswith(("plan_", "actual_")) else text
        width = 36 if name in ("name", "description") else 14
        ws.set_column(col, col, width, fmt)
        values = frame.iloc[:, col].tolist()
        for row, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value, quoted if value.startswith(FORMULA_PREFIXES) else fmt)
            elif hasattr(value, "year") and not isinstance(value, (int, float)):
                ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
            else:
                ws.write_number(row, col, float(value), fmt)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    if note or demo:
        info = book.add_worksheet(t("export_note_sheet", lang))
        info.set_column(0, 0, 100)
        lines = ([t("demo_note", lang)] if demo else []) + (note or "").splitlines()
        for row, line in enumerate(lines):
            info.write_string(row, 0, line, quoted if line.startswith(FORMULA_PREFIXES) else None)
    book.close()
    return buffer.getvalue()


def describe_filters(filters, lang: str, as_of) -> str:
    """A few lines stating the data date and the filters that produced an export."""
    from portfolio.filters import split_key

    lines = [t("data_date", lang, date=as_of)]
    parts = [
        ("f_county", list(filters.counties)),
        ("f_town", [split_key(k)[1] + f"（{split_key(k)[0]}）" for k in filters.towns]),
        ("f_village", [split_key(k)[2] for k in filters.villages]),
        ("f_category", [vocab.label("category", c, lang) for c in filters.categories]),
        ("f_status", [vocab.label("status", s, lang) for s in filters.statuses]),
        ("f_year", [str(y) for y in filters.years]),
        ("f_source", [vocab.label("source", s, lang) for s in filters.sources]),
        ("f_keyword", [filters.keyword] if filters.keyword else []),
    ]
    for key, values in parts:
        lines.append(f"{t(key, lang)}：{'、'.join(values) if values else t('f_all', lang)}")
    return "\n".join(lines)
