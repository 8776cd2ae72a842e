"""What lies under the points: the county boundary layer (always, offline) and optional tile basemaps
from the configuration."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping
from urllib.parse import quote, urlparse

import pydeck as pdk

from portfolio import geo
from portfolio.maps.geometry import Bounds, View, _merc_y, _shift
from portfolio.maps.style import _literal


BORDER_RGB = [85, 85, 85]
FILL_SELECTED_RGB = [234, 241, 228]
FILL_OTHER_RGB = [246, 246, 246]


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
    return geo.transform_geometry(geometry, lambda x, y: [round(v, 4) for v in _shift(x, y, gcj02)])


@lru_cache(maxsize=1)
def _county_bounds() -> dict[str, Bounds]:
    return {county: Bounds.of_geometry(geometry) for county, geometry in _county_geometries(False)}


