"""Map decks for the 作战图 and the town page.

County boundaries (GeoJsonLayer), county and town names (TextLayer with the CJK
characters they use), and the filtered projects as points coloured by category or
status and sized by budget; above `POINT_LIMIT` drawable projects, per-town bubbles
(or, inside a single town, per-cell bubbles) sized by investment and coloured by
completion rate; per-town indicator circles with classed colours and a "no data"
class. Also the legend data, the view that fits an area, and basemap settings.

The default deck needs nothing from outside: `map_provider=None` with no map style.
Decks serialise compactly (`MapDeck.to_json`), and a built map that would send more
than `PAYLOAD_LIMIT` bytes to the browser falls back to town aggregates.

Tooltips: every pickable object carries a heading `h` and body `b` (lines joined by
newlines). For exports (`for_html=True`) each value is passed through html.escape,
because deck.gl's standalone tooltip pastes values into HTML as they are. Streamlit
1.67's own tooltip code escapes every substituted value itself (&, <, >, ", '), so
values meant for st.pydeck_chart stay raw: escaping them here too would show "&lt;"
to the user. tests/e2e/test_map_browser.py checks that a project named like an HTML
tag shows as text on the page.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date
from typing import Iterable, Mapping
from urllib.parse import quote, urlparse

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from portfolio import geo, vocab
from portfolio.filters import Filters, flag_params, split_key
from portfolio.i18n import t
from portfolio.store import Store

POINT_LIMIT = 5000  # drawable projects above which the map shows aggregates
PAYLOAD_LIMIT = 2_000_000  # bytes of deck JSON sent to the browser, whatever the portfolio size
IMPRECISE_LIST_LIMIT = 2000
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"

COLOR_BY = ("category", "status")
SIZE_BY = ("budget", "equal")
LAYERS = ("projects", "indicator")
INDICATORS = ("projects", "budget_wan", "finish_rate", "start_rate", "late")
PLACEMENTS = ("exact", "village", "town", "county", "none", "unplaced")
APPROXIMATE = ("village", "town", "county", "none")

# Whole Qingyuan, for an empty selection.
QINGYUAN_BOUNDS = (111.9, 23.45, 113.95, 25.2)
MAX_FIT_ZOOM = 11.5

# Class colours. Rates run from the town-ranking chart's light blue to the status green.
RATE_LOW, RATE_HIGH = "#C6DBEF", "#1A9850"
COUNT_PALETTE = ("#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C")
LATE_PALETTE = ("#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15")
NO_DATA_COLOR = "#BDBDBD"
BORDER_RGB = [85, 85, 85]
FILL_SELECTED_RGB = [234, 241, 228]
FILL_OTHER_RGB = [246, 246, 246]


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

    def __post_init__(self):
        if self.color_by not in COLOR_BY or self.size_by not in SIZE_BY or self.layer not in LAYERS \
                or self.indicator not in INDICATORS:
            raise ValueError(f"unknown map option in {self!r}")


@dataclass(frozen=True)
class Basemap:
    """An optional tile basemap from the configuration (.streamlit/secrets.toml [map])."""
    name: str
    kind: str  # "raster" (a {z}/{x}/{y} tile URL) or "style" (a MapLibre/Mapbox style URL)
    url: str
    overlays: tuple[str, ...] = ()  # more raster layers drawn on top (天地图 annotation tiles)
    subdomains: tuple[str, ...] = ()
    crs: str = "wgs84"  # "gcj02" for AMap/Tencent tiles: points are shifted for display
    attribution: str = ""
    max_zoom: int = 18

    @property
    def gcj02(self) -> bool:
        return self.crs == "gcj02"

    def tile_urls(self, template: str) -> list[str]:
        """The template with {s} expanded over the subdomains."""
        if "{s}" in template and self.subdomains:
            return [template.replace("{s}", s) for s in self.subdomains]
        return [template.replace("{s}", "")] if "{s}" in template else [template]

    def style_url(self) -> str:
        """What the deck's mapStyle gets: the style URL, or a raster style as a data: URL."""
        if self.kind == "style":
            return self.url
        sources, layers = {}, []
        for i, template in enumerate((self.url, *self.overlays)):
            sources[f"tiles{i}"] = {"type": "raster", "tiles": self.tile_urls(template), "tileSize": 256,
                                    "maxzoom": self.max_zoom, "attribution": self.attribution}
            layers.append({"id": f"tiles{i}", "type": "raster", "source": f"tiles{i}"})
        style = {"version": 8, "sources": sources, "layers": layers}
        return "data:application/json;charset=utf-8," + quote(json.dumps(style, ensure_ascii=False, separators=(",", ":")))

    def probe_url(self, view: View) -> str:
        """One tile (or the style document) at the centre of `view`, for the browser-side load check."""
        if self.kind == "style":
            return self.url
        z = max(0, min(int(view.zoom) + 1, self.max_zoom))  # 256-px tiles: one level above the map zoom
        lon, lat = (geo.wgs84_to_gcj02(view.lon, view.lat) if self.gcj02 else (view.lon, view.lat))
        n = 2 ** z
        x = int((lon + 180.0) / 360.0 * n)
        y = int((1.0 - _merc_y(lat) / math.pi) / 2.0 * n)
        url = self.tile_urls(self.url)[0]
        return url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


