"""Benchmarks at portfolio scale: prints figures and writes bench/results.json + bench/RESULTS.md.

    python bench/run.py                       # 10k, 100k and 1M projects
    python bench/run.py --sizes 100000 --out /tmp/r.json
    python bench/run.py --sizes 100000,1000000 --quick --baseline /tmp/main-checkout   # before/after

Each size runs in its own process (so peak memory is per size). Per size it measures:
every page's queries, question by question (median wall and CPU ms of 5 warm runs through
the functions the pages call), the same questions answered with pandas and with polars on
the same data (the baselines, same run; with --baseline also by another checkout's code), each
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

from bench.pages import page_questions  # noqa: E402  (after the path is set)


PANDAS_MAX = 2_000_000  # above this the pandas baseline would not fit in memory


def pandas_questions(db, as_of) -> dict[str, dict[str, object]]:
    from bench.questions_pandas import PandasQuestions

    return PandasQuestions(db, as_of).questions()


def polars_questions(db, as_of) -> dict[str, dict[str, object]]:
    from bench.questions_polars import PolarsQuestions

    return PolarsQuestions(db, as_of).questions()


def measure_pages(questions: dict, prefix: str, reset=None) -> dict:
    """{page: {prefix_query_ms, prefix_cpu_ms, queries: {question: {...}}}}. Each run asks a page's
    questions in the page's order after `reset` (which drops what the library keeps between
    questions, so every run is uncached); a question's figure is its median over the runs and a
    page's figure is the sum of its questions' medians."""
    pages: dict = {}
    for page, asked in questions.items():
        walls: dict = {name: [] for name in asked}
        cpus: dict = {name: [] for name in asked}
        for run in range(RUNS + 1):  # the first run warms up
            if reset:
                reset()
            for name, fn in asked.items():
                wall, cpu = time.perf_counter(), time.process_time()
                fn()
                if run:
                    walls[name].append((time.perf_counter() - wall) * 1000)
                    cpus[name].append((time.process_time() - cpu) * 1000)
        per = {name: {f"{prefix}query_ms": round(statistics.median(walls[name]), 1),
                      f"{prefix}cpu_ms": round(statistics.median(cpus[name]), 1)} for name in asked}
        pages[page] = {f"{prefix}query_ms": round(sum(q[f"{prefix}query_ms"] for q in per.values()), 1),
                       f"{prefix}cpu_ms": round(sum(q[f"{prefix}cpu_ms"] for q in per.values()), 1), "queries": per}
    return pages


def _reset(db):
    """What drops the library's kept grouped passes, when the code measured has them."""
    from portfolio import views

    forget = getattr(views, "forget", None)
    return (lambda: forget(db)) if forget else None


def merge_pages(into: dict, other: dict) -> None:
    for page, p in other.items():
        target = into.setdefault(page, {"queries": {}})
        for key, value in p.items():
            if key != "queries":
                target[key] = value
        for name, q in p["queries"].items():
            target["queries"].setdefault(name, {}).update(q)


def queries_only(db_path: Path, prefix: str) -> dict:
    """The dashboard's questions measured with the code this process imports (see --code-root)."""
    from portfolio import views
    from portfolio.store import Store

    db = Store(db_path)
    as_of = views.data_date(db)
    pages = measure_pages(page_questions(db, as_of), prefix, _reset(db))
    db.close()
    return pages


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


