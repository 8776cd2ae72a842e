"""Reading uploads: encodings, Excel flavours, formulas, codes kept as text, and every refusal."""
from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter

from portfolio.ingest import read
from portfolio.ingest.issues import IngestError
from tests.ingest_builders import analyse, by_name, xlsx

CSV_TEXT = "项目编号,项目名称,镇街,行政村,总投资（万元）\n0012,石径村饮水工程,寨岗镇,石径村,20\n441826102221,新埠村道路硬底化,寨岗镇,新埠村,15.5\n"

CSV_FIXTURES = {
    "utf8": CSV_TEXT.encode("utf-8"),
    "utf8_bom": CSV_TEXT.encode("utf-8-sig"),
    "gbk": CSV_TEXT.encode("gbk"),
    "gb18030": CSV_TEXT.encode("gb18030"),
    "utf16_tab": CSV_TEXT.replace(",", "\t").encode("utf-16"),
}


@pytest.mark.parametrize("encoding", list(CSV_FIXTURES))
def test_csv_encodings_read_the_same_rows(mem_store, encoding):
    a = analyse(mem_store, CSV_FIXTURES[encoding], "镇项目库.csv")
    projects = by_name(a)
    assert sorted(projects) == ["新埠村道路硬底化", "石径村饮水工程"]
    water = projects["石径村饮水工程"]
    assert (water["town"], water["village"], water["budget_wan"]) == ("寨岗镇", "石径村", 20.0)
    # Codes stay text: the leading zeros and all 12 digits.
    ids = sorted(c.project_id for c in a.candidates)
    assert ids == ["0012", "441826102221"]
    assert a.counts["new"] == 2


def test_csv_encoding_is_reported(mem_store):
    assert read.read_book(CSV_FIXTURES["gbk"], "x.csv").encoding == "gb18030"
    assert read.read_book(CSV_FIXTURES["utf8_bom"], "x.csv").encoding == "utf-8-sig"
    assert read.read_book(CSV_FIXTURES["utf8"], "x.csv").encoding == "utf-8"


@pytest.mark.parametrize("data", [
    b"\x80\x81\x82,\xff\xfe\xfd\n\x80\x80,\x81\x81\n",  # neither UTF-8 nor GB18030
    "名前,金額\nテスト工事,20\n道路工事,30\n".encode("shift_jis"),  # valid GB18030, but mojibake
    "項目名稱,鎮街,總投資\n石徑村飲水工程,寨崗鎮,20\n".encode("big5"),  # Big5 misread as GBK
])
def test_csv_that_would_be_garbled_is_refused(mem_store, data):
    with pytest.raises(IngestError) as err:
        analyse(mem_store, data, "x.csv")
    assert err.value.key == "ing_err_encoding"
    assert "编码" in err.value.message("zh")


def test_excel_formulas_read_as_values_and_codes_as_text(mem_store):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("项目表")
    ws.write_row(0, 0, ["项目编号", "项目名称", "镇街", "总投资（万元）", "中央资金", "省级资金"])
    ws.write_string(1, 0, "007")
    ws.write_string(1, 1, "新埠村道路硬底化")
    ws.write_string(1, 2, "寨岗镇")
    ws.write_formula(1, 3, "=E2+F2", None, 30)
    ws.write_number(1, 4, 10)
    ws.write_number(1, 5, 20)
    ws.write_number(2, 0, 441826102221)  # a 12-digit code typed as a number
    ws.write_string(2, 1, "阳爱村自来水入户")
    ws.write_string(2, 2, "寨岗镇")
    ws.write_formula(2, 3, '=IF(1>0,12.5,0)', None, 12.5)
    book.close()
    a = analyse(mem_store, buffer.getvalue())
    assert {c.project_id: c.values["budget_wan"] for c in a.candidates} == {"007": 30.0, "441826102221": 12.5}


