"""What a field update with photos costs: prints figures (no assertions).

    python bench/field_update.py [--runs 5] [--mb 5]

On a demo database in a temporary folder, each run saves one 更新进展 with two fresh
phone-sized JPEGs (4000x3000, about --mb MB each, EXIF orientation and GPS) through
portfolio.updates.save_update, and reports:
- the wall time of the whole save (checks, sha256, originals and 1280/320 copies written,
  one Store.write transaction), median and max, and its parts (photo check, copies, DB);
- the bytes on disk per photo: original, 1280 px copy, 320 px thumbnail;
- the same for one 4000x3000 HEIC (decoded by pillow-heif, no reduced-scale decode).
Generating the test pictures is not timed.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()

    from PIL import Image

    from portfolio import demo, photos, updates
    from portfolio.auth import User
    from portfolio.store import Store
    from tests.photo_factory import big_jpeg, exif_bytes, two_tone

    target = int(args.mb * 1024 * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("PORTFOLIO_PHOTOS", None)
        db = Store(Path(tmp) / "bench.duckdb")
        demo.build(db)
        with db.cursor() as cur:
            pid, last = cur.execute("SELECT project_id, last_report_date FROM projects WHERE status = 'in_progress' "
                                    "ORDER BY project_id LIMIT 1").fetchall()[0]
        user = User(name="bench", role="admin")
        print(f"making {2 * args.runs} JPEGs of about {args.mb:g} MB ...", flush=True)
        pictures = [big_jpeg(target, seed=i + 1) for i in range(2 * args.runs)]
        print(f"  sizes: {min(map(len, pictures)) / 1e6:.2f} to {max(map(len, pictures)) / 1e6:.2f} MB")

        totals, checks, copies = [], [], []
        for run in range(args.runs):
            pair = [(f"IMG_{run}_{i}.jpg", pictures[2 * run + i]) for i in range(2)]
            t0 = time.perf_counter()
            checked = photos.read_all(pair)
            t1 = time.perf_counter()
            for p in checked:
                photos.copies(p.data)
            t2 = time.perf_counter()
            checks.append(t1 - t0)
            copies.append(t2 - t1)
            started = time.perf_counter()
            updates.save_update(db, pid, updates.Update(last + timedelta(days=run + 1), progress_pct=50 + run), user,
                                pair)
            totals.append(time.perf_counter() - started)
        ms = [t * 1000 for t in totals]
        print(f"save_update with two photos: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms "
              f"over {args.runs} runs")
        print(f"  of which checking both (headers, EXIF, sha256): median {statistics.median(checks) * 1000:.0f} ms")
        print(f"  making both 1280/320 copies: median {statistics.median(copies) * 1000:.0f} ms")
        print(f"  the rest (files written, one transaction): about "
              f"{statistics.median(ms) - statistics.median(checks) * 1000 - statistics.median(copies) * 1000:.0f} ms")

        folder = photos.root(db)
        rows = photos.for_project(db, pid)
        orig = [photos.file_path(folder, r["sha256"], None, r["ext"]).stat().st_size for r in rows]
        c1280 = [photos.file_path(folder, r["sha256"], 1280).stat().st_size for r in rows]
        c320 = [photos.file_path(folder, r["sha256"], 320).stat().st_size for r in rows]
        print(f"on disk per photo ({len(rows)} photos): original {statistics.mean(orig) / 1e6:.2f} MB, "
              f"1280 px copy {statistics.mean(c1280) / 1e3:.0f} kB, 320 px thumbnail {statistics.mean(c320) / 1e3:.1f} kB, "
              f"total {(statistics.mean(orig) + statistics.mean(c1280) + statistics.mean(c320)) / 1e6:.2f} MB")

        import pillow_heif  # noqa: F401  (registered by portfolio.photos)

        im = Image.blend(two_tone(4000, 3000), Image.frombytes("RGB", (4000, 3000), os.urandom(36_000_000)), 0.3)
        buf = io.BytesIO()
        im.save(buf, format="HEIF", quality=80, exif=exif_bytes(6))
        heic = buf.getvalue()
        t0 = time.perf_counter()
        checked = photos.read("IMG_9999.heic", heic)  # headers and EXIF only
        t1 = time.perf_counter()
        made = photos.copies(heic)
        t2 = time.perf_counter()
        print(f"one 4000x3000 HEIC of {len(heic) / 1e6:.2f} MB: check {1000 * (t1 - t0):.0f} ms, copies "
              f"{1000 * (t2 - t1):.0f} ms; 1280 copy {len(made[1280]) / 1e3:.0f} kB, 320 thumbnail {len(made[320]) / 1e3:.1f} kB "
              f"({checked.width}x{checked.height} upright)")
        db.close()


if __name__ == "__main__":
    main()
