"""`python -m portfolio user ...` and `python -m portfolio audit`: accounts and the audit log.

The shell is the operator's: whoever runs these commands can read and write the database
file anyway, so `user` needs no login (the first admin is made this way). Each change is
still recorded in the audit log as made by "(命令行)". Passwords come from standard input
only (`--password-stdin`), never from an argument or the environment.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from pathlib import Path

from portfolio import accounts, audit, auth, store as store_mod
from portfolio.auth import AuthError
from portfolio.cli_common import EXIT_OK, command, refuse



def _db(args: argparse.Namespace) -> store_mod.Store:
    return store_mod.Store(args.db or store_mod.db_path_from_env())


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $PORTFOLIO_DB or data/portfolio.duckdb)")


def _read_password() -> str:
    """The first line of standard input (so `echo ... |` and a here-string both work)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def acting_user(db_path: Path, name: str | None) -> auth.User:
    """auth.acting_user on the database at `db_path` (opened and closed here)."""
    db = store_mod.Store(db_path)
    try:
        return auth.acting_user(db, name)
    finally:
        db.close()


def configure_user(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="user_command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=auth.ROLES)
    add.add_argument("--town", action="append", default=[], help="county/town an editor may write, e.g. 阳山县/太平镇")
    add.add_argument("--county", action="append", default=[], help="county an editor may write, e.g. 阳山县")
    add.add_argument("--display-name", default="", help="name shown in the app, e.g. 驻太平镇工作队")
    add.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    sub.add_parser("list", help="list accounts")
    passwd = sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", required=True)
    for verb in ("disable", "enable"):
        p = sub.add_parser(verb, help=f"{verb} an account")
        p.add_argument("name")
    for p in sub.choices.values():
        _add_db(p)
        p.add_argument("--json", action="store_true", help="print JSON")


@command("user", configure_user)
def cmd_user(args: argparse.Namespace) -> int:
    """Manage accounts: user add | list | passwd | disable | enable."""
    db = _db(args)
    try:
        if args.user_command == "add":
            accounts.add_user(db, args.name, args.role, _read_password(), counties=args.county, towns=args.town,
                          display_name=args.display_name)
            return _say(args, {"ok": True, "user": args.name}, f"已新增用户 {args.name}（{args.role}）")
        if args.user_command == "passwd":
            accounts.set_password(db, args.name, _read_password())
            return _say(args, {"ok": True, "user": args.name}, f"已重设 {args.name} 的密码")
        if args.user_command in ("disable", "enable"):
            accounts.set_disabled(db, args.name, args.user_command == "disable")
            word = "停用" if args.user_command == "disable" else "启用"
            return _say(args, {"ok": True, "user": args.name}, f"已{word}用户 {args.name}")
        users = accounts.list_users(db)
        if args.json:
            print(json.dumps(users, ensure_ascii=False, default=str))
        for u in users if not args.json else ():
            scope = "、".join([*u["counties"], *u["towns"]]) or ("全部" if u["role"] == "admin" else "—")
            state = "（已停用）" if u["disabled"] else ""
            print(f"{u['name']}\t{u['role']}\t{scope}\t{u['display_name'] or ''}{state}")
        return EXIT_OK
    except AuthError as err:
        return refuse(args, err.message(), err.key)
    finally:
        db.close()


def _say(args: argparse.Namespace, payload: dict, text: str) -> int:
    print(json.dumps(payload, ensure_ascii=False) if args.json else text)
    return EXIT_OK


def configure_audit(parser: argparse.ArgumentParser) -> None:
    _add_db(parser)
    parser.add_argument("--since", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    parser.add_argument("--user", default=None, help="only this user's rows")
    parser.add_argument("--action", default=None, choices=audit.ACTIONS)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


@command("audit", configure_audit)
def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, newest first."""
    db = _db(args)
    try:
        rows = audit.entries(db, since=datetime.combine(args.since, time()) if args.since else None,
                             user_name=args.user, action=args.action, limit=args.limit)
    finally:
        db.close()
    for e in rows:
        if args.json:
            print(json.dumps({"audit_id": e.audit_id, "at": e.at.isoformat(), "user": e.user_name,
                              "action": e.action, "scope": list(e.scope), "counts": e.counts,
                              "file_name": e.file_name, "sha256": e.sha256, "batch_id": e.batch_id,
                              "detail": e.detail}, ensure_ascii=False))
        else:
            print("\t".join([e.at.isoformat(sep=" "), e.user_name or "", e.action, "、".join(e.scope),
                             json.dumps(e.counts, ensure_ascii=False) if e.counts else "", e.file_name or "",
                             e.batch_id or "", e.detail or ""]))
    return EXIT_OK
