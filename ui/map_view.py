"""The map component: draws the deck and its legend for given filters and reports what was clicked.

Used by the 作战图 page and the town page:

    result, pick = map_view.draw_map(filters, as_of, key="town_map", on_pick=handler)

`on_pick(pick)` runs in the selection callback, before the next run's script (and its
sidebar), so a handler may call ui.sidebar.set_filters(...) and change the view
without st.rerun(). The data behind the map is cached per filters and data version.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Callable

import streamlit as st
import streamlit.components.v1 as components

from portfolio import formats, maps
from portfolio.filters import Filters
from portfolio.i18n import t
from portfolio.map_export import legend_html
from ui import data, run_memo
from ui.lang import current, tr


@dataclass(frozen=True)
class Pick:
    """What the user clicked on the map."""
    kind: str  # "project", "town" or "cell"
    project_id: str | None = None
    county: str | None = None
    town: str | None = None
    lon: float | None = None
    lat: float | None = None


# Data ---------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _load(filters: Filters, as_of: date, layer: str, point_limit: int, data_version: int, _db) -> maps.MapData:
    return maps.load(_db, filters, as_of, layer, point_limit)


@st.cache_resource(show_spinner=False, max_entries=32)
def _built(filters: Filters, as_of: date, data_version: int, options: maps.MapOptions, view: maps.View | None,
           basemap: maps.Basemap | None, canvas: tuple[int, int], _map_data: maps.MapData) -> maps.MapResult:
    """The deck, legend and view, built once per data, filters and view (shared: pages only read it)."""
    return maps.build(_map_data, options, view=view, basemap=basemap, canvas=canvas, data_date=as_of)


def map_data(filters: Filters, as_of: date, layer: str = "projects",
             point_limit: int = maps.POINT_LIMIT) -> maps.MapData:
    """The map's query results for `filters`, cached per data version (and kept by the session
    between reruns: st.cache_data would unpickle a copy of every point on each run)."""
    db = data.store()
    version = run_memo.data_version(db)
    return run_memo.session_memo(f"map_data_{layer}", (filters, as_of, point_limit, version),
                                 lambda: _load(filters, as_of, layer, point_limit, version, _db=db))


@st.cache_data(show_spinner=False, max_entries=16)
def _imprecise(filters: Filters, data_version: int, _db):
    return maps.imprecise_projects(_db, filters)


def imprecise_projects(filters: Filters):
    db = data.store()
    return _imprecise(filters, run_memo.data_version(db), _db=db)


def _map_config() -> dict:
    """The [map] section of .streamlit/secrets.toml (empty when there is none)."""
    try:
        config = st.secrets.get("map")
    except FileNotFoundError:  # no secrets file at all: the offline map only
        config = None
    return dict(config) if config else {}


def point_limit() -> int:
    """Projects drawn one by one at most; `point_limit` in [map] may lower it for slow meeting-room PCs."""
    try:
        wanted = int(_map_config().get("point_limit") or maps.POINT_LIMIT)
    except (TypeError, ValueError):
        wanted = maps.POINT_LIMIT
    return max(1, min(wanted, maps.POINT_LIMIT))


def configured_basemaps() -> tuple[list[maps.Basemap], list[str]]:
    """Basemaps from the [map] section of .streamlit/secrets.toml, and problems described in words."""
    basemaps, problems = maps.basemaps_from_config(_map_config())
    words = []
    for problem in problems:
        name, _, code = problem.rpartition(": ")
        words.append(f"{name}：{tr('map_cfg_' + code)}")
    return basemaps, words


# Drawing ------------------------------------------------------------------------------
def _chart_key(key: str) -> str:
    return f"{key}_chart_{st.session_state.get(key + '_nonce', 0)}"


def reset_selection(key: str) -> None:
    """Forget the map's selection (a new chart identity); callable from callbacks."""
    st.session_state[key + "_nonce"] = st.session_state.get(key + "_nonce", 0) + 1
    st.session_state.pop(key + "_pick", None)


