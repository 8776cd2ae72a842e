"""The append-only audit log: who did what, when, where, to how many rows.

Every write (import, undo, restore, edit, user change) and every login attempt
appends one row, in the same transaction as the write it describes, so a write
without its audit row cannot exist. Nothing in the project updates or deletes
audit rows: there is no query for it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import duckdb

from portfolio import sql

# Actions, as stored (labels for the 操作记录 page live in i18n).
ACTIONS = ("import", "undo", "restore", "edit", "update", "login", "login_failed", "logout",
           "user_add", "user_change", "user_passwd", "user_disable", "user_enable", "borders")
SCOPE_SEP = ";"


@dataclass(frozen=True)
class Entry:
    audit_id: int
    at: datetime
    user_name: str | None
    action: str
    scope: tuple[str, ...]  # county names and county/town keys the action touched
    counts: dict[str, Any]
    file_name: str | None
    sha256: str | None
    batch_id: str | None
    detail: str | None


def record(cur: duckdb.DuckDBPyConnection, action: str, user_name: str | None, *,
           scope: Iterable[str] = (), counts: dict[str, Any] | None = None, file_name: str | None = None,
           sha256: str | None = None, batch_id: str | None = None, detail: str | None = None,
           at: datetime | None = None) -> None:
    """Append one audit row on `cur` (inside the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    cur.execute(sql.query("audit_insert"), {
        "at": at or datetime.now().replace(microsecond=0),
        "user_name": user_name,
        "action": action,
        "scope": SCOPE_SEP.join(sorted(set(s for s in scope if s))),
        "counts_json": json.dumps(counts or {}, ensure_ascii=False, sort_keys=True),
        "file_name": file_name,
        "sha256": sha256,
        "batch_id": batch_id,
        "detail": detail,
    })


def entries(store, *, since: datetime | None = None, user_name: str | None = None,
            action: str | None = None, limit: int = 1000) -> list[Entry]:
    """Audit rows, newest first."""
    with store.cursor() as cur:
        rows = cur.execute(sql.query("audit_entries"), {
            "since": since, "user_name": user_name, "action": action, "limit": limit}).fetchall()
    return [Entry(audit_id=r[0], at=r[1], user_name=r[2], action=r[3],
                  scope=tuple(s for s in (r[4] or "").split(SCOPE_SEP) if s),
                  counts=json.loads(r[5] or "{}"), file_name=r[6], sha256=r[7], batch_id=r[8], detail=r[9])
            for r in rows]


def visible_to(entry: Entry, user) -> bool:
    """Admins see every row; an editor sees their own rows and rows touching their towns or counties."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    if entry.user_name == user.name:
        return True
    if user.role != "editor":
        return False
    return any(user.may_write_key(key) for key in entry.scope)
