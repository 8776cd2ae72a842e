"""更新进展 and field edits through the library: what is written, what undo restores, who may, what is refused."""
from __future__ import annotations

import json
from datetime import date

import pytest

from portfolio import audit, edits, updates, views
from portfolio.auth import AuthError, User
from portfolio.field import FieldError
from portfolio.filters import Filters
from portfolio.ingest import commit as commit_mod
from portfolio.ingest.issues import IngestError
from portfolio.updates import Update
from tests.seed import ADMIN, TAIPING

QINGXIN = User(name="qingxin", role="editor", counties=("清新区",))
VIEWER = User(name="viewer", role="viewer")
JULY = date(2026, 7, 31)


@pytest.fixture
def db(seed_store_with_photos):
    return seed_store_with_photos


def _project(db, pid):
    return db.one("project_detail", {"project_id": pid, "as_of": JULY})


def _history(db, pid):
    return db.df("project_history", {"project_id": pid})


def test_update_appends_a_report_and_moves_the_current_state(db):
    version = db.data_version()
    result = updates.save_update(db, "A1", Update(JULY, status="in_progress", progress_pct=60, spent_wan=55,
                                                  funds_in_place_wan=90, note="水管已铺设"), TAIPING)
    history = _history(db, "A1")
    assert list(history["report_date"]) == [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
                                                    date(2026, 6, 30), JULY]
    last = history.iloc[-1]
    assert (last["progress_pct"], last["spent_wan"], last["funds_in_place_wan"], last["batch_id"]) == \
        (60.0, 55.0, 90.0, result.batch_id)
    p = _project(db, "A1")
    assert (p["progress_pct"], p["spent_wan"], p["funds_in_place_wan"], p["batch_id"]) == (60.0, 55.0, 90.0,
                                                                                         result.batch_id)
    # the rollup columns the filter macro reads
    assert (p["report_count"], p["last_report_date"], p["last_progress_pct"], p["prev_report_date"]) == \
        (5, JULY, 60.0, date(2026, 6, 30))
    assert db.data_version() == version + 1
    batch = db.one("import_batch", {"batch_id": result.batch_id})
    assert (batch["kind"], batch["uploaded_by"], batch["report_date"], batch["state"]) == \
        ("field_update", "taiping", JULY, "committed")
    assert db.one("field_report_on", {"project_id": "A1", "report_date": JULY})["note"] == "水管已铺设"
    entry = audit.entries(db, action="update")[0]
    assert (entry.user_name, entry.scope, entry.batch_id, entry.detail) == \
        ("taiping", ("阳山县/太平镇",), result.batch_id, "A1")
    assert entry.counts == {"photos": 0, "progress_pct": 60.0, "projects": 1, "reports": 1}
    assert views.data_date(db) == JULY


def test_undo_restores_the_project_and_its_history_exactly(db):
    before_row = _project(db, "A1")
    before_history = _history(db, "A1")
    result = updates.save_update(db, "A1", Update(JULY, status="completed", progress_pct=100), TAIPING)
    assert _project(db, "A1")["actual_end"] == JULY  # finishing sets the actual end
    commit_mod.undo(db, result.batch_id, TAIPING)
    assert _project(db, "A1") == before_row
    assert _history(db, "A1").equals(before_history)
    assert db.one("import_batch", {"batch_id": result.batch_id})["state"] == "undone"
    assert audit.entries(db, action="undo")[0].batch_id == result.batch_id


def test_an_update_on_the_newest_reports_date_replaces_it_and_undo_brings_it_back(db):
    june = date(2026, 6, 30)
    result = updates.save_update(db, "A1", Update(june, progress_pct=55), TAIPING)
    assert _history(db, "A1").iloc[-1]["progress_pct"] == 55.0 and len(_history(db, "A1")) == 4
    commit_mod.undo(db, result.batch_id, ADMIN)
    assert _history(db, "A1").iloc[-1]["progress_pct"] == 50.0 and len(_history(db, "A1")) == 4


def test_stalled_reads_field_updates(db):
    assert _project(db, "B1")["is_stalled"]
    updates.save_update(db, "B1", Update(JULY, progress_pct=35), QINGXIN)
    assert _project(db, "B1")["is_stalled"]  # still no gain over the last three reports
    updates.save_update(db, "B1", Update(date(2026, 8, 31), progress_pct=45), QINGXIN)
    assert not _project(db, "B1")["is_stalled"]
    assert views.kpis(db, Filters(), date(2026, 8, 31)).stalled == 0


