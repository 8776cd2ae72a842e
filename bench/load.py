"""A room of viewers: N websocket sessions arrive within T seconds and click through the pages.

    make run &                                  # or any running instance
    python bench/load.py --url ws://127.0.0.1:8501 --sessions 30 --arrive-within 10 --think 5 --seconds 60
    python bench/load.py --serve --projects 100000 --sessions 30 --arrive-within 10 --think 5 \\
        --seconds 60 --import-at 20 --import-rows 2000     # builds its own database and server
    python bench/load.py --serve --workers 2 ...        # the same behind nginx with 2 workers (make serve)

Each session speaks Streamlit's own protocol (BackMsg rerun -> ForwardMsg until
script_finished): it opens the overview, then clicks a random page and filter every `think`
seconds (0.5-1.5x), so it measures the server (script runs, queries, caches), not a browser.
With --import-at S, a real browser (Debian's chromium) logs in as an admin at second S and
imports a sheet of --import-rows projects through the 数据导入 page, as an editor would.

Half-written state: from 5 s before the import, a probe opens a fresh session on the unfiltered
overview every second (and every session's first view is one too) and reads its 项目数. Every such view must show the
count before the import or the count after it; any other number is a view that saw a write
half done. The JSON result carries p50/p95/max per page and in all, the errors, and that count.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("", "projects", "towns", "map")
QUERIES = ("", "county=阳山县", "county=连州市&cat=roads", "status=in_progress", "county=阳山县&town=阳山县/太平镇",
           "lang=en", "q=道路")
COUNT_LABEL = "项目数"
ADMIN = ("bench_admin", "bench admin pass 1")
REPORT_DATE = "20261130"  # the sheet states none; the page asks for one
IMPORT_TIMEOUT_MS = int(os.environ.get("ROOM_IMPORT_TIMEOUT_MS", "300000"))


@dataclass
class Room:
    views: list[tuple[str, float]] = field(default_factory=list)  # (page, ms)
    errors: list[str] = field(default_factory=list)
    counts: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, 项目数 of an unfiltered overview)
    imported: dict = field(default_factory=dict)


def _element(fm: ForwardMsg):
    if fm.WhichOneof("type") != "delta" or fm.delta.WhichOneof("type") != "new_element":
        return None
    return fm.delta.new_element


async def render(ws, page: str, query: str) -> tuple[float, bool, int | None]:
    """One page view: (ms until script_finished, failed, the 项目数 shown if any)."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = query
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    failed, count = False, None
    while True:
        fm = ForwardMsg()
        fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
        element = _element(fm)
        if element is not None:
            kind = element.WhichOneof("type")
            failed = failed or kind == "exception"
            if kind == "metric" and element.metric.label.strip() == COUNT_LABEL:
                count = int(element.metric.body.replace(",", ""))
        if fm.WhichOneof("type") == "script_finished":
            # 0 = finished successfully; anything else is an error, a stop or a rerun.
            return (time.perf_counter() - start) * 1000, failed or fm.script_finished != 0, count


def _connect(url: str):
    # No client pings: a browser sends none, and on a saturated server they close sessions a browser keeps.
    return websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"], max_size=2**27, open_timeout=60,
                              ping_interval=None)


async def session(url: str, arrive_at: float, deadline: float, seed: int, pages: tuple[str, ...], room: Room,
                  think_s: float) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(max(0.0, arrive_at - time.monotonic()))
    try:
        async with _connect(url) as ws:
            page, query = "", ""  # everyone opens the link to the overview first
            first = True
            while time.monotonic() < deadline:
                ms, failed, count = await render(ws, page, query)
                room.views.append((page or "overview", ms))
                if failed:
                    room.errors.append(f"{page or 'overview'}?{query}")
                if first and count is not None:  # later reruns keep the session's filters: only the first is unfiltered
                    room.counts.append((time.monotonic(), count))
                first = False
                if think_s:  # a reader looks at the page before the next click
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
                page, query = rng.choice(pages), rng.choice(QUERIES)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
        room.errors.append(f"connection: {exc!r}")