PLACEHOLDER_KEYS = ("YOUR_KEY", "您的密钥", "<key>", "your_key", "在此填写")


def basemaps_from_config(config: Mapping | None) -> tuple[list[Basemap], list[str]]:
    """Basemaps from a `[map]` configuration mapping, and the problems found (as English codes
    with the entry's name: "name: problem_code")."""
    entries = list((config or {}).get("basemaps", []) or [])
    out, problems = [], []
    for i, entry in enumerate(entries):
        name = str(entry.get("name") or f"basemap {i + 1}")
        kind = str(entry.get("type") or "raster")
        url = str(entry.get("url") or "")
        overlays = entry.get("overlays") or ([entry["overlay"]] if entry.get("overlay") else [])
        subdomains = entry.get("subdomains") or ()
        if isinstance(subdomains, str):
            subdomains = tuple(subdomains)
        crs = str(entry.get("crs") or "wgs84").lower().replace("-", "")
        problem = _basemap_problem(kind, url, [str(o) for o in overlays], crs)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        out.append(Basemap(name=name, kind=kind, url=url, overlays=tuple(str(o) for o in overlays),
                           subdomains=tuple(str(s) for s in subdomains), crs=crs,
                           attribution=str(entry.get("attribution") or ""),
                           max_zoom=int(entry.get("max_zoom") or 18)))
    return out, problems


def _basemap_problem(kind: str, url: str, overlays: list[str], crs: str) -> str | None:
    if kind not in ("raster", "style"):
        return "bad_type"
    if crs not in ("wgs84", "gcj02"):
        return "bad_crs"
    for u in (url, *overlays):
        parsed = urlparse(u.replace("{s}", "0"))
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return "bad_url"
        if kind == "raster" and not all(p in u for p in ("{z}", "{x}", "{y}")):
            return "no_xyz"
        if any(p in u for p in PLACEHOLDER_KEYS):
            return "placeholder_key"
    return None


# Data -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocationSummary:
    """How precisely the filtered projects are placed (location_precision, plus 'unplaced')."""
    projects: int = 0
    exact: int = 0
    village: int = 0
    town: int = 0
    county: int = 0
    none: int = 0  # no coordinates of its own: drawn at its town's point
    unplaced: int = 0  # no coordinates and no known town: not drawn
    towns: int = 0  # distinct towns among the drawable projects

    @property
    def approximate(self) -> int:
        return self.village + self.town + self.county + self.none

    @property
    def placed(self) -> int:
        return self.projects - self.unplaced


@dataclass
class MapData:
    """What the database says for one filtered view of the map."""
    summary: LocationSummary
    bounds: Bounds | None
    towns: pd.DataFrame  # map_town_stats: towns in scope, with projects = 0 for "no data"
    points: pd.DataFrame | None = None  # map_points, when the drawable count is within the limit
    grid: pd.DataFrame | None = None  # map_grid, when aggregated inside one town
    grid_cell: float | None = None  # cell size in degrees
    mode: str = "points"  # points / towns / grid (what the projects layer shows)
    counties: tuple[str, ...] = ()  # the filter's counties, to highlight on the boundary layer
    within_towns: bool = False  # the filters name towns or villages: fit to the projects, not the counties


