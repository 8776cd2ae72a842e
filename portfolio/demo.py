"""The deterministic demo portfolio (演示数据).

Shaped like the Guangzhou assistance programme in Qingyuan: 24 assisted towns in
7 county-level units, about 300 real villages, about 560 projects carried by the
town teams. Magnitudes are calibrated on published figures (water supply 1,400.1
万元 for 60,455 people; 84 roads, 1,130.2 万元; 664 street lamps, 324.7 万元;
farmland 474.13 万元 for 7,600 亩; village appearance 4,528.3 万元 in 137 villages;
household toilets about 0.3 万元 per household). The same seed always gives the
same library; `n_projects` scales it up to 1,000,000 for benchmarks.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from portfolio import demo_names, geo, store as store_mod, vocab
from portfolio.demo_draws import money_and_scale, month_add, progress as draw_progress, statuses
from portfolio.demo_profiles import (  # noqa: F401  (ASSISTED_TOWNS, VILLAGES_PER_TOWN: part of the demo's API)
    ASSISTED_TOWNS, ASSISTING_UNITS, NATURE_WEIGHTS, PROFILES, VILLAGES_PER_TOWN, YEAR_WEIGHTS, YEARS,
    assisted_places)
from portfolio.demo_reports import REPORT_MONTHS, monthly_reports  # noqa: F401  (REPORT_MONTHS: API)

DEMO_AS_OF = date(2026, 10, 31)  # fixed so that the same seed gives the same library
DEFAULT_PROJECTS = 560
DEFAULT_SEED = 20240601
# Projects generated and written at a time: memory stays flat at any size. The first chunk draws
# from numpy.random.default_rng(seed) exactly as a single pass did, so every library of up to
# CHUNK projects (the default one included) keeps its columns for the same seed; chunk k > 0
# draws from default_rng([seed, k]).
CHUNK = 100_000
BUILD_MEMORY_LIMIT = "768MB"  # DuckDB's share while the demo is appended (10M: 1.37 GB peak for the whole process)


def generate(n_projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED,
             as_of: date = DEMO_AS_OF) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo library: (projects, progress_reports) frames, identical for the same arguments."""
    parts = list(generate_chunks(n_projects, seed, as_of))
    return (pd.concat([p for p, _ in parts], ignore_index=True),
            pd.concat([r for _, r in parts], ignore_index=True))


def generate_chunks(n_projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED, as_of: date = DEMO_AS_OF,
                    chunk: int = CHUNK):
    """The demo library as (projects, progress_reports) frames of at most `chunk` projects each."""
    towns, villages = assisted_places(all_towns=n_projects > 20_000)
    places = _PlaceTable(towns, villages)
    for k, offset in enumerate(range(0, max(n_projects, 1), chunk)):
        rng = np.random.default_rng(seed if k == 0 else [seed, k])
        names_rng = np.random.default_rng([seed, demo_names.NAME_STREAM, k])
        yield _generate_chunk(rng, names_rng, min(chunk, n_projects - offset), offset, places, as_of)


class _PlaceTable:
    """The demo's places (a village of a town, in order) as arrays, so a chunk picks them by index."""

    def __init__(self, towns: list[geo.Town], villages: dict[str, list[geo.Village]]):
        self.rows = [(t, v) for t in towns for v in villages[t.town_code]]
        self.villages = villages
        self.county = np.array([t.county for t, _ in self.rows], dtype=object)
        self.town = np.array([t.town for t, _ in self.rows], dtype=object)
        self.town_code = np.array([t.town_code for t, _ in self.rows], dtype=object)
        self.village = np.array([v.short_name for _, v in self.rows], dtype=object)
        self.village_code = np.array([v.village_code for _, v in self.rows], dtype=object)
        self.neighbour = np.array([villages[t.town_code][(i + 1) % len(villages[t.town_code])].short_name
                                   for i, (t, _) in enumerate(self.rows)], dtype=object)
        points = [geo.village_point(t, v) for t, v in self.rows]
        self.lon = np.array([p[0] for p in points])
        self.lat = np.array([p[1] for p in points])
        self.town_lon = np.array([t.lon for t, _ in self.rows])
        self.town_lat = np.array([t.lat for t, _ in self.rows])
        self.team = np.array([f"驻{t.town}工作队" for t, _ in self.rows], dtype=object)
        self.unit = np.array([ASSISTING_UNITS.get(t.county_code, "广州市") for t, _ in self.rows], dtype=object)
        self.responsible = np.array([f"{t.town}人民政府" for t, _ in self.rows], dtype=object)

    def __len__(self) -> int:
        return len(self.rows)