async def probe(url: str, deadline: float, room: Room, importing: threading.Event | None,
                start_at: float, every_s: float = 1.0) -> None:
    """A fresh session on the unfiltered overview every second from `start_at` (a little before an
    import): its 项目数. It keeps going after the room's deadline until an import under way has
    committed, and a few probes past it. (Probing all the time would add a viewer of its own.)"""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    tail = 4
    while time.monotonic() < deadline or (importing is not None and importing.is_set()) or tail > 0:
        if time.monotonic() >= deadline and not (importing is not None and importing.is_set()):
            tail -= 1
        try:
            async with _connect(url) as ws:
                _, failed, count = await render(ws, "", "")
            if count is not None and not failed:
                room.counts.append((time.monotonic(), count))
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
            room.errors.append(f"probe: {exc!r}")
        await asyncio.sleep(every_s)


def browser_import(http_url: str, sheet: Path, room: Room) -> None:
    """Log in as the bench admin and import `sheet` through the 数据导入 page, keeping the demo projects."""
    from tests.e2e.browser import browser_page, wait_until_rendered

    started = time.monotonic()
    with browser_page() as page:
        try:
            page.goto(http_url + "/upload")
            wait_until_rendered(page)
            page.get_by_text("登录", exact=True).first.click()
            page.get_by_label("用户名").fill(ADMIN[0])
            page.get_by_label("密码").fill(ADMIN[1])
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector(f"text=已登录：{ADMIN[0]}", timeout=120_000)
            page.locator(".st-key-up_file input[type=file]").set_input_files(str(sheet))  # the options show once a file is chosen
            page.get_by_role("button", name="检查并预览").wait_for(timeout=IMPORT_TIMEOUT_MS)
            keep_demo = page.get_by_role("checkbox", name=re.compile("导入前删除"))
            if keep_demo.count():  # keep the demo: a 2,000-row import beside the 100k
                _untick(page, keep_demo)
            page.get_by_role("spinbutton", name="year, 报告日期").click()  # the date field's segments
            page.keyboard.type(REPORT_DATE)
            page.keyboard.press("Tab")
            page.get_by_role("button", name="检查并预览").click()
            page.get_by_role("button", name="确认导入").wait_for(timeout=IMPORT_TIMEOUT_MS)
            clicked = time.monotonic()
            page.get_by_role("button", name="确认导入").click()
            page.wait_for_selector("text=已导入：批次", timeout=IMPORT_TIMEOUT_MS)
            room.imported.update(started_s=round(started - room.imported["t0"], 1),
                                 commit_s=round(time.monotonic() - clicked, 2),
                                 committed_at_s=round(time.monotonic() - room.imported["t0"], 1))
        except Exception as exc:  # the bench reports it rather than dying mid-run
            shot = Path(tempfile.gettempdir()) / "room-import-failed.png"
            page.screenshot(path=str(shot), full_page=True)
            room.errors.append(f"import ({shot}): {exc!r}")