def load(db: Store, filters: Filters, as_of: date, layer: str = "projects",
         point_limit: int = POINT_LIMIT) -> MapData:
    """Run the map's queries for `filters`; points only when there are at most `point_limit`."""
    row = db.one("map_summary", flag_params(filters, as_of)) or {}
    summary = LocationSummary(**{k: int(row.get(k) or 0) for k in LocationSummary.__dataclass_fields__})
    bounds = None
    if row.get("west") is not None:
        bounds = Bounds(row["west"], row["south"], row["east"], row["north"])
    towns = db.df("map_town_stats", flag_params(filters, as_of))
    data = MapData(summary=summary, bounds=bounds, towns=towns, counties=tuple(filters.counties),
                   within_towns=bool(filters.towns or filters.villages))
    if layer != "projects":
        data.mode = "indicator"
        return data
    if summary.placed <= point_limit:
        data.points = db.df("map_points", {**flag_params(filters, as_of), "limit": point_limit})
        data.mode = "points"
    elif summary.towns > 1:
        data.mode = "towns"
    else:
        data.mode = "grid"
        data.grid_cell = grid_cell_for(bounds)
        data.grid = db.df("map_grid", {**flag_params(filters, as_of), "cell": data.grid_cell})
    return data


def grid_cell_for(bounds: Bounds | None, cells_across: int = 40) -> float:
    """A cell size (degrees, rounded) giving about `cells_across` cells over the area, at least ~200 m."""
    if bounds is None:
        return 0.01
    span = max(bounds.east - bounds.west, bounds.north - bounds.south)
    raw = max(span / cells_across, 0.002)
    magnitude = 10 ** math.floor(math.log10(raw))
    return round(min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=raw), 6)


def imprecise_projects(db: Store, filters: Filters, limit: int = IMPRECISE_LIST_LIMIT) -> pd.DataFrame:
    """The filtered projects not placed by their own exact coordinates, least precise first."""
    # The list reads no late/stalled flag, so the reference date does not matter here.
    return db.df("map_imprecise", {**flag_params(filters, date.today()), "limit": limit})


# Legend -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegendItem:
    label: str
    color: str  # hex
    count: int | None = None
    hollow: bool = False


@dataclass(frozen=True)
class SizeItem:
    label: str
    radius_px: float


@dataclass(frozen=True)
class Legend:
    title: str
    items: tuple[LegendItem, ...]
    size_title: str = ""
    sizes: tuple[SizeItem, ...] = ()
    notes: tuple[str, ...] = ()
    data_date: str = ""


# Formatting ---------------------------------------------------------------------------
def _num(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if value != value else value


def _wan(value) -> str:
    return f"{_num(value):,.1f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


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


# Deck ---------------------------------------------------------------------------------
class MapDeck(pdk.Deck):
    """A pydeck Deck whose JSON is compact: no indentation, UTF-8 text (half the bytes of \\u escapes)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


class EscapedMapDeck(MapDeck):
    """A deck whose tooltip values are html-escaped, for pages outside Streamlit (exports)."""
    escaped_tooltips = True  # a class attribute, so it never enters the JSON


@dataclass
class MapResult:
    deck: MapDeck
    legend: Legend
    mode: str  # points / towns / grid / indicator
    view: View
    payload_bytes: int
    shown: int  # objects drawn in the main layer
    aggregated: bool = False
    fell_back: bool = False  # points were too heavy for the payload limit
    gcj02: bool = False


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


def _shift(lon: float, lat: float, gcj02: bool) -> list[float]:
    if gcj02:
        lon, lat = geo.wgs84_to_gcj02(lon, lat)
    return [round(lon, 5), round(lat, 5)]


def _character_set(texts: Iterable[str]) -> str:
    chars = set("0123456789,.%·()（）/-—个万元 ")
    for text in texts:
        chars.update(text)
    chars -= {"'", '"', "`", "\n"}
    return "".join(sorted(chars))


def county_label_points() -> dict[str, tuple[float, float]]:
    """county name -> a label point: the area-weighted centroid of the county's largest polygon."""
    out = {}
    for feature in geo.county_geojson()["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        best, best_area = None, -1.0
        for polygon in polygons:
            ring = polygon[0]
            a = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
                cross = x0 * y1 - x1 * y0
                a += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if abs(a) > best_area and a != 0:
                best_area, best = abs(a), (cx / (3 * a), cy / (3 * a))
        if best:
            out[feature["properties"]["county"]] = best
    return out


@lru_cache(maxsize=2)
def _county_geometries(gcj02: bool) -> tuple[tuple[str, dict], ...]:
    """(county, geometry) with coordinates rounded to 4 decimals (about 10 m), shifted for GCJ-02 tiles."""
    return tuple((feature["properties"]["county"], _map_geometry(feature["geometry"], gcj02))
                 for feature in geo.county_geojson()["features"])


def _county_layer(counties: tuple[str, ...], basemap: bool, gcj02: bool, scale: float) -> pdk.Layer:
    features = []
    for county, geometry in _county_geometries(gcj02):
        chosen = not counties or county in counties
        # Over tiles the chosen counties keep a light tint, so the map still reads if the tiles fail.
        fill = (FILL_SELECTED_RGB if chosen else FILL_OTHER_RGB) + [80 if basemap and chosen else 0 if basemap else 255]
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"county": county, "fc": fill, "lc": BORDER_RGB + [255 if chosen else 150]}})
    return pdk.Layer(
        "GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="counties",
        filled=True, stroked=True, pickable=False, get_fill_color="properties.fc", get_line_color="properties.lc",
        line_width_units=_literal("pixels"), get_line_width=1.6 * scale, line_width_min_pixels=1,
    )


