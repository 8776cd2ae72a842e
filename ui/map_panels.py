"""The pieces of the 作战图 page around the map: presentation chrome, switches, the project detail,
the list of approximately placed projects and the export buttons."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import escape

import streamlit as st

from portfolio import formats, headless, map_export, maps, photos, vocab
from portfolio.filters import Filters, split_key
from portfolio.i18n import t
from portfolio.views import Kpis
from ui import data, map_state, map_view
from ui.lang import tr
from ui.widgets import md


LEGEND_FLOAT = "map_legend_float"  # the container key of the legend laid over the map on the wall screen
TOOLS = "map_present_tools"  # the container key of the wall screen's buttons


def export_queue_note() -> str:
    """A note that pictures are rendering or queued (Chromium renders are limited), else ""."""
    running, waiting = headless.renders_in_use()
    if not running and not waiting:
        return ""
    return " · " + tr("export_queue", running=running, waiting=waiting, max=headless.MAX_RENDERS)


def presentation_css() -> None:
    """Wall-screen chrome: no sidebar or toolbar, the page edge to edge, the legend floating over the map
    on a wide screen and in the flow on a phone."""
    st.html(f"""<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
    [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stExpandSidebarButton"] {{ display: none !important; }}
    [data-testid="stMainBlockContainer"] {{ padding: 0.8rem 1.6rem 0.4rem !important; max-width: 100% !important; }}
    [data-testid="stAppViewContainer"] {{ margin-left: 0 !important; }}
    @media (min-width: 900px) {{
      .st-key-{LEGEND_FLOAT} {{ position: fixed; right: 2.4rem; bottom: 1.4rem; z-index: 20; width: auto !important;
        max-width: 400px; background: rgba(255,255,255,0.94); border: 1px solid #ccc; border-radius: 6px;
        padding: 10px 16px; box-shadow: 0 1px 6px rgba(0,0,0,0.15); }}
    }}
    @media (max-width: 640px) {{
      [data-testid="stMainBlockContainer"] {{ padding: 0.6rem 0.8rem 0.4rem !important; }}
      /* The tool buttons stay side by side on a phone instead of stacking one per row. */
      .st-key-{TOOLS} [data-testid="stHorizontalBlock"] {{ flex-direction: row !important; flex-wrap: nowrap !important; }}
      .st-key-{TOOLS} [data-testid="stColumn"] {{ width: auto !important; flex: 1 1 0 !important; min-width: 0 !important; }}
    }}
    </style>""")


def present_header(k: Kpis, filters: Filters, as_of: date, lang: str) -> None:
    """The wall screen's title, data date, demo mark and KPI strip. Sizes follow the screen width (40 px type
    at 1920 px), and both rows wrap on a phone instead of breaking words into single characters."""
    title = t("map_present_title", lang, programme=tr("map_programme"), area=maps.area_label(filters, lang))
    demo = (f'<span data-testid="map-present-demo" style="color:#D55E00;font-size:clamp(15px,1.15vw,22px);'
            f'white-space:nowrap">{escape(tr("demo_badge"))}</span>') if data.is_demo() else ""
    items = [(tr("k_projects"), formats.count(k.projects)), (tr("k_budget"), formats.wan(k.budget_wan, 0)),
             (tr("k_start_rate"), formats.pct(k.start_rate)), (tr("k_finish_rate"), formats.pct(k.finish_rate)),
             (tr("k_late"), formats.count(k.late))]
    cells = "".join(
        f'<div style="border-left:6px solid #1A9850;padding:2px 12px;min-width:0">'
        f'<div style="font-size:clamp(24px,2.1vw,40px);font-weight:700;color:#1F3A5F;line-height:1.1;'
        f'white-space:nowrap">{escape(v)}</div>'
        f'<div style="font-size:clamp(13px,1vw,19px);color:#444;white-space:nowrap">{escape(label)}</div></div>'
        for label, v in items)
    st.html(
        f'<div data-testid="map-present-title" style="display:flex;flex-wrap:wrap;align-items:baseline;'
        f'column-gap:20px;row-gap:2px">'
        f'<h1 style="font-size:clamp(24px,2.1vw,40px);margin:0;padding:0;color:#1F3A5F;word-break:keep-all;'
        f'overflow-wrap:anywhere">{escape(title)}</h1>'
        f'<span style="font-size:clamp(15px,1.15vw,22px);color:#555;white-space:nowrap">'
        f'{escape(tr("data_date", date=as_of.isoformat()))}</span>{demo}</div>'
        f'<div data-testid="map-kpi-strip" style="display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));'
        f'gap:8px 12px;margin:8px 0 4px">{cells}</div>')


def zoom_buttons(zoom_in, zoom_out, fit) -> None:
    """Zoom in, zoom out and fit: the wheel scrolls the page, so the map zooms only by these.
    Short labels without icons, so that three fit beside the legend on a laptop."""
    zoom_in.button(tr("map_zoom_in"), key="map_zoom_in", on_click=map_state.zoom_by, args=(1.0,),
                   help=tr("map_zoom_help"), width="stretch")
    zoom_out.button(tr("map_zoom_out"), key="map_zoom_out", on_click=map_state.zoom_by, args=(-1.0,),
                    help=tr("map_zoom_help"), width="stretch")
    fit.button(tr("map_fit_short"), key="map_fit", on_click=map_state.refit, help=tr("map_fit"), width="stretch")


def switches(settings, filters: Filters, basemap_names: list[str], stacked: bool = False) -> None:
    """The layer, colour, size, indicator and basemap switches and the town list (one row, or `stacked`
    one above the other in the wall screen's settings popover)."""
    controls = [settings] * 5 if stacked else settings.columns([1.3, 1.3, 1.3, 1.3, 1.6])
    controls[0].segmented_control(tr("map_layer"), maps.LAYERS, key="map_w_layer", on_change=map_state.refit,
                                  required=True, format_func=lambda v: tr(f"map_layer_{v}"))
    if map_state.value("layer") == "projects":
        controls[1].segmented_control(tr("map_color_by"), maps.COLOR_BY, key="map_w_color", required=True,
                                      format_func=lambda v: tr(f"map_color_{v}"))
        controls[2].segmented_control(tr("map_size_by"), maps.SIZE_BY, key="map_w_size", required=True,
                                      format_func=lambda v: tr(f"map_size_{v}"))
    else:
        controls[1].selectbox(tr("map_indicator"), maps.INDICATORS, key="map_w_indicator",
                              format_func=lambda v: tr(f"map_ind_{v}"))
    controls[3].selectbox(tr("map_basemap"), ["", *basemap_names], key="map_w_basemap",
                          format_func=lambda v: v or tr("map_basemap_none"))
    town_counts = data.facet_counts(filters, facet="town")
    goto_options = ["", *sorted(town_counts, key=lambda key: -town_counts[key])]
    single_town = filters.towns[0] if len(filters.towns) == 1 else ""
    if single_town and single_town not in goto_options:
        goto_options.append(single_town)
    st.session_state["map_w_goto"] = single_town
    controls[4].selectbox(tr("map_goto"), goto_options, key="map_w_goto", on_change=map_state.on_goto,
                          format_func=lambda key: tr("map_goto_none") if not key else
                          f"{split_key(key)[1]} · {split_key(key)[0]} ({town_counts.get(key, 0):,})")


def present_tools(filters: Filters, basemap_names: list[str], as_of: date, lang: str,
                  options: maps.MapOptions, projects: int) -> None:
    """The wall screen's few controls: zoom, and the settings and exports folded into popovers."""
    tools = st.container(key=TOOLS)
    zoom_buttons(*tools.columns(3, gap="small"))
    settings_col, export_col = tools.columns(2, gap="small")
    with settings_col.popover(tr("map_settings_short"), icon=":material/tune:", width="stretch"):
        switches(st.container(), filters, basemap_names, stacked=True)
    with export_col.popover(tr("map_exports"), icon=":material/download:", width="stretch"):
        export_buttons(filters, as_of, lang, options, projects, stacked=True)


def project_detail(project_id: str, as_of: date, lang: str) -> None:
    """The clicked project's card beside the map, with a button that opens it in the project library."""
    detail = data.project_detail(project_id=project_id, as_of=as_of)
    if detail is None:
        st.caption(tr("map_detail_gone"))
        return
    st.markdown(f"**{tr('map_detail')}**")
    st.html(f'<div style="font-weight:700;font-size:16px">{escape(str(detail["name"]))}</div>')
    st.markdown(f":blue-badge[{vocab.label('category', detail['category'], lang)}] "
                f":gray-badge[{vocab.label('status', detail['status'], lang)}]"
                + (f" :red-badge[{tr('flag_late')}]" if detail.get("is_late") else ""))
    progress = detail.get("progress_pct")
    rows = [(tr("c_town"), detail.get("town")), (tr("c_village"), detail.get("village")),
            (tr("c_progress_pct"), formats.progress(progress, missing="")),
            (tr("c_budget_wan"), formats.wan(detail.get("budget_wan"), 2)),
            (tr("c_plan_end"), detail.get("plan_end")),
            (tr("c_responsible_unit"), detail.get("responsible_unit")),
            (tr("c_location_precision"), tr(f"prec_{detail.get('location_precision') or 'none'}"))]
    st.html('<table style="width:100%;border-collapse:collapse;font-size:14px">' + "".join(
        f'<tr><td style="color:#666;padding:3px 8px 3px 0;white-space:nowrap">{escape(label)}</td>'
        f'<td style="padding:3px 0">{escape("—" if value in (None, "") else str(value))}</td></tr>'
        for label, value in rows) + "</table>")
    detail_photos(project_id)
    if st.button(tr("map_open_in_library"), icon=":material/table_view:", width="stretch"):
        st.switch_page("app_pages/projects.py", query_params={"project": project_id})


DETAIL_PHOTOS = 4  # the newest few: the whole gallery is in the project library


def detail_photos(project_id: str) -> None:
    """The project's newest site photos as 320 px thumbnails with date and caption; a photo whose file
    is missing shows the grey placeholder instead."""
    rows = photos.for_project(data.store(), project_id)  # by report date, earliest first
    if not rows:
        return
    newest = rows[::-1][:DETAIL_PHOTOS]
    st.markdown(f"**{tr('map_detail_photos', shown=len(newest), n=len(rows))}**")
    columns = st.columns(2)
    for i, row in enumerate(newest):
        with columns[i % 2]:
            thumb = row["path_320"] or row["path_1280"]
            st.image(str(thumb) if thumb else photos.placeholder_png(), width="stretch")
            when = row["taken_at"] or row["report_date"]
            parts = [when.strftime("%Y-%m-%d") if when else "",
                     "" if thumb else tr("fu_photo_missing"), row.get("caption") or ""]
            st.caption(md(" · ".join(p for p in parts if p)))


def imprecise_list(filters: Filters, lang: str) -> None:
    """The projects not placed by their own coordinates, behind a switch."""
    if not st.toggle(tr("map_loc_list"), key="map_w_list"):
        return
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
                       "budget_wan": st.column_config.NumberColumn(tr("c_budget_wan"), format="localized")},
        placeholder="—")
    if len(listed) >= maps.IMPRECISE_LIST_LIMIT:
        st.caption(tr("map_loc_list_cut", n=formats.count(maps.IMPRECISE_LIST_LIMIT)))


