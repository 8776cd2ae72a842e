"""A demo library as real sheets arrive: 40-60 character project names, some values missing, site photos.

Shared by the meeting pack's tests (tests/test_deck_*.py, tests/test_report_*.py) and bench/deck_size.py.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from portfolio import demo, photos, updates, views
from portfolio.auth import User
from portfolio.filters import Filters
from portfolio.store import Store
from tests.photo_factory import INSIDE, picture

TOWN = Filters(counties=("阳山县",), towns=("阳山县/太平镇",))
COUNTY = Filters(counties=("阳山县",))
CITY = Filters()
ADMIN = User(name="admin", role="admin")
PHOTO_DAY = date(2026, 11, 5)
# The real pattern: county, town, village, year, programme, works, batch, "工程项目".
LONG_TAIL = ("2025年度乡村振兴驻镇帮镇扶村人居环境整治提升及农村生活污水处理设施建设（第{n}批）工程项目",
             "2026年度巩固拓展脱贫攻坚成果同乡村振兴有效衔接产业发展冷链仓储及配套道路硬底化工程（第{n}期）",
             "驻镇帮镇扶农村供水保障工程管网延伸改造及入户水表安装项目（第{n}标段）")
LONGEST = "阳山县太平镇龙塘村2025年度乡村振兴驻镇帮镇扶村人居环境整治提升及农村生活污水处理设施建设（第1批）工程项目"


def long_name(county: str, town: str, village: str | None, i: int) -> str:
    """A name of 40 to 60 characters built the way real ones are."""
    name = f"{county}{town}{village or ''}" + LONG_TAIL[i % 3].format(n=i % 9 + 1)
    return name[: 40 + (i * 7) % 21]


def rename_long(db: Store) -> None:
    def write(cur):
        rows = cur.execute("SELECT project_id, county, town, village FROM projects ORDER BY project_id").fetchall()
        for i, (pid, county, town, village) in enumerate(rows):
            cur.execute("UPDATE projects SET name = $n WHERE project_id = $p",
                        {"n": long_name(county or "", town or "", village, i), "p": pid})
        cur.execute("UPDATE projects SET name = $n WHERE project_id = (SELECT min(project_id) FROM projects "
                    "WHERE county = '阳山县' AND town = '太平镇' AND plan_end < DATE '2026-10-31' "
                    "AND status = 'in_progress')", {"n": LONGEST})
    db.write(write)


def blank_values(db: Store) -> list[str]:
    """Late projects in 阳山县 lose village, progress, budget, money and start date, and a stalled one its
    plan dates, as real sheets have. Returns their ids."""
    def write(cur):
        ids = [r[0] for r in cur.execute(
            "SELECT project_id FROM projects WHERE county = '阳山县' AND status = 'in_progress' "
            "AND plan_end < DATE '2026-10-31' ORDER BY project_id DESC LIMIT 4").fetchall()]
        for pid in ids:
            cur.execute("UPDATE projects SET village = NULL, progress_pct = NULL, budget_wan = NULL, "
                        "funds_in_place_wan = NULL, spent_wan = NULL, actual_start = NULL WHERE project_id = $p",
                        {"p": pid})
        return ids
    ids = db.write(write)
    stalled = views.attention(db, COUNTY, limit=200)
    stalled = stalled[stalled["is_stalled"] & ~stalled["is_late"]]
    if not stalled.empty:  # a stalled project without dates: still listed, with a blank 计划完工
        pid = stalled["project_id"].iloc[0]
        db.write(lambda cur: cur.execute("UPDATE projects SET plan_start = NULL, plan_end = NULL "
                                         "WHERE project_id = $p", {"p": pid}))
        ids.append(pid)
    return ids


def _ids(db: Store, town: str, n: int) -> list[str]:
    with db.cursor() as cur:
        rows = cur.execute("SELECT project_id FROM projects WHERE county = '阳山县' AND town = $t "
                           "AND status = 'in_progress' ORDER BY project_id LIMIT $n", {"t": town, "n": n}).fetchall()
    return [r[0] for r in rows]


def add_photos(db: Store, folder: Path, towns: tuple[str, ...] = ("太平镇", "七拱镇", "小江镇"), per_town: int = 2,
               missing: int = 1, make=None) -> list[str]:
    """A photo on the first projects in progress of each 阳山县 town (one update each); the 1280 px copy
    of the newest `missing` of them is deleted, as when a file is lost. Returns the project ids."""
    db.photo_root = folder
    make = make or (lambda i: picture(lonlat=INSIDE, size=(1600, 1200), taken=f"2026:11:0{1 + i % 5} 09:{i:02d}:00"))
    done = []
    for town in towns:
        for pid in _ids(db, town, per_town):
            updates.save_update(db, pid, updates.Update(PHOTO_DAY, caption=f"{town}现场：管道铺设完成"), ADMIN,
                                [(f"{pid}.jpg", make(len(done)))])
            done.append(pid)
    for row in photos.latest_for(db, CITY, limit=50)[:missing]:
        row["path_1280"].unlink()
    return done


def long_name_store(photo_folder: Path | None = None) -> Store:
    """The demo library with long names and blanks (and photos when a folder is given)."""
    db = Store(":memory:")
    demo.build(db)
    rename_long(db)
    blank_values(db)
    if photo_folder is not None:
        add_photos(db, photo_folder)
    return db
