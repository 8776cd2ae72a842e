"""操作记录: the append-only audit log; editors see their own rows and their towns', admins all."""
from __future__ import annotations

from datetime import datetime, time

import pandas as pd
import streamlit as st

from portfolio import audit
from ui import auth as ui_auth
from ui import data
from ui.lang import tr

st.title(tr("page_audit"))
st.caption(tr("au_intro"))
user = ui_auth.signed_in()
if user is None:
    st.info(tr("auth_need_writer"), icon=":material/lock:")
    st.stop()

cols = st.columns(3)
since = cols[0].date_input(tr("au_since"), value=None, format="YYYY-MM-DD")
action = cols[1].selectbox(tr("au_action"), [None, *audit.ACTIONS],
                           format_func=lambda a: tr("au_all") if a is None else tr(f"act_{a}"))
who = cols[2].text_input(tr("au_user")).strip() or None

rows = [e for e in audit.entries(data.store(), since=datetime.combine(since, time()) if since else None,
                                 user_name=who, action=action, limit=5000)
        if audit.visible_to(e, user)]
if not rows:
    st.info(tr("au_none"))
    st.stop()
table = pd.DataFrame({
    tr("au_col_at"): [e.at for e in rows],
    tr("au_user"): [e.user_name or "" for e in rows],
    tr("au_action"): [tr(f"act_{e.action}") for e in rows],
    tr("au_col_scope"): ["、".join(e.scope) for e in rows],
    tr("au_col_counts"): ["，".join(f"{tr('au_count_' + k)} {v}" for k, v in e.counts.items()) for e in rows],
    tr("au_col_file"): [e.file_name or "" for e in rows],
    tr("au_col_batch"): [e.batch_id or "" for e in rows],
    tr("au_col_detail"): [e.detail or "" for e in rows],
})
st.dataframe(table, hide_index=True, width="stretch",
             column_config={tr("au_col_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
             placeholder="—")
