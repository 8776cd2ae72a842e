"""Map decks for the 作战图 and the town page (a package: one module per concern).

    options      MapOptions and the limits (POINT_LIMIT, PAYLOAD_LIMIT)
    geometry     View, Bounds, fit_view, Web Mercator pixels, GCJ-02 shifts
    basemap      the county boundary layer and optional tile basemaps
    aggregation  load(): the location summary and points, or per-town / per-cell aggregates
    style        palettes, class breaks, radii, value formats, tooltip records
    layers       the main layer's records (points, bubbles, indicator circles)
    labels       county and town names, decluttered
    legend       legend data per mode
    build        build(): the deck, legend and view; area_bounds, area_label

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

from portfolio import geo  # tests reach the gazetteer as maps.geo
from portfolio.maps.aggregation import (IMPRECISE_LIST_LIMIT, LocationSummary, MapData, grid_cell_for,
                                        imprecise_projects, load)
from portfolio.maps.basemap import (BORDER_RGB, FILL_OTHER_RGB, FILL_SELECTED_RGB, PLACEHOLDER_KEYS, Basemap,
                                    basemaps_from_config)
from portfolio.maps.build import EscapedMapDeck, MapDeck, MapResult, area_bounds, area_label, build
from portfolio.maps.geometry import MAX_FIT_ZOOM, QINGYUAN_BOUNDS, Bounds, View, _pixel, fit_view
from portfolio.maps.labels import LABEL_PAD, county_label_points, declutter, town_label, town_label_px
from portfolio.maps.layers import format_indicator, indicator_classes, indicator_value
from portfolio.maps.legend import Legend, LegendItem, SizeItem
from portfolio.maps.options import (COLOR_BY, INDICATORS, LAYERS, PAYLOAD_LIMIT, POINT_LIMIT, SIZE_BY,
                                    MapOptions)
from portfolio.maps.style import (COUNT_PALETTE, FONT_FAMILY, LATE_PALETTE, NO_DATA_COLOR, RATE_BREAKS,
                                  RATE_HIGH, RATE_LOW, RATE_PALETTE, TOOLTIP, TOOLTIP_STYLE, class_breaks, classify,
                                  nice_number, point_radius)

__all__ = [
    "geo", "IMPRECISE_LIST_LIMIT", "LocationSummary", "MapData", "grid_cell_for", "imprecise_projects", "load",
    "BORDER_RGB", "FILL_OTHER_RGB", "FILL_SELECTED_RGB", "PLACEHOLDER_KEYS", "Basemap", "basemaps_from_config",
    "EscapedMapDeck", "MapDeck", "MapResult", "area_bounds", "area_label", "build", "MAX_FIT_ZOOM",
    "QINGYUAN_BOUNDS", "Bounds", "View", "_pixel", "fit_view", "county_label_points", "declutter",
    "LABEL_PAD", "town_label", "town_label_px",
    "format_indicator", "indicator_classes", "indicator_value", "Legend", "LegendItem", "SizeItem", "COLOR_BY",
    "INDICATORS", "LAYERS", "PAYLOAD_LIMIT", "POINT_LIMIT", "SIZE_BY", "MapOptions", "COUNT_PALETTE",
    "FONT_FAMILY", "LATE_PALETTE", "NO_DATA_COLOR", "RATE_BREAKS", "RATE_HIGH", "RATE_LOW", "RATE_PALETTE",
    "TOOLTIP", "TOOLTIP_STYLE", "class_breaks", "classify", "nice_number", "point_radius",
]
