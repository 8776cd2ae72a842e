"""Accounts, roles and scope: who may change what.

Roles (DHIS2/Superset style, scoped by place):
  viewer  reads everything;
  editor  also imports and edits projects, but only in the counties or towns of their account;
  admin   everything, including undoing any batch, restore and user management.

Every write path in `portfolio/` asks this module, so the pages, the CLI and any
other way in share the same checks; hiding a button in the UI is only a courtesy.
Passwords are argon2id hashes (argon2-cffi); a login that survives a reload is a
random token whose sha256 is kept in `login_sessions`.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portfolio import audit, sql
from portfolio.i18n import t

ROLES = ("viewer", "editor", "admin")
MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
DEFAULT_IDLE = timedelta(hours=8)
MIN_PASSWORD = 8
# A session's last_seen is rewritten at most this often (a write per rerun would be wasteful).
TOUCH_EVERY = timedelta(minutes=1)
PLACE_SEP = "/"
_NAME = re.compile(r"^[\w.\-\u4e00-\u9fff]{2,40}$")

_hasher = PasswordHasher()
# Compared against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-password")


class AuthError(Exception):
    """A refused login or write; the message is an i18n key with parameters (Chinese by default)."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    display_name: str = ""
    counties: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()  # county/town keys
    disabled: bool = False

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled

    def may_write(self, county: str | None, town: str | None) -> bool:
        """May this user change a project in county/town?"""
        if self.disabled or self.role == "viewer":
            return False
        if self.role == "admin":
            return True
        if not county:
            return False
        return county in self.counties or (bool(town) and f"{county}{PLACE_SEP}{town}" in self.towns)

    def may_write_key(self, key: str) -> bool:
        """The same for a county name or a county/town key (as audit scopes hold them)."""
        county, _, town = key.partition(PLACE_SEP)
        if not town:
            return self.is_admin or (self.role == "editor" and not self.disabled and county in self.counties)
        return self.may_write(county, town.split(PLACE_SEP)[0])

    def scope_text(self, lang: str = "zh") -> str:
        if self.role == "admin":
            return t("auth_all_places", lang)
        return "、".join([*self.counties, *self.towns]) or "—"


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _row_user(row: tuple) -> User:
    return User(name=row[0], display_name=row[1] or "", role=row[2], counties=tuple(row[3] or ()),
                towns=tuple(row[4] or ()), disabled=bool(row[5]))


def _fetch(cur: duckdb.DuckDBPyConnection, name: str) -> tuple | None:
    rows = cur.execute(sql.query("user_by_name"), {"name": name}).fetchall()
    return rows[0] if rows else None


def get_user(store, name: str) -> User | None:
    with store.cursor() as cur:
        row = _fetch(cur, name)
    return None if row is None else _row_user(row)


def acting_user(store, name: str | None) -> User:
    """The account a command-line write acts as (`--user NAME`): it must exist and be enabled.

    The shell is trusted with the database file, so no password is asked; the account's
    role and towns still decide what the command may change, and the audit log names it.
    """
    if not name:
        raise AuthError("auth_err_login_required")
    user = get_user(store, name)
    if user is None:
        raise AuthError("auth_err_no_user", name=name)
    if user.disabled:
        raise AuthError("auth_err_disabled", name=name)
    return user


# Checks every write path calls ------------------------------------------------------------

def require_writer(user: User | None) -> User:
    """The user may write somewhere: logged in, enabled, editor or admin."""
    if not isinstance(user, User):
        raise AuthError("auth_err_login_required")
    if user.disabled:
        raise AuthError("auth_err_disabled", name=user.name)
    if user.role not in ("editor", "admin"):
        raise AuthError("auth_err_viewer", name=user.name)
    return user


def require_admin(user: User | None, action_key: str, lang: str = "zh") -> User:
    require_writer(user)
    if not user.is_admin:
        raise AuthError("auth_err_admin_only", action=t(action_key, lang))
    return user


def place_refusal(user: User, county: str | None, town: str | None) -> AuthError | None:
    """Why `user` may not write a project in county/town, or None when they may."""
    if user.may_write(county, town):
        return None
    if not county:
        return AuthError("auth_err_no_place")
    place = f"{county}{PLACE_SEP}{town}" if town else county
    return AuthError("auth_err_out_of_scope", name=user.label, scope=user.scope_text(), place=place)