def _pick_from(selection) -> Pick | None:
    objects = (selection or {}).get("objects") or {}
    for layer_id, picked in objects.items():
        if not picked:
            continue
        obj = picked[0]
        position = obj.get("p") or [None, None]
        if layer_id == "projects":
            return Pick("project", project_id=obj.get("i"), lon=position[0], lat=position[1])
        if layer_id == "towns":
            return Pick("town", county=obj.get("c"), town=obj.get("t"), lon=position[0], lat=position[1])
        if layer_id == "cells":
            return Pick("cell", lon=position[0], lat=position[1])
    return None


def _on_select(key: str, chart_key: str, on_pick: Callable[[Pick], None] | None) -> None:
    state = st.session_state.get(chart_key)
    pick = _pick_from(state.selection if state is not None else None)
    st.session_state[key + "_pick"] = pick
    if pick is not None and on_pick is not None:
        on_pick(pick)


def current_pick(key: str) -> Pick | None:
    return st.session_state.get(key + "_pick")


def _zoom(key: str, step: float | None) -> None:
    """Change the zoom of a map that fits itself (None: back to the fitted view)."""
    delta_key = key + "_zoom_delta"
    st.session_state[delta_key] = 0.0 if step is None else st.session_state.get(delta_key, 0.0) + step


def _zoomed_view(key: str, filters: Filters, map_data_: maps.MapData, canvas: tuple[int, int]) -> maps.View | None:
    """The fitted view moved by the zoom buttons, or None (fit) when they were not used since the filters changed."""
    if st.session_state.get(key + "_zoom_for") != filters:
        st.session_state[key + "_zoom_for"], st.session_state[key + "_zoom_delta"] = filters, 0.0
    delta = st.session_state.get(key + "_zoom_delta", 0.0)
    if not delta:
        return None
    fitted = maps.fit_view(maps.area_bounds(map_data_), *canvas)
    return maps.View(fitted.lat, fitted.lon, max(4.0, min(17.0, fitted.zoom + delta)))


def _zoom_row(key: str) -> None:
    """Zoom buttons under a map that fits itself: the wheel scrolls the page instead (maps.build)."""
    cols = st.columns([1, 1, 1, 5], gap="small")
    for col, (label, step) in zip(cols, (("map_zoom_in", 1.0), ("map_zoom_out", -1.0), ("map_fit_short", None))):
        col.button(tr(label), key=f"{key}_{label}", on_click=_zoom, args=(key, step), width="stretch")


def draw_map(filters: Filters, as_of: date, *, key: str = "map", options: maps.MapOptions | None = None,
             view: maps.View | None = None, basemap: maps.Basemap | None = None, height: int = 600,
             canvas: tuple[int, int] = (900, 600), legend: str = "right", legend_scale: float = 1.0,
             on_pick: Callable[[Pick], None] | None = None,
             zoom_buttons: bool = True) -> tuple[maps.MapResult, maps.MapData]:
    """Draw the map for `filters` (legend "right", "below" or "none"); return what was built and its data.

    Clicking a project, town or cell stores a Pick (see current_pick) and calls `on_pick`. Unless the
    caller draws its own (`zoom_buttons=False`, as the 作战图 page does), zoom buttons sit under the map.
    """
    options = options or maps.MapOptions(lang=current())
    map_data_ = map_data(filters, as_of, options.layer, options.point_limit)
    if view is None and zoom_buttons:
        view = _zoomed_view(key, filters, map_data_, canvas)
    # map_data_ is fixed by (filters, as_of, layer, point_limit, version); layer and point_limit are in options.
    result = _built(filters, as_of, run_memo.data_version(data.store()), options, view, basemap, tuple(canvas),
                    _map_data=map_data_)
    chart_key = _chart_key(key)
    if legend == "right":
        chart_col, legend_col = st.columns([3, 1])
    else:
        chart_col, legend_col = st.container(), st.container() if legend == "below" else None
    with chart_col:
        st.pydeck_chart(result.deck, height=height, key=chart_key, on_select=partial(_on_select, key, chart_key, on_pick),
                        selection_mode="single-object", alt=tr("page_map"))
        if zoom_buttons:
            _zoom_row(key)
        if basemap is not None:
            basemap_probe(basemap, result.view)
    if legend_col is not None:
        with legend_col:
            draw_legend(result.legend, legend_scale)
    return result, map_data_


