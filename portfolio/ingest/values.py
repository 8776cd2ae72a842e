"""Cell values as town sheets write them -> typed values, with the rule that decided.

Amounts end in 万元 (20万元, 1,400.1, 20000元 -> 2, 15（含设计费2万元） -> 15, / or — -> empty);
dates come as Excel serials, 2022年3月, 2022.03, 2022-3-15, M/D/YYYY or ranges
(2024年6月到12月 -> start and end); categories and statuses come from synonyms and
from keywords in the name and content. A value that cannot be read is None plus a
problem key: never 0.
"""
from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import zhconv

from portfolio import vocab

EXCEL_EPOCH = date(1899, 12, 30)
_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r", "\n")
EMPTY_MARKERS = frozenset({"", "/", "-", "--", "—", "——", "–", "-", "无", "暂无", "空", "n/a", "na", "none",
                           "null", "\\", "…", "...", "×", "x", "?", "？", "待定"})
# 待定 is an empty marker only for text-like fields; amounts report it (see parse_amount).
_AMOUNT_EMPTY = EMPTY_MARKERS - {"待定", "?", "？", "x"}


# Text ------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Matching form: NFKC, traditional -> simplified, no whitespace, lower case."""
    simplified = zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn")
    return "".join(simplified.split()).lower()


def norm_cell(value: Any) -> str:
    """norm() of any cell ('' for empty)."""
    if value is None:
        return ""
    return norm(value if isinstance(value, str) else text_value(value) or "")


_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s*[\r\n]+\s*(?={_CJK})")
_SPACES = re.compile(r"\s+")


def text_value(value: Any) -> str | None:
    """Text of a cell as stored: trimmed, wrapped lines joined, integral numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # An apostrophe before a formula character is the export's guard against formulas.
    if text.startswith("'") and text[1:2] and text[1:].startswith(_FORMULA_CHARS):
        text = text[1:]
    text = _BREAK_BETWEEN_CJK.sub("", text.strip())
    text = _SPACES.sub(" ", text)
    return text or None


def is_empty_marker(value: Any) -> bool:
    return value is None or (isinstance(value, str) and norm(value) in EMPTY_MARKERS)


# Numbers ---------------------------------------------------------------------
_UNIT_FACTORS = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "千元": 0.1, "元": 0.0001}
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_AMOUNT = re.compile(rf"^(?:约|计|共|合计|总计|小计|预计|估算|投资)?[:：]?({_NUMBER})(亿元|亿|万元|万|千元|元)?")


def unit_factor(text: str) -> float | None:
    """Factor to 万元 named in a header or title: 元 -> 0.0001, 万元 -> 1, 亿元 -> 10000."""
    n = norm(text)
    for unit in ("亿元", "万元", "千元"):
        if unit in n:
            return _UNIT_FACTORS[unit]
    if re.search(r"(^|[(:：/单位])元($|[)/])", n) or n.endswith("元"):
        return _UNIT_FACTORS["元"]
    return None


@lru_cache(maxsize=65536)
def _parse_amount_text(text: str) -> tuple[float | None, str | None, str | None]:
    """(number, unit or None, problem key or None) of an amount written as text."""
    s = norm(text)
    if s in _AMOUNT_EMPTY:
        return None, None, None
    s = _THOUSANDS.sub("", s.replace("，", ","))
    m = _AMOUNT.match(s)
    if not m:
        return None, None, "ing_w_amount_unreadable"
    number = float(m.group(1))
    rest = _PARENS.sub("", s[m.end():])
    problem = "ing_w_amount_extra" if re.search(r"\d", rest) else None
    return number, m.group(2), problem


def parse_amount(value: Any, factor: float = 1.0) -> tuple[float | None, str | None]:
    """(万元 or None, problem key or None). `factor` converts the column's unit to 万元."""
    if value is None or isinstance(value, bool):
        return None, None if value is None else "ing_w_amount_unreadable"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None, "ing_w_amount_unreadable"
        number, unit, problem = float(value), None, None
    elif isinstance(value, (date, datetime, timedelta)):
        return None, "ing_w_amount_unreadable"
    else:
        number, unit, problem = _parse_amount_text(str(value))
        if number is None:
            return None, problem
    if number < 0:
        return None, "ing_w_amount_negative"
    wan = number * (_UNIT_FACTORS[unit] if unit else factor)
    return round(wan, 6), problem


