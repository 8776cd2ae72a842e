"""Places: titles name real places only, 办事处/街道 are towns, merged labels are not villages,
town and county names stay out of composed names, unplaced rows are counted with their reason."""
from __future__ import annotations

import csv

from portfolio import geo
from portfolio.ingest import preview
from tests.ingest_builders import analyse, by_name, xlsx


def test_shipped_lists_cover_the_country_and_every_guangdong_town():
    counties = geo.china_counties()
    assert sum(len(units) for units in counties.values()) == 2978
    assert {c.province for c in counties["英德市"]} == {"广东省"}
    assert len(counties["朝阳区"]) == 2  # names repeat across the country
    towns = geo.guangdong_towns()
    assert sum(len(units) for units in towns.values()) == 1757
    assert towns["寨岗镇"] == (("441826102", "441826"),)
    with geo.CHINA_COUNTIES_CSV.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["county_code", "county", "city_code", "city", "province_code", "province"]


def test_words_that_only_look_like_a_place_never_become_one(mem_store):
    data = xlsx([["上级下达及区级配套资金项目明细表"], ["项目名称", "村", "金额（万元）"],
                 ["石径村饮水工程", "石径村", 8], ["新埠村道路", "新埠村", 12]])
    a = analyse(mem_store, data)
    assert (a.table.title_county, a.table.title_town) == (None, None)
    assert all(not row.get("county") for row in by_name(a).values())


def test_a_county_level_city_in_the_title_is_the_county(mem_store):
    data = xlsx([["英德市2024年衔接资金项目计划表"], ["项目名称", "镇", "村", "金额（万元）"],
                 ["连樟村冷库", "连江口镇", "连樟村", 30]])
    row = by_name(analyse(mem_store, data))["连樟村冷库"]
    assert (row["county"], row["town"], row["village"], row["location_precision"]) == (
        "英德市", "连江口镇", "连樟村", "village")


def test_ban_shi_chu_and_jie_dao_are_town_level(mem_store):
    data = xlsx([["清城区项目表"], ["项目名称", "乡镇、村", "金额（万元）"],
                 ["高基里社区路灯", "凤城街道办事处高基里社区", 6]])
    row = by_name(analyse(mem_store, data))["高基里社区路灯"]
    assert (row["county"], row["town"]) == ("清城区", "凤城街道")


def test_a_cell_merged_across_the_name_column_is_not_a_village(mem_store):
    data = xlsx([["项目名称", "村", "金额（万元）"],
                 ["寨岗镇石径片区饮水巩固提升", None, 40],
                 ["新埠村道路", "新埠村", 12]],
                merges={"项目表": ["A2:B2"]})
    rows = by_name(analyse(mem_store, data, county="连南瑶族自治县", town="寨岗镇"))
    assert rows["寨岗镇石径片区饮水巩固提升"].get("village") is None
    assert rows["新埠村道路"]["village"] == "新埠村"


def test_composed_names_carry_the_village_but_never_the_town_or_county(mem_store):
    data = xlsx([["县", "镇", "村", "建设内容", "金额（万元）"],
                 ["连南瑶族自治县", "寨岗镇", "石径村", "新建蓄水池1座", 12],
                 ["连南瑶族自治县", "寨岗镇", None, "镇区路灯30盏", 9]])
    assert sorted(by_name(analyse(mem_store, data))) == ["石径村新建蓄水池1座", "镇区路灯30盏"]


def test_unplaced_and_approximate_rows_are_counted_with_their_reason(mem_store):
    data = xlsx([["项目名称", "镇", "村", "金额（万元）"],
                 ["某项目", "太平镇", None, 12],  # 太平镇 is in two counties
                 ["另一项目", None, None, 3],  # no place at all
                 ["寨岗镇不存在村道路", "寨岗镇", "不存在村", 5]])  # placed at its town only
    a = analyse(mem_store, data)
    lines = preview.done_lines(a)
    assert "1 行只能定位到镇或县（近似位置）。" in lines
    assert "1 行未定位：镇名在多个县都有，需指定县。" in lines
    assert "1 行未定位：表中没有县和镇。" in lines


def test_the_summary_counts_unplaced_rows_by_reason(mem_store):
    data = xlsx([["项目名称", "镇", "金额（万元）"], ["某项目", "太平镇", 12], ["另一项目", None, 3]])
    summary = analyse(mem_store, data).summary()
    assert summary["unplaced"] == {"ing_w_town_ambiguous": 1, "ing_unplaced_no_place": 1}
    assert summary["placed_approximately"] == 0
