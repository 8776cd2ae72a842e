"""Reference geography and coordinate systems.

The gazetteer (county -> town -> point, villages by town) ships in data/geo/.
Coordinates inside the app are always WGS-84; GCJ-02 (AMap, Tencent) and BD-09
(Baidu) are converted at import and, for display on GCJ-02 tiles, on the way out.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
TOWNS_CSV = GEO_DIR / "qingyuan_towns.csv"
VILLAGES_CSV = GEO_DIR / "qingyuan_villages.csv"
COUNTIES_GEOJSON = GEO_DIR / "qingyuan_counties.geojson"
CHINA_COUNTIES_CSV = GEO_DIR / "china_counties_nbs2023.csv"  # every county-level unit (GB/T 2260, NBS 2023)
GUANGDONG_TOWNS_CSV = GEO_DIR / "guangdong_towns_nbs2023.csv"  # every township-level unit of Guangdong

# Suffixes that official village names carry and spreadsheets often drop.
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "社区", "村委", "村")


def normalise_text(text: str) -> str:
    """NFKC, no whitespace: full-width brackets and spaces become comparable."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def village_stem(name: str) -> str:
    """石径村委会, 石径村 and 石径 share the stem 石径."""
    name = normalise_text(name)
    for suffix in _VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Town:
    county_code: str
    county: str
    town_code: str
    town: str
    town_type: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Village:
    village_code: str
    village: str
    town_code: str
    county_code: str

    @property
    def stem(self) -> str:
        return village_stem(self.village)

    @property
    def short_name(self) -> str:
        """Name as sheets write it: 石径村 for 石径村委会, 鹤堂社区 for 鹤堂社区居委会."""
        if self.village.endswith("村委会"):
            return self.village[: -len("委会")]
        if self.village.endswith("居委会"):
            return self.village[: -len("居委会")]
        return self.village


@lru_cache(maxsize=1)
def towns() -> tuple[Town, ...]:
    with TOWNS_CSV.open(encoding="utf-8") as f:
        return tuple(
            Town(r["county_code"], r["county"], r["town_code"], r["town"], r["town_type"],
                 float(r["lon"]), float(r["lat"]))
            for r in csv.DictReader(f)
        )


@lru_cache(maxsize=1)
def villages() -> tuple[Village, ...]:
    # The villages file uses 9-digit town codes; towns.csv uses 12 digits.
    with VILLAGES_CSV.open(encoding="utf-8") as f:
        return tuple(
            Village(r["village_code"], r["village"], r["town_code"].ljust(12, "0"), r["county_code"])
            for r in csv.DictReader(f)
        )


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city: str
    province: str


@lru_cache(maxsize=1)
def china_counties() -> dict[str, tuple[County, ...]]:
    """County-level name -> the units of that name in China (names repeat: 朝阳区, 连山区)."""
    out: dict[str, list[County]] = {}
    with CHINA_COUNTIES_CSV.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["county"], []).append(County(r["county_code"], r["county"], r["city"], r["province"]))
    return {name: tuple(units) for name, units in out.items()}


@lru_cache(maxsize=1)
def guangdong_towns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Town name -> (town code, county code) of every Guangdong township-level unit (镇, 乡, 街道)."""
    out: dict[str, list[tuple[str, str]]] = {}
    with GUANGDONG_TOWNS_CSV.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["name"], []).append((r["code"], r["areaCode"]))
    return {name: tuple(units) for name, units in out.items()}


@lru_cache(maxsize=1)
def county_geojson() -> dict:
    return json.loads(COUNTIES_GEOJSON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def county_names() -> dict[str, str]:
    """county_code -> county name."""
    return {t.county_code: t.county for t in towns()}


def short_county(name: str) -> str:
    """连山壮族瑶族自治县 -> 连山县, for labels and matching what sheets write."""
    for long, short in (("壮族瑶族自治县", "县"), ("瑶族自治县", "县"), ("自治县", "县")):
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


# Coordinate systems ----------------------------------------------------------
_A = 6378245.0
_EE = 0.006693421622965943
_X_PI = math.pi * 3000.0 / 180.0


def in_china(lon: float, lat: float) -> bool:
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Iterative inverse: accurate to well under a metre."""
    if not in_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(10):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """Convert a point from 'wgs84', 'gcj02' or 'bd09' to WGS-84."""
    if system == "wgs84":
        return lon, lat
    if system == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if system == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"unknown coordinate system {system!r}")


def from_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """Convert a WGS-84 point to 'wgs84', 'gcj02' or 'bd09' (the inverse of to_wgs84)."""
    if system == "wgs84":
        return lon, lat
    if system == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if system == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(f"unknown coordinate system {system!r}")


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def point_in_county(lon: float, lat: float) -> str | None:
    """county_code of the county polygon containing the point, if any (ray casting)."""
    for feature in county_geojson()["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            if _in_ring(lon, lat, polygon[0]) and not any(_in_ring(lon, lat, hole) for hole in polygon[1:]):
                return feature["properties"]["county_code"]
    return None


def _in_ring(x: float, y: float, ring: list) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


# Village placement ---------------------------------------------------------------
def stable_unit(text: str) -> float:
    """A number in [0, 1) fixed by the text: places land in the same spot on every build."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) / 16 ** 12


@lru_cache(maxsize=None)
def village_point(town: Town, village: Village) -> tuple[float, float]:
    """The point standing for a village (the gazetteer has no village coordinates): deterministic,
    2 to 7 km from the town seat, so an imported or demo village always lands in the same spot.

    Drawn closer to the seat until it lies inside the town's own county polygon.
    """
    angle = 2 * math.pi * stable_unit(village.village_code + "a")
    dist_km = 2 + 5 * stable_unit(village.village_code + "d")
    for _ in range(6):
        dlat = dist_km / 111.0 * math.sin(angle)
        dlon = dist_km / (111.0 * math.cos(math.radians(town.lat))) * math.cos(angle)
        lon, lat = round(town.lon + dlon, 6), round(town.lat + dlat, 6)
        if point_in_county(lon, lat) == town.county_code:
            return lon, lat
        dist_km /= 2
    return town.lon, town.lat


def transform_geometry(geometry, point) -> dict:
    """A GeoJSON geometry (dict or shapely) with `point(lon, lat) -> (x, y)` applied to every vertex."""
    import numpy as np  # shapely only where outlines are handled, not for every gazetteer lookup
    import shapely
    from shapely.geometry import mapping, shape

    source = shape(geometry) if isinstance(geometry, dict) else geometry
    moved = shapely.transform(
        source, lambda xy: np.array([point(float(x), float(y)) for x, y in xy], dtype=float).reshape(-1, 2))
    return json.loads(json.dumps(mapping(moved)))  # tuples to lists, as GeoJSON
