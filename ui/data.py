"""Cached data access for pages: one store per process, results keyed by data version.

Pages call the portfolio.views functions through typed wrappers (`data.kpis(filters,
as_of)`, `data.facet_counts(filters, "town")`): same names, same arguments minus the
store, so a reader and a static tool can follow every call. Each wrapper runs through
one st.cache_data function keyed by the view's name, its arguments and the data version.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Concatenate, ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from portfolio import views
from portfolio.store import Store, StoreCorruptError, StoreMemoryError, db_path_from_env
from ui import figures, run_memo

P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    """The process's one connection to the database at `path`."""
    return Store(path)


def store() -> Store:
    """The store, or a page that says in words why it cannot be opened (and stops the run)."""
    return run_memo.per_run("store", _open_store)  # asked by every reader: one cache lookup per run


def _open_store() -> Store:
    try:
        db = get_store(str(db_path_from_env()))
    except StoreCorruptError:  # the details (and the path) go to the server log, not to every user
        from ui.lang import tr

        logging.getLogger("portfolio").exception("the database cannot be opened")
        st.error(tr("db_unreadable"), icon=":material/database:")
        st.stop()
    except StoreMemoryError:  # not damaged: a restore would be the wrong advice
        from ui.lang import tr

        logging.getLogger("portfolio").exception("the database needs more memory than the limit to open")
        st.error(tr("db_out_of_memory"), icon=":material/memory:")
        st.stop()
    if db.snapshots is not None:  # served by several workers: one snapshot per script run, newest at its start
        db.snapshots.pin(_this_run())
    return db


def _this_run() -> object:
    """An object that is new for each script run of this session (Streamlit resets the run's cursors)."""
    ctx = get_script_run_ctx()
    return ctx.cursors if ctx is not None else None


@st.cache_data(show_spinner=False, max_entries=1024)
def _run(name: str, data_version: int, args: tuple, kwargs: tuple, _fn: Callable[..., Any], _db: Store):
    """_fn(_db, *args, **kwargs), cached per view name, arguments and data version."""
    return _fn(_db, *args, **dict(kwargs))


def cached(fn: Callable[Concatenate[Store, P], R]) -> Callable[P, R]:
    """A views function without its store argument, its answers cached for the current data."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        db = store()
        return _run(name, run_memo.data_version(db), args, tuple(sorted(kwargs.items())), _fn=fn, _db=db)

    return call


data_date = cached(views.data_date)
is_demo = cached(views.is_demo)
kpis = cached(views.kpis)
facet_counts = cached(views.facet_counts)
by_category = cached(views.by_category)
area_totals_by_category = cached(views.area_totals_by_category)
by_status = cached(views.by_status)
by_town = cached(views.by_town)
monthly_trend = cached(views.monthly_trend)
attention = cached(views.attention)
project_table = cached(views.project_table)
project_detail = cached(views.project_detail)
project_history = cached(views.project_history)
by_village = cached(views.by_village)
teams = cached(views.teams)
changes_since_previous_report = cached(views.changes_since_previous_report)
town_comparison = cached(views.town_comparison)


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(chart_name: str, view_name: str, data_version: int, lang: str, view_args: tuple, view_kwargs: tuple,
            chart_args: tuple, _chart: Callable[..., Any], _view: Callable[..., Any], _db: Store):
    """A plotly figure built once per view result, language and data version.

    Building a figure costs ~20 ms of plotly validation; the figure is shared (cache_resource,
    no copy) because pages only hand it to st.plotly_chart, which does not change it.
    """
    result = _run(view_name, data_version, view_args, view_kwargs, _fn=_view, _db=_db)
    return figures.sendable(_chart(result, lang, *chart_args))  # its dict made once, not on every rerun


def figure(chart: Callable[..., R], view: Callable[..., Any], lang: str, *view_args,
           chart_args: tuple = (), **view_kwargs) -> R:
    """chart(view(*view_args, **view_kwargs), lang, *chart_args), cached for the current data.

    `view` is a views function or its cached wrapper from this module.
    """
    fn = getattr(view, "__wrapped__", view)
    db = store()
    names = (f"{chart.__module__}.{chart.__qualname__}", f"{fn.__module__}.{fn.__qualname__}")
    version, kwargs = run_memo.data_version(db), tuple(sorted(view_kwargs.items()))
    # The session keeps the (shared) figure too: a warm rerun finds it without hashing the arguments.
    return run_memo.session_memo(f"figure {names}", (version, lang, view_args, kwargs, chart_args),
                                 lambda: _figure(*names, version, lang, view_args, kwargs, chart_args,
                                                 _chart=chart, _view=fn, _db=db))