def _map_geometry(geometry: dict, gcj02: bool) -> dict:
    def ring(coords):
        return [[round(x, 4), round(y, 4)] for x, y in (_shift(x, y, gcj02) for x, y in coords)]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


def _pixel(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """World pixel coordinates (Web Mercator, 512-px world at zoom 0 as deck.gl uses)."""
    world = 512 * 2 ** zoom
    return (lon + 180.0) / 360.0 * world, (1.0 - _merc_y(lat) / math.pi) / 2.0 * world


def declutter(rows: list[dict], view: View, size_px: float, fixed: Iterable[tuple[dict, float]] = ()) -> list[dict]:
    """The labels that fit without overlapping at `view`, highest priority ("pr") first.

    Rows carry "p" (lon, lat), "t" (text; lines split by newlines) and "o" (pixel offset of the
    text's top below the point, or None for text centred on the point); `fixed` labels (row, size)
    are always kept and block the others.
    """
    placed: list[tuple[float, float, float, float]] = []

    def box(row: dict, size: float) -> tuple[float, float, float, float]:
        x, y = _pixel(row["p"][0], row["p"][1], view.zoom)
        lines = row["t"].split("\n")
        half_w = max(len(line) for line in lines) * size * 0.52 + 2
        height = len(lines) * size * 1.2 + 2
        top = y - height / 2 if row.get("o") is None else y + row["o"][1]
        return x - half_w, top, x + half_w, top + height

    for row, size in fixed:
        placed.append(box(row, size))
    kept = []
    for row in sorted(rows, key=lambda r: -r.get("pr", 0)):
        b = box(row, size_px)
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in placed):
            continue
        placed.append(b)
        kept.append(row)
    return kept


def _label_layers(data: MapData, gcj02: bool, scale: float, town_values: dict[tuple[str, str], tuple[str, float]],
                  view: View) -> list[pdk.Layer]:
    """County names and town names (with a value line under each bubble in aggregate and indicator modes),
    decluttered for `view` so that no two overlap.

    The labels are placed here rather than by deck.gl's CollisionFilterExtension: that extension is
    missing from pydeck's standalone bundle (exports), hides labels drawn with a pixel offset, and
    wants priorities within [-1000, 1000]. Zooming in with the mouse keeps the labels of the fitted view;
    choosing a town refits and places them again.
    """
    county_points = county_label_points()
    shown_counties = [c for c in county_points if not data.counties or c in data.counties]
    county_size, town_size = round(20 * scale), round(13 * scale)
    county_rows = [{"p": _shift(*county_points[c], gcj02), "t": geo.short_county(c)} for c in shown_counties]
    town_rows = []
    for row in data.towns.itertuples(index=False):
        if row.lon is None or row.lon != row.lon:
            continue
        value, offset = town_values.get((row.county, row.town), ("", None))
        town_rows.append({"p": _shift(row.lon, row.lat, gcj02), "t": row.town + (f"\n{value}" if value else ""),
                          "o": None if offset is None else [0, round(offset)],
                          "pr": _num(row.budget_wan) if row.projects else -1.0})
    town_rows = declutter(town_rows, view, town_size, [(r, county_size) for r in county_rows])
    for row in town_rows:
        row.pop("pr", None)
        if row["o"] is None:
            row["o"] = [0, 0]
    common = dict(font_family=_literal(FONT_FAMILY), font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
                  outline_width=4, outline_color=[255, 255, 255, 235], pickable=False, billboard=True,
                  size_units=_literal("pixels"), get_text_anchor=_literal("middle"))
    county_layer = pdk.Layer(
        "TextLayer", data=county_rows, id="county_labels", get_position="p", get_text="t",
        get_size=county_size, get_color=[70, 70, 70, 255], font_weight=_literal("bold"),
        get_alignment_baseline=_literal("center"),
        character_set=_literal(_character_set(r["t"] for r in county_rows)), **common,
    )
    town_layer = pdk.Layer(
        "TextLayer", data=town_rows, id="town_labels", get_position="p", get_text="t",
        get_size=town_size, get_color=[35, 35, 35, 255], get_pixel_offset="o",
        get_alignment_baseline=_literal("top" if town_values else "center"),
        character_set=_literal(_character_set(r["t"] for r in town_rows)), **common,
    )
    return [county_layer, town_layer]


