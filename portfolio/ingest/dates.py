"""Dates as town sheets write them: Excel serials, 2022年3月, 2022.03, 2022-3-15, M/D/YYYY,
and ranges (2024年6月到12月 -> start and end)."""
from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from portfolio.ingest.values import is_empty_marker, norm

EXCEL_EPOCH = date(1899, 12, 30)


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
