"""A project's field work on its detail: the photo gallery, 更新进展 and 编辑项目 (issue 12).

Phone first: one column, full-width inputs and buttons (Streamlit's are 40+ px high; the CSS
below lifts them to 48 px), photos from the camera or the gallery through the file input.
Every write goes through portfolio.updates / portfolio.edits, which check role and town again.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from portfolio import accounts, auth, edits, formats, photos, updates, vocab
from portfolio.auth import AuthError, User
from portfolio.field import FieldError, place_key
from portfolio.ingest.issues import IngestError
from portfolio.ingest.preview import uploader_css
from ui import data
from ui.auth import signed_in
from ui.lang import current, tr
from ui.widgets import md

PHOTO_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]
GALLERY_PX = 300  # fits a 390 px phone; the fullscreen button shows the 1280 px copy
_FLASH = "fu_flash"

# Large touch targets on the form (44 px is the usual minimum; 48 px leaves a margin for thumbs).
_TOUCH_CSS = """
<style>
.st-key-fu_panel button, .st-key-fu_panel input, .st-key-fu_panel [data-baseweb="select"] > div { min-height: 48px; }
.st-key-fu_panel [data-testid="stFileUploaderDropzone"] { min-height: 96px; }
/* Streamlit's own "200MB per file" line is English and not our limit; the label states ours. */
.st-key-fu_panel [data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
</style>
"""


def _store():
    return data.store()


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault(_FLASH, []).append((kind, text))


def _show_flash() -> None:
    for kind, text in st.session_state.pop(_FLASH, []):
        getattr(st, kind)(text)


def _form_round(name: str) -> int:
    """A counter in the form's key: bumped after a save so the widgets start empty."""
    return st.session_state.setdefault(f"fu_round_{name}", 0)


def _next_round(name: str) -> None:
    st.session_state[f"fu_round_{name}"] = _form_round(name) + 1


def project_panel(detail: dict) -> None:
    """The gallery, and for an editor of the project's town (or an admin) the two forms."""
    with st.container(key="fu_panel"):
        st.html(_TOUCH_CSS)
        _show_flash()
        user = signed_in()
        gallery(detail, user)
        if user is None or user.role not in ("editor", "admin") or user.disabled:
            st.caption(tr("fu_login_to_update"))
            return
        if auth.place_refusal(user, detail.get("county"), detail.get("town")) is not None:
            st.caption(tr("fu_out_of_scope", place=md(place_key(detail.get("county"), detail.get("town")))))
            return
        update_form(detail, user)
        edit_form(detail, user)


# Gallery ---------------------------------------------------------------------------------------

def gallery(detail: dict, user: User | None) -> None:
    """The project's photos by report date, earliest first: before and after side by side."""
    st.markdown(f"**{tr('fu_gallery')}**")
    rows = photos.for_project(_store(), detail["project_id"])
    if not rows:
        st.caption(tr("fu_no_photos"))
        return
    may_place = (user is not None and detail.get("location_precision") != "exact"
                 and auth.place_refusal(user, detail.get("county"), detail.get("town")) is None
                 and user.role in ("editor", "admin"))
    by_date: dict[date, list[dict]] = {}
    for row in rows:
        by_date.setdefault(row["report_date"], []).append(row)
    for report_date, group in by_date.items():
        st.caption(report_date.isoformat() if report_date else "—")
        columns = st.columns(3)
        for i, row in enumerate(group):
            with columns[i % 3]:
                _photo(detail, row, may_place)


def _photo(detail: dict, row: dict, may_place: bool) -> None:
    if row["path_1280"] is not None:
        st.image(str(row["path_1280"]), width=GALLERY_PX)
    else:
        st.image(photos.placeholder_png(), width=GALLERY_PX)
        st.caption(tr("fu_photo_missing"))
    when = row["taken_at"].strftime("%Y-%m-%d %H:%M") if row["taken_at"] else row["report_date"].isoformat()
    parts = [md(tr("fu_photo_meta", date=when, who=row["uploaded_by"]))]
    if row["caption"]:
        parts.append(md(row["caption"]))
    st.caption(" · ".join(parts))
    if row["outside_county"]:
        st.markdown(f":orange-badge[:material/wrong_location: {tr('fu_photo_outside')}]")
    if may_place and row["lon"] is not None and row["outside_county"] is False:
        key = f"fu_place_{row['sha256'][:12]}"
        if st.session_state.get("fu_place_pending") == row["sha256"]:
            if st.button(tr("fu_confirm_location", lon=row["lon"], lat=row["lat"]), key=key + "_ok",
                         type="primary", width="stretch", icon=":material/check:"):
                _save_location(detail, row["sha256"])
        elif st.button(tr("fu_use_photo_location"), key=key, width="stretch", icon=":material/my_location:"):
            st.session_state["fu_place_pending"] = row["sha256"]
            st.rerun()


def _save_location(detail: dict, sha256: str) -> None:
    st.session_state.pop("fu_place_pending", None)
    try:
        batch = edits.use_photo_location(_store(), detail["project_id"], sha256, signed_in())
    except (FieldError, AuthError) as err:
        st.error(err.message(current()))
        return
    _flash("success", tr("fu_location_set", batch=batch))
    st.rerun()


# 更新进展 ---------------------------------------------------------------------------------------

def update_form(detail: dict, user: User) -> None:
    lang = current()
    st.subheader(tr("fu_update"))
    st.caption(tr("fu_update_help"))
    camera = st.toggle(tr("fu_camera"), key="fu_camera_on")
    with st.form(f"fu_update_form_{_form_round('update')}", border=True):
        report_date = st.date_input(tr("fu_f_report_date"), value=date.today(), format="YYYY-MM-DD")
        statuses = list(vocab.STATUS_CODES)
        status = st.selectbox(tr("fu_f_status"), statuses, index=statuses.index(detail["status"])
                              if detail.get("status") in statuses else 0,
                              format_func=lambda code: vocab.label("status", code, lang))
        progress = st.number_input(tr("fu_f_progress_pct"), min_value=0.0, max_value=100.0, step=5.0,
                                   value=_num(detail.get("progress_pct")), format="%.0f")
        in_place = st.number_input(tr("fu_f_funds_in_place_wan"), min_value=0.0, step=1.0,
                                   value=_num(detail.get("funds_in_place_wan")), format="%.2f")
        spent = st.number_input(tr("fu_f_spent_wan"), min_value=0.0, step=1.0, value=_num(detail.get("spent_wan")),
                                format="%.2f")
        note = st.text_area(tr("fu_f_note"), max_chars=updates.NOTE_MAX, height=90)
        # Streamlit's uploader speaks English whatever the locale; the same CSS as on 数据导入 replaces it.
        st.html(uploader_css(tr("fu_drop_here"), tr("fu_drop_limit"), tr("up_browse")))
        files = st.file_uploader(tr("fu_photos_input"), type=PHOTO_TYPES, accept_multiple_files=True)
        shot = st.camera_input(tr("fu_camera")) if camera else None
        caption = st.text_input(tr("fu_caption"), max_chars=200)
        submitted = st.form_submit_button(tr("fu_save"), type="primary", width="stretch", icon=":material/save:")
    if not submitted:
        return
    uploads = [(f.name, f.getvalue()) for f in (files or [])]
    if shot is not None:
        uploads.append((shot.name or "camera.jpg", shot.getvalue()))
    update = updates.Update(report_date=report_date, status=status, progress_pct=progress,
                            funds_in_place_wan=in_place, spent_wan=spent, note=note, caption=caption)
    try:
        with st.spinner(tr("fu_saving")):  # about 0.5 s per phone photo (copies are made at save)
            result = updates.save_update(_store(), detail["project_id"], update, user, uploads)
    except (FieldError, AuthError) as err:
        st.error(err.message(lang), icon=":material/error:")
        return
    _flash("success", tr("fu_saved", batch=result.batch_id))
    for notice in result.notices:
        _flash("warning", notice.message(lang))
    _next_round("update")
    st.rerun()


def _num(value) -> float | None:
    return None if value is None or value != value else float(value)


# 编辑项目 ---------------------------------------------------------------------------------------

def _town_options(user: User, detail: dict) -> list[str]:
    _, towns = accounts.scope_choices(_store())
    current_key = place_key(detail.get("county"), detail.get("town"))
    allowed = [k for k in towns if user.may_write(*k.split("/", 1))]
    return sorted(set(allowed) | {current_key})


def edit_form(detail: dict, user: User) -> None:
    lang = current()
    pending_key = f"fu_edit_pending_{detail['project_id']}"
    # A key keeps the expander open across the reruns of preview and save (messages above come and go).
    with st.expander(tr("fu_edit"), icon=":material/edit:", key="fu_edit_expander",
                     expanded=bool(st.session_state.get(pending_key))):
        with st.form(f"fu_edit_form_{_form_round('edit')}", border=False):
            name = st.text_input(tr("fu_f_name"), value=detail.get("name") or "")
            categories = list(vocab.CATEGORY_CODES)
            category = st.selectbox(tr("fu_f_category"), categories,
                                    index=categories.index(detail["category"]) if detail.get("category") in categories else 0,
                                    format_func=lambda c: vocab.label("category", c, lang))
            towns = _town_options(user, detail)
            here = place_key(detail.get("county"), detail.get("town"))
            town_key = st.selectbox(tr("fu_f_town"), towns, index=towns.index(here) if here in towns else 0)
            village = st.text_input(tr("fu_f_village"), value=detail.get("village") or "")
            lon = st.number_input(tr("fu_f_lon") + " (WGS-84)", value=_num(detail.get("lon")), format="%.6f",
                                  min_value=73.0, max_value=136.0)
            lat = st.number_input(tr("fu_f_lat") + " (WGS-84)", value=_num(detail.get("lat")), format="%.6f",
                                  min_value=3.0, max_value=54.0)
            budget = st.number_input(tr("fu_f_budget_wan"), value=_num(detail.get("budget_wan")), min_value=0.0,
                                     format="%.2f")
            plan_start = st.date_input(tr("fu_f_plan_start"), value=detail.get("plan_start"), format="YYYY-MM-DD")
            plan_end = st.date_input(tr("fu_f_plan_end"), value=detail.get("plan_end"), format="YYYY-MM-DD")
            actual_start = st.date_input(tr("fu_f_actual_start"), value=detail.get("actual_start"), format="YYYY-MM-DD")
            actual_end = st.date_input(tr("fu_f_actual_end"), value=detail.get("actual_end"), format="YYYY-MM-DD")
            scale_qty = st.number_input(tr("fu_f_scale_qty"), value=_num(detail.get("scale_qty")), min_value=0.0)
            scale_unit = st.text_input(tr("fu_f_scale_unit"), value=detail.get("scale_unit") or "")
            assisting = st.text_input(tr("fu_f_assisting_unit"), value=detail.get("assisting_unit") or "")
            responsible = st.text_input(tr("fu_f_responsible_unit"), value=detail.get("responsible_unit") or "")
            preview = st.form_submit_button(tr("fu_edit_preview"), width="stretch", icon=":material/difference:")
        county, town = town_key.split("/", 1)
        changes = {"name": name, "category": category, "county": county, "town": town, "village": village,
                   "lon": lon, "lat": lat, "budget_wan": budget, "plan_start": plan_start, "plan_end": plan_end,
                   "actual_start": actual_start, "actual_end": actual_end, "scale_qty": scale_qty,
                   "scale_unit": scale_unit, "assisting_unit": assisting, "responsible_unit": responsible}
        if preview:
            try:
                diff = edits.diff(_store(), detail["project_id"], changes, user)
            except (FieldError, AuthError) as err:
                st.error(err.message(lang), icon=":material/error:")
                st.session_state.pop(pending_key, None)
                return
            if not diff:
                st.info(tr("fu_err_no_change"))
                st.session_state.pop(pending_key, None)
                return
            st.session_state[pending_key] = (changes, diff)
        pending = st.session_state.get(pending_key)
        if not pending:
            return
        changes, diff = pending
        st.dataframe({tr("fu_diff_field"): [tr(f"fu_f_{c.field}") for c in diff],
                      tr("fu_diff_old"): [_shown(c.field, c.old, lang) for c in diff],
                      tr("fu_diff_new"): [_shown(c.field, c.new, lang) for c in diff]},
                     hide_index=True, width="stretch", placeholder="—")
        if st.button(tr("fu_edit_save"), type="primary", width="stretch", icon=":material/save:", key="fu_edit_save"):
            try:
                batch = edits.save_edit(_store(), detail["project_id"], changes, user, expected=diff)
            except (FieldError, AuthError, IngestError) as err:
                st.error(err.message(lang), icon=":material/error:")
                st.session_state.pop(pending_key, None)
                return
            st.session_state.pop(pending_key, None)
            _flash("success", tr("fu_edit_saved", batch=batch))
            _next_round("edit")
            st.rerun()


def _shown(field: str, value, lang: str) -> str:
    if value is None or value != value:
        return "—"
    if field == "category":
        return vocab.label("category", value, lang)
    if field == "location_precision":
        return tr(f"prec_{value}")
    return str(value)


# Phone: the project list as cards --------------------------------------------------------------

CARDS_SHOWN = 20
# Below 640 px (phones) the cards replace the wide table; above it the table stays and the cards hide.
_CARDS_CSS = """
<style>
@media (min-width: 640px) { .st-key-fu_cards { display: none; } }
@media (max-width: 639.98px) {
  .st-key-projects_table { display: none; }
}
.st-key-fu_cards button { min-height: 48px; }
</style>
"""


def project_cards(table, lang: str) -> None:
    """A card per project (name, town with county, status, progress bar, late/stalled badges) with a search
    box and an 打开 button: two taps to a project on a phone. Shown only at phone width (CSS)."""
    st.html(_CARDS_CSS)
    opened = bool(st.query_params.get("project"))
    with st.container(key="fu_cards"):
        holder = st.expander(tr("fu_cards"), expanded=not opened, icon=":material/list:")
        with holder:
            query = st.text_input(tr("fu_search"), key="fu_card_search", icon=":material/search:").strip()
            shown = table
            if query:
                text = (table["name"].fillna("") + " " + table["village"].fillna("") + " " +
                        table["project_id"].fillna("")).str.lower()
                shown = table[text.str.contains(query.lower(), regex=False)]
            if shown.empty:
                st.caption(tr("fu_cards_none"))
                return
            if len(shown) > CARDS_SHOWN:
                st.caption(tr("fu_cards_more", shown=CARDS_SHOWN, n=formats.count(len(shown))))
            # Only the columns a card shows: itertuples over every column of the table costs ~1 ms a column.
            cards = shown.head(CARDS_SHOWN)
            for row in cards[[c for c in _CARD_COLUMNS if c in cards.columns]].itertuples(index=False):
                _card(row, lang)


_CARD_COLUMNS = ("project_id", "name", "status", "is_late", "is_stalled", "town", "county", "progress_pct")


def _card(row, lang: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(row.name)}**")
        badges = [f":gray-badge[{vocab.label('status', row.status, lang)}]"]
        if getattr(row, "is_late", False):
            badges.append(f":red-badge[{tr('flag_late')}]")
        if getattr(row, "is_stalled", False):
            badges.append(f":orange-badge[{tr('flag_stalled')}]")
        town = tr("fu_card_town", town=md(row.town or "—"), county=md(row.county or "—"))
        st.markdown(f"{town} " + " ".join(badges))
        progress = row.progress_pct if row.progress_pct == row.progress_pct and row.progress_pct is not None else 0.0
        st.progress(min(max(float(progress), 0.0), 100.0) / 100, text=formats.progress(progress))
        st.button(tr("fu_open"), key=f"fu_open_{row.project_id}", width="stretch", icon=":material/open_in_new:",
                  on_click=_open_project, args=(row.project_id,))


def _open_project(project_id: str) -> None:
    st.query_params["project"] = project_id
