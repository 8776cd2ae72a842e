"""The pipeline end to end: validation messages, duplicates, the rejected-rows download, progress,
the template, the command line and a 10,000-row sheet (its speed is measured in bench/)."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

import io
import json
from datetime import date

import openpyxl

from portfolio import cli, vocab
from portfolio.ingest import pipeline, template
from tests.ingest_builders import REPORT_DATE, analyse, by_name, dump, issue_keys, xlsx

CHECKS = xlsx([
    ["寨岗镇2024年项目库"],
    ["项目编号", "项目名称", "村", "建设内容", "总投资（万元）", "资金到位（万元）", "已支出（万元）", "进度", "计划开工", "计划完工"],
    ["A1", "石径村饮水工程", "石径村", "蓄水池", "待定", None, None, "60%", "2024年3月", "2024年1月"],
    ["A2", None, "新埠村", None, 10, None, None, None, None, None],
    ["A3", "阳爱村路灯", "阳爱村", "太阳能路灯20盏", 8, None, 9, "150%", "明年", None],
    ["A1", "石径村饮水工程", "石径村", "蓄水池", "待定", None, None, "60%", "2024年3月", "2024年1月"],
    ["A3", "阳爱村路灯（二期）", "阳爱村", None, 5, None, None, None, None, None],
    [None, None, "成头冲村", "太阳能路灯10盏", 3, None, None, None, None, None],
])


def test_errors_and_warnings_name_sheet_row_and_column(mem_store):
    a = analyse(mem_store, CHECKS)
    assert issue_keys(a) == [
        (3, "E", "ing_w_amount_unreadable"),
        (3, "J", "ing_w_dates_order"),
        (4, "B", "ing_e_no_name"),
        (5, "G", "ing_w_spent_over_budget"),
        (5, "H", "ing_w_percent_range"),
        (5, "I", "ing_w_date_unreadable"),
        (6, "A", "ing_e_duplicate_same"),
        (6, "E", "ing_w_amount_unreadable"),
        (6, "J", "ing_w_dates_order"),
        (7, "A", "ing_e_duplicate_id"),
        (8, "B", "ing_w_name_composed"),
    ]
    messages = [i.message() for i in a.issues()]
    assert messages[0] == "「项目表」 第3行 E列（总投资（万元））：金额「待定」无法识别，已留空（不按 0 计）。"
    assert messages[6] == "「项目表」 第6行 A列（项目编号）：与第 3 行完全相同（重复行），未重复导入。"
    assert messages[9] == "「项目表」 第7行 A列（项目编号）：项目编号 A3 与第 5 行相同但内容不同，此行未导入，请核对。"
    assert a.issues()[0].message("en") == ("sheet 项目表, row 3, column E (总投资（万元）): "
                                          "Amount '待定' cannot be read; left empty (not counted as 0).")
    # The unreadable amount is empty, never 0.
    water = by_name(a)["石径村饮水工程"]
    assert "budget_wan" not in water and water["plan_end"] == date(2024, 1, 31)
    assert {k: a.counts[k] for k in ("new", "rejected")} == {"new": 3, "rejected": 3}
    assert a.summary()["total_budget_wan"] == 11.0


def test_rejected_rows_download_keeps_the_cells_and_neutralises_formulas(mem_store):
    # CSV keeps "=1+2" as text, as a town's export would.
    data = "项目编号,项目名称,村,总投资\nX1,石径村饮水工程,石径村,20\nX1,=1+2,-新埠村,@sum\n,,+阳爱村,\n".encode()
    a = analyse(mem_store, data, "t.csv", town="寨岗镇")
    book = openpyxl.load_workbook(io.BytesIO(a.rejected_xlsx()))
    ws = book.active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["原表行号", "项目编号", "项目名称", "村", "总投资", "未导入原因"]
    assert rows[1][:5] == [3, "X1", "'=1+2", "'-新埠村", "'@sum"]  # the cells as read, made inert
    assert rows[1][5].startswith("项目编号 X1 与第 2 行相同但内容不同")
    assert rows[2][:5] == [4, None, None, "'+阳爱村", None]
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_progress_callback_reports_each_step_in_order(mem_store):
    seen: list[tuple[str, float]] = []
    data = xlsx([["项目名称", "镇", "总投资"]] + [[f"项目{i}", "寨岗镇", i] for i in range(60)])
    a = pipeline.analyse(mem_store, data, "t.xlsx", pipeline.ImportOptions(report_date=REPORT_DATE),
                         progress=lambda step, fraction: seen.append((step, fraction)))
    pipeline.commit(mem_store, a, ADMIN, progress=lambda step, fraction: seen.append((step, fraction)))
    steps = list(dict.fromkeys(step for step, _ in seen))
    assert steps == ["read", "locate", "check", "plan", "write"]
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    for step in steps:
        fractions = [f for s, f in seen if s == step]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_no_name_column_names_are_composed_with_a_warning(mem_store):
    data = xlsx([["镇村", "建设内容", "投资规模"], ["寨岗镇石径村", "新建蓄水池1座", 20], ["寨岗镇新埠村", "道路硬底化1.2公里", 30]])
    a = analyse(mem_store, data)
    assert sorted(by_name(a)) == ["新埠村道路硬底化1.2公里", "石径村新建蓄水池1座"]
    assert [k for _, _, k in issue_keys(a)] == ["ing_w_no_name_column", "ing_w_name_composed", "ing_w_name_composed"]
    assert by_name(a)["新埠村道路硬底化1.2公里"]["category"] == "roads"


def test_defaults_fill_rows_that_lack_them(mem_store):
    data = xlsx([["项目名称", "村", "投资"], ["石径村某项目", "石径村", 5], ["某村新项目", None, 6]])
    a = analyse(mem_store, data, county="连南瑶族自治县", town="寨岗镇", category="roads")
    rows = by_name(a)
    assert [(r["county"], r["town"], r.get("village"), r["category"], r["location_precision"])
            for r in rows.values()] == [("连南瑶族自治县", "寨岗镇", "石径村", "roads", "village"),
                                        ("连南瑶族自治县", "寨岗镇", None, "roads", "town")]
    assert a.candidates[0].category_rule == ("option", "", "道路")


def test_template_has_chinese_headers_drop_downs_an_example_and_notes(mem_store):
    data = template.template_xlsx()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["项目表", "填表说明"]
    ws = book["项目表"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["序号", "项目编号", "项目名称", "县（市、区）"]
    assert "计划投资（万元）" in headers and "项目状态" in headers
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    category_col = openpyxl.utils.get_column_letter(headers.index("项目类别") + 1)
    status_col = openpyxl.utils.get_column_letter(headers.index("项目状态") + 1)
    assert all(c.zh in lists[f"{category_col}2"] for c in vocab.CATEGORIES)
    assert all(s.zh in lists[f"{status_col}2"] for s in vocab.STATUSES)
    assert ws.cell(2, 1).value == "示例"
    # The template imports: its example row is skipped, a filled row is read with every column mapped.
    a = analyse(mem_store, data, "模板.xlsx")
    assert a.sheet == "项目表" and a.candidates == [] and a.summary()["skipped"][0]["reason"] == "example"
    assert set(a.mapping.fields) - {None} == {f for f, _, _ in template.COLUMNS} - {"scale_qty"} | {"scale"}
    ws.append([1, "LN9", "新埠村道路硬底化", "连南瑶族自治县", "寨岗镇", "新埠村", "道路", "新建", "硬底化", 1.2, "公里",
               30, None, None, None, None, 30, None, 10, 5, "在建", 20, date(2024, 5, 1), date(2024, 10, 31), 50,
               200, 2024])
    buffer = io.BytesIO()
    book.save(buffer)
    filled = analyse(mem_store, buffer.getvalue(), "模板.xlsx")
    row = by_name(filled)["新埠村道路硬底化"]
    assert (row["category"], row["status"], row["budget_wan"], row["fund_assistance_wan"], row["scale_qty"],
            row["scale_unit"], row["plan_end"]) == ("roads", "in_progress", 30, 30, 1.2, "公里", date(2024, 10, 31))
    assert issue_keys(filled) == []


# Command line -------------------------------------------------------------------------------
def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


SIMPLE = xlsx([["连南瑶族自治县寨岗镇项目库"], ["项目名称", "村", "总投资", "状态"],
               ["石径村饮水工程", "石径村", 20, "在建"], ["新埠村道路硬底化", "新埠村", "待定", None],
               ["合计", None, 20, None]])


def _make_admin(path) -> None:
    from portfolio import accounts
    from portfolio.store import Store

    db = Store(path)
    accounts.add_user(db, "admin", "admin", "test password 1")
    db.close()


def test_cli_json_summary_and_commit(tmp_path, capsys):
    db = tmp_path / "lib.duckdb"
    path = _write(tmp_path, "寨岗.xlsx", SIMPLE)
    assert cli.main(["import", str(path), "--db", str(db), "--dry-run", "--json", "--report-date", "2024-06-30"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("rows_read", "projects", "total_budget_wan", "file_total_wan", "new", "changed",
                                    "unchanged", "rejected", "committed")} == {
        "rows_read": 3, "projects": 2, "total_budget_wan": 20.0, "file_total_wan": 20.0, "new": 2, "changed": 0,
        "unchanged": 0, "rejected": 0, "committed": False}
    assert summary["skipped"] == [{"row": 5, "reason": "total", "text": "合计", "why": "第5行：合计行"}]
    assert summary["mapping"] == {"项目名称": "name", "村": "village", "总投资": "budget_wan", "状态": "status"}
    assert summary["warnings"] == [{"sheet": "项目表", "row": 4, "column": "C", "header": "总投资",
                                    "code": "ing_w_amount_unreadable",
                                    "message": "「项目表」 第4行 C列（总投资）：金额「待定」无法识别，已留空（不按 0 计）。"}]
    assert summary["errors"] == []
    _make_admin(db)
    assert cli.main(["import", str(path), "--db", str(db), "--json", "--report-date", "2024-06-30",
                     "--user", "admin"]) == 0
    committed = json.loads(capsys.readouterr().out)
    assert committed["committed"] and committed["batch_id"].startswith("B000001-")
    assert cli.main(["import", str(path), "--db", str(db), "--report-date", "2024-06-30", "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "未变 2" in out and "没有需要更新的内容" in out


def test_cli_exit_2_when_the_file_cannot_be_read(tmp_path, capsys):
    db = tmp_path / "lib.duckdb"
    bad = _write(tmp_path, "photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert cli.main(["import", str(bad), "--db", str(db), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "ing_err_not_spreadsheet"
    assert cli.main(["import", str(tmp_path / "missing.xlsx"), "--db", str(db)]) == 2
    assert "找不到文件" in capsys.readouterr().err


# Speed ----------------------------------------------------------------------------------------
def _big_sheet(n: int) -> bytes:
    import xlsxwriter

    from portfolio import geo

    villages = [v for v in geo.villages() if v.town_code.startswith("441826102")]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    ws = book.add_worksheet("项目表")
    ws.write_row(0, 0, ["附件2"])
    ws.write_row(1, 0, ["连南瑶族自治县寨岗镇乡村振兴项目库（单位：万元）"])
    ws.write_row(2, 0, ["序号", "项目编号", "项目名称", "建设地点", "项目类别", "建设内容及规模", "总投资", "帮扶资金",
                        "项目状态", "进度", "已支出", "计划开工时间", "计划完工时间", "受益户数", "责任单位"])
    names = ("饮水安全巩固提升工程", "道路硬底化", "户厕改造", "生活污水处理设施", "撂荒地复耕", "太阳能路灯安装")
    statuses = ("储备", "在建", "已完工", "招投标")
    for i in range(n):
        v = villages[i % len(villages)]
        ws.write_row(3 + i, 0, [i + 1, f"ZG{i:06d}", f"{v.short_name}{names[i % 6]}{i}", f"寨岗镇{v.short_name}",
                                None, "建设内容若干", f"{10 + i % 40}万元", 5 + i % 7, statuses[i % 4],
                                f"{(i * 7) % 101}%", i % 9, "2024年3月", "2024.12", f"{20 + i % 50}户", "寨岗镇人民政府"])
    ws.write_row(3 + n, 0, ["合计", None, None, None, None, None, sum(10 + i % 40 for i in range(n))])
    book.close()
    return buffer.getvalue()


def test_10000_row_sheet_imports_every_row_and_a_second_upload_is_a_noop(mem_store):
    """Behaviour only: the time it takes is measured in bench/ (bench/import_bench.py), not asserted here."""
    data = _big_sheet(10_000)
    a = pipeline.analyse(mem_store, data, "big.xlsx", pipeline.ImportOptions(report_date=REPORT_DATE))
    result = pipeline.commit(mem_store, a, ADMIN)
    assert (result.inserted, result.rejected) == (10_000, 0)
    assert a.total.matches
    again = pipeline.analyse(mem_store, data, "big.xlsx", pipeline.ImportOptions(report_date=REPORT_DATE))
    before = dump(mem_store)
    assert pipeline.commit(mem_store, again, ADMIN).noop and dump(mem_store) == before


def test_every_message_and_label_the_importer_uses_exists_in_both_languages():
    import re
    from pathlib import Path

    from portfolio.i18n import STRINGS
    from portfolio.ingest import columns

    root = Path(__file__).resolve().parent.parent
    literal = set()
    for path in sorted((root / "portfolio" / "ingest").glob("*.py")):
        literal |= set(re.findall(r'"(ing_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    page = (root / "app_pages" / "upload.py").read_text(encoding="utf-8")
    literal |= set(re.findall(r'\btr\("((?:ing|up|page|c)_[a-z0-9_]+)"', page))  # widget keys are not strings
    dynamic = {f"ing_fld_{f}" for f in columns.FIELDS} | {
        f"ing_rule_{s}" for s in ("column", "subcategory", "keyword", "section", "option", "default")} | {
        f"ing_skip_{k}" for k in ("total", "subtotal", "heading", "notes", "header_repeat", "column_numbers",
                                  "example")} | {f"ing_step_{s}" for s in pipeline.STEPS} | {
        f"up_level_{x}" for x in ("error", "warning")} | {f"up_state_{x}" for x in ("committed", "undone")} | {
        f"up_coords_{x}" for x in ("wgs84", "gcj02", "bd09")} | {
        f"up_mapping_source_{x}" for x in ("auto", "remembered", "user")} | {
        f"prec_{p}" for p in vocab.LOCATION_PRECISIONS} | {
        f"{k}_why" for k in ("ing_w_place_county_unknown", "ing_w_place_town_unknown", "ing_w_town_ambiguous",
                             "ing_w_place_unknown")} | {
        "ing_skip_sum", "ing_skip_sum_total", "ing_skip_group"}
    keys = {k for k in literal | dynamic if not k.endswith("_")}
    missing = sorted(k for k in keys if k not in STRINGS)
    assert missing == []
    assert all(STRINGS[k][0] and STRINGS[k][1] for k in keys)


def test_encrypted_workbook_is_refused_with_a_message():
    from portfolio.ingest import read
    from portfolio.ingest.issues import IngestError

    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "EncryptedPackage".encode("utf-16-le") + bytes(100)
    try:
        read.read_book(data, "secret.xlsx")
    except IngestError as exc:
        assert exc.key == "ing_err_encrypted" and "密码" in exc.message()
    else:
        raise AssertionError("an encrypted workbook must be refused")


def test_json_summary_lists_some_problems_of_each_kind_and_counts_them_all(mem_store):
    from portfolio.ingest import summary as summary_mod

    rows = [["项目名称", "村", "总投资（万元）"]]
    rows += [[f"石径村道路{i}", "石径村", "待定"] for i in range(summary_mod.MAX_EXAMPLES + 7)]
    rows += [[None, "新埠村", 3], [None, "新埠村", 4]]
    a = analyse(mem_store, xlsx(rows), town="寨岗镇", county="连南瑶族自治县")
    summary = a.summary()
    assert summary["warnings_by_kind"]["ing_w_amount_unreadable"] == summary_mod.MAX_EXAMPLES + 7
    listed = [w for w in summary["warnings"] if w["code"] == "ing_w_amount_unreadable"]
    # The first rows of the kind, in sheet order, each naming sheet, row and column in Chinese.
    assert [w["row"] for w in listed] == list(range(2, 2 + summary_mod.MAX_EXAMPLES))
    assert listed[0]["message"] == "「项目表」 第2行 C列（总投资（万元））：金额「待定」无法识别，已留空（不按 0 计）。"
    assert summary["warnings_total"] == sum(summary["warnings_by_kind"].values()) == len(a.warnings())
    assert summary["errors_by_kind"] == {"ing_e_no_name": 2} and summary["errors_total"] == 2
    assert [e["row"] for e in summary["errors"]] == [summary_mod.MAX_EXAMPLES + 9, summary_mod.MAX_EXAMPLES + 10]