def draw_legend(legend: maps.Legend, scale: float = 1.0) -> None:
    st.html(legend_html(legend, current(), scale))


def aggregation_note(result: maps.MapResult, map_data_: maps.MapData, point_limit: int = maps.POINT_LIMIT) -> None:
    """Say that the map aggregated, and how to see single projects."""
    if result.fell_back:
        st.info(tr("map_fell_back"), icon=":material/compress:")
    elif result.mode == "towns":
        st.info(tr("map_aggregated_towns", n=formats.count(map_data_.summary.placed), limit=formats.count(point_limit)),
                icon=":material/bubble_chart:")
    elif result.mode == "grid":
        km = (map_data_.grid_cell or 0.01) * 111
        st.info(tr("map_aggregated_grid", n=formats.count(map_data_.summary.placed), limit=formats.count(point_limit),
                   km=formats.number(km)), icon=":material/grid_on:")


def location_note(summary: maps.LocationSummary) -> None:
    """How many projects are placed exactly, approximately or not at all."""
    if summary.projects and summary.exact == summary.projects:
        st.caption(tr("map_loc_all_exact", n=formats.count(summary.projects)))
        return
    st.caption(tr("map_loc_summary", n=formats.count(summary.projects), exact=formats.count(summary.exact),
                  approx=formats.count(summary.approximate), village=formats.count(summary.village), town=formats.count(summary.town),
                  county=formats.count(summary.county), none=formats.count(summary.none), unplaced=formats.count(summary.unplaced)))


_PROBE = """<div id="m" style="font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;font-size:14px;
color:#555;padding:4px 2px">{checking}</div>
<script>
(function () {{
  const probe = {probe};
  const box = document.getElementById("m");
  let done = false;
  function finish(key, colour) {{
    if (done) return;
    done = true;
    box.textContent = probe.messages[key];
    box.style.color = colour;
  }}
  setTimeout(function () {{ finish("timeout", "#B35806"); }}, probe.timeoutMs);
  if (!navigator.onLine) {{ finish("offline", "#B35806"); return; }}
  function fetchFailed() {{
    // An opaque answer means the server replied (with an error or a non-image): a key or referrer problem.
    fetch(probe.url, {{mode: "no-cors", cache: "no-store"}})
      .then(function () {{ finish("refused", "#B35806"); }})
      .catch(function () {{ finish("network", "#B35806"); }});
  }}
  if (probe.kind === "raster") {{
    const img = new Image();
    img.onload = function () {{ finish("ok", "#1A7F37"); }};
    img.onerror = fetchFailed;
    img.src = probe.url;
  }} else {{
    fetch(probe.url, {{cache: "no-store"}})
      .then(function (r) {{ if (r.ok) finish("ok", "#1A7F37"); else finish("refused", "#B35806"); }})
      .catch(fetchFailed);
  }}
}})();
</script>
"""


def basemap_probe(basemap: maps.Basemap, view: maps.View, timeout_s: int = 8) -> None:
    """Try one tile in the browser and say in words whether the basemap loads, and if not, why."""
    lang = current()
    messages = {
        "ok": t("map_base_ok", lang, name=basemap.name),
        "offline": t("map_base_fail_offline", lang, name=basemap.name),
        "network": t("map_base_fail_network", lang, name=basemap.name),
        "refused": t("map_base_fail_refused", lang, name=basemap.name),
        "timeout": t("map_base_fail_timeout", lang, name=basemap.name, s=timeout_s),
    }
    probe = {"url": basemap.probe_url(view), "kind": basemap.kind, "messages": messages, "timeoutMs": timeout_s * 1000}
    payload = json.dumps(probe, ensure_ascii=False).replace("</", "<\\/")
    from html import escape

    components.html(_PROBE.format(checking=escape(t("map_base_checking", lang, name=basemap.name)), probe=payload),
                    height=52)
