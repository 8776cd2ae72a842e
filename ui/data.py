"""Cached data access for pages: one store per process, results keyed by data version."""
from __future__ import annotations

from datetime import date

import streamlit as st

from portfolio import views
from portfolio.filters import Filters
from portfolio.store import Store, db_path_from_env


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    """The process's one connection to the database at `path`."""
    return Store(path)


def store() -> Store:
    return get_store(str(db_path_from_env()))


@st.cache_data(show_spinner=False, max_entries=512)
def _view(name: str, filters: Filters | None, as_of: date | None, data_version: int,
          kwargs: tuple, _db: Store):
    """Run portfolio.views.<name>; cached per arguments and data version."""
    fn = getattr(views, name)
    given = {"filters": filters, "as_of": as_of, **dict(kwargs)}
    return fn(_db, **{k: v for k, v in given.items() if v is not None or k in dict(kwargs)})


def view(name: str, filters: Filters | None = None, as_of: date | None = None, **kwargs):
    """A cached answer from portfolio.views for the current data."""
    db = store()
    return _view(name, filters, as_of, db.data_version(), tuple(sorted(kwargs.items())), _db=db)


def data_date() -> date:
    db = store()
    return _view("data_date", None, None, db.data_version(), (), _db=db)


def is_demo() -> bool:
    db = store()
    return _view("is_demo", None, None, db.data_version(), (), _db=db)


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(chart: str, view_name: str, filters: Filters | None, as_of: date | None, data_version: int,
            lang: str, view_kwargs: tuple, chart_args: tuple, _db: Store):
    """A plotly figure built once per view result, language and data version.

    Building a figure costs ~20 ms of plotly validation; the figure is shared (cache_resource,
    no copy) because pages only hand it to st.plotly_chart, which does not change it.
    """
    from portfolio import charts

    result = _view(view_name, filters, as_of, data_version, view_kwargs, _db=_db)
    return getattr(charts, chart)(result, lang, *chart_args)


def figure(chart: str, view_name: str, lang: str, filters: Filters | None = None, as_of: date | None = None,
           chart_args: tuple = (), **view_kwargs):
    """charts.<chart>(views.<view_name>(...), lang, *chart_args), cached for the current data."""
    db = store()
    return _figure(chart, view_name, filters, as_of, db.data_version(), lang, tuple(sorted(view_kwargs.items())),
                   chart_args, _db=db)
