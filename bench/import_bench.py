"""Import speed and memory, end to end through the CLI's code path (`python -m portfolio import`).

    python bench/import_bench.py                        # 10,000 rows; before = the main branch
    python bench/import_bench.py --rows 10000 100000 --before f00535b

Every figure comes from one run on this machine, so they compare:
- before: the same sheet imported by the code of the `--before` commit (extracted with git archive);
- after: the working tree (or the folder given by --after);
- baseline: the least any importer must do, measured in the same run: python-calamine reads the
  sheet and DuckDB inserts its rows as they are (no header search, checks or plan).
Each import runs in a fresh process (peak memory is per import) into a fresh database file.
Ratios are printed against the baseline and after/before.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import functools, importlib, json, resource, sys, time
sys.path.insert(0, {root!r})
{setup}
t0, c0 = time.perf_counter(), time.process_time()
from portfolio import cli
from portfolio.ingest import pipeline

# CPU seconds per step, measured the same way for both trees: the functions the pipeline calls for a
# step are wrapped, and a step called inside another counts for itself only (the commit's own re-plan,
# where there is one, counts as write).
cpu, stack = {{}}, []

def timed(key, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            spent, inner = time.process_time() - start, stack.pop()
            cpu[key] = cpu.get(key, 0.0) + spent - inner
            if stack:
                stack[-1] += spent
    return wrapper

for module, name, key in {steps!r}:
    mod = importlib.import_module(module)
    setattr(mod, name, timed(key, getattr(mod, name)))
# Keep the analysis the CLI builds: its timings gain the write step after the summary is printed.
seen = {{}}
_analyse = pipeline.analyse
def analyse(*args, **kwargs):
    seen["analysis"] = _analyse(*args, **kwargs)
    return seen["analysis"]
pipeline.analyse = analyse
code = cli.main(["import", {path!r}, "--db", {db!r}, "--report-date", "2024-06-30", "--json"] + {extra!r})
wall, total_cpu = time.perf_counter() - t0, time.process_time() - c0
analysis = seen.get("analysis")
print("@@" + json.dumps({{"code": code, "wall_s": wall, "cpu_s": total_cpu,
                          "steps": dict(analysis.timings) if analysis else {{}}, "cpu_steps": cpu,
                          "projects": len(analysis.candidates) if analysis else None,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
# (module, function, step): what the pipeline calls for each step, in both the old and the new code.
STEPS = [("portfolio.ingest.read", "read_book", "read"),
         ("portfolio.ingest.locate", "choose_table", "locate"),
         ("portfolio.ingest.totals", "apply_group_rows", "locate"),
         ("portfolio.ingest.normalise", "normalise", "normalise"),
         ("portfolio.ingest.validate", "check_rows", "validate"),
         ("portfolio.ingest.validate", "check_duplicates", "validate"),
         ("portfolio.ingest.validate", "check_total", "validate"),
         ("portfolio.ingest.pipeline", "build_plan", "plan"),
         ("portfolio.ingest.scope", "restrict", "scope"),
         ("portfolio.ingest.pipeline", "commit", "write")]
STEP_ORDER = ("read", "locate", "normalise", "validate", "plan", "scope", "write")

_ADMIN_SETUP = r"""
from portfolio import accounts, store as store_mod
_s = store_mod.Store({db!r}); accounts.add_user(_s, "bench", "admin", "bench password 1"); _s.close()
"""

_BASELINE = r"""
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import duckdb, pandas as pd, python_calamine
book = python_calamine.CalamineWorkbook.from_path({path!r})
rows = book.get_sheet_by_index(0).to_python()
frame = pd.DataFrame(rows[4:], columns=[f"c{{i}}" for i in range(len(rows[3]))]).astype(str)
con = duckdb.connect({db!r})
con.register("frame", frame)
con.execute("CREATE TABLE t AS SELECT * FROM frame")
con.close()
print("@@" + json.dumps({{"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def make_sheet(rows: int, path: Path) -> None:
    """A town's 项目计划表 as they come: title, unit row, two-row header, 万元 text, a 合计 row."""
    import xlsxwriter

    names = ("饮水安全巩固提升工程", "道路硬底化", "户厕改造", "生活污水处理设施", "撂荒地复耕", "太阳能路灯安装")
    villages = ("石径", "新埠", "大坪", "军寮", "金坑", "油岭", "南岗")
    statuses = ("储备", "在建", "已完工", "招投标")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("项目表")
    ws.write_row(0, 0, ["连南瑶族自治县寨岗镇2024年乡村振兴项目库"])
    ws.write_row(1, 0, ["单位：万元"])
    ws.write_row(2, 0, ["序号", "项目编号", "项目名称", "建设地点", "项目类别", "建设内容", "投资（万元）", "资金来源",
                        "项目状态", "进度", "受益户数", "计划开工", "计划完工", "受益人口", "责任单位"])
    ws.write_row(3, 0, [None, None, None, None, None, None, None, "帮扶资金", None, None, None, None, None, None,
                        None])
    for i in range(rows):
        v = villages[i % len(villages)]
        ws.write_row(4 + i, 0, [i + 1, f"ZG{i:07d}", f"{v}村{names[i % 6]}{i}", f"寨岗镇{v}村", None, "建设内容若干",
                                f"{10 + i % 40}万元", 5 + i % 7, statuses[i % 4], f"{(i * 7) % 101}%", i % 9,
                                "2024年3月", "2024.12", f"{20 + i % 50}户", "寨岗镇人民政府"])
    ws.write_row(4 + rows, 0, ["合计", None, None, None, None, None, sum(10 + i % 40 for i in range(rows))])
    book.close()


def run_child(code: str, python: str) -> dict:
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd="/tmp")
    line = next(line for line in out.stdout.splitlines() if line.startswith("@@"))
    return json.loads(line[2:])


def extract(commit: str, work: Path) -> Path:
    """The code of `commit` (portfolio, queries, data) in a folder of its own."""
    target = work / f"code_{commit}"
    if not target.exists():
        target.mkdir()
        archive = subprocess.run(["git", "archive", commit, "portfolio", "queries", "data"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000])
    parser.add_argument("--before", default="main", help="git commit whose importer is 'before'")
    parser.add_argument("--after", type=Path, default=ROOT,
                        help="folder holding the importer measured as 'after' (default: this working tree)")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="import_bench_") as tmp:
        work = Path(tmp)
        trees = {"before": extract(args.before, work), "after": args.after.resolve()}
        for rows in args.rows:
            sheet = work / f"sheet_{rows}.xlsx"
            start = time.perf_counter()
            make_sheet(rows, sheet)
            print(f"{rows:,}-row sheet: {sheet.stat().st_size / 1024:.0f} KB, built in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            base = run_child(_BASELINE.format(path=str(sheet), db=str(work / f"base_{rows}.duckdb")), python)
            results = {"baseline": base}
            for label, root in trees.items():
                db = work / f"{label}_{rows}.duckdb"
                # Since the accounts work every import names its user; older code has none.
                setup, extra = ((_ADMIN_SETUP.format(db=str(db)), ["--user", "bench"])
                                if (root / "portfolio" / "accounts.py").exists() else ("", []))
                code = _CHILD.format(root=str(root), path=str(sheet), db=str(db), extra=extra, setup=setup,
                                     steps=STEPS)
                results[label] = run_child(code, python)
            print(f"  {'':9}{'wall s':>8}{'cpu s':>7}{'× base':>8}{'peak MB':>9}  CPU ms per step (wall ms)")
            for label, r in results.items():
                cpu, wall = r.get("cpu_steps", {}), r.get("steps", {})
                steps = ", ".join(f"{k} {cpu[k] * 1000:.0f}" + (f" ({wall[k] * 1000:.0f})" if k in wall else "")
                                  for k in STEP_ORDER if k in cpu)
                print(f"  {label:9}{r['wall_s']:8.2f}{r.get('cpu_s', 0):7.2f}{r['wall_s'] / base['wall_s']:8.1f}"
                      f"{r['peak_rss_mb']:9.0f}  {steps}", flush=True)
                if cpu:
                    print(f"  {'':9}read to commit: CPU {sum(cpu.values()):.2f} s, wall {sum(wall.values()):.2f} s; "
                          f"projects {r.get('projects')}")
            before, after = results["before"], results["after"]
            print(f"  after/before: wall {after['wall_s'] / before['wall_s']:.2f}, "
                  f"peak memory {after['peak_rss_mb'] / before['peak_rss_mb']:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