def test_traditional_characters_are_matched_as_simplified(mem_store):
    data = xlsx([["項目名稱", "鎮街", "行政村", "總投資（萬元）", "項目類別"],
                 ["石徑村飲水工程", "寨崗鎮", "石徑村", 20, "供水"]])
    a = analyse(mem_store, data)
    assert a.mapping.as_dict() == {"項目名稱": "name", "鎮街": "town", "行政村": "village",
                                   "總投資（萬元）": "budget_wan", "項目類別": "category"}
    row = by_name(a)["石徑村飲水工程"]
    assert (row["county"], row["town"], row["village"], row["category"]) == ("连南瑶族自治县", "寨岗镇", "石径村",
                                                                             "water_supply")
    assert row["location_precision"] == "village"


def test_xls_is_read_through_calamine(mem_store):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("项目表")
    ws.write_merge(0, 0, 0, 2, "寨岗镇2024年项目库")
    for col, text in enumerate(["项目名称", "村", "总投资（万元）"]):
        ws.write(1, col, text)
    ws.write(2, 0, "石径村饮水工程")
    ws.write(2, 1, "石径村")
    ws.write(2, 2, 20.5)
    buffer = io.BytesIO()
    book.save(buffer)
    a = analyse(mem_store, buffer.getvalue(), "old.xls")
    assert by_name(a)["石径村饮水工程"]["budget_wan"] == 20.5
    assert by_name(a)["石径村饮水工程"]["town"] == "寨岗镇"  # from the title


def test_upload_over_50_mb_is_refused():
    with pytest.raises(IngestError) as err:
        read.read_book(b"\0" * (50 * 1024 * 1024 + 1), "big.xlsx")
    assert err.value.key == "ing_err_too_large"
    assert "50 MB" in err.value.message("zh")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return buffer.getvalue()


def test_zip_bomb_is_refused():
    # 30 MB of zeros packs into ~30 KB: a compression ratio no real workbook has.
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024)})
    assert len(data) < 200_000
    with pytest.raises(IngestError) as err:
        read.read_book(data, "bomb.xlsx")
    assert err.value.key == "ing_err_zip_bomb"


def test_zip_bomb_by_total_size_is_refused(monkeypatch):
    monkeypatch.setattr(read, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<a/>" * 400_000})
    with pytest.raises(IngestError) as err:
        read.read_book(data, "bomb.xlsx")
    assert err.value.key == "ing_err_zip_bomb"


@pytest.mark.parametrize("data,name,key", [
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.xlsx", "ing_err_not_spreadsheet"),
    (_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), "report.xlsx",
     "ing_err_zip_not_workbook"),
    ("<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode(), "export.xls", "ing_err_html"),
    ("这是一份通知，不是表格。请各镇于月底前报送。".encode("utf-8"), "notice.xlsx", "ing_err_not_spreadsheet"),
    (b"PK\x03\x04" + bytes(100), "broken.xlsx", "ing_err_corrupt"),
    (b"", "empty.csv", "ing_err_empty_file"),
    (b"abc", "notes.pdf", "ing_err_suffix"),
])
def test_non_spreadsheets_are_refused_with_a_message(data, name, key):
    with pytest.raises(IngestError) as err:
        read.read_book(data, name)
    assert err.value.key == key
    assert err.value.message("zh") and err.value.message("en")


def test_csv_renamed_xlsx_is_still_read(mem_store):
    a = analyse(mem_store, CSV_FIXTURES["utf8"], "renamed.xlsx")
    assert len(a.candidates) == 2


def test_merged_ranges_and_hidden_sheets_are_kept():
    data = xlsx({"封面": [["通知"]], "项目表": [["项目名称", "村"], ["a", "b"]]}, {"项目表": ["A1:A1"]},
                hidden=("封面",))
    book = read.read_book(data, "t.xlsx")
    assert book.sheet_names() == ["封面", "项目表"]
    assert [s.visible for s in book.sheets] == [False, True]
