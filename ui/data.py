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
