"""`python -m portfolio import FILE --kind indicators` (or auto-detected): an indicator sheet from the shell.

The same analysis, scope, audit and batch as the 数据导入 page (portfolio/outcomes/importer.py).
Exit 0 when the file was read (even with refused cells), 2 when it could not be, 5 when the
account may not write. `--undo BATCH` undoes a batch of either kind.
"""
from __future__ import annotations

import argparse
import json
import sys

from portfolio import auth
from portfolio.i18n import t
from portfolio.ingest.issues import IngestError
from portfolio.outcomes import importer

EXIT_READ, EXIT_UNREADABLE, EXIT_REFUSED = 0, 2, 5


def _fail(args: argparse.Namespace, message: str, key: str, code: int = EXIT_UNREADABLE) -> int:
    if args.json:
        print(json.dumps({"error": message, "code": key}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return code


def run_undo(args: argparse.Namespace, db) -> int:
    """Undo a batch (indicator or project) as --user."""
    try:
        user = auth.require_writer(auth.acting_user(db, args.user))
        n = importer.undo_any(db, args.undo, user)
    except auth.AuthError as exc:
        return _fail(args, exc.message(args.lang), exc.key, EXIT_REFUSED)
    except IngestError as exc:
        return _fail(args, exc.message(args.lang), exc.key)
    print(json.dumps({"undone": args.undo, "rows": n}) if args.json else t("out_cli_undone", args.lang,
                                                                          batch=args.undo, n=n))
    return EXIT_READ


def run_import(args: argparse.Namespace, db, data: bytes) -> int:
    """Import an indicator sheet (dry run with --dry-run)."""
    lang = args.lang
    try:
        user = auth.require_writer(auth.acting_user(db, args.user)) if args.user else None
    except auth.AuthError as exc:
        return _fail(args, exc.message(lang), exc.key, EXIT_REFUSED)
    try:
        analysis = importer.analyse(db, data, args.file.name, user=user, period=args.report_date,
                                    sheet=args.sheet[0] if args.sheet else None, county=args.county, town=args.town)
    except IngestError as exc:
        return _fail(args, exc.message(lang), exc.key)
    if user is None and not args.dry_run:
        return _fail(args, auth.AuthError("auth_err_login_required").message(lang), "auth_err_login_required",
                     EXIT_REFUSED)
    summary = analysis.summary(lang)
    result = None
    if not args.dry_run:
        try:
            result = importer.commit(db, analysis, user)
        except IngestError as exc:
            return _fail(args, exc.message(lang), exc.key)
    summary["batch_id"] = result.batch_id if result else None
    summary["committed"] = bool(result and not result.noop)
    summary["dry_run"] = bool(args.dry_run)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return EXIT_READ
    print(t("out_cli_summary", lang, **{k: summary[k] for k in ("period", "places", "values", "new", "changed",
                                                                "unchanged", "rejected")}))
    for issue in analysis.issues():
        print(("✗ " if issue.level == "error" else "! ") + issue.message(lang))
    if args.dry_run:
        print(t("ing_cli_dry_run", lang))
    elif result.noop:
        print(t("ing_cli_noop", lang))
    else:
        print(t("ing_cli_committed", lang, batch=result.batch_id))
    return EXIT_READ
