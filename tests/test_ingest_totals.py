"""Rows that only look like projects (portfolio/ingest/totals.py): subtotals found by arithmetic,
group headings without an amount, and the town or category such a row passes to the rows it groups.

Fixtures are modelled on published county funding tables (资金分配表, 完成情况表, 人居环境整治, 农村供水).
"""
from __future__ import annotations

from tests.ingest_builders import analyse, by_name, xlsx

# 资金分配表 in 元: a town line (no 小计 word, no running number) above its projects carries their sum.
ALLOCATION_YUAN = xlsx([
    ["连山壮族瑶族自治县2024年衔接推进乡村振兴补助资金分配表"],
    ["单位：元"],
    ["序号", "乡镇", "项目名称", "建设内容", "补助金额", "备注"],
    [None, "吉田镇", None, None, 500000, None],
    [1, "吉田镇", "沙田村道路硬底化", "硬底化道路1.2公里", 300000, None],
    [2, "吉田镇", "大富村饮水工程", "新建蓄水池1座", 200000, None],
    [None, "永和镇", None, None, 450000, None],
    [3, "永和镇", "永丰村人居环境整治", "垃圾收集点5个", 150000, None],
    [4, "永和镇", "福坪村路灯安装", "太阳能路灯60盏", 180000, None],
    [5, "永和镇", "新联村水渠修复", "水渠800米", 120000, None],
])

# 完成情况表 in 万元: each town's line comes after its projects, then an unlabelled grand total row.
COMPLETION_SUBTOTALS_BELOW = xlsx([
    ["英德市2024年乡村振兴项目完成情况表"],
    ["单位：万元"],
    ["序号", "镇", "工程名称", "计划投资", "完成时间"],
    [1, "浛洸镇", "浛洸镇大村村道拓宽", 40, "2024年10月"],
    [2, "浛洸镇", "浛洸镇新城村供水管网", 25.5, "2024年11月"],
    [None, "浛洸镇", None, 65.5, None],
    [3, "连江口镇", "连樟村光伏电站", 80, "2024年9月"],
    [4, "连江口镇", "连樟村农产品冷库", 34.5, "2024年12月"],
    [None, "连江口镇", None, 114.5, None],
    [None, None, None, 180, None],
])

# 人居环境整治 / 农村供水: category headings and a town heading, none with an amount.
HEADINGS_WITHOUT_AMOUNT = xlsx([
    ["清城区2024年驻镇帮镇扶村项目计划表"],
    ["项目名称", "村", "投资（万元）", "备注"],
    ["农村供水", None, None, None],
    ["石角镇中心村供水改造", "中心村", 30, None],
    ["石角镇塘头村蓄水池", "塘头村", 12, None],
    ["人居环境整治", None, None, None],
    ["源潭镇青龙村三清三拆", "青龙村", 18, None],
    ["源潭镇", None, None, None],
    ["大湾村垃圾屋", "大湾村", 6, None],
])

# A real project whose amount happens to equal the next two projects' sum stays a project.
COINCIDENCE = xlsx([
    ["项目编号", "项目名称", "村", "总投资（万元）", "状态"],
    ["P1", "石径村道路", "石径村", 30, "在建"],
    ["P2", "新埠村饮水", "新埠村", 10, "在建"],
    ["P3", "大坪村路灯", "大坪村", 20, "储备"],
], )


def test_town_lines_above_their_projects_are_subtotals_found_by_arithmetic(mem_store):
    a = analyse(mem_store, ALLOCATION_YUAN)
    rows = by_name(a)
    assert sorted(rows) == ["大富村饮水工程", "新联村水渠修复", "永丰村人居环境整治", "沙田村道路硬底化", "福坪村路灯安装"]
    assert a.imported_budget_wan() == 95.0  # 元 -> 万元, the town lines not counted twice
    summary = a.summary()
    assert [s["why"] for s in summary["skipped"]] == [
        "第4行：小计（= 第5–6行之和）", "第7行：小计（= 第8–10行之和）"]
    assert a.total.matches and a.total.file_total_wan == 95.0
    assert rows["沙田村道路硬底化"]["town"] == "吉田镇"


def test_subtotals_after_their_projects_and_an_unlabelled_grand_total(mem_store):
    a = analyse(mem_store, COMPLETION_SUBTOTALS_BELOW)
    assert len(a.candidates) == 4
    assert a.imported_budget_wan() == 180.0
    assert [s["why"] for s in a.summary()["skipped"]] == [
        "第6行：小计（= 第4–5行之和）", "第9行：小计（= 第7–8行之和）", "第10行：合计（= 第4–8行之和）"]
    assert a.total.kind == "grand" and a.total.file_total_wan == 180.0 and a.total.matches
    assert a.errors() == []


