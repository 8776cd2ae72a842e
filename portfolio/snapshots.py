"""Snapshot mode: many read-only processes, one writer that publishes whole database files.

DuckDB lets many processes open a file read-only, but none while one process has it open
read-write. So when several dashboard workers serve one library (deploy/serve.py), no process
ever writes the file the readers have open. The directory holds:

    current.json        the pointer: {"file": "snap-000012.duckdb", "generation": 12}
    snap-000012.duckdb  published snapshots; never changed once published
    write.lock          flock'ed exclusively by the one writer (across processes)

A write (Writer.write) copies the current snapshot, applies the change in one transaction on
the copy, CHECKPOINTs, fsyncs, renames it to its snap- name and flips the pointer (write a
temp file, fsync, os.replace). A reader sees the pointer before or after the flip, so it opens
the old or the new file, never one half written. A writer killed at any point leaves the last
published snapshot and pointer as they were; its temp file is removed by the next writer.

Readers hold a shared flock on the snapshot file they have open; cleanup removes any older
snapshot it can lock exclusively, i.e. that no process has open any more.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import duckdb

ENV = "PORTFOLIO_SNAPSHOTS"
POINTER = "current.json"
WRITE_LOCK = "write.lock"
T = TypeVar("T")


def directory_from_env() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


@dataclass(frozen=True)
class Pointer:
    file: str
    generation: int


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def read_pointer(directory: Path) -> Pointer:
    data = json.loads((Path(directory) / POINTER).read_text())
    return Pointer(data["file"], int(data["generation"]))


def _publish_pointer(directory: Path, pointer: Pointer) -> None:
    tmp = directory / f".{POINTER}.{uuid.uuid4().hex}"
    with open(tmp, "w") as f:
        json.dump({"file": pointer.file, "generation": pointer.generation}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, directory / POINTER)  # atomic: readers see the old or the new pointer
    _fsync_dir(directory)


def _name(generation: int) -> str:
    return f"snap-{generation:06d}.duckdb"


def seed(directory: str | Path, source: str | Path) -> Pointer:
    """Publish a copy of the database file `source` (closed, checkpointed) as the next snapshot."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory / WRITE_LOCK):
        generation = read_pointer(directory).generation + 1 if (directory / POINTER).exists() else 1
        pointer = _publish_copy(directory, Path(source), generation)
        cleanup(directory)
        return pointer


def _publish_copy(directory: Path, source: Path, generation: int,
                  change: Callable[[duckdb.DuckDBPyConnection], Any] | None = None,
                  memory_limit: str | None = None) -> Any:
    """Copy `source`, apply `change` to the copy, make it durable and publish it. Returns change's result."""
    tmp = directory / f"{_name(generation)}.{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(source, tmp)
        result = None
        if change is not None:
            con = duckdb.connect(str(tmp), config={"memory_limit": memory_limit} if memory_limit else {})
            try:
                result = change(con)
                con.execute("CHECKPOINT")  # everything in the main file: no .wal travels with it
            finally:
                con.close()
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        _fsync_file(tmp)
        final = directory / _name(generation)
        os.replace(tmp, final)
        _fsync_dir(directory)
        _publish_pointer(directory, Pointer(final.name, generation))
        return result if change is not None else Pointer(final.name, generation)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


class _exclusive:
    """A blocking exclusive flock on `path` (the one-writer lock across processes)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # closing drops the flock


def cleanup(directory: str | Path) -> list[str]:
    """Remove snapshots other than the current one that no process holds; leftovers of killed writers.

    Call under the write lock (a writer's temp file is otherwise still in use).
    """
    directory = Path(directory)
    current = read_pointer(directory).file
    removed = []
    for path in directory.glob("snap-*"):
        if path.name == current:
            continue
        if path.suffix == ".tmp" or path.name.endswith(".tmp.wal"):
            path.unlink(missing_ok=True)
            removed.append(path.name)
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # some reader still has it open
        else:
            path.unlink(missing_ok=True)
            removed.append(path.name)
        finally:
            os.close(fd)
    for stale in directory.glob(f".{POINTER}.*"):
        stale.unlink(missing_ok=True)
    return removed


class _Opened:
    """One snapshot opened read-only, with a shared flock that keeps cleanup from removing it.

    Closed when the last reference goes (the store's current one, or a run that pinned it).
    """

    def __init__(self, directory: Path, pointer: Pointer, memory_limit: str | None):
        self.pointer = pointer
        path = directory / pointer.file
        self.fd = os.open(path, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_SH)
        try:
            config = {"memory_limit": memory_limit} if memory_limit else {}
            self.con = duckdb.connect(str(path), read_only=True, config=config)
        except BaseException:
            os.close(self.fd)
            raise

    def __del__(self):
        try:
            self.con.close()
        finally:
            os.close(self.fd)


class Snapshots:
    """A process's view of a snapshot directory: the open current snapshot and the write path."""

    def __init__(self, directory: str | Path, memory_limit: str | None = None):
        self.directory = Path(directory)
        self.memory_limit = memory_limit
        self._lock = threading.Lock()  # guards the open snapshot
        self._write_lock = threading.Lock()  # one writer per process; the flock orders processes
        self._stat: tuple[int, int] | None = None
        self._opened: _Opened | None = None
        self._local = threading.local()
        self.refresh()

    # Reads ---------------------------------------------------------------------
    def refresh(self) -> _Opened:
        """The newest published snapshot, reopened when the pointer changed (a stat when not)."""
        try:
            st = os.stat(self.directory / POINTER)
        except FileNotFoundError:
            raise FileNotFoundError(f"no published snapshot in {self.directory}: `make serve` (deploy/serve.py) "
                                    f"publishes the first one") from None
        stamp = (st.st_ino, st.st_mtime_ns)
        with self._lock:
            if self._opened is None or stamp != self._stat:
                pointer = read_pointer(self.directory)
                if self._opened is None or pointer != self._opened.pointer:
                    self._opened = _Opened(self.directory, pointer, self.memory_limit)
                self._stat = stamp
            return self._opened

    def pin(self, token: object) -> None:
        """Keep this thread on one snapshot while `token` stays the same object (one script run):
        a page's queries all see one state. A new token refreshes first."""
        if getattr(self._local, "token", None) is not token:
            self._local.token = token
            self._local.opened = self.refresh()

    def connection(self) -> duckdb.DuckDBPyConnection:
        opened = getattr(self._local, "opened", None)
        if opened is None:
            opened = self.refresh()
        return opened.con

    def current_file(self) -> Path:
        return self.directory / self.refresh().pointer.file

    @property
    def generation(self) -> int:
        return self.refresh().pointer.generation

    # Writes --------------------------------------------------------------------
    def write(self, change: Callable[[duckdb.DuckDBPyConnection], T], start_from: Path | None = None) -> T:
        """Apply `change(connection)` to a copy of the current snapshot (or of `start_from`) and publish it.

        One writer at a time across processes (an exclusive flock on write.lock). `change` runs its
        own transaction; if it raises, nothing is published.
        """
        with self._write_lock, _exclusive(self.directory / WRITE_LOCK):
            current = read_pointer(self.directory)
            source = Path(start_from) if start_from else self.directory / current.file
            result = _publish_copy(self.directory, source, current.generation + 1, change, self.memory_limit)
            opened = self.refresh()  # this process sees its own write at once and lets go of the old one
            if getattr(self._local, "opened", None) is not None:
                self._local.opened = opened
            cleanup(self.directory)
        return result

    def close(self) -> None:
        self._opened = None
        self._local = threading.local()
