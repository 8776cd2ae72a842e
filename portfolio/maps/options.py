"""Map options: what the 作战图 switches choose, and the limits that keep a deck light."""
from __future__ import annotations

from dataclasses import dataclass


POINT_LIMIT = 5000  # drawable projects above which the map shows aggregates
PAYLOAD_LIMIT = 2_000_000  # bytes of deck JSON sent to the browser, whatever the portfolio size


COLOR_BY = ("category", "status")
SIZE_BY = ("budget", "equal")
LAYERS = ("projects", "indicator")
INDICATORS = ("projects", "budget_wan", "finish_rate", "start_rate", "late")


# Options, basemaps -------------------------------------------------------------------
@dataclass(frozen=True)
class MapOptions:
    color_by: str = "category"
    size_by: str = "budget"
    layer: str = "projects"
    indicator: str = "projects"
    lang: str = "zh"
    scale: float = 1.0  # presentation mode enlarges points and labels
    point_limit: int = POINT_LIMIT
    payload_limit: int = PAYLOAD_LIMIT
    wheel_zoom: bool = False  # on a page the wheel scrolls the page; exports (the map alone) zoom with it

    def __post_init__(self):
        if self.color_by not in COLOR_BY or self.size_by not in SIZE_BY or self.layer not in LAYERS \
                or self.indicator not in INDICATORS:
            raise ValueError(f"unknown map option in {self!r}")


