"""`make serve`: two workers behind nginx; two browsers each get a working page, and a write
published by the one writer shows in both after a reload."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError, expect, sync_playwright

from portfolio.store import Store
from tests.e2e.browser import CHROMIUM, LAUNCH_ARGS, wait_until_rendered
from tests.e2e.conftest import ROOT, _free_port

NGINX = "/usr/sbin/nginx"


def _count(page) -> int:
    label = page.locator('[data-testid="stMetric"]', has_text="项目数").first
    return int(label.locator('[data-testid="stMetricValue"]').inner_text().strip().replace(",", ""))


def _ready_line(proc: subprocess.Popen, timeout_s: float = 90) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=timeout_s)
        except queue.Empty:
            pytest.fail("make serve did not report READY")
        if line.startswith("READY"):
            return line


def test_two_workers_behind_nginx_serve_two_browsers_and_share_writes(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: `make test` installs Debian's nginx-light package")
    db = tmp_path / "demo.duckdb"
    env = {**os.environ, "PORTFOLIO_DB": str(db)}
    env.pop("PORTFOLIO_SNAPSHOTS", None)
    subprocess.run([sys.executable, "-m", "portfolio", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    run_dir = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "deploy/serve.py", "--db", str(db), "--workers", "2", "--port", str(port),
                             "--run-dir", str(run_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        url = _ready_line(proc).split()[1]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            pages = [browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
                     for _ in range(2)]
            for page in pages:
                page.goto(url + "/")
                wait_until_rendered(page)
                assert _count(page) == 560
            routes = [{c["name"]: c["value"] for c in page.context.cookies()}.get("pf_route") for page in pages]
            assert all(routes) and routes[0] != routes[1]  # each browser got its own sticky route

            # an upload body larger than nginx's memory buffer reaches the worker (which refuses this one,
            # having no such session: 4xx), rather than failing in nginx on its body temp file (500). The
            # worker may refuse before it has read the body: then nginx answers 502 for the cut stream, or
            # the connection closes under the client ("aborted"). Either way nginx wrote no body file.
            try:
                answer = pages[0].request.put(url + "/_stcore/upload_file/no-session/no-file",
                                              multipart={"file": {"name": "big.xlsx",
                                                                  "mimeType": "application/octet-stream",
                                                                  "buffer": os.urandom(2 * 1024 * 1024)}})
                assert 400 <= answer.status < 500 or answer.status == 502, answer.status
            except PlaywrightError as exc:
                assert "aborted" in str(exc) or "ECONNRESET" in str(exc), exc
            nginx_log = (run_dir / "logs" / "nginx.log").read_text(errors="replace")
            assert "Permission denied" not in nginx_log and "[crit]" not in nginx_log, nginx_log[-2000:]

            # a write from another process (as the CLI under `make serve`) goes through the one writer
            writer = Store(db, snapshot_dir=run_dir / "snapshots")
            writer.write(lambda cur: cur.execute(
                "INSERT INTO projects SELECT * REPLACE ('E2E-SERVE-1' AS project_id) FROM projects LIMIT 1"))
            writer.close()
            for page in pages:
                page.reload()
                wait_until_rendered(page)
                expect(page.locator('[data-testid="stMetric"]', has_text="项目数").first
                       .locator('[data-testid="stMetricValue"]')).to_have_text("561")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0
    # on stop the newest snapshot went back into the database file: `make run` continues from it
    after = Store(db, snapshot_dir=None)
    with after.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM projects").fetchall()[0][0] == 561
    after.close()
