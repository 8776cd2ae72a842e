"""Town boundary lines on the map: drawn when the map shows one or two counties (or towns in them)
and the city has loaded its own boundaries (portfolio/town_borders.py). Without a file, no line is
drawn: town boundaries are never guessed."""
from __future__ import annotations

import pydeck as pdk

from portfolio.filters import Filters, split_key
from portfolio.i18n import t
from portfolio.maps.basemap import _map_geometry
from portfolio.maps.geometry import Bounds
from portfolio.maps.style import _literal
from portfolio.town_borders import StoredBorders, borders_in

MAX_COUNTIES = 2  # a whole city's towns as lines are noise at city zoom
LINE_RGBA = [110, 110, 110, 190]
CHOSEN_LINE_RGBA = [60, 60, 60, 255]


def border_scope(filters: Filters) -> tuple[list[str], frozenset[str]]:
    """The counties whose town lines the map draws, and the chosen town keys (drawn darker)."""
    chosen = {"/".join(split_key(k)[:2]) for k in (*filters.towns, *filters.villages)}
    counties = sorted({k.split("/", 1)[0] for k in chosen if "/" in k} or set(filters.counties))
    return (counties if 0 < len(counties) <= MAX_COUNTIES else []), frozenset(chosen)


def load_borders(db, filters: Filters) -> StoredBorders:
    counties, chosen = border_scope(filters)
    stored = borders_in(db, counties)
    return StoredBorders(stored.lines, stored.source, stored.loaded_on, chosen)


def border_layer(stored: StoredBorders, gcj02: bool, scale: float) -> pdk.Layer:
    """Thin grey lines, a little darker and wider around the chosen towns; not filled, not pickable."""
    features = []
    for county, town, geometry in stored.lines:
        chosen = f"{county}/{town}" in stored.chosen
        features.append({"type": "Feature", "geometry": _map_geometry(geometry, gcj02),
                         "properties": {"lc": CHOSEN_LINE_RGBA if chosen else LINE_RGBA,
                                        "lw": (1.6 if chosen else 0.9) * scale}})
    return pdk.Layer(
        "GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="town-borders",
        filled=False, stroked=True, pickable=False, get_line_color="properties.lc",
        line_width_units=_literal("pixels"), get_line_width="properties.lw", line_width_min_pixels=1,
    )


def chosen_town_bounds(stored: StoredBorders, bounds: Bounds | None) -> Bounds | None:
    """`bounds` grown to hold the whole outline of each chosen town that has one: the map of a town
    shows the town, not only the corner its projects sit in."""
    for county, town, geometry in stored.lines:
        if f"{county}/{town}" in stored.chosen:
            outline = Bounds.of_geometry(geometry)
            bounds = outline.union(bounds) if outline else bounds
    return bounds


def border_note(stored: StoredBorders, lang: str) -> str:
    """The legend's line for the town boundaries: what they are and where they come from."""
    return t("map_borders_note", lang, source=stored.source, date=stored.loaded_on)
