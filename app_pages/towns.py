"""镇村画像: one county or town for a meeting: numbers, villages, changes, comparison, downloads."""
from __future__ import annotations

import streamlit as st

from portfolio import charts, map_export, meeting, report, vocab
from portfolio.filters import UNPLACED, Filters, split_key
from portfolio.formats import change, count
from portfolio.i18n import t
from portfolio.outcomes.meeting import indicator_sections
from portfolio.views import RANK_INDICATORS
from ui import data, map_view, run_memo
from ui.map_panels import export_queue_note
from ui.lang import current, tr
from ui.sidebar import current_filters, place_label, set_filters
from ui.widgets import kpi_cards, md, page_header, wan
from ui import outcomes_views

VILLAGE_COLUMNS = ["town", "village", "projects", "budget_wan", "started", "finished", "finish_rate", "late"]
ATTENTION_COLUMNS = ["name", "town", "village", "category", "status", "progress_pct", "plan_end", "is_late",
                     "is_stalled", "budget_wan"]

lang = current()
filters = current_filters()
as_of = data.data_date()
page_header("page_towns")

single_town = len(filters.towns) == 1
single_county = len(filters.counties) == 1 and not filters.towns


def _comparison(scope: Filters) -> None:
    """Towns of `scope` ranked on the chosen indicator."""
    indicator = st.selectbox(tr("tw_indicator"), RANK_INDICATORS, format_func=lambda i: tr(f"ind_{i}"),
                             key="tw_indicator")
    st.plotly_chart(data.figure(_comparison_chart, data.town_comparison, lang, scope, as_of, indicator, lang,
                                chart_args=(indicator,)),
                    width="stretch", config={"displaylogo": False})


def _comparison_chart(ranked, lang: str, indicator: str):
    """The comparison figure, built once per data version, scope, indicator and language (data.figure)."""
    return charts.town_comparison(ranked, indicator, t(f"ind_{indicator}", lang), t("tw_assisted", lang))


if not (single_town or single_county):
    # No single place chosen yet: the city-wide (or current selection's) picture, and a chooser.
    towns = data.by_town(Filters(), as_of, lang)
    located = towns[towns["town_key"] != UNPLACED]
    counties = sorted(set(located["county"]))
    options = [f"county:{c}" for c in counties] + [f"town:{k}" for k in sorted(located["town_key"])]

    def _label(option: str) -> str:
        kind, key = option.split(":", 1)
        return key if kind == "county" else place_label(key)

    choice = st.selectbox(tr("tw_choose"), options, index=None, format_func=_label, placeholder=tr("tw_choose"))
    if choice:
        kind, key = choice.split(":", 1)
        set_filters(Filters(counties=(key,)) if kind == "county" else
                    Filters(counties=(split_key(key)[0],), towns=(key,)))
        st.rerun()
    st.caption(tr("tw_choose_hint"))
    st.header(md(meeting.area_name(filters, lang)))
    kpi_cards(data.kpis(filters, as_of))
    st.subheader(tr("tw_compare"))
    _comparison(filters)
    st.stop()

area = meeting.area_name(filters, lang)
st.header(md(area))
k = data.kpis(filters, as_of)
kpi_cards(k)
if k.projects == 0:
    st.info(tr("no_data"), icon=":material/filter_alt_off:")
    st.stop()

db = data.store()
# The cover of the deck and the report: who presents, and when (the download runs with these).
cover = st.columns([2, 1, 2])
default_unit = run_memo.session_memo(  # asked once per filters and data, not on every rerun
    "tw_default_unit", (run_memo.data_version(db), filters, as_of, lang),
    lambda: meeting.default_unit(db, filters, meeting.scope_of(filters, lang)[0], lang, as_of))
unit = cover[0].text_input(tr("tw_unit"), placeholder=default_unit, max_chars=60,
                           help=tr("tw_unit_help", default=default_unit)).strip() or None
