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


def list_users(store) -> list[dict]:
    """Every account as a dict (no password hashes), by name."""
    with store.cursor() as cur:
        result = cur.execute(sql.query("user_list"))
        rows = result.fetchall()
        names = [d[0] for d in result.description]
    return [dict(zip(names, r)) for r in rows]


def scope_choices(store) -> tuple[list[str], list[str]]:
    """(counties, county/town keys) an account's scope may name: the gazetteer plus places with projects."""
    with store.cursor() as cur:
        rows = cur.execute(sql.query("auth_gazetteer_towns")).fetchall()
    towns = sorted(f"{c}{PLACE_SEP}{tw}" for c, tw in rows)
    return sorted({key.split(PLACE_SEP)[0] for key in towns}), towns


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


# Account management (admins in the app; the operator at the shell through the CLI) --------

def _check_fields(cur, name: str, role: str, counties: Iterable[str], towns: Iterable[str]) -> None:
    if not _NAME.match(name or ""):
        raise AuthError("auth_err_bad_name", name=name)
    if role not in ROLES:
        raise AuthError("auth_err_bad_role", role=role)
    known_towns = {f"{c}{PLACE_SEP}{tw}" for c, tw in cur.execute(sql.query("auth_gazetteer_towns")).fetchall()}
    known_counties = {k.split(PLACE_SEP)[0] for k in known_towns}
    for town in towns:
        if town not in known_towns:
            raise AuthError("auth_err_unknown_town", town=town)
    for county in counties:
        if county not in known_counties:
            raise AuthError("auth_err_unknown_county", county=county)
    if role == "editor" and not (list(counties) or list(towns)):
        raise AuthError("auth_err_editor_scope")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AuthError("auth_err_short_password", min=MIN_PASSWORD)


def _actor_name(actor: User | None) -> str:
    """Who did it: the logged-in admin, or the operator at the shell (CLI, file access)."""
    if actor is None:
        return "(命令行)"
    require_admin(actor, "auth_action_users")
    return actor.name


def add_user(store, name: str, role: str, password: str, *, counties: Iterable[str] = (),
             towns: Iterable[str] = (), display_name: str = "", actor: User | None = None) -> User:
    counties, towns = tuple(counties), tuple(towns)
    _check_password(password)
    by = _actor_name(actor)
    password_hash = _hasher.hash(password)

    def work(cur):
        _check_fields(cur, name, role, counties, towns)
        if _fetch(cur, name) is not None:
            raise AuthError("auth_err_user_exists", name=name)
        now = _now()
        cur.execute(sql.query("user_insert"), {"name": name, "display_name": display_name or None, "role": role,
                                               "counties": list(counties), "towns": list(towns),
                                               "password_hash": password_hash, "now": now})
        audit.record(cur, "user_add", by, scope=[*counties, *towns], detail=f"{name} ({role})", at=now)

    store.write(work, touches_data=False)
    return User(name=name, role=role, display_name=display_name, counties=counties, towns=towns)


def change_user(store, name: str, *, role: str | None = None, counties: Iterable[str] | None = None,
                towns: Iterable[str] | None = None, display_name: str | None = None,
                actor: User | None = None) -> User:
    """Change role, scope or display name; the last enabled admin cannot be demoted."""
    by = _actor_name(actor)

    def work(cur):
        row = _fetch(cur, name)
        if row is None:
            raise AuthError("auth_err_no_user", name=name)
        old = _row_user(row)
        new = User(name=name, role=role or old.role,
                   display_name=old.display_name if display_name is None else display_name,
                   counties=old.counties if counties is None else tuple(counties),
                   towns=old.towns if towns is None else tuple(towns), disabled=old.disabled)
        _check_fields(cur, name, new.role, new.counties, new.towns)
        if old.role == "admin" and new.role != "admin" and not old.disabled and _admins(cur) <= 1:
            raise AuthError("auth_err_last_admin")
        cur.execute(sql.query("user_update"), {"name": name, "display_name": new.display_name or None,
                                               "role": new.role, "counties": list(new.counties),
                                               "towns": list(new.towns), "now": _now()})
        audit.record(cur, "user_change", by, scope=[*new.counties, *new.towns],
                     detail=f"{name}: {old.role}->{new.role}")
        return new

    return store.write(work, touches_data=False)


def _admins(cur) -> int:
    return cur.execute(sql.query("user_count_admins")).fetchall()[0][0]


def set_password(store, name: str, password: str, actor: User | None = None) -> None:
    """A new password; ends the account's logins and clears its lock."""
    _check_password(password)
    by = _actor_name(actor)
    password_hash = _hasher.hash(password)

    def work(cur):
        if _fetch(cur, name) is None:
            raise AuthError("auth_err_no_user", name=name)
        cur.execute(sql.query("user_set_password"), {"name": name, "password_hash": password_hash, "now": _now()})
        cur.execute(sql.query("session_delete_user"), {"user_name": name})
        audit.record(cur, "user_passwd", by, detail=name)

    store.write(work, touches_data=False)


def set_disabled(store, name: str, disabled: bool = True, actor: User | None = None) -> None:
    """Disable (or enable again) an account; disabling ends its logins."""
    by = _actor_name(actor)

    def work(cur):
        row = _fetch(cur, name)
        if row is None:
            raise AuthError("auth_err_no_user", name=name)
        if disabled and row[2] == "admin" and not row[5] and _admins(cur) <= 1:
            raise AuthError("auth_err_last_admin")
        cur.execute(sql.query("user_set_disabled"), {"name": name, "disabled": disabled, "now": _now()})
        if disabled:
            cur.execute(sql.query("session_delete_user"), {"user_name": name})
        audit.record(cur, "user_disable" if disabled else "user_enable", by, detail=name)

    store.write(work, touches_data=False)
