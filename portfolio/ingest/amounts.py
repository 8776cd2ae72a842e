"""Money, counts, percentages and scale as town sheets write them.

Amounts end in 万元 (20万元, 1,400.1, 20000元 -> 2, 15（含设计费2万元） -> 15, / or — -> empty).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from portfolio.ingest.values import _AMOUNT_EMPTY, EMPTY_MARKERS, norm

# Numbers ---------------------------------------------------------------------
_UNIT_FACTORS = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "千元": 0.1, "元": 0.0001}
NUMBER = r"[-+]?\d+(?:\.\d+)?"
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_AMOUNT = re.compile(rf"^(?:约|计|共|合计|总计|小计|预计|估算|投资)?[:：]?({NUMBER})(亿元|亿|万元|万|千元|元)?")


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
    m = re.match(rf"^(?:约|共|计|受益)?({NUMBER})(万)?", s)
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
    m = re.fullmatch(rf"({NUMBER})", s)
    return float(m.group(1)) if m else None


@lru_cache(maxsize=65536)
def _percent_text(text: str) -> tuple[float | None, bool]:
    """(percent or None, had a % sign)."""
    s = norm(text)
    m = re.search(rf"({NUMBER})\s*%", s)
    if m:
        return float(m.group(1)), True
    m = re.fullmatch(rf"(?:完成|已完成|进度)?({NUMBER})", s)
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


# Scale -------------------------------------------------------------------------
_SCALE = re.compile(rf"^(?:约|共|计)?({NUMBER})\s*([^\d\s,，;；、]{{1,4}})?")
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
