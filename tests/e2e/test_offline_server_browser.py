"""The server makes no outside request: start-up (as `make run` starts it, no --server.address)
and a walk of every page, under an audit hook on socket.connect."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.e2e.browser import browser_page, wait_until_rendered
from tests.e2e.conftest import ROOT, _free_port

PAGES = ("/", "/projects", "/map", "/towns", "/upload")


def _wait_healthy(url: str, proc, log: Path) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not become healthy: " + log.read_text())


def test_no_outside_connection_at_start_or_on_any_page(tmp_path):
    db, connects, log = tmp_path / "demo.duckdb", tmp_path / "connects.log", tmp_path / "server.log"
    env = {**os.environ, "PORTFOLIO_DB": str(db), "CONNECT_LOG": str(connects)}
    subprocess.run([sys.executable, "-m", "portfolio", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = _free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("audit_launcher.py")), "run", "app.py",
                                 "--server.port", str(port), "--server.headless", "true"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc, log)
        with browser_page() as page:
            for path in PAGES:
                page.goto(url + path)
                wait_until_rendered(page)
            assert page.outside_requests == []
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    made = connects.read_text() if connects.exists() else ""
    assert made == "", f"outside connections: {made}"
    assert "Did not auto detect external IP" not in log.read_text()