def require_place(user: User | None, county: str | None, town: str | None) -> User:
    require_writer(user)
    refusal = place_refusal(user, county, town)
    if refusal:
        raise refusal
    return user


def require_places(user: User | None, places: Iterable[tuple[str | None, str | None]]) -> User:
    """Every (county, town) may be written by `user` (used for undoing a whole batch)."""
    require_writer(user)
    for county, town in places:
        if not user.may_write(county, town):
            place = f"{county}{PLACE_SEP}{town}" if town else (county or "—")
            raise AuthError("auth_err_batch_scope", name=user.label, place=place)
    return user


# Login and sessions ------------------------------------------------------------------------

def login(store, name: str, password: str, now: datetime | None = None) -> User:
    """Check a password; five wrong ones in a row lock the account for 15 minutes. Audited."""
    now = now or _now()
    name = (name or "").strip()

    def work(cur: duckdb.DuckDBPyConnection):
        row = _fetch(cur, name)
        if row is None:
            _verify(_DUMMY_HASH, password)
            audit.record(cur, "login_failed", name[:40] or None, detail="unknown user", at=now)
            return AuthError("auth_err_bad_login")
        locked_until = row[8]
        if locked_until is not None and locked_until > now:
            audit.record(cur, "login_failed", name, detail="locked", at=now)
            return AuthError("auth_err_locked", max=MAX_FAILURES, until=locked_until.strftime("%H:%M"))
        if not _verify(row[6], password):
            cur.execute(sql.query("user_login_failed"),
                        {"name": name, "max_failures": MAX_FAILURES, "lock_until": now + LOCK_TIME})
            failures = int(row[7] or 0) + 1
            audit.record(cur, "login_failed", name, detail=f"wrong password ({failures})", at=now)
            if failures >= MAX_FAILURES:
                until = (now + LOCK_TIME).strftime("%H:%M")
                return AuthError("auth_err_locked", max=MAX_FAILURES, until=until)
            return AuthError("auth_err_bad_login")
        user = _row_user(row)
        if user.disabled:
            audit.record(cur, "login_failed", name, detail="disabled", at=now)
            return AuthError("auth_err_disabled", name=name)
        cur.execute(sql.query("user_login_ok"), {"name": name})
        audit.record(cur, "login", name, at=now)
        return user

    # A failed login must still leave its audit row and failure count, so the
    # refusal is returned from the transaction and raised after it commits.
    outcome = store.write(work, touches_data=False)
    if isinstance(outcome, AuthError):
        raise outcome
    return outcome


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(store, user: User, now: datetime | None = None) -> str:
    """A new login token for `user` (the browser keeps it; the database keeps its sha256)."""
    token = secrets.token_urlsafe(32)
    now = now or _now()
    store.write(lambda cur: cur.execute(sql.query("session_insert"),
                                        {"token_sha256": _token_hash(token), "user_name": user.name, "now": now}),
                touches_data=False)
    return token


def resume_session(store, token: str | None, idle: timedelta = DEFAULT_IDLE,
                   now: datetime | None = None) -> User | None:
    """The user of a login token that has not been idle longer than `idle`, else None."""
    if not token:
        return None
    now = now or _now()
    key = _token_hash(token)
    with store.cursor() as cur:
        rows = cur.execute(sql.query("session_get"), {"token_sha256": key}).fetchall()
        row = _fetch(cur, rows[0][1]) if rows else None
    if not rows:
        return None
    last_seen = rows[0][3]
    if last_seen < now - idle or row is None or row[5]:
        end_session(store, token)
        return None
    if now - last_seen >= TOUCH_EVERY:
        store.write(lambda cur: cur.execute(sql.query("session_touch"), {"token_sha256": key, "now": now}),
                    touches_data=False)
    return _row_user(row)


def end_session(store, token: str | None, user_name: str | None = None) -> None:
    if not token:
        return

    def work(cur):
        cur.execute(sql.query("session_delete"), {"token_sha256": _token_hash(token)})
        if user_name:
            audit.record(cur, "logout", user_name)

    store.write(work, touches_data=False)
