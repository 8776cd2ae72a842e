"""Plausible indicator values for every demo village (the demo's 挂图作战 data).

How they are generated (deterministic: the demo seed + 17, its own random stream, so the demo's
projects and reports stay byte-identical whether or not this runs):

- Every village of the demo (portfolio.demo.assisted_places: 24 towns, 279 villages) gets a
  household count (lognormal, median 420), a number of 自然村 (3-15) and a rural road length
  (4-30 公里): the denominators of its rates.
- Five half-yearly periods cover two years up to the demo's data date: 2024-10-31, 2025-04-30,
  2025-10-31, 2026-04-30 and 2026-10-31.
- Each rate starts in a range typical of the programme's reports (户厕 70-97 %, 生活污水 35-75 %,
  雨污分流 20-60 %, ...) and climbs towards 100 % over the periods; a village with a project of a
  category that moves the rate (water_supply -> 自来水, sewage -> 污水 ...) climbs about twice as
  fast. Numerators are whole households / 自然村 / 0.1 公里, so every rate is a true ratio.
- Six villages regress at the last period (a water plant or a sewage station out of service:
  8-20 points down), and about 3 % of villages leave 雨污分流 unreported at the last period (无数据).
- 美丽乡村 tiers only climb: most villages start 未创建 or 干净整洁村; 2026 targets ask every village
  for 干净整洁村, a third for 美丽宜居村 and about one in twelve for 特色精品村.
- 村集体经济收入 (万元) grows 5-20 % a year from 4-40 万元, target at least 10 万元; 撂荒地复耕面积 (亩)
  accumulates from 0, target 1.2-2 times the first year's land.
- Targets are for 2026: 自来水 and 户厕 100 %, 集中供水 90 %, 开工 100 %, 生活污水 85 %, 雨污分流
  70 %, 路面铺装 100 %, 三清三拆三整治 100 %.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from portfolio import sql
from portfolio.outcomes import catalogue as catalogue_mod
from portfolio.outcomes import values

DEMO_BATCH = "demo"
PERIODS = (date(2024, 10, 31), date(2025, 4, 30), date(2025, 10, 31), date(2026, 4, 30), date(2026, 10, 31))
TARGET_YEAR = 2026
REGRESSING = 6
SEED_OFFSET = 17

# rate -> (denominator, first-period range in %, 2026 target in %)
RATES: dict[str, tuple[str, tuple[float, float], float]] = {
    "tap_water_rate": ("households", (75, 98), 100),
    "central_water_rate": ("households", (55, 90), 90),
    "water_start_rate": ("natural", (40, 90), 100),
    "toilet_rate": ("households", (70, 97), 100),
    "sewage_rate": ("natural", (35, 75), 85),
    "rain_sewage_split_rate": ("natural", (20, 60), 70),
    "road_paving_rate": ("road_km", (60, 92), 100),
    "three_clean_rate": ("natural", (50, 95), 100),
}


def generate(projects: pd.DataFrame | None, seed: int, places=None) -> list[dict]:
    """The demo's value rows (dicts of values.VALUE_COLUMNS)."""
    from portfolio import demo

    rng = np.random.default_rng(seed + SEED_OFFSET)
    towns, chosen = places or demo.assisted_places()
    town_by_code = {t.town_code: t for t in towns}
    villages = [v for t in towns for v in chosen[t.town_code]]
    moving = _moving_categories(projects)
    regress = set(rng.choice(len(villages), size=min(REGRESSING, len(villages)), replace=False).tolist())
    rows: list[dict] = []
    steps = np.linspace(0.0, 1.0, len(PERIODS))
    for i, v in enumerate(villages):
        town = town_by_code[v.town_code]
        base = {"batch_id": DEMO_BATCH, "place_code": v.village_code, "level": "village", "county": town.county,
                "town": town.town, "village": v.short_name, "town_code": v.town_code}
        households = int(np.clip(rng.lognormal(np.log(420), 0.45), 80, 2500))
        denominators = {"households": float(households), "natural": float(rng.integers(3, 16)),
                        "road_km": round(float(rng.uniform(4, 30)), 1)}
        cats = moving.get(v.village_code, set())
        for code, (den_kind, (lo, hi), target) in RATES.items():
            den = denominators[den_kind]
            start = rng.uniform(lo, hi)
            boost = 2.0 if set(catalogue_mod.default().get(code).categories) & cats else 1.0
            gain = min(100 - start, rng.uniform(0.15, 0.45) * (100 - start) * boost)
            series = start + gain * steps + rng.normal(0, 1.0, len(PERIODS)) * (steps > 0)
            series = np.maximum.accumulate(np.clip(series, 0, 100))
            if i in regress and code in ("tap_water_rate", "sewage_rate"):
                series[-1] = max(0.0, series[-2] - rng.uniform(8, 20))
            for period, pct in zip(PERIODS, series):
                if code == "rain_sewage_split_rate" and period == PERIODS[-1] and rng.random() < 0.03:
                    continue  # not reported this period: the map's 无数据 class
                num = _whole(pct / 100 * den, den_kind)
                rows.append({**base, "indicator": code, "period": period, "numerator": num, "denominator": den,
                             "value": num / den * 100, "households": float(households),
                             "target": float(target), "target_year": TARGET_YEAR})
        rows.extend(_tier_rows(rng, base, households))
        rows.extend(_sum_rows(rng, base, households))
    return rows


