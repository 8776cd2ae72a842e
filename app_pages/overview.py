"""总览: headline numbers, charts by category/status/town, trend, what needs attention."""
from __future__ import annotations

import streamlit as st

from portfolio import charts, vocab
from ui import data
from ui.lang import LANG_KEY, current, tr
from ui.sidebar import current_filters, place_label
from ui.widgets import kpi_cards, page_header
from ui import outcomes_views

lang = current()
filters = current_filters()
as_of = data.data_date()
page_header("page_overview")

k = data.kpis(filters, as_of)
kpi_cards(k)
outcomes_views.overview_rates(filters)  # the programme's outcome rates (village indicators)
if k.projects == 0:
    st.info(tr("no_data"), icon=":material/filter_alt_off:")
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader(tr("ov_by_category"))
    metric = st.segmented_control(" ", ["budget_wan", "projects"], default="budget_wan", key="ov_cat_metric",
                                  format_func=lambda m: tr(f"metric_{'budget' if m == 'budget_wan' else 'projects'}"),
                                  label_visibility="collapsed") or "budget_wan"
    st.plotly_chart(data.figure(charts.category_bars, data.by_category, lang, filters, as_of, chart_args=(metric,)),
                    width="stretch", config={"displaylogo": False})
with right:
    st.subheader(tr("ov_by_status"))
    st.plotly_chart(data.figure(charts.status_bars, data.by_status, lang, filters, as_of), width="stretch",
                    config={"displaylogo": False})

left, right = st.columns(2)
with left:
    st.subheader(tr("ov_by_town"))
    st.plotly_chart(data.figure(charts.town_ranking, data.by_town, lang, filters, as_of), width="stretch",
                    config={"displaylogo": False})
with right:
    st.subheader(tr("ov_trend"))
    st.plotly_chart(data.figure(charts.trend_lines, data.monthly_trend, lang, filters, as_of=as_of), width="stretch",
                    config={"displaylogo": False})
    st.subheader(tr("ov_by_area"))
    st.plotly_chart(data.figure(charts.area_bars, data.area_totals_by_category, lang, filters, as_of), width="stretch",
                    config={"displaylogo": False})

st.subheader(tr("ov_attention"))
attention = data.attention(filters, as_of)
if attention.empty:
    st.success(tr("ov_attention_none"), icon=":material/check_circle:")
else:
    table = attention.assign(
        town=attention["town_key"].map(place_label),
        village=attention["village"].fillna(""),
        flag=[" · ".join(x for x, on in ((tr("flag_late"), late), (tr("flag_stalled"), stalled)) if on)
              for late, stalled in zip(attention["is_late"], attention["is_stalled"])],
        category=attention["category"].map(lambda c: vocab.label("category", c, lang)),
        status=attention["status"].map(lambda s: vocab.label("status", s, lang)),
    )
    columns = ["flag", "name", "town", "village", "category", "status", "progress_pct", "plan_end",
               "last_report_date", "budget_wan"]
    event = st.dataframe(
        table[columns], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key="ov_attention_table", placeholder="—",
        column_config={
            "flag": tr("flag"), "name": tr("c_name"), "town": tr("c_town"), "village": tr("c_village"),
            "category": tr("c_category"), "status": tr("c_status"),
            "progress_pct": st.column_config.ProgressColumn(tr("c_progress_pct"), min_value=0, max_value=100,
                                                            format="%.0f%%"),
            "plan_end": st.column_config.DateColumn(tr("c_plan_end"), format="YYYY-MM-DD"),
            "last_report_date": st.column_config.DateColumn(tr("c_last_report_date"), format="YYYY-MM-DD"),
            "budget_wan": st.column_config.NumberColumn(tr("c_budget_wan"), format="localized"),
        },
    )
    st.caption(tr("pl_select_hint"))
    rows = event.selection.rows if event else []
    if rows:
        # The link carries the filters too, so 项目库 opens on the same set with this project chosen.
        params = {**filters.to_query_params(), "project": attention.iloc[rows[0]]["project_id"]}
        if lang != "zh":
            params[LANG_KEY] = lang
        st.switch_page("app_pages/projects.py", query_params=params)
