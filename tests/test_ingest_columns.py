"""Headers and sheets: the importer's own vocabulary (ingest/aliases.py), a name composed when the
sheet has none, the sheet with the most projects chosen, every sheet holding projects offered."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

import pytest

from portfolio.ingest import columns, locate, read
from tests.ingest_builders import analyse, by_name, xlsx


@pytest.mark.parametrize("header, target", [
    ("建设项目", "name"), ("实施项目", "name"), ("工程名称", "name"),
    ("项目单位名称", "responsible_unit"), ("乡镇、村", "place"), ("金额", "budget_wan"), ("金额（元）", "budget_wan"),
    ("补助金额", "budget_wan"), ("完成时间", "actual_end"), ("竣工时间", "actual_end"),
    ("计划完成时间", "plan_end"), ("计划竣工时间", "plan_end"),
])
def test_headers_towns_write(header, target):
    assert columns.match_header(header)[0] == target


def test_every_export_header_reads_back_as_its_own_field_in_both_languages():
    # The export's labels are checked here, not read by the importer: rewording one must fail this test.
    from portfolio.i18n import STRINGS

    derived = {"is_late", "is_stalled", "last_report_date", "updated_at", "report_date", "batch_id"}
    for key, labels in STRINGS.items():
        if not key.startswith("c_"):
            continue
        column = key[2:]
        expected = "ignore" if column in derived else ("scale" if column == "scale_qty" else column)
        if expected not in columns.FIELDS:
            continue
        for label in labels:
            assert columns.match_header(label)[0] == expected, (key, label)


def test_the_importer_does_not_read_ui_labels():
    import inspect

    assert "STRINGS" not in inspect.getsource(columns)


# 资金分配表 as a county finance bureau publishes it: 建设项目, 项目单位名称 (the implementing unit), 乡镇、村,
# 金额 in 元, 竣工时间 (an actual end date).
ALLOCATION = xlsx([
    ["阳山县2024年财政衔接推进乡村振兴补助资金（第二批）分配表"],
    ["序号", "建设项目", "项目单位名称", "乡镇、村", "金额（元）", "竣工时间"],
    [1, "水口村农村供水提升", "阳山县水利局", "黎埠镇水口村", 560000, "2024年11月"],
    [2, "扶村人居环境整治", "黎埠镇人民政府", "黎埠镇扶村", 125000.5, None],
])


def test_widened_vocabulary_reads_an_allocation_table(mem_store):
    a = analyse(mem_store, ALLOCATION)
    rows = by_name(a)
    assert rows["水口村农村供水提升"]["responsible_unit"] == "阳山县水利局"
    assert rows["水口村农村供水提升"]["budget_wan"] == 56.0
    assert rows["扶村人居环境整治"]["budget_wan"] == 12.50005
    assert rows["水口村农村供水提升"]["actual_end"].isoformat() == "2024-11-30"
    assert "plan_end" not in rows["水口村农村供水提升"]
    assert (rows["水口村农村供水提升"]["town"], rows["水口村农村供水提升"]["village"]) == ("黎埠镇", "水口村")


def test_a_sheet_without_name_column_composes_the_name_from_place_and_content(mem_store):
    data = xlsx([["乡镇", "村", "建设内容", "资金（万元）"],
                 ["寨岗镇", "石径村", "新建蓄水池1座", 12],
                 ["寨岗镇", "新埠村", "硬底化道路800米", 30]])
    a = analyse(mem_store, data)
    assert sorted(by_name(a)) == ["新埠村硬底化道路800米", "石径村新建蓄水池1座"]
    assert a.errors() == []


def test_the_sheet_with_most_projects_wins_and_every_project_sheet_is_offered(mem_store):
    header = ["序号", "项目名称", "村", "投资（万元）"]
    book = xlsx({
        "项目汇总": [header, [1, "石径村道路", "石径村", 10]],
        "寨岗镇项目明细": [header] + [[i, f"项目{i}", "石径村", i] for i in range(1, 6)],
        "填表说明": [["说明"], ["项目名称：填写项目全称"]],
    })
    a = analyse(mem_store, book)
    assert a.sheet == "寨岗镇项目明细" and len(a.candidates) == 5
    assert locate.project_sheets(read.read_book(book, "t.xlsx")) == [("寨岗镇项目明细", 5), ("项目汇总", 1)]


def test_cli_header_row_and_map_do_what_the_page_does(tmp_path, capsys):
    import json

    from portfolio import cli
    from portfolio.store import Store

    db = tmp_path / "t.duckdb"
    Store(db).close()
    path = tmp_path / "清单.xlsx"
    # Row 2 is the header, but row 1 looks like one too; 工作事项 would not be recognised by itself.
    path.write_bytes(xlsx([["项目名称", "投资", "村", "状态"],
                           ["工作事项", "计划资金", "所在村", "牵头人"],
                           ["石径村饮水工程", 12, "石径村", "张三"]]))
    args = ["import", str(path), "--db", str(db), "--json", "--dry-run", "--report-date", "2024-06-30",
            "--header-row", "2", "--map", "工作事项=name", "--map", "牵头人=responsible_person"]
    assert cli.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["header_rows"] == [2]
    assert summary["mapping"]["工作事项"] == "name" and summary["mapping"]["牵头人"] == "responsible_person"
    assert summary["projects"] == 1 and summary["errors"] == []
    assert cli.main(args[:-2] + ["--map", "不存在=name"]) == 2
    assert "没有表头“不存在”" in json.loads(capsys.readouterr().out)["error"]


# 农村供水 and 人居环境整治 on two sheets of one workbook, each with its own town line and total.
TWO_TOWNS = xlsx({
    "封面": [["2024年驻镇帮镇扶村项目计划表"], ["填报单位：连南瑶族自治县农业农村局"]],
    "寨岗镇": [["连南县寨岗镇项目计划表（截至2024年6月30日）"], ["序号", "项目名称", "村", "投资（万元）"],
               [1, "石径村农村供水提升", "石径村", 30], [2, "新埠村人居环境整治", "新埠村", 12], ["合计", None, None, 42]],
    "三江镇": [["连南县三江镇项目计划表"], ["序号", "项目名称", "村", "投资（万元）"],
               [1, "联合村农村供水", "联合村", 8], [2, "联合村人居环境整治", "联合村", 5], [3, "联合村路灯", "联合村", 3]],
})


def test_several_sheets_are_offered_and_imported_as_one_batch(mem_store):
    from portfolio.ingest import commit as commit_mod, pipeline

    assert pipeline.project_sheets(TWO_TOWNS, "t.xlsx") == [("三江镇", 3), ("寨岗镇", 2)]
    assert analyse(mem_store, TWO_TOWNS).sheet == "三江镇"  # the sheet with the most projects
    a = analyse(mem_store, TWO_TOWNS, sheets=("寨岗镇", "三江镇"))
    assert a.sheets_imported == ["寨岗镇", "三江镇"] and len(a.candidates) == 5
    assert a.imported_budget_wan() == 58.0
    assert {c.values["town"] for c in a.candidates} == {"寨岗镇", "三江镇"}
    result = pipeline.commit(mem_store, a, ADMIN)
    assert result.inserted == 5
    history = commit_mod.history(mem_store).to_pylist()
    assert len(history) == 1 and history[0]["sheet"] == "寨岗镇、三江镇"
    commit_mod.undo(mem_store, result.batch_id, ADMIN)  # one batch: one undo removes both sheets' projects
    assert mem_store.rows("project_count")[0][0] == 0


def test_a_rejected_row_names_its_own_sheet_when_several_are_imported(mem_store):
    book = xlsx({"甲镇": [["项目名称", "村", "投资"], ["石径村饮水", "石径村", 3], [None, None, 4]],
                 "乙镇": [["项目名称", "村", "投资"], ["新埠村道路", "新埠村", 3], [None, None, 5]]})
    a = analyse(mem_store, book, sheets=("甲镇", "乙镇"), county="连南瑶族自治县", town="寨岗镇")
    assert sorted(a.plan.rejected_rows()) == [("乙镇", 3), ("甲镇", 3)]
    assert {i.sheet for i in a.errors()} == {"甲镇", "乙镇"}
    from portfolio.ingest import preview

    assert list(preview.rejected_frame(a, "zh").iloc[:, 0]) == ["「乙镇」第3行", "「甲镇」第3行"]
