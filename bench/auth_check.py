"""What the login check costs a page run: prints figures (no assertions).

    python bench/auth_check.py [--runs 20]

Measures, on a demo database, in one process and one run:
- resume_session (the per-run check of a logged-in browser: one keyed lookup of the token
  and the account) in CPU and wall milliseconds;
- a whole overview page run under AppTest, anonymous and logged in, so the check's share
  of a page run is seen as a ratio against the anonymous baseline of the same run;
- argon2 verification of one password (paid once per login, not per page run).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of fn() over `runs` calls (after one warm call)."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from portfolio import accounts, auth, demo
    from portfolio.store import Store

    work = Path(tempfile.mkdtemp())
    path = work / "demo.duckdb"
    db = Store(path)
    demo.build(db)
    user = accounts.add_user(db, "bench_admin", "admin", "bench password 1")
    token = auth.start_session(db, user)
    check_wall, check_cpu = timed(lambda: auth.resume_session(db, token), args.runs * 5)
    login_wall, _ = timed(lambda: auth.login(db, "bench_admin", "bench password 1"), 3)
    db.close()

    os.environ["PORTFOLIO_DB"] = str(path)
    st.cache_data.clear()
    st.cache_resource.clear()

    def page_run(signed_in: bool):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if signed_in:
            at.session_state["auth_token"] = token
        at.run()
        assert not at.exception
        return lambda: at.run()

    anon_wall, anon_cpu = timed(page_run(False), args.runs)
    in_wall, in_cpu = timed(page_run(True), args.runs)
    print(f"resume_session (per page run when logged in): {check_wall:.2f} ms wall, {check_cpu:.2f} ms CPU")
    print(f"overview rerun, anonymous:  {anon_wall:.1f} ms wall, {anon_cpu:.1f} ms CPU (baseline)")
    print(f"overview rerun, logged in:  {in_wall:.1f} ms wall, {in_cpu:.1f} ms CPU "
          f"(x{in_cpu / anon_cpu:.2f} CPU of the baseline, +{in_cpu - anon_cpu:.1f} ms)")
    print(f"login (argon2 verify + audit row, once per login): {login_wall:.0f} ms wall")


if __name__ == "__main__":
    main()
