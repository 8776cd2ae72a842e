"""The demo portfolio's shape: the assisted towns and their Guangzhou partners, and per category the
share, budget, people, scale and name templates, calibrated on published figures (see portfolio/demo.py)."""
from __future__ import annotations

from dataclasses import dataclass

from portfolio import geo

# (county code, town) of the 24 assisted towns; the first 13 are named in published reports.
ASSISTED_TOWNS: tuple[tuple[str, str], ...] = (
    ("441826", "寨岗镇"), ("441826", "大麦山镇"),
    ("441823", "小江镇"), ("441823", "大崀镇"), ("441823", "太平镇"), ("441823", "七拱镇"),
    ("441825", "太保镇"), ("441825", "永和镇"),
    ("441821", "迳头镇"),
    ("441881", "西牛镇"),
    ("441882", "连州镇"), ("441882", "大路边镇"), ("441882", "九陂镇"),
    ("441826", "三江镇"), ("441823", "黎埠镇"), ("441825", "吉田镇"), ("441821", "水头镇"),
    ("441881", "九龙镇"), ("441881", "青塘镇"), ("441881", "黄花镇"), ("441882", "西岸镇"),
    ("441803", "石潭镇"), ("441803", "浸潭镇"), ("441803", "太平镇"),
)
# Guangzhou units paired with each county (illustrative, part of the demo).
ASSISTING_UNITS = {
    "441826": "广州市黄埔区", "441823": "广州市天河区", "441825": "广州市越秀区",
    "441821": "广州市海珠区", "441881": "广州市番禺区", "441882": "广州市白云区",
    "441803": "广州市荔湾区",
}
VILLAGES_PER_TOWN = 14


@dataclass(frozen=True)
class CategoryProfile:
    share: float  # of all projects
    budget_wan: float  # median budget per project
    spread: float  # lognormal sigma
    people: float  # median beneficiaries per project
    unit: str
    qty: tuple[float, float]  # uniform range of the scale quantity
    templates: tuple[str, ...]
    subcategories: tuple[str, ...]


PROFILES: dict[str, CategoryProfile] = {
    "water_supply": CategoryProfile(0.14, 14.5, 0.55, 760, "处", (1, 4),
        ("{v}饮水安全巩固提升工程", "{v}集中供水管网改造", "{v}深水井及蓄水池建设", "{v}自来水入户工程"),
        ("集中供水", "管网改造", "水源工程")),
    "roads": CategoryProfile(0.15, 13.0, 0.5, 500, "公里", (0.5, 4.5),
        ("{v}至{w}道路硬底化工程", "{v}机耕路建设", "{v}村道拓宽改造", "{v}生产便道硬化", "{v}便民桥修建"),
        ("村道硬底化", "机耕路", "桥梁")),
    "toilets": CategoryProfile(0.11, 12.0, 0.45, 160, "户", (20, 80),
        ("{v}户厕改造", "{v}公共厕所新建", "{v}农村厕所革命整村推进"),
        ("户厕改造", "公厕")),
    "sewage": CategoryProfile(0.1, 45.0, 0.6, 600, "处", (1, 3),
        ("{v}生活污水处理设施建设", "{v}雨污分流管网工程", "{v}污水处理氧化塘建设"),
        ("污水处理设施", "管网")),
    "farmland": CategoryProfile(0.145, 5.8, 0.6, 220, "亩", (40, 160),
        ("{v}撂荒地复耕灌溉水渠修复", "{v}机耕路建设（复耕配套）", "{v}高标准农田陂头修缮", "{v}撂荒地复耕复种"),
        ("灌溉水渠", "机耕路", "复耕复种")),
    "lighting": CategoryProfile(0.08, 7.2, 0.35, 450, "盏", (8, 22),
        ("{v}太阳能路灯安装", "{v}村道亮化工程"),
        ("太阳能路灯",)),
    "environment": CategoryProfile(0.12, 55.0, 0.7, 900, "处", (1, 6),
        ("{v}人居环境整治（三清三拆）", "{v}乡村风貌提升工程", "{v}村口广场及绿化美化", "{v}垃圾收集点建设"),
        ("风貌提升", "三清三拆", "绿化美化")),
    "industry": CategoryProfile(0.08, 45.0, 0.8, 300, "亩", (30, 300),
        ("{v}茶叶种植基地建设", "{v}特色农产品加工厂房", "{v}村集体合作社养殖项目", "{v}乡村旅游配套设施"),
        ("种植", "加工", "养殖", "乡村旅游")),
    "public_service": CategoryProfile(0.05, 35.0, 0.6, 1200, "处", (1, 2),
        ("{v}党群服务中心升级改造", "{v}卫生站标准化建设", "{v}文化活动室建设", "{v}幼儿园改造"),
        ("党群服务", "医疗卫生", "文化教育")),
    "other": CategoryProfile(0.025, 10.0, 0.6, 200, "项", (1, 1),
        ("{v}应急避险场所建设", "{v}村务公开栏更新"),
        ("其他",)),
}
NATURE_WEIGHTS = (0.7, 0.08, 0.17, 0.05)  # 新建 续建 改扩建 维修
YEARS = (2022, 2023, 2024, 2025, 2026)
YEAR_WEIGHTS = (0.06, 0.1, 0.18, 0.3, 0.36)


def assisted_places(all_towns: bool = False) -> tuple[list[geo.Town], dict[str, list[geo.Village]]]:
    """The towns of the demo and the villages chosen in each (deterministic)."""
    by_key = {(t.county_code, t.town): t for t in geo.towns()}
    towns = list(geo.towns()) if all_towns else [by_key[k] for k in ASSISTED_TOWNS]
    villages_by_town: dict[str, list[geo.Village]] = {}
    for v in geo.villages():
        villages_by_town.setdefault(v.town_code, []).append(v)
    chosen: dict[str, list[geo.Village]] = {}
    for t in towns:
        candidates = [v for v in villages_by_town.get(t.town_code, []) if v.village.endswith("村委会")]
        candidates = candidates or villages_by_town.get(t.town_code, [])
        candidates.sort(key=lambda v: geo.stable_unit(v.village_code))
        limit = len(candidates) if all_towns else VILLAGES_PER_TOWN
        chosen[t.town_code] = sorted(candidates[:limit], key=lambda v: v.village_code)
    return towns, chosen
