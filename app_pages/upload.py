"""数据导入: upload a town's sheet, check and preview it, correct the column mapping, import; history and undo.

The work happens in portfolio.ingest (the same pipeline as `python -m portfolio import`);
this page only draws it.
"""
from __future__ import annotations

import streamlit as st

from portfolio import formats, geo, vocab
from portfolio.ingest import columns, commit as ingest_commit, pipeline, preview, template
from portfolio.ingest.issues import ERROR, IngestError
from portfolio.ingest.read import MAX_UPLOAD_BYTES
from portfolio.outcomes import importer as outcomes_importer
from portfolio.auth import AuthError
from ui import auth as ui_auth
from ui import data
from ui.lang import current, tr
from ui.widgets import md, page_header, wan
from ui import borders_upload, outcomes_upload

ANALYSIS, ANALYSIS_KEY, MAPPING, DONE, RECHECK = ("up_analysis", "up_analysis_key", "up_mapping", "up_done",
                                                 "up_recheck")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The user's answer to 导入前删除演示项目 outlives the box: Streamlit forgets a widget's value after a run
# that does not draw it (another page, a stop), and the box would come back ticked.
REMOVE_DEMO_CHOICE = "up_remove_demo_choice"


def _keep_remove_demo_choice() -> None:
    st.session_state[REMOVE_DEMO_CHOICE] = st.session_state["up_remove_demo"]


lang = current()
db = data.store()
page_header("page_upload")
st.caption(tr("up_intro"))


@st.cache_data(show_spinner=False, max_entries=1)
def _template() -> bytes:
    return template.template_xlsx()


@st.cache_data(show_spinner=False, max_entries=4)
def _sheets(content: bytes, name: str) -> list[str]:
    return pipeline.file_sheets(content, name)


@st.cache_data(show_spinner=False, max_entries=4)
def _project_sheets(content: bytes, name: str) -> list[tuple[str, int]]:
    return pipeline.project_sheets(content, name)


def _progress_bar():
    bar = st.progress(0.0, text=tr("ing_step_read"))
    return bar, lambda step, fraction: bar.progress(preview.overall_fraction(step, fraction),
                                                    text=tr(f"ing_step_{step}"))


# Writes need an editor or admin (checked again inside portfolio/ on every write).
user = ui_auth.signed_in()
writer = user if user is not None and user.role in ("editor", "admin") else None

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/task_alt:")
admin = writer if writer is not None and writer.is_admin else None
tabs = st.tabs([tr("up_tab_import"), tr("up_tab_history")] + ([tr("tb_tab")] if admin else []))
tab_import, tab_history = tabs[:2]
if admin is not None:  # drawn before the import tab, which stops the script while nothing is uploaded
    with tabs[2]:
        borders_upload.draw(db, admin)

# The history is drawn first: the import tab stops the script early while nothing is uploaded.
with tab_history:
    batches = ingest_commit.history(db).to_pylist()
    if not batches:
        st.caption(tr("up_history_none"))
    else:
        st.dataframe(preview.history_frame(batches, lang), hide_index=True, width="stretch", placeholder="—")
        committed = [b["batch_id"] for b in batches if b["state"] == "committed"]
        if committed and writer is not None:
            chosen = st.selectbox(tr("up_undo_pick"), committed, key="up_undo_pick")
            blockers = ingest_commit.undo_blockers(db, chosen)
            if blockers:
                st.caption(tr("up_undo_blocked", later="、".join(blockers)))
            if st.button(tr("up_undo"), disabled=bool(blockers), icon=":material/undo:", key="up_undo"):
                try:
                    restored = outcomes_importer.undo_any(db, chosen, writer)  # project or indicator batch
                    st.session_state[DONE] = tr("up_undo_done", batch=chosen, n=restored)
                    st.rerun()
                except (IngestError, AuthError) as exc:
                    st.error(md(exc.message(lang)), icon=":material/error:")

