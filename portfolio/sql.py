"""Named SQL: loads queries/*.sql and hands out statements by name.

Each query sits under a `-- name: query_name` header followed by a one-line
description comment. Values are always bound as `$parameters`; nothing here
formats values into SQL.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_NAME = re.compile(r"^--\s*name:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", re.MULTILINE)


def parse(text: str) -> dict[str, str]:
    """Split a .sql file's text into {name: statement} in file order."""
    parts = _NAME.split(text)
    queries: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        if name in queries:
            raise ValueError(f"query {name!r} defined twice")
        queries[name] = body.strip()
    return queries


@lru_cache(maxsize=None)
def file_queries(file_stem: str) -> dict[str, str]:
    """All queries of queries/<file_stem>.sql, in file order."""
    return parse((QUERY_DIR / f"{file_stem}.sql").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def all_queries() -> dict[str, str]:
    """Every named query of every file; names are unique across files."""
    merged: dict[str, str] = {}
    for path in sorted(QUERY_DIR.glob("*.sql")):
        for name, body in file_queries(path.stem).items():
            if name in merged:
                raise ValueError(f"query {name!r} defined in two files")
            merged[name] = body
    return merged


def query(name: str) -> str:
    """The SQL text of a named query."""
    try:
        return all_queries()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}") from None
