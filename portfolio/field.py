"""What field updates, field edits and site photos share: the refusal type and the batch they write.

A change made on a project page (or by `python -m portfolio update`) is a batch like an
import: an import_batches row whose `kind` says where it came from, the project's
before-image in project_versions, and an audit row, all in the caller's transaction.
The import's undo (portfolio.ingest.commit.undo) then restores it exactly.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import duckdb

from portfolio import sql
from portfolio.i18n import t

KIND_UPDATE = "field_update"
KIND_EDIT = "field_edit"


class FieldError(Exception):
    """A refused update, edit or photo; the message names the field (Chinese by default)."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        params = {k: (t(v[1], lang) if isinstance(v, tuple) and v and v[0] == "__field__" else v)
                  for k, v in self.params.items()}
        return t(self.key, lang, **params)


def field_label(name: str) -> tuple[str, str]:
    """A field name that FieldError/Notice render in the message's language."""
    return ("__field__", f"fu_f_{name}")


def parse_number(name: str, value: Any) -> float | None:
    """A number typed into field `name` (None when blank); refused in Chinese when it is not one."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError("fu_err_not_number", field=field_label(name), value=value) from None
    if math.isnan(number) or math.isinf(number):
        raise FieldError("fu_err_not_number", field=field_label(name), value=value)
    return number


class Notice:
    """A warning: shown to the user, saved anyway."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)

    def __repr__(self) -> str:
        return f"Notice({self.message()!r})"


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=_json_default, ensure_ascii=False)


def project_row(cur: duckdb.DuckDBPyConnection, project_id: str) -> dict[str, Any]:
    """The project's stored row as a dict, or FieldError when there is none."""
    result = cur.execute(sql.query("field_project"), {"project_id": project_id})
    rows = result.fetchall()
    if not rows:
        raise FieldError("fu_err_no_project", id=project_id)
    return dict(zip([d[0] for d in result.description], rows[0]))


def report_row(cur: duckdb.DuckDBPyConnection, project_id: str, report_date: date) -> dict[str, Any] | None:
    result = cur.execute(sql.query("field_report_on"), {"project_id": project_id, "report_date": report_date})
    rows = result.fetchall()
    return dict(zip([d[0] for d in result.description], rows[0])) if rows else None


def place_key(county: str | None, town: str | None) -> str:
    return "/".join(p for p in (county, town) if p)


def start_batch(cur: duckdb.DuckDBPyConnection, *, kind: str, project: dict[str, Any], user_name: str,
                when: datetime, report_date: date | None, replaced_report: dict[str, Any] | None,
                file_name: str) -> str:
    """Insert the batch row and the project's before-image; return the new batch id."""
    from portfolio.ingest.commit import _next_batch_id

    batch_id = _next_batch_id(cur, when)
    cur.execute(sql.query("field_insert_batch"), {
        "batch_id": batch_id, "file_name": file_name, "uploaded_by": user_name, "uploaded_at": when,
        "report_date": report_date, "kind": kind})
    cur.execute(sql.query("field_insert_version"), {
        "batch_id": batch_id, "project_id": project["project_id"],
        "row_json": dumps({"project": project, "report": replaced_report})})
    return batch_id
