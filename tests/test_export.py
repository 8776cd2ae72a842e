"""Excel and CSV exports: exact rows, Chinese headers, no live formulas."""
from __future__ import annotations

import io

import openpyxl
import pytest
import pandas as pd

from portfolio import export, views
from portfolio.filters import Filters
from tests.seed import AS_OF

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "<b>粗</b>"]


def test_neutralise_only_touches_formula_text():
    assert [export.neutralise(v) for v in HOSTILE] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3",
                                                         "'@SUM(A1)", "'\tTAB", "<b>粗</b>"]
    assert export.neutralise(-5.0) == -5.0 and export.neutralise(None) is None


def test_csv_has_bom_chinese_headers_and_filtered_rows(seed_store):
    f = Filters(counties=("阳山县",))
    table = views.project_table(seed_store, f, AS_OF, limit=None)
    data = export.to_csv(table, "zh")
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert len(frame) == views.kpis(seed_store, f, AS_OF).projects == 3
    assert list(frame.columns[:3]) == ["项目编号", "项目名称", "县（市、区）"]
    assert set(frame["项目类别"]) == {"供水", "道路", "厕所"}
    assert set(frame["项目状态"]) == {"在建", "已完工", "储备"}


def test_xlsx_rows_headers_formats_and_frozen_header(seed_store):
    f = Filters(statuses=("in_progress",))
    table = views.project_table(seed_store, f, AS_OF, limit=None)
    data = export.to_xlsx(table, "zh", note=export.describe_filters(f, "zh", AS_OF))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["项目编号", "项目名称"] and "计划投资（万元）" in headers
    # The project rows, then the totals row.
    assert ws.max_row - 2 == views.kpis(seed_store, f, AS_OF).projects == 2
    assert ws.cell(ws.max_row, 1).value == "合计（随筛选变化）"
    budget_col = headers.index("计划投资（万元）") + 1
    assert ws.cell(2, budget_col).number_format == "#,##0.00"
    assert {ws.cell(r, budget_col).value for r in (2, 3)} == {100.0, 80.0}
    note = "\n".join(c.value for c in book.worksheets[1]["A"])
    assert "数据日期：2026-06-30" in note and "项目状态：在建" in note


def test_hostile_text_is_never_a_formula_in_either_export(seed_store):
    table = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    table = table.iloc[: len(HOSTILE)].copy() if len(table) >= len(HOSTILE) else pd.concat([table] * 2).iloc[:6]
    table["name"] = HOSTILE[: len(table)]
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(table, "zh")))
    ws = book.worksheets[0]
    name_col = [c.value for c in ws[1]].index("项目名称") + 1
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row - 1):  # the last row holds the SUBTOTAL formulas
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t")):
                assert cell.quotePrefix, cell.value  # Excel's hidden text mark, no visible apostrophe
    # The names read exactly as typed: no apostrophe in the xlsx (it belongs to CSV only).
    assert [ws.cell(r, name_col).value for r in range(2, 2 + len(table))] == list(table["name"])
    csv_text = export.to_csv(table, "zh").decode("utf-8-sig")
    for line in csv_text.splitlines()[1:]:
        for field in line.split(","):
            assert not field.strip('"').startswith(("=", "+", "@")), field


def test_english_export_uses_english_labels(seed_store):
    table = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    frame = pd.read_csv(io.BytesIO(export.to_csv(table, "en")), encoding="utf-8-sig")
    assert "Project name" in frame.columns and "Water supply" in set(frame["Category"])


def test_demo_exports_carry_the_mark(demo_store, seed_store):
    from portfolio import demo

    table = views.project_table(demo_store, Filters(counties=("阳山县",)), demo.DEMO_AS_OF, limit=None)
    assert views.is_demo(demo_store) and not views.is_demo(seed_store)
    frame = pd.read_csv(io.BytesIO(export.to_csv(table, "zh")), encoding="utf-8-sig")
    assert frame.columns[0] == "数据说明" and set(frame["数据说明"]) == {"演示数据"}
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(table, "zh", demo=True)))
    assert "演示数据" in book.worksheets[0].title and book.worksheets[0]["A2"].value == "演示数据"
    assert "演示数据" in book.worksheets[1]["A1"].value
    # A page knows the library still holds demo projects even when the exported rows are real.
    real = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    assert "演示数据" in book.worksheets[0].title
    assert pd.read_csv(io.BytesIO(export.to_csv(real, "zh", demo=True)), encoding="utf-8-sig").columns[0] == "数据说明"
    assert pd.read_csv(io.BytesIO(export.to_csv(real, "zh")), encoding="utf-8-sig").columns[0] == "项目编号"


def _sheet(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    return ws, [c.value for c in ws[1]]


def test_xlsx_totals_row_uses_subtotal_so_excel_filters_keep_it_right(seed_store):
    table = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    ws, headers = _sheet(export.to_xlsx(table, "zh"))
    last = ws.max_row
    assert last == len(table) + 2 == 7
    assert ws.cell(last, 1).value == "合计（随筛选变化）" and ws.cell(last, 1).font.b
    for header, total in (("计划投资（万元）", 250.0), ("已支出（万元）", 118.0)):
        col = headers.index(header) + 1
        letter = openpyxl.utils.get_column_letter(col)
        assert ws.cell(last, col).value == f"=SUBTOTAL(9,{letter}2:{letter}6)"
        assert sum(ws.cell(r, col).value for r in range(2, last)) == total
        assert ws.cell(last, col).number_format == "#,##0.00"
    # The cached value (what a viewer that does not recalculate shows) is the sum of the rows.
    cached = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(table, "zh")), data_only=True).worksheets[0]
    assert cached.cell(last, headers.index("计划投资（万元）") + 1).value == 250.0
    # Text columns stay empty in the totals row; the filter covers the project rows only.
    assert ws.cell(last, headers.index("项目名称") + 1).value is None
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}6"


