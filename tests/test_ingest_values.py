"""Cell values as towns write them: amounts, dates and ranges, categories and statuses with their rule,
households, places and coordinates."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio import geo
from portfolio.ingest import columns, places, values as V
from tests.ingest_builders import analyse, by_name, issue_keys, xlsx


@pytest.mark.parametrize("cell,expected", [
    ("20万元", (20.0, None)),
    ("1,400.1", (1400.1, None)),
    ("１，４００．１", (1400.1, None)),
    ("20000元", (2.0, None)),
    ("1.2亿元", (12000.0, None)),
    ("15（含设计费2万元）", (15.0, None)),
    ("约20万", (20.0, None)),
    (12.5, (12.5, None)),
    ("/", (None, None)),
    ("—", (None, None)),
    ("－", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
    ("待定", (None, "ing_w_amount_unreadable")),
    ("按实际结算", (None, "ing_w_amount_unreadable")),
    ("-5", (None, "ing_w_amount_negative")),
    ("20万元，其中帮扶10万元", (20.0, "ing_w_amount_extra")),
])
def test_amounts(cell, expected):
    assert V.parse_amount(cell) == expected


def test_amount_in_a_yuan_column():
    assert V.parse_amount(200000, 0.0001) == (20.0, None)
    assert V.parse_amount("20万元", 0.0001) == (20.0, None)  # the cell's own unit wins


@pytest.mark.parametrize("cell,start,end", [
    ("2022年3月", date(2022, 3, 1), date(2022, 3, 31)),
    ("2022.03", date(2022, 3, 1), date(2022, 3, 31)),
    (2022.03, date(2022, 3, 1), date(2022, 3, 31)),
    ("2022-3-15", date(2022, 3, 15), date(2022, 3, 15)),
    ("2022/03/15", date(2022, 3, 15), date(2022, 3, 15)),
    ("2022年3月15日", date(2022, 3, 15), date(2022, 3, 15)),
    (45352, date(2024, 3, 1), date(2024, 3, 1)),
    (45352.0, date(2024, 3, 1), date(2024, 3, 1)),
    ("3/15/2024", date(2024, 3, 15), date(2024, 3, 15)),
    ("2024年", date(2024, 1, 1), date(2024, 12, 31)),
    (2024, date(2024, 1, 1), date(2024, 12, 31)),
    ("20240315", date(2024, 3, 15), date(2024, 3, 15)),
    ("2024年6月到12月", date(2024, 6, 1), date(2024, 12, 31)),
    ("2024年6-12月", date(2024, 6, 1), date(2024, 12, 31)),
    ("2024.6-2024.12", date(2024, 6, 1), date(2024, 12, 31)),
    ("2024.06-12", date(2024, 6, 1), date(2024, 12, 31)),
    ("2024年6月至2025年3月", date(2024, 6, 1), date(2025, 3, 31)),
    ("2024-06-01~2024-12-31", date(2024, 6, 1), date(2024, 12, 31)),
    ("2024-2025年", date(2024, 1, 1), date(2025, 12, 31)),
    ("2024年下半年", date(2024, 7, 1), date(2024, 12, 31)),
    (date(2024, 5, 6), date(2024, 5, 6), date(2024, 5, 6)),
])
def test_dates_and_ranges(cell, start, end):
    assert V.parse_date_span(cell) == (start, end, None)


@pytest.mark.parametrize("cell", ["尽快", "2024年13月", "明年", 12.0])
def test_unreadable_dates_are_left_empty_with_a_problem(cell):
    assert V.parse_date_span(cell) == (None, None, "ing_w_date_unreadable")


@pytest.mark.parametrize("name,category,keyword", [
    ("石径村饮水安全巩固提升工程", "water_supply", "饮水"),
    ("新埠村集中供水管网改造", "water_supply", "供水管"),
    ("阳爱村自来水入户", "water_supply", "自来水"),
    ("成头冲村深水井", "water_supply", "深水井"),
    ("新埠村道路硬底化", "roads", "硬底化"),
    ("石径村机耕路建设", "roads", "机耕路"),
    ("阳爱村便民桥修建", "roads", "便民桥"),
    ("石径村公厕新建", "toilets", "厕"),
    ("新埠村雨污分流改造", "sewage", "雨污分流"),
    ("阳爱村生活污水处理设施", "sewage", "污水"),
    ("石径村撂荒地复耕", "farmland", "撂荒地"),
    ("新埠村高标准农田建设", "farmland", "高标准农田"),
    ("阳爱村灌溉水渠修复", "farmland", "灌溉"),
    ("石径村机耕路建设（复耕配套）", "farmland", "复耕"),  # the strong word beats the weak one
    ("新埠村村道亮化工程", "lighting", "亮化"),
    ("阳爱村党群服务中心升级改造", "public_service", "党群服务"),
])
def test_category_from_keywords_in_the_name(name, category, keyword):
    assert V.keyword_category(name) == (category, keyword)


def test_category_rule_names_the_evidence():
    assert V.classify_category("道路交通类", None, "某项目", None, None) == ("roads", ("column", "category", "道路交通类"))
    assert V.classify_category("撂荒地复耕/农田", None, None, None, None)[0] == "farmland"
    assert V.classify_category(None, "户厕改造", "某项目", None, None) == ("toilets", ("subcategory", "subcategory",
                                                                                  "户厕改造"))
    assert V.classify_category(None, None, "某项目", "新建蓄水池及饮水管道", None) == (
        "water_supply", ("keyword", "description", "蓄水池"))
    assert V.classify_category(None, None, "某项目", None, "二、产业发展") == ("industry", ("section", "section",
                                                                                  "二、产业发展"))
    assert V.classify_category(None, None, "某项目", None, None) == ("other", ("default", "", ""))
    assert V.rule_text(("keyword", "name", "饮水")) == "项目名称含「饮水」"
    assert V.rule_text(("keyword", "name", "饮水"), "en") == "Project name contains '饮水'"


@pytest.mark.parametrize("text,status", [
    ("在建", "in_progress"), ("施工中", "in_progress"), ("正在施工，完成60%", "in_progress"),
    ("已完工", "completed"), ("完工未验收", "completed"), ("已竣工验收", "accepted"), ("已验收", "accepted"),
    ("未开工", "planned"), ("储备", "planned"), ("已立项", "approved"), ("招投标", "tendering"),
    ("停工", "suspended"), ("Completed", "completed"), ("已完成", "completed"),
])
def test_status_from_synonyms(text, status):
    assert V.status_from_text(text)[0] == status


def test_counts_percent_scale_and_years():
    assert [V.parse_count(x)[0] for x in ("40户", "约200人", "1,200", "3000余人", 15.0)] == [40, 200, 1200, 3000, 15]
    assert V.parse_count("很多") == (None, "ing_w_number_unreadable")
    assert V.parse_percent("60%") == (60.0, None)
    assert V.parse_percent(0.6, fractions=True) == (60.0, None)
    assert V.parse_percent(120) == (None, "ing_w_percent_range")
    assert V.parse_scale("3.2公里") == (3.2, "公里")
    assert V.parse_scale("66处") == (66.0, "处")
    assert V.parse_year("2024年度") == (2024, None)


@pytest.mark.parametrize("header,field", [
    ("项目名称", "name"), ("建设地点", "place"), ("实施地点", "place"), ("项目地点", "place"),
    ("乡镇", "town"), ("镇街", "town"), ("镇(街道)", "town"), ("镇（街道）", "town"),
    ("村名", "village"), ("行政村", "village"), ("村", "village"),
    ("项目类别", "category"), ("项目类型", "category"), ("项目子类型", "subcategory"), ("建设性质", "nature"),
    ("建设内容", "description"), ("建设内容及规模", "description"),
    ("投资规模", "budget_wan"), ("总投资", "budget_wan"), ("投资概算", "budget_wan"), ("资金金额", "budget_wan"),
    ("资金规模", "budget_wan"), ("计划投入资金", "budget_wan"), ("补助金额", "budget_wan"),
    ("计划总投资（万元）", "budget_wan"),
    ("计划开工时间", "plan_start"), ("实施期限", "plan_period"), ("完成年限", "plan_end"),
    ("责任单位", "responsible_unit"), ("责任人", "responsible_person"),
    ("受益户数", "beneficiary_households"), ("受益人数", "beneficiaries"),
    ("经度", "lon"), ("纬度", "lat"), ("进度", "progress_pct"), ("状态", "status"),
    ("Project name", "name"), ("Budget", "budget_wan"), ("Longitude", "lon"), ("Town", "town"),
    ("县（市、区）", "county"), ("计划投资（万元）", "budget_wan"), ("建设规模", "scale"),
    ("资金来源/帮扶资金", "fund_assistance_wan"), ("资金来源/县", "fund_county_wan"),
    ("逾期", "ignore"),
])
def test_header_aliases(header, field):
    assert columns.match_header(header)[0] == field


# Places -----------------------------------------------------------------------
@pytest.mark.parametrize("cell,town,village", [
    ("寨岗镇石径村", "寨岗镇", "石径村"),
    ("东城街道莲塘村", "东城街道", "莲塘村"),
    ("寨岗镇 石径村委会", "寨岗镇", "石径村"),
    ("寨岗镇-石径", "寨岗镇", "石径村"),
])
def test_town_and_village_split_out_of_one_cell(cell, town, village):
    place = places.resolve(None, None, None, cell, None, None)
    assert (place.town, place.village, place.precision) == (town, village, "village")


def test_villages_match_on_their_stem():
    codes = {places.resolve(None, "寨岗镇", v, None, None, None).village_code for v in ("石径", "石径村", "石径村委会")}
    assert codes == {"441826102221"}


def test_village_point_and_town_point():
    town = next(t for t in geo.towns() if t.town == "寨岗镇")
    village = next(v for v in geo.villages() if v.village_code == "441826102221")
    place = places.resolve(None, "寨岗镇", "石径村", None, None, None)
    assert (place.lon, place.lat) == geo.village_point(town, village)
    unknown = places.resolve(None, "寨岗镇", "不存在村", None, None, None)
    assert (unknown.lon, unknown.lat, unknown.precision) == (town.lon, town.lat, "town")
    assert unknown.problems[0][0] == "ing_w_place_village_unknown"


def test_same_town_name_in_two_counties_is_keyed_by_county():
    qingxin = places.resolve("清新区", "太平镇", None, None, None, None)
    yangshan = places.resolve("阳山县", "太平镇", None, None, None, None)
    assert (qingxin.town_code, yangshan.town_code) == ("441803104000", "441823107000")
    assert places.resolve(None, "太平镇", "大楼村", None, None, None).county == "清新区"  # the village decides


def test_households_written_with_their_unit(mem_store):
    data = xlsx([["项目名称", "镇", "受益户数", "受益人数"], ["石径村户厕改造", "寨岗镇", "40户", "约160人"]])
    row = by_name(analyse(mem_store, data))["石径村户厕改造"]
    assert (row["beneficiary_households"], row["beneficiaries"], row["category"]) == (40, 160, "toilets")


# Coordinates ------------------------------------------------------------------
WGS = (112.30527, 24.557275)  # 石径村's point, inside 连南瑶族自治县


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09"])
def test_coordinates_are_converted_to_wgs84(mem_store, system):
    lon, lat = WGS
    if system == "gcj02":
        lon, lat = geo.wgs84_to_gcj02(*WGS)
    elif system == "bd09":
        lon, lat = geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(*WGS))
    data = xlsx([["项目名称", "镇", "经度", "纬度"], ["石径村饮水工程", "寨岗镇", lon, lat]])
    row = by_name(analyse(mem_store, data, coord_system=system))["石径村饮水工程"]
    assert row["lon"] == pytest.approx(WGS[0], abs=1e-6) and row["lat"] == pytest.approx(WGS[1], abs=1e-6)
    assert row["location_precision"] == "exact"


def test_coordinate_system_named_in_the_header(mem_store):
    lon, lat = geo.gcj02_to_bd09(*geo.wgs84_to_gcj02(*WGS))
    data = xlsx([["项目名称", "镇", "经度（百度）", "纬度（百度）"], ["石径村饮水工程", "寨岗镇", lon, lat]])
    row = by_name(analyse(mem_store, data))["石径村饮水工程"]
    assert row["lon"] == pytest.approx(WGS[0], abs=1e-6)


def test_swapped_coordinates_and_points_outside_their_county(mem_store):
    data = xlsx([["项目名称", "镇", "经度", "纬度"],
                 ["石径村饮水工程", "寨岗镇", WGS[1], WGS[0]],  # swapped
                 ["新埠村道路", "寨岗镇", 113.05, 23.73],  # in 清城区, not 连南
                 ["阳爱村路灯", "寨岗镇", 200, 100],  # nowhere
                 ["成头冲村路灯", "寨岗镇", "112°18'19\"", "24°33'26\""]])
    a = analyse(mem_store, data)
    rows = by_name(a)
    assert (rows["石径村饮水工程"]["lon"], rows["石径村饮水工程"]["lat"]) == WGS
    assert "lon" not in a.candidates[2].values and rows["阳爱村路灯"]["location_precision"] == "town"
    assert rows["成头冲村路灯"]["lon"] == pytest.approx(112.305278, abs=1e-6)
    assert issue_keys(a) == [(2, "C", "ing_w_coords_swapped"), (3, "C", "ing_w_point_outside_county"),
                             (4, "C", "ing_w_coords_invalid")]
    assert a.issues()[1].message() == "「项目表」 第3行 C列（经度）：坐标不在连南瑶族自治县范围内，请核对。"


def test_county_check_agrees_with_the_gazetteer_polygons():
    points = [(113.05, 23.73), (112.30527, 24.557275), (112.56, 24.25), (110.0, 20.0)]
    assert places.county_codes_of([p[0] for p in points], [p[1] for p in points]) == [
        geo.point_in_county(*p) for p in points]


def test_the_importer_does_not_import_the_demo_generator():
    import ast
    from pathlib import Path

    for path in Path("portfolio/ingest").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
                assert node.module != "portfolio.demo" and not (node.module == "portfolio" and "demo" in names), path


def test_simplified_chinese_is_zhconv_without_the_walk_when_nothing_changes():
    import random

    import zhconv
    from zhconv.zhconv import getdict

    from portfolio.ingest.values import simplified_chinese

    assert simplified_chinese("連南瑤族自治縣寨崗鎮") == "连南瑶族自治县寨岗镇"
    assert simplified_chinese("石径村饮水安全巩固提升工程") == "石径村饮水安全巩固提升工程"
    # A phrase changed although none of its characters is changed alone.
    phrase = next(k for k, v in getdict("zh-cn").items()
                  if len(k) > 1 and k != v and all(getdict("zh-cn").get(ch, ch) == ch for ch in k))
    assert simplified_chinese(f"石径{phrase}村") == zhconv.convert(f"石径{phrase}村", "zh-cn") != f"石径{phrase}村"
    keys, rng = list(getdict("zh-cn")), random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(keys) if rng.random() < 0.3 else chr(rng.randint(0x4E00, 0x9FA5))
                       for _ in range(rng.randint(1, 6)))
        assert simplified_chinese(text) == zhconv.convert(text, "zh-cn"), text
