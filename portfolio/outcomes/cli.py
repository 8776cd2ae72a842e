"""`python -m portfolio import FILE --kind indicators` (or auto-detected): an indicator sheet from the shell.

The same analysis, scope, audit and batch as the 数据导入 page (portfolio/outcomes/importer.py).
Exit 0 when the file was read (even with refused cells), 2 when it could not be, 5 when the
account may not write. `--undo BATCH` undoes a batch of either kind.
"""
from __future__ import annotations

import argparse
import json

from portfolio import auth
from portfolio.i18n import t
from portfolio.ingest import import_flow
from portfolio.ingest.import_flow import EXIT_READ, EXIT_REFUSED, fail
from portfolio.ingest.issues import IngestError
from portfolio.outcomes import importer


def run_undo(args: argparse.Namespace, db) -> int:
    """Undo a batch (indicator or project) as --user."""
    try:
        user = auth.require_writer(auth.acting_user(db, args.user))
        n = importer.undo_any(db, args.undo, user)
    except auth.AuthError as exc:
        return fail(args, exc.message(args.lang), exc.key, EXIT_REFUSED)
    except IngestError as exc:
        return fail(args, exc.message(args.lang), exc.key)
    print(json.dumps({"undone": args.undo, "rows": n}) if args.json else t("out_cli_undone", args.lang,
                                                                          batch=args.undo, n=n))
    return EXIT_READ


def run_import(args: argparse.Namespace, db, data: bytes) -> int:
    """Import an indicator sheet (dry run with --dry-run)."""
    def analyse(user):
        return importer.analyse(db, data, args.file.name, user=user, period=args.report_date,
                                sheet=args.sheet[0] if args.sheet else None, county=args.county, town=args.town)

    def describe(analysis, summary):
        yield t("out_cli_summary", args.lang, **{k: summary[k] for k in ("period", "places", "values", "new",
                                                                         "changed", "unchanged", "rejected")})

    return import_flow.run(args, db, analyse, lambda analysis, user: importer.commit(db, analysis, user), describe)
