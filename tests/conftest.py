"""Shared fixtures: databases built in memory from queries/schema.sql."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portfolio import demo  # noqa: E402

# The app hides error details from users (.streamlit/config.toml); tests need to read them.
from streamlit import config as _st_config  # noqa: E402

_st_config.set_option("client.showErrorDetails", "full")
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
def seed_store_with_photos(seed_store, tmp_path) -> Store:
    """The seed library with a photo folder of its own (photos live beside the database, not in it)."""
    seed_store.photo_root = tmp_path / "photos"
    return seed_store


@pytest.fixture(scope="module")
def demo_library() -> Store:
    """The default demo portfolio in memory, shared by a module's read-only tests (demo.build is
    deterministic, so it equals what a test server builds)."""
    db = Store(":memory:")
    demo.build(db)
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


def sign_in(at, name: str = "admin", role: str = "admin", towns: tuple[str, ...] = (),
            counties: tuple[str, ...] = ()):
    """Log an AppTest session in as a real account (made if missing), the way a reload does:
    through a login token the app resumes. Returns the AppTest."""
    import os

    from portfolio import accounts, auth
    from ui import data

    db = data.get_store(os.environ["PORTFOLIO_DB"])  # the app's own cached connection
    user = auth.get_user(db, name) or accounts.add_user(db, name, role, "test password 1", towns=towns,
                                                     counties=counties)
    at.session_state["auth_token"] = auth.start_session(db, user)
    return at