@lru_cache(maxsize=65536)
def _parse_count_text(text: str) -> tuple[float | None, str | None]:
    s = norm(text)
    if s in EMPTY_MARKERS:
        return None, None
    s = _THOUSANDS.sub("", s)
    m = re.match(rf"^(?:约|共|计|受益)?({_NUMBER})(万)?", s)
    if not m:
        return None, "ing_w_number_unreadable"
    number = float(m.group(1)) * (10000 if m.group(2) else 1)
    return number, None


def parse_count(value: Any) -> tuple[int | None, str | None]:
    """Households or people: 40户, 约200人, 1,200, 3000余人 -> int."""
    if value is None:
        return None, None
    if isinstance(value, bool) or isinstance(value, (date, datetime)):
        return None, "ing_w_number_unreadable"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, "ing_w_number_unreadable"
        number = float(value)
    else:
        number, problem = _parse_count_text(str(value))
        if number is None:
            return None, problem
    if number < 0 or number > 1e9:
        return None, "ing_w_number_unreadable"
    return int(round(number)), None


def parse_float(value: Any) -> float | None:
    """A plain number (coordinates, scale): numbers, or text holding one number."""
    if value is None or isinstance(value, bool) or isinstance(value, (date, datetime)):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(float(value)) else None
    s = _THOUSANDS.sub("", norm(str(value)))
    m = re.fullmatch(rf"({_NUMBER})", s)
    return float(m.group(1)) if m else None


_DMS = re.compile(r"^(\d+(?:\.\d+)?)°(?:(\d+(?:\.\d+)?)['′])?(?:(\d+(?:\.\d+)?)(?:\"|″|''))?([nsewNSEW东西南北])?$")


def parse_coordinate(value: Any) -> float | None:
    """Decimal degrees, or degrees-minutes-seconds (113°02'30")."""
    number = parse_float(value)
    if number is not None or value is None or not isinstance(value, str):
        return number
    s = unicodedata.normalize("NFKC", value).replace(" ", "")
    m = _DMS.match(s)
    if not m:
        m2 = re.match(rf"^(?:[东西南北]经|[东西南北]纬|e|n)?({_NUMBER})°?$", s, re.IGNORECASE)
        return float(m2.group(1)) if m2 else None
    degrees = float(m.group(1)) + float(m.group(2) or 0) / 60 + float(m.group(3) or 0) / 3600
    return -degrees if (m.group(4) or "") in ("s", "S", "w", "W", "西", "南") else degrees


def parse_coordinate_pair(value: Any) -> tuple[float | None, float | None]:
    """A single cell holding both: '113.02,23.71' or '23.71, 113.02' (order fixed later)."""
    if value is None:
        return None, None
    s = unicodedata.normalize("NFKC", str(value))
    numbers = re.findall(r"\d+(?:\.\d+)?", s)
    if len(numbers) != 2:
        return None, None
    return float(numbers[0]), float(numbers[1])


@lru_cache(maxsize=65536)
def _percent_text(text: str) -> tuple[float | None, bool]:
    """(percent or None, had a % sign)."""
    s = norm(text)
    m = re.search(rf"({_NUMBER})\s*%", s)
    if m:
        return float(m.group(1)), True
    m = re.fullmatch(rf"(?:完成|已完成|进度)?({_NUMBER})", s)
    if m:
        return float(m.group(1)), False
    return None, False


def parse_percent(value: Any, fractions: bool = False) -> tuple[float | None, str | None]:
    """Progress in percent (0-100). `fractions`: the column holds 0-1 values (Excel percent cells)."""
    if value is None or isinstance(value, bool) or isinstance(value, (date, datetime)):
        return None, None
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return None, "ing_w_percent_unreadable"
        if fractions:
            number *= 100
    else:
        number, _ = _percent_text(str(value))
        if number is None:
            return None, None  # a text progress ("正在施工") informs the status instead
    if number < 0 or number > 100:
        return None, "ing_w_percent_range"
    return round(number, 4), None


