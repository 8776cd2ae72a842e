"""作战图: the presentation map. Works offline by default; an optional tile basemap; wall-screen mode; exports."""
from __future__ import annotations

from dataclasses import replace
from html import escape

import streamlit as st

from portfolio import map_export, maps, vocab
from portfolio.filters import Filters, split_key, town_key
from portfolio.i18n import t
from ui import data, map_view
from ui.lang import current, tr
from ui.sidebar import current_filters, set_filters
from ui.widgets import page_header, pct, wan

KEY = "map"
# URL query parameters of the map's own state (the filters use county, town, village, cat, status, year,
# src, q; the shell uses lang; the project library uses project).
URL = {"view": "map_at", "color": "map_color", "size": "map_size", "layer": "map_layer", "indicator": "map_ind",
       "basemap": "map_base", "present": "present"}
DEFAULTS = {"color": "category", "size": "budget", "layer": "projects", "indicator": "projects", "basemap": "",
            "present": False}
CHOICES = {"color": maps.COLOR_BY, "size": maps.SIZE_BY, "layer": maps.LAYERS, "indicator": maps.INDICATORS}
PREFS = "map_prefs"  # survives page switches, unlike widget state
NORMAL_CANVAS, PRESENT_CANVAS = (880, 620), (1400, 800)
NORMAL_HEIGHT, PRESENT_HEIGHT = 620, 800

lang = current()
filters = current_filters()
as_of = data.data_date()
basemaps, basemap_problems = map_view.configured_basemaps()
basemap_names = [b.name for b in basemaps]


def _init_state() -> None:
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


def _value(name: str):
    value = st.session_state.get(f"map_w_{name}")
    if name in CHOICES and value not in CHOICES[name]:
        return DEFAULTS[name]
    return DEFAULTS[name] if value is None else value


def _refit() -> None:
    st.session_state["map_view"] = None


def _zoom_to_town(key: str) -> None:
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


def _on_goto() -> None:
    _zoom_to_town(st.session_state.get("map_w_goto") or "")


def _on_pick(pick: map_view.Pick) -> None:
    if pick.kind == "town" and pick.county and pick.town:
        _zoom_to_town(town_key(pick.county, pick.town))
    elif pick.kind == "cell" and pick.lon is not None:
        view = st.session_state.get("map_view") or maps.View(pick.lat, pick.lon, 9.0)
        st.session_state["map_view"] = maps.View(pick.lat, pick.lon, min(view.zoom + 2, 14.0))
        st.session_state["map_view_for"] = _context(current_filters())
        map_view.reset_selection(KEY)


def _context(f: Filters) -> tuple:
    """What a fitted view depends on: refit when it changes."""
    return f, _value("layer"), _value("present")


def _sync_url(view: maps.View | None) -> None:
    wanted = {URL[name]: ("1" if _value(name) else None) if name == "present" else
              (_value(name) if _value(name) != DEFAULTS[name] else None)
              for name in DEFAULTS}
    wanted[URL["view"]] = view.to_param() if view else None
    for param, value in wanted.items():
        if value is None:
            st.query_params.pop(param, None)
        elif st.query_params.get(param) != value:
            st.query_params[param] = value


def _presentation_css() -> None:
    st.html("""<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
    [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stExpandSidebarButton"] { display: none !important; }
    [data-testid="stMainBlockContainer"] { padding: 0.8rem 1.6rem 0.4rem !important; max-width: 100% !important; }
    [data-testid="stAppViewContainer"] { margin-left: 0 !important; }
    </style>""")


def _present_header(k) -> None:
    title = t("map_present_title", lang, programme=tr("map_programme"), area=maps.area_label(filters, lang))
    demo = f'<span style="color:#D55E00;font-size:22px;margin-left:16px">{escape(tr("demo_badge"))}</span>' \
        if data.is_demo() else ""
    items = [(tr("k_projects"), f"{k.projects:,}"), (tr("k_budget"), wan(k.budget_wan, 0)),
             (tr("k_start_rate"), pct(k.start_rate)), (tr("k_finish_rate"), pct(k.finish_rate)),
             (tr("k_late"), f"{k.late:,}")]
    cells = "".join(
        f'<div style="flex:1;border-left:6px solid #1A9850;padding:2px 14px">'
        f'<div style="font-size:40px;font-weight:700;color:#1F3A5F;line-height:1.1">{escape(v)}</div>'
        f'<div style="font-size:19px;color:#444">{escape(label)}</div></div>' for label, v in items)
    st.html(
        f'<div data-testid="map-present-title" style="display:flex;align-items:baseline;gap:20px">'
        f'<h1 style="font-size:40px;margin:0;padding:0;color:#1F3A5F">{escape(title)}</h1>'
        f'<span style="font-size:22px;color:#555">{escape(tr("data_date", date=as_of.isoformat()))}</span>{demo}</div>'
        f'<div data-testid="map-kpi-strip" style="display:flex;gap:12px;margin:8px 0 4px">{cells}</div>')


