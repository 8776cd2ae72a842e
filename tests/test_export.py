"""Excel and CSV exports: exact rows, Chinese headers, no live formulas."""
from __future__ import annotations

import io

import openpyxl
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
    assert ws.max_row - 1 == views.kpis(seed_store, f, AS_OF).projects == 2
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
    for row in ws.iter_rows(min_row=2):
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
