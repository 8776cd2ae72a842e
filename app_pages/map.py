"""作战图: the presentation map. Works offline by default; an optional tile basemap; wall-screen mode; exports.

The page only arranges; its state lives in ui/map_state.py, the pieces around the map in
ui/map_panels.py, the map component in ui/map_view.py and the decks in portfolio/maps/.
On the wall screen (presentation mode) the map takes the full width under a title and KPI
strip, with the legend floating over it and settings and exports folded into popovers.
"""
from __future__ import annotations

import streamlit as st

from portfolio import formats, maps
from ui import data, map_panels, map_state, map_view, outcomes_map
from ui.lang import current, tr
from ui.sidebar import current_filters
from ui.widgets import page_header

NORMAL_CANVAS, PRESENT_CANVAS = (880, 620), (1860, 860)
NORMAL_HEIGHT, PRESENT_HEIGHT = 620, 860  # 860 px under the header fills a 1080-px wall screen

lang = current()
filters = current_filters()
as_of = data.data_date()
basemaps, basemap_problems = map_view.configured_basemaps()
basemap_names = [b.name for b in basemaps]

map_state.init_state(basemap_names)
present = bool(map_state.value("present"))
options = maps.MapOptions(color_by=map_state.value("color"), size_by=map_state.value("size"),
                          layer=map_state.value("layer"), indicator=map_state.value("indicator"), lang=lang,
                          scale=1.35 if present else 1.0, point_limit=map_view.point_limit())
k = data.kpis(filters, as_of)

# Header and controls ---------------------------------------------------------------
if present:
    map_panels.presentation_css()
    head = st.columns([5, 1.6])
    with head[0]:
        if outcomes_map.chosen():  # 挂图作战 on the wall: the indicator's own title instead of the project KPIs
            outcomes_map.present_title(filters, as_of)
        else:
            map_panels.present_header(k, filters, as_of, lang)
    with head[1]:
        st.toggle(tr("map_present"), key="map_w_present", on_change=map_state.refit, help=tr("map_present_help"))
        map_panels.present_tools(filters, basemap_names, as_of, lang, options, k.projects)
else:
    head = st.columns([6, 1])
    with head[0]:
        page_header("page_map")
    head[1].toggle(tr("map_present"), key="map_w_present", on_change=map_state.refit, help=tr("map_present_help"))
    project_controls = st.container()  # filled below unless a village layer is shown (they would do nothing)
if basemap_problems:
    st.warning(tr("map_base_config", problems="；".join(basemap_problems)), icon=":material/warning:")
# 挂图作战: one village indicator by village instead of the project map, when chosen.
# The wall screen draws no picker (its layout is the project map's): the choice made before, or the link's.
village_layer = outcomes_map.chosen() if present else outcomes_map.layer_choice(st.container(),
                                                                                  on_change=map_state.refit)
if not present and not village_layer:  # the switches' values outlive a village-layer run (map_state's prefs)
    map_panels.switches(project_controls, filters, basemap_names)
if village_layer:  # zoomed by the same buttons as the project map (the wall screen's sit in its tools)
    shown = outcomes_map.draw(filters, village_layer, present, PRESENT_CANVAS if present else NORMAL_CANVAS,
                              PRESENT_HEIGHT if present else NORMAL_HEIGHT, view=map_state.remembered_view(filters),
                              zoom_buttons=None if present else map_panels.zoom_buttons)
    if shown is not None:
        map_state.remember(shown, filters)
    st.stop()

# The map ------------------------------------------------------------------------------
basemap = next((b for b in basemaps if b.name == map_state.value("basemap")), None)
map_col, side = (st.container(), st.container(key=map_panels.LEGEND_FLOAT)) if present else st.columns([3.2, 1])
with map_col:
    result, map_data = map_view.draw_map(
        filters, as_of, key=map_state.KEY, options=options, view=map_state.remembered_view(filters),
        basemap=basemap, canvas=PRESENT_CANVAS if present else NORMAL_CANVAS,
        height=PRESENT_HEIGHT if present else NORMAL_HEIGHT, legend="none", on_pick=map_state.on_pick,
        zoom_buttons=False)
map_state.remember(result.view, filters)
with side:
    if not present:
        map_panels.zoom_buttons(*st.columns(3, gap="small"))
    map_view.draw_legend(result.legend, scale=1.45 if present else 1.0)
    if basemap is not None and basemap.gcj02:
        st.caption(tr("map_base_gcj02"))
    pick = map_view.current_pick(map_state.KEY)
    if not present:
        st.divider()
        if pick is not None and pick.kind == "project" and pick.project_id:
            map_panels.project_detail(pick.project_id, as_of, lang)
        else:
            st.caption(tr("map_detail_hint"))

# Notes: aggregation, placement, payload -------------------------------------------------
if k.projects == 0:
    st.info(tr("no_data"), icon=":material/filter_alt_off:")
elif map_data.summary.placed == 0:
    st.info(tr("map_no_points"), icon=":material/location_off:")
map_view.aggregation_note(result, map_data, options.point_limit)
map_view.location_note(map_data.summary)
map_state.sync_url(result.view)
map_state.save_prefs()
if present:
    st.stop()

if map_data.summary.approximate + map_data.summary.unplaced:
    map_panels.imprecise_list(filters, lang)
map_panels.export_buttons(filters, as_of, lang, options, k.projects)
st.caption(tr("map_payload", kb=formats.number(result.payload_bytes / 1024, 0), n=formats.count(result.shown)))