def _project_records(points: pd.DataFrame, options: MapOptions, for_html: bool, gcj02: bool) -> list[dict]:
    lang = options.lang
    records = []
    for row in points.itertuples(index=False):
        color_hex = vocab.category_color(row.category) if options.color_by == "category" else vocab.status_color(row.status)
        approximate = row.placement != "exact"
        progress = "—" if row.progress_pct is None or row.progress_pct != row.progress_pct else f"{row.progress_pct:.0f}%"
        place = " · ".join(p for p in (row.town, None if row.village != row.village else row.village) if p)
        lines = [
            _clip(place, 40),
            t("map_tt_category", lang, v=vocab.label("category", row.category, lang)),
            t("map_tt_status", lang, v=vocab.label("status", row.status, lang), p=progress),
            t("map_tt_budget", lang, v=_wan(row.budget_wan)),
            t("map_tt_late", lang) if row.is_late else "",
            t("map_tt_place", lang, v=t(f"prec_{row.placement}", lang)) if approximate else "",
        ]
        records.append({
            "i": str(row.project_id), "p": _shift(row.lon, row.lat, gcj02),
            "f": [255, 255, 255, 90] if approximate else _rgb(color_hex, 225),
            "l": _rgb(color_hex) if approximate else [255, 255, 255, 255],
            "w": round((2.2 if approximate else 1.0) * options.scale, 1),
            "r": point_radius(row.budget_wan, options.size_by, options.scale),
            **_tip(_clip(row.name, 60), lines, for_html),
        })
    return records


def _project_legend(points: pd.DataFrame, options: MapOptions, summary: LocationSummary) -> Legend:
    lang = options.lang
    if options.color_by == "category":
        counts = points["category"].value_counts().to_dict()
        items = tuple(LegendItem(vocab.label("category", c, lang), vocab.category_color(c), int(counts[c]))
                      for c in vocab.CATEGORY_CODES if counts.get(c))
        title = t("map_legend_category", lang)
    else:
        counts = points["status"].value_counts().to_dict()
        items = tuple(LegendItem(vocab.label("status", s, lang), vocab.status_color(s), int(counts[s]))
                      for s in vocab.STATUS_CODES if counts.get(s))
        title = t("map_legend_status", lang)
    approximate = int((points["placement"] != "exact").sum())
    if approximate:
        items += (LegendItem(t("map_legend_hollow", lang), "#777777", approximate, hollow=True),)
    sizes: tuple[SizeItem, ...] = ()
    if options.size_by == "budget":
        budgets = points["budget_wan"].dropna()
        top = nice_number(float(budgets.quantile(0.95))) if len(budgets) else 0
        steps = sorted({v for v in (nice_number(top / 25), nice_number(top / 5), top) if v > 0})
        sizes = tuple(SizeItem(f"{v:,g}", point_radius(v, "budget", options.scale)) for v in steps)
        size_title = t("map_legend_size_budget", lang)
    else:
        size_title = t("map_legend_size_equal", lang)
    notes = (t("map_legend_unplaced", lang, n=f"{summary.unplaced:,}"),) if summary.unplaced else ()
    return Legend(title, items, size_title, sizes, notes)


