"""The indicator sheet template of one indicator set (县 | 镇 | 村 | 户数 | one group of columns per indicator).

Rates get a merged two-row group (已完成 / 总数 / 目标), so the sheet carries numerators and
denominators and a town's rate can be recomputed; tiers get a drop-down of their levels.
With `villages` (county, town, village) the rows come filled with the place names.
The file reads back through portfolio/outcomes/sheet.py unchanged (tests/test_outcomes_import.py).
"""
from __future__ import annotations

import io

import xlsxwriter

from portfolio import geo
from portfolio.i18n import t
from portfolio.outcomes.catalogue import Catalogue, Indicator

TARGET_YEAR = 2026
VALIDATED_ROWS = 2000


def _columns(ind: Indicator, lang: str, year: int) -> list[str]:
    if ind.is_rate:
        unit = ind.base_unit or "户"
        return [t("ind_tpl_done", lang, unit=unit), t("ind_tpl_total", lang, unit=unit),
                t("ind_tpl_target", lang, year=year, unit="%")]
    unit = ind.unit or "等级"
    return [f"{ind.name(lang)}({unit})" if ind.unit else ind.name(lang),
            t("ind_tpl_target", lang, year=year, unit=unit)]


def villages_of(town_keys: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(county, town, village) of every 村委会 of the given county/town keys, as sheets write them (石径村)."""
    wanted = {tuple(k.split("/", 1)) for k in town_keys if "/" in k}
    towns = {t.town_code: t for t in geo.towns() if (t.county, t.town) in wanted}
    return [(towns[v.town_code].county, towns[v.town_code].town, v.short_name) for v in geo.villages()
            if v.town_code in towns and v.village.endswith("村委会")]


def template_xlsx(catalogue: Catalogue, set_code: str = "all", villages: list[tuple[str, str, str]] = (),
                  town_label: str = "XX镇", lang: str = "zh", year: int = TARGET_YEAR) -> bytes:
    """The template workbook of one indicator set, as bytes."""
    ind_set = catalogue.set(set_code)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    ws = book.add_worksheet(ind_set.name("zh")[:31])
    fixed = ["县", "镇", "村", "户数(户)"]
    groups = [(catalogue.get(code), _columns(catalogue.get(code), lang, year)) for code in ind_set.indicators]
    width = len(fixed) + sum(len(cols) for _, cols in groups)
    ws.merge_range(0, 0, 0, width - 1, t("ind_tpl_title", lang, town=town_label, set=ind_set.name(lang)), title)
    for col, text in enumerate(fixed):
        ws.merge_range(1, col, 2, col, text, head)
    col = len(fixed)
    for ind, cols in groups:
        if ind.is_rate:
            ws.merge_range(1, col, 1, col + len(cols) - 1, ind.name_zh, head)
            for i, text in enumerate(cols):
                ws.write_string(2, col + i, text, head)
        else:
            ws.merge_range(1, col, 1, col + len(cols) - 1, ind.name_zh, head)
            for i, text in enumerate(cols):
                ws.write_string(2, col + i, text, head)
            if ind.is_tier:
                for c in (col, col + 1):
                    ws.data_validation(3, c, VALIDATED_ROWS, c, {"validate": "list", "source": list(ind.tiers),
                                                                 "error_type": "warning"})
        col += len(cols)
    ws.set_column(0, 2, 12)
    ws.set_column(3, width - 1, 11)
    for r, (county, town, village) in enumerate(villages, start=3):
        ws.write_string(r, 0, county)
        ws.write_string(r, 1, town)
        ws.write_string(r, 2, village)
    notes_row = 3 + max(len(villages), 1) + 1
    ws.write_string(notes_row, 0, t("ind_tpl_note", lang))
    ws.freeze_panes(3, 3)
    book.close()
    return buffer.getvalue()