def test_headings_without_amount_are_skipped_and_pass_their_category_or_town_down(mem_store):
    a = analyse(mem_store, HEADINGS_WITHOUT_AMOUNT)
    rows = by_name(a)
    assert sorted(rows) == sorted(["大湾村垃圾屋", "石角镇中心村供水改造", "石角镇塘头村蓄水池", "源潭镇青龙村三清三拆"])
    assert [s["why"] for s in a.summary()["skipped"]] == [
        "第3行：分组标题「农村供水」（无金额）", "第6行：分组标题「人居环境整治」（无金额）",
        "第8行：分组标题「源潭镇」（无金额）"]
    assert rows["石角镇塘头村蓄水池"]["category"] == "water_supply"
    assert rows["源潭镇青龙村三清三拆"]["category"] == "environment"
    assert (rows["大湾村垃圾屋"]["county"], rows["大湾村垃圾屋"]["town"]) == ("清城区", "源潭镇")


def test_a_project_whose_amount_equals_a_sum_by_chance_is_kept(mem_store):
    a = analyse(mem_store, COINCIDENCE)
    assert sorted(by_name(a)) == ["大坪村路灯", "新埠村饮水", "石径村道路"]
    assert a.summary()["skipped"] == []


def test_subtotals_of_some_groups_only_do_not_raise_a_false_total_mismatch(mem_store):
    data = xlsx([["单位：元"], ["序号", "乡镇", "建设项目", "补助金额"],
                 [None, "黎埠镇", None, 500000], [1, "黎埠镇", "水口村供水", 300000], [2, "黎埠镇", "扶村整治", 200000],
                 [None, "太平镇", None, None], [3, "太平镇", "大坪村路灯", 80000]])
    a = analyse(mem_store, data, county="阳山县")
    assert a.imported_budget_wan() == 58.0 and a.total.file_total_wan is None
    assert [i.key for i in a.warnings() if i.key == "ing_w_total_mismatch"] == []
    assert by_name(a)["大坪村路灯"]["town"] == "太平镇"


def _xls(rows) -> bytes:
    import io

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("完成情况表")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_old_xls_completion_table_with_town_lines_in_yuan(mem_store):
    # 完成情况表 saved as .xls by an old WPS: title, 单位：元, a town line above its projects.
    data = _xls([["阳山县2024年农村供水项目完成情况表"], ["单位：元"], ["序号", "乡镇", "工程名称", "金额", "竣工时间"],
                 [None, "黎埠镇", None, 750000, None],
                 [1, "黎埠镇", "水口村供水管网延伸", 450000, "2024-05-20"],
                 [2, "黎埠镇", "扶村蓄水池", 300000, "2024-06-10"],
                 [3, "七拱镇", "新圩村供水改造", 120000, None]])
    a = analyse(mem_store, data, name="完成情况表.xls")
    rows = by_name(a)
    assert sorted(rows) == ["扶村蓄水池", "新圩村供水改造", "水口村供水管网延伸"]
    assert a.imported_budget_wan() == 87.0
    assert [s["why"] for s in a.summary()["skipped"]] == ["第4行：小计（= 第5–6行之和）"]
    assert rows["水口村供水管网延伸"]["actual_end"].isoformat() == "2024-05-20"


def test_a_gbk_csv_with_an_unlabelled_grand_total(mem_store):
    text = ("项目名称,镇,村,投资（万元）\n"
            "石径村道路硬底化,寨岗镇,石径村,20\n新埠村饮水工程,寨岗镇,新埠村,15.5\n大坪村路灯,寨岗镇,大坪村,4.5\n"
            ",,,40\n")
    a = analyse(mem_store, text.encode("gb18030"), name="寨岗镇.csv", county="连南瑶族自治县")
    assert len(a.candidates) == 3 and a.imported_budget_wan() == 40.0
    assert [s["why"] for s in a.summary()["skipped"]] == ["第5行：合计（= 第2–4行之和）"]
    assert a.total.kind == "grand" and a.total.matches


def test_a_bad_amount_names_sheet_row_and_column_in_chinese(mem_store):
    data = xlsx([["项目名称", "村", "金额（万元）"], ["石径村道路", "石径村", "约二十万"], ["新埠村饮水", "新埠村", 12]])
    a = analyse(mem_store, data, county="连南瑶族自治县", town="寨岗镇")
    assert [i.message() for i in a.warnings() if i.key == "ing_w_amount_unreadable"] == [
        "「项目表」 第2行 C列（金额（万元））：金额「约二十万」无法识别，已留空（不按 0 计）。"]
