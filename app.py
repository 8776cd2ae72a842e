"""乡村振兴项目库看板: router and shared chrome (page config, language, sidebar filters)."""
from __future__ import annotations

import streamlit as st

from portfolio.i18n import t
from ui import auth as ui_auth
from ui import lang as ui_lang
from ui.sidebar import sidebar_filters
from ui.widgets import favicon

st.set_page_config(page_title=t("app_title"), page_icon=favicon(), layout="wide")

lang = ui_lang.current()
pages = [
    st.Page("app_pages/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", default=True),
    st.Page("app_pages/projects.py", title=t("page_projects", lang), icon=":material/table_view:"),
    st.Page("app_pages/map.py", title=t("page_map", lang), icon=":material/map:"),
    st.Page("app_pages/towns.py", title=t("page_towns", lang), icon=":material/location_city:"),
    st.Page("app_pages/upload.py", title=t("page_upload", lang), icon=":material/upload_file:"),
    st.Page("app_pages/audit_log.py", title=t("page_audit", lang), icon=":material/history:", url_path="audit"),
]
user = ui_auth.current_user()
if user is not None and user.is_admin:
    pages.append(st.Page("app_pages/users.py", title=t("page_users", lang), icon=":material/manage_accounts:"))
page = st.navigation(pages)
if lang == "zh":
    # Streamlit's keyboard "skip to content" link exists only in English: say it in Chinese.
    st.html("<style>[data-testid='stSkipToContent']{font-size:0}"
            "[data-testid='stSkipToContent']::after{content:'跳到主要内容';font-size:1rem}</style>")
st.sidebar.markdown(f"**{t('app_title', lang)}**")
ui_lang.selector()
ui_auth.login_box(user)
ui_auth.gate_reading(user)
sidebar_filters()
page.run()
