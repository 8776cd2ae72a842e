"""Town (乡镇) boundary polygons the city supplies: read a GeoJSON file, check it against the
gazetteer, store it, and hand the map the lines of the counties it shows.

There is no public source of town boundaries (data/geo/SOURCES.md), and a map shown in a
government meeting must use the official lines, so none are invented or approximated: an
admin loads the city's own file (自然资源局, 第三次国土调查), in WGS-84, GCJ-02 or BD-09.
Shapely checks and repairs the polygons and simplifies them to about 30 m.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import shapely
import shapely.errors
from shapely.geometry import Point, mapping, shape

from portfolio import audit, auth, geo, sql
from portfolio.i18n import t

MAX_BYTES = 50 * 1024 * 1024  # a city's unsimplified town layer is a few MB; 50 MB is clearly not one
SIMPLIFY_DEG = 0.0003  # about 30 m: invisible at town zoom, keeps a whole city well under 1 MB
SEAT_TOLERANCE_KM = 3.0  # the gazetteer's town seats are good to 1 to 3 km
CRS_CHOICES = ("wgs84", "gcj02", "bd09")
# Property names seen in city and national layers for the town's code, name and county.
CODE_KEYS = ("town_code", "code", "XZQDM", "xzqdm", "adcode", "ADCODE", "乡镇代码", "区划代码", "DM", "dm")
NAME_KEYS = ("town", "name", "NAME", "XZQMC", "xzqmc", "乡镇", "乡镇名称", "名称", "MC", "mc")
COUNTY_KEYS = ("county", "COUNTY", "县", "区县", "县区", "所属县", "county_name")
_TOWN_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡")


class BorderError(Exception):
    """The file as a whole cannot be read as town boundaries (message in Chinese or English)."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class BorderProblem:
    """What is wrong with one feature (1-based, as a GIS program numbers them), or a warning."""
    feature: int
    key: str
    params: dict = field(default_factory=dict)
    fatal: bool = True

    def message(self, lang: str = "zh") -> str:
        where = t("tb_feature", lang, n=self.feature) if self.feature else ""  # 0: the file as a whole
        return where + t(self.key, lang, **self.params)


@dataclass(frozen=True)
class TownBorder:
    town_code: str
    county: str
    town: str
    geometry: dict  # GeoJSON Polygon or MultiPolygon, WGS-84, simplified
    vertices: int
    label_point: tuple[float, float] = (0.0, 0.0)  # a point inside the polygon, for its name


@dataclass(frozen=True)
class BorderFile:
    """A read and checked boundary file: the towns found, and every problem with its feature number."""
    borders: tuple[TownBorder, ...]
    problems: tuple[BorderProblem, ...]
    crs: str
    features: int
    missing: tuple[str, ...] = ()  # county/town keys of covered counties that got no boundary

    @property
    def ok(self) -> bool:
        return bool(self.borders) and not any(p.fatal for p in self.problems)


# Reading ----------------------------------------------------------------------------------------
def read_borders(raw: bytes, crs: str) -> BorderFile:
    """Parse and check a GeoJSON FeatureCollection of town polygons in `crs` (wgs84/gcj02/bd09)."""
    if crs not in CRS_CHOICES:
        raise BorderError("tb_err_crs", crs=crs)
    if len(raw) > MAX_BYTES:
        raise BorderError("tb_err_size", mb=len(raw) // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BorderError("tb_err_json", detail=str(exc)[:80]) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BorderError("tb_err_not_collection")
    features = doc["features"]
    problems: list[BorderProblem] = []
    found: dict[str, tuple[int, TownBorder]] = {}
    for number, feature in enumerate(features, start=1):
        border, problem = _read_feature(feature, number, crs)
        if problem is not None:
            problems.append(problem)
            continue
        if border.town_code in found:
            problems.append(BorderProblem(number, "tb_duplicate", {"town": border.town, "other": found[border.town_code][0]}))
            continue
        found[border.town_code] = (number, border)
    borders = tuple(b for _, b in found.values())
    problems += _seat_problems(found)
    problems += _crs_hint([b for _, b in found.values()], crs)
    covered = {b.county for b in borders}
    missing = tuple(f"{tw.county}/{tw.town}" for tw in geo.towns()
                    if tw.county in covered and tw.town_code not in found)
    return BorderFile(borders, tuple(problems), crs, len(features), missing)


def _read_feature(feature, number: int, crs: str) -> tuple[TownBorder | None, BorderProblem | None]:
    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        return None, BorderProblem(number, "tb_no_geometry")
    props = feature.get("properties") or {}
    town, problem = _match_town(props if isinstance(props, dict) else {}, number)
    if problem is not None:
        return None, problem
    geometry = feature["geometry"]
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None, BorderProblem(number, "tb_not_polygon", {"town": town.town, "type": str(geometry.get("type"))[:20]})
    try:
        shapely_geometry = _to_wgs84(geometry, crs)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError):
        return None, BorderProblem(number, "tb_bad_coordinates", {"town": town.town})
    except _ProjectedCoordinates:
        return None, BorderProblem(number, "tb_projected", {"town": town.town})
    if not shapely_geometry.is_valid:  # self-touching rings are common in exported layers
        shapely_geometry = shapely.make_valid(shapely_geometry)
    polygonal = _polygonal(shapely_geometry).simplify(SIMPLIFY_DEG, preserve_topology=True)
    if polygonal.is_empty:
        return None, BorderProblem(number, "tb_empty", {"town": town.town})
    rounded = shapely.set_precision(polygonal, 1e-5)  # about 1 m; fewer bytes on every map
    out = mapping(rounded)
    geometry_json = json.loads(json.dumps(out))  # tuples to lists, as GeoJSON
    inside = rounded.representative_point()
    return TownBorder(town.town_code, town.county, town.town, geometry_json,
                      int(shapely.get_num_coordinates(rounded)), (round(inside.x, 5), round(inside.y, 5))), None


