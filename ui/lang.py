"""The UI language: chosen in the sidebar, kept in the session and the URL."""
from __future__ import annotations

import streamlit as st

from portfolio.i18n import DEFAULT_LANG, LANGS, t

LANG_KEY = "lang"


def current() -> str:
    # One session-state read in the common case: tr() calls this a hundred times per run.
    lang = st.session_state.get(LANG_KEY)
    if lang is None and LANG_KEY not in st.session_state:
        from_url = st.query_params.get(LANG_KEY, DEFAULT_LANG)
        st.session_state[LANG_KEY] = lang = from_url if from_url in LANGS else DEFAULT_LANG
    return lang or DEFAULT_LANG


def selector() -> str:
    """Language switch in the sidebar; returns the chosen language."""
    current()
    st.sidebar.segmented_control(
        t("language"), options=list(LANGS), key=LANG_KEY,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
    )
    lang = st.session_state.get(LANG_KEY) or DEFAULT_LANG
    if lang == DEFAULT_LANG:
        st.query_params.pop(LANG_KEY, None)
    else:
        st.query_params[LANG_KEY] = lang
    return lang


def tr(key: str, **values) -> str:
    """t() in the current language."""
    return t(key, current(), **values)