# Dates -----------------------------------------------------------------------
def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid_year(year: int) -> bool:
    return 1990 <= year <= 2100


def excel_serial(number: float) -> date | None:
    if 20000 <= number <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(number))
    return None


_HALF = {"上半年": (1, 6), "下半年": (7, 12), "年初": (1, 1), "年底": (12, 12), "年末": (12, 12),
         "一季度": (1, 3), "二季度": (4, 6), "三季度": (7, 9), "四季度": (10, 12),
         "第一季度": (1, 3), "第二季度": (4, 6), "第三季度": (7, 9), "第四季度": (10, 12)}


def _point(s: str, default_year: int | None = None) -> tuple[date, date] | None:
    """One date expression -> (first day, last day) of what it names (a day, a month, a year)."""
    s = s.strip().rstrip("前止")
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})(?:年|年度)?", s)
    if m:
        return _ymd(int(m.group(1)), None, None)
    m = re.fullmatch(r"(\d{4})年?(?:度)?(上半年|下半年|年初|年底|年末|第?[一二三四]季度)", s)
    if m and _valid_year(int(m.group(1))):
        y = int(m.group(1))
        a, b = _HALF[m.group(2)]
        return date(y, a, 1), _month_end(y, b)
    m = re.fullmatch(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号]?)?)?(?:度)?", s) \
        or re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", s)
    if m:
        y = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
        return _ymd(y, month, day)
    # One separator throughout: 2022-3-15, 2022/03/15, 2022.03 (2024.06-12 is a range, not a day).
    m = re.fullmatch(r"(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2}))?(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", s)
    if m:
        return _ymd(int(m.group(1)), int(m.group(3)), int(m.group(4)) if m.group(4) else None)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)  # M/D/YYYY (US Excel display)
    if m:
        return _ymd(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"(\d{1,2})月(?:(\d{1,2})[日号]?)?", s)  # the right side of 2024年6月到12月
    if m and default_year:
        return _ymd(default_year, int(m.group(1)), int(m.group(2)) if m.group(2) else None)
    m = re.fullmatch(r"(\d{1,2})", s)
    if m and default_year:
        return _ymd(default_year, int(m.group(1)), None)
    return None


def _ymd(y: int, month: int | None, day: int | None) -> tuple[date, date] | None:
    if not _valid_year(y):
        return None
    if month is None:
        return date(y, 1, 1), date(y, 12, 31)
    if not 1 <= month <= 12:
        return None
    if day is None:
        return date(y, month, 1), _month_end(y, month)
    try:
        d = date(y, month, day)
    except ValueError:
        return None
    return d, d


_RANGE_SPLIT = re.compile(r"\s*(?:到|至|~|〜|～|—|–|－|--|-(?=\d{4}|\d{1,2}月)|-(?=\d{1,2}$))\s*")


