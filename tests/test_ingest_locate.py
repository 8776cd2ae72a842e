"""Finding the project table as town sheets lay it out: one fixture per trait, exact rows and totals."""
from __future__ import annotations

from portfolio.ingest import title
from tests.ingest_builders import analyse, by_name, issue_keys, skipped, xlsx


def test_table_sheet_is_found_behind_cover_notice_and_notes(mem_store):
    data = xlsx({
        "封面": [["寨岗镇乡村振兴项目库"], ["报送单位：寨岗镇人民政府"]],
        "通知": [["关于报送2024年项目库的通知"], ["各村：请于6月底前报送项目名称、建设地点和总投资。"]],
        "填表说明": [["列名", "填写说明"], ["项目名称", "必填"], ["总投资", "单位：万元"], ["建设地点", "镇+村"]],
        "项目表": [["附件2"], ["连南瑶族自治县寨岗镇2024年乡村振兴项目库"], [None, None, None, None, "单位：万元"],
                ["序号", "项目名称", "建设地点", "建设内容", "总投资"],
                [1, "石径村饮水工程", "石径村", "新建蓄水池1座", 20],
                [2, "新埠村道路硬底化", "新埠村", "硬底化1.2公里", 35.5]],
    })
    a = analyse(mem_store, data)
    assert a.sheet == "项目表"
    assert a.sheet_names == ["封面", "通知", "填表说明", "项目表"]
    assert [r + 1 for r in a.table.header_rows] == [4]
    assert a.table.title_county == "连南瑶族自治县" and a.table.title_town == "寨岗镇"
    rows = by_name(a)
    assert sorted(rows) == ["新埠村道路硬底化", "石径村饮水工程"]
    assert rows["新埠村道路硬底化"]["budget_wan"] == 35.5
    assert rows["石径村饮水工程"]["town"] == "寨岗镇"
    assert a.summary()["total_budget_wan"] == 55.5


def test_named_sheet_is_used(mem_store):
    data = xlsx({"甲": [["项目名称", "总投资"], ["石径村饮水工程", 1]],
                 "乙": [["项目名称", "总投资"], ["新埠村道路", 2], ["阳爱村路灯", 3]]})
    assert analyse(mem_store, data).sheet == "乙"  # more rows wins when both are tables
    assert analyse(mem_store, data, sheet="甲").sheet == "甲"


