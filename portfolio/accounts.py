"""Account management: add accounts, change role and towns, reset passwords, disable.

Admins do it on the 用户管理 page (actor = the logged-in admin); the operator at the shell does
it through `python -m portfolio user ...` (actor None: whoever can run the CLI can read the
database file anyway). Every change is one transaction with its audit row.
"""
from __future__ import annotations

from typing import Iterable

from portfolio import audit, sql
from portfolio.auth import (MIN_PASSWORD, PLACE_SEP, ROLES, AuthError, User, _NAME, _fetch, _hasher, _now,
                            _row_user, require_admin)


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