_init_state()
present = bool(_value("present"))
if present:
    _presentation_css()

# Header and controls ---------------------------------------------------------------
k = data.view("kpis", filters, as_of)
if present:
    top = st.columns([6, 1])
    with top[0]:
        _present_header(k)
    top[1].toggle(tr("map_present"), key="map_w_present", on_change=_refit, help=tr("map_present_help"))
else:
    head = st.columns([6, 1])
    with head[0]:
        page_header("page_map")
    head[1].toggle(tr("map_present"), key="map_w_present", on_change=_refit, help=tr("map_present_help"))

# On the wall screen the settings fold away; the switches keep their state either way.
settings = st.expander(tr("map_settings"), icon=":material/tune:") if present else st.container()
controls = settings.columns([1.3, 1.3, 1.3, 1.3, 1.6, 0.8])
controls[0].segmented_control(tr("map_layer"), maps.LAYERS, key="map_w_layer", on_change=_refit, required=True,
                              format_func=lambda v: tr(f"map_layer_{v}"))
if _value("layer") == "projects":
    controls[1].segmented_control(tr("map_color_by"), maps.COLOR_BY, key="map_w_color", required=True,
                                  format_func=lambda v: tr(f"map_color_{v}"))
    controls[2].segmented_control(tr("map_size_by"), maps.SIZE_BY, key="map_w_size", required=True,
                                  format_func=lambda v: tr(f"map_size_{v}"))
else:
    controls[1].selectbox(tr("map_indicator"), maps.INDICATORS, key="map_w_indicator",
                          format_func=lambda v: tr(f"map_ind_{v}"))
controls[3].selectbox(tr("map_basemap"), ["", *basemap_names], key="map_w_basemap",
                      format_func=lambda v: v or tr("map_basemap_none"))
town_counts = data.view("facet_counts", filters, facet="town")
goto_options = ["", *sorted(town_counts, key=lambda key: -town_counts[key])]
single_town = filters.towns[0] if len(filters.towns) == 1 else ""
if single_town and single_town not in goto_options:
    goto_options.append(single_town)
st.session_state["map_w_goto"] = single_town
controls[4].selectbox(tr("map_goto"), goto_options, key="map_w_goto", on_change=_on_goto,
                      format_func=lambda key: tr("map_goto_none") if not key else
                      f"{split_key(key)[1]} · {split_key(key)[0]} ({town_counts.get(key, 0):,})")
controls[5].button(tr("map_fit"), on_click=_refit, icon=":material/fit_screen:", width="stretch")

if basemap_problems:
    st.warning(tr("map_base_config", problems="；".join(basemap_problems)), icon=":material/warning:")

# The map ------------------------------------------------------------------------------
options = maps.MapOptions(color_by=_value("color"), size_by=_value("size"), layer=_value("layer"),
                          indicator=_value("indicator"), lang=lang, scale=1.35 if present else 1.0,
                          point_limit=map_view.point_limit())
basemap = next((b for b in basemaps if b.name == _value("basemap")), None)
context = _context(filters)
view = st.session_state.get("map_view")
if view is not None and st.session_state.get("map_view_for") not in (None, context):
    view = None
canvas = PRESENT_CANVAS if present else NORMAL_CANVAS
left, right = st.columns([3.2, 1])
with left:
    result, map_data = map_view.draw_map(
        filters, as_of, key=KEY, options=options, view=view, basemap=basemap, canvas=canvas,
        height=PRESENT_HEIGHT if present else NORMAL_HEIGHT, legend="none", on_pick=_on_pick)
