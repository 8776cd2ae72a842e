"""更新进展: a progress update from the field, with site photos, as one undoable batch.

`save_update` checks the values, the user's scope and the project's history, stores the
photo files (content-addressed, outside DuckDB), then in ONE Store.write transaction:
a batch row (kind 'field_update') with the project's before-image, the progress report,
the project's new current state, the photo rows, the refreshed rollups, the audit row;
Store.write bumps the data version. `portfolio.ingest.commit.undo(batch_id)` undoes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from datetime import date
from typing import Any, Iterable

import duckdb

from portfolio import audit, auth, photos as photos_mod, sql, store as store_mod, vocab
from portfolio.auth import User
from portfolio.field import (KIND_UPDATE, FieldError, Notice, field_label, parse_number, place_key, project_row,
                             report_row, start_batch)
from portfolio.i18n import t

NOTE_MAX = 500
PREPARING = ("planned", "approved", "tendering")


@dataclass(frozen=True)
class Update:
    """What the user entered; None means "unchanged"."""
    report_date: date
    status: str | None = None
    progress_pct: float | None = None
    funds_in_place_wan: float | None = None
    spent_wan: float | None = None
    note: str | None = None
    caption: str | None = None  # for the photos of this update


@dataclass
class UpdateResult:
    batch_id: str
    project_id: str
    report_date: date
    photos: list[str] = dc_field(default_factory=list)  # sha256 of the photos recorded
    notices: list[Notice] = dc_field(default_factory=list)


def normalised(update: Update) -> Update:
    """The update with numbers as floats and the note trimmed; refuses values that cannot be right
    whatever the project (progress outside 0-100, negative money, unknown status)."""
    if not isinstance(update.report_date, date):
        raise FieldError("fu_err_bad_date", field=field_label("report_date"), value=update.report_date)
    progress = parse_number("progress_pct", update.progress_pct)
    if progress is not None and not 0 <= progress <= 100:
        raise FieldError("fu_err_progress_range", field=field_label("progress_pct"), value=f"{progress:g}")
    money = {}
    for name in ("funds_in_place_wan", "spent_wan"):
        money[name] = parse_number(name, getattr(update, name))
        if money[name] is not None and money[name] < 0:
            raise FieldError("fu_err_negative", field=field_label(name), value=f"{money[name]:g}")
    status = update.status or None
    if status is not None and status not in vocab.STATUS_CODES:
        raise FieldError("fu_err_bad_status", field=field_label("status"), value=status,
                         choices="、".join(vocab.STATUS_CODES))
    note = (update.note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise FieldError("fu_err_note_long", field=field_label("note"), max=NOTE_MAX)
    caption = (update.caption or "").strip()[:200] or None
    return Update(update.report_date, status, progress, money["funds_in_place_wan"], money["spent_wan"], note,
                  caption)


def check(project: dict[str, Any], newest_report: date | None, update: Update,
          photos: Iterable[photos_mod.Photo] = ()) -> list[Notice]:
    """Refuse (FieldError) what cannot be saved for this project; return the warnings for the rest."""
    photos = list(photos)
    if (update.status is None and update.progress_pct is None and update.funds_in_place_wan is None
            and update.spent_wan is None and update.note is None and not photos):
        raise FieldError("fu_err_nothing")
    # The start is the actual one when known; the planned one binds only reports of work under way
    # (a 招投标 report before the planned start is normal; an early start is set in 编辑项目 first).
    status = update.status or project.get("status")
    start = project.get("actual_start") or (project.get("plan_start") if status not in PREPARING else None)
    if start is not None and update.report_date < start:
        raise FieldError("fu_err_before_start", field=field_label("report_date"), date=update.report_date.isoformat(),
                         start=start.isoformat())
    if newest_report is not None and update.report_date < newest_report:
        raise FieldError("fu_err_older_than_newest", field=field_label("report_date"),
                         date=update.report_date.isoformat(), newest=newest_report.isoformat())
    notices: list[Notice] = []
    budget = project.get("budget_wan")
    spent = update.spent_wan if update.spent_wan is not None else None
    if budget is not None and spent is not None and spent > budget:
        notices.append(Notice("fu_warn_spent_over_budget", spent=f"{spent:g}", budget=f"{budget:g}"))
    in_place = update.funds_in_place_wan
    if budget is not None and in_place is not None and in_place > budget:
        notices.append(Notice("fu_warn_in_place_over_budget", in_place=f"{in_place:g}", budget=f"{budget:g}"))
    old = project.get("progress_pct")
    if update.progress_pct is not None and old is not None and update.progress_pct < old:
        notices.append(Notice("fu_warn_progress_down", old=old, new=update.progress_pct))
    notices += photos_mod.outside_notices(photos, project.get("county"))
    return notices


def _newest_report(cur: duckdb.DuckDBPyConnection, project_id: str) -> date | None:
    return cur.execute(sql.query("field_newest_report"), {"project_id": project_id}).fetchall()[0][0]


def preview(store: store_mod.Store, project_id: str, update: Update, user: User | None,
            photos: Iterable[photos_mod.Photo] = ()) -> list[Notice]:
    """The checks of save_update without writing: FieldError/AuthError, or the warnings."""
    update = normalised(update)
    with store.cursor() as cur:
        project = project_row(cur, project_id)
        newest = _newest_report(cur, project_id)
    auth.require_place(user, project.get("county"), project.get("town"))
    return check(project, newest, update, photos)


def save_update(store: store_mod.Store, project_id: str, update: Update, user: User | None,
                photo_files: Iterable[tuple[str, bytes]] = ()) -> UpdateResult:
    """Record a progress update (and its photos) as one batch; see the module docstring.

    Refuses with FieldError (a value, the history or a photo) or AuthError (login, role, town)
    before anything is written. Warnings (spent above budget, ...) come back in the result.
    """
    auth.require_writer(user)
    update = normalised(update)
    checked = photos_mod.read_all(photo_files)
    with store.cursor() as cur:
        project = project_row(cur, project_id)
    auth.require_place(user, project.get("county"), project.get("town"))
    if checked:
        folder = photos_mod.root(store)
        made = [photos_mod.render(photo) for photo in checked]  # every picture decodes before any file is written
        for photo, copies in zip(checked, made):
            # Files before the transaction: content-addressed, so a rolled-back write leaves only harmless files.
            photos_mod.save_files(folder, photo, copies)

    def work(cur: duckdb.DuckDBPyConnection) -> UpdateResult:
        before = project_row(cur, project_id)  # re-read under the write lock
        auth.require_place(user, before.get("county"), before.get("town"))
        notices = check(before, _newest_report(cur, project_id), update, checked)
        when = store_mod.now()
        replaced = report_row(cur, project_id, update.report_date)
        batch_id = start_batch(cur, kind=KIND_UPDATE, project=before, user_name=user.name, when=when,
                               report_date=update.report_date, replaced_report=replaced,
                               file_name=t("fu_photo_file_name", id=project_id))
        status = update.status or before["status"]
        progress = update.progress_pct if update.progress_pct is not None else before.get("progress_pct")
        in_place = update.funds_in_place_wan if update.funds_in_place_wan is not None else before.get("funds_in_place_wan")
        spent = update.spent_wan if update.spent_wan is not None else before.get("spent_wan")
        actual_start = before.get("actual_start")
        if actual_start is None and status in vocab.STARTED_STATUS_CODES and status != "suspended":
            actual_start = update.report_date
        actual_end = before.get("actual_end")
        if actual_end is None and status in vocab.FINISHED_STATUS_CODES:
            actual_end = update.report_date
        cur.execute(sql.query("field_upsert_report"), {
            "project_id": project_id, "report_date": update.report_date, "status": status,
            "progress_pct": progress, "spent_wan": spent, "funds_in_place_wan": in_place,
            "batch_id": batch_id, "note": update.note})
        cur.execute(sql.query("field_apply_update"), {
            "project_id": project_id, "status": status, "progress_pct": progress, "funds_in_place_wan": in_place,
            "spent_wan": spent, "actual_start": actual_start, "actual_end": actual_end, "batch_id": batch_id,
            "updated_at": when})
        for photo in checked:
            cur.execute(sql.query("field_insert_photo"), {
                "project_id": project_id, "sha256": photo.sha256, "ext": photo.ext, "taken_at": photo.taken_at,
                "lon": photo.lon, "lat": photo.lat,
                "outside_county": photos_mod.outside_county(photo.lon, photo.lat, before.get("county")),
                "uploaded_by": user.name, "uploaded_at": when, "caption": update.caption,
                "report_date": update.report_date, "batch_id": batch_id, "width": photo.width,
                "height": photo.height, "bytes": len(photo.data)})
        store_mod.refresh_progress_latest(cur, [project_id])
        counts = {"projects": 1, "reports": 1, "photos": len(checked)}
        if update.progress_pct is not None:
            counts["progress_pct"] = update.progress_pct
        audit.record(cur, "update", user.name, scope=[place_key(before.get("county"), before.get("town"))],
                     counts=counts, batch_id=batch_id, at=when, detail=project_id)
        return UpdateResult(batch_id, project_id, update.report_date, [p.sha256 for p in checked], notices)

    return store.write(work)
