"""Login in the sidebar, and the gates pages put in front of writes.

Where a login lives: the browser keeps a random token in a cookie (`pf_session`, path /,
SameSite=Strict); the database keeps its sha256 with the last time it was used
(portfolio.auth). A reload or a new tab sends the cookie with the websocket handshake
(st.context.cookies), so the login survives both until it has been idle longer than
`auth.idle_hours` (8 by default). Logging out deletes the token on both sides.

Settings, in .streamlit/secrets.toml:
    [auth]
    require_login_to_read = true   # every page asks for a login first (default false)
    idle_hours = 8
or the environment variables PORTFOLIO_REQUIRE_LOGIN_TO_READ=1 and PORTFOLIO_IDLE_HOURS.
"""
from __future__ import annotations

import json
import os
from datetime import timedelta

import streamlit as st

from portfolio import auth
from portfolio.auth import AuthError, User
from ui import data
from ui.lang import current, tr

COOKIE = "pf_session"
_USER_KEY = "auth_user"
_TOKEN_KEY = "auth_token"
_CHECKED_KEY = "auth_cookie_checked"


def _setting(name: str, default):
    env = os.environ.get(f"PORTFOLIO_{name.upper()}")
    if env is not None:
        return env.strip().lower() in ("1", "true", "yes") if isinstance(default, bool) else type(default)(env)
    try:
        section = st.secrets.get("auth") or {}
    except FileNotFoundError:  # no secrets file: the defaults
        section = {}
    return section.get(name, default)


def idle_time() -> timedelta:
    return timedelta(hours=float(_setting("idle_hours", 8.0)))


def login_required_to_read() -> bool:
    return bool(_setting("require_login_to_read", False))


def current_user() -> User | None:
    """The logged-in user of this browser session, or None (anonymous)."""
    token = st.session_state.get(_TOKEN_KEY)
    if token is None and not st.session_state.get(_CHECKED_KEY):
        st.session_state[_CHECKED_KEY] = True
        token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:
        st.session_state.pop(_USER_KEY, None)
        return None
    user = auth.resume_session(data.store(), token, idle=idle_time())
    if user is None:
        _forget(token_too=True)
        return None
    st.session_state[_TOKEN_KEY] = token
    st.session_state[_USER_KEY] = user
    return user


def _set_cookie(token: str | None) -> None:
    """Keep (or drop) the token in a browser cookie: only script in the page can set one."""
    if token:
        max_age = int(idle_time().total_seconds()) * 3  # the server decides expiry; the cookie outlives it
        value = f"{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict"
    else:
        value = f"{COOKIE}=; path=/; max-age=0; SameSite=Strict"
    st.html(f"<script>document.cookie = {json.dumps(value)};</script>", unsafe_allow_javascript=True)


def _forget(token_too: bool) -> None:
    st.session_state.pop(_USER_KEY, None)
    if token_too:
        st.session_state[_TOKEN_KEY] = ""


def _do_login() -> None:
    name = st.session_state.get("auth_name", "")
    password = st.session_state.get("auth_password", "")
    st.session_state["auth_password"] = ""  # never kept in the session longer than the check
    try:
        user = auth.login(data.store(), name, password)
    except AuthError as err:
        st.session_state["auth_error"] = err.message(current())
        return
    token = auth.start_session(data.store(), user)
    st.session_state[_TOKEN_KEY] = token
    st.session_state[_USER_KEY] = user
    st.session_state["auth_new_cookie"] = token
    st.session_state.pop("auth_error", None)


def _do_logout() -> None:
    token = st.session_state.get(_TOKEN_KEY)
    user = st.session_state.get(_USER_KEY)
    auth.end_session(data.store(), token, user.name if user else None)
    _forget(token_too=True)
    st.session_state["auth_new_cookie"] = ""


def login_box(user: User | None) -> None:
    """The sidebar's login form, or the logged-in `user` (current_user()) with a 退出 button."""
    pending = st.session_state.pop("auth_new_cookie", None)
    if pending is not None:
        with st.sidebar:
            _set_cookie(pending)
    sb = st.sidebar
    if user is not None:
        role = tr(f"auth_role_{user.role}")
        sb.caption(tr("auth_logged_in_as", name=user.label, role=role, scope=user.scope_text(current())))
        sb.button(tr("auth_logout"), on_click=_do_logout, icon=":material/logout:", key="auth_logout_button")
        return
    with sb.expander(tr("auth_login"), icon=":material/login:",
                     expanded=bool(st.session_state.get("auth_error")) or login_required_to_read()):
        with st.form("auth_form", border=False):
            st.text_input(tr("auth_user_name"), key="auth_name", autocomplete="username")
            st.text_input(tr("auth_password"), key="auth_password", type="password", autocomplete="current-password")
            st.form_submit_button(tr("auth_login"), on_click=_do_login, width="stretch")
        if st.session_state.get("auth_error"):
            st.error(st.session_state["auth_error"], icon=":material/lock:")


def gate_reading(user: User | None) -> None:
    """With auth.require_login_to_read set, stop an anonymous run here."""
    if user is None and login_required_to_read():
        st.info(tr("auth_login_to_read"), icon=":material/lock:")
        st.stop()


def require_writer_page() -> User:
    """Stop the page with a login prompt unless an editor or admin is logged in."""
    user = st.session_state.get(_USER_KEY)
    if user is None or user.role not in ("editor", "admin"):
        st.info(tr("auth_need_writer"), icon=":material/lock:")
        st.stop()
    return user


def require_admin_page() -> User:
    user = st.session_state.get(_USER_KEY)
    if user is None or not user.is_admin:
        st.info(tr("auth_need_admin"), icon=":material/lock:")
        st.stop()
    return user


def signed_in() -> User | None:
    """The user login_box() found in this run (pages call this)."""
    return st.session_state.get(_USER_KEY)