@lru_cache(maxsize=65536)
def _date_text(text: str) -> tuple[date | None, date | None, bool]:
    """(start, end, is_range) of a date or date range written as text."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = re.sub(r"\s+", " ", s)
    single = _point(s)
    if single:
        return single[0], single[1], False
    s = s.replace(" ", "")
    # 2024年6-12月: the month range shares the year.
    m = re.fullmatch(r"(\d{4})年(\d{1,2})(?:月)?[-~至到—–](\d{1,2})月", s)
    if m:
        y = int(m.group(1))
        a, b = _ymd(y, int(m.group(2)), None), _ymd(y, int(m.group(3)), None)
        if a and b:
            return a[0], b[1], True
    # 2024-2025年, 2024年-2025年
    m = re.fullmatch(r"(\d{4})年?[-~至到—–](\d{4})年?(?:度)?", s)
    if m:
        a, b = _ymd(int(m.group(1)), None, None), _ymd(int(m.group(2)), None, None)
        if a and b:
            return a[0], b[1], True
    parts = _RANGE_SPLIT.split(s, maxsplit=1)
    if len(parts) == 2:
        left = _point(parts[0])
        if left:
            right = _point(parts[1], default_year=left[0].year)
            if right:
                return left[0], right[1], True
    return None, None, False


def parse_date_span(value: Any) -> tuple[date | None, date | None, str | None]:
    """(start, end, problem key). A month gives its first and last day; a range its two ends."""
    if value is None:
        return None, None, None
    if isinstance(value, datetime):
        return value.date(), value.date(), None
    if isinstance(value, date):
        return value, value, None
    if isinstance(value, bool):
        return None, None, "ing_w_date_unreadable"
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            return None, None, "ing_w_date_unreadable"
        if number.is_integer() and _valid_year(int(number)):
            return date(int(number), 1, 1), date(int(number), 12, 31), None
        serial = excel_serial(number)
        if serial:
            return serial, serial, None
        if 1990 < number < 2101:
            # 2022.03 typed into a number cell arrives as the float 2022.03.
            text = f"{number:.2f}".rstrip("0").rstrip(".") if round(number, 2) == number else repr(number)
            start, end, _ = _date_text(text)
            if start:
                return start, end, None
        text = str(int(number)) if number.is_integer() else repr(number)
        start, end, _ = _date_text(text)
        if start:
            return start, end, None
        return None, None, "ing_w_date_unreadable"
    if is_empty_marker(value):
        return None, None, None
    start, end, _ = _date_text(str(value))
    if start is None:
        return None, None, "ing_w_date_unreadable"
    return start, end, None


def parse_year(value: Any) -> tuple[int | None, str | None]:
    """年度: 2024, '2024年', '2024年度'."""
    if value is None:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and _valid_year(int(value)):
            return int(value), None
        return None, "ing_w_year_unreadable"
    if isinstance(value, (date, datetime)):
        return value.year, None
    m = re.search(r"(19\d{2}|20\d{2}|2100)", norm(str(value)))
    if m:
        return int(m.group(1)), None
    return (None, None) if is_empty_marker(value) else (None, "ing_w_year_unreadable")


# Scale -------------------------------------------------------------------------
_SCALE = re.compile(rf"^(?:约|共|计)?({_NUMBER})\s*([^\d\s,，;；、]{{1,4}})?")
SCALE_UNITS = ("公里", "千米", "km", "米", "m", "处", "亩", "户", "盏", "座", "个", "套", "宗", "间", "项",
               "平方米", "㎡", "m2", "立方米", "m3", "吨", "口", "座", "条", "宗", "眼", "台", "家", "人", "公顷")


def parse_scale(value: Any) -> tuple[float | None, str | None]:
    """3.2公里 -> (3.2, '公里'); 66 -> (66, None)."""
    if value is None:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (float(value), None) if math.isfinite(float(value)) else (None, None)
    s = unicodedata.normalize("NFKC", str(value)).strip()
    s = _THOUSANDS.sub("", s)
    m = _SCALE.match(s)
    if not m:
        return None, None
    unit = m.group(2)
    if unit:
        unit = next((u for u in sorted(SCALE_UNITS, key=len, reverse=True) if unit.startswith(u)), unit)
    return float(m.group(1)), unit


# Vocabulary ------------------------------------------------------------------
def _strip_affixes(s: str) -> str:
    for suffix in ("项目类", "工程类", "项目", "工程", "类", "建设"):
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
    return s


@lru_cache(maxsize=1)
def category_lookup() -> dict[str, str]:
    """Every way a sheet names a category (normalised) -> code: codes, labels, synonyms."""
    table: dict[str, str] = {}
    for c in vocab.CATEGORIES:
        for label in (c.code, c.zh, c.en, c.zh.replace("/", "")):
            table[norm(label)] = c.code
        for part in c.zh.split("/"):
            table.setdefault(norm(part), c.code)
    for word, code in vocab.CATEGORY_SYNONYMS.items():
        table[norm(word)] = code
    extra = {"农村供水": "water_supply", "饮水工程": "water_supply", "安全饮水": "water_supply",
             "农村道路": "roads", "村道": "roads", "桥梁": "roads", "交通设施": "roads",
             "农村厕所": "toilets", "改厕": "toilets", "农村污水": "sewage", "农村生活污水": "sewage",
             "撂荒地": "farmland", "农田水利设施": "farmland", "水利": "farmland", "农业": "farmland",
             "太阳能路灯": "lighting", "环境整治": "environment", "人居环境整治": "environment",
             "村庄环境": "environment", "产业项目": "industry", "产业类": "industry", "特色产业": "industry",
             "公共服务设施": "public_service", "公益事业": "public_service", "基础设施": "", "其它类": "other"}
    for word, code in extra.items():
        if code:
            table.setdefault(norm(word), code)
    return table


# Keywords that only decide when no other keyword matches (they ride along with other works).
WEAK_KEYWORDS = frozenset({"管网", "村道", "机耕路", "桥", "道路", "广场", "基地", "水利", "渠道", "公园", "生产路"})
_EXTRA_KEYWORDS: dict[str, tuple[str, ...]] = {
    "water_supply": ("供水管", "水源", "饮用水"),
    "roads": ("便民桥", "桥梁", "漫水桥", "人行桥", "道路硬化", "村道硬化", "硬化"),
    "toilets": ("化粪",),
    "sewage": ("污水管", "排污", "截污"),
    "farmland": ("撂荒地", "耕地", "农田水利"),
}


@lru_cache(maxsize=1)
def _keyword_table() -> tuple[tuple[str, str, bool], ...]:
    """(keyword, category, is_weak), longest keywords first."""
    rows: dict[str, tuple[str, bool]] = {}
    for c in vocab.CATEGORIES:
        for kw in c.keywords + _EXTRA_KEYWORDS.get(c.code, ()):
            rows.setdefault(norm(kw), (c.code, kw in WEAK_KEYWORDS))
    return tuple(sorted(((kw, code, weak) for kw, (code, weak) in rows.items()), key=lambda r: -len(r[0])))


@lru_cache(maxsize=65536)
def keyword_category(text: str) -> tuple[str, str] | None:
    """(category, keyword) from words in a name or content: a strong keyword, earliest in the text, wins."""
    s = norm(text)
    best: tuple[bool, int, int, str, str] | None = None
    for kw, code, weak in _keyword_table():
        pos = s.find(kw)
        if pos < 0:
            continue
        rank = (weak, pos, -len(kw), code, kw)
        if best is None or rank < best:
            best = rank
    return (best[3], best[4]) if best else None


@lru_cache(maxsize=65536)
def category_from_label(text: str) -> tuple[str, str] | None:
    """(category, how) from a category cell: 'synonym' on an exact name, 'keyword' on a word in it."""
    s = norm(text)
    if not s:
        return None
    s = re.sub(r"^[0-9一二三四五六七八九十]+[、.]", "", s)
    table = category_lookup()
    for candidate in (s, _strip_affixes(s), s.split("/")[0], s.split("-")[0]):
        if candidate in table:
            return table[candidate], "synonym"
    hit = keyword_category(s)
    if hit:
        return hit[0], "keyword"
    for word, code in sorted(table.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 2 and word in s:
            return code, "synonym"
    return None


def classify_category(category_cell: str | None, subcategory_cell: str | None, name: str | None,
                      description: str | None, section: str | None) -> tuple[str, tuple[str, str, str]]:
    """(code, rule). The rule names the evidence: (source, field, word); sources:
    column (the category cell), subcategory, keyword (in name or content), section (heading row), default."""
    if category_cell:
        hit = category_from_label(category_cell)
        if hit:
            return hit[0], ("column", "category", category_cell)
    if subcategory_cell:
        hit = category_from_label(subcategory_cell)
        if hit:
            return hit[0], ("subcategory", "subcategory", subcategory_cell)
    for field_name, text in (("name", name), ("description", description)):
        if text:
            hit = keyword_category(text)
            if hit:
                return hit[0], ("keyword", field_name, hit[1])
    if section:
        hit = category_from_label(section)
        if hit:
            return hit[0], ("section", "section", section)
    return "other", ("default", "", "")


@lru_cache(maxsize=1)
def status_lookup() -> dict[str, str]:
    table = {norm(k): v for k, v in vocab.STATUS_SYNONYMS.items()}
    for s in vocab.STATUSES:
        for label in (s.code, s.zh, s.en):
            table[norm(label)] = s.code
    extra = {"未启动": "planned", "待建": "planned", "拟建": "planned", "前期工作": "planned", "谋划中": "planned",
             "已招标": "tendering", "招投标中": "tendering", "采购中": "tendering", "正在招标": "tendering",
             "开工": "in_progress", "正在建设": "in_progress", "在建中": "in_progress", "进行中": "in_progress",
             "已完工未验收": "completed", "基本完工": "completed", "已建成": "completed", "建成": "completed",
             "已竣工": "completed", "完工待验收": "completed", "已完工待验收": "completed",
             "已验收完成": "accepted", "通过验收": "accepted", "已通过验收": "accepted", "已交付": "accepted",
             "暂缓": "suspended", "已停工": "suspended", "搁置": "suspended"}
    for word, code in extra.items():
        table.setdefault(norm(word), code)
    return table


@lru_cache(maxsize=65536)
def status_from_text(text: str) -> tuple[str, str] | None:
    """(status, matched word) from a status or progress cell: exact name first, then the longest word in it."""
    s = norm(text)
    if not s:
        return None
    table = status_lookup()
    if s in table:
        return table[s], s
    # "未验收" must not read as 验收; "未完工" not as 完工.
    cleaned = re.sub(r"(未|待|尚未|没有)(验收|完工|完成|竣工|开工|施工|立项|招标)", "", s)
    for word in sorted(table, key=len, reverse=True):
        if len(word) >= 2 and word in cleaned:
            return table[word], word
    if re.search(r"(未|尚未)(开工|施工|启动)", s):
        return "planned", "未开工"
    return None


_NATURES = {"新建": "新建", "续建": "续建", "改扩建": "改扩建", "改建": "改扩建", "扩建": "改扩建", "改造": "改扩建",
            "提升": "改扩建", "升级改造": "改扩建", "维修": "维修", "修缮": "维修", "维护": "维修", "修复": "维修",
            "new": "新建", "continued": "续建", "expansion": "改扩建", "repair": "维修"}


def parse_nature(value: Any) -> tuple[str | None, str | None]:
    """建设性质 -> one of vocab.NATURES (or the text as written, with a problem key)."""
    text = text_value(value)
    if not text:
        return None, None
    s = norm(text)
    if s in _NATURES:
        return _NATURES[s], None
    for word in sorted(_NATURES, key=len, reverse=True):
        if word in s:
            return _NATURES[word], None
    return text, "ing_w_nature_unknown"


@lru_cache(maxsize=1)
def area_lookup() -> dict[str, str]:
    table = {}
    for a in vocab.AREAS:
        for label in (a.code, a.zh, a.en):
            table[norm(label)] = a.code
    table.update({norm("产业发展"): "industry", norm("基础设施"): "infrastructure",
                  norm("公共服务"): "public_service", norm("乡村风貌"): "appearance",
                  norm("基层党建"): "party_building", norm("党建"): "party_building"})
    return table


def parse_area(value: Any) -> str | None:
    text = text_value(value)
    if not text:
        return None
    s = re.sub(r"^[0-9一二三四五六七八九十]+[、.]", "", norm(text))
    table = area_lookup()
    if s in table:
        return table[s]
    for word in sorted(table, key=len, reverse=True):
        if len(word) >= 2 and word in s:
            return table[word]
    return None


def rule_text(rule: tuple[str, str, str], lang: str = "zh") -> str:
    """How a category was decided, in words: 类别列「道路」, 项目名称含「饮水」, 默认（其他）."""
    from portfolio.i18n import t

    source, field_name, word = rule
    return t(f"ing_rule_{source}", lang, word=word, field=t(f"ing_fld_{field_name}", lang) if field_name else "")
