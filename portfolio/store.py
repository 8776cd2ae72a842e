"""The DuckDB store: connection, schema migration, reads, and the single write path.

One connection per process. Every read takes its own cursor; every write goes
through `Store.write`, under a lock, in one transaction that also bumps the data
version so that caches keyed on it never serve stale results.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from portfolio import geo, photos, snapshots, sql
from portfolio.store_errors import (StoreBusyError, StoreCorruptError, StoreMemoryError,  # noqa: F401 (re-exported)
                                    _corrupt, _out_of_memory)

SCHEMA_VERSION = 9  # 4: accounts, login sessions and the audit log; 5: field updates and site photos;
# 6: each project's town report date (late per town); 7: village indicators (outcomes_schema);
# 8: stored place keys (queries/place_keys.sql) and the last two reports' status/spending in progress_latest;
# 9: the city's town boundaries (borders_schema) and each project's stored map position (map_lon, map_lat,
# map_placement; kept with the place keys, recomputed when the signature over county, town, village,
# lon, lat and location precision changes)
# DDL files run in order by migrate(); every statement in them is idempotent.
SCHEMA_FILES = ("schema", "accounts_schema", "field_schema", "outcomes_schema", "borders_schema")
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "portfolio.duckdb"
DEFAULT_MEMORY_LIMIT = "2GB"
BACKUPS_KEPT = 10
REPORTS_PER_REBUILD_PART = 2_000_000

T = TypeVar("T")


def db_path_from_env() -> Path:
    return Path(os.environ.get("PORTFOLIO_DB") or DEFAULT_DB)


class Store:
    """A DuckDB database holding one project library."""

    def __init__(self, path: str | Path = ":memory:", memory_limit: str | None = None,
                 snapshot_dir: str | Path | None = None):
        """`snapshot_dir` (or $PORTFOLIO_SNAPSHOTS) switches on snapshot mode (portfolio.snapshots):
        reads from the newest published snapshot, read-only; writes publish a new one. `path` then
        only places the photos and backups. Without it, the file at `path` is opened read-write."""
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        limit = memory_limit or os.environ.get("PORTFOLIO_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
        self._write_lock = threading.Lock()
        self.snapshots: snapshots.Snapshots | None = None
        snapshot_dir = snapshot_dir or (snapshots.directory_from_env() if self.path != ":memory:" else None)
        if snapshot_dir:
            try:
                self.snapshots = snapshots.Snapshots(snapshot_dir, limit)  # migrated when it was seeded
            except duckdb.OutOfMemoryException as exc:
                raise _out_of_memory(str(snapshot_dir), limit) from exc
            except duckdb.Error as exc:
                raise _corrupt(str(snapshot_dir)) from exc
            return
        try:
            # The memory limit matters: DuckDB otherwise takes all free memory of a shared machine.
            self._con = duckdb.connect(self.path, config={"memory_limit": limit})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreBusyError(
                    f"数据库 {self.path} 正被另一个进程（通常是正在运行的看板）占用。"
                    f" The database is held by another process (usually the running dashboard)."
                ) from exc
            raise _corrupt(self.path) from exc
        except duckdb.OutOfMemoryException as exc:
            raise _out_of_memory(self.path, limit) from exc
        except duckdb.Error as exc:
            raise _corrupt(self.path) from exc
        try:
            self.migrate()
        except duckdb.OutOfMemoryException as exc:  # an upgrade of a large file: nothing was changed
            self._con.close()
            raise _out_of_memory(self.path, limit) from exc
        except duckdb.Error as exc:  # a file DuckDB opens but whose tables are not ours or are damaged
            self._con.close()
            raise _corrupt(self.path) from exc

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection reads use: the file's, or in snapshot mode the snapshot this run sees."""
        return self._con if self.snapshots is None else self.snapshots.connection()

    # Reads ---------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def arrow(self, name: str, params: dict | None = None) -> pa.Table:
        """Run a named query; the result as an Arrow table."""
        text, params = sql.bind(name, params)  # the filter's WHERE holds only the filters set
        with self.cursor() as cur:
            return cur.sql(text, params=params).to_arrow_table()

    def df(self, name: str, params: dict | None = None) -> pd.DataFrame:
        """Run a named query; the result as a DataFrame (converted through Arrow)."""
        return self.arrow(name, params).to_pandas()

    def rows(self, name: str, params: dict | None = None) -> list[tuple]:
        text, params = sql.bind(name, params)
        with self.cursor() as cur:
            return cur.execute(text, params).fetchall()

    def one(self, name: str, params: dict | None = None) -> dict[str, Any] | None:
        """First row of a named query as a dict, or None."""
        text, params = sql.bind(name, params)
        with self.cursor() as cur:
            result = cur.execute(text, params)
            rows = result.fetchall()  # DuckDB 2 refuses new work while a result is unfinished
            if not rows:
                return None
            return dict(zip([d[0] for d in result.description], rows[0]))

    def meta(self, key: str) -> str | None:
        row = self.one("get_meta", {"key": key})
        return None if row is None else row["value"]

    def data_version(self) -> int:
        return int(self.meta("data_version") or 0)

    # Writes --------------------------------------------------------------------
    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], touches_data: bool = True) -> T:
        """Run fn(cursor) in one transaction under the write lock; bump the data version.

        Any exception rolls the whole transaction back and is re-raised. Writes that change
        no project data (logins, accounts) pass touches_data=False so caches stay warm.
        """
        if self.snapshots is not None:  # one writer across processes publishes a new snapshot
            return self.snapshots.write(lambda con: _transaction(con, fn, touches_data))
        with self._write_lock:
            return _transaction(self._con, fn, touches_data)

    def migrate(self) -> None:
        """Create or upgrade the schema (idempotent) and load the gazetteer once."""
        with self._write_lock:
            migrate_on(self._con)

    def backup(self, keep: int = BACKUPS_KEPT, label: str = "import") -> Path | None:
        """Copy the database file to data/backups (or $PORTFOLIO_BACKUPS); keep the newest `keep`.

        Taken under the write lock after a CHECKPOINT, so the copy is a committed state:
        this process is the only writer and readers do not change the file.
        """
        if self.path == ":memory:":
            return None
        directory = backup_dir(Path(self.path))
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = directory / f"{Path(self.path).stem}-{stamp}-{label}.duckdb"
        if self.snapshots is not None:  # a published snapshot is checkpointed and never changes
            shutil.copy2(self.snapshots.current_file(), target)
            photos.backup_photos(Path(self.path), target)
        else:
            with self._write_lock, self.cursor() as cur:
                cur.execute("CHECKPOINT")
                shutil.copy2(self.path, target)
                photos.backup_photos(Path(self.path), target)  # the photo files live beside the database
        rotate_backups(Path(self.path), keep)
        return target

    def close(self) -> None:
        if self.snapshots is not None:
            self.snapshots.close()
        else:
            self._con.close()


