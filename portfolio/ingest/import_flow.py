"""The command line's import flow, shared by project sheets (ingest/cli.py) and village indicator
sheets (outcomes/cli.py): the acting user -> dry run -> summary -> commit -> JSON or text.

The summary is built from the dry run, before the commit (the commit adds only the batch and
whether anything was written), so `--json` and `--dry-run` print the same object.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Iterable

from portfolio import auth
from portfolio.i18n import t
from portfolio.ingest.issues import IngestError

EXIT_READ = 0  # the file was read (even with rejected rows)
EXIT_UNREADABLE = 2
EXIT_REFUSED = 5  # the account may not write (no --user, a viewer, disabled)


def fail(args: argparse.Namespace, message: str, key: str, code: int = EXIT_UNREADABLE) -> int:
    """Print the refusal (one JSON object with --json, else a line on stderr) and return its exit code."""
    if args.json:
        print(json.dumps({"error": message, "code": key}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return code


def run(args: argparse.Namespace, db, analyse: Callable[[Any], Any], commit: Callable[[Any, Any], Any],
        describe: Callable[[Any, dict[str, Any]], Iterable[str]]) -> int:
    """Import as --user (a dry run with --dry-run).

    analyse(user) returns the analysis (with .summary(lang) and .issues()); commit(analysis, user)
    writes it and returns a result with .batch_id and .noop; describe(analysis, summary) gives the
    text output's lines before the problems.
    """
    lang = args.lang
    try:
        # The account's towns apply to the dry run too; a commit needs one.
        user = auth.require_writer(auth.acting_user(db, args.user)) if args.user else None
    except auth.AuthError as exc:
        return fail(args, exc.message(lang), exc.key, EXIT_REFUSED)
    try:
        analysis = analyse(user)
    except IngestError as exc:
        return fail(args, exc.message(lang), exc.key)
    if user is None and not args.dry_run:
        return fail(args, auth.AuthError("auth_err_login_required").message(lang), "auth_err_login_required",
                    EXIT_REFUSED)
    summary = analysis.summary(lang)
    result = None
    if not args.dry_run:
        try:
            result = commit(analysis, user)
        except IngestError as exc:
            return fail(args, exc.message(lang), exc.key)
    summary["batch_id"] = result.batch_id if result is not None else None
    summary["committed"] = bool(result is not None and not result.noop)
    summary["dry_run"] = bool(args.dry_run)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return EXIT_READ
    for line in describe(analysis, summary):
        print(line)
    for issue in analysis.issues():
        print(("✗ " if issue.level == "error" else "! ") + issue.message(lang))
    if result is None:
        print(t("ing_cli_dry_run", lang))
    elif result.noop:
        print(t("ing_cli_noop", lang))
    else:
        print(t("ing_cli_committed", lang, batch=result.batch_id))
    return EXIT_READ
