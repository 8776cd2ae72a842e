"""Crash safety, backups and restore of the database file."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from portfolio import store as store_mod, views
from portfolio.filters import Filters
from portfolio.store import Store
from tests.conftest import ROOT
from tests.seed import AS_OF, seed

# A child process that opens the database, starts a large write and reports halfway.
CHILD = textwrap.dedent("""
    import sys, time
    from portfolio.store import Store
    db = Store(sys.argv[1])
    def slow_write(cur):
        cur.execute("DELETE FROM projects")
        for i in range(200000):
            cur.execute("INSERT INTO projects (project_id, name) VALUES ($id, 'x')", {"id": f"K{i}"})
            if i == 2000:
                print("MIDWAY", flush=True)
    db.write(slow_write)
    print("COMMITTED", flush=True)
""")

from portfolio import accounts  # noqa: E402
from tests.seed import ADMIN  # noqa: E402


def test_killed_mid_commit_leaves_the_data_from_before(tmp_path):
    path = tmp_path / "crash.duckdb"
    db = Store(path)
    seed(db)
    before = views.project_table(db, Filters(), AS_OF, limit=None)
    db.close()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline().strip() == "MIDWAY"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    reopened = Store(path)
    after = views.project_table(reopened, Filters(), AS_OF, limit=None)
    assert list(after["project_id"]) == list(before["project_id"])
    assert after["budget_wan"].sum() == pytest.approx(before["budget_wan"].sum())
    reopened.close()


def test_backup_keeps_the_newest_ten_and_restore_brings_one_back(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "bk"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    first = db.backup()
    for _ in range(11):
        time.sleep(0.001)
        db.backup()
    assert len(store_mod.list_backups(path)) == 10
    assert first not in store_mod.list_backups(path)  # the oldest went
    kept = store_mod.list_backups(path)[0]
    db.write(lambda cur: cur.execute("DELETE FROM projects"))
    assert views.kpis(db, Filters(), AS_OF).projects == 0
    db.close()
    saved = store_mod.restore(path, kept, ADMIN)
    assert saved is not None and saved.exists()
    restored = Store(path)
    assert views.kpis(restored, Filters(), AS_OF).projects == 5
    restored.close()


def test_restore_cli_lists_and_restores(tmp_path, monkeypatch, capsys):
    from portfolio.cli import main

    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "bk"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    accounts.add_user(db, "boss", "admin", "correct horse 1")
    accounts.add_user(db, "ts_team", "editor", "correct horse 1", towns=["阳山县/太平镇"])
    db.backup()
    db.write(lambda cur: cur.execute("DELETE FROM projects WHERE project_id = 'A1'"))
    db.close()
    assert main(["restore", "--db", str(path), "--list"]) == 0
    assert "lib-" in capsys.readouterr().out
    assert main(["restore", "--db", str(path)]) == 2  # no --user: refused
    assert "请先登录" in capsys.readouterr().err
    assert main(["restore", "--db", str(path), "--user", "ts_team"]) == 2  # an editor may not
    assert "只有管理员可以恢复备份" in capsys.readouterr().err
    assert main(["restore", "--db", str(path), "--user", "boss"]) == 0
    db = Store(path)
    assert views.kpis(db, Filters(), AS_OF).projects == 5
    db.close()


def test_cli_refuses_while_the_dashboard_holds_the_database(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from portfolio.store import Store; s=Store(sys.argv[1]); "
                               "print('READY', flush=True); time.sleep(60)", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "READY"
        result = subprocess.run([sys.executable, "-m", "portfolio", "demo", "--db", str(path)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 3
        assert "正被另一个进程" in result.stderr
        backup = tmp_path / "some-backup.duckdb"
        backup.write_bytes(b"")
        result = subprocess.run([sys.executable, "-m", "portfolio", "restore", "--db", str(path), "--backup",
                                 str(backup), "--user", "admin"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 3 and "正被另一个进程" in result.stderr
        sheet = tmp_path / "t.csv"
        sheet.write_text("项目名称,县,镇\n新路,阳山县,太平镇\n", encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "portfolio", "import", str(sheet), "--db", str(path),
                                 "--json", "--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 3
        assert json.loads(result.stdout) == {"error": json.loads(result.stdout)["error"], "code": "db_busy"}
        assert "正被另一个进程" in json.loads(result.stdout)["error"]
    finally:
        holder.kill()
        holder.wait()


def test_every_import_is_preceded_by_a_backup_that_restores_the_state_before(tmp_path, monkeypatch):
    from portfolio.ingest import pipeline

    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "bk"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    data = "项目名称,县,镇,总投资（万元）\n新路,阳山县,太平镇,12\n".encode("utf-8")
    pipeline.commit(db, pipeline.analyse(db, data, "new.csv", pipeline.ImportOptions(report_date=AS_OF)), ADMIN)
    assert views.kpis(db, Filters(), AS_OF).projects == 6
    backups = store_mod.list_backups(path)
    assert len(backups) == 1 and "import" in backups[0].name
    db.close()
    store_mod.restore(path, backups[0], ADMIN)
    restored = Store(path)
    assert views.kpis(restored, Filters(), AS_OF).projects == 5
    restored.close()


def test_too_little_memory_to_open_is_told_apart_from_a_damaged_file(tmp_path, monkeypatch, capsys):
    """At 10M projects an open that runs out of memory used to say "damaged, restore a backup":
    the wrong advice. It now says the file is fine and which setting to raise."""
    from portfolio import cli, demo
    from portfolio.store import StoreMemoryError

    path = tmp_path / "p.duckdb"
    db = Store(path)
    demo.build(db, n_projects=2000)
    db.close()
    with pytest.raises(StoreMemoryError) as err:
        Store(path, memory_limit="1MB")
    assert "内存不足（上限 1MB）：文件没有损坏" in str(err.value) and "restore" not in str(err.value)
    monkeypatch.setenv("PORTFOLIO_MEMORY_LIMIT", "1MB")
    assert cli.main(["init", "--db", str(path)]) == 6
    assert "PORTFOLIO_MEMORY_LIMIT" in capsys.readouterr().err
    monkeypatch.delenv("PORTFOLIO_MEMORY_LIMIT")
    assert Store(path).one("project_count")["n"] == 2000  # nothing was lost
