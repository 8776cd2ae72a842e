"""Edit a project's own fields from its page, with a diff before saving, as one undoable batch.

Same path as a field update (portfolio.field): scope-checked (the project's town now, and the
town it moves to: an editor may not move a project out of their places), audited ("edit"),
a batch of kind 'field_edit' with the before-image, undone by portfolio.ingest.commit.undo.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

import duckdb

from portfolio import audit, auth, geo, sql, store as store_mod, vocab
from portfolio.auth import User
from portfolio.field import KIND_EDIT, FieldError, field_label, parse_number, place_key, project_row, start_batch
from portfolio.i18n import t

TEXT_FIELDS = ("name", "county", "town", "village", "scale_unit", "assisting_unit", "responsible_unit")
NUMBER_FIELDS = ("budget_wan", "scale_qty", "lon", "lat")
DATE_FIELDS = ("plan_start", "plan_end", "actual_start", "actual_end")
EDITABLE = ("name", "category", "county", "town", "village", "lon", "lat", "location_precision", "budget_wan",
            "plan_start", "plan_end", "actual_start", "actual_end", "scale_qty", "scale_unit", "assisting_unit",
            "responsible_unit")
REQUIRED = ("name", "category", "county", "town")


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


def _clean(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        return None
    if name in NUMBER_FIELDS:
        return parse_number(name, value)
    if name in DATE_FIELDS:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise FieldError("fu_err_bad_date", field=field_label(name), value=value) from None
    return str(value) if name in TEXT_FIELDS or name in ("category", "location_precision") else value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    if a != a and b != b:  # both NaN
        return True
    return a == b


def merged(project: Mapping[str, Any], changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[Change]]:
    """The project's editable fields with `changes` applied and checked, and the list of real changes."""
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise FieldError("fu_err_unknown_field", field=unknown[0])
    new = {k: project.get(k) for k in EDITABLE}
    for k, v in changes.items():
        new[k] = _clean(k, v)
    # Coordinates typed by a person are a surveyed point: exact, unless they say otherwise.
    coords_changed = not (_same(new["lon"], project.get("lon")) and _same(new["lat"], project.get("lat")))
    if coords_changed and "location_precision" not in changes:
        new["location_precision"] = "exact" if new["lon"] is not None else "none"
    _validate(new)
    diff = [Change(k, project.get(k), new[k]) for k in EDITABLE if not _same(project.get(k), new[k])]
    return new, diff


def _validate(new: dict[str, Any]) -> None:
    for k in REQUIRED:
        if new[k] is None:
            raise FieldError("fu_err_required", field=field_label(k))
    if new["category"] not in vocab.CATEGORY_CODES:
        raise FieldError("fu_err_bad_status", field=field_label("category"), value=new["category"],
                         choices="、".join(vocab.CATEGORY_CODES))
    if new["location_precision"] not in vocab.LOCATION_PRECISIONS:
        raise FieldError("fu_err_bad_status", field=field_label("location_precision"),
                         value=new["location_precision"], choices="、".join(vocab.LOCATION_PRECISIONS))
    for k in ("budget_wan", "scale_qty"):
        if new[k] is not None and new[k] < 0:
            raise FieldError("fu_err_negative", field=field_label(k), value=f"{new[k]:g}")
    if (new["lon"] is None) != (new["lat"] is None):
        raise FieldError("fu_err_coords_pair")
    if new["lon"] is not None and not geo.in_china(new["lon"], new["lat"]):
        raise FieldError("fu_err_coords_range", lon=new["lon"], lat=new["lat"])
    for start, end in (("plan_start", "plan_end"), ("actual_start", "actual_end")):
        if new[start] is not None and new[end] is not None and new[end] < new[start]:
            raise FieldError("fu_err_end_before_start", field=field_label(end), end=new[end].isoformat(),
                             start_field=field_label(start), start=new[start].isoformat())


