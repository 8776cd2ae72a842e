"""Map styling: palettes, class breaks, point and bubble radii, value formats and tooltip records."""
from __future__ import annotations

import html
import math
from typing import Iterable

from portfolio import formats, vocab


FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


# Class colours. Rates run from the town-ranking chart's light blue to the status green.
RATE_LOW, RATE_HIGH = "#C6DBEF", "#1A9850"
COUNT_PALETTE = ("#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C")
LATE_PALETTE = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
NO_DATA_COLOR = "#BDBDBD"


# Formatting ---------------------------------------------------------------------------
def _num(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if value != value else value


def _wan(value) -> str:
    return formats.wan(_num(value))


def _pct(value: float | None) -> str:
    return formats.pct(value, 0)


def _clip(text, limit: int) -> str:
    text = "" if text is None or text != text else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_number(value: float) -> float:
    """1, 2 or 5 times a power of ten, nearest to value from below (for legend steps)."""
    if value <= 0:
        return 0.0
    magnitude = 10 ** math.floor(math.log10(value))
    for m in (5, 2, 1):
        if m * magnitude <= value:
            return m * magnitude
    return magnitude


def class_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Upper bounds of up to k classes from quantiles of the positive values, rounded to 2 significant digits."""
    positive = sorted(v for v in (_num(x) for x in values) if v > 0)
    if not positive:
        return []
    breaks: list[float] = []
    for i in range(1, k + 1):
        q = positive[min(len(positive) - 1, math.ceil(i * len(positive) / k) - 1)]
        digits = 1 - math.floor(math.log10(q)) if q > 0 else 0
        rounded = math.ceil(q * 10 ** digits) / 10 ** digits
        if not breaks or rounded > breaks[-1]:
            breaks.append(rounded)
    breaks[-1] = max(breaks[-1], positive[-1])
    return breaks


def classify(value: float, breaks: list[float]) -> int:
    for i, upper in enumerate(breaks):
        if value <= upper:
            return i
    return len(breaks) - 1


def _rgb(color: str, alpha: int = 255) -> list[int]:
    return [*vocab.hex_to_rgb(color), alpha]


def _mix(low: str, high: str, share: float) -> str:
    a, b = vocab.hex_to_rgb(low), vocab.hex_to_rgb(high)
    return "#" + "".join(f"{round(x + (y - x) * share):02X}" for x, y in zip(a, b))


RATE_BREAKS = (0.2, 0.4, 0.6, 0.8, 1.0)
RATE_PALETTE = tuple(_mix(RATE_LOW, RATE_HIGH, i / 4) for i in range(5))


def point_radius(budget_wan, size_by: str, scale: float = 1.0) -> float:
    """Pixel radius of a project point: equal, or growing with the square root of the budget."""
    if size_by == "equal":
        return round(5.0 * scale, 1)
    return round(min(max(2.5 + 1.5 * math.sqrt(max(_num(budget_wan), 0.0)), 3.0), 22.0) * scale, 1)


def _bubble_radius(budget: float, max_budget: float, scale: float) -> float:
    if max_budget <= 0:
        return round(6 * scale, 1)
    return round(max(6.0, 40.0 * math.sqrt(max(budget, 0.0) / max_budget)) * scale, 1)


TOOLTIP_STYLE = {"backgroundColor": "rgba(255,255,255,0.97)", "color": "#222", "fontSize": "13px",
                 "fontFamily": FONT_FAMILY, "whiteSpace": "pre-line", "maxWidth": "340px",
                 "border": "1px solid #bbb", "borderRadius": "4px", "padding": "6px 8px"}
TOOLTIP = {"html": "<b>{h}</b><br/>{b}", "style": TOOLTIP_STYLE}


def _tip(heading: str, lines: Iterable[str], for_html: bool) -> dict:
    body = "\n".join(line for line in lines if line)
    if for_html:
        return {"h": html.escape(heading), "b": html.escape(body)}
    return {"h": heading, "b": body}


def _literal(text: str) -> str:
    """A constant string prop for pydeck (which reads bare strings as accessor expressions)."""
    return "'" + text.replace("'", "") + "'"


