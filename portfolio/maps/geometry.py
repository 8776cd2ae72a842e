"""Map geometry: views (centre and zoom), bounds, fitting a view, Web Mercator pixels, GCJ-02 shifts."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from shapely.geometry import shape

from portfolio import geo


# Whole Qingyuan, for an empty selection.
QINGYUAN_BOUNDS = (111.9, 23.45, 113.95, 25.2)
MAX_FIT_ZOOM = 11.5


# Views ------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """A map view: centre and zoom (Web Mercator)."""
    lat: float
    lon: float
    zoom: float

    def to_param(self) -> str:
        return f"{self.lat:.4f},{self.lon:.4f},{self.zoom:.2f}"

    @classmethod
    def from_param(cls, text: str | None) -> "View | None":
        """A view from the URL form "lat,lon,zoom"; None when malformed or out of range."""
        try:
            lat, lon, zoom = (float(part) for part in (text or "").split(","))
        except ValueError:
            return None
        if not (-85 <= lat <= 85 and -180 <= lon <= 180 and 1 <= zoom <= 20):
            return None
        return cls(lat, lon, zoom)


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float

    def union(self, other: "Bounds | None") -> "Bounds":
        if other is None:
            return self
        return Bounds(min(self.west, other.west), min(self.south, other.south),
                      max(self.east, other.east), max(self.north, other.north))

    @classmethod
    def of_points(cls, lons: Iterable[float], lats: Iterable[float]) -> "Bounds | None":
        lons = [x for x in lons if x is not None and x == x]
        lats = [y for y in lats if y is not None and y == y]
        if not lons or not lats:
            return None
        return cls(min(lons), min(lats), max(lons), max(lats))

    @classmethod
    def of_geometry(cls, geometry: dict) -> "Bounds | None":
        """The bounds of a GeoJSON geometry; None when it is empty."""
        outline = shape(geometry)
        return None if outline.is_empty else cls(*outline.bounds)


def _merc_y(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bounds: Bounds | None, width: int = 900, height: int = 600, padding: float = 0.08,
             max_zoom: float = MAX_FIT_ZOOM) -> View:
    """The view that shows `bounds` inside a width x height canvas with a margin."""
    b = bounds or Bounds(*QINGYUAN_BOUNDS)
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    dx = max(b.east - b.west, 1e-6) / 360.0
    y_top, y_bottom = _merc_y(b.north), _merc_y(b.south)
    dy = max(y_top - y_bottom, 1e-6) / (2 * math.pi)
    # deck.gl's zoom 0 shows the world 512 px wide.
    zoom = min(math.log2(usable_w / (512 * dx)), math.log2(usable_h / (512 * dy)), max_zoom)
    mid_y = (y_top + y_bottom) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return View(round(lat, 5), round((b.west + b.east) / 2, 5), round(max(zoom, 3.0), 2))


def _shift(lon: float, lat: float, gcj02: bool) -> list[float]:
    if gcj02:
        lon, lat = geo.wgs84_to_gcj02(lon, lat)
    return [round(lon, 5), round(lat, 5)]


def _pixel(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """World pixel coordinates (Web Mercator, 512-px world at zoom 0 as deck.gl uses)."""
    world = 512 * 2 ** zoom
    return (lon + 180.0) / 360.0 * world, (1.0 - _merc_y(lat) / math.pi) / 2.0 * world