def _aggregate_records(frame: pd.DataFrame, kind: str, options: MapOptions, for_html: bool,
                       gcj02: bool) -> list[dict]:
    lang = options.lang
    max_budget = float(frame["budget_wan"].max()) if len(frame) else 0.0
    records = []
    for row in frame.itertuples(index=False):
        if not row.projects or row.lon is None or row.lon != row.lon:
            continue
        finish = row.finished / row.projects
        color = RATE_PALETTE[classify(finish, list(RATE_BREAKS))]
        heading = f"{row.town}（{geo.short_county(row.county)}）" if kind == "town" else t("map_tt_cell", lang)
        lines = [
            t("map_tt_projects_budget", lang, n=f"{row.projects:,}", b=_wan(row.budget_wan)),
            t("map_tt_rates", lang, s=_pct(row.started / row.projects), f=_pct(finish)),
            t("map_tt_late_n", lang, n=f"{row.late:,}") if row.late else "",
            t("map_tt_click_town" if kind == "town" else "map_tt_click_cell", lang),
        ]
        record = {"p": _shift(row.lon, row.lat, gcj02), "f": _rgb(color, 215), "l": [255, 255, 255, 255],
                  "w": round(1.5 * options.scale, 1), "r": _bubble_radius(_num(row.budget_wan), max_budget, options.scale),
                  **_tip(heading, lines, for_html)}
        if kind == "town":
            record.update({"c": row.county, "t": row.town})
        records.append(record)
    return records


def _aggregate_legend(frame: pd.DataFrame, kind: str, options: MapOptions, summary: LocationSummary) -> Legend:
    lang = options.lang
    has = frame[frame["projects"] > 0]
    finish = (has["finished"] / has["projects"]).tolist()
    lower = [0.0, *RATE_BREAKS[:-1]]
    items = tuple(
        LegendItem(f"{lo:.0%}–{hi:.0%}", RATE_PALETTE[i],
                   sum(1 for f in finish if classify(f, list(RATE_BREAKS)) == i))
        for i, (lo, hi) in enumerate(zip(lower, RATE_BREAKS))
    )
    max_budget = float(has["budget_wan"].max()) if len(has) else 0.0
    top = nice_number(max_budget)
    steps = sorted({v for v in (nice_number(top / 16), nice_number(top / 4), top) if v > 0})
    sizes = tuple(SizeItem(f"{v:,g}", _bubble_radius(v, max_budget, options.scale)) for v in steps)
    title = t("map_legend_agg_color_town" if kind == "town" else "map_legend_agg_color_cell", lang)
    notes = (t("map_legend_unplaced", lang, n=f"{summary.unplaced:,}"),) if summary.unplaced else ()
    return Legend(title, items, t("map_legend_agg_size", lang), sizes, notes)


def indicator_value(row, indicator: str) -> float | None:
    """A town's indicator value; None for a town without projects (the "no data" class)."""
    if not row.projects:
        return None
    if indicator == "projects":
        return float(row.projects)
    if indicator == "budget_wan":
        return _num(row.budget_wan)
    if indicator == "finish_rate":
        return row.finished / row.projects
    if indicator == "start_rate":
        return row.started / row.projects
    return float(row.late)


def format_indicator(value: float | None, indicator: str) -> str:
    if value is None:
        return "—"
    if indicator in ("finish_rate", "start_rate"):
        return f"{value:.0%}"
    if indicator == "budget_wan":
        return f"{value:,.0f}"
    return f"{int(value):,}"


def indicator_classes(towns: pd.DataFrame, indicator: str) -> tuple[list[float], tuple[str, ...]]:
    """Class upper bounds and colours for an indicator over the towns with data."""
    if indicator in ("finish_rate", "start_rate"):
        return list(RATE_BREAKS), RATE_PALETTE
    values = [v for v in (indicator_value(r, indicator) for r in towns.itertuples(index=False)) if v is not None]
    if indicator == "late":
        breaks = [0.0] + [b for b in class_breaks(values, 4) if b > 0]
        return breaks, LATE_PALETTE[: len(breaks)]
    breaks = class_breaks(values, 5)
    palette = COUNT_PALETTE if len(breaks) >= 5 else COUNT_PALETTE[-len(breaks):] if breaks else ()
    return breaks, palette


