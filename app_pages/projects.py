"""项目库: the filtered projects in a table, one project's detail and history, exports."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portfolio import charts, export, vocab
from portfolio.filters import UNPLACED
from portfolio.formats import coordinates, count, progress
from ui import data, field_update, run_memo
from ui.lang import current, tr
from ui.sidebar import current_filters, place_label
from ui.widgets import md, page_header, wan

PROJECT_PARAM = "project"
# The table's columns; 逾期 and 停滞 sit right after the name and place, so they show without scrolling sideways.
COLUMNS = ["project_id", "name", "town", "village", "category", "status", "is_late", "is_stalled", "progress_pct",
           "budget_wan", "funds_in_place_wan", "spent_wan", "year", "plan_end"]

lang = current()
filters = current_filters()
as_of = data.data_date()
page_header("page_projects")

k = data.kpis(filters, as_of)


def _tables():
    """The first page of the filtered projects, and its columns as shown (labels in this language)."""
    table = data.project_table(filters, as_of)
    shown = table.assign(
        town=table["town_key"].map(place_label),
        village=table["village"].fillna(""),
        category=table["category"].map(lambda c: vocab.label("category", c, lang)),
        status=table["status"].map(lambda s: vocab.label("status", s, lang)),
    )
    return table, shown[COLUMNS]


# Kept by the session: a rerun with the same filters and data relabels no rows (read only below).
table, shown = run_memo.session_memo("projects_table", (run_memo.data_version(data.store()), filters, as_of, lang),
                                     _tables)

top = st.columns([3, 1, 1])
top[0].markdown(tr("pl_count", n=count(k.projects)))


def _export_rows():
    return data.project_table(filters, as_of, limit=None)


note = export.describe_filters(filters, lang, as_of)
top[1].download_button(
    tr("pl_export_xlsx"), data=lambda: export.to_xlsx(_export_rows(), lang, note=note, demo=data.is_demo()),
    file_name=f"projects_{as_of.isoformat()}.xlsx", icon=":material/download:", width="stretch",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", disabled=k.projects == 0)
top[2].download_button(
    tr("pl_export_csv"), data=lambda: export.to_csv(_export_rows(), lang, demo=data.is_demo()),
    file_name=f"projects_{as_of.isoformat()}.csv", icon=":material/download:", width="stretch",
    mime="text/csv", disabled=k.projects == 0)

if k.projects == 0:
    st.info(tr("no_data"), icon=":material/filter_alt_off:")
    st.stop()
if k.projects > len(table):
    st.caption(tr("pl_truncated", shown=count(len(table)), n=count(k.projects)))

project_id = st.query_params.get(PROJECT_PARAM)
chosen = table["project_id"] == project_id
if project_id and chosen.any():
    # The project a link opened leads the table, selected.
    table = pd.concat([table[chosen], table[~chosen]], ignore_index=True)
    shown = pd.concat([shown[chosen], shown[~chosen]], ignore_index=True)
event = st.dataframe(
    shown, hide_index=True, width="stretch", height=420, on_select="rerun",
    selection_mode="single-row", key="projects_table", placeholder="—",
    selection_default={"selection": {"rows": [0]}} if project_id and chosen.any() else None,
    column_config={
        "project_id": st.column_config.TextColumn(tr("c_project_id"), width=124),  # a 13-character code, whole
        "name": st.column_config.TextColumn(tr("c_name"), width="medium"),
        "town": st.column_config.TextColumn(tr("c_town"), width="medium"),
        "village": st.column_config.TextColumn(tr("c_village"), width="small"),
        **{c: st.column_config.TextColumn(tr(f"c_{c}"), width="small") for c in ("category", "status")},
        "is_late": st.column_config.CheckboxColumn(tr("c_is_late"), width="small"),
        "is_stalled": st.column_config.CheckboxColumn(tr("c_is_stalled"), width="small"),
        "progress_pct": st.column_config.ProgressColumn(tr("c_progress_pct"), min_value=0, max_value=100,
                                                        format="%.0f%%", width="small"),
        **{c: st.column_config.NumberColumn(tr(f"c_{c}"), format="localized", width="small")
           for c in ("budget_wan", "funds_in_place_wan", "spent_wan")},
        "year": st.column_config.NumberColumn(tr("c_year"), format="plain", width="small"),
        "plan_end": st.column_config.DateColumn(tr("c_plan_end"), format="YYYY-MM-DD", width="small"),
    },
)
st.caption(tr("pl_select_hint"))
field_update.project_cards(table, lang)  # phone width: cards instead of the table (issue 12)

rows = event.selection.rows if event else []
if rows and table.iloc[rows[0]]["project_id"] != project_id:
    project_id = table.iloc[rows[0]]["project_id"]
    st.query_params[PROJECT_PARAM] = project_id
if not project_id:
    st.stop()

detail = data.project_detail(project_id, as_of)
if detail is None:
    st.warning(tr("pl_not_found", id=md(project_id)), icon=":material/search_off:")
    st.stop()

st.divider()
st.subheader(f"{tr('pl_detail')}：{md(detail['name'])}")
flags = [tr("flag_late")] if detail["is_late"] else []
flags += [tr("flag_stalled")] if detail["is_stalled"] else []
st.markdown(
    f":blue-badge[{vocab.label('category', detail['category'], lang)}] "
    f":gray-badge[{vocab.label('status', detail['status'], lang)}] "
    + " ".join(f":red-badge[{f}]" for f in flags)
)
left, right = st.columns([1, 1])
fields = ["project_id", "county", "town", "village", "subcategory", "nature", "description", "scale_qty",
          "scale_unit", "budget_wan", "funds_in_place_wan", "spent_wan", "fund_central_wan", "fund_provincial_wan",
          "fund_city_wan", "fund_county_wan", "fund_assistance_wan", "fund_social_wan", "progress_pct",
          "plan_start", "plan_end", "actual_start", "actual_end", "beneficiaries", "beneficiary_households",
          "year", "assisting_unit", "team", "responsible_unit", "responsible_person", "notes", "last_report_date"]


def _fmt(name: str, value) -> str:
    if name == "town" and detail.get("town_key") == UNPLACED:
        return place_label(UNPLACED)
    if name == "county" and detail.get("county_key") == UNPLACED:
        return f"{value} · {place_label(UNPLACED)}" if value else place_label(UNPLACED)
    if value is None or value != value:  # None or NaN
        return "—"
    if name.endswith("_wan"):
        return wan(value, 2)
    if name == "progress_pct":
        return progress(value)
    return str(value)


with left:
    st.dataframe(
        {tr("c_name"): [tr(f"c_{f}") for f in fields], " ": [_fmt(f, detail.get(f)) for f in fields]},
        hide_index=True, width="stretch", height=36 * len(fields) // 2 + 40, placeholder="—"
    )
with right:
    st.markdown(f"**{tr('pl_location')}**")
    precision = detail.get("location_precision") or "none"
    if detail.get("lon") is not None:
        st.markdown(f"{coordinates(detail['lon'], detail['lat'])} (WGS-84)")
    st.caption(tr("pl_location_precision", p=tr(f"prec_{precision}")))
    st.markdown(f"**{tr('pl_history')}**")
    history = data.project_history(project_id)
    if history.empty:
        st.caption(tr("pl_no_history"))
    else:
        st.plotly_chart(data.figure(charts.history_chart, data.project_history, lang, project_id), width="stretch",
                        config={"displaylogo": False})

field_update.project_panel(detail)  # 现场照片, 更新进展, 编辑项目 (issue 12)