def run_one(size: int, work: Path, baseline_root: Path | None = None, slow: bool = True) -> dict:
    """Everything measured at one size (run in its own process). With `baseline_root`, the same
    questions are also answered by the code checked out there (the "before"), on the same file."""
    from portfolio import views
    from portfolio.store import Store

    db_path = work / f"bench_{size}.duckdb"
    if not db_path.exists():  # built in a process of its own, so the generator's memory is not counted
        start, cpu = time.perf_counter(), time.process_time()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "portfolio", "demo", "--db",
                              str(db_path), "--projects", str(size), "--seed", "1"], cwd=ROOT, check=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        build_s = time.perf_counter() - start
        print(f"  built {size:,} projects in {build_s:.1f} s", flush=True)
        (work / f"bench_{size}.build.json").write_text(json.dumps(
            {"build_s": round(build_s, 1), "build_peak_rss_mb": round(int(out.stderr.split()[-1]) / 1024, 1)}))
    result: dict = {"size": size}
    build_info = work / f"bench_{size}.build.json"
    if build_info.exists():
        result.update(json.loads(build_info.read_text()))
    if slow:
        result["open_s"] = round(open_seconds(db_path), 3)
    pages: dict = {}
    if baseline_root:
        out = subprocess.run([sys.executable, __file__, "--queries", str(db_path), "--prefix", "before_",
                              "--code-root", str(baseline_root), "--runs", str(RUNS)], cwd=baseline_root,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        merge_pages(pages, json.loads(out.stdout.splitlines()[-1]))
        result["baseline"] = str(baseline_root)
    db = Store(db_path)
    as_of = views.data_date(db)
    result["reports"] = db.con.cursor().execute("SELECT count(*) FROM progress_reports").fetchall()[0][0]
    merge_pages(pages, measure_pages(page_questions(db, as_of), "", _reset(db)))
    result["map_payload_bytes"] = page_questions(db, as_of)["map"]["map"]().payload_bytes
    db.close()
    if slow:
        for page, path in (("overview", None), ("projects", "app_pages/projects.py"),
                           ("towns", "app_pages/towns.py"), ("map", "app_pages/map.py")):
            pages[page]["script_ms"] = round(apptest_ms(db_path, path), 1)
    # The dashboard's peak: queries and page scripts. The in-memory baselines, the generator and
    # the imports would each inflate it, so they come after or run in processes of their own.
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    db = Store(db_path)
    if size <= PANDAS_MAX:  # pandas holds about 2.2 KB per project: 22 GB at 10M
        merge_pages(pages, measure_pages(pandas_questions(db, as_of), "pandas_"))
    merge_pages(pages, measure_pages(polars_questions(db, as_of), "polars_"))
    db.close()
    result["pages"] = pages
    if slow:
        for rows, key in ((10_000, "import_10k"), (100_000, "import_100k")):
            subprocess.run([sys.executable, __file__, "--make-import", str(rows), "--work", str(work)], cwd=ROOT,
                           check=True)
            out = subprocess.run([sys.executable, __file__, "--import-rows", str(rows), "--one", str(size),
                                  "--work", str(work)], cwd=ROOT, capture_output=True, text=True, check=True)
            timing = json.loads(out.stdout.splitlines()[-1])
            result[f"{key}_s"] = round(timing["total_s"], 2)
            result[f"{key}_detail"] = timing
    return result


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def _ratio(a, b) -> str:
    return f"{a / b:.1f}×" if a and b else ""


def markdown(results: dict) -> str:
    lines = [f"# Benchmark results ({results['date']})", "", f"Machine: {results['machine']}.", "",
             "Query times are medians of 5 warm runs through the functions the pages call (including the sidebar's "
             "facet counts); a page's figure is the sum of its questions' medians. CPU is `time.process_time` "
             "(all threads of the process): on a shared machine it is the stable figure. `pandas` and `polars` "
             "answer the same questions on the same data in the same run, from the whole table held in memory "
             "(loading it is not timed; polars runs each question as a lazy query and collects it). "
             "`before` is the same questions answered by the code of the baseline checkout on the same file "
             "in the same run. The map's DuckDB figure includes building the deck; its baselines only compute "
             "the aggregates and the top 2,000 points.", "",
             "| projects | page | before ms | query ms | before CPU | CPU ms | pandas ms | polars ms | "
             "DuckDB / polars | script ms |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, r in results["sizes"].items():
        for page, p in r["pages"].items():
            q = p.get("query_ms")
            lines.append(f"| {int(size):,} | {page} | {p.get('before_query_ms', '')} | {q} | "
                         f"{p.get('before_cpu_ms', '')} | {p.get('cpu_ms', '')} | {p.get('pandas_query_ms', '')} | "
                         f"{p.get('polars_query_ms', '')} | {_ratio(q, p.get('polars_query_ms'))} | "
                         f"{p.get('script_ms', '')} |")
    lines += ["", "Per question (ms wall / ms CPU; ratio = DuckDB wall / polars wall, the goal is at most 2×):", "",
              "| projects | page | question | before | after | after CPU | pandas | polars | DuckDB / polars |",
              "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, r in results["sizes"].items():
        for page, p in r["pages"].items():
            for name, q in p.get("queries", {}).items():
                lines.append(f"| {int(size):,} | {page} | {name} | {q.get('before_query_ms', '')} | "
                             f"{q.get('query_ms', '')} | {q.get('cpu_ms', '')} | {q.get('pandas_query_ms', '')} | "
                             f"{q.get('polars_query_ms', '')} | {_ratio(q.get('query_ms'), q.get('polars_query_ms'))} |")
    lines += ["", "| projects | reports | build s | build peak MB | open s | import 10k s | import 100k s | "
              "map payload bytes | peak RSS MB (dashboard) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size, r in results["sizes"].items():
        lines.append(f"| {int(size):,} | {r['reports']:,} | {r.get('build_s', '')} | "
                     f"{r.get('build_peak_rss_mb', '')} | {r.get('open_s', '')} | {r.get('import_10k_s', '')} | "
                     f"{r.get('import_100k_s', '')} | {r.get('map_payload_bytes', '')} | {r['peak_rss_mb']} |")
    return "\n".join(lines) + "\n"


def write_markdown(results: dict, path: Path) -> None:
    """RESULTS.md from the results, keeping the sections written by hand below them (every "## "
    heading: the notes and the import figures; the generated part has none)."""
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        at = old.find("\n## ")
        if at >= 0:
            kept = old[at:]
    path.write_text(markdown(results) + kept, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=list(DEFAULT_SIZES))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "portfolio-bench")
    parser.add_argument("--baseline", type=Path, help="a checkout whose code answers the same questions (before)")
    parser.add_argument("--quick", action="store_true", help="queries only: no page scripts, imports or cold open")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per question (median)")
    parser.add_argument("--merge", action="store_true", help="keep the other sizes already in --out")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--import-rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-import", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="", help=argparse.SUPPRESS)
    parser.add_argument("--code-root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--markdown-only", action="store_true", help="rewrite RESULTS.md from results.json")
    args = parser.parse_args()
    globals()["RUNS"] = args.runs  # measure_pages reads it
    if args.code_root:  # answer with another checkout's code (the baseline)
        sys.path.insert(0, str(args.code_root.resolve()))
    args.work.mkdir(parents=True, exist_ok=True)
    if args.markdown_only:
        results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
        write_markdown(results, ROOT / "bench" / "RESULTS.md")
        return 0
    if args.queries:
        print(json.dumps(queries_only(args.queries, args.prefix)))
        return 0
    if args.make_import:
        make_import_file(args.make_import, args.work)
        return 0
    if args.import_rows:
        print(json.dumps(import_seconds(args.work / f"bench_{args.one}.duckdb", args.import_rows, args.work)))
        return 0
    if args.one:
        print(json.dumps(run_one(args.one, args.work, args.baseline, slow=not args.quick)))
        return 0
    results = {"date": date.today().isoformat(), "machine": machine(), "sizes": {}}
    if args.merge and args.out.exists():
        results["sizes"] = json.loads(args.out.read_text(encoding="utf-8"))["sizes"]
    for size in args.sizes:
        print(f"{size:,} projects ...", flush=True)
        command = [sys.executable, __file__, "--one", str(size), "--work", str(args.work), "--runs", str(args.runs)]
        command += ["--baseline", str(args.baseline.resolve())] if args.baseline else []
        command += ["--quick"] if args.quick else []
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        for line in out.stdout.splitlines()[:-1]:
            print(line)
        r = json.loads(out.stdout.splitlines()[-1])
        r["runs"] = args.runs
        results["sizes"][str(size)] = r
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda kv: int(kv[0])))
        for page, p in r["pages"].items():
            print(f"  {page:9s} before {p.get('before_query_ms', '-'):>7} ms  query {p.get('query_ms'):>7} ms "
                  f"(CPU {p.get('cpu_ms')})  pandas {p.get('pandas_query_ms')}  polars {p.get('polars_query_ms')}"
                  f"  script {p.get('script_ms', '-')}")
        print(f"  map payload {r.get('map_payload_bytes', '-')} B, peak {r['peak_rss_mb']} MB", flush=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.out == ROOT / "bench" / "results.json":
        write_markdown(results, ROOT / "bench" / "RESULTS.md")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
