"""The 数据导入 page's branch for village indicator sheets: template per set, preview, import.

The work happens in portfolio/outcomes/importer.py (the same as `python -m portfolio import
--kind indicators`); this module only draws it.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portfolio.formats import DASH

from portfolio.auth import AuthError, User
from portfolio.ingest.issues import ERROR, IngestError
from portfolio.outcomes import catalogue, detect, importer, template
from ui.lang import current, tr
from ui.widgets import md

ANALYSIS, DONE = "out_up_analysis", "up_done"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=8)
def _template(set_code: str, town_keys: tuple[str, ...]) -> bytes:
    villages = template.villages_of(town_keys)
    label = "、".join(k.split("/", 1)[1] for k in town_keys) if town_keys else "XX镇"
    return template.template_xlsx(catalogue.default(), set_code, villages, town_label=label)


@st.cache_data(show_spinner=False, max_entries=4)
def is_indicator_sheet(content: bytes, name: str) -> bool:
    return detect.looks_like_indicator_sheet(content, name, catalogue.default())


def template_download(writer: User) -> None:
    """An indicator set's template (one row per village, one column group per indicator); an editor of
    a few towns gets their villages filled in."""
    lang = current()
    cat = catalogue.default()
    sets = [s.code for s in cat.sets] + ["all"]
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen = left.selectbox(tr("out_up_template_set"), sets, key="out_up_template_set",
                            format_func=lambda c: cat.set(c).name(lang))
    towns = tuple(sorted(writer.towns)) if 0 < len(writer.towns) <= 3 else ()
    right.download_button(tr("out_up_template"), data=_template(chosen, towns),
                          file_name=f"村级指标模板_{cat.set(chosen).name('zh')}.xlsx", mime=XLSX_MIME,
                          icon=":material/download:", key="out_up_template")


def draw(db, content: bytes, file_name: str, file_id: str, writer: User) -> None:
    """Preview an indicator sheet and import it on request."""
    lang = current()
    st.info(tr("out_up_detected"), icon=":material/monitoring:")
    period = st.date_input(tr("out_up_period"), value=None, key="out_up_period", help=tr("out_up_period_help"))
    key = (writer.name, file_id, period)
    if st.button(tr("up_preview"), type="primary", icon=":material/fact_check:", key="out_up_preview"):
        try:
            st.session_state[ANALYSIS] = (key, importer.analyse(db, content, file_name, user=writer, period=period))
        except IngestError as exc:
            st.session_state.pop(ANALYSIS, None)
            st.error(md(exc.message(lang)), icon=":material/error:")
    stored = st.session_state.get(ANALYSIS)
    if stored is None:
        return
    if stored[0] != key:
        st.info(tr("up_options_changed"), icon=":material/refresh:")
        return
    analysis: importer.IndicatorAnalysis = stored[1]
    summary = analysis.summary(lang)
    st.markdown(tr("out_up_found", sheet=md(analysis.sheet), period=analysis.period.isoformat(),
                   places=summary["places"], n=len(summary["indicators"])))
    if analysis.read.skipped:
        st.caption(tr("out_up_skipped", rows="、".join(f"{r}（{md(text)}）" for r, _, text in analysis.read.skipped)))
    cols = st.columns(4)
    for col, name in zip(cols, ("new", "changed", "unchanged", "rejected")):
        col.metric(tr(f"up_metric_{name}"), f"{summary[name]:,}")
    issues = analysis.issues()
    errors = sum(1 for i in issues if i.level == ERROR)
    st.subheader(tr("up_issues", errors=errors, warnings=len(issues) - errors))
    if issues:
        st.dataframe(pd.DataFrame({tr("up_col_message"): [i.message(lang) for i in issues]}), hide_index=True,
                     width="stretch", placeholder=DASH)
    st.dataframe(preview_frame(analysis, lang), hide_index=True, width="stretch", placeholder=DASH)
    if analysis.is_noop:
        st.info(tr("up_noop"), icon=":material/check_circle:")
    elif st.button(tr("up_commit"), type="primary", icon=":material/upload:", key="out_up_commit"):
        try:
            result = importer.commit(db, analysis, writer)
        except (IngestError, AuthError) as exc:
            st.error(md(exc.message(lang)), icon=":material/error:")
            return
        st.session_state[DONE] = tr("out_up_committed", batch=result.batch_id, new=result.new, changed=result.changed)
        st.session_state.pop(ANALYSIS, None)
        st.rerun()


def preview_frame(analysis: importer.IndicatorAnalysis, lang: str) -> pd.DataFrame:
    """The preview rows (importer.IndicatorAnalysis.preview_rows) under the page's column names."""
    names = {"row": "out_up_col_row", "town": "out_c_town", "village": "out_c_village", "indicator": "out_c_indicator",
             "before": "out_up_col_before", "after": "out_up_col_after", "target": "out_c_target",
             "action": "out_up_col_action"}
    return pd.DataFrame(analysis.preview_rows(lang), columns=list(names)).rename(
        columns={k: tr(v) for k, v in names.items()})
