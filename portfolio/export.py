"""Exports of a filtered view: Excel and CSV with Chinese headers.

While the library holds demo projects, both carry the 演示数据 mark: a first column
saying so on every row, and for Excel the sheet name and the note sheet too.

No exported cell can start a formula: text that begins with = + - @ or a control
character gets a leading apostrophe, the convention spreadsheet programs show as text.
"""
from __future__ import annotations

import io
import unicodedata

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from portfolio import formats, vocab
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


WIDE_TEXT_COLUMNS = ("name", "description", "notes", "responsible_unit", "assisting_unit")
COUNT_COLUMNS = ("beneficiaries", "beneficiary_households")
SUM_COLUMNS = MONEY_COLUMNS + COUNT_COLUMNS  # what the totals row adds up


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _column_width(name: str, title: str, values: list) -> float:
    """Wide enough for every value (project codes in full), capped for long free text, which wraps;
    the header may wrap onto two lines."""
    longest = max((display_width(_shown_text(v, name)) for v in values if not formats.is_missing(v)), default=0)
    cap = 60 if name in WIDE_TEXT_COLUMNS else 40
    return float(min(max(longest + 2, (display_width(title) + 1) / 2 + 2, 8), cap))


def _shown_text(value, name: str) -> str:
    """A cell as Excel shows it with our number formats (for the column width)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "year"):
        return "yyyy-mm-dd"
    if name in MONEY_COLUMNS:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if name in COUNT_COLUMNS else str(value)


def to_xlsx(df: pd.DataFrame, lang: str, sheet: str | None = None, note: str | None = None,
            demo: bool | None = None) -> bytes:
    """An .xlsx with a frozen header row, number formats, column widths that fit, a totals row and
    print setup (landscape, one page wide, the header repeated on every page, page numbers).

    The totals row uses SUBTOTAL(9, ...): it sums only the rows Excel's filter leaves visible.
    `note` (the data date and filters) goes to a second sheet, so every export says what produced it.
    """
    demo = is_demo_export(df, demo)
    frame = export_frame(df, lang, demo, csv_apostrophe=False)
    buffer = io.BytesIO()
    # strings_to_formulas off: text is always written as text, never evaluated.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    title = sheet or t("page_projects", lang)
    ws = book.add_worksheet((f"{title}（{t('demo_badge', lang)}）" if demo else title)[:31])
    font = {"font_name": "微软雅黑"}
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter", **font})
    money = book.add_format({"num_format": "#,##0.00", **font})
    integer = book.add_format({"num_format": "#,##0", **font})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd", **font})
    text = book.add_format(font)
    wrapped = book.add_format({"text_wrap": True, "valign": "top", **font})
    # Excel's own "this is text" mark: shows =1+2 as typed, with no visible apostrophe, never runs it.
    quoted = book.add_format({"quote_prefix": True, **font})
    quoted_wrapped = book.add_format({"quote_prefix": True, "text_wrap": True, "valign": "top", **font})
    total_label = book.add_format({"bold": True, "top": 2, **font})
    total_money = book.add_format({"bold": True, "top": 2, "num_format": "#,##0.00", **font})
    total_integer = book.add_format({"bold": True, "top": 2, "num_format": "#,##0", **font})
    total_blank = book.add_format({"top": 2, **font})
    source_columns = ([None] if demo else []) + [c for c in EXPORT_COLUMNS if c in df.columns]
    for col, heading in enumerate(frame.columns):
        ws.write_string(0, col, heading, header)
    n = len(frame)
    totals_row = n + 1
    for col, name in enumerate(source_columns):
        name = name or "demo_note"
        wide = name in WIDE_TEXT_COLUMNS
        fmt = money if name in MONEY_COLUMNS else integer if name in COUNT_COLUMNS else \
            date_fmt if name.startswith(("plan_", "actual_")) else wrapped if wide else text
        values = frame.iloc[:, col].tolist()
        ws.set_column(col, col, _column_width(name, frame.columns[col], values), fmt)
        for row, value in enumerate(values, start=1):
            if formats.is_missing(value):
                continue
            if isinstance(value, str):
                guard = value.startswith(FORMULA_PREFIXES)
                ws.write_string(row, col, value, (quoted_wrapped if wide else quoted) if guard else fmt)
            elif hasattr(value, "year") and not isinstance(value, (int, float)):
                ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
            else:
                ws.write_number(row, col, float(value), fmt)
        if name in SUM_COLUMNS:
            letter = xl_col_to_name(col)
            total = sum(float(v) for v in values if not formats.is_missing(v))
            ws.write_formula(totals_row, col, f"=SUBTOTAL(9,{letter}2:{letter}{max(n, 1) + 1})",
                             total_money if name in MONEY_COLUMNS else total_integer, round(total, 6))
        elif col == 0:
            ws.write_string(totals_row, col, t("export_total", lang), total_label)
        else:
            ws.write_blank(totals_row, col, None, total_blank)
    ws.freeze_panes(1, 0)
    # The filter covers the project rows only: the totals row stays put below them.
    ws.autofilter(0, 0, max(n, 1), max(len(frame.columns) - 1, 0))
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(0)
    ws.hide_gridlines(0)  # print the cell borders: a long table reads better on paper
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C" + t("export_page_footer", lang))
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
