"""Assembling the deck: boundaries, the main layer, labels, legend and view for one map."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from portfolio import formats, geo
from portfolio.filters import Filters, split_key
from portfolio.i18n import t
from portfolio.maps.aggregation import MapData
from portfolio.maps.basemap import Basemap, _county_bounds, _county_layer
from portfolio.maps.borders import border_layer, border_note, chosen_town_bounds
from portfolio.maps.geometry import Bounds, View, fit_view
from portfolio.maps.labels import _label_layers, _picture_label_layers, markers_of
from portfolio.maps.layers import (_aggregate_records, _indicator_records, _project_records, format_indicator,
                                   indicator_classes, indicator_value)
from portfolio.maps.legend import Legend, _aggregate_legend, _indicator_legend, _project_legend
from portfolio.maps.options import MapOptions
from portfolio.maps.style import TOOLTIP, _literal


# Deck ---------------------------------------------------------------------------------
class MapDeck(pdk.Deck):
    """A pydeck Deck whose JSON is compact: no indentation, UTF-8 text (half the bytes of \\u escapes)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


class EscapedMapDeck(MapDeck):
    """A deck whose tooltip values are html-escaped, for pages outside Streamlit (exports)."""
    escaped_tooltips = True  # a class attribute, so it never enters the JSON


# What the mouse may do to the map on a page. Streamlit 1.67's deck_gl component passes a view's own
# `controller` through (it sets the deck-level controller only when the JSON has no views). Without the
# wheel, a page scrolls over the map instead of zooming it by accident; zooming is by the page's buttons
# (or pinching on a phone). Double-click and keyboard zoom are off too: the labels are decluttered for
# the zoom the page knows, and only the buttons tell it.
PAGE_CONTROLLER = {"scrollZoom": False, "doubleClickZoom": False, "keyboard": False, "dragPan": True,
                   "dragRotate": False, "touchRotate": False, "touchZoom": True}


def controller_options(wheel_zoom: bool) -> dict | bool:
    return True if wheel_zoom else dict(PAGE_CONTROLLER)


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


def build(data: MapData, options: MapOptions = MapOptions(), view: View | None = None,
          basemap: Basemap | None = None, for_html: bool = False, canvas: tuple[int, int] = (900, 600),
          data_date: date | None = None) -> MapResult:
    """The deck, legend and view for `data`. `for_html` escapes tooltip values (standalone HTML exports)."""
    gcj02 = bool(basemap and basemap.gcj02)
    lang = options.lang
    layers = [_county_layer(data.counties, basemap is not None, gcj02, options.scale)]
    if data.borders.lines:
        layers.append(border_layer(data.borders, gcj02, options.scale))
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
        town_values = {(r.county, r.town): (t("map_town_count", lang, n=formats.count(r.projects)),
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
    if for_html:  # exports: full county names, and no name over a marker
        layers += _picture_label_layers(data, gcj02, options.scale, town_values, shown_view,
                                        markers_of(main_records, shown_view))
    else:
        layers += _label_layers(data, gcj02, options.scale, town_values, shown_view)

    deck_kwargs = dict(
        layers=layers, map_provider=None, tooltip=TOOLTIP,
        views=[pdk.View(type="MapView", controller=controller_options(options.wheel_zoom))],
        initial_view_state=pdk.ViewState(latitude=shown_view.lat, longitude=shown_view.lon, zoom=shown_view.zoom,
                                         pitch=0, bearing=0, min_zoom=4, max_zoom=17),
    )
    if basemap is not None:
        deck_kwargs["map_style"] = basemap.style_url()
    deck = (EscapedMapDeck if for_html else MapDeck)(**deck_kwargs)
    legend = replace(legend, data_date=data_date.isoformat() if data_date else "",
                     border_note=border_note(data.borders, lang) if data.borders.lines else "")
    payload = len(deck.to_json().encode("utf-8"))
    return MapResult(deck=deck, legend=legend, mode=mode, view=view, payload_bytes=payload,
                     shown=len(main_records), aggregated=aggregated, fell_back=fell_back, gcj02=gcj02)



def area_bounds(data: MapData) -> Bounds | None:
    """What "fit to the selected area" shows: the chosen counties (all when none) and every drawable
    project; within chosen towns or villages, their projects and town points only."""
    bounds = data.bounds
    if data.within_towns or data.mode == "grid":
        towns = Bounds.of_points(data.towns["lon"], data.towns["lat"]) if data.mode == "indicator" else None
        bounds = bounds.union(towns) if bounds else towns
        return chosen_town_bounds(data.borders, bounds) if data.within_towns else bounds
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


