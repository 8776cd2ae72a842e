"""How large the meeting deck grows with site photos: prints figures (no assertions).

    python bench/deck_size.py [--mb 5]

On the demo library (long names) in a temporary folder, 更新进展 with one phone-sized JPEG each
(4000x3000, about --mb MB, EXIF orientation and GPS; tests/photo_factory.big_jpeg) goes to the
first two projects in progress of each 阳山县 town (10 photos), so the 现场照片 slide is full (6 projects). It
prints the deck's size for a town, the county and the whole library, without photos (the
baseline, same run) and with them, the photo slide's share, the originals' and 1280 px copies'
sizes, and the CPU time to build each deck. The issue's bound: under 20 MB.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT = 20 * 1024 * 1024


def _deck(db, filters) -> tuple[int, float]:
    from portfolio import meeting

    start = time.process_time()
    data = meeting.deck_bytes(db, filters)
    return len(data), (time.process_time() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()

    from portfolio import photos
    from tests.meeting_data import CITY, COUNTY, TOWN, add_photos, long_name_store
    from tests.photo_factory import big_jpeg

    scopes = {"town 太平镇": TOWN, "county 阳山县": COUNTY, "city (all)": CITY}
    with tempfile.TemporaryDirectory() as tmp:
        db = long_name_store()
        db.photo_root = Path(tmp) / "photos"
        before = {name: _deck(db, f) for name, f in scopes.items()}
        originals = [big_jpeg(int(args.mb * 1024 * 1024), seed=i + 1) for i in range(10)]
        add_photos(db, Path(tmp) / "photos", towns=("太平镇", "七拱镇", "小江镇", "大崀镇", "黎埠镇"),
                   per_town=2, missing=0, make=lambda i: originals[i % len(originals)])
        after = {name: _deck(db, f) for name, f in scopes.items()}
        copies = [r["path_1280"].stat().st_size for r in photos.latest_for(db, CITY, limit=50) if r["path_1280"]]
        print(f"photos: {len(originals)} originals of {sum(map(len, originals)) / 1e6:.1f} MB in all; "
              f"1280 px copies {sum(copies) / 1e6:.2f} MB in all ({len(copies)} files)")
        print(f"{'deck':<16}{'no photos':>12}{'with photos':>14}{'photos add':>12}{'CPU ms (with)':>15}  under 20 MB")
        for name in scopes:
            (b, _), (a, ms) = before[name], after[name]
            print(f"{name:<16}{b / 1e6:>10.2f}MB{a / 1e6:>12.2f}MB{(a - b) / 1e6:>10.2f}MB{ms:>15.0f}  "
                  f"{'yes' if a < LIMIT else 'NO'}")
        db.close()


if __name__ == "__main__":
    main()
