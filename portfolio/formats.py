"""How values are written for people: money in 万元, percentages, counts, progress, dates, plain text.

One place for every format, so the dashboard, the map, the deck and the report print a number the
same way, and a missing value (None, NaN, pandas NA or NaT) never prints as "nan", "None" or "NaT":
numbers show a dash, text and dates an empty cell.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

DASH = "—"
# The same formats for values plotly writes in the browser (hover labels, ticks), in d3-format syntax.
D3_WAN, D3_PCT = ",.1f", ".0%"


def is_missing(value) -> bool:
    """None, NaN, pandas NA / NaT (which compare unequal to themselves or refuse to compare), and an
    infinite number (no sheet means it; printing it as "Infinity" helps nobody)."""
    if value is None:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas NA refuses truth tests
        return True


def rounded(value, digits: int = 1) -> Decimal:
    """`value` rounded once, half up, as a person (and a spreadsheet) rounds the exact sum: a float sum
    of 2028.65 that arrives as 2028.6499999999999 gives 2028.7, like the export's column summed in Excel.
    The float's noise goes first (12 significant digits), then one rounding to `digits`."""
    number = float(value)
    if abs(number) >= 1e15:  # beyond any real budget (or infinite): no float noise worth removing
        return Decimal(number)
    exact = Decimal(f"{number:.12g}")
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def wan(value, digits: int = 1, missing: str = DASH) -> str:
    """Money in 万元 with thousands separators: 2,028.6."""
    return missing if is_missing(value) else f"{rounded(value, digits):,.{digits}f}"


def pct(value, digits: int = 1, missing: str = DASH) -> str:
    """A share as a percentage: 0.805 -> 80.5%."""
    return missing if is_missing(value) else f"{rounded(float(value) * 100, digits):.{digits}f}%"


def count(value, missing: str = DASH) -> str:
    """A whole number with thousands separators: 1,234."""
    return missing if is_missing(value) else f"{int(value):,}"


def progress(value, missing: str = DASH) -> str:
    """Progress already in percent (0-100): 35%."""
    return missing if is_missing(value) else f"{float(value):.0f}%"


def number(value, digits: int = 1, missing: str = DASH) -> str:
    """Any other number with thousands separators."""
    return missing if is_missing(value) else f"{rounded(value, digits):,.{digits}f}"


def change(value, digits: int = 1, missing: str = DASH) -> str:
    """A change with its sign: +1.5, -0.3, +0.0."""
    return missing if is_missing(value) else f"{float(value):+,.{digits}f}"


def megabytes(n_bytes, missing: str = DASH) -> str:
    """A file size in MB: 20.5."""
    return missing if is_missing(n_bytes) else f"{float(n_bytes) / 1024 / 1024:.1f}"


def coordinates(lon, lat, missing: str = DASH) -> str:
    """A WGS-84 point as longitude, latitude with five decimals (about a metre)."""
    return missing if is_missing(lon) or is_missing(lat) else f"{float(lon):.5f}, {float(lat):.5f}"


def day(value, missing: str = "") -> str:
    """A date as YYYY-MM-DD."""
    if is_missing(value):
        return missing
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def text(value, missing: str = "") -> str:
    """Text from the data, or `missing` for an empty value."""
    return missing if is_missing(value) else str(value)
