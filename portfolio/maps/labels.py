"""County and town names on the map, decluttered so that no two overlap.

On the page, names sit on their points in white boxes that win over the points beneath. In exports
(the offline HTML and the slide picture, where nobody can zoom in to read under a name) county names
are written in full and every name is moved beside its point where it covers no marker, or left out.
"""
from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from typing import Callable, Iterable

import pydeck as pdk

from portfolio import geo
from portfolio.maps.aggregation import MapData
from portfolio.maps.geometry import View, _pixel, _shift
from portfolio.maps.style import FONT_FAMILY, _literal, _num


LABEL_BOX_RGBA = [255, 255, 255, 242]
LABEL_PAD = (4, 3)  # px around a town name's white box
TOWN_LABEL_PX, PRESENT_MIN_TOWN_LABEL_PX = 13, 16


@lru_cache(maxsize=1)
def shared_town_names() -> frozenset[str]:
    """Town names that occur in more than one county of the gazetteer (太平镇, 石角镇)."""
    counts = Counter(town.town for town in geo.towns())
    return frozenset(name for name, n in counts.items() if n > 1)


def town_label(county: str, town: str, shared: frozenset[str] | None = None) -> str:
    """The town's name on the map, with its county where another county has a town of that name."""
    shared = shared_town_names() if shared is None else shared
    return f"{town}（{geo.short_county(county)}）" if town in shared else town


def town_label_px(scale: float) -> int:
    """Town names: 13 px on the page, at least 16 px on the wall screen (scale > 1)."""
    size = round(TOWN_LABEL_PX * scale)
    return max(size, PRESENT_MIN_TOWN_LABEL_PX) if scale > 1 else size


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


def declutter(rows: list[dict], view: View, size_px: float, fixed: Iterable[tuple[dict, float]] = (),
              pad: tuple[float, float] = (0.0, 0.0)) -> list[dict]:
    """The labels that fit without overlapping at `view`, highest priority ("pr") first.

    Rows carry "p" (lon, lat), "t" (text; lines split by newlines) and "o" (pixel offset of the
    text's top below the point, or None for text centred on the point); `fixed` labels (row, size)
    are always kept and block the others; `pad` (x, y) widens the rows' boxes (a label's background).
    """
    placed: list[tuple[float, float, float, float]] = []

    def box(row: dict, size: float, pad_x: float = 0.0, pad_y: float = 0.0) -> tuple[float, float, float, float]:
        x, y = _pixel(row["p"][0], row["p"][1], view.zoom)
        lines = row["t"].split("\n")
        half_w = max(len(line) for line in lines) * size * 0.52 + 2 + pad_x
        height = len(lines) * size * 1.2 + 2 + 2 * pad_y
        top = y - height / 2 if row.get("o") is None else y + row["o"][1] - pad_y
        return x - half_w, top, x + half_w, top + height

    for row, size in fixed:
        placed.append(box(row, size))
    kept = []
    for row in sorted(rows, key=lambda r: -r.get("pr", 0)):
        b = box(row, size_px, *pad)
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in placed):
            continue
        placed.append(b)
        kept.append(row)
    return kept


Box = tuple[float, float, float, float]
Marker = tuple[float, float, float]  # world-pixel centre x, y and radius (outline included)


def _half_size(row: dict, size: float, pad: tuple[float, float]) -> tuple[float, float]:
    """Half the width and height of a label's box (CJK characters about a font size wide)."""
    lines = row["t"].split("\n")
    return max(len(line) for line in lines) * size * 0.52 + 2 + pad[0], (len(lines) * size * 1.2 + 2) / 2 + pad[1]


def label_box(row: dict, view: View, size: float, pad: tuple[float, float] = (0.0, 0.0),
              offset: tuple[float, float] = (0.0, 0.0)) -> Box:
    """The pixel box of a label centred `offset` pixels from its point."""
    x, y = _pixel(row["p"][0], row["p"][1], view.zoom)
    half_w, half_h = _half_size(row, size, pad)
    cx, cy = x + offset[0], y + offset[1]
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


