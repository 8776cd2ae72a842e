"""What the map picture costs, first render against cached: prints figures (no assertions).

    python bench/map_picture.py [--runs 3]

On a demo database in a temporary folder, for the city, a county and a town (the scopes a meeting
pack is made for), it measures:
- build: the page the picture is taken of (queries, deck, labels placed, HTML), which every call
  pays because the cache key is that page's hash;
- first: map_png_for with an empty cache (build + headless Chromium render + file written);
- cached: map_png_for again in the same process (build + in-process hit);
- other process: a fresh cache object reading the file beside the database (as the CLI does);
- the deck + report + PNG download for one scope: three calls, one render.
Wall time (time.perf_counter) and this process's CPU time (time.process_time; Chromium's own CPU
is not in it). Medians over --runs.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from portfolio import demo, headless, map_export, picture_cache, views
    from portfolio.filters import Filters, town_key
    from portfolio.store import Store

    if headless.chromium_path() is None:
        print("no Chromium: nothing to measure")
        return
    folder = Path(tempfile.mkdtemp(prefix="bench_map_picture_"))
    try:
        db = Store(folder / "demo.duckdb")
        demo.build(db)
        cache_dir = picture_cache.folder_for(db.path)
        scopes = {"city": Filters(), "county 阳山县": Filters(counties=("阳山县",)),
                  "town 七拱镇": Filters(counties=("阳山县",), towns=(town_key("阳山县", "七拱镇"),))}
        print(f"demo: {db.one('project_count')['n']} projects; picture {map_export.PICTURE_SIZE} CSS px "
              f"at {map_export.PIXEL_RATIO}x; medians of {args.runs} runs (ms wall / ms CPU of this process)")
        print(f"{'scope':<14} {'build page':>14} {'first render':>16} {'cached':>14} {'other process':>15} "
              f"{'first/cached':>13}")
        for name, filters in scopes.items():
            rows = {"build": [], "first": [], "cached": [], "file": []}
            for _ in range(args.runs):
                shutil.rmtree(cache_dir, ignore_errors=True)
                picture_cache._caches.clear()

                def build():
                    result, title, subtitle = map_export.filters_map(db, filters, views.data_date(db), "zh",
                                                                     *map_export.PICTURE_SIZE)
                    return map_export.standalone_html(result.deck, title, result.legend, subtitle)

                rows["build"].append(timed(build)[1:])
                first, *cost = timed(lambda: map_export.map_png_for(db, filters, "zh"))
                rows["first"].append(cost)
                again, *cost = timed(lambda: map_export.map_png_for(db, filters, "zh"))
                assert again == first
                rows["cached"].append(cost)
                picture_cache._caches.clear()  # a new process: only the file is left
                again, *cost = timed(lambda: map_export.map_png_for(db, filters, "zh"))
                assert again == first
                rows["file"].append(cost)
            med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                   for k, v in rows.items()}
            print(f"{name:<14} " + " ".join(f"{med[k][0]:>8.0f} /{med[k][1]:>5.0f}" for k in
                                          ("build", "first", "cached", "file"))
                  + f" {med['first'][0] / med['cached'][0]:>11.0f}x")

        from portfolio import meeting, report

        shutil.rmtree(cache_dir, ignore_errors=True)
        picture_cache._caches.clear()
        county = scopes["county 阳山县"]
        calls = []
        real = map_export.map_png

        def counting(*a, **kw):
            calls.append(1)
            return real(*a, **kw)

        map_export.map_png = counting
        _, pack_ms, _ = timed(lambda: (
            meeting.deck_bytes(db, county, "zh", map_png=lambda f: map_export.map_png_for(db, f, "zh")),
            report.build_report(db, county, "zh", map_export.map_png_for(db, county, "zh")),
            map_export.map_png_for(db, county, "zh")))
        map_export.map_png = real
        print(f"deck + report + PNG download for 阳山县, cold cache: {pack_ms:.0f} ms wall, "
              f"{len(calls)} Chromium render(s)")
        _, pack_ms, _ = timed(lambda: (
            meeting.deck_bytes(db, county, "zh", map_png=lambda f: map_export.map_png_for(db, f, "zh")),
            report.build_report(db, county, "zh", map_export.map_png_for(db, county, "zh"))))
        print(f"deck + report again (picture cached): {pack_ms:.0f} ms wall")
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
