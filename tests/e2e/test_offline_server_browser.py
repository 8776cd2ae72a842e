"""The server makes no outside request: start-up (as `make run` starts it, no --server.address)
and a walk of every page, under an audit hook on socket.connect."""
from __future__ import annotations

import sys
from pathlib import Path

from tests.e2e.browser import browser_page, wait_until_rendered
from tests.e2e.conftest import running_app

PAGES = ("/", "/projects", "/map", "/towns", "/upload")


def test_no_outside_connection_at_start_or_on_any_page(tmp_path):
    db, connects = tmp_path / "demo.duckdb", tmp_path / "connects.log"
    launcher = [sys.executable, str(Path(__file__).with_name("audit_launcher.py"))]
    # No --server.address: the server starts exactly as `make run` would without ADDRESS.
    with running_app(db, launcher=launcher, env={"CONNECT_LOG": str(connects)}, address=None) as url:
        with browser_page() as page:
            for path in PAGES:
                page.goto(url + path)
                wait_until_rendered(page)
            assert page.outside_requests == []
    made = connects.read_text() if connects.exists() else ""
    assert made == "", f"outside connections: {made}"
    assert "Did not auto detect external IP" not in db.with_suffix(".log").read_text()