def migrate_on(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the schema of the database behind `con` (idempotent); load the gazetteer once."""
    with con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            had_meta = cur.execute(sql.query("meta_table_exists")).fetchall()[0][0] > 0
            old_version = int((cur.execute(sql.query("get_meta"), {"key": "schema_version"}).fetchall()
                               or [[0]])[0][0]) if had_meta else SCHEMA_VERSION
            for stem in SCHEMA_FILES:
                for statement in sql.file_queries(stem).values():
                    cur.execute(statement)
            if old_version < 8:
                refresh_progress_latest(cur)  # fills the rollup columns added by schemas 2, 3, 6 and 8
            cur.execute(sql.query("set_meta"), {"key": "schema_version", "value": str(SCHEMA_VERSION)})
            if cur.execute(sql.query("count_towns")).fetchall()[0][0] == 0:
                load_gazetteer(cur)
                cur.execute(sql.query("forget_place_keys"))  # keys depend on the gazetteer
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        fill_place_keys(cur)  # the keys added by schema 8, or stale ones


def _transaction(con: duckdb.DuckDBPyConnection, fn: Callable[[duckdb.DuckDBPyConnection], T],
                 touches_data: bool) -> T:
    with con.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            result = fn(cur)
            if touches_data:
                cur.execute(sql.query("sync_place_keys"), {"limit": 2**62})  # only rows whose place changed
                cur.execute(sql.query("bump_data_version"))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return result


def backup_dir(db_path: Path) -> Path:
    return Path(os.environ.get("PORTFOLIO_BACKUPS") or db_path.parent / "backups")


def list_backups(db_path: Path) -> list[Path]:
    """Backups of this database, newest first."""
    directory = backup_dir(db_path)
    if not directory.exists():
        return []
    return sorted(directory.glob(f"{db_path.stem}-*.duckdb"), reverse=True)


def check_backup(backup: Path) -> None:
    """Refuse a file that is not a readable project library (StoreCorruptError), before anything changes."""
    try:
        check = duckdb.connect(str(backup), read_only=True)
        try:
            check.execute("SELECT count(*) FROM projects").fetchall()
        finally:
            check.close()
    except (duckdb.Error, OSError) as exc:
        raise StoreCorruptError(
            f"备份文件 {Path(backup).name} 无法读取，未做任何改动。"
            f" The backup {Path(backup).name} cannot be read; nothing was changed."
        ) from exc


def backup_kind(path: Path) -> str:
    """The label a backup was taken with ("import", "before-restore", ...)."""
    match = re.search(r"-\d{8}-\d{6}-\d{6}-(.+)$", path.stem)
    return match.group(1) if match else ""


def rotate_backups(db_path: Path, keep: int = BACKUPS_KEPT) -> None:
    """Keep the newest `keep` backups, and always the newest of each kind: ten failed restores
    or ten imports never push out the last good pre-import copy."""
    backups = list_backups(db_path)
    newest_of_kind = {}
    for path in backups:  # newest first
        newest_of_kind.setdefault(backup_kind(path), path)
    for old in backups[keep:]:
        if old not in newest_of_kind.values():
            old.unlink(missing_ok=True)
            photos.remove_backup(old)


def restore(db_path: Path, backup: Path, user) -> Path | None:
    """Put `backup` in place of the database (admins only); the current file is kept as a backup first.

    The backup is checked before anything is copied. Accounts, logins and the audit log are
    not part of the restored state: they are carried over from the file being replaced,
    and the restore itself is audited. Refuses (StoreBusyError) while another process,
    such as the dashboard, holds the file.
    """
    from portfolio import auth

    auth.require_admin(user, "auth_action_restore")
    db_path, backup = Path(db_path), Path(backup)
    check_backup(backup)
    saved = None
    if db_path.exists() or snapshots.directory_from_env():
        current = Store(db_path)  # raises StoreBusyError when the dashboard holds it
        saved = current.backup(label="before-restore")
        if current.snapshots is not None:  # served by workers: publish the backup as the next snapshot
            version = current.data_version()  # the running workers' caches are keyed on it: go past it
            work = _restore_work(backup, saved, user)

            def change(con: duckdb.DuckDBPyConnection) -> None:
                migrate_on(con)
                _transaction(con, lambda cur: (cur.execute(sql.query("set_meta"), {"key": "data_version",
                                                                                   "value": str(version)}),
                                               work(cur)), True)
            try:
                photos.restore_photos(db_path, backup)
                current.snapshots.write(change, start_from=backup)
            finally:
                current.close()
            return saved
        current.close()
    tmp = db_path.with_suffix(".restoring")
    shutil.copy2(backup, tmp)
    Path(str(db_path) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, db_path)  # atomic on one filesystem
    photos.restore_photos(db_path, backup)
    restored = Store(db_path)
    try:
        restored.write(_restore_work(backup, saved, user))
    finally:
        restored.close()
    return saved


def _restore_work(backup: Path, saved: Path | None, user) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """The restore's own write: carry accounts, logins and the audit log over from `saved`; audit it."""
    from portfolio import audit

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        if saved is not None:
            cur.execute("ATTACH ? AS prior (READ_ONLY)", [str(saved)])
            for name in ("carry_over_accounts", "carry_over_users", "carry_over_sessions_clear",
                         "carry_over_sessions", "carry_over_audit"):
                cur.execute(sql.query(name))
        audit.record(cur, "restore", user.name, file_name=backup.name, detail=f"saved: {saved.name if saved else '-'}")
    return work


def load_gazetteer(cur: duckdb.DuckDBPyConnection) -> None:
    """Fill towns and villages from data/geo (WGS-84 town points)."""
    town_rows = pd.DataFrame([t.__dict__ for t in geo.towns()])
    cur.register("town_rows", town_rows)
    cur.execute(sql.query("insert_towns"))
    cur.unregister("town_rows")
    village_rows = pd.DataFrame(
        [{"village_code": v.village_code, "village": v.village, "village_stem": v.stem,
          "town_code": v.town_code, "county_code": v.county_code} for v in geo.villages()]
    )
    cur.register("village_rows", village_rows)
    cur.execute(sql.query("insert_villages"))
    cur.unregister("village_rows")


def refresh_progress_latest(cur: duckdb.DuckDBPyConnection, project_ids: list[str] | None = None) -> None:
    """Recompute the progress rollup for the given projects (all when None) and copy it into
    the projects' rollup columns (wherever they differ, so rows rewritten by an import are
    corrected too)."""
    if project_ids is None:  # a part at a time: about two million reports each (memory stays bounded)
        cur.execute(sql.query("clear_progress_latest"))
        parts = max(1, -(-cur.execute(sql.query("count_reports")).fetchall()[0][0] // REPORTS_PER_REBUILD_PART))
        for part in range(parts):
            cur.execute(sql.query("pick_rollup_part"), {"parts": parts, "part": part})
            cur.execute(sql.query("insert_progress_latest_for"))
            cur.execute(sql.query("drop_rollup_part"))
    else:
        ids = pd.DataFrame({"project_id": pd.Series(project_ids, dtype="string")})
        cur.register("changed_ids", ids)
        try:
            cur.execute(sql.query("delete_progress_latest_for"))
            cur.execute(sql.query("insert_progress_latest_for"))
        finally:
            try:
                cur.unregister("changed_ids")
            except duckdb.Error:
                pass  # an aborted transaction refuses even this; the original error matters
    cur.execute(sql.query("sync_project_rollups"))


def fill_place_keys(cur: duckdb.DuckDBPyConnection, rows_at_a_time: int = 2_000_000) -> None:
    """Bring every project's stored place keys up to date, `rows_at_a_time` rows a transaction (a
    10M library filled at once needs more than the memory limit; keys left stale by a cut-off fill
    are found again at the next open)."""
    while True:
        cur.execute("BEGIN TRANSACTION")
        try:
            done = cur.execute(sql.query("sync_place_keys"), {"limit": rows_at_a_time}).fetchall()[0][0]
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        if done < rows_at_a_time:
            return


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