def _generate_chunk(rng: np.random.Generator, names_rng: np.random.Generator, n: int, offset: int,
                    places_table: _PlaceTable, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects offset+1 .. offset+n and their reports; the draws follow the single-pass order."""
    # Places: each project goes to a village of a town (5% sit at town level).
    # Every village gets a project before any gets a second one (in the first chunk).
    first = rng.permutation(len(places_table))[: min(n, len(places_table))] if offset == 0 else np.array([], int)
    place_idx = np.concatenate([first, rng.integers(0, len(places_table), n - len(first))])
    town_level = rng.random(n) < 0.05

    cat_codes = list(PROFILES)
    shares = np.array([PROFILES[c].share for c in cat_codes])
    cat_idx = rng.choice(len(cat_codes), n, p=shares / shares.sum())

    year = rng.choice(YEARS, n, p=YEAR_WEIGHTS)
    as_of_m = np.datetime64(as_of, "M")
    start_month = np.array([np.datetime64(f"{y}-01", "M") for y in YEARS])[np.searchsorted(YEARS, year)] \
        + rng.integers(1, 11, n).astype("timedelta64[M]")
    # A third of this year's projects are still being prepared: their start lies ahead.
    preparing = (year == as_of.year) & (rng.random(n) < 0.35)
    start_month = np.where(preparing, as_of_m + rng.integers(1, 6, n).astype("timedelta64[M]"), start_month)
    duration = rng.integers(2, 10, n)
    plan_end_m = month_add(start_month, duration)

    status = statuses(rng, n, as_of_m, start_month, duration, offset)

    started = np.isin(status, vocab.STARTED_STATUS_CODES)
    finished = np.isin(status, vocab.FINISHED_STATUS_CODES)
    start_delay = rng.integers(0, 3, n)
    actual_start_m = month_add(start_month, start_delay)
    actual_start_m = np.minimum(actual_start_m, as_of_m)
    overrun = rng.integers(-1, 4, n)
    actual_end_m = np.minimum(month_add(plan_end_m, overrun), as_of_m)
    actual_end_m = np.maximum(actual_end_m, actual_start_m)

    progress, stalled = draw_progress(rng, n, status, finished, as_of_m, actual_start_m, duration)

    budget, funds_in_place, spent, fund_shares, qty, units, people, households = money_and_scale(
        rng, n, cat_codes, cat_idx, status, started, finished, progress)

    template_pick = rng.random(n)
    sub_pick = rng.random(n)
    exact = rng.random(n) < 0.25
    jitter = rng.normal(0, 0.004, (n, 2))

    places = _places(n, offset, places_table, place_idx, town_level, cat_codes, cat_idx, year,
                     template_pick, sub_pick, exact, jitter, names_rng)

    def as_date(months: np.ndarray, day_end: bool = False) -> pd.Series:
        d = months.astype("datetime64[D]")
        if day_end:
            d = month_add(months, np.ones(len(months), dtype=int)).astype("datetime64[D]") - np.timedelta64(1, "D")
        return pd.Series(d).dt.date

    # Built from arrays, not by iterating the frame's columns (ten times faster at a million rows).
    areas = np.array([vocab.CATEGORY_BY_CODE[c].area for c in cat_codes], dtype=object)[cat_idx]
    first_sub = np.array([PROFILES[c].subcategories[0] for c in cat_codes], dtype=object)[cat_idx]
    projects = places.assign(
        area=areas,
        nature=np.array(vocab.NATURES, dtype=object)[rng.choice(4, n, p=NATURE_WEIGHTS)],
        description=[f"{s_}，规模{q:g}{u_}" for s_, q, u_ in zip(first_sub, qty.tolist(), units)],
        scale_qty=qty, scale_unit=units,
        budget_wan=budget, funds_in_place_wan=funds_in_place, spent_wan=spent,
        **{source.column: np.round(budget * fund_shares[:, k], 2)
           for k, source in enumerate(vocab.FUND_SOURCES)},
        status=status.astype(str), progress_pct=progress,
        plan_start=as_date(start_month), plan_end=as_date(plan_end_m, day_end=True),
        actual_start=as_date(actual_start_m).where(started, None),
        actual_end=as_date(actual_end_m, day_end=True).where(finished, None),
        beneficiaries=people.astype("int64"), beneficiary_households=households.astype("int64"),
        year=year.astype("int32"),
        responsible_unit=places_table.responsible[place_idx],
        responsible_person=None, notes=None, batch_id="demo",
        updated_at=pd.Timestamp(as_of),
    )
    reports = monthly_reports(projects, stalled, as_of)
    return projects, reports


def _places(n, offset, table: _PlaceTable, place_idx, town_level, cat_codes, cat_idx, year, template_pick, sub_pick,
            exact, jitter, names_rng) -> pd.DataFrame:
    """Each project's id, name, place, point, category and team (the random draws come from the chunk;
    the names' dress from their own stream)."""
    town = table.town[place_idx]
    village = np.where(town_level, None, table.village[place_idx])
    vname = np.where(town_level, town, table.village[place_idx])
    neighbour = table.neighbour[place_idx]
    codes = np.array(cat_codes, dtype=object)[cat_idx]
    core = [PROFILES[c].templates[int(p * len(PROFILES[c].templates))].format(v=v, w=w)
            for c, p, v, w in zip(codes, template_pick, vname, neighbour)]
    county = table.county[place_idx]
    names = demo_names.dress(core, list(county), list(town), list(village), year, names_rng)
    lon = np.where(town_level, table.town_lon[place_idx], table.lon[place_idx]).astype(object)
    lat = np.where(town_level, table.town_lat[place_idx], table.lat[place_idx]).astype(object)
    precision = np.where(town_level, "town", np.where(exact, "exact", "village")).astype(object)
    moved = exact & ~town_level  # numpy's rounding, as the single pass's round(numpy float) did
    lon[moved] = np.round(lon[moved].astype(float) + jitter[moved, 0] / 4, 6)
    lat[moved] = np.round(lat[moved].astype(float) + jitter[moved, 1] / 4, 6)
    return pd.DataFrame({
        "project_id": [f"XM{int(y)}{i:07d}" for y, i in zip(year, range(offset + 1, offset + n + 1))],
        "name": names, "county": county, "town": town, "village": village,
        "town_code": table.town_code[place_idx],
        "village_code": np.where(town_level, None, table.village_code[place_idx]),
        "category": codes,
        "subcategory": [PROFILES[c].subcategories[int(p * len(PROFILES[c].subcategories))]
                        for c, p in zip(codes, sub_pick)],
        "lon": lon.astype(float), "lat": lat.astype(float), "location_precision": precision,
        "team": table.team[place_idx], "assisting_unit": table.unit[place_idx],
    })


def build(db: store_mod.Store, n_projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED,
          as_of: date = DEMO_AS_OF) -> int:
    """Replace the library in `db` with the demo portfolio; returns the project count.

    Generated and appended a chunk at a time, each chunk in its own transaction: DuckDB holds a
    transaction's appended rows in memory, so one transaction for ten million projects would
    need gigabytes. The library is marked as the demo before the first chunk, so a build cut
    short leaves a library that says it is the demo (build again to finish it)."""
    from portfolio import sql

    def start(cur) -> None:
        cur.execute(sql.query("clear_library"))
        for key, value in (("is_demo", "1"), ("data_date", as_of.isoformat()), ("demo_seed", str(seed))):
            cur.execute(sql.query("set_meta"), {"key": key, "value": value})

    placed = []  # each chunk's (village_code, category) pairs: what the village indicators follow

    def append(projects: pd.DataFrame, reports: pd.DataFrame):
        placed.append(projects[["village_code", "category"]].dropna().drop_duplicates())

        def write(cur) -> int:
            cur.register("new_projects", projects)
            cur.execute(sql.query("insert_projects_frame"))
            cur.unregister("new_projects")
            cur.register("new_reports", reports)
            cur.execute(sql.query("insert_reports_frame"))
            cur.unregister("new_reports")
            # The chunk's own rollup, in its transaction: rebuilding all at the end updated every
            # project in one transaction, which at 10M needs more than the build's memory limit.
            store_mod.refresh_progress_latest(cur, projects["project_id"].tolist())
            return len(projects)
        return write

    def finish(cur) -> None:
        # Village indicators last, from their own random stream: the project data above is unchanged.
        from portfolio.outcomes import demo_values

        demo_values.write(cur, pd.concat(placed, ignore_index=True).drop_duplicates(), seed)

    # DuckDB's buffer pool would grow to the store's limit while a big library is appended;
    # the build needs less, so the whole process stays small at any size.
    with db.cursor() as cur:
        before = cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        cur.execute("SET memory_limit = $limit", {"limit": BUILD_MEMORY_LIMIT})
    try:
        db.write(start)
        count = sum(db.write(append(projects, reports)) for projects, reports in generate_chunks(n_projects, seed, as_of))
        db.write(finish)
        return count
    finally:
        with db.cursor() as cur:
            cur.execute("SET memory_limit = $limit", {"limit": before})