def _whole(amount: float, den_kind: str) -> float:
    return round(amount, 1) if den_kind == "road_km" else float(round(amount))


def _moving_categories(projects: pd.DataFrame | None) -> dict[str, set[str]]:
    if projects is None or projects.empty:
        return {}
    placed = projects[["village_code", "category"]].dropna().drop_duplicates()
    return placed.groupby("village_code")["category"].agg(set).to_dict()


def _tier_rows(rng: np.random.Generator, base: dict, households: int) -> list[dict]:
    rank = int(rng.choice(3, p=(0.45, 0.45, 0.10)))
    draw = rng.random()
    target = 3 if draw < 0.08 else 2 if draw < 0.35 else 1
    rows = []
    for period in PERIODS:
        if period != PERIODS[0] and rank < 3 and rng.random() < 0.22:
            rank += 1
        rows.append({**base, "indicator": "beautiful_tier", "period": period, "value": float(rank),
                     "households": float(households), "target": float(max(target, 1)), "target_year": TARGET_YEAR})
    return rows


def _sum_rows(rng: np.random.Generator, base: dict, households: int) -> list[dict]:
    income = rng.uniform(4, 40)
    growth = rng.uniform(0.05, 0.2)
    land_first = float(rng.choice((0, 0, 20, 40, 60, 120)))
    land = 0.0
    income_target = round(max(10.0, income * 1.3), 1)
    land_target = round(land_first * rng.uniform(1.2, 2.0), 0)
    rows = []
    for i, period in enumerate(PERIODS):
        land += land_first / (len(PERIODS) - 1) * (i > 0) * rng.uniform(0.6, 1.4)
        rows.append({**base, "indicator": "collective_income", "period": period,
                     "value": round(income * (1 + growth) ** (i / 2), 1), "households": float(households),
                     "target": income_target, "target_year": TARGET_YEAR})
        rows.append({**base, "indicator": "farmland_restored", "period": period, "value": round(land, 1),
                     "households": float(households), "target": land_target or None, "target_year": TARGET_YEAR})
    return rows


def write(cur, projects: pd.DataFrame | None, seed: int) -> int:
    """Replace every indicator value with the demo's (inside the demo build's transaction)."""
    rows = generate(projects, seed)
    values.sync_catalogue(cur, catalogue_mod.default())
    cur.execute(sql.query("outcomes_clear_values"))
    values.insert_values(cur, rows)
    return len(rows)
