"""`python -m portfolio update PROJECT_ID ... --user NAME`: a progress update from a script.

The same library call as the 更新进展 form (portfolio.updates.save_update): the same checks,
scope, audit row and undoable batch. Exit 0 when saved; a Chinese message on standard error
and exit 2 when refused (3 when the dashboard holds the database, as every command).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from portfolio import auth, store as store_mod, updates, vocab
from portfolio.auth import AuthError
from portfolio.cli_common import EXIT_OK, command, refuse
from portfolio.field import FieldError



def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project_id", help="项目编号")
    parser.add_argument("--progress", type=float, default=None, help="进度 %% (0-100)")
    parser.add_argument("--status", default=None, choices=vocab.STATUS_CODES)
    parser.add_argument("--spent", type=float, default=None, help="已支出（万元）")
    parser.add_argument("--in-place", type=float, default=None, dest="in_place", help="到位资金（万元）")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="报告日期 YYYY-MM-DD (default: today)")
    parser.add_argument("--note", default=None, help="进展说明")
    parser.add_argument("--caption", default=None, help="照片说明")
    parser.add_argument("--photo", type=Path, nargs="+", default=[], help="现场照片 (JPEG, PNG, HEIC)")
    parser.add_argument("--user", required=True, help="the editor or admin account making the update")
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $PORTFOLIO_DB or data/portfolio.duckdb)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")


@command("update", configure)
def run(args: argparse.Namespace) -> int:
    """Record a progress update (with photos) on one project."""
    files = []
    for path in args.photo:
        if not path.is_file():
            return refuse(args, f"找不到照片文件 {path}。", "photo_missing")
        files.append((path.name, path.read_bytes()))
    db = store_mod.Store(args.db or store_mod.db_path_from_env())
    try:
        user = auth.acting_user(db, args.user)
        update = updates.Update(report_date=args.date or date.today(), status=args.status,
                                progress_pct=args.progress, funds_in_place_wan=args.in_place,
                                spent_wan=args.spent, note=args.note, caption=args.caption)
        result = updates.save_update(db, args.project_id, update, user, files)
    except (AuthError, FieldError) as err:
        return refuse(args, err.message(), err.key)
    finally:
        db.close()
    warnings = [n.message() for n in result.notices]
    if args.json:
        print(json.dumps({"ok": True, "batch_id": result.batch_id, "project_id": result.project_id,
                          "report_date": result.report_date.isoformat(), "photos": result.photos,
                          "warnings": warnings}, ensure_ascii=False))
    else:
        print(f"已保存 {result.project_id} 的进展（{result.report_date}，批次 {result.batch_id}，照片 {len(result.photos)} 张）")
        for w in warnings:
            print(f"注意：{w}", file=sys.stderr)
    return EXIT_OK
