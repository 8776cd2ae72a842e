"""What every `python -m portfolio` command shares: the --db argument, opening the store, and the
`command` decorator that names a command and its arguments.

The decorator only labels a function (it registers nothing): portfolio/cli.py lists the commands
it offers, so the modules that define commands import this one, never cli.py.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from portfolio import store as store_mod

EXIT_OK, EXIT_REFUSED = 0, 2  # the import command keeps its own codes (ingest/import_flow.py)


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, the function that adds its arguments, and what it runs."""
    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    @property
    def help(self) -> str:
        return (self.run.__doc__ or "").strip().splitlines()[0]


def command(name: str, configure: Callable[[argparse.ArgumentParser], None]):
    """Label `fn` as the subcommand `name`; `configure(parser)` adds its arguments."""
    def wrap(fn):
        fn.command = Command(name, configure, fn)
        return fn
    return wrap


def db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: $PORTFOLIO_DB or data/portfolio.duckdb)")


def open_store(path: Path | None) -> store_mod.Store:
    return store_mod.Store(path or store_mod.db_path_from_env())


def refuse(args: argparse.Namespace, message: str, code: str) -> int:
    """Say why a command was refused (JSON on stdout with --json, else the message on stderr)."""
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": message, "code": code}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return EXIT_REFUSED
