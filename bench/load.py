"""Many viewers at once: N websocket sessions drive page views against a running dashboard.

    make run &                                  # or any running instance
    python bench/load.py --url ws://127.0.0.1:8501 --sessions 20 --seconds 60

Each session speaks Streamlit's own protocol (BackMsg rerun -> ForwardMsg until
script_finished), cycling through the pages and a few filters, so it measures the server:
script runs, queries and caches, not a browser's rendering. It prints p50/p95/max page
times and the errors (a failed script run or an exception element counts as an error).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PAGES = ("", "projects", "towns", "map")
QUERIES = ("", "county=阳山县", "county=连州市&cat=roads", "status=in_progress", "county=阳山县&town=阳山县/太平镇",
           "lang=en", "q=道路")


def _has_exception(fm: ForwardMsg) -> bool:
    if fm.WhichOneof("type") != "delta":
        return False
    delta = fm.delta
    return delta.WhichOneof("type") == "new_element" and delta.new_element.WhichOneof("type") == "exception"


async def session(url: str, deadline: float, seed: int, pages: tuple[str, ...], out: list, errors: list,
                  think_s: float = 0.0) -> None:
    rng = random.Random(seed)
    try:
        async with websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"], max_size=2**27,
                                      open_timeout=30) as ws:
            await asyncio.sleep(rng.uniform(0, think_s))  # readers arrive spread out, not all at once
            while time.monotonic() < deadline:
                msg = BackMsg()
                msg.rerun_script.page_name = rng.choice(pages)
                msg.rerun_script.query_string = rng.choice(QUERIES)
                start = time.perf_counter()
                await ws.send(msg.SerializeToString())
                failed = False
                while True:
                    fm = ForwardMsg()
                    fm.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=120))
                    failed = failed or _has_exception(fm)
                    if fm.WhichOneof("type") == "script_finished":
                        # 0 = finished successfully; anything else is an error, a stop or a rerun.
                        failed = failed or fm.script_finished != 0
                        break
                out.append((time.perf_counter() - start) * 1000)
                if failed:
                    errors.append(f"{msg.rerun_script.page_name or 'overview'}?{msg.rerun_script.query_string}")
                if think_s:  # a reader looks at the page before the next click
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
        errors.append(f"connection: {exc!r}")


async def run(url: str, sessions: int, seconds: float, pages: tuple[str, ...], think_s: float = 0.0) -> dict:
    deadline = time.monotonic() + seconds
    times: list[float] = []
    errors: list[str] = []
    await asyncio.gather(*(session(url, deadline, i, pages, times, errors, think_s) for i in range(sessions)))
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] if times else None  # noqa: E731
    return {"sessions": sessions, "seconds": seconds, "think_s": think_s, "page_views": len(times),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(pick(0.95), 1) if times else None, "max_ms": round(times[-1], 1) if times else None,
            "errors": len(errors), "error_samples": errors[:5]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:8501")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths ('' = overview)")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a reader spends on a page (0 = none)")
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.sessions, args.seconds, tuple(args.pages.split(",")), args.think))
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
