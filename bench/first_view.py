"""How soon the first visitor sees the overview after `make run` (issue 13 §5).

    python bench/first_view.py --runs 3

Each run starts a fresh server process on the demo database, the way `make run` does
(`python -m streamlit run app.py`), so plotly, pydeck, pandas and DuckDB are imported and every
cache is cold. t0 is the moment the server's health endpoint first answers. A headless Chromium,
started before t0, opens the overview; the figure is the time until its 项目数 card shows.
Measured in the same run as baselines:
- warm: the same page in a second browser context (imports done, caches filled);
- floor: a one-line Streamlit page served and opened the same way (Streamlit and the browser alone).
Server CPU is user + system time of the server process over each view. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import tree_cpu_s  # noqa: E402  (bench scripts run from the repository root)
from deploy.serve import stop, wait_healthy  # noqa: E402
from tests.e2e.browser import CHROMIUM, LAUNCH_ARGS  # noqa: E402

FLOOR_PAGE = 'import streamlit as st\nst.metric("项目数", 1)\n'


@contextmanager
def server(script: str, env: dict[str, str], port: int):
    """A `streamlit run` of `script` on `port`; yields (process, seconds from start until healthy)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", [proc])
        yield proc, time.monotonic() - started
    finally:
        stop([proc])


def open_until_card(browser, url: str) -> float:
    """Seconds from asking for `url` in a new context until the 项目数 card shows."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        start = time.monotonic()
        page.goto(url)
        page.locator('[data-testid="stMetric"]').filter(has_text="项目数").first.wait_for(timeout=120_000)
        return time.monotonic() - start
    finally:
        context.close()


def one_run(browser, script: str, env: dict[str, str], port: int) -> dict:
    with server(script, env, port) as (proc, start_s):
        cpu_before = tree_cpu_s(proc.pid)
        first = open_until_card(browser, f"http://127.0.0.1:{port}/")
        cpu_first = tree_cpu_s(proc.pid) - cpu_before
        warm = open_until_card(browser, f"http://127.0.0.1:{port}/")
        cpu_warm = tree_cpu_s(proc.pid) - cpu_before - cpu_first
    return {"server_start_s": round(start_s, 2), "first_view_s": round(first, 2),
            "first_view_server_cpu_s": round(cpu_first, 2), "warm_view_s": round(warm, 2),
            "warm_view_server_cpu_s": round(cpu_warm, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="first_view_"))
    db = work / "demo.duckdb"
    env = {**os.environ, "PORTFOLIO_DB": str(db)}
    subprocess.run([sys.executable, "-m", "portfolio", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    floor_page = work / "floor.py"
    floor_page.write_text(FLOOR_PAGE, encoding="utf-8")
    results = {"app": [], "floor": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for _ in range(args.runs):  # alternate, so both see the same machine
            results["app"].append(one_run(browser, "app.py", env, args.port))
            results["floor"].append(one_run(browser, str(floor_page), env, args.port))
        browser.close()
    summary = {kind: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
               for kind, runs in results.items()}
    summary["app_over_floor"] = round(summary["app"]["first_view_s"] / summary["floor"]["first_view_s"], 1)
    print(json.dumps({"runs": results, "median": summary,
                      "load_avg": os.getloadavg()[0]}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
