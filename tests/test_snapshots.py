"""Snapshot mode (make serve): read-only workers in other processes, one writer publishing snapshots.

Readers in other processes see the state before or after a write, never between; a writer killed
mid-commit leaves the published snapshot as it was; undo and restore work; snapshots nobody holds go.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from portfolio import snapshots, store as store_mod, views
from portfolio.filters import Filters
from portfolio.ingest import commit as commit_mod
from portfolio.store import Store
from tests.conftest import ROOT
from tests.ingest_builders import analyse
from tests.seed import ADMIN, AS_OF, seed
from tests.test_ingest_commit import BASE, D1, D2, UPDATE, _import, _query_results

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# A worker-like process: reads the project count from the newest snapshot until told to stop,
# printing each distinct count it saw (JSON) at the end.
READER = textwrap.dedent("""
    import json, os, sys
    from portfolio.store import Store
    db = Store(sys.argv[1], snapshot_dir=sys.argv[2])
    seen = []
    print("READY", flush=True)
    while not os.path.exists(sys.argv[3]):
        with db.cursor() as cur:
            seen.append(cur.execute("SELECT count(*) FROM projects").fetchall()[0][0])
    with db.cursor() as cur:
        seen.append(cur.execute("SELECT count(*) FROM projects").fetchall()[0][0])
    print(json.dumps(sorted(set(seen))), flush=True)
""")

# A writer that starts a large write in snapshot mode and reports halfway (then gets killed).
SLOW_WRITER = textwrap.dedent("""
    import sys
    from portfolio.store import Store
    db = Store(sys.argv[1], snapshot_dir=sys.argv[2])
    def slow_write(cur):
        cur.execute("DELETE FROM projects")
        for i in range(200000):
            cur.execute("INSERT INTO projects (project_id, name) VALUES ($id, 'x')", {"id": f"K{i}"})
            if i == 200:
                print("MIDWAY", flush=True)
    db.write(slow_write)
    print("COMMITTED", flush=True)
""")


@pytest.fixture
def served(tmp_path):
    """A seeded library published into a snapshot directory, as `make serve` starts it."""
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    db.close()
    snapshots.seed(tmp_path / "snaps", path)
    return path, tmp_path / "snaps"


def count(db: Store) -> int:
    return views.kpis(db, Filters(), AS_OF).projects


def insert_many(n: int):
    def write(cur):
        for i in range(n):  # row by row: the write takes a while, readers run across it
            cur.execute("INSERT INTO projects (project_id, name) VALUES ($id, 'x')", {"id": f"N{i}"})
    return write


def test_worker_is_read_only_and_sees_a_write_from_another_process(served):
    path, snaps = served
    worker = Store(path, snapshot_dir=snaps)
    assert count(worker) == 5
    with pytest.raises(Exception):
        with worker.cursor() as cur:  # the worker's own file is opened read-only
            cur.execute("DELETE FROM projects")
    version = worker.data_version()
    writer = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from portfolio.store import Store
        Store(sys.argv[1], snapshot_dir=sys.argv[2]).write(
            lambda cur: cur.execute("INSERT INTO projects (project_id, name) VALUES ('W1', 'x')"))
    """), str(path), str(snaps)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert writer.returncode == 0, writer.stderr
    assert count(worker) == 6  # the next read notices the new pointer and reopens
    assert worker.data_version() == version + 1
    assert snapshots.read_pointer(snaps).generation == 2
    worker.close()


def test_readers_in_other_processes_see_before_or_after_a_write_never_between(served, tmp_path):
    path, snaps = served
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(path), str(snaps), str(stop)], cwd=ROOT, env=ENV,
                                stdout=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        for r in readers:
            assert r.stdout.readline().strip() == "READY"
        writer = Store(path, snapshot_dir=snaps)
        writer.write(insert_many(400))
        writer.write(insert_many(0))  # a second publish: readers cross two flips
        stop.touch()
        seen = [json.loads(r.stdout.readline()) for r in readers]
    finally:
        stop.touch()
        for r in readers:
            r.wait(timeout=30)
    assert all(set(s) <= {5, 405} for s in seen), seen
    assert all(s[-1] == 405 for s in seen)  # every reader got to the new state
    assert any(5 in s for s in seen)  # and some read before it
    writer.close()


