"""A tiny hand-written library for query tests: every number below is checkable by hand."""
from __future__ import annotations

from datetime import date

import pandas as pd

from portfolio import sql
from portfolio.auth import User
from portfolio.store import Store, refresh_progress_latest

AS_OF = date(2026, 6, 30)
# Writes need a user (portfolio.auth); tests that are not about accounts write as an admin.
ADMIN = User(name="admin", role="admin")
# The editor of 阳山县太平镇 (the seed has a second 太平镇, in 清新区).
TAIPING = User(name="taiping", role="editor", towns=("阳山县/太平镇",))

# Two towns called 太平镇 in different counties, on purpose.
PROJECTS = [
    # id, name, county, town, village, category, status, budget, in_place, spent, people, households, year,
    # plan_end, fund_assistance, fund_central, actual_start, actual_end
    ("A1", "石径村饮水工程", "阳山县", "太平镇", "石径村", "water_supply", "in_progress", 100.0, 80.0, 40.0, 1000, 250, 2025,
     date(2026, 3, 31), 100.0, 0.0, date(2025, 9, 1), None),
    ("A2", "石径村道路硬底化", "阳山县", "太平镇", "石径村", "roads", "completed", 50.0, 50.0, 50.0, 500, 120, 2025,
     date(2025, 12, 31), 30.0, 20.0, date(2025, 6, 1), date(2025, 12, 15)),
    ("A3", "大坪村户厕改造", "阳山县", "太平镇", "大坪村", "toilets", "planned", 12.0, 0.0, 0.0, 160, 40, 2026,
     date(2026, 12, 31), 12.0, 0.0, None, None),
    ("B1", "大坪村污水处理", "清新区", "太平镇", "大坪村", "sewage", "in_progress", 80.0, 40.0, 20.0, 600, 150, 2026,
     date(2026, 10, 31), 0.0, 80.0, date(2026, 1, 1), None),
    ("C1", "寨岗镇路灯", "连南瑶族自治县", "寨岗镇", None, "lighting", "accepted", 8.0, 8.0, 8.0, 300, 80, 2024,
     date(2024, 12, 31), 8.0, 0.0, date(2024, 5, 1), date(2024, 11, 30)),
]
# B1 stalled: no gain over its last three reports; A1 progressing.
REPORTS = [
    ("A1", date(2026, 3, 31), "in_progress", 20.0), ("A1", date(2026, 4, 30), "in_progress", 30.0),
    ("A1", date(2026, 5, 31), "in_progress", 40.0), ("A1", date(2026, 6, 30), "in_progress", 50.0),
    ("B1", date(2026, 3, 31), "in_progress", 35.0), ("B1", date(2026, 4, 30), "in_progress", 35.0),
    ("B1", date(2026, 5, 31), "in_progress", 35.0), ("B1", date(2026, 6, 30), "in_progress", 35.0),
]


def insert_projects(db: Store, projects: pd.DataFrame, reports: pd.DataFrame | None = None) -> None:
    """Add project rows (and optionally their reports) in one write, with the rollups kept current."""
    def write(cur):
        cur.register("new_projects", projects)
        cur.execute(sql.query("insert_projects_frame"))
        cur.unregister("new_projects")
        if reports is not None:
            cur.register("new_reports", reports)
            cur.execute(sql.query("insert_reports_frame"))
            cur.unregister("new_reports")
        refresh_progress_latest(cur)

    db.write(write)


def seed(db: Store) -> None:
    projects = pd.DataFrame(
        [dict(project_id=p[0], name=p[1], county=p[2], town=p[3], village=p[4], category=p[5], status=p[6],
              budget_wan=p[7], funds_in_place_wan=p[8], spent_wan=p[9], beneficiaries=p[10],
              beneficiary_households=p[11], year=p[12], plan_end=p[13], fund_assistance_wan=p[14],
              fund_central_wan=p[15], actual_start=p[16], actual_end=p[17], location_precision="none",
              description="测试项目") for p in PROJECTS]
    )
    reports = pd.DataFrame([dict(project_id=r[0], report_date=r[1], status=r[2], progress_pct=r[3])
                            for r in REPORTS])
    insert_projects(db, projects, reports)
