"""Village indicators on 总览 and 镇村画像: the programme's rates, a place's profile, who will still miss.

Numbers come from portfolio/outcomes/views.py through ui/data.cached (keyed by the filters and the
data version); values are written through portfolio/outcomes/labels.py (never nan/None).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portfolio.formats import DASH

from portfolio.filters import Filters
from portfolio.outcomes import catalogue, labels, rollup
from portfolio.outcomes import export as outcomes_export
from portfolio.outcomes import views as outcome_views
from ui import data, run_memo
from ui.lang import current, tr

rates = data.cached(outcome_views.rates)
profile = data.cached(outcome_views.profile)
still_missing = data.cached(outcome_views.still_missing)
PER_ROW = 4


def overview_rates(filters: Filters) -> None:
    """总览: each indicator's figure for the filter, its target and the change since the previous period."""
    lang = current()
    found = rates(filters)
    st.subheader(tr("out_ov_title"))
    if not found:
        st.caption(tr("out_ov_none"))
        return
    st.caption(tr("out_ov_caption", period=found[0].period.isoformat()))
    weighted = []
    for start in range(0, len(found), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, r in zip(cols, found[start:start + PER_ROW]):
            ind = r.indicator
            target = labels.rollup_text(ind, r.current.target, lang) if r.current.target is not None else "—"
            col.metric(ind.name(lang), labels.rollup_text(ind, r.current.value, lang),
                       labels.change_text(ind, r.change, lang) or None,
                       help=tr("out_ov_help", target=target,
                               period=r.previous_period.isoformat() if r.previous_period else "—"),
                       delta_color="normal" if ind.higher_is_better else "inverse")
            col.caption(tr("out_ov_target", target=target))
            if r.current.weighted_by_households:
                weighted.append(ind.name(lang))
    if weighted:
        st.caption(tr("out_weighted_note", names="、".join(weighted)))


def town_profile(filters: Filters, as_of) -> None:
    """镇村画像: per indicator value, target, gap, trend and the projects under way; then who will still miss."""
    lang = current()
    cat = catalogue.default()
    prof = profile(filters, as_of)
    st.subheader(tr("out_tw_title"))
    if prof.empty:
        st.caption(tr("out_ov_none"))
        return
    table = pd.DataFrame({
        tr("out_c_indicator"): [cat.get(c).name(lang) for c in prof["indicator"]],
        tr("out_c_value"): [labels.rollup_text(cat.get(c), v, lang) for c, v in zip(prof["indicator"], prof["value"])],
        tr("out_c_target"): [labels.rollup_text(cat.get(c), v, lang) for c, v in zip(prof["indicator"], prof["target"])],
        tr("out_c_gap"): [labels.gap_text(cat.get(c), g, lang) for c, g in zip(prof["indicator"], prof["gap"])],
        tr("out_tw_trend"): [[x if x is not None else 0 for x in tr_] for tr_ in prof["trend"]],
        tr("out_tw_projects"): prof["projects"],
        tr("out_tw_last_end"): [d.isoformat() if d is not None and d == d else "" for d in prof["last_plan_end"]],
        tr("out_tw_examples"): prof["project_names"],
    })
    st.dataframe(table, hide_index=True, width="stretch", placeholder=DASH,
                 height=(len(table) + 1) * 35 + 3,  # every indicator shows
                 column_config={tr("out_tw_trend"): st.column_config.LineChartColumn(tr("out_tw_trend"))})
    db = data.store()
    st.download_button(tr("out_tw_download"), icon=":material/download:", key="out_tw_download",
                       data=lambda: outcomes_export.to_xlsx(db, filters, lang),
                       file_name=f"村级指标_{as_of.isoformat()}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if (prof["method"] == rollup.HOUSEHOLDS).any():
        st.caption(tr("out_weighted_note", names="、".join(cat.get(c).name(lang) for c in
                                                           prof.loc[prof["method"] == rollup.HOUSEHOLDS, "indicator"])))
    st.subheader(tr("out_tw_missing_title", year=outcome_views.TARGET_YEAR))
    st.caption(tr("out_tw_missing_help"))
    version = run_memo.data_version(data.store())
    # The labelled table is kept by the session: a rerun with the same filters and data relabels no rows.
    shown = run_memo.session_memo("out_missing", (version, filters, as_of, lang),
                                  lambda: _missing_table(still_missing(filters, as_of), cat))
    if shown is None:
        st.success(tr("out_tw_missing_none"), icon=":material/check_circle:")
        return
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=DASH)


def _missing_table(missing: pd.DataFrame, cat) -> pd.DataFrame | None:
    """The villages that will still miss a target, labelled in the current language (None: none)."""
    lang = current()
    if missing.empty:
        return None
    return pd.DataFrame({
        tr("out_c_town"): missing["town"], tr("out_c_village"): missing["village"].fillna(""),
        tr("out_c_indicator"): [cat.get(c).name(lang) for c in missing["indicator"]],
        tr("out_c_value"): [labels.value_text(cat.get(c), v, lang) for c, v in zip(missing["indicator"], missing["value"])],
        tr("out_c_target"): [labels.value_text(cat.get(c), v, lang) for c, v in zip(missing["indicator"], missing["target"])],
        tr("out_tw_projects"): missing["projects"],
        tr("out_tw_last_end"): [d.isoformat() if d is not None and d == d else "" for d in missing["last_plan_end"]],
        tr("out_tw_reason"): [tr(f"out_reason_{r}") for r in missing["reason"]],
    })
