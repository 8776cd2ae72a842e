"""Command line: `python -m portfolio <command> ...`.

Commands open the database themselves; when the dashboard holds it, they stop with
a clear message instead of waiting (DuckDB allows one writing process per file).
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from portfolio import demo, store as store_mod
from portfolio.cli_common import Command, command, db_arg, open_store


@command("init", db_arg)
def cmd_init(args: argparse.Namespace) -> int:
    """Create the database with its schema and gazetteer, or upgrade it."""
    db = open_store(args.db)
    demo_projects = db.rows("import_demo_count")[0][0]
    projects = db.one("project_count")["n"]
    print(f"数据库已就绪 / schema ready: {db.path}（{projects} 个项目 / projects）")
    if demo_projects:
        print(f"其中 {demo_projects} 个是演示项目：从空库开始请先删除该文件再运行 init，"
              f"或在第一次导入真实数据时保留“删除演示项目”的勾选。"
              f" {demo_projects} of them are demo projects: delete the file and run init again to start empty,"
              f" or let the first real import remove them.")
    db.close()
    return 0


def _demo_args(parser: argparse.ArgumentParser) -> None:
    db_arg(parser)
    parser.add_argument("--projects", type=int, default=demo.DEFAULT_PROJECTS, help="number of projects")
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed")
    parser.add_argument("--if-missing", action="store_true", help="do nothing when the database already has projects")


@command("demo", _demo_args)
def cmd_demo(args: argparse.Namespace) -> int:
    """(Re)build the demo portfolio."""
    path = args.db or store_mod.db_path_from_env()
    if args.if_missing and Path(path).exists():
        db = store_mod.Store(path)
        if db.one("project_count")["n"] > 0:
            print(f"数据库已存在，跳过演示数据生成 / database exists, demo not rebuilt: {path}")
            return 0
    else:
        db = store_mod.Store(path)
    print(f"正在生成演示数据 / building the demo portfolio ({args.projects} projects) -> {path} ...", flush=True)
    started = time.perf_counter()
    n = demo.build(db, n_projects=args.projects, seed=args.seed)
    print(f"完成 / done: {n} projects in {time.perf_counter() - started:.1f} s")
    return 0


def commands() -> tuple[Command, ...]:
    """The subcommands, in the order `--help` lists them."""
    from portfolio import auth_cli, borders_cli, updates_cli
    from portfolio.ingest import cli as ingest_cli  # imported here: the import pipeline is slow to load

    return tuple(fn.command for fn in (cmd_init, cmd_demo, ingest_cli.cmd_import, updates_cli.run, cmd_export,
                                       cmd_restore, auth_cli.cmd_user, auth_cli.cmd_audit,
                                       borders_cli.run))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portfolio", description="乡村振兴项目库看板 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in commands():
        p = sub.add_parser(cmd.name, help=cmd.help)
        cmd.configure(p)
        p.set_defaults(func=cmd.run)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except store_mod.StoreBusyError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except store_mod.StoreCorruptError as exc:
        print(str(exc), file=sys.stderr)
        return 4
    except store_mod.StoreMemoryError as exc:  # the file is fine: a larger PORTFOLIO_MEMORY_LIMIT opens it
        print(str(exc), file=sys.stderr)
        return 6


def _export_args(parser: argparse.ArgumentParser) -> None:
    db_arg(parser)
    parser.add_argument("--format", choices=("pptx", "html", "xlsx", "csv", "map-html", "map-png"), required=True,
                        help="map-html: the offline map page; map-png: its picture (needs Chromium)")
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--county", help="county name, e.g. 阳山县")
    parser.add_argument("--town", help="town name, e.g. 太平镇 (with --county when the name repeats)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--no-map", action="store_true", help="leave the map picture out (it needs Chromium, ~7 s)")
    parser.add_argument("--indicators", action="store_true",
                        help="with --format xlsx: the village indicator values of the selection instead of projects")
    parser.add_argument("--unit", help="pptx/html: 汇报单位 on the cover (default: the area's name or the town's team)")
    parser.add_argument("--meeting-date", type=date.fromisoformat, help="pptx/html: 会议日期 YYYY-MM-DD (default: today)")


def selection_filters(db: store_mod.Store, county: str | None, town: str | None):
    """Filters for --county/--town; a town name found in several counties needs --county."""
    from portfolio.filters import Filters, town_key

    if not town:
        return Filters(counties=(county,) if county else ())
    counties = sorted({r[0] for r in db.rows("counties_of_town", {"town": town})})
    if county:
        counties = [c for c in counties if c == county]
    if not counties:
        raise SystemExit(f"找不到镇 {town}{'（' + county + '）' if county else ''} / town not found")
    if len(counties) > 1:
        raise SystemExit(f"{town} 在多个县都有：{'、'.join(counties)}，请用 --county 指明 / "
                         f"{town} exists in several counties; add --county")
    return Filters(counties=(counties[0],), towns=(town_key(counties[0], town),))


@command("export", _export_args)
def cmd_export(args: argparse.Namespace) -> int:
    """Export the selection: slide deck (pptx), HTML report, Excel, CSV, or the offline map (HTML or PNG)."""
    from portfolio import export, map_export, meeting, report, views
    from portfolio.outcomes.meeting import indicator_sections

    db = open_store(args.db)
    try:
        filters = selection_filters(db, args.county, args.town)
        as_of = views.data_date(db)
        pack_options = dict(unit=args.unit, meeting_date=args.meeting_date, extra=(indicator_sections,))

        def map_png(f):
            return None if args.no_map else map_export.map_png_for(db, f, args.lang)

        if args.indicators:
            if args.format != "xlsx":
                raise SystemExit("--indicators 只能与 --format xlsx 一起使用 / --indicators needs --format xlsx")
            from portfolio.outcomes import export as outcomes_export

            data = outcomes_export.to_xlsx(db, filters, args.lang,
                                           note=export.describe_filters(filters, args.lang, as_of))
        elif args.format == "map-html":  # what the map page's download gives, for the same filters
            result, title, subtitle = map_export.filters_map(db, filters, as_of, args.lang)
            data = map_export.standalone_html(result.deck, title, result.legend, subtitle, args.lang,
                                              demo=views.is_demo(db)).encode("utf-8")
        elif args.format == "map-png":
            data = map_export.map_png_for(db, filters, args.lang)
            if data is None:
                print("没有找到 Chromium，无法生成地图图片 / no Chromium found: install Debian's chromium "
                      "or set PORTFOLIO_CHROMIUM", file=sys.stderr)
                return 2
        elif args.format == "pptx":
            data = meeting.deck_bytes(db, filters, args.lang, map_png=map_png, **pack_options)
        elif args.format == "html":
            data = report.build_report(db, filters, args.lang, map_png(filters), **pack_options).encode("utf-8")
        else:
            rows = views.project_table(db, filters, as_of, limit=None)
            data = export.to_csv(rows, args.lang) if args.format == "csv" else \
                export.to_xlsx(rows, args.lang, note=export.describe_filters(filters, args.lang, as_of))
        args.out.write_bytes(data)
        print(f"{args.out} ({len(data):,} bytes)")
        return 0
    finally:
        db.close()


def _restore_args(parser: argparse.ArgumentParser) -> None:
    db_arg(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list the backups, newest first")
    group.add_argument("--backup", type=Path, help="the backup file to restore (default: the newest)")
    parser.add_argument("--user", help="the admin account doing it (required to restore)")


@command("restore", _restore_args)
def cmd_restore(args: argparse.Namespace) -> int:
    """Restore the database from a backup (taken before every import; the last 10 are kept)."""
    path = Path(args.db or store_mod.db_path_from_env())
    backups = store_mod.list_backups(path)
    if args.list:
        for b in backups:
            print(b)
        if not backups:
            print("没有备份 / no backups")
        return 0
    chosen = args.backup or (backups[0] if backups else None)
    if chosen is None or not Path(chosen).exists():
        print("没有可恢复的备份 / no backup to restore", file=sys.stderr)
        return 2
    from portfolio import auth_cli
    from portfolio.auth import AuthError

    try:
        saved = store_mod.restore(path, Path(chosen), auth_cli.acting_user(path, args.user))
    except (AuthError, store_mod.StoreCorruptError) as err:
        print(str(err), file=sys.stderr)
        return 2
    print(f"已恢复 / restored {chosen} -> {path}" + (f"（原数据已另存 / previous state saved: {saved}）" if saved else ""))
    return 0
