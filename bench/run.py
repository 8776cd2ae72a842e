"""Benchmarks at portfolio scale: prints figures and writes bench/results.json + bench/RESULTS.md.

    python bench/run.py                       # 10k, 100k and 1M projects
    python bench/run.py --sizes 100000 --out /tmp/r.json

Each size runs in its own process (so peak memory is per size). Per size it measures:
every page's queries (median of 5 warm runs through the functions the pages call), the
same questions answered with pandas on the same data (the baseline, same run), each
page's script time under AppTest, the map payload, a cold open, imports of 10,000- and
100,000-row .xlsx files (read -> plan -> commit) and the peak resident memory.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
RUNS = 5


def median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_questions(db, as_of):
    """What each page asks, through the same functions the pages call (with the sidebar's facets)."""
    from portfolio import views
    from portfolio.filters import Filters

    everything = Filters()
    county = Filters(counties=("阳山县",))

    def sidebar(f):
        for facet in views.FACETS:
            views.facet_counts(db, f, facet)

    def overview():
        sidebar(everything)
        views.kpis(db, everything, as_of)
        views.area_totals(views.by_category(db, everything))
        views.by_status(db, everything)
        views.by_town(db, everything, as_of)
        views.monthly_trend(db, everything, as_of=as_of)
        views.attention(db, everything, as_of)

    def projects():
        sidebar(everything)
        views.kpis(db, everything, as_of)
        views.project_table(db, everything, as_of)

    def towns():
        sidebar(county)
        views.kpis(db, county, as_of)
        views.teams(db, county)
        views.changes_since_previous_report(db, county)
        views.by_category(db, county)
        views.town_comparison(db, county, as_of, "budget_wan")
        views.by_village(db, county, as_of)
        views.attention(db, county, as_of)

    pages = {"overview": overview, "projects": projects, "towns": towns}
    pages["map"] = _map_questions(db, as_of)
    return pages


def _map_questions(db, as_of):
    """The map page's work for the whole library: load its data and build the deck it sends."""
    from portfolio import maps
    from portfolio.filters import Filters

    return lambda: maps.build(maps.load(db, Filters(), as_of), maps.MapOptions(), data_date=as_of)


def pandas_questions(db, as_of):
    """The overview's and projects page's questions answered with pandas on the same data."""
    import pandas as pd

    projects = db.con.cursor().sql("SELECT * FROM projects").to_arrow_table().to_pandas()
    started = ["in_progress", "completed", "accepted", "suspended"]
    finished = ["completed", "accepted"]
    frame = projects  # the rollup columns live on the projects
    as_of_ts = pd.Timestamp(as_of)

    def flags(df):
        late = (pd.to_datetime(df["plan_end"]) < as_of_ts) & ~df["status"].isin(finished)
        stalled = (df["status"] == "in_progress") & (df["report_count"] >= 4) & \
            (df["last_progress_pct"] <= df["progress_3_back_pct"])
        return late, stalled

    def sidebar(df):
        for column in ("county", "category", "status", "year"):
            df[column].value_counts()
        (df["county"] + "/" + df["town"]).value_counts()
        (df["county"] + "/" + df["town"] + "/" + df["village"].fillna("")).value_counts()
        for column in ("fund_central_wan", "fund_provincial_wan", "fund_city_wan", "fund_county_wan",
                       "fund_assistance_wan", "fund_social_wan"):
            (df[column] > 0).sum()

    def overview():
        df = frame
        sidebar(df)
        late, stalled = flags(df)
        (len(df), df["budget_wan"].sum(), df["funds_in_place_wan"].sum(), df["spent_wan"].sum(),
         df["status"].isin(started).sum(), df["status"].isin(finished).sum(), df["beneficiaries"].sum(),
         late.sum(), stalled.sum())
        df.groupby("category").agg(n=("project_id", "size"), b=("budget_wan", "sum"))
        df.groupby("status").agg(n=("project_id", "size"), b=("budget_wan", "sum"))
        df.assign(late=late, stalled=stalled).groupby(["county", "town"]).agg(
            n=("project_id", "size"), b=("budget_wan", "sum"), late=("late", "sum"), stalled=("stalled", "sum"))
        pd.to_datetime(df["actual_start"]).dt.to_period("M").value_counts()
        pd.to_datetime(df["actual_end"]).dt.to_period("M").value_counts()
        df[late | stalled].nlargest(50, "budget_wan")

    def projects_page():
        sidebar(frame)
        late, stalled = flags(frame)
        frame.assign(late=late, stalled=stalled).sort_values(["county", "town", "village", "project_id"]).head(5000)

    def towns_page():
        df = frame[frame["county"] == "阳山县"]
        sidebar(df)
        late, stalled = flags(df)
        (len(df), df["budget_wan"].sum(), df["status"].isin(started).sum(), late.sum(), stalled.sum())
        df.groupby("category").agg(n=("project_id", "size"), b=("budget_wan", "sum"))
        df.assign(late=late).groupby(["county", "town", "village"], dropna=False).agg(
            n=("project_id", "size"), b=("budget_wan", "sum"), late=("late", "sum"))
        df.groupby(["county", "town"]).agg(b=("budget_wan", "sum"), people=("beneficiaries", "sum"))
        df[late | stalled].nlargest(50, "budget_wan")

    def map_page():
        df = frame
        df.groupby(["county", "town"]).agg(n=("project_id", "size"), b=("budget_wan", "sum"),
                                           lon=("lon", "mean"), lat=("lat", "mean"))
        df["location_precision"].value_counts()
        (df["lon"].min(), df["lon"].max(), df["lat"].min(), df["lat"].max())

    return {"overview": overview, "projects": projects_page, "towns": towns_page, "map": map_page}


def apptest_ms(db_path: Path, page: str | None, runs: int = 3) -> float:
    """A page's script time under AppTest with cold caches (median of `runs`)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["PORTFOLIO_DB"] = str(db_path)
    times = []
    for _ in range(runs):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if page:
            at.run()
            st.cache_data.clear()
            at.switch_page(page)
        if page == "app_pages/towns.py":
            at.query_params["county"] = "阳山县"
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")
    st.cache_resource.clear()
    return statistics.median(times)


def make_import_file(rows: int, work: Path) -> Path:
    """An .xlsx of `rows` projects new to the benchmark library (the dashboard's own export format)."""
    from portfolio import demo, export

    path = work / f"import_{rows}.xlsx"
    if not path.exists():
        projects, _ = demo.generate(rows, seed=99)
        projects["project_id"] = ["IMP" + pid for pid in projects["project_id"]]
        projects["is_late"] = False
        projects["is_stalled"] = False
        path.write_bytes(export.to_xlsx(projects, "zh"))
    return path


def import_seconds(db_path: Path, rows: int, work: Path) -> dict:
    """Import the `rows`-row .xlsx into a copy of the database: read -> plan -> commit."""
    from portfolio.auth import User
    from portfolio.ingest import pipeline
    from portfolio.store import Store

    xlsx = make_import_file(rows, work).read_bytes()
    copy = work / f"import_{rows}.duckdb"
    shutil.copy2(db_path, copy)
    db = Store(copy)
    start = time.perf_counter()
    # The report date is explicit (an import never defaults to today); the demo library is kept.
    options = pipeline.ImportOptions(report_date=date(2026, 10, 31), remove_demo=False)
    analysis = pipeline.analyse(db, xlsx, f"bench_{rows}.xlsx", options)
    planned = time.perf_counter()
    pipeline.commit(db, analysis, User(name="bench", role="admin"))
    done = time.perf_counter()
    db.close()
    copy.unlink()
    return {"total_s": done - start, "read_plan_s": planned - start, "commit_s": done - planned,
            "xlsx_bytes": len(xlsx), "timings": {k: round(v, 3) for k, v in analysis.timings.items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def open_seconds(db_path: Path) -> float:
    """A cold process: import, open the file, answer the first KPI question."""
    code = ("import time; t=time.perf_counter(); from datetime import date; from portfolio.store import Store; "
            "from portfolio import views; from portfolio.filters import Filters; "
            f"db=Store({str(db_path)!r}); views.kpis(db, Filters(), date.today()); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def run_one(size: int, work: Path) -> dict:
    """Everything measured at one size (run in its own process)."""
    from portfolio import views
    from portfolio.store import Store

    db_path = work / f"bench_{size}.duckdb"
    if not db_path.exists():  # built in a process of its own, so the generator's memory is not counted
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "portfolio", "demo", "--db", str(db_path), "--projects", str(size),
                        "--seed", "1"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"  built {size:,} projects in {time.perf_counter() - start:.1f} s", flush=True)
    result: dict = {"size": size}
    result["open_s"] = round(open_seconds(db_path), 3)
    db = Store(db_path)
    as_of = views.data_date(db)
    result["reports"] = db.con.cursor().execute("SELECT count(*) FROM progress_reports").fetchall()[0][0]
    pages = {}
    for page, fn in page_questions(db, as_of).items():
        pages[page] = {"query_ms": round(median_ms(fn), 1)}
    result["map_payload_bytes"] = page_questions(db, as_of)["map"]().payload_bytes
    db.close()
    for page, path in (("overview", None), ("projects", "app_pages/projects.py"), ("towns", "app_pages/towns.py"),
                       ("map", "app_pages/map.py")):
        pages[page]["script_ms"] = round(apptest_ms(db_path, path), 1)
    # The dashboard's peak: queries and page scripts. The pandas baseline, the generator and
    # the imports would each inflate it, so they come after or run in processes of their own.
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    db = Store(db_path)
    for page, fn in pandas_questions(db, as_of).items():
        pages[page]["pandas_query_ms"] = round(median_ms(fn), 1)
    db.close()
    result["pages"] = pages
    for rows, key in ((10_000, "import_10k"), (100_000, "import_100k")):
        subprocess.run([sys.executable, __file__, "--make-import", str(rows), "--work", str(work)], cwd=ROOT,
                       check=True)
        out = subprocess.run([sys.executable, __file__, "--import-rows", str(rows), "--one", str(size), "--work",
                              str(work)], cwd=ROOT, capture_output=True, text=True, check=True)
        timing = json.loads(out.stdout.splitlines()[-1])
        result[f"{key}_s"] = round(timing["total_s"], 2)
        result[f"{key}_detail"] = timing
    return result


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def markdown(results: dict) -> str:
    lines = [f"# Benchmark results ({results['date']})", "", f"Machine: {results['machine']}.", "",
             "Query times are medians of 5 warm runs through the functions the pages call (including the sidebar's "
             "seven facet counts); `pandas` answers the same questions on the same data in the same run. Script "
             "times are AppTest runs with cold caches.", "",
             "Reading the ratios: the pandas baseline starts from the whole table already in memory (loading it is "
             "not timed), while every DuckDB figure includes running the "
             "query and fetching its result. The map's DuckDB figure also includes building the deck; its pandas "
             "baseline only computes the aggregates. The town page asks many small questions about one county, "
             "where an in-memory frame filtered once is hard to beat; the dashboard never holds that frame.", "",
             "| projects | page | query ms | pandas ms | pandas / DuckDB | script ms |",
             "| ---: | --- | ---: | ---: | ---: | ---: |"]
    for size, r in results["sizes"].items():
        for page, p in r["pages"].items():
            q, pd_ms = p.get("query_ms"), p.get("pandas_query_ms")
            ratio = f"{pd_ms / q:.1f}×" if q and pd_ms else ""
            lines.append(f"| {int(size):,} | {page} | {q if q is not None else ''} | {pd_ms or ''} | {ratio} | "
                         f"{p.get('script_ms', '')} |")
    lines += ["", "| projects | reports | open s | import 10k s | import 100k s | map payload bytes | peak RSS MB "
              "(dashboard) | peak RSS MB (100k import) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, r in results["sizes"].items():
        lines.append(f"| {int(size):,} | {r['reports']:,} | {r['open_s']} | {r['import_10k_s']} | "
                     f"{r['import_100k_s']} | {r.get('map_payload_bytes', '')} | {r['peak_rss_mb']} | "
                     f"{r['import_100k_detail']['peak_rss_mb']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=list(DEFAULT_SIZES))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "portfolio-bench")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--import-rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-import", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--markdown-only", action="store_true", help="rewrite RESULTS.md from results.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.markdown_only:
        results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
        (ROOT / "bench" / "RESULTS.md").write_text(markdown(results), encoding="utf-8")
        return 0
    if args.make_import:
        make_import_file(args.make_import, args.work)
        return 0
    if args.import_rows:
        print(json.dumps(import_seconds(args.work / f"bench_{args.one}.duckdb", args.import_rows, args.work)))
        return 0
    if args.one:
        print(json.dumps(run_one(args.one, args.work)))
        return 0
    results = {"date": date.today().isoformat(), "machine": machine(), "sizes": {}}
    for size in args.sizes:
        print(f"{size:,} projects ...", flush=True)
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--work", str(args.work)],
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        for line in out.stdout.splitlines()[:-1]:
            print(line)
        r = json.loads(out.stdout.splitlines()[-1])
        results["sizes"][str(size)] = r
        for page, p in r["pages"].items():
            print(f"  {page:9s} query {p.get('query_ms', '-'):>8} ms   pandas {p.get('pandas_query_ms', '-'):>8} ms"
                  f"   script {p.get('script_ms', '-'):>8} ms")
        print(f"  open {r['open_s']} s, import 10k {r['import_10k_s']} s, import 100k {r['import_100k_s']} s, "
              f"map payload {r.get('map_payload_bytes', '-')} B, peak {r['peak_rss_mb']} MB", flush=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.out == ROOT / "bench" / "results.json":
        (ROOT / "bench" / "RESULTS.md").write_text(markdown(results), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