def test_xlsx_print_setup_landscape_one_page_wide_header_repeated_page_numbers(seed_store):
    table = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    ws, _ = _sheet(export.to_xlsx(table, "zh"))
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # One page wide (fitToWidth absent means 1 in OOXML), as many pages tall as the rows need.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    ws_en, _ = _sheet(export.to_xlsx(table, "en"))
    assert ws_en.oddFooter.center.text == "Page &P of &N"


def test_xlsx_column_widths_fit_project_codes(seed_store):
    table = views.project_table(seed_store, Filters(), AS_OF, limit=None)
    table["project_id"] = [f"YS-2025-TP-{i:05d}-长码" for i in range(len(table))]
    ws, headers = _sheet(export.to_xlsx(table, "zh"))
    code_col = openpyxl.utils.get_column_letter(headers.index("项目编号") + 1)
    needed = export.display_width("YS-2025-TP-00000-长码")  # 17 narrow + 2 wide characters
    assert needed == 21
    assert ws.column_dimensions[code_col].width >= needed
    # Long names wrap inside a capped column instead of running across the page.
    name_col = openpyxl.utils.get_column_letter(headers.index("项目名称") + 1)
    assert ws.column_dimensions[name_col].width <= 60
    assert ws[f"{name_col}2"].alignment.wrap_text


def test_formula_text_round_trips_through_our_csv_import(seed_store, mem_store):
    """CSV keeps the apostrophe that stops a formula; importing our own CSV strips it again."""
    from portfolio.ingest import pipeline

    table = views.project_table(seed_store, Filters(), AS_OF, limit=None).iloc[:4].copy()
    typed = ["=1+2 号池", "+86 工程", "-改造", "@村委会"]
    table["name"] = typed
    data = export.to_csv(table, "zh")
    raw = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(raw["项目名称"]) == ["'" + name for name in typed]
    analysis = pipeline.analyse(mem_store, data, "export.csv", pipeline.ImportOptions(report_date=AS_OF))
    names = sorted(c.values["name"] for c in analysis.candidates if not c.rejected)
    assert names == sorted(typed)
    # The xlsx shows the same text with Excel's hidden quote prefix, no apostrophe.
    ws, headers = _sheet(export.to_xlsx(table, "zh"))
    col = headers.index("项目名称") + 1
    assert [ws.cell(r, col).value for r in range(2, 6)] == typed
    assert all(ws.cell(r, col).quotePrefix for r in range(2, 6))


# CLI parity: the map exports (issue 18, point 5) ----------------------------------------------------
def test_cli_map_html_is_the_map_pages_download_for_the_same_filters(demo_db_file, tmp_path, capsys):
    from portfolio import cli, map_export
    from portfolio.filters import town_key
    from portfolio.store import Store

    out = tmp_path / "qigong.html"
    code = cli.main(["export", "--db", str(demo_db_file), "--format", "map-html", "--out", str(out),
                     "--county", "阳山县", "--town", "七拱镇"])
    assert code == 0 and str(out) in capsys.readouterr().out
    db = Store(demo_db_file)
    try:
        town = Filters(counties=("阳山县",), towns=(town_key("阳山县", "七拱镇"),))
        result, title, subtitle = map_export.filters_map(db, town, views.data_date(db), "zh")
        page = map_export.standalone_html(result.deck, title, result.legend, subtitle, "zh", demo=views.is_demo(db))
        county_page = map_export.filters_map(db, Filters(counties=("阳山县",)), views.data_date(db), "zh")
    finally:
        db.close()
    text = out.read_text(encoding="utf-8")
    assert text == page  # byte for byte what the page offers for that town
    assert "<title>阳山县七拱镇乡村振兴项目分布图</title>" in text
    assert county_page[0].shown > result.shown  # the filter really narrowed the map


def test_cli_map_png_without_chromium_says_why(demo_db_file, tmp_path, monkeypatch, capsys):
    from portfolio import cli, headless

    monkeypatch.setattr(headless, "chromium_path", lambda: None)
    out = tmp_path / "map.png"
    assert cli.main(["export", "--db", str(demo_db_file), "--format", "map-png", "--out", str(out)]) == 2
    assert "Chromium" in capsys.readouterr().err and not out.exists()


@pytest.mark.slow
def test_cli_map_png_renders_once_and_reuses_the_picture(demo_db_file, tmp_path, monkeypatch):
    from PIL import Image

    from portfolio import cli, map_export, picture_cache

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    args = ["export", "--db", str(demo_db_file), "--format", "map-png", "--county", "阳山县"]
    assert cli.main([*args, "--out", str(first)]) == 0
    assert Image.open(first).size == (1845, 984)
    assert len(list((demo_db_file.parent / "cache" / "map_pictures").glob("*.png"))) == 1
    picture_cache._caches.clear()  # as a new process would start

    def no_render(*a, **kw):
        raise AssertionError("the cached picture should have been used")

    monkeypatch.setattr(map_export, "map_png", no_render)
    assert cli.main([*args, "--out", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()
    # Another scope is another picture (and needs Chromium again).
    with pytest.raises(AssertionError, match="cached picture"):
        cli.main(["export", "--db", str(demo_db_file), "--format", "map-png", "--out", str(first)])