def _indicator_records(towns: pd.DataFrame, options: MapOptions, breaks: list[float], palette: tuple[str, ...],
                       for_html: bool, gcj02: bool) -> list[dict]:
    lang = options.lang
    records = []
    for row in towns.itertuples(index=False):
        if row.lon is None or row.lon != row.lon:
            continue
        value = indicator_value(row, options.indicator)
        heading = f"{row.town}（{geo.short_county(row.county)}）"
        if value is None:
            records.append({"c": row.county, "t": row.town, "p": _shift(row.lon, row.lat, gcj02),
                            "f": [255, 255, 255, 200], "l": _rgb(NO_DATA_COLOR), "w": round(2 * options.scale, 1),
                            "r": round(7 * options.scale, 1),
                            **_tip(heading, [t("map_legend_no_data", lang)], for_html)})
            continue
        color = palette[classify(value, breaks)]
        lines = [
            f"{t('map_ind_' + options.indicator, lang)}：{format_indicator(value, options.indicator)}",
            t("map_tt_projects_budget", lang, n=f"{row.projects:,}", b=_wan(row.budget_wan)),
            t("map_tt_rates", lang, s=_pct(row.started / row.projects), f=_pct(row.finished / row.projects)),
            t("map_tt_late_n", lang, n=f"{row.late:,}") if row.late else "",
            t("map_tt_click_town", lang),
        ]
        records.append({"c": row.county, "t": row.town, "p": _shift(row.lon, row.lat, gcj02),
                         "f": _rgb(color, 235), "l": [90, 90, 90, 255], "w": round(1.2 * options.scale, 1),
                         "r": round(12 * options.scale, 1), **_tip(heading, lines, for_html)})
    return records


def _indicator_legend(towns: pd.DataFrame, options: MapOptions, breaks: list[float],
                      palette: tuple[str, ...]) -> Legend:
    lang = options.lang
    values = [indicator_value(r, options.indicator) for r in towns.itertuples(index=False)]
    counts = [0] * len(breaks)
    for v in values:
        if v is not None and breaks:
            counts[classify(v, breaks)] += 1
    items = []
    lower = None
    for i, upper in enumerate(breaks):
        if options.indicator == "late" and upper == 0:
            label = "0"
        elif lower is None:
            label = f"≤ {format_indicator(upper, options.indicator)}"
        else:
            label = f"{format_indicator(lower, options.indicator)} – {format_indicator(upper, options.indicator)}"
        if options.indicator in ("finish_rate", "start_rate"):
            label = f"{(0 if lower is None else lower):.0%}–{upper:.0%}"
        items.append(LegendItem(label, palette[i], counts[i]))
        lower = upper
    no_data = sum(1 for v in values if v is None)
    items.append(LegendItem(t("map_legend_no_data", lang), NO_DATA_COLOR, no_data, hollow=True))
    return Legend(t("map_ind_" + options.indicator, lang) + t("map_legend_by_town", lang), tuple(items))