FUNDING_HEADER = xlsx(
    [["寨岗镇2024年项目库"],
     ["序号", "项目名称", "村", "总投资（万元）", "资金来源", None, None, None],
     [None, None, None, None, "中央", "省级", "市级", "县级"],
     [1, "石径村饮水工程", "石径村", 20, 5, 10, None, 5],
     [2, "新埠村道路硬底化", "新埠村", 30, None, 30, None, None]],
    {"项目表": ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:H2"]},
)


def test_two_row_header_with_merged_funding_group(mem_store):
    a = analyse(mem_store, FUNDING_HEADER)
    assert [r + 1 for r in a.table.header_rows] == [2, 3]
    assert a.mapping.as_dict() == {
        "序号": "seq", "项目名称": "name", "村": "village", "总投资（万元）": "budget_wan",
        "资金来源/中央": "fund_central_wan", "资金来源/省级": "fund_provincial_wan",
        "资金来源/市级": "fund_city_wan", "资金来源/县级": "fund_county_wan"}
    water = by_name(a)["石径村饮水工程"]
    assert (water["fund_central_wan"], water["fund_provincial_wan"], water["fund_county_wan"]) == (5, 10, 5)
    assert "fund_city_wan" not in water
    assert issue_keys(a) == []


def test_three_row_header(mem_store):
    data = xlsx(
        [["项目名称", "建设地点", "资金来源及金额（万元）", None, None, None, None],
         [None, None, "合计", "财政资金", None, None, "帮扶资金"],
         [None, None, None, "中央", "省级", "县级", None],
         ["石径村饮水工程", "寨岗镇石径村", 20, 5, 5, 0, 10]],
        {"项目表": ["A1:A3", "B1:B3", "C1:G1", "C2:C3", "D2:F2", "G2:G3"]},
    )
    a = analyse(mem_store, data)
    assert [r + 1 for r in a.table.header_rows] == [1, 2, 3]
    assert a.mapping.as_dict() == {
        "项目名称": "name", "建设地点": "place", "资金来源及金额（万元）/合计": "budget_wan",
        "资金来源及金额（万元）/财政资金/中央": "fund_central_wan",
        "资金来源及金额（万元）/财政资金/省级": "fund_provincial_wan",
        "资金来源及金额（万元）/财政资金/县级": "fund_county_wan",
        "资金来源及金额（万元）/帮扶资金": "fund_assistance_wan"}
    row = by_name(a)["石径村饮水工程"]
    assert (row["budget_wan"], row["fund_assistance_wan"], row["fund_county_wan"]) == (20, 10, 0)
    assert (row["town"], row["village"]) == ("寨岗镇", "石径村")


def test_header_text_with_spaces_line_breaks_and_full_width_brackets(mem_store):
    data = xlsx([["项目 名称", "镇（街道）", "村 名", "总投资\n（万元）", "受益户数\n(户)", "计划开工\n时间", "经 度", "纬　度"],
                 ["石径村饮水工程", "寨岗镇", "石径村", 20, "40户", "2024年3月", 112.30, 24.55]])
    a = analyse(mem_store, data)
    assert list(a.mapping.as_dict().values()) == ["name", "town", "village", "budget_wan", "beneficiary_households",
                                                  "plan_start", "lon", "lat"]
    row = by_name(a)["石径村饮水工程"]
    assert row["beneficiary_households"] == 40
    assert (row["lon"], row["lat"], row["location_precision"]) == (112.30, 24.55, "exact")


def test_total_rows_before_and_after_the_data_also_spelled_with_a_space(mem_store):
    data = xlsx([["序号", "项目名称", "村", "总投资（万元）"],
                 ["合计", None, None, 60],
                 [1, "石径村饮水工程", "石径村", 20],
                 [2, "新埠村道路硬底化", "新埠村", 40],
                 ["合 计", None, None, 60]])
    a = analyse(mem_store, data, town="寨岗镇")
    assert skipped(a) == [(2, "total"), (5, "total")]
    assert sorted(by_name(a)) == ["新埠村道路硬底化", "石径村饮水工程"]
    summary = a.summary()
    assert (summary["file_total_wan"], summary["total_budget_wan"], summary["total_matches"]) == (60, 60, True)


def test_category_headings_with_subtotals_and_a_grand_total(mem_store):
    data = xlsx(
        [["序号", "项目名称", "村", "总投资（万元）"],
         ["一、基础设施", None, None, 55],
         [1, "石径村饮水工程", "石径村", 20],
         [2, "新埠村道路硬底化", "新埠村", 35],
         ["小计", None, None, 55],
         ["二", "产业发展", None, 10],
         [3, "阳爱村集体经济项目", "阳爱村", 10],
         ["总  计", None, None, 65]],
        {"项目表": ["A2:C2"]},
    )
    a = analyse(mem_store, data, town="寨岗镇")
    assert skipped(a) == [(2, "heading"), (5, "subtotal"), (6, "heading"), (8, "total")]
    rows = by_name(a)
    assert sorted(rows) == ["新埠村道路硬底化", "石径村饮水工程", "阳爱村集体经济项目"]
    industry = [c for c in a.candidates if c.values["name"] == "阳爱村集体经济项目"][0]
    assert (industry.inferred["category"], industry.category_rule) == ("industry", ("section", "section", "产业发展"))
    assert (a.total.file_total_wan, a.total.rows_total_wan, a.total.kind, a.total.row) == (65, 65, "grand", 8)


def test_subtotals_alone_are_summed_as_the_file_total_and_a_mismatch_is_reported(mem_store):
    data = xlsx(
        [["项目名称", "村", "总投资（万元）"],
         ["一、基础设施", None, 50],
         ["石径村饮水工程", "石径村", 20],
         ["新埠村道路硬底化", "新埠村", 35]],
        {"项目表": ["A2:B2"]},
    )
    a = analyse(mem_store, data, town="寨岗镇")
    assert (a.total.file_total_wan, a.total.rows_total_wan, a.total.matches) == (50, 55, False)
    mismatch = [i for i in a.issues() if i.key == "ing_w_total_mismatch"][0]
    assert (mismatch.sheet, mismatch.row, mismatch.column) == ("项目表", 2, "C")
    assert "表内合计 50.00 万元" in mismatch.message() and "55.00" in mismatch.message()


def test_blank_rows_and_notes_after_the_data(mem_store):
    data = xlsx([["项目名称", "村", "总投资"],
                 ["石径村饮水工程", "石径村", 20],
                 [None, None, None],
                 ["新埠村道路硬底化", "新埠村", 30],
                 [],
                 [],
                 ["备注：1.本表金额单位为万元"],
                 ["2. 项目以实际批复为准"],
                 ["填表人：张三", None, "审核人：李四"]])
    a = analyse(mem_store, data, town="寨岗镇")
    assert sorted(by_name(a)) == ["新埠村道路硬底化", "石径村饮水工程"]
    assert skipped(a) == [(7, "notes"), (8, "notes"), (9, "notes")]
    assert a.rows_read == 5
    assert issue_keys(a, "error") == []


def test_merged_cells_across_columns_and_down_rows(mem_store):
    data = xlsx(
        [["序号", "镇", "村", "项目名称", "建设内容", "总投资"],
         [1, "寨岗镇", "石径村", "石径村饮水工程", "新建蓄水池", 20],
         [2, None, "新埠村", "新埠村道路硬底化", "硬底化", 30],
         [3, None, "阳爱村", "阳爱村太阳能路灯", None, 7]],
        {"项目表": ["B2:B4", "D4:E4"]},
    )
    a = analyse(mem_store, data)
    rows = by_name(a)
    assert {n: r["town"] for n, r in rows.items()} == {
        "石径村饮水工程": "寨岗镇", "新埠村道路硬底化": "寨岗镇", "阳爱村太阳能路灯": "寨岗镇"}
    assert rows["阳爱村太阳能路灯"]["description"] == "阳爱村太阳能路灯"
    assert rows["阳爱村太阳能路灯"]["category"] == "lighting"


def test_amount_merged_down_rows_is_flagged(mem_store):
    data = xlsx([["项目名称", "村", "总投资"],
                 ["石径村饮水工程", "石径村", 20],
                 ["石径村蓄水池", "石径村", None]], {"项目表": ["C2:C3"]})
    a = analyse(mem_store, data, town="寨岗镇")
    assert [b["budget_wan"] for b in by_name(a).values()] == [20, 20]
    assert issue_keys(a) == [(3, "C", "ing_w_amount_merged")]


def test_county_and_town_named_only_in_the_title_become_defaults(mem_store):
    # 太平镇 exists in 清新区 and 阳山县: the title's county decides.
    data = xlsx([["清远市清新区太平镇2024年度乡村振兴项目计划表"],
                 ["项目名称", "村", "计划投资"],
                 ["大楼村饮水工程", "大楼村", 12]])
    a = analyse(mem_store, data)
    row = by_name(a)["大楼村饮水工程"]
    assert (row["county"], row["town"], row["village"], row["village_code"]) == (
        "清新区", "太平镇", "大楼村", "441803104201")
    assert row["location_precision"] == "village"
    # Without the title the same town is ambiguous and left unplaced, with a warning.
    bare = analyse(mem_store, xlsx([["项目名称", "镇", "计划投资"], ["某项目", "太平镇", 12]]))
    assert issue_keys(bare) == [(2, "B", "ing_w_town_ambiguous")]
    assert "清新区、阳山县" in bare.issues()[0].message()
    assert by_name(bare)["某项目"]["location_precision"] == "none"


def test_title_outside_the_gazetteer_still_gives_defaults(mem_store):
    data = xlsx([["湖南省永顺县石堤镇2024年项目库"], ["项目名称", "村", "总投资"], ["石堤村饮水工程", "石堤村", 8]])
    a = analyse(mem_store, data)
    row = by_name(a)["石堤村饮水工程"]
    assert (row["county"], row["town"], row["village"], row["location_precision"]) == (
        "永顺县", "石堤镇", "石堤村", "none")
    assert "lon" not in row
    assert issue_keys(a) == [(3, None, "ing_w_place_county_unknown")]
    assert a.issues()[0].message() == "「项目表」 第3行：县（市、区）「永顺县」不在地名库中，已按原文导入，不定位。"
    assert a.counts["new"] == 1


def test_unit_in_the_title_and_in_a_header(mem_store):
    in_title = xlsx([["寨岗镇项目表（单位：元）"], ["项目名称", "村", "总投资", "已支出（万元）"],
                     ["石径村饮水工程", "石径村", 200000, 5], ["合计", None, 200000, 5]])
    a = analyse(mem_store, in_title)
    row = by_name(a)["石径村饮水工程"]
    assert (row["budget_wan"], row["spent_wan"]) == (20.0, 5.0)
    assert (a.total.file_total_wan, a.total.matches) == (20.0, True)
    in_header = xlsx([["单位：万元"], ["项目名称", "镇", "总投资（元）"], ["石径村饮水工程", "寨岗镇", 150000]])
    assert by_name(analyse(mem_store, in_header))["石径村饮水工程"]["budget_wan"] == 15.0


def test_repeated_header_and_column_number_rows_are_skipped(mem_store):
    data = xlsx([["项目名称", "村", "总投资"], [1, 2, 3],
                 ["石径村饮水工程", "石径村", 20],
                 ["项目名称", "村", "总投资"],
                 ["新埠村道路硬底化", "新埠村", 30]])
    a = analyse(mem_store, data, town="寨岗镇")
    assert skipped(a) == [(2, "column_numbers"), (4, "header_repeat")]
    assert len(by_name(a)) == 2


def test_sheet_without_a_table_is_refused_with_the_sheet_names(mem_store):
    import pytest

    from portfolio.ingest.issues import IngestError

    with pytest.raises(IngestError) as err:
        analyse(mem_store, xlsx({"封面": [["通知"]], "说明": [["请按时报送"]]}))
    assert err.value.key == "ing_err_no_table"
    assert "封面、说明" in err.value.message()


def test_places_in_title():
    assert title.places_in_title("附件2 清远市清新区太平镇2024年项目表") == ("清新区", "太平镇")
    assert title.places_in_title("英德市西牛镇乡村振兴项目库") == ("英德市", "西牛镇")
    assert title.places_in_title("连南县寨岗镇项目") == ("连南瑶族自治县", "寨岗镇")
    # Outside the Qingyuan gazetteer: real places only (national county list, Guangdong towns).
    assert title.places_in_title("广西壮族自治区三江侗族自治县2024年项目库") == ("三江侗族自治县", None)
    assert title.places_in_title("茂名市信宜市钱排镇2024年项目计划表") == ("信宜市", "钱排镇")
    assert title.places_in_title("广西壮族自治区某某县某某镇项目库") == (None, None)  # not a real county
    assert title.places_in_title("上级下达及区级配套资金项目表") == (None, None)
    assert title.places_in_title("2024年乡村振兴项目清单") == (None, None)
