"""Memos that spare a warm rerun repeated work: the data version read once per script run,
and results a session keeps between its own reruns.

Every cached reader asks for the data version (a query), and a page calls 20 to 40 of them
per run: one read per run is enough. A write inside a run is followed by st.rerun() (every
writer in ui/ and app_pages/ does), so the next run reads the new version.

st.cache_data hashes its arguments and unpickles a copy of its answer on every call (about
1 ms for a Filters argument); a session memo answers a repeated call with a dict lookup.
What it returns is shared between reruns: callers read it and never change it. Each memo slot
keeps its latest value only (the common rerun repeats the filters of the run before).
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Hashable, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from portfolio.store import Store

T = TypeVar("T")

# id(ScriptRunContext) -> (the run's cursors dict, {name: value}). A session keeps its context across
# reruns and gives it a fresh `cursors` dict at the start of each run: that dict marks the run.
# (The context is an unhashable dataclass: keyed by id, the entry dropped when the context goes.)
_RUNS: dict[int, tuple[dict, dict[Hashable, Any]]] = {}


def per_run(name: Hashable, compute: Callable[[], T]) -> T:
    """compute(), once per script run (outside a run, every time)."""
    ctx = get_script_run_ctx()
    if ctx is None:  # outside a script run (tests, threads)
        return compute()
    run, values = _RUNS.get(id(ctx), (None, None))
    if run is not ctx.cursors:
        if run is None:
            weakref.finalize(ctx, _RUNS.pop, id(ctx), None)
        run, values = ctx.cursors, {}
        _RUNS[id(ctx)] = (run, values)
    if name not in values:
        values[name] = compute()
    return values[name]


def data_version(db: Store) -> int:
    """db.data_version(), read once per script run."""
    return per_run(("data_version", id(db)), db.data_version)


_SESSION_KEY = "_run_memo"


def session_memo(slot: str, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), remembered by this session in `slot` while `key` (which must name the data version)
    stays the same. A slot holds its latest value only, so a session keeps little."""
    memo: dict[str, tuple[Hashable, Any]] = st.session_state.setdefault(_SESSION_KEY, {})
    held = memo.get(slot)
    if held is not None and held[0] == key:
        return held[1]
    value = compute()
    memo[slot] = (key, value)
    return value