def export_buttons(filters: Filters, as_of: date, lang: str, options: maps.MapOptions, projects: int,
                   stacked: bool = False) -> None:
    """Download buttons for the offline HTML map and the PNG (built only when clicked)."""
    db = data.store()
    area = maps.area_label(filters, lang)

    def export(width: int = 1600, height: int = 900):
        return map_export.filters_map(db, filters, as_of, lang, width, height, options=replace(options, scale=1.0))

    def html_bytes() -> bytes:
        built, title, subtitle = export()
        return map_export.standalone_html(built.deck, title, built.legend, subtitle, lang,
                                          demo=data.is_demo()).encode("utf-8")

    def png_bytes() -> bytes:
        # The slide picture, from the same cache as the meeting deck and the report.
        return map_export.map_png_for(db, filters, lang, options=replace(options, scale=1.0)) or b""

    exports = [st.container()] * 3 if stacked else st.columns([1, 1, 3])
    exports[0].download_button(tr("map_export_html"), data=html_bytes,
                               file_name=f"{area}_{as_of.isoformat()}_map.html", mime="text/html",
                               icon=":material/map:", width="stretch", disabled=projects == 0)
    chromium = headless.chromium_path()
    exports[1].download_button(tr("map_export_png"), data=png_bytes, file_name=f"{area}_{as_of.isoformat()}_map.png",
                               mime="image/png", icon=":material/image:", width="stretch",
                               disabled=projects == 0 or chromium is None,
                               help=None if chromium else tr("map_export_png_unavailable", reason="Chromium"))
    exports[2].caption(tr("map_export_note") + export_queue_note())
