"""Places and coordinates of imported rows.

Town and village are split out of one cell (寨岗镇石径村, 东城街道莲塘村); villages
match the gazetteer on their stem (石径 = 石径村 = 石径村委会). Places are keyed by
county + town (+ village): a bare town name that exists in two counties (太平镇)
is resolved by the county column, the defaults, or the village, never guessed.
Places missing from the gazetteer are accepted as written, with a warning and no
point, so the dashboard serves any county.

Coordinates in WGS-84, GCJ-02 or BD-09 become WGS-84; swapped latitude and
longitude are detected; points outside their county are flagged.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from portfolio import geo
from portfolio.ingest.amounts import NUMBER, parse_float
from portfolio.ingest.values import norm

COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")
_TOWN_SUFFIXES = ("街道办事处", "街道办", "办事处", "街道", "镇", "乡")
_VILLAGE_PATTERN = re.compile(r"^(.+?(?:村民委员会|居民委员会|村委会|居委会|社区|村))")
_TOWN_PATTERN = re.compile(r"^([\u4e00-\u9fff]{1,6}?(?:街道办事处|街道办|办事处|街道|镇|乡))(?=.)")
_TOWN_ONLY = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:街道办事处|街道办|办事处|街道|镇|乡)$")
_COUNTY_PATTERN = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:自治县|县|区|市))(?=[\u4e00-\u9fff]{1,6}?(?:街道|镇|乡))")
_SEPARATORS = re.compile(r"^[\s\-/、,，·:：_]+")
_MULTI = re.compile(r"[、,，;；/]")
_VILLAGE_SUFFIX = re.compile(r"(?:村民委员会|居民委员会|村委会|居委会|社区|村)")
_GROUP_TAIL = re.compile(r"(?:[^村]{1,6}(?:村民小组|小组|组|自然村|队))$")


def _bare_county(name: str) -> str:
    for suffix in ("壮族瑶族自治县", "瑶族自治县", "自治县", "县", "区", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _bare_town(name: str) -> str:
    for suffix in _TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Gazetteer:
    counties: dict[str, str]  # name variant -> county_code
    county_names: dict[str, str]  # county_code -> full name
    county_points: dict[str, tuple[float, float]]
    towns_in_county: dict[str, dict[str, geo.Town]]  # county_code -> name variant -> Town
    towns_by_name: dict[str, tuple[geo.Town, ...]]  # name variant -> towns (several counties)
    villages_in_town: dict[str, dict[str, geo.Village]]  # town_code -> stem -> Village
    villages_in_county: dict[str, dict[str, tuple[geo.Village, ...]]]  # county_code -> stem -> villages
    town_by_code: dict[str, geo.Town]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    counties: dict[str, str] = {}
    names: dict[str, str] = {}
    points: dict[str, list[tuple[float, float]]] = {}
    in_county: dict[str, dict[str, geo.Town]] = {}
    by_name: dict[str, list[geo.Town]] = {}
    for t in geo.towns():
        names[t.county_code] = t.county
        for variant in {t.county, geo.short_county(t.county), _bare_county(t.county)}:
            counties[norm(variant)] = t.county_code
        points.setdefault(t.county_code, []).append((t.lon, t.lat))
        for variant in {t.town, _bare_town(t.town)}:
            in_county.setdefault(t.county_code, {})[norm(variant)] = t
            by_name.setdefault(norm(variant), []).append(t)
    villages: dict[str, dict[str, geo.Village]] = {}
    villages_county: dict[str, dict[str, list[geo.Village]]] = {}
    for v in geo.villages():
        villages.setdefault(v.town_code, {})[norm(v.stem)] = v
        villages_county.setdefault(v.county_code, {}).setdefault(norm(v.stem), []).append(v)
    return Gazetteer(
        counties, names,
        {c: (round(float(np.mean([p[0] for p in pts])), 6), round(float(np.mean([p[1] for p in pts])), 6))
         for c, pts in points.items()},
        in_county, {k: tuple(v) for k, v in by_name.items()}, villages,
        {c: {s: tuple(vs) for s, vs in d.items()} for c, d in villages_county.items()},
        {t.town_code: t for t in geo.towns()},
    )


@dataclass(frozen=True)
class Place:
    county: str | None
    town: str | None
    village: str | None
    county_code: str | None
    town_code: str | None
    village_code: str | None
    lon: float | None  # fallback point (village, town or county), WGS-84
    lat: float | None
    precision: str  # village / town / county / none
    problems: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


def county_code(text: str | None) -> str | None:
    if not text:
        return None
    return gazetteer().counties.get(norm(text))


def split_place(text: str | None) -> tuple[str | None, str | None, str | None, bool]:
    """(county, town, village, several villages) from one cell: 清新区太平镇大坪村, 寨岗镇石径村, 石径村."""
    if not text:
        return None, None, None, False
    s = norm(text)
    g = gazetteer()
    county = town = village = None
    # County prefix: a gazetteer name, or 某某县 directly before a town.
    for variant in sorted(g.counties, key=len, reverse=True):
        if s.startswith(variant) and len(s) > len(variant) and (variant.endswith(("县", "区", "市"))):
            county, s = variant, s[len(variant):]
            break
    else:
        m = _COUNTY_PATTERN.match(s)
        if m:
            county, s = m.group(1), s[m.end():]
    s = _SEPARATORS.sub("", s)
    # Town prefix: a gazetteer town name (full), else 某某镇/乡/街道.
    code = g.counties.get(county) if county else None
    towns = g.towns_in_county.get(code, {}) if code else {k: v[0] for k, v in g.towns_by_name.items()}
    for variant in sorted(towns, key=len, reverse=True):
        full = towns[variant].town
        if variant == norm(full) and s.startswith(variant):
            town, s = variant, s[len(variant):]
            break
    else:
        if _TOWN_ONLY.match(s):
            town, s = s, ""
        else:
            m = _TOWN_PATTERN.match(s)
            if m and not _VILLAGE_PATTERN.match(s[: m.end()]):
                town, s = m.group(1), s[m.end():]
    s = _SEPARATORS.sub("", s)
    several = False
    if s:
        parts = [p for p in _MULTI.split(s) if p]
        several = len(parts) > 1
        village = parts[0] if parts else s
    return county, town, village or None, several


def village_readings(text: str) -> tuple[list[str], str]:
    """(ways to read a village cell, most specific first; the name to keep when none matches the gazetteer).

    大村村 -> ([大村村, 大村], 大村村); 石径村下坪组 -> ([石径村下坪组, 石径村], 石径村); 石径 -> ([石径], 石径).
    """
    readings = [text]
    for m in reversed(list(_VILLAGE_SUFFIX.finditer(text))):
        if text[:m.end()] not in readings:
            readings.append(text[:m.end()])
    kept = _GROUP_TAIL.sub("", text)
    name = kept if kept != text and _VILLAGE_SUFFIX.search(kept) and kept.endswith(
        ("村", "社区", "村委会", "居委会", "委员会")) else text
    return readings, name


def _problem(key: str, **params: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return key, tuple(sorted(params.items()))


@lru_cache(maxsize=65536)
def resolve(county_text: str | None, town_text: str | None, village_text: str | None, place_text: str | None,
            default_county: str | None, default_town: str | None) -> Place:
    """The row's place, keyed county + town (+ village), with the gazetteer's codes and fallback point."""
    g = gazetteer()
    problems: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    p_county, p_town, p_village, several = split_place(place_text)
    # A town or village column may also hold 镇+村 in one cell.
    t_county, t_town, t_village, _ = split_place(town_text) if town_text else (None, None, None, False)
    v_county, v_town, v_village, v_several = split_place(village_text) if village_text else (None, None, None, False)
    if town_text and not t_town:
        t_town = norm(town_text)  # a town column holding a bare name (寨岗)
    county = norm(county_text) if county_text else (t_county or v_county or p_county)
    town = t_town or v_town or p_town
    village = v_village or (t_village if t_town else None) or p_village
    if several or v_several:
        problems.append(_problem("ing_w_place_several", village=village or ""))
    if not county and default_county:
        county = norm(default_county)
    if not town and default_town:
        town = norm(default_town)

    ccode = g.counties.get(county) if county else None
    town_obj: geo.Town | None = None
    if town:
        if ccode:
            town_obj = g.towns_in_county.get(ccode, {}).get(town)
            if town_obj is None:
                problems.append(_problem("ing_w_place_town_unknown", town=town, county=g.county_names[ccode]))
        elif not county:
            candidates = g.towns_by_name.get(town, ())
            if len(candidates) == 1:
                town_obj = candidates[0]
                ccode = town_obj.county_code
            elif len(candidates) > 1:
                stems = {norm(geo.village_stem(o)) for o in village_readings(village)[0]} if village else set()
                narrowed = [t for t in candidates if stems & g.villages_in_town.get(t.town_code, {}).keys()]
                if len(narrowed) == 1:
                    town_obj, ccode = narrowed[0], narrowed[0].county_code
                else:
                    problems.append(_problem("ing_w_town_ambiguous", town=candidates[0].town,
                                             counties="、".join(sorted({t.county for t in candidates}))))
            else:
                problems.append(_problem("ing_w_place_unknown", place=town))
        else:
            problems.append(_problem("ing_w_place_county_unknown", county=county))
    elif county and not ccode:
        problems.append(_problem("ing_w_place_county_unknown", county=county))

    village_obj: geo.Village | None = None
    if village:
        options, village = village_readings(village)
        if town_obj is not None:
            known = g.villages_in_town.get(town_obj.town_code, {})
            village_obj = next((known[norm(geo.village_stem(o))] for o in options
                                if norm(geo.village_stem(o)) in known), None)
            if village_obj is None:
                problems.append(_problem("ing_w_place_village_unknown", village=village, town=town_obj.town))
        elif not town and ccode:
            matches = next((m for m in (g.villages_in_county.get(ccode, {}).get(norm(geo.village_stem(o)), ())
                                        for o in options) if m), ())
            if len(matches) == 1:
                village_obj = matches[0]
                town_obj = g.town_by_code.get(village_obj.town_code)
            elif len(matches) > 1:
                problems.append(_problem("ing_w_village_ambiguous", village=village))

    # Matched places take the gazetteer's spelling; others keep the sheet's (in matching form).
    county_name = g.county_names[ccode] if ccode else (county or None)
    town_name = town_obj.town if town_obj else (town or None)
    village_name = village_obj.short_name if village_obj else village
    lon, lat, precision = _point(g, ccode, town, town_obj, village_obj)
    return Place(county_name, town_name, village_name, ccode, town_obj.town_code if town_obj else None,
                 village_obj.village_code if village_obj else None, lon, lat, precision, tuple(problems))


def _point(g: Gazetteer, ccode: str | None, town: str | None, town_obj: geo.Town | None,
           village_obj: geo.Village | None) -> tuple[float | None, float | None, str]:
    """(lon, lat, precision) standing for a row without its own point: village, town or county."""
    if village_obj is not None and town_obj is not None:
        lon, lat = geo.village_point(town_obj, village_obj)
        return lon, lat, "village"
    if town_obj is not None:
        return town_obj.lon, town_obj.lat, "town"
    if ccode and not town:
        lon, lat = g.county_points[ccode]
        return lon, lat, "county"
    return None, None, "none"


# Coordinates ---------------------------------------------------------------------
def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    if system == "wgs84":
        return lon, lat
    wlon, wlat = geo.to_wgs84(lon, lat, system)
    return round(wlon, 7), round(wlat, 7)


def fix_order(lon: float, lat: float) -> tuple[float, float, bool]:
    """(lon, lat, swapped): China's longitudes lie in 73-135, latitudes in 3-54."""
    if not (70 <= lon <= 140) and 70 <= lat <= 140 and 0 <= lon <= 60:
        return lat, lon, True
    return lon, lat, False


