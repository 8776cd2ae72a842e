"""The 作战图 page's own state: its switches (mirrored into the URL and remembered across page
switches), the view it shows, and zooming to a town picked on the map or in the list."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from portfolio import maps
from portfolio.filters import Filters, split_key, town_key
from ui import map_view
from ui.sidebar import current_filters, set_filters

KEY = "map"
# URL query parameters of the map's own state (the filters use county, town, village, cat, status, year,
# src, q; the shell uses lang; the project library uses project).
URL = {"view": "map_at", "color": "map_color", "size": "map_size", "layer": "map_layer", "indicator": "map_ind",
       "basemap": "map_base", "present": "present"}
DEFAULTS = {"color": "category", "size": "budget", "layer": "projects", "indicator": "projects", "basemap": "",
            "present": False}
CHOICES = {"color": maps.COLOR_BY, "size": maps.SIZE_BY, "layer": maps.LAYERS, "indicator": maps.INDICATORS}
PREFS = "map_prefs"  # survives page switches, unlike widget state
MIN_ZOOM, MAX_ZOOM = 4.0, 17.0  # as the deck's view state allows


def init_state(basemap_names: list[str]) -> None:
    """Widget values from the URL on a session's first visit, else from the last visit's preferences."""
    prefs = st.session_state.setdefault(PREFS, {})
    if not st.session_state.get("map_from_url"):
        st.session_state["map_from_url"] = True
        for name, param in URL.items():
            raw = st.query_params.get(param)
            if raw is None:
                continue
            if name == "view":
                view = maps.View.from_param(raw)
                if view is not None:
                    st.session_state["map_view"] = view
                    st.session_state["map_view_for"] = None  # adopt it for whatever the filters are
            elif name == "present":
                prefs["present"] = raw in ("1", "true", "yes")
            elif name == "basemap":
                prefs["basemap"] = raw if raw in basemap_names else ""
            elif raw in CHOICES[name]:
                prefs[name] = raw
    for name, default in DEFAULTS.items():
        widget = f"map_w_{name}"
        if widget not in st.session_state:
            st.session_state[widget] = prefs.get(name, default)
    if st.session_state["map_w_basemap"] not in ["", *basemap_names]:
        st.session_state["map_w_basemap"] = ""


def value(name: str):
    """The current value of one of the map's switches (its default when unset or invalid)."""
    current = st.session_state.get(f"map_w_{name}")
    if name in CHOICES and current not in CHOICES[name]:
        return DEFAULTS[name]
    return DEFAULTS[name] if current is None else current


def refit() -> None:
    st.session_state["map_view"] = None


def zoom_by(step: float) -> None:
    """Zoom the shown view in (step > 0) or out; the map's component keeps where the user panned to."""
    view = st.session_state.get("map_view")
    if view is not None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, round(view.zoom + step, 2)))
        st.session_state["map_view"] = maps.View(view.lat, view.lon, zoom)


def zoom_to_town(key: str) -> None:
    """Narrow the filters to one town (or back to all towns when key is empty) and frame it."""
    now = current_filters()
    if key:
        county = split_key(key)[0]
        counties = now.counties if not now.counties or county in now.counties else (*now.counties, county)
        narrowed = replace(now, counties=counties, towns=(key,), villages=())
    else:
        narrowed = replace(now, towns=(), villages=())
    set_filters(narrowed)
    st.session_state["map_view"] = None
    map_view.reset_selection(KEY)


def on_goto() -> None:
    zoom_to_town(st.session_state.get("map_w_goto") or "")


def on_pick(pick: map_view.Pick) -> None:
    if pick.kind == "town" and pick.county and pick.town:
        zoom_to_town(town_key(pick.county, pick.town))
    elif pick.kind == "cell" and pick.lon is not None:
        view = st.session_state.get("map_view") or maps.View(pick.lat, pick.lon, 9.0)
        st.session_state["map_view"] = maps.View(pick.lat, pick.lon, min(view.zoom + 2, 14.0))
        st.session_state["map_view_for"] = context(current_filters())
        map_view.reset_selection(KEY)


def context(f: Filters) -> tuple:
    """What a fitted view depends on: refit when it changes."""
    return f, value("layer"), value("present")


def remembered_view(f: Filters) -> maps.View | None:
    """The view to show again, unless what it was fitted for has changed."""
    view = st.session_state.get("map_view")
    if view is not None and st.session_state.get("map_view_for") not in (None, context(f)):
        return None
    return view


def remember(view: maps.View, f: Filters) -> None:
    st.session_state["map_view"], st.session_state["map_view_for"] = view, context(f)


def sync_url(view: maps.View | None) -> None:
    """Mirror the switches that differ from their defaults, and the view, into the URL."""
    wanted = {URL[name]: ("1" if value(name) else None) if name == "present" else
              (value(name) if value(name) != DEFAULTS[name] else None)
              for name in DEFAULTS}
    wanted[URL["view"]] = view.to_param() if view else None
    for param, wanted_value in wanted.items():
        if wanted_value is None:
            st.query_params.pop(param, None)
        elif st.query_params.get(param) != wanted_value:
            st.query_params[param] = wanted_value


def save_prefs() -> None:
    st.session_state[PREFS] = {name: value(name) for name in DEFAULTS}