with tab_import:
    if writer is None:
        st.info(tr("auth_login_to_write") + " " + tr("auth_need_writer"), icon=":material/lock:")
        st.stop()
    st.download_button(tr("up_template"), data=_template, file_name="项目库导入模板.xlsx", mime=XLSX_MIME,
                       icon=":material/download:")
    outcomes_upload.template_download(writer)
    # Streamlit draws its own English into the uploader ("Drag and drop file here", "Upload",
    # "50MB per file • XLSX…"); the CSS hides those words and writes Chinese ones in their place.
    st.html(preview.uploader_css(tr("up_drop_here"), tr("up_drop_limit"), tr("up_browse")))
    uploaded = st.file_uploader(tr("up_file"), type=["xlsx", "xlsm", "xls", "csv"], key="up_file",
                                max_upload_size=MAX_UPLOAD_BYTES // 1024 // 1024)
    if uploaded is None:
        st.session_state.pop(ANALYSIS, None)
        st.session_state.pop(MAPPING, None)
        st.stop()
    if uploaded.size > MAX_UPLOAD_BYTES:
        st.error(tr("up_too_large", size_mb=formats.megabytes(uploaded.size)), icon=":material/block:")
        st.stop()
    content = uploaded.getvalue()
    try:
        sheet_names = _sheets(content, uploaded.name)
    except IngestError as exc:
        st.error(md(exc.message(lang)), icon=":material/error:")
        st.stop()
    if outcomes_upload.is_indicator_sheet(content, uploaded.name):  # village indicators, not projects
        outcomes_upload.draw(db, content, uploaded.name, uploaded.file_id, writer)
        st.stop()

    left, middle, right = st.columns(3)
    sheet = left.selectbox(tr("up_sheet"), [None, *sheet_names], key="up_sheet",
                           format_func=lambda s: tr("up_sheet_auto") if s is None else s)
    project_sheets = _project_sheets(content, uploaded.name)
    batch_sheets: list[str] = []
    if len(project_sheets) > 1:
        batch_sheets = st.multiselect(tr("up_sheets_batch"), [name for name, _ in project_sheets], key="up_sheets",
                                      help=tr("up_sheets_batch_help"),
                                      format_func=lambda s: f"{s}（{dict(project_sheets)[s]}）")
    # No default: the report date comes from the sheet or is chosen here, never a silent today.
    report_date = middle.date_input(tr("up_report_date"), value=None, key="up_report_date",
                                    help=tr("up_report_date_help"))
    right.text_input(tr("up_uploaded_by"), value=writer.label, disabled=True, key="up_uploaded_by")
    with st.expander(tr("up_defaults")):
        c1, c2, c3, c4 = st.columns(4)
        counties = sorted({t.county for t in geo.towns()})
        county = c1.selectbox(tr("up_county"), [None, *counties], key="up_county", accept_new_options=True,
                              format_func=lambda c: tr("up_default_none") if c is None else c)
        towns = sorted({t.town for t in geo.towns() if county in (None, t.county)})
        town = c2.selectbox(tr("up_town"), [None, *towns], key="up_town", accept_new_options=True,
                            format_func=lambda t_: tr("up_default_none") if t_ is None else t_)
        category = c3.selectbox(tr("up_category"), [None, *vocab.CATEGORY_CODES], key="up_category",
                                format_func=lambda c: tr("up_default_none") if c is None else vocab.label(
                                    "category", c, lang))
        coords = c4.selectbox(tr("up_coords"), ["wgs84", "gcj02", "bd09"], key="up_coords",
                              format_func=lambda c: tr(f"up_coords_{c}"))
        header_row = st.number_input(tr("up_header_row"), min_value=0, max_value=200, value=0, step=1,
                                     key="up_header_row")
    demo_projects = db.rows("import_demo_count")[0][0]
    remove_demo = st.checkbox(tr("up_remove_demo", n=demo_projects), key="up_remove_demo",
                              value=st.session_state.get(REMOVE_DEMO_CHOICE, True),
                              on_change=_keep_remove_demo_choice) if demo_projects else True

    mapping = st.session_state.get(MAPPING, {}).get(uploaded.file_id)
    options = pipeline.ImportOptions(sheet=sheet, report_date=report_date, county=county, town=town,
                                     category=category, coord_system=coords, mapping=mapping,
                                     header_row=int(header_row) or None, remove_demo=remove_demo,
                                     sheets=tuple(batch_sheets) if len(batch_sheets) > 1 else None)
    key = (writer.name, uploaded.file_id, sheet, tuple(batch_sheets), report_date, county, town, category, coords,
           int(header_row), remove_demo,
           tuple(sorted((mapping or {}).items())))

    def run_analysis() -> None:
        bar, progress = _progress_bar()
        try:
            st.session_state[ANALYSIS] = pipeline.analyse(db, content, uploaded.name, options, progress,
                                                          user=writer)
            st.session_state[ANALYSIS_KEY] = key
        except IngestError as exc:
            st.session_state.pop(ANALYSIS, None)
            st.error(md(exc.message(lang)), icon=":material/error:")
        finally:
            bar.empty()

    if st.button(tr("up_preview"), type="primary", icon=":material/fact_check:", key="up_preview") or \
            st.session_state.pop(RECHECK, False):
        run_analysis()
    analysis: pipeline.Analysis | None = st.session_state.get(ANALYSIS)
    if analysis is None:
        st.stop()
    if st.session_state.get(ANALYSIS_KEY) != key:
        st.info(tr("up_options_changed"), icon=":material/refresh:")
        st.stop()

    # Summary ------------------------------------------------------------------------------
    table = analysis.table
    st.markdown(tr("up_found", sheet=md(analysis.sheet), rows="、".join(str(r + 1) for r in table.header_rows),
                   n=analysis.rows_read))
    named = [p for p in (table.title_county, table.title_town) if p]
    if named:
        st.caption(tr("up_title_defaults", what=md("、".join(named))))
    for line in preview.done_lines(analysis, lang):
        st.markdown("- " + md(line))
    if table.skipped:
        with st.expander(tr("up_skipped", n=len(table.skipped))):
            st.text("\n".join(preview.skipped_lines(analysis, lang)))
    for issue in analysis.file_issues:
        if issue.key == "ing_w_same_file":
            st.warning(md(issue.message(lang)), icon=":material/content_copy:")
    counts = preview.counts_line(analysis)
    cols = st.columns(4)
    for col, name in zip(cols, ("new", "changed", "unchanged", "rejected")):
        col.metric(tr(f"up_metric_{name}"), formats.count(counts[name]))
    all_counts = analysis.counts
    st.caption(tr("up_reports", date=analysis.report_date.isoformat() if analysis.report_date else "—",
                  new=all_counts["reports_new"],
                  replaced=all_counts["reports_replaced"], same=all_counts["reports_same"]))
    if analysis.total.file_total_wan is None:
        st.caption(tr("up_total_none", total=wan(analysis.imported_budget_wan(), 2)))
    elif analysis.total.matches:
        st.caption(tr("up_total_ok", file_total=wan(analysis.total.file_total_wan, 2)))

    # Column mapping -----------------------------------------------------------------------
    with st.expander(f"{tr('up_mapping')} · {tr('up_mapping_source_' + analysis.mapping.source)}",
                     expanded=analysis.mapping.source == "user"):
        st.caption(tr("up_mapping_help"))
        edited = st.data_editor(
            preview.mapping_frame(analysis, lang), hide_index=True, width="stretch", key="up_mapping_editor",
            disabled=["column", "header", "sample"],
            column_config={
                "column": st.column_config.TextColumn(tr("up_col_column"), width="small"),
                "header": tr("up_col_header"),
                "field": st.column_config.SelectboxColumn(
                    tr("up_col_field"), options=list(columns.FIELDS), required=True,
                    format_func=lambda f: preview.field_label(f, lang)),
                "sample": tr("up_col_sample"),
            }, placeholder="—")
        if st.button(tr("up_mapping_apply"), icon=":material/sync:", key="up_mapping_apply"):
            st.session_state.setdefault(MAPPING, {})[uploaded.file_id] = preview.mapping_override(edited)
            st.session_state[RECHECK] = True
            st.rerun()

    # Problems, changes, new and rejected rows ---------------------------------------------------
    issues = analysis.issues()
    errors = sum(1 for i in issues if i.level == ERROR)
    st.subheader(tr("up_issues", errors=errors, warnings=len(issues) - errors))
    if issues:
        st.dataframe(preview.issue_counts(issues, lang), hide_index=True, width="stretch", placeholder="—")
        with st.expander(tr("up_col_message")):
            st.dataframe(preview.issues_frame(issues, lang), hide_index=True, width="stretch", placeholder="—")
    else:
        st.caption(tr("up_issues_none"))
    changes = preview.changes_frame(analysis, lang)
    if len(changes):
        st.subheader(tr("up_changes"))
        st.dataframe(changes, hide_index=True, width="stretch", placeholder="—")
    new_rows = preview.new_frame(analysis, lang)
    if len(new_rows):
        st.subheader(tr("up_new_rows"))
        st.dataframe(new_rows, hide_index=True, width="stretch", placeholder="—")
    rejected = preview.rejected_frame(analysis, lang)
    if len(rejected):
        st.subheader(tr("up_rejected"))
        st.dataframe(rejected, hide_index=True, width="stretch", placeholder="—")
        st.download_button(tr("up_rejected_download"), data=lambda: analysis.rejected_xlsx(lang),
                           file_name=f"未导入的行_{uploaded.name.rsplit('.', 1)[0]}.xlsx", mime=XLSX_MIME,
                           icon=":material/download:", key="up_rejected_download")

    # Commit ---------------------------------------------------------------------------------
    if analysis.report_date is None:
        st.error(tr("up_need_report_date"), icon=":material/event:")
    elif analysis.plan.is_noop:
        st.info(tr("up_noop"), icon=":material/check_circle:")
    elif st.button(tr("up_commit"), type="primary", icon=":material/upload:", key="up_commit"):
        bar, progress = _progress_bar()
        try:
            result = pipeline.commit(db, analysis, writer, progress)
        except (IngestError, AuthError) as exc:
            bar.empty()
            st.error(md(exc.message(lang)), icon=":material/error:")
            st.stop()
        bar.empty()
        _, unplaced = preview.place_counts(analysis)
        st.session_state[DONE] = tr("up_committed", batch=result.batch_id, new=result.inserted,
                                    changed=result.updated, reports=result.reports) + (
            tr("up_committed_unplaced", n=sum(unplaced.values())) if unplaced else "")
        st.session_state.pop(ANALYSIS, None)
        st.rerun()