@pytest.mark.parametrize("user, pid, refused", [
    (TAIPING, "A1", False), (TAIPING, "B1", True),  # 太平镇 of 清新区 is another town of the same name
    (QINGXIN, "B1", False), (QINGXIN, "A1", True),
    (ADMIN, "C1", False), (VIEWER, "A1", True), (None, "A1", True),
    (User(name="off", role="editor", towns=("阳山县/太平镇",), disabled=True), "A1", True),
])
def test_scope_of_an_update_per_role(db, user, pid, refused):
    version = db.data_version()
    if refused:
        with pytest.raises(AuthError):
            updates.save_update(db, pid, Update(JULY, progress_pct=80), user)
        assert db.data_version() == version and len(_history(db, pid)) in (0, 4)
    else:
        updates.save_update(db, pid, Update(JULY, progress_pct=80), user)
        assert _project(db, pid)["progress_pct"] == 80.0


def test_an_editor_may_not_undo_another_towns_update(db):
    result = updates.save_update(db, "B1", Update(JULY, progress_pct=40), QINGXIN)
    with pytest.raises(AuthError):
        commit_mod.undo(db, result.batch_id, TAIPING)
    commit_mod.undo(db, result.batch_id, QINGXIN)


@pytest.mark.parametrize("update, words", [
    (Update(JULY, progress_pct=101), ["进度（%）", "0 到 100", "101"]),
    (Update(JULY, progress_pct=-1), ["进度（%）", "-1"]),
    (Update(JULY, spent_wan=-2), ["已支出（万元）", "不能为负数"]),
    (Update(JULY, funds_in_place_wan=-0.5), ["到位资金（万元）", "不能为负数"]),
    (Update(JULY, spent_wan="十万"), ["已支出（万元）", "不是数字"]),
    (Update(JULY, status="done"), ["状态", "done"]),
    (Update(date(2025, 8, 31), progress_pct=10), ["报告日期", "2025-08-31", "开工日期 2025-09-01"]),
    (Update(JULY), ["没有要保存的内容"]),
])
def test_bad_values_are_refused_in_chinese_naming_the_field(db, update, words):
    version = db.data_version()
    with pytest.raises(FieldError) as err:
        updates.save_update(db, "A1", update, TAIPING)
    for word in words:
        assert word in str(err.value)
    assert db.data_version() == version


def test_a_stale_offline_update_is_refused_never_reordered(db):
    updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING)
    # written on the phone on 15 July, offline, sent after the 31 July update
    with pytest.raises(FieldError) as err:
        updates.save_update(db, "A1", Update(date(2026, 7, 15), progress_pct=55), TAIPING)
    assert "报告日期 2026-07-15 早于该项目最新一次报告（2026-07-31）" in str(err.value)
    assert list(_history(db, "A1")["progress_pct"])[-2:] == [50.0, 60.0]


def test_spent_above_budget_is_a_warning_and_saved(db):
    result = updates.save_update(db, "A1", Update(JULY, spent_wan=120), TAIPING)
    assert [n.message() for n in result.notices] == ["已支出 120 万元超过计划投资 100 万元。"]
    assert _project(db, "A1")["spent_wan"] == 120.0
    assert [n.key for n in updates.preview(db, "A1", Update(JULY, spent_wan=130), TAIPING)] == \
        ["fu_warn_spent_over_budget"]


def test_english_message_names_the_field_too(db):
    with pytest.raises(FieldError) as err:
        updates.save_update(db, "A1", Update(JULY, progress_pct=150), TAIPING)
    assert err.value.message("en") == "progress (%) must lie between 0 and 100; got 150."


# Edits -------------------------------------------------------------------------------------

def test_edit_shows_the_diff_then_saves_and_undo_restores(db):
    before_row = _project(db, "A1")
    changes = {"name": "石径村饮水工程（二期）", "budget_wan": "120", "plan_end": "2026-09-30", "lon": 112.63,
               "lat": 24.47}
    diff = edits.diff(db, "A1", changes, TAIPING)
    assert [(c.field, c.old, c.new) for c in diff] == [
        ("name", "石径村饮水工程", "石径村饮水工程（二期）"), ("lon", None, 112.63), ("lat", None, 24.47),
        ("location_precision", "none", "exact"), ("budget_wan", 100.0, 120.0),
        ("plan_end", date(2026, 3, 31), date(2026, 9, 30))]
    batch_id = edits.save_edit(db, "A1", changes, TAIPING, expected=diff)
    p = _project(db, "A1")
    assert (p["name"], p["budget_wan"], p["plan_end"], p["location_precision"]) == \
        ("石径村饮水工程（二期）", 120.0, date(2026, 9, 30), "exact")
    assert db.one("import_batch", {"batch_id": batch_id})["kind"] == "field_edit"
    entry = audit.entries(db, action="edit")[0]
    assert entry.counts["fields"] == ["name", "lon", "lat", "location_precision", "budget_wan", "plan_end"]
    commit_mod.undo(db, batch_id, TAIPING)
    assert _project(db, "A1") == before_row


