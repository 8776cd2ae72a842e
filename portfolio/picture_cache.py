"""Rendered map pictures, kept so that the deck, the report and the PNG download share one render.

A picture costs a headless Chromium run (6-8 s); building the page it is taken of costs a few tens of
milliseconds. So the key is a hash of that page (data, title, legend, language, demo mark) and the pixel
size: a picture can never be stale, whatever changed (an import, a restore to an older backup, another
database, new code), and nothing has to be invalidated.

Where: files in `cache/map_pictures/` beside the database file, because the CLI is a fresh process on
every run and the app restarts; the files let both reuse what either rendered. The newest
`KEEP_FILES` are kept. An in-memory database (tests) keeps its pictures in a small in-process LRU.
Concurrent requests for one key wait for the first render instead of starting their own.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

KEEP_FILES = 64  # about 300 KB each
MEMORY_ENTRIES = 16


class PictureCache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.memory: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()
        self.key_locks: dict[str, threading.Lock] = {}
        self.hits = self.misses = 0

    def _path(self, key: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{key}.png"

    def get(self, key: str) -> bytes | None:
        with self.lock:
            if key in self.memory:
                self.memory.move_to_end(key)
                return self.memory[key]
        path = self._path(key)
        if path is not None and path.is_file():
            try:
                data = path.read_bytes()
            except OSError:
                return None
            try:
                os.utime(path)  # recently used: pruned last
            except OSError:
                pass
            self._remember(key, data)
            return data
        return None

    def _remember(self, key: str, data: bytes) -> None:
        with self.lock:
            self.memory[key] = data
            self.memory.move_to_end(key)
            while len(self.memory) > MEMORY_ENTRIES:
                self.memory.popitem(last=False)

    def put(self, key: str, data: bytes) -> None:
        self._remember(key, data)
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # readers see the whole file or none
            self._prune()
        except OSError:
            pass  # a read-only folder: the picture is still kept in memory

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            old.unlink(missing_ok=True)

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The cached picture, or `make()`'s, stored for next time (one render per key at a time)."""
        with self.lock:
            key_lock = self.key_locks.setdefault(key, threading.Lock())
        with key_lock:
            data = self.get(key)
            if data is not None:
                self.hits += 1
                return data
            self.misses += 1
            data = make()
            self.put(key, data)
            return data


_caches: dict[str, PictureCache] = {}
_caches_lock = threading.Lock()


def folder_for(db_path: str) -> Path | None:
    """cache/map_pictures beside the database file ($PORTFOLIO_CACHE overrides); None in memory."""
    explicit = os.environ.get("PORTFOLIO_CACHE")
    if explicit:
        return Path(explicit) / "map_pictures"
    if db_path == ":memory:":
        return None
    return Path(db_path).resolve().parent / "cache" / "map_pictures"


def for_store(db) -> PictureCache:
    """The cache of this store's database file; in-memory stores share one in-process cache (the keys
    are the pages' content, so pictures of different stores cannot be confused)."""
    key = db.path
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = PictureCache(folder_for(db.path))
        return cache
