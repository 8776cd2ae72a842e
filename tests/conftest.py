"""Shared fixtures: databases built in memory from queries/schema.sql."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portfolio import demo  # noqa: E402
from portfolio.store import Store  # noqa: E402


@pytest.fixture
def mem_store() -> Store:
    """An empty in-memory library: schema and gazetteer, no projects."""
    db = Store(":memory:")
    yield db
    db.close()


@pytest.fixture
def seed_store() -> Store:
    """An in-memory library holding the tiny hand-written seed of tests/seed.py."""
    from tests.seed import seed

    db = Store(":memory:")
    seed(db)
    yield db
    db.close()


@pytest.fixture
def demo_store() -> Store:
    """An in-memory library holding the default demo portfolio."""
    db = Store(":memory:")
    demo.build(db)
    yield db
    db.close()


@pytest.fixture
def demo_db_file(tmp_path) -> Path:
    """A demo database file on disk, for AppTest and browser tests."""
    path = tmp_path / "demo.duckdb"
    db = Store(path)
    demo.build(db)
    db.close()
    return path


@pytest.fixture
def app(demo_db_file, monkeypatch):
    """An AppTest of app.py over a fresh demo database file, with Streamlit caches cleared."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PORTFOLIO_DB", str(demo_db_file))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    st.cache_resource.clear()