class _MarkerGrid:
    """Markers bucketed by 64-px cells: which markers a box may touch, without testing them all."""
    CELL = 64.0

    def __init__(self, markers: Iterable[Marker]):
        self.cells: dict[tuple[int, int], list[Marker]] = {}
        for m in markers:
            x, y, r = m
            for i in range(int((x - r) // self.CELL), int((x + r) // self.CELL) + 1):
                for j in range(int((y - r) // self.CELL), int((y + r) // self.CELL) + 1):
                    self.cells.setdefault((i, j), []).append(m)

    def hits(self, box: Box) -> bool:
        x0, y0, x1, y1 = box
        for i in range(int(x0 // self.CELL), int(x1 // self.CELL) + 1):
            for j in range(int(y0 // self.CELL), int(y1 // self.CELL) + 1):
                for x, y, r in self.cells.get((i, j), ()):
                    dx = x - min(max(x, x0), x1)
                    dy = y - min(max(y, y0), y1)
                    if dx * dx + dy * dy < r * r:
                        return True
        return False


def _overlaps(box: Box, others: Iterable[Box]) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in others)


_DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))


def _candidates(row: dict, size: float, pad: tuple[float, float]) -> list[tuple[float, float]]:
    """Centre offsets to try for a label: where it belongs (on its point, or below its bubble), then
    around the point at growing distances, nearest first."""
    half_w, half_h = _half_size(row, size, pad)
    gap = float(row.get("gap") or 0.0)  # the bubble's radius: keep the name off it
    out = [(0.0, gap + 2 + half_h)] if gap else [(0.0, 0.0)]
    for margin in (3.0, 12.0, 24.0):
        for sx, sy in _DIRECTIONS:
            out.append((sx * (half_w + gap + margin), sy * (half_h + gap + margin)))
    return out


def place_clear_of_markers(rows: list[dict], view: View, size_px: float, markers: Iterable[Marker],
                           taken: Iterable[Box] = (), pad: tuple[float, float] = (0.0, 0.0),
                           allowed: Callable[[dict, tuple[float, float]], bool] | None = None,
                           keep_all: bool = False) -> list[dict]:
    """Labels placed so that none covers a marker or another label, highest priority ("pr") first.

    Each kept row gets "o", the centre offset in pixels where it is drawn; a label with no free spot
    near its point is left out (or, with `keep_all`, drawn on its point). Rows may carry "gap" (the
    radius of their own bubble); `allowed(row, offset)` can refuse spots (a county name outside its county)."""
    grid = _MarkerGrid(markers)
    placed: list[Box] = list(taken)
    kept = []
    for row in sorted(rows, key=lambda r: -r.get("pr", 0)):
        for offset in _candidates(row, size_px, pad):
            box = label_box(row, view, size_px, pad, offset)
            if not grid.hits(box) and not _overlaps(box, placed) and (allowed is None or allowed(row, offset)):
                placed.append(box)
                kept.append({**row, "o": [round(offset[0], 1), round(offset[1], 1)]})
                break
        else:
            if keep_all:  # clear of the other names at least (over markers if it must), nearest spot first
                offsets = _candidates(row, size_px, pad)
                free = [o for o in offsets if not _overlaps(label_box(row, view, size_px, pad, o), placed)]
                inside = [o for o in free if allowed is None or allowed(row, o)]
                offset = (inside or free or [(0.0, 0.0)])[0]
                placed.append(label_box(row, view, size_px, pad, offset))
                kept.append({**row, "o": [round(offset[0], 1), round(offset[1], 1)]})
    return kept


def _lonlat(x: float, y: float, zoom: float) -> tuple[float, float]:
    """The inverse of _pixel."""
    world = 512 * 2 ** zoom
    lon = x / world * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / world))))
    return lon, lat


def _inside_own_county(view: View, gcj02: bool):
    """A check that a county name's centre stays inside that county's polygon."""
    codes = {name: code for code, name in geo.county_names().items()}

    def allowed(row: dict, offset: tuple[float, float]) -> bool:
        x, y = _pixel(row["p"][0], row["p"][1], view.zoom)
        lon, lat = _lonlat(x + offset[0], y + offset[1], view.zoom)
        if gcj02:
            lon, lat = geo.gcj02_to_wgs84(lon, lat)
        return geo.point_in_county(lon, lat) == codes.get(row["t"])
    return allowed


def markers_of(records: list[dict], view: View) -> list[Marker]:
    """The main layer's circles (position "p", radius "r", outline "w") in world pixels at `view`."""
    out = []
    for rec in records:
        x, y = _pixel(rec["p"][0], rec["p"][1], view.zoom)
        out.append((x, y, float(rec.get("r") or 0) + float(rec.get("w") or 0) / 2 + 1))
    return out


def _picture_label_layers(data: MapData, gcj02: bool, scale: float,
                          town_values: dict[tuple[str, str], tuple[str, float]], view: View,
                          markers: list[Marker]) -> list[pdk.Layer]:
    """Labels for exported maps (the HTML download and the slide picture): county names in full and
    town names that never cover a marker; each name sits on its point or just beside it."""
    county_points = county_label_points()
    shown_counties = [c for c in county_points if not data.counties or c in data.counties]
    county_size, town_size = round(20 * scale), town_label_px(scale)
    # A county name always shows: clear of markers inside its county where it can, else on its centre.
    county_rows = place_clear_of_markers(
        [{"p": _shift(*county_points[c], gcj02), "t": c, "pr": 1.0} for c in shown_counties],
        view, county_size, markers, allowed=_inside_own_county(view, gcj02), keep_all=True)
    taken = [label_box(r, view, county_size, offset=tuple(r["o"])) for r in county_rows]
    town_rows = []
    shared = shared_town_names()
    for row in data.towns.itertuples(index=False):
        if row.lon is None or row.lon != row.lon:
            continue
        value, gap = town_values.get((row.county, row.town), ("", None))
        town_rows.append({"p": _shift(row.lon, row.lat, gcj02),
                          "t": town_label(row.county, row.town, shared) + (f"\n{value}" if value else ""),
                          "gap": max(float(gap or 0) - 2, 0.0), "pr": _num(row.budget_wan) if row.projects else -1.0})
    town_rows = place_clear_of_markers(town_rows, view, town_size, markers, taken, pad=LABEL_PAD)
    for row in county_rows + town_rows:
        row.pop("pr", None)
        row.pop("gap", None)
    common = dict(font_family=_literal(FONT_FAMILY), font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
                  outline_width=4, outline_color=[255, 255, 255, 235], pickable=False, billboard=True,
                  size_units=_literal("pixels"), get_text_anchor=_literal("middle"),
                  get_alignment_baseline=_literal("center"), get_pixel_offset="o")
    county_layer = pdk.Layer(
        "TextLayer", data=county_rows, id="county_labels", get_position="p", get_text="t",
        get_size=county_size, get_color=[70, 70, 70, 255], font_weight=_literal("bold"),
        character_set=_literal(_character_set(r["t"] for r in county_rows)), **common,
    )
    town_layer = pdk.Layer(
        "TextLayer", data=town_rows, id="town_labels", get_position="p", get_text="t",
        get_size=town_size, get_color=[35, 35, 35, 255],
        background=True, get_background_color=LABEL_BOX_RGBA, background_padding=list(LABEL_PAD),
        character_set=_literal(_character_set(r["t"] for r in town_rows)), **common,
    )
    return [county_layer, town_layer]


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
    county_size, town_size = round(20 * scale), town_label_px(scale)
    county_rows = [{"p": _shift(*county_points[c], gcj02), "t": geo.short_county(c)} for c in shown_counties]
    town_rows = []
    shared = shared_town_names()
    for row in data.towns.itertuples(index=False):
        if row.lon is None or row.lon != row.lon:
            continue
        value, offset = town_values.get((row.county, row.town), ("", None))
        name = town_label(row.county, row.town, shared)
        town_rows.append({"p": _shift(row.lon, row.lat, gcj02), "t": name + (f"\n{value}" if value else ""),
                          "o": None if offset is None else [0, round(offset)],
                          "pr": _num(row.budget_wan) if row.projects else -1.0})
    town_rows = declutter(town_rows, view, town_size, [(r, county_size) for r in county_rows], pad=LABEL_PAD)
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
    # A town name sits on a white box: where points crowd it, the name wins over what lies beneath.
    town_layer = pdk.Layer(
        "TextLayer", data=town_rows, id="town_labels", get_position="p", get_text="t",
        get_size=town_size, get_color=[35, 35, 35, 255], get_pixel_offset="o",
        get_alignment_baseline=_literal("top" if town_values else "center"),
        background=True, get_background_color=LABEL_BOX_RGBA, background_padding=list(LABEL_PAD),
        character_set=_literal(_character_set(r["t"] for r in town_rows)), **common,
    )
    return [county_layer, town_layer]