def test_an_editor_may_not_move_a_project_out_of_their_towns(db):
    with pytest.raises(FieldError) as err:
        edits.save_edit(db, "A1", {"county": "清新区"}, TAIPING)
    assert "不能把项目移到其负责范围（阳山县/太平镇）以外的 清新区/太平镇" in str(err.value)
    with pytest.raises(AuthError):
        edits.save_edit(db, "B1", {"name": "别人的项目"}, TAIPING)
    batch = edits.save_edit(db, "A1", {"county": "清新区"}, ADMIN)  # an admin may
    assert _project(db, "A1")["county"] == "清新区" and batch


@pytest.mark.parametrize("changes, words", [
    ({"name": " "}, ["项目名称", "不能为空"]),
    ({"budget_wan": -1}, ["计划投资（万元）", "不能为负数"]),
    ({"lon": 112.6}, ["经度和纬度要一起填写"]),
    ({"lon": 24.4, "lat": 112.6}, ["不在中国境内"]),
    ({"plan_start": "2026-05-01", "plan_end": "2026-04-01"}, ["计划完工 2026-04-01 早于 计划开工 2026-05-01"]),
    ({"town": "不存在镇"}, ["镇（街道）", "不在清远市的镇街名录中"]),
    ({"category": "bridges"}, ["类别", "bridges"]),
    ({"status": "completed"}, ["status"]),
    ({}, ["没有修改任何字段"]),
])
def test_bad_edits_are_refused_naming_the_field(db, changes, words):
    with pytest.raises(FieldError) as err:
        edits.save_edit(db, "A1", changes, TAIPING)
    for word in words:
        assert word in str(err.value)


def test_an_edit_made_stale_by_another_write_is_refused(db):
    diff = edits.diff(db, "A1", {"budget_wan": 110}, TAIPING)
    edits.save_edit(db, "A1", {"budget_wan": 105}, ADMIN)
    with pytest.raises(IngestError):
        edits.save_edit(db, "A1", {"budget_wan": 110}, TAIPING, expected=diff)


def test_undo_of_an_update_waits_for_a_later_edit(db):
    first = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING)
    later = edits.save_edit(db, "A1", {"budget_wan": 110}, TAIPING)
    assert commit_mod.undo_blockers(db, first.batch_id) == [later]
    history = commit_mod.history(db).to_pylist()
    assert [h["batch_id"] for h in history][:2] == [later, first.batch_id]
    assert json.loads(db.one("import_batch_versions", {"batch_id": later})["row_json"])["project"]["budget_wan"] == 100.0


def test_a_schema_4_file_gets_the_field_tables_and_columns(tmp_path):
    import duckdb

    from portfolio.store import SCHEMA_VERSION, Store
    from tests.seed import seed

    path = tmp_path / "old.duckdb"
    old = Store(path)
    seed(old)
    old.close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE project_photos")
    con.execute("ALTER TABLE import_batches DROP COLUMN kind")
    con.execute("ALTER TABLE progress_reports DROP COLUMN note")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    db = Store(path)
    db.photo_root = tmp_path / "photos"
    assert db.meta("schema_version") == str(SCHEMA_VERSION)
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60, note="升级后"), TAIPING)
    assert db.one("import_batch", {"batch_id": result.batch_id})["kind"] == "field_update"
    assert db.one("field_report_on", {"project_id": "A1", "report_date": JULY})["note"] == "升级后"
    db.close()


def test_a_preparing_project_may_report_before_its_planned_start(db):
    edits.save_edit(db, "A3", {"plan_start": "2026-09-01"}, TAIPING)  # 储备, no actual start
    result = updates.save_update(db, "A3", Update(JULY, status="tendering", note="招标公告已发布"), TAIPING)
    assert _project(db, "A3")["status"] == "tendering" and result.batch_id
    with pytest.raises(FieldError) as err:  # work under way before the planned start: set the start first
        updates.save_update(db, "A3", Update(date(2026, 8, 15), status="in_progress", progress_pct=5), TAIPING)
    assert "报告日期 2026-08-15 早于项目开工日期 2026-09-01" in str(err.value)
    edits.save_edit(db, "A3", {"actual_start": "2026-08-10"}, TAIPING)
    updates.save_update(db, "A3", Update(date(2026, 8, 15), status="in_progress", progress_pct=5), TAIPING)
    assert _project(db, "A3")["progress_pct"] == 5.0