def _scope(user: User, before: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    auth.require_place(user, before.get("county"), before.get("town"))
    if not user.may_write(new.get("county"), new.get("town")):
        raise FieldError("fu_err_move_out", name=user.label, scope=user.scope_text(),
                         place=place_key(new.get("county"), new.get("town")))


def _codes(cur: duckdb.DuckDBPyConnection, new: dict[str, Any]) -> tuple[str, str | None]:
    rows = cur.execute(sql.query("field_town_code"), {"county": new["county"], "town": new["town"]}).fetchall()
    if not rows:
        raise FieldError("fu_err_unknown_place", field=field_label("town"), value=place_key(new["county"], new["town"]))
    village_code = None
    if new["village"]:
        found = cur.execute(sql.query("field_village_code"), {
            "county": new["county"], "town": new["town"], "stem": geo.village_stem(new["village"])}).fetchall()
        village_code = found[0][0] if found else None
    return rows[0][0], village_code


def diff(store: store_mod.Store, project_id: str, changes: Mapping[str, Any], user: User | None) -> list[Change]:
    """What saving `changes` would change (shown before saving); refuses as save_edit would."""
    with store.cursor() as cur:
        before = project_row(cur, project_id)
        new, changed = merged(before, changes)
        auth.require_writer(user)
        _codes(cur, new)
        _scope(user, before, new)
    return changed


def save_edit(store: store_mod.Store, project_id: str, changes: Mapping[str, Any], user: User | None,
              expected: list[Change] | None = None) -> str:
    """Write the changed fields as one batch; returns the batch id.

    `expected` is the diff the user saw: when the project changed since, nothing is written."""
    auth.require_writer(user)

    def work(cur: duckdb.DuckDBPyConnection) -> str:
        before = project_row(cur, project_id)
        new, changed = merged(before, changes)
        town_code, village_code = _codes(cur, new)
        _scope(user, before, new)
        if not changed:
            raise FieldError("fu_err_no_change")
        if expected is not None and [(c.field, c.old) for c in expected] != [(c.field, c.old) for c in changed]:
            from portfolio.ingest.issues import IngestError
            raise IngestError("ing_err_stale_plan")
        if new["village"] == before.get("village") and new["town"] == before.get("town") \
                and new["county"] == before.get("county"):
            village_code = before.get("village_code") or village_code
        when = store_mod.now()
        batch_id = start_batch(cur, kind=KIND_EDIT, project=before, user_name=user.name, when=when,
                               report_date=None, replaced_report=None, file_name=t("fu_edit_file_name", id=project_id))
        cur.execute(sql.query("field_apply_edit"), {
            **new, "project_id": project_id, "town_code": town_code, "village_code": village_code,
            "batch_id": batch_id, "updated_at": when})
        store_mod.refresh_progress_latest(cur, [])  # a move changes which town's report date judges it late
        places = {place_key(before.get("county"), before.get("town")), place_key(new["county"], new["town"])}
        audit.record(cur, "edit", user.name, scope=places, batch_id=batch_id, at=when, detail=project_id,
                     counts={"projects": 1, "fields": [c.field for c in changed]})
        return batch_id

    return store.write(work)


def use_photo_location(store: store_mod.Store, project_id: str, sha256: str, user: User | None) -> str:
    """Take a photo's GPS point as the project's location (precision 'exact'), once the user confirmed it.
    Only for a project without exact coordinates; an edit batch like any other."""
    with store.cursor() as cur:
        project = project_row(cur, project_id)
        rows = cur.execute(sql.query("field_photo"), {"project_id": project_id, "sha256": sha256}).fetchall()
    if not rows:
        raise FieldError("fu_err_photo_unknown")
    lon, lat = rows[0][4], rows[0][5]
    if lon is None or lat is None:
        raise FieldError("fu_err_photo_no_gps")
    if project.get("location_precision") == "exact" and project.get("lon") is not None:
        raise FieldError("fu_err_already_exact")
    return save_edit(store, project_id, {"lon": lon, "lat": lat, "location_precision": "exact"}, user)


def photo_has_location(photo: Mapping[str, Any]) -> bool:
    return photo.get("lon") is not None and photo.get("lat") is not None