meeting_date = cover[1].date_input(tr("tw_meeting_date"), value="today", format="YYYY-MM-DD")
pack_options = dict(unit=unit, meeting_date=meeting_date, extra=(indicator_sections,))
downloads = st.columns([1, 1, 3])
downloads[0].download_button(
    tr("tw_download_deck"),
    data=lambda: meeting.deck_bytes(db, filters, lang, map_png=lambda f: map_export.map_png_for(db, f, lang),
                                    **pack_options),
    file_name=f"{area}_{as_of.isoformat()}.pptx", icon=":material/slideshow:", width="stretch",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
downloads[1].download_button(
    tr("tw_download_html"),
    data=lambda: report.build_report(db, filters, lang, map_export.map_png_for(db, filters, lang),
                                     **pack_options).encode("utf-8"),
    file_name=f"{area}_{as_of.isoformat()}.html", icon=":material/description:", width="stretch",
    mime="text/html")

queue_note = export_queue_note()
if queue_note:
    downloads[2].caption(queue_note.lstrip(" ·"))

def _meeting_data():
    """Teams, changes and the two tables as shown (labels in this language, only the shown columns)."""
    villages, attention = data.by_village(filters, as_of), data.attention(filters, as_of)
    # One county is chosen here (its name heads the page): a town needs no county beside it.
    villages = villages.assign(town=[place_label(UNPLACED) if key == UNPLACED else town
                                     for key, town in zip(villages["town_key"], villages["town"])])
    attention = attention.assign(category=attention["category"].map(lambda c: vocab.label("category", c, lang)),
                                 status=attention["status"].map(lambda s: vocab.label("status", s, lang)),
                                 village=attention["village"].fillna(""),
                                 town=attention["town_key"].map(place_label))
    return (data.teams(filters, as_of), data.changes_since_previous_report(filters, as_of),
            villages[VILLAGE_COLUMNS], attention[ATTENTION_COLUMNS])


# Kept by the session: a rerun with the same filters and data asks no cache and relabels no rows.
teams, changes, villages, attention = run_memo.session_memo(
    "tw_meeting", (run_memo.data_version(db), filters, as_of, lang), _meeting_data)
if not teams.empty:
    st.caption(tr("tw_team") + "：" + "；".join(
        md(f"{r.town or ''} {r.team or ''} {r.assisting_unit or ''}".strip()) for r in teams.itertuples()))

st.subheader(tr("page_map"))
map_view.draw_map(filters, as_of, key="towns_map", height=480, canvas=(900, 480))

if changes.previous is None:
    st.caption(tr("tw_no_changes"))
else:
    st.subheader(tr("tw_changes", previous=changes.previous.isoformat(), latest=changes.latest.isoformat()))
    cols = st.columns(5)
    cols[0].metric(tr("tw_new"), count(changes.new_projects))
    cols[1].metric(tr("tw_newly_started"), count(changes.newly_started))
    cols[2].metric(tr("tw_newly_completed"), count(changes.newly_completed))
    cols[3].metric(tr("tw_progress_gain"), change(changes.avg_progress_gain) + " %")
    cols[4].metric(tr("tw_spent_delta"), wan(changes.spent_wan_delta))

left, right = st.columns(2)
with left:
    st.subheader(tr("tw_by_category"))
    st.plotly_chart(data.figure(charts.category_bars, data.by_category, lang, filters, as_of), width="stretch",
                    config={"displaylogo": False})
with right:
    st.subheader(tr("tw_compare"))
    # Compare the towns of the county (a single town is compared with its county's towns).
    county = split_key(filters.towns[0])[0] if single_town else ""
    _comparison(Filters(counties=(county,)) if county else filters)

outcomes_views.town_profile(filters, as_of)

st.subheader(tr("tw_villages"))
st.dataframe(
    villages,  # only the shown columns go to the browser
    hide_index=True, width="stretch", placeholder="—",
    column_order=VILLAGE_COLUMNS,
    column_config={
        "town": tr("c_town"), "village": tr("c_village"), "projects": tr("k_projects"),
        "budget_wan": st.column_config.NumberColumn(tr("k_budget"), format="localized"),
        "started": tr("village_started"), "finished": tr("village_finished"),
        "finish_rate": st.column_config.ProgressColumn(tr("k_finish_rate"), min_value=0, max_value=1,
                                                       format="percent"),
        "late": tr("k_late"),
    },
)

st.subheader(tr("tw_late_stalled"))
if attention.empty:
    st.success(tr("ov_attention_none"), icon=":material/check_circle:")
else:
    st.dataframe(
        attention,  # only the shown columns go to the browser
        hide_index=True, width="stretch", placeholder="—",
        column_order=ATTENTION_COLUMNS,
        column_config={
            "name": tr("c_name"), "town": tr("c_town"), "village": tr("c_village"), "category": tr("c_category"),
            "status": tr("c_status"),
            "progress_pct": st.column_config.ProgressColumn(tr("c_progress_pct"), min_value=0, max_value=100,
                                                            format="%.0f%%"),
            "plan_end": st.column_config.DateColumn(tr("c_plan_end"), format="YYYY-MM-DD"),
            "is_late": st.column_config.CheckboxColumn(tr("c_is_late")),
            "is_stalled": st.column_config.CheckboxColumn(tr("c_is_stalled")),
            "budget_wan": st.column_config.NumberColumn(tr("c_budget_wan"), format="localized"),
        },
    )
