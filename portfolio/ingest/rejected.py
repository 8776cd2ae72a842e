"""The download of an upload's rejected rows: the original cells, the row and the reason.

Text that a spreadsheet would run as a formula gets a leading apostrophe (export.neutralise),
so a clerk can correct the rows and upload them again.
"""
from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from portfolio.export import neutralise
from portfolio.i18n import t
from portfolio.ingest.issues import row_label


def rejected_xlsx(analysis, lang: str = "zh") -> bytes:
    """The rejected rows of `analysis` (a pipeline.Analysis) as an .xlsx; no cell starts a formula."""
    rejected = analysis.plan.rejected_rows()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(t("ing_rejected_sheet", lang)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    headers = [t("ing_rejected_row", lang)] + [h or "" for h in analysis.mapping.headers] + [
        t("ing_rejected_reason", lang)]
    for col, header in enumerate(headers):
        ws.write_string(0, col, neutralise(header), bold)
    by_row = {(c.sheet, c.row): c for c in analysis.candidates}
    for out_row, key in enumerate(sorted(rejected), start=1):
        if len(analysis.sheets_imported) > 1:
            ws.write_string(out_row, 0, neutralise(row_label(key, lang)))
        else:
            ws.write_number(out_row, 0, key[1])
        for col, value in enumerate(by_row[key].cells, start=1):
            _write_cell(ws, out_row, col, value, date_fmt)
        reasons = "；".join(i.text(lang) for i in rejected[key])
        ws.write_string(out_row, len(headers) - 1, neutralise(reasons))
    ws.set_column(1, len(headers) - 2, 16)
    ws.set_column(len(headers) - 1, len(headers) - 1, 60)
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _write_cell(ws, row: int, col: int, value: Any, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        if value == value and abs(value) != float("inf"):
            ws.write_number(row, col, value)
    elif hasattr(value, "year") and hasattr(value, "month"):
        ws.write_datetime(row, col, value, date_fmt)
    else:
        ws.write_string(row, col, neutralise(str(value)))
