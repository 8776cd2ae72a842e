"""CPU cost of a warm page rerun in Streamlit itself (issue 13 §5), before and after, in one run.

    python bench/rerun.py                                  # 100k and 1M projects; before = main
    python bench/rerun.py --projects 100000 --runs 10 --before main

Each page (overview, projects, map, towns, upload, audit, users) runs under AppTest over a demo
database built by `python -m portfolio demo --projects N`. The first runs fill the caches (queries,
figures, map data); then `--runs` reruns of the same page with nothing changed are timed:
- script_ms: CPU of the script thread (time.thread_time inside it): what the page costs a server
  per rerun, widgets, figure serialisation, dataframes and our own Python included;
- process_ms: time.process_time around AppTest.run(): the script plus AppTest's own work (parsing
  the messages into an element tree), which a real server does not do;
- apptest_floor: the same figures for a one-line page, AppTest's fixed cost, measured in the same run.
p50 over the reruns. One more rerun runs under cProfile (in the script thread) and its time is split
by where it goes: plotly_chart (figure to JSON), dataframe (Arrow), pydeck_chart, widgets, other
Streamlit elements, st.cache_* lookups, and the rest (our own Python, page chrome).

`before` is the tree of the `--before` commit (git archive), `after` the working tree; each runs in
its own process over the same database file. Nothing here asserts a time: it prints figures.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (name, script, signed in as an admin, query string): the towns page twice, city-wide and for one
# county (the meeting view: map, villages, changes).
PAGES = [("overview", "app_pages/overview.py", False, {}), ("projects", "app_pages/projects.py", False, {}),
         ("map", "app_pages/map.py", False, {}), ("towns", "app_pages/towns.py", False, {}),
         ("towns_county", "app_pages/towns.py", False, {"county": "阳山县"}),
         ("upload", "app_pages/upload.py", True, {}), ("audit", "app_pages/audit_log.py", True, {}),
         ("users", "app_pages/users.py", True, {})]
TREE = ["app.py", "app_pages", "ui", "portfolio", "queries", "data", "config", ".streamlit"]

# Entry points whose cumulative CPU is one bucket of the profile (they do not call each other).
BUCKETS = {
    "plotly": [("elements/plotly_chart.py", "plotly_chart")],
    "dataframe": [("elements/arrow.py", "dataframe")],
    "pydeck": [("elements/deck_gl_json_chart.py", "pydeck_chart")],
    "widgets": [("elements/widgets/", None), ("elements/lib/", "register_widget")],
    "cache": [("runtime/caching/cache_utils.py", "__call__")],
}

_CHILD = r"""
import cProfile, json, os, pstats, statistics, sys, time
sys.path.insert(0, os.getcwd())
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import local_script_runner as lsr

# Time (and on request profile) the script thread itself: AppTest runs the page in its own thread.
probe = {"profile": None, "thread_ms": 0.0}
_run_thread = lsr.LocalScriptRunner._run_script_thread
def _timed(self):
    if probe["profile"] is not None:
        probe["profile"].enable()
    start = time.thread_time()
    try:
        _run_thread(self)
    finally:
        probe["thread_ms"] = (time.thread_time() - start) * 1000
        if probe["profile"] is not None:
            probe["profile"].disable()
lsr.LocalScriptRunner._run_script_thread = _timed
# AppTest compiles the app and page scripts again on every run (a new ScriptCache per run); a
# server compiles them once. Share one cache, so the figures hold what a server's rerun costs.
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import app_test as _app_test
_shared_cache = ScriptCache()
_app_test.ScriptCache = lsr.ScriptCache = lambda: _shared_cache

RUNS, BUCKETS, PAGES = %(runs)d, %(buckets)r, %(pages)r

def sign_in(at):
    from portfolio import accounts, auth
    from ui import data
    db = data.get_store(os.environ["PORTFOLIO_DB"])
    user = auth.get_user(db, "bench") or accounts.add_user(db, "bench", "admin", "bench password 1")
    at.session_state["auth_token"] = auth.start_session(db, user)

def timed_reruns(at):
    script, process = [], []
    for _ in range(RUNS):
        c0 = time.process_time()
        at.run()
        process.append((time.process_time() - c0) * 1000)
        script.append(probe["thread_ms"])
        assert not at.exception, at.exception
    return {"script_ms": statistics.median(script), "process_ms": statistics.median(process),
            "script_min_ms": min(script)}

def breakdown(at):
    prof = cProfile.Profile(time.thread_time)  # CPU of the script thread, not wall: the machine is shared
    probe["profile"] = prof
    try:
        at.run()
    finally:
        probe["profile"] = None
    stats = pstats.Stats(prof).stats
    total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
    out = {}
    for bucket, entries in BUCKETS.items():
        ms = 0.0
        for (file, _, func), (_, _, _, ct, callers) in stats.items():
            f = file.replace(os.sep, "/")
            for part, name in entries:
                if part in f and (name is None or func == name):
                    # Count a function only where a caller outside its own bucket entered it.
                    if name is None and any(part in c[0].replace(os.sep, "/") for c in callers):
                        continue
                    ms += ct * 1000
        out[bucket] = ms
    ours = sum(tt for (file, _, _), (_, _, tt, _, _) in stats.items()
               if any(file.startswith(os.path.join(os.getcwd(), d)) for d in ("app_pages", "ui", "portfolio")))
    out["own_python_self"] = ours * 1000
    out["profiled_total"] = total * 1000
    top = sorted(((ct, f"{os.path.basename(f)}:{fn}") for (f, _, fn), (_, _, _, ct, _) in stats.items()
                  if "cProfile" not in f), reverse=True)
    out["top"] = [(round(ct * 1000, 1), name) for ct, name in top[:40]]
    own = sorted(((tt, f"{os.path.basename(f)}:{fn}") for (f, _, fn), (_, _, tt, _, _) in stats.items()),
                 reverse=True)
    out["top_self"] = [(round(tt * 1000, 1), name) for tt, name in own[:40]]
    return out

