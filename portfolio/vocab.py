"""Controlled vocabulary: categories, statuses, funding sources, programme areas.

Codes are stable English identifiers stored in the database; labels, colours and
synonyms live here so that every chart, map, legend and importer agrees.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    color: str  # hex, from the Okabe-Ito / Tol palettes (colour-blind safe)
    area: str  # programme area code (六个方面)
    keywords: tuple[str, ...] = field(default=())  # words in a name/content that imply it


# The first five are the core of the library and lead every chart.
CATEGORIES: tuple[Category, ...] = (
    Category("water_supply", "供水", "Water supply", "#0072B2", "infrastructure",
             ("饮水", "供水", "自来水", "深水井", "水井", "水厂", "蓄水池", "引水", "水质", "安全饮水")),
    Category("roads", "道路", "Roads", "#E69F00", "infrastructure",
             ("硬底化", "道路", "机耕路", "公路", "桥", "路面", "村道", "巷道", "步道", "生产路")),
    Category("toilets", "厕所", "Toilets", "#CC79A7", "appearance",
             ("厕",)),
    Category("sewage", "污水治理", "Sewage", "#56B4E9", "infrastructure",
             ("污水", "雨污分流", "化粪池", "氧化塘", "管网")),
    Category("farmland", "撂荒地复耕/农田", "Farmland", "#009E73", "industry",
             ("撂荒", "复耕", "高标准农田", "水渠", "灌溉", "农田", "陂头", "水利", "渠道")),
    Category("lighting", "路灯", "Street lights", "#F0E442", "infrastructure",
             ("路灯", "太阳能灯", "照明", "亮化")),
    Category("environment", "人居环境", "Living environment", "#D55E00", "appearance",
             ("人居环境", "风貌", "绿化", "美化", "三清三拆", "垃圾", "村容", "立面", "广场", "公园")),
    Category("industry", "产业发展", "Industry", "#882255", "industry",
             ("产业", "种植", "养殖", "加工", "合作社", "基地", "旅游", "电商", "茶")),
    Category("public_service", "公共服务", "Public services", "#332288", "public_service",
             ("学校", "卫生站", "卫生院", "文化室", "活动中心", "养老", "幼儿园", "党群服务", "便民")),
    Category("other", "其他", "Other", "#999999", "other", ()),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}
CATEGORY_CODES = tuple(c.code for c in CATEGORIES)

# Extra names a sheet may use for a category (matched after NFKC + simplification).
CATEGORY_SYNONYMS: dict[str, str] = {
    "供水": "water_supply", "饮水": "water_supply", "饮水安全": "water_supply", "供水工程": "water_supply",
    "道路": "roads", "交通": "roads", "道路交通": "roads", "机耕路": "roads", "道路硬底化": "roads",
    "厕所": "toilets", "户厕": "toilets", "户厕改造": "toilets", "公厕": "toilets", "厕所革命": "toilets",
    "污水": "sewage", "污水治理": "sewage", "污水处理": "sewage", "生活污水": "sewage",
    "农田": "farmland", "撂荒地复耕": "farmland", "复耕": "farmland", "农田水利": "farmland", "高标准农田": "farmland",
    "路灯": "lighting", "照明": "lighting", "亮化": "lighting",
    "人居环境": "environment", "村容村貌": "environment", "风貌": "environment", "乡村风貌": "environment",
    "产业": "industry", "产业发展": "industry", "乡村产业": "industry",
    "公共服务": "public_service", "教育": "public_service", "医疗": "public_service", "文化": "public_service",
    "其他": "other", "其它": "other",
}


@dataclass(frozen=True)
class Status:
    code: str
    zh: str
    en: str
    color: str  # grey (储备) through blue to green (已验收)
    started: bool  # counts toward 开工率
    finished: bool  # counts toward 完工率


# Lifecycle order.
STATUSES: tuple[Status, ...] = (
    Status("planned", "储备", "Planned", "#BDBDBD", False, False),
    Status("approved", "已立项", "Approved", "#A6BDDB", False, False),
    Status("tendering", "招投标", "Tendering", "#74A9CF", False, False),
    Status("in_progress", "在建", "In progress", "#2B8CBE", True, False),
    Status("completed", "已完工", "Completed", "#66BD63", True, True),
    Status("accepted", "已验收", "Accepted", "#1A9850", True, True),
    Status("suspended", "暂停", "Suspended", "#FDAE61", True, False),
)
STATUS_BY_CODE = {s.code: s for s in STATUSES}
STATUS_CODES = tuple(s.code for s in STATUSES)
STARTED_STATUS_CODES = tuple(s.code for s in STATUSES if s.started)
FINISHED_STATUS_CODES = tuple(s.code for s in STATUSES if s.finished)

STATUS_SYNONYMS: dict[str, str] = {
    "储备": "planned", "谋划": "planned", "未开工": "planned", "计划": "planned", "前期": "planned", "规划": "planned",
    "立项": "approved", "已立项": "approved", "已批复": "approved",
    "招投标": "tendering", "招标": "tendering", "招标中": "tendering", "采购": "tendering",
    "在建": "in_progress", "施工": "in_progress", "施工中": "in_progress", "已开工": "in_progress",
    "建设中": "in_progress", "推进中": "in_progress", "实施中": "in_progress", "正在施工": "in_progress",
    "完工": "completed", "已完工": "completed", "竣工": "completed", "已完成": "completed", "完成": "completed",
    "验收": "accepted", "已验收": "accepted", "已竣工验收": "accepted", "竣工验收": "accepted",
    "暂停": "suspended", "停工": "suspended", "停滞": "suspended", "中止": "suspended",
}


@dataclass(frozen=True)
class FundSource:
    code: str
    zh: str
    en: str
    column: str  # column in `projects`


FUND_SOURCES: tuple[FundSource, ...] = (
    FundSource("central", "中央资金", "Central", "fund_central_wan"),
    FundSource("provincial", "省级资金", "Provincial", "fund_provincial_wan"),
    FundSource("city", "市级资金", "City", "fund_city_wan"),
    FundSource("county", "县级资金", "County", "fund_county_wan"),
    FundSource("assistance", "帮扶资金", "Assistance", "fund_assistance_wan"),
    FundSource("social", "社会资金", "Social", "fund_social_wan"),
)
FUND_SOURCE_CODES = tuple(f.code for f in FUND_SOURCES)


@dataclass(frozen=True)
class ProgrammeArea:
    code: str
    zh: str
    en: str


# The programme's six areas (六个方面) plus a bucket for the rest.
AREAS: tuple[ProgrammeArea, ...] = (
    ProgrammeArea("anti_relapse", "防止返贫致贫", "Anti-relapse support"),
    ProgrammeArea("industry", "乡村产业发展", "Rural industry"),
    ProgrammeArea("infrastructure", "公共基础设施建设", "Infrastructure"),
    ProgrammeArea("public_service", "公共服务能力提升", "Public services"),
    ProgrammeArea("appearance", "乡村风貌带建设", "Village appearance"),
    ProgrammeArea("party_building", "农村基层党建", "Party building"),
    ProgrammeArea("other", "其他", "Other"),
)
AREA_BY_CODE = {a.code: a for a in AREAS}

NATURES = ("新建", "续建", "改扩建", "维修")

LOCATION_PRECISIONS = ("exact", "village", "town", "county", "none")


def label(kind: str, code: str | None, lang: str = "zh") -> str:
    """Label of a category/status/source/area code in the given language."""
    table = {"category": CATEGORY_BY_CODE, "status": STATUS_BY_CODE, "area": AREA_BY_CODE,
             "source": {f.code: f for f in FUND_SOURCES}}[kind]
    item = table.get(code or "")
    if item is None:
        return code or ""
    return item.zh if lang == "zh" else item.en


def category_color(code: str) -> str:
    return CATEGORY_BY_CODE.get(code, CATEGORY_BY_CODE["other"]).color


def status_color(code: str) -> str:
    return STATUS_BY_CODE.get(code, STATUS_BY_CODE["planned"]).color


def hex_to_rgb(color: str) -> list[int]:
    color = color.lstrip("#")
    return [int(color[i:i + 2], 16) for i in (0, 2, 4)]
