"""`python -m portfolio borders load|list|remove`: the city's town boundaries (镇界) for the maps.

The same library calls as the 数据导入 page's 镇界 tab (portfolio.town_borders): the same checks,
admin-only writes and audit rows. Exit 0 when done, 2 when the file or the user is refused.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from portfolio import auth, town_borders
from portfolio.auth import AuthError
from portfolio.cli_common import EXIT_OK, EXIT_REFUSED, command, db_arg, open_store, refuse
from portfolio.town_borders import BorderError



def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="borders_command", required=True)
    load = sub.add_parser("load", help="load a GeoJSON file of town polygons")
    load.add_argument("file", type=Path)
    load.add_argument("--crs", required=True, choices=town_borders.CRS_CHOICES,
                      help="what the file's coordinates are in: wgs84 (GPS, 天地图), gcj02 (高德, 腾讯), bd09 (百度)")
    load.add_argument("--source", default="", help="who made the lines, printed in the legend (e.g. 清远市自然资源局 2024)")
    load.add_argument("--user", required=True, help="an admin account")
    load.add_argument("--dry-run", action="store_true", help="check and report only")
    load.add_argument("--json", action="store_true", help="print the outcome as JSON")
    db_arg(load)
    listing = sub.add_parser("list", help="towns with a boundary, per county")
    db_arg(listing)
    remove = sub.add_parser("remove", help="forget every stored boundary")
    remove.add_argument("--user", required=True, help="an admin account")
    db_arg(remove)


@command("borders", configure)
def run(args: argparse.Namespace) -> int:
    """Load, list or remove the city's town boundaries (镇界)."""
    db = open_store(args.db)
    try:
        if args.borders_command == "list":
            for row in town_borders.summary(db):
                print(f"{row['county']}\t{row['towns']} 个镇\t{row['source']}\t{row['loaded_at']:%Y-%m-%d}\t{row['loaded_by']}")
            return EXIT_OK
        user = auth.acting_user(db, args.user)
        if args.borders_command == "remove":
            n = town_borders.remove_borders(db, user)
            print(f"已删除 {n} 个镇的边界 / {n} town boundaries removed")
            return EXIT_OK
        return _load(db, args, user)
    except (AuthError, BorderError) as err:
        return refuse(args, err.message(), err.key)
    finally:
        db.close()


def _load(db, args: argparse.Namespace, user) -> int:
    if not args.file.is_file():
        raise BorderError("tb_err_json", detail=f"找不到文件 {args.file}")
    raw = args.file.read_bytes()
    checked = town_borders.read_borders(raw, args.crs)
    saved = 0
    if checked.ok and not args.dry_run:
        saved = town_borders.save_borders(db, checked, user, args.source, args.file.name,
                                          hashlib.sha256(raw).hexdigest())
    problems = [p.message() for p in checked.problems]
    if args.json:
        print(json.dumps({"ok": checked.ok, "features": checked.features, "towns": len(checked.borders),
                          "saved": saved, "problems": problems, "missing": list(checked.missing)},
                         ensure_ascii=False))
    else:
        print(f"{checked.features} 个要素，识别出 {len(checked.borders)} 个镇；已保存 {saved} 个。")
        for line in problems:
            print(line, file=sys.stderr)
        if checked.missing:
            print(f"这些县还缺 {len(checked.missing)} 个镇的边界：{'、'.join(checked.missing)}", file=sys.stderr)
    return EXIT_OK if checked.ok else EXIT_REFUSED