def plausible(lon: float, lat: float) -> bool:
    return geo.in_china(lon, lat)


@lru_cache(maxsize=1)
def _county_rings() -> tuple[tuple[str, tuple[np.ndarray, ...], tuple[float, float, float, float]], ...]:
    out = []
    for feature in geo.county_geojson()["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            rings = tuple(np.asarray(r, dtype=float)[:, :2] for r in polygon)
            outer = rings[0]
            bbox = (outer[:, 0].min(), outer[:, 1].min(), outer[:, 0].max(), outer[:, 1].max())
            out.append((feature["properties"]["county_code"], rings, bbox))
    return tuple(out)


def _in_ring(xs: np.ndarray, ys: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Ray casting for many points against one ring (vectorised over points and edges)."""
    x1, y1 = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(x1, 1), np.roll(y1, 1)
    px, py = xs[:, None], ys[:, None]
    straddles = (y1 > py) != (y2 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = (x2 - x1) * (py - y1) / (y2 - y1) + x1
    crossings = straddles & (px < cross_x)
    return (crossings.sum(axis=1) % 2) == 1


def county_codes_of(lons: list[float], lats: list[float]) -> list[str | None]:
    """The gazetteer county containing each point (None outside them all)."""
    xs, ys = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    result: list[str | None] = [None] * len(xs)
    if not len(xs):
        return result
    found = np.zeros(len(xs), dtype=bool)
    for code, rings, (x0, y0, x1, y1) in _county_rings():
        candidates = np.flatnonzero(~found & (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
        if not len(candidates):
            continue
        inside = _in_ring(xs[candidates], ys[candidates], rings[0])
        for hole in rings[1:]:
            inside &= ~_in_ring(xs[candidates], ys[candidates], hole)
        for i in candidates[inside]:
            result[i] = code
            found[i] = True
    return result


def has_polygon(code: str | None) -> bool:
    return bool(code) and any(c == code for c, _, _ in _county_rings())


# Coordinates as cells hold them -------------------------------------------------
_DMS = re.compile(r"^(\d+(?:\.\d+)?)°(?:(\d+(?:\.\d+)?)['′])?(?:(\d+(?:\.\d+)?)(?:\"|″|''))?([nsewNSEW东西南北])?$")


def parse_coordinate(value: Any) -> float | None:
    """Decimal degrees, or degrees-minutes-seconds (113°02'30")."""
    number = parse_float(value)
    if number is not None or value is None or not isinstance(value, str):
        return number
    s = unicodedata.normalize("NFKC", value).replace(" ", "")
    m = _DMS.match(s)
    if not m:
        m2 = re.match(rf"^(?:[东西南北]经|[东西南北]纬|e|n)?({NUMBER})°?$", s, re.IGNORECASE)
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
