"""用户管理: admins add accounts, change roles and scopes, reset passwords, disable accounts."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from portfolio import accounts, auth
from portfolio.auth import AuthError
from ui import auth as ui_auth
from ui import data, run_memo
from ui.lang import current, tr
from ui.widgets import md

st.title(tr("page_users"))
st.caption(tr("us_intro"))
admin = ui_auth.require_admin_page()
db = data.store()
lang = current()


@st.cache_data(show_spinner=False)
def _places(data_version: int, _db) -> tuple[list[str], list[str]]:
    return accounts.scope_choices(_db)


counties, towns = _places(run_memo.data_version(db), _db=db)
users = accounts.list_users(db)
st.dataframe(pd.DataFrame({
    tr("us_col_name"): [u["name"] for u in users],
    tr("us_col_display"): [u["display_name"] or "" for u in users],
    tr("us_col_role"): [tr(f"auth_role_{u['role']}") for u in users],
    tr("us_col_scope"): ["、".join([*u["counties"], *u["towns"]]) for u in users],
    tr("us_col_disabled"): [bool(u["disabled"]) for u in users],
    tr("us_col_locked"): [u["locked_until"] for u in users],
}), hide_index=True, width="stretch", placeholder="—")


def _role_label(role: str) -> str:
    return tr(f"auth_role_{role}")


left, right = st.columns(2)
with left.form("us_add_form", clear_on_submit=True):
    st.subheader(tr("us_add"))
    name = st.text_input(tr("us_col_name"))
    display = st.text_input(tr("us_display_name"))
    role = st.selectbox(tr("us_role"), auth.ROLES, format_func=_role_label)
    pick_counties = st.multiselect(tr("us_counties"), counties, placeholder=tr("au_all"))
    pick_towns = st.multiselect(tr("us_towns"), towns, placeholder=tr("au_all"))
    password = st.text_input(tr("us_password"), type="password", autocomplete="new-password")
    if st.form_submit_button(tr("us_save")):
        try:
            accounts.add_user(db, name.strip(), role, password, counties=pick_counties, towns=pick_towns,
                          display_name=display.strip(), actor=admin)
            st.success(tr("us_added", name=md(name.strip())))
        except AuthError as err:
            st.error(md(err.message(lang)))

with right:
    st.subheader(tr("us_change"))
    chosen = st.selectbox(tr("us_pick"), [u["name"] for u in users], index=None)
    if chosen:
        u = next(x for x in users if x["name"] == chosen)
        with st.form("us_change_form"):
            display = st.text_input(tr("us_display_name"), value=u["display_name"] or "")
            role = st.selectbox(tr("us_role"), auth.ROLES, index=auth.ROLES.index(u["role"]), format_func=_role_label)
            pick_counties = st.multiselect(tr("us_counties"), counties, default=[c for c in u["counties"] if c in counties])
            pick_towns = st.multiselect(tr("us_towns"), towns, default=[t for t in u["towns"] if t in towns])
            disabled = st.checkbox(tr("us_disabled"), value=bool(u["disabled"]))
            password = st.text_input(tr("us_new_password"), type="password", autocomplete="new-password")
            if st.form_submit_button(tr("us_save")):
                try:
                    accounts.change_user(db, chosen, role=role, counties=pick_counties, towns=pick_towns,
                                     display_name=display.strip(), actor=admin)
                    if password:
                        accounts.set_password(db, chosen, password, actor=admin)
                    if disabled != bool(u["disabled"]):
                        accounts.set_disabled(db, chosen, disabled, actor=admin)
                    st.success(tr("us_changed", name=md(chosen)))
                except AuthError as err:
                    st.error(md(err.message(lang)))