def build(data: MapData, options: MapOptions = MapOptions(), view: View | None = None,
          basemap: Basemap | None = None, for_html: bool = False, canvas: tuple[int, int] = (900, 600),
          data_date: date | None = None) -> MapResult:
    """The deck, legend and view for `data`. `for_html` escapes tooltip values (standalone HTML exports)."""
    gcj02 = bool(basemap and basemap.gcj02)
    lang = options.lang
    layers = [_county_layer(data.counties, basemap is not None, gcj02, options.scale)]
    town_values: dict[tuple[str, str], tuple[str, float]] = {}  # value line, pixel offset below the point
    mode, aggregated, fell_back = data.mode, False, False
    main_records: list[dict] = []
    legend = Legend(t("map_legend_category", lang), ())

    if mode == "points" and data.points is not None:
        main_records = _project_records(data.points, options, for_html, gcj02)
        legend = _project_legend(data.points, options, data.summary)
        if len(json.dumps(main_records, ensure_ascii=False, separators=(",", ":")).encode()) > options.payload_limit * 0.9:
            mode, fell_back = "towns", True
    if mode == "towns":
        main_records = _aggregate_records(data.towns, "town", options, for_html, gcj02)
        legend = _aggregate_legend(data.towns, "town", options, data.summary)
        radius = {(r["c"], r["t"]): r["r"] for r in main_records}
        town_values = {(r.county, r.town): (t("map_town_count", lang, n=f"{r.projects:,}"),
                                            radius.get((r.county, r.town), 0) + 2)
                       for r in data.towns.itertuples(index=False) if r.projects}
        aggregated = True
    elif mode == "grid" and data.grid is not None:
        main_records = _aggregate_records(data.grid.assign(county="", town=""), "cell", options, for_html, gcj02)
        legend = _aggregate_legend(data.grid, "cell", options, data.summary)
        aggregated = True
    elif mode == "indicator":
        breaks, palette = indicator_classes(data.towns, options.indicator)
        main_records = _indicator_records(data.towns, options, breaks, palette, for_html, gcj02)
        legend = _indicator_legend(data.towns, options, breaks, palette)
        radius = {(r["c"], r["t"]): r["r"] for r in main_records}
        town_values = {(r.county, r.town): (format_indicator(indicator_value(r, options.indicator), options.indicator)
                                            if r.projects else "", radius.get((r.county, r.town), 0) + 2)
                       for r in data.towns.itertuples(index=False)}

    if view is None:
        view = fit_view(area_bounds(data), *canvas)
    layer_id = {"points": "projects", "towns": "towns", "grid": "cells", "indicator": "towns"}[mode]
    shown_view = view
    if gcj02:
        lon, lat = geo.wgs84_to_gcj02(view.lon, view.lat)
        shown_view = View(lat, lon, view.zoom)
    # Names go above points and bubbles (text is not pickable, so what lies beneath stays clickable).
    main = pdk.Layer(
        "ScatterplotLayer", data=main_records, id=layer_id, get_position="p", get_fill_color="f",
        get_line_color="l", get_line_width="w", get_radius="r", radius_units=_literal("pixels"),
        line_width_units=_literal("pixels"), stroked=True, filled=True, pickable=True, auto_highlight=True,
        highlight_color=[255, 200, 0, 200],
    )
    layers.append(main)
    layers += _label_layers(data, gcj02, options.scale, town_values, shown_view)

    deck_kwargs = dict(
        layers=layers, map_provider=None, tooltip=TOOLTIP,
        initial_view_state=pdk.ViewState(latitude=shown_view.lat, longitude=shown_view.lon, zoom=shown_view.zoom,
                                         pitch=0, bearing=0, min_zoom=4, max_zoom=17),
    )
    if basemap is not None:
        deck_kwargs["map_style"] = basemap.style_url()
    deck = (EscapedMapDeck if for_html else MapDeck)(**deck_kwargs)
    legend = replace(legend, data_date=data_date.isoformat() if data_date else "")
    payload = len(deck.to_json().encode("utf-8"))
    return MapResult(deck=deck, legend=legend, mode=mode, view=view, payload_bytes=payload,
                     shown=len(main_records), aggregated=aggregated, fell_back=fell_back, gcj02=gcj02)


@lru_cache(maxsize=1)
def _county_bounds() -> dict[str, Bounds]:
    out = {}
    for county, geometry in _county_geometries(False):
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        ring = [point for polygon in polygons for point in polygon[0]]
        out[county] = Bounds.of_points([p[0] for p in ring], [p[1] for p in ring])
    return out


def area_bounds(data: MapData) -> Bounds | None:
    """What "fit to the selected area" shows: the chosen counties (all when none) and every drawable
    project; within chosen towns or villages, their projects and town points only."""
    bounds = data.bounds
    if data.within_towns or data.mode == "grid":
        towns = Bounds.of_points(data.towns["lon"], data.towns["lat"]) if data.mode == "indicator" else None
        return bounds.union(towns) if bounds else towns
    for county, county_box in _county_bounds().items():
        if not data.counties or county in data.counties:
            bounds = county_box.union(bounds)
    return bounds


def area_label(filters: Filters, lang: str = "zh") -> str:
    """Where the map is: 阳山县太平镇 for one town, the chosen towns or counties, else the whole city."""
    if len(filters.towns) == 1:
        county, town = split_key(filters.towns[0])[:2]
        return f"{county}{town}"
    if filters.towns:
        names = [split_key(k)[1] for k in filters.towns]
        return "、".join(names[:4]) + ("…" if len(names) > 4 else "")
    if filters.counties:
        return "、".join(filters.counties[:4]) + ("…" if len(filters.counties) > 4 else "")
    return t("map_area_all", lang)