def test_a_writer_killed_mid_commit_leaves_the_published_snapshot_intact(served):
    path, snaps = served
    reader = Store(path, snapshot_dir=snaps)
    before = views.project_table(reader, Filters(), AS_OF, limit=None)
    pointer = snapshots.read_pointer(snaps)
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(path), str(snaps)], cwd=ROOT, env=ENV,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "MIDWAY"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert snapshots.read_pointer(snaps) == pointer
    assert any(p.suffix == ".tmp" for p in snaps.iterdir())  # the killed writer's copy is left behind
    fresh = Store(path, snapshot_dir=snaps)  # a worker started now
    for db in (reader, fresh):
        after = views.project_table(db, Filters(), AS_OF, limit=None)
        assert list(after["project_id"]) == list(before["project_id"])
        assert after["budget_wan"].sum() == pytest.approx(before["budget_wan"].sum())
    fresh.write(insert_many(1))  # the lock died with the writer; the next write goes through
    assert count(reader) == 6
    assert not any(p.suffix == ".tmp" for p in snaps.iterdir())  # and removed the leftover
    reader.close()
    fresh.close()


def test_import_and_undo_in_snapshot_mode(tmp_path):
    path = tmp_path / "lib.duckdb"
    Store(path).close()
    snaps = tmp_path / "snaps"
    snapshots.seed(snaps, path)
    writer = Store(path, snapshot_dir=snaps)
    viewer = Store(path, snapshot_dir=snaps)  # another worker
    _import(writer, BASE)
    earlier = _query_results(viewer)
    _, result = _import(writer, UPDATE, report_date=D2)
    assert _query_results(viewer) != earlier
    version = viewer.data_version()
    assert commit_mod.undo(writer, result.batch_id, ADMIN) == 4
    assert _query_results(viewer) == earlier
    assert viewer.data_version() == version + 1
    states = [h["state"] for h in commit_mod.history(viewer).to_pylist()]
    assert states == ["undone", "committed"]
    # a dry run analysed on the old snapshot is refused at commit after another write: the writer
    # re-checks against the snapshot it copies, not the one it read
    stale = analyse(viewer, UPDATE, "again.xlsx", report_date=D1)
    _import(writer, UPDATE, report_date=D2)
    from portfolio.ingest import pipeline
    from portfolio.ingest.issues import IngestError
    with pytest.raises(IngestError) as err:
        pipeline.commit(writer, stale, ADMIN)
    assert err.value.key == "ing_err_stale_plan"


def test_old_snapshots_go_once_no_worker_holds_them(served):
    path, snaps = served
    holder = Store(path, snapshot_dir=snaps)
    held = snapshots.read_pointer(snaps).file
    assert count(holder) == 5  # holds generation 1 open
    writer = Store(path, snapshot_dir=snaps)
    writer.write(insert_many(1))
    writer.write(insert_many(0))
    files = sorted(p.name for p in snaps.glob("snap-*"))
    assert held in files  # still open in another store: kept
    assert "snap-000002.duckdb" not in files  # published, then superseded and held by nobody
    holder.close()
    writer.write(insert_many(0))
    assert sorted(p.name for p in snaps.glob("snap-*")) == [snapshots.read_pointer(snaps).file]
    writer.close()


def test_restore_in_snapshot_mode_publishes_the_backup(served, tmp_path, monkeypatch):
    path, snaps = served
    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "bk"))
    monkeypatch.setenv(snapshots.ENV, str(snaps))
    writer = Store(path)  # snapshot mode from the environment, as the CLI under `make serve`
    assert writer.snapshots is not None
    kept = writer.backup()
    writer.write(lambda cur: cur.execute("DELETE FROM projects"))
    viewer = Store(path)
    assert count(viewer) == 0
    version = viewer.data_version()
    saved = store_mod.restore(path, kept, ADMIN)
    assert saved is not None and saved.exists()
    assert count(viewer) == 5
    assert viewer.data_version() == version + 1  # past the replaced state: caches keyed on it miss
    assert viewer.one("get_meta", {"key": "schema_version"})["value"] == str(store_mod.SCHEMA_VERSION)
    writer.close()
    viewer.close()
