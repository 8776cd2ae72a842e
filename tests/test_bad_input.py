"""Bad uploads, each answered with a clear Chinese message and nothing half-written.

File-level problems stop the import (IngestError); cell-level problems are named by
sheet, row and column, and the bad value is not written.
"""
from __future__ import annotations

from datetime import date

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

import io
import zipfile

import pytest
import xlsxwriter

from portfolio import demo, views
from portfolio.filters import Filters
from portfolio.ingest import pipeline
from portfolio.ingest.issues import IngestError
from portfolio.store import Store

HEAD = "项目名称,县,镇,村,项目类别,总投资（万元）,进度,计划开工时间,计划完工时间,经度,纬度\n"


@pytest.fixture(scope="module")
def db(demo_library):
    return demo_library


def state(db: Store):
    return db.data_version(), views.project_table(db, Filters(), demo.DEMO_AS_OF, limit=None).to_csv()


def xlsx(rows: list[list], constant_memory: bool = False) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory, "strings_to_formulas": False})
    sheet = book.add_worksheet("项目库")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def encrypted_xlsx() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx([["项目名称", "总投资"], ["道路", 10]]))).encrypt("secret", out)
    return out.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<c>" + b"0" * (60 * 1024 * 1024) + b"</c>")
    return buffer.getvalue()


def long_sheet() -> bytes:
    rows = [["项目名称", "县", "镇", "总投资（万元）"]] + [[f"项目{i}", "阳山县", "太平镇", 10] for i in range(200_000)]
    return xlsx(rows, constant_memory=True)


@pytest.mark.parametrize("make,name,words", [
    (lambda: b"", "empty.xlsx", "空"),
    (lambda: "这只是一段说明文字，不是表格。\n".encode("utf-8"), "notes.xlsx", "不是表格"),
    (encrypted_xlsx, "secret.xlsx", "密码"),
    (zip_bomb, "bomb.xlsx", "压缩炸弹"),
    (long_sheet, "long.xlsx", "200,001 行"),
    (lambda: (",".join(f"列{i}" for i in range(2000)) + "\n").encode("utf-8"), "wide.csv", "2,000 列"),
    (lambda: b"x" * (50 * 1024 * 1024 + 1), "huge.csv", "50"),
])
def test_unreadable_files_are_refused_without_a_write(db, make, name, words):
    before = state(db)
    with pytest.raises(IngestError) as refused:
        pipeline.analyse(db, make(), name)
    message = refused.value.message("zh")
    assert words in message, message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert state(db) == before


def analyse_row(db: Store, row: str, encoding: str = "utf-8"):
    return pipeline.analyse(db, (HEAD + row + "\n").encode(encoding), "upload.csv")


@pytest.mark.parametrize("row,column,field,key", [
    ("路A,阳山县,太平镇,,道路,-50,50%,2024-01-01,2024-06-30,,", "F", "budget_wan", "ing_w_amount_negative"),
    ("路B,阳山县,太平镇,,道路,99999999999,50%,2024-01-01,2024-06-30,,", "F", "budget_wan", "ing_w_amount_absurd"),
    ("路C,阳山县,太平镇,,道路,50,150%,2024-01-01,2024-06-30,,", "G", "progress_pct", "ing_w_percent_range"),
    ("路D,阳山县,太平镇,,道路,50,50%,2024-01-01,2024-06-30,0,0", "J", "lon", "ing_w_coords_invalid"),
])
def test_impossible_values_are_named_and_not_written(db, row, column, field, key):
    """The message names the place; the value is left empty (never counted as 0)."""
    analysis = analyse_row(db, row)
    found = [i for i in analysis.warnings() if i.key == key]
    assert found and found[0].sheet and found[0].row == 2 and found[0].column == column
    assert any("\u4e00" <= ch <= "\u9fff" for ch in found[0].message("zh"))
    assert field not in analysis.candidates[0].values  # the bad value is left empty, never 0


def test_end_before_start_and_swapped_coordinates_are_flagged(db):
    analysis = analyse_row(db, "路E,阳山县,太平镇,,道路,50,50%,2024-06-01,2024-01-30,24.30,112.56")
    keys = {(i.key, i.column) for i in analysis.warnings()}
    assert ("ing_w_dates_order", "I") in keys
    assert any(k == "ing_w_coords_swapped" for k, _ in keys)
    lon, lat = analysis.candidates[0].values["lon"], analysis.candidates[0].values["lat"]
    assert 112 < lon < 114 and 23 < lat < 26  # put the right way round


def test_script_html_sql_emoji_and_four_byte_text_survive_as_plain_text(tmp_path):
    store = Store(tmp_path / "t.duckdb")
    names = ["<img src=x onerror=alert(1)>", "'); DROP TABLE projects; --", "𠀀𠀁村道路😀", "=1+2"]
    rows = "".join(f"{n if ',' not in n else chr(34) + n + chr(34)},阳山县,太平镇,,道路,{i + 1},10%,2024-01-01,"
                   f"2024-06-30,,\n" for i, n in enumerate(names))
    analysis = pipeline.analyse(store, (HEAD + rows).encode("gb18030"), "gbk.csv",
                                pipeline.ImportOptions(report_date=date(2024, 6, 30)))
    assert analysis.errors() == []
    pipeline.commit(store, analysis, ADMIN)
    stored = set(views.project_table(store, Filters(), store_date(store), limit=None)["name"])
    assert stored == set(names)  # the SQL text did nothing; four-byte characters decoded intact
    store.close()


def store_date(store: Store):
    return views.data_date(store)
