"""Synthetic town boundary files for tests: Voronoi cells of the gazetteer's town seats, clipped to
their county polygon. They look like town boundaries and every seat lies inside its own cell, but
they are NOT real boundaries: they exist only to exercise the loader and the map."""
from __future__ import annotations

import json

import shapely
from shapely.geometry import MultiPoint, mapping, shape

from portfolio import geo


def county_cells(county: str) -> dict[str, dict]:
    """{town name: GeoJSON geometry (WGS-84)} for every town of `county`."""
    towns = [tw for tw in geo.towns() if tw.county == county]
    outline = next(shape(f["geometry"]) for f in geo.county_geojson()["features"] if f["properties"]["county"] == county)
    cells = shapely.voronoi_polygons(MultiPoint([(tw.lon, tw.lat) for tw in towns]), extend_to=outline.envelope)
    out = {}
    for tw in towns:
        seat = shapely.Point(tw.lon, tw.lat)
        cell = next(c for c in cells.geoms if c.contains(seat))
        out[tw.town] = mapping(cell.intersection(outline))
    return out


def feature_collection(county: str, crs: str = "wgs84", props=None, extra: list[dict] | None = None) -> bytes:
    """The towns of `county` as a FeatureCollection with coordinates in `crs`; `props(town)` gives each
    feature's properties (default: name and county)."""
    features = []
    for town, geometry in county_cells(county).items():
        features.append({"type": "Feature", "properties": (props or _name_props)(county, town),
                         "geometry": geo.transform_geometry(geometry, lambda x, y: geo.from_wgs84(x, y, crs))})
    return json.dumps({"type": "FeatureCollection", "features": features + (extra or [])},
                      ensure_ascii=False).encode("utf-8")


def _name_props(county: str, town: str) -> dict:
    return {"name": town, "county": county}
