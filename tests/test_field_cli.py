"""`python -m portfolio update ...`: the same checks, scope, audit and undo as the form."""
from __future__ import annotations

import json
from datetime import date

import pytest

from portfolio import accounts, audit, auth, cli, photos
from portfolio.ingest import commit as commit_mod
from portfolio.store import Store
from tests.photo_factory import INSIDE, picture
from tests.seed import seed


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTFOLIO_PHOTOS", raising=False)
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    accounts.add_user(db, "taiping", "editor", "editor pass 1", towns=["阳山县/太平镇"])
    accounts.add_user(db, "reader", "viewer", "viewer pass 1")
    db.close()
    return path


def run(capsys, argv):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_update_with_two_photos_saves_and_undo_restores(db_path, tmp_path, capsys):
    one, two = tmp_path / "IMG_1.jpg", tmp_path / "IMG_2.heic"
    one.write_bytes(picture(lonlat=INSIDE))
    two.write_bytes(picture("HEIF", orientation=6, taken="2026:07:31 10:00:00"))
    code, out, err = run(capsys, ["update", "A1", "--progress", "60", "--status", "in_progress", "--spent", "45.5",
                                  "--in-place", "90", "--date", "2026-07-31", "--note", "水管已铺设",
                                  "--photo", str(one), str(two), "--user", "taiping", "--db", str(db_path)])
    assert code == 0, err
    assert out.startswith("已保存 A1 的进展（2026-07-31，批次 B") and out.strip().endswith("照片 2 张）")
    db = Store(db_path)
    p = db.one("field_project", {"project_id": "A1"})
    assert (p["progress_pct"], p["spent_wan"], p["funds_in_place_wan"], p["last_report_date"]) == \
        (60.0, 45.5, 90.0, date(2026, 7, 31))
    shown = photos.for_project(db, "A1")
    assert len(shown) == 2 and all(r["path_1280"] and r["path_1280"].parent.parent == tmp_path / "photos"
                                   for r in shown)
    entry = audit.entries(db, action="update")[0]
    assert (entry.user_name, entry.counts["photos"]) == ("taiping", 2)
    commit_mod.undo(db, entry.batch_id, auth.get_user(db, "taiping"))
    assert db.one("field_project", {"project_id": "A1"})["progress_pct"] is None
    db.close()


@pytest.mark.parametrize("argv, words", [
    (["A1", "--progress", "120", "--user", "taiping"], ["进度（%）必须在 0 到 100 之间"]),
    (["A1", "--spent", "-3", "--user", "taiping"], ["已支出（万元）不能为负数"]),
    (["B1", "--progress", "50", "--user", "taiping"], ["只能修改本人负责的镇", "清新区/太平镇 不在其中"]),
    (["A1", "--progress", "50", "--user", "reader"], ["reader"]),
    (["A1", "--progress", "50", "--user", "nobody"], ["nobody"]),
    (["A1", "--progress", "50", "--date", "2026-06-01", "--user", "taiping"],
     ["报告日期 2026-06-01 早于该项目最新一次报告（2026-06-30）"]),
    (["ZZ9", "--progress", "50", "--user", "taiping"], ["找不到项目 ZZ9"]),
    (["A1", "--photo", "/nonexistent/x.jpg", "--user", "taiping"], ["找不到照片文件"]),
])
def test_refusals_exit_2_with_a_chinese_message_and_change_nothing(db_path, capsys, argv, words):
    db = Store(db_path)
    version = db.data_version()
    db.close()
    code, out, err = run(capsys, ["update", *argv, "--db", str(db_path)])
    assert code == 2 and out == ""
    for word in words:
        assert word in err
    db = Store(db_path)
    assert db.data_version() == version
    db.close()


def test_a_text_file_as_photo_is_refused(db_path, tmp_path, capsys):
    bad = tmp_path / "report.txt"
    bad.write_text("不是照片")
    code, _, err = run(capsys, ["update", "A1", "--progress", "60", "--photo", str(bad), "--user", "taiping",
                                "--date", "2026-07-31", "--db", str(db_path)])
    assert code == 2 and err.strip() == "文件“report.txt”不是 JPEG、PNG 或 HEIC 照片，未保存。"


def test_json_outcome_with_a_warning(db_path, capsys):
    code, out, _ = run(capsys, ["update", "A1", "--spent", "150", "--date", "2026-07-31", "--user", "taiping",
                                "--db", str(db_path), "--json"])
    payload = json.loads(out)
    assert code == 0 and payload["ok"] and payload["warnings"] == ["已支出 150 万元超过计划投资 100 万元。"]
    code, out, _ = run(capsys, ["update", "A1", "--progress", "101", "--user", "taiping", "--db", str(db_path),
                                "--json"])
    assert code == 2 and json.loads(out)["code"] == "fu_err_progress_range"


def test_busy_database_exits_3(db_path, capsys):
    holder = Store(db_path)
    try:
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "portfolio", "update", "A1", "--progress", "60", "--user",
                               "taiping", "--db", str(db_path)], capture_output=True, text=True, timeout=120)
    finally:
        holder.close()
    assert done.returncode == 3 and "占用" in done.stderr
