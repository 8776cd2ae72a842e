"""`python -m portfolio import FILE`: the same pipeline as the 数据导入 page.

Exit 0 when the file was read (even with rejected rows), 2 when it could not be.
With --json, one JSON object on stdout (see Analysis.summary).
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from portfolio import store as store_mod, vocab
from portfolio.cli_common import command, db_arg as _db_arg, open_store
from portfolio.i18n import t
from portfolio.ingest import import_flow, pipeline
from portfolio.ingest.import_flow import fail


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="spreadsheet (.xlsx .xlsm .xls .csv)")
    _db_arg(parser)
    parser.add_argument("--sheet", action="append", default=[],
                        help="sheet name (default: the sheet with the most projects); repeat it to import several "
                             "sheets as one batch")
    parser.add_argument("--county", default=None, help="default county for rows that lack one")
    parser.add_argument("--town", default=None, help="default town for rows that lack one")
    parser.add_argument("--category", default=None, choices=vocab.CATEGORY_CODES,
                        help="default category for rows whose category cannot be read")
    parser.add_argument("--coords", default="wgs84", choices=("wgs84", "gcj02", "bd09"),
                        help="coordinate system of the sheet's coordinates")
    parser.add_argument("--report-date", type=date.fromisoformat, default=None,
                        help="YYYY-MM-DD; required when the sheet states no report date (never defaults to today)")
    parser.add_argument("--header-row", type=int, default=None, metavar="N",
                        help="Excel row number of the header when it is not found by itself")
    parser.add_argument("--map", action="append", default=[], metavar="表头=field",
                        help="map a column by its header to a field (repeatable; field 'ignore' skips it)")
    parser.add_argument("--user", default=None,
                        help="the editor or admin account importing (required unless --dry-run; its towns apply)")
    parser.add_argument("--dry-run", action="store_true", help="check and compare only; write nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the messages")
    parser.add_argument("--kind", default="auto", choices=("auto", "projects", "indicators"),
                        help="projects sheet or village indicator sheet (default: detected from the headers)")
    parser.add_argument("--undo", default=None, metavar="BATCH",
                        help="undo an imported batch (either kind) as --user instead of importing; FILE is ignored")


def _indicator_sheet(data: bytes, file_name: str) -> bool:
    """Is this a village indicator sheet (one row per village, indicator columns) rather than projects?
    (An .xlsx whose strings name no indicator is answered from its string table, without reading it.)"""
    from portfolio.outcomes import catalogue, detect

    return detect.looks_like_indicator_sheet(data, file_name, catalogue.default())


@command("import", _configure)
def cmd_import(args: argparse.Namespace) -> int:
    """Import a town's project spreadsheet (same pipeline as the 数据导入 page)."""
    lang = args.lang
    if args.undo:
        from portfolio.outcomes import cli as outcomes_cli

        return outcomes_cli.run_undo(args, open_store(args.db))
    try:
        data = args.file.read_bytes()
    except OSError:
        return fail(args, t("ing_err_file_missing", lang, path=str(args.file)), "ing_err_file_missing")
    try:
        db = open_store(args.db)
    except store_mod.StoreBusyError as exc:  # --json promises JSON in every outcome
        return fail(args, str(exc), "db_busy", 3)
    except store_mod.StoreCorruptError as exc:
        return fail(args, str(exc), "db_corrupt", 4)
    except store_mod.StoreMemoryError as exc:
        return fail(args, str(exc), "db_out_of_memory", 6)
    if args.kind == "indicators" or (args.kind == "auto" and _indicator_sheet(data, args.file.name)):
        from portfolio.outcomes import cli as outcomes_cli

        return outcomes_cli.run_import(args, db, data)
    header_map = {}
    for item in args.map:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip():
            return fail(args, t("ing_err_map_syntax", lang, item=item), "ing_err_map_syntax")
        header_map[header.strip()] = target.strip() or None
    options = pipeline.ImportOptions(sheet=args.sheet[0] if len(args.sheet) == 1 else None,
                                     sheets=tuple(args.sheet) if len(args.sheet) > 1 else None,
                                     report_date=args.report_date, county=args.county,
                                     town=args.town, category=args.category, coord_system=args.coords,
                                     header_row=args.header_row, header_map=header_map or None)

    def describe(analysis, summary):
        from portfolio.ingest import preview  # imports pandas: only for the text summary

        yield t("ing_cli_summary", lang, **{k: summary[k] for k in
                                            ("rows_read", "projects", "new", "changed", "unchanged", "rejected")})
        file_total = summary["file_total_wan"]
        yield t("ing_cli_totals", lang, total=f"{summary['total_budget_wan']:,.2f}",
                file_total=f"{file_total:,.2f}" if file_total is not None else t("ing_cli_none", lang))
        for line in preview.done_lines(analysis, lang):
            yield "· " + line

    return import_flow.run(args, db, lambda user: pipeline.analyse(db, data, args.file.name, options, user=user),
                           lambda analysis, user: pipeline.commit(db, analysis, user), describe)