st.session_state["map_view"], st.session_state["map_view_for"] = result.view, context
with right:
    map_view.draw_legend(result.legend, scale=1.45 if present else 1.0)
    if basemap is not None and basemap.gcj02:
        st.caption(tr("map_base_gcj02"))
    pick = map_view.current_pick(KEY)
    if not present:
        st.divider()
        if pick is not None and pick.kind == "project" and pick.project_id:
            detail = data.view("project_detail", project_id=pick.project_id, as_of=as_of)
            if detail is None:
                st.caption(tr("map_detail_gone"))
            else:
                st.markdown(f"**{tr('map_detail')}**")
                st.html(f'<div style="font-weight:700;font-size:16px">{escape(str(detail["name"]))}</div>')
                st.markdown(f":blue-badge[{vocab.label('category', detail['category'], lang)}] "
                            f":gray-badge[{vocab.label('status', detail['status'], lang)}]"
                            + (f" :red-badge[{tr('flag_late')}]" if detail.get("is_late") else ""))
                progress = detail.get("progress_pct")
                rows = [(tr("c_town"), detail.get("town")), (tr("c_village"), detail.get("village")),
                        (tr("c_progress_pct"), None if progress is None else f"{progress:.0f}%"),
                        (tr("c_budget_wan"), wan(detail.get("budget_wan"), 2)),
                        (tr("c_plan_end"), detail.get("plan_end")),
                        (tr("c_responsible_unit"), detail.get("responsible_unit")),
                        (tr("c_location_precision"), tr(f"prec_{detail.get('location_precision') or 'none'}"))]
                st.html('<table style="width:100%;border-collapse:collapse;font-size:14px">' + "".join(
                    f'<tr><td style="color:#666;padding:3px 8px 3px 0;white-space:nowrap">{escape(label)}</td>'
                    f'<td style="padding:3px 0">{escape("—" if value in (None, "") else str(value))}</td></tr>'
                    for label, value in rows) + "</table>")
                if st.button(tr("map_open_in_library"), icon=":material/table_view:", width="stretch"):
                    st.switch_page("app_pages/projects.py", query_params={"project": pick.project_id})
        else:
            st.caption(tr("map_detail_hint"))

# Notes: aggregation, placement, payload -------------------------------------------------
if k.projects == 0:
    st.info(tr("no_data"), icon=":material/filter_alt_off:")
elif map_data.summary.placed == 0:
    st.info(tr("map_no_points"), icon=":material/location_off:")
map_view.aggregation_note(result, map_data, options.point_limit)
map_view.location_note(map_data.summary)
_sync_url(result.view)
st.session_state[PREFS] = {name: _value(name) for name in DEFAULTS}
if present:
    st.stop()

if map_data.summary.approximate + map_data.summary.unplaced:
    if st.toggle(tr("map_loc_list"), key="map_w_list"):
        listed = map_view.imprecise_projects(filters)
        st.dataframe(
            listed.assign(category=listed["category"].map(lambda c: vocab.label("category", c, lang)),
                          status=listed["status"].map(lambda s: vocab.label("status", s, lang)),
                          placement=listed["placement"].map(lambda p: tr(f"prec_{p}")),
                          village=listed["village"].fillna("")),
            hide_index=True, width="stretch", height=300,
            column_order=["placement", "name", "county", "town", "village", "category", "status", "budget_wan",
                          "project_id"],
            column_config={"placement": tr("c_location_precision"), "name": tr("c_name"), "county": tr("c_county"),
                           "town": tr("c_town"), "village": tr("c_village"), "category": tr("c_category"),
                           "status": tr("c_status"), "project_id": tr("c_project_id"),
                           "budget_wan": st.column_config.NumberColumn(tr("c_budget_wan"), format="localized")})
        if len(listed) >= maps.IMPRECISE_LIST_LIMIT:
            st.caption(tr("map_loc_list_cut", n=f"{maps.IMPRECISE_LIST_LIMIT:,}"))

# Exports -------------------------------------------------------------------------------
db = data.store()
area = maps.area_label(filters, lang)


def _export(width: int = 1600, height: int = 900):
    return map_export.filters_map(db, filters, as_of, lang, width, height, options=replace(options, scale=1.0))


def _html_bytes() -> bytes:
    built, title, subtitle = _export()
    return map_export.standalone_html(built.deck, title, built.legend, subtitle, lang).encode("utf-8")


def _png_bytes() -> bytes:
    built, title, subtitle = _export()
    return map_export.map_png(built.deck, title, built.legend, 1600, 900, subtitle, lang)


exports = st.columns([1, 1, 3])
exports[0].download_button(tr("map_export_html"), data=_html_bytes, file_name=f"{area}_{as_of.isoformat()}_map.html",
                           mime="text/html", icon=":material/map:", width="stretch", disabled=k.projects == 0)
chromium = map_export.chromium_path()
exports[1].download_button(tr("map_export_png"), data=_png_bytes, file_name=f"{area}_{as_of.isoformat()}_map.png",
                           mime="image/png", icon=":material/image:", width="stretch",
                           disabled=k.projects == 0 or chromium is None,
                           help=None if chromium else tr("map_export_png_unavailable", reason="Chromium"))
exports[2].caption(tr("map_export_note"))
st.caption(tr("map_payload", kb=f"{result.payload_bytes / 1024:,.0f}", n=f"{result.shown:,}"))
