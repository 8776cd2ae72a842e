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


# A named query reads the filtered projects through this call; bind() replaces it by the base
# macro narrowed with only the clauses of the filters set, so an empty filter costs nothing.
_FILTER_CALL = re.compile(
    r"\bflagged_projects\(\s*\$counties,\s*\$towns,\s*\$villages,\s*\$categories,\s*\$statuses,"
    r"\s*\$years,\s*\$sources,\s*\$keyword,\s*\$as_of,\s*flags\s*:=\s*\$flags\s*\)")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def compose(text: str, params: dict) -> str:
    """`text` with each filter-macro call replaced by its base macro and the WHERE of the filters
    set in `params` (fixed clauses from filters.where_clauses, values bound)."""
    from portfolio.filters import where_clauses  # filters imports nothing from here

    clauses = where_clauses(params)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return _FILTER_CALL.sub(lambda m: f"(SELECT * FROM project_flags($as_of){where})", text)


def bind(name: str, params: dict | None = None) -> tuple[str, dict]:
    """The SQL of a named query for these parameters, and the parameters it reads (DuckDB
    refuses a named parameter the statement does not use)."""
    text = query(name)
    params = params or {}
    if "$flags" in text and "flags" in params:
        text = compose(text, params)
        used = set(_PARAM.findall(text))
        params = {k: v for k, v in params.items() if k in used}
    return text, params


def query(name: str) -> str:
    """The SQL text of a named query."""
    try:
        return all_queries()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r} in {QUERY_DIR}") from None


def execute_with_table(cur, name: str, table, query_name: str) -> None:
    """Run the named query with an Arrow table visible as `name` (for INSERT ... SELECT FROM name)."""
    import duckdb  # the store's engine; kept out of this module's import for the pure-text helpers above

    cur.register(name, table)
    try:
        cur.execute(query(query_name))
    finally:
        try:
            cur.unregister(name)
        except duckdb.Error:
            pass  # an aborted transaction refuses even this; the original error matters