class _ProjectedCoordinates(Exception):
    """Metres (a Gauss-Krüger / CGCS2000 zone), not degrees: the file needs converting first."""


def _to_wgs84(geometry: dict, crs: str):
    """The feature's outline in WGS-84, as a shapely geometry."""
    outline = shape(geometry)
    xy = shapely.get_coordinates(outline)
    if (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise _ProjectedCoordinates()
    return shape(geo.transform_geometry(outline, lambda lon, lat: geo.to_wgs84(lon, lat, crs)))


def _polygonal(geometry):
    """Only the areas of a repaired geometry (make_valid can leave lines and points beside them)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _match_town(props: dict, number: int) -> tuple[geo.Town | None, BorderProblem | None]:
    """The gazetteer town a feature's properties name: by statistical code, else by name (and county)."""
    code = _first(props, CODE_KEYS)
    name = _first(props, NAME_KEYS)
    county = _first(props, COUNTY_KEYS)
    if code and re.fullmatch(r"\d{9}|\d{12}", code):
        for town in geo.towns():
            if town.town_code == code.ljust(12, "0"):
                return town, None
    if not name:
        return None, BorderProblem(number, "tb_no_name", {"code": code or "—"})
    stem = _stem(geo.normalise_text(name))
    matches = [tw for tw in geo.towns() if _stem(tw.town) == stem]
    if county:
        matches = [tw for tw in matches if geo.short_county(tw.county) == geo.short_county(geo.normalise_text(county))]
    if len(matches) == 1:
        return matches[0], None
    if not matches:
        return None, BorderProblem(number, "tb_unknown_town", {"name": name[:40], "county": (county or "")[:20]})
    return None, BorderProblem(number, "tb_ambiguous_town", {"name": name[:40],
                                                            "counties": "、".join(tw.county for tw in matches)})


def _first(props: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _stem(name: str) -> str:
    for suffix in _TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _seat_problems(found: dict[str, tuple[int, TownBorder]]) -> list[BorderProblem]:
    """A town seat far outside its own boundary: a wrong coordinate system when it is most of them."""
    seats = {tw.town_code: tw for tw in geo.towns()}
    far = []
    for code, (number, border) in found.items():
        seat = seats[code]
        km = shape(border.geometry).distance(Point(seat.lon, seat.lat)) * 111.0
        if km > SEAT_TOLERANCE_KM:
            far.append(BorderProblem(number, "tb_seat_outside", {"town": border.town, "km": f"{km:.1f}"}, fatal=False))
    if found and len(far) * 2 > len(found):
        return [BorderProblem(0, "tb_most_seats_outside", {"far": len(far), "n": len(found)})] + far
    return far


def _crs_hint(borders: list[TownBorder], crs: str) -> list[BorderProblem]:
    """A warning when another coordinate system fits the county outlines clearly better.

    The shifts between the systems (about 600 m, 1 km for BD-09) keep town seats inside their
    towns, so the seats cannot tell them apart; the whole county's outline can. Only counties
    whose every town is in the file are compared.
    """
    by_county: dict[str, list[TownBorder]] = {}
    for b in borders:
        by_county.setdefault(b.county, []).append(b)
    counts = {}
    for tw in geo.towns():
        counts[tw.county] = counts.get(tw.county, 0) + 1
    outlines = {f["properties"]["county"]: shape(f["geometry"]) for f in geo.county_geojson()["features"]}
    complete = [c for c, bs in by_county.items() if len(bs) == counts.get(c) and c in outlines]
    if not complete:
        return []

    def fit(system: str) -> float:
        total = 0.0
        for county in complete:
            parts = [shape(b.geometry) for b in by_county[county]]
            if system != crs:  # back to the file's numbers, then read them as `system`
                parts = [shapely.transform(p, lambda xy: _convert(xy, crs, system)) for p in parts]
            union, outline = shapely.union_all(parts), outlines[county]
            total += union.intersection(outline).area / union.union(outline).area
        return total / len(complete)

    fits = {system: fit(system) for system in CRS_CHOICES}
    best = max(fits, key=fits.get)
    if best != crs and fits[best] > fits[crs] + 0.003:
        return [BorderProblem(0, "tb_crs_better", {"chosen": crs, "best": best,
                                                   "fit": f"{fits[crs]:.1%}", "best_fit": f"{fits[best]:.1%}"},
                              fatal=False)]
    return []


def _convert(xy, chosen: str, system: str):
    return np.array([geo.to_wgs84(*geo.from_wgs84(x, y, chosen), system) for x, y in xy])


# Storing ----------------------------------------------------------------------------------------
def save_borders(store, border_file: BorderFile, user, source: str, file_name: str = "",
                 sha256: str | None = None) -> int:
    """Store the file's towns (replacing their earlier lines; other towns keep theirs). Admin only, audited."""
    auth.require_admin(user, "tb_action")
    if not border_file.ok:
        raise BorderError("tb_err_not_ok")
    source = source.strip()[:200]
    if not source:
        raise BorderError("tb_err_no_source")
    now = datetime.now().replace(microsecond=0)

    def work(cur) -> int:
        for b in border_file.borders:
            cur.execute(sql.query("town_border_upsert"), {
                "town_code": b.town_code, "county": b.county, "town": b.town,
                "geometry_json": json.dumps(b.geometry, separators=(",", ":")), "vertices": b.vertices,
                "source": source, "crs": border_file.crs, "loaded_at": now, "loaded_by": user.name})
        audit.record(cur, "borders", user.name, scope=sorted({b.county for b in border_file.borders}),
                     counts={"towns": len(border_file.borders)}, file_name=file_name or None, sha256=sha256,
                     detail=source, at=now)
        return len(border_file.borders)

    return store.write(work)


def remove_borders(store, user) -> int:
    """Forget every stored town boundary. Admin only, audited."""
    auth.require_admin(user, "tb_action")

    def work(cur) -> int:
        n = cur.execute(sql.query("town_border_count")).fetchall()[0][0]
        cur.execute(sql.query("town_border_delete_all"))
        audit.record(cur, "borders", user.name, counts={"towns": 0, "removed": n}, detail="removed")
        return n

    return store.write(work)


@dataclass(frozen=True)
class StoredBorders:
    """The lines of the towns in some counties, with where they came from (for the legend)."""
    lines: tuple[tuple[str, str, dict], ...]  # (county, town, geometry)
    source: str = ""
    loaded_on: str = ""  # ISO date
    chosen: frozenset[str] = frozenset()  # county/town keys the map emphasises


def borders_in(store, counties: list[str]) -> StoredBorders:
    """The stored town lines of `counties` (none when the list is empty)."""
    if not counties:
        return StoredBorders(())
    rows = store.rows("town_borders_in", {"counties": list(counties)})
    lines = tuple((county, town, json.loads(geometry)) for county, town, geometry, _, _ in rows)
    sources = sorted({r[3] for r in rows})
    loaded = max((r[4] for r in rows), default=None)
    return StoredBorders(lines, "；".join(sources), loaded.date().isoformat() if loaded else "")


def summary(store) -> list[dict]:
    """Per county: how many towns have a stored line, from which source, when, by whom."""
    return [dict(zip(("county", "towns", "source", "loaded_at", "loaded_by"), row))
            for row in store.rows("town_border_summary")]