def _untick(page, box, tries: int = 3) -> None:
    """Untick a Streamlit checkbox by its label, again if a rerun in flight redrew it ticked; the
    import must not start with the box still ticked (it would replace the demo)."""
    from playwright.sync_api import expect

    for attempt in range(tries):
        if not box.is_checked():
            return
        page.locator("label").filter(has=box).first.click()
        try:
            expect(box).not_to_be_checked(timeout=10_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def _stats(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {"views": 0}
    return {"views": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1), "max_ms": round(times[-1], 1)}


def half_written(counts: list[tuple[float, int]]) -> int:
    """Views whose 项目数 is neither the first nor the last count seen (before and after the import)."""
    if not counts:
        return 0
    ordered = [c for _, c in sorted(counts)]
    allowed = {ordered[0], ordered[-1]}
    return sum(1 for c in ordered if c not in allowed)


async def run(url: str, sessions: int, seconds: float, pages: tuple[str, ...], think_s: float = 0.0,
              arrive_within: float = 0.0, import_at: float | None = None, sheet: Path | None = None) -> dict:
    room = Room()
    t0 = time.monotonic()
    room.imported["t0"] = t0
    deadline = t0 + arrive_within + seconds
    rng = random.Random(0)
    arrivals = sorted(t0 + rng.uniform(0, arrive_within) for _ in range(sessions))
    importer, importing = None, None
    if import_at is not None and sheet is not None:
        http = url.replace("ws://", "http://").replace("wss://", "https://")
        importing = threading.Event()
        importing.set()

        def do_import() -> None:
            try:
                browser_import(http, sheet, room)
            finally:
                importing.clear()
        importer = threading.Timer(import_at, do_import)
        importer.start()
    probing = [probe(url, deadline, room, importing, t0 + max(0.0, import_at - 5))] if importing else []
    await asyncio.gather(*probing,
                         *(session(url, arrivals[i], deadline, i, pages, room, think_s) for i in range(sessions)))
    if importer is not None:
        importer.join()
    by_page: dict[str, list[float]] = {}
    for page, ms in room.views:
        by_page.setdefault(page, []).append(ms)
    counts = sorted(room.counts)
    room.imported.pop("t0")
    return {"sessions": sessions, "arrive_within_s": arrive_within, "seconds": seconds, "think_s": think_s,
            "all": _stats([ms for _, ms in room.views]), "pages": {p: _stats(v) for p, v in sorted(by_page.items())},
            "errors": len(room.errors), "error_samples": room.errors[:5],
            "import": room.imported or None, "count_views": len(counts),
            "counts_seen": sorted({c for _, c in counts}), "half_written_views": half_written(counts)}


def serve(projects: int, port: int, workdir: Path, workers: int = 0,
          template: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Build a demo database of `projects` with a bench admin (or copy `template`, built so before),
    and start the dashboard on it: one Streamlit process, or `workers` behind nginx (deploy/serve.py)."""
    import shutil
    import urllib.request

    db = workdir / "room.duckdb"
    env = {"PORTFOLIO_DB": str(db)}
    run_env = {**os.environ, **env}
    run_env.pop("PORTFOLIO_SNAPSHOTS", None)
    if template is not None and template.exists():
        shutil.copyfile(template, db)
    else:
        subprocess.run([sys.executable, "-m", "portfolio", "demo", "--projects", str(projects)], cwd=ROOT,
                       env=run_env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "portfolio", "user", "add", ADMIN[0], "--role", "admin",
                        "--password-stdin"], cwd=ROOT, env=run_env, input=ADMIN[1] + "\n", text=True, check=True,
                       stdout=subprocess.DEVNULL)
        if template is not None:
            shutil.copyfile(db, template)
    if workers:
        command = [sys.executable, "deploy/serve.py", "--db", str(db), "--workers", str(workers), "--port", str(port),
                   "--run-dir", str(workdir / "serve")]
    else:
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(command, cwd=ROOT, env=run_env, stdout=open(workdir / "server.log", "w"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc, f"ws://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the dashboard did not start: " + (workdir / "server.log").read_text()[-2000:])


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of process `root` and all its descendants, from /proc."""
    parents, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
    tree, frontier = {root}, [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(children)
        frontier = children
    return sum(cpu.get(p, 0.0) for p in tree)


def import_sheet(rows: int, workdir: Path) -> Path:
    """A town-style 项目计划表 of `rows` projects (the import bench's generator)."""
    from bench.import_bench import make_sheet

    path = workdir / f"room_{rows}.xlsx"
    make_sheet(rows, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:8501")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="how long the room clicks after the last arrival")
    parser.add_argument("--arrive-within", type=float, default=0.0, help="sessions arrive spread over this many s")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths ('' = overview)")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a reader spends on a page (0 = none)")
    parser.add_argument("--import-at", type=float, help="second at which a browser imports a sheet")
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--serve", action="store_true", help="build a demo database and start the dashboard")
    parser.add_argument("--projects", type=int, default=100_000, help="with --serve: demo size")
    parser.add_argument("--port", type=int, default=8655, help="with --serve")
    parser.add_argument("--workers", type=int, default=0, help="with --serve: N workers behind nginx (make serve)")
    parser.add_argument("--template-db", type=Path, help="with --serve: copy this database (built on first use)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="room-") as tmp:
        workdir, proc = Path(tmp), None
        url = args.url
        if args.serve:
            proc, url = serve(args.projects, args.port, workdir, args.workers, args.template_db)
        sheet = import_sheet(args.import_rows, workdir) if args.import_at is not None else None
        try:
            cpu0, load0 = (tree_cpu_s(proc.pid) if proc else None), os.getloadavg()
            result = asyncio.run(run(url, args.sessions, args.seconds, tuple(args.pages.split(",")), args.think,
                                     args.arrive_within, args.import_at, sheet))
            if proc is not None:  # the servers' CPU per view: what sizes a machine
                cpu = tree_cpu_s(proc.pid) - cpu0
                views = result["all"].get("views") or 1
                result["server_cpu_s"] = round(cpu, 1)
                result["server_cpu_ms_per_view"] = round(1000 * cpu / views)
            result["workers"] = args.workers or 1
            result["load_avg_before_after"] = [round(load0[0], 1), round(os.getloadavg()[0], 1)]
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=20)
        result["projects"] = args.projects if args.serve else None
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["errors"] == 0 and result["half_written_views"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