results = {}
floor = AppTest.from_string("import streamlit as st\nst.write('x')", default_timeout=60)
floor.run(); floor.run()
results["apptest_floor"] = timed_reruns(floor)
for name, script, admin, query in PAGES:
    at = AppTest.from_file("app.py", default_timeout=300)
    for param, value in query.items():
        at.query_params[param] = value
    if admin:
        sign_in(at)
    at.run()
    at.switch_page(script)
    c0 = time.process_time()
    at.run()
    cold = (time.process_time() - c0) * 1000
    at.run(); at.run()  # warm: queries, figures and map data cached
    row = timed_reruns(at)
    row["first_ms"] = cold
    row["profile"] = breakdown(at)
    row["elements"] = len(list(at.main)) if hasattr(at, "main") else None
    results[name] = row
print("@@" + json.dumps(results))
"""


def extract(commit: str, into: Path) -> Path:
    target = into / f"tree_{commit.replace('/', '_')}"
    target.mkdir()
    listed = subprocess.run(["git", "ls-tree", "--name-only", commit], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    archive = subprocess.run(["git", "archive", commit, *[p for p in TREE if p in listed]], cwd=ROOT,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def demo_db(projects: int, folder: Path) -> Path:
    path = folder / f"demo_{projects}.duckdb"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "portfolio", "demo", "--projects", str(projects), "--db", str(path)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def measure(tree: Path, db: Path, runs: int, pages: list) -> dict:
    code = _CHILD % {"runs": runs, "buckets": BUCKETS, "pages": pages}
    env = {**os.environ, "PORTFOLIO_DB": str(db), "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("@@")), None)
    if line is None:
        raise SystemExit(f"the run in {tree} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(line[2:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=10, help="timed warm reruns per page (p50 reported)")
    parser.add_argument("--before", default="main", help="git commit whose pages are 'before' ('' to skip)")
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()) / "rerun-bench",
                        help="where the demo databases are built (kept for the next run)")
    parser.add_argument("--pages", nargs="*", help="only these pages (names)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--top", action="store_true", help="print the 15 costliest functions of each profile")
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.pages or p[0] in args.pages]
    args.db_dir.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    everything = {}
    with tempfile.TemporaryDirectory() as work:
        trees = {"after": ROOT}
        if args.before:
            trees = {"before": extract(args.before, Path(work)), **trees}
        for projects in args.projects:
            db = demo_db(projects, args.db_dir)
            for label, tree in trees.items():
                everything[f"{projects}/{label}"] = measure(tree, db, args.runs, pages)
            report(projects, everything, list(trees), pages, args.top)
    print(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1, ensure_ascii=False))


def report(projects: int, everything: dict, labels: list[str], pages: list, top: bool) -> None:
    print(f"\n{projects:,} projects: CPU ms per warm rerun, p50 (script thread | whole AppTest.run)")
    for label in labels:
        floor = everything[f"{projects}/{label}"]["apptest_floor"]
        print(f"  {label}: AppTest floor (one-line page) script {floor['script_ms']:.1f} | "
              f"process {floor['process_ms']:.1f}")
    head = "page".ljust(10) + "".join(f"{lab + ' script':>15}{lab + ' process':>17}" for lab in labels)
    print(head + ("   after/before" if len(labels) == 2 else ""))
    for name, *_ in pages:
        rows = [everything[f"{projects}/{lab}"][name] for lab in labels]
        line = name.ljust(10) + "".join(f"{r['script_ms']:15.1f}{r['process_ms']:17.1f}" for r in rows)
        if len(rows) == 2:
            line += f"   {rows[1]['script_ms'] / rows[0]['script_ms']:.2f}"
        print(line)
    print("where a rerun goes (ms in the profiled rerun; cProfile inflates every figure alike):")
    buckets = list(BUCKETS) + ["own_python_self", "profiled_total"]
    print("page/tree".ljust(18) + "".join(f"{b:>17}" for b in buckets))
    for name, *_ in pages:
        for lab in labels:
            prof = everything[f"{projects}/{lab}"][name]["profile"]
            print(f"{name}/{lab}".ljust(18) + "".join(f"{prof[b]:17.1f}" for b in buckets))
            if top:
                for (ms, fn), (own, own_fn) in zip(prof["top"][6:36], prof["top_self"][:30]):
                    print(f"      {ms:8.1f}  {fn:45s} {own:8.1f}  {own_fn}")


if __name__ == "__main__":
    main()
