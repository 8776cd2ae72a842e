"""Browser-test fixtures: a Streamlit server on a local port over a demo database.

The shared server listens on $PORTFOLIO_E2E_PORT when set (e.g. to watch it while the tests
run, or where only some ports are open), else on a free port; other servers take free ports.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy.serve import stop, wait_healthy
from tests.e2e.browser import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT_ENV = "PORTFOLIO_E2E_PORT"


def shared_port() -> int:
    """The shared server's port: $PORTFOLIO_E2E_PORT when set, else a free one.

    Under pytest-xdist each worker runs its own shared server, so worker gwN takes the set port + N.
    """
    if not os.environ.get(PORT_ENV):
        return _free_port()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(os.environ[PORT_ENV]) + int(worker.removeprefix("gw") or 0)


@contextmanager
def running_app(db: Path, port: int | None = None, launcher: list[str] | None = None, prepare=None,
                env: dict[str, str] | None = None, address: str | None = "127.0.0.1"):
    """Serve the dashboard over a fresh demo database at `db` (on `port`, else a free one);
    yields the base URL. `launcher` replaces `python -m streamlit` (e.g. a wrapper script).
    `prepare(db_path)` runs after the demo is built and before the server opens the file
    (e.g. to add accounts). `env` adds variables; `address=None` starts as `make run` does
    when no address is given."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    env = {**os.environ, **(env or {}), "PORTFOLIO_DB": str(db)}
    subprocess.run([sys.executable, "-m", "portfolio", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    if prepare is not None:
        prepare(db)
    port = port or _free_port()
    log_path = db.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*(launcher or [sys.executable, "-m", "streamlit"]), "run", "app.py", "--server.port", str(port),
             *(("--server.address", address) if address else ()), "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            try:
                wait_healthy(url, [proc])
            except RuntimeError:
                pytest.fail("the Streamlit server did not become healthy: " + log_path.read_text())
            yield url
        finally:
            stop([proc])


def with_users(*users: tuple[str, str, str, dict]):
    """A `prepare` for running_app that adds accounts: (name, role, password, keyword options)."""
    def prepare(db: Path) -> None:
        from portfolio import accounts
        from portfolio.store import Store

        store = Store(db)
        for name, role, password, options in users:
            accounts.add_user(store, name, role, password, **options)
        store.close()
    return prepare


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Base URL of a running dashboard on a fresh demo database, shared by the session's tests."""
    with running_app(tmp_path_factory.mktemp("e2e") / "demo.duckdb", port=shared_port()) as url:
        yield url


@pytest.fixture
def shot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $SCREENSHOT_DIR if set (to look at them), else a temp dir."""
    target = os.environ.get("SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path
