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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from portfolio import demo_names, geo, store as store_mod, vocab

DEMO_AS_OF = date(2026, 10, 31)  # fixed so that the same seed gives the same library
DEFAULT_PROJECTS = 560
DEFAULT_SEED = 20240601
REPORT_MONTHS = 12
# Projects generated and written at a time: memory stays flat at any size. The first chunk draws
# from numpy.random.default_rng(seed) exactly as a single pass did, so every library of up to
# CHUNK projects (the default one included) keeps its columns for the same seed; chunk k > 0
# draws from default_rng([seed, k]).
CHUNK = 100_000
BUILD_MEMORY_LIMIT = "1GB"  # DuckDB's share while the demo is appended

# (county code, town) of the 24 assisted towns; the first 13 are named in published reports.
ASSISTED_TOWNS: tuple[tuple[str, str], ...] = (
    ("441826", "寨岗镇"), ("441826", "大麦山镇"),
    ("441823", "小江镇"), ("441823", "大崀镇"), ("441823", "太平镇"), ("441823", "七拱镇"),
    ("441825", "太保镇"), ("441825", "永和镇"),
    ("441821", "迳头镇"),
    ("441881", "西牛镇"),
    ("441882", "连州镇"), ("441882", "大路边镇"), ("441882", "九陂镇"),
    ("441826", "三江镇"), ("441823", "黎埠镇"), ("441825", "吉田镇"), ("441821", "水头镇"),
    ("441881", "九龙镇"), ("441881", "青塘镇"), ("441881", "黄花镇"), ("441882", "西岸镇"),
    ("441803", "石潭镇"), ("441803", "浸潭镇"), ("441803", "太平镇"),
)
# Guangzhou units paired with each county (illustrative, part of the demo).
ASSISTING_UNITS = {
    "441826": "广州市黄埔区", "441823": "广州市天河区", "441825": "广州市越秀区",
    "441821": "广州市海珠区", "441881": "广州市番禺区", "441882": "广州市白云区",
    "441803": "广州市荔湾区",
}
VILLAGES_PER_TOWN = 14


@dataclass(frozen=True)
class CategoryProfile:
    share: float  # of all projects
    budget_wan: float  # median budget per project
    spread: float  # lognormal sigma
    people: float  # median beneficiaries per project
    unit: str
    qty: tuple[float, float]  # uniform range of the scale quantity
    templates: tuple[str, ...]
    subcategories: tuple[str, ...]


PROFILES: dict[str, CategoryProfile] = {
    "water_supply": CategoryProfile(0.14, 14.5, 0.55, 760, "处", (1, 4),
        ("{v}饮水安全巩固提升工程", "{v}集中供水管网改造", "{v}深水井及蓄水池建设", "{v}自来水入户工程"),
        ("集中供水", "管网改造", "水源工程")),
    "roads": CategoryProfile(0.15, 13.0, 0.5, 500, "公里", (0.5, 4.5),
        ("{v}至{w}道路硬底化工程", "{v}机耕路建设", "{v}村道拓宽改造", "{v}生产便道硬化", "{v}便民桥修建"),
        ("村道硬底化", "机耕路", "桥梁")),
    "toilets": CategoryProfile(0.11, 12.0, 0.45, 160, "户", (20, 80),
        ("{v}户厕改造", "{v}公共厕所新建", "{v}农村厕所革命整村推进"),
        ("户厕改造", "公厕")),
    "sewage": CategoryProfile(0.1, 45.0, 0.6, 600, "处", (1, 3),
        ("{v}生活污水处理设施建设", "{v}雨污分流管网工程", "{v}污水处理氧化塘建设"),
        ("污水处理设施", "管网")),
    "farmland": CategoryProfile(0.145, 5.8, 0.6, 220, "亩", (40, 160),
        ("{v}撂荒地复耕灌溉水渠修复", "{v}机耕路建设（复耕配套）", "{v}高标准农田陂头修缮", "{v}撂荒地复耕复种"),
        ("灌溉水渠", "机耕路", "复耕复种")),
    "lighting": CategoryProfile(0.08, 7.2, 0.35, 450, "盏", (8, 22),
        ("{v}太阳能路灯安装", "{v}村道亮化工程"),
        ("太阳能路灯",)),
    "environment": CategoryProfile(0.12, 55.0, 0.7, 900, "处", (1, 6),
        ("{v}人居环境整治（三清三拆）", "{v}乡村风貌提升工程", "{v}村口广场及绿化美化", "{v}垃圾收集点建设"),
        ("风貌提升", "三清三拆", "绿化美化")),
    "industry": CategoryProfile(0.08, 45.0, 0.8, 300, "亩", (30, 300),
        ("{v}茶叶种植基地建设", "{v}特色农产品加工厂房", "{v}村集体合作社养殖项目", "{v}乡村旅游配套设施"),
        ("种植", "加工", "养殖", "乡村旅游")),
    "public_service": CategoryProfile(0.05, 35.0, 0.6, 1200, "处", (1, 2),
        ("{v}党群服务中心升级改造", "{v}卫生站标准化建设", "{v}文化活动室建设", "{v}幼儿园改造"),
        ("党群服务", "医疗卫生", "文化教育")),
    "other": CategoryProfile(0.025, 10.0, 0.6, 200, "项", (1, 1),
        ("{v}应急避险场所建设", "{v}村务公开栏更新"),
        ("其他",)),
}
NATURE_WEIGHTS = (0.7, 0.08, 0.17, 0.05)  # 新建 续建 改扩建 维修
YEARS = (2022, 2023, 2024, 2025, 2026)
YEAR_WEIGHTS = (0.06, 0.1, 0.18, 0.3, 0.36)


def assisted_places(all_towns: bool = False) -> tuple[list[geo.Town], dict[str, list[geo.Village]]]:
    """The towns of the demo and the villages chosen in each (deterministic)."""
    by_key = {(t.county_code, t.town): t for t in geo.towns()}
    towns = list(geo.towns()) if all_towns else [by_key[k] for k in ASSISTED_TOWNS]
    villages_by_town: dict[str, list[geo.Village]] = {}
    for v in geo.villages():
        villages_by_town.setdefault(v.town_code, []).append(v)
    chosen: dict[str, list[geo.Village]] = {}
    for t in towns:
        candidates = [v for v in villages_by_town.get(t.town_code, []) if v.village.endswith("村委会")]
        candidates = candidates or villages_by_town.get(t.town_code, [])
        candidates.sort(key=lambda v: geo.stable_unit(v.village_code))
        limit = len(candidates) if all_towns else VILLAGES_PER_TOWN
        chosen[t.town_code] = sorted(candidates[:limit], key=lambda v: v.village_code)
    return towns, chosen


def _month_add(d: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Add whole months to datetime64[M] values."""
    return d + months.astype("timedelta64[M]")


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
    plan_end_m = _month_add(start_month, duration)

    status = _statuses(rng, n, as_of_m, start_month, duration, offset)

    started = np.isin(status, vocab.STARTED_STATUS_CODES)
    finished = np.isin(status, vocab.FINISHED_STATUS_CODES)
    start_delay = rng.integers(0, 3, n)
    actual_start_m = _month_add(start_month, start_delay)
    actual_start_m = np.minimum(actual_start_m, as_of_m)
    overrun = rng.integers(-1, 4, n)
    actual_end_m = np.minimum(_month_add(plan_end_m, overrun), as_of_m)
    actual_end_m = np.maximum(actual_end_m, actual_start_m)

    progress, stalled = _progress(rng, n, status, finished, as_of_m, actual_start_m, duration)

    budget, funds_in_place, spent, fund_shares, qty, units, people, households = _money_and_scale(
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
            d = _month_add(months, np.ones(len(months), dtype=int)).astype("datetime64[D]") - np.timedelta64(1, "D")
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
    reports = _reports(projects, stalled, as_of)
    return projects, reports


def _progress(rng: np.random.Generator, n: int, status: np.ndarray, finished: np.ndarray, as_of_m,
              actual_start_m: np.ndarray, duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Progress: in-progress projects between 5% and 95%, a share of them stalled."""
    elapsed = np.clip((as_of_m - actual_start_m).astype(int) / np.maximum(duration, 1), 0.05, 0.95)
    progress = np.where(finished, 100.0, 0.0)
    in_prog = status == "in_progress"
    progress[in_prog] = np.round(np.clip(elapsed[in_prog] * 100 * rng.uniform(0.6, 1.1, in_prog.sum()), 5, 95))
    suspended = status == "suspended"
    progress[suspended] = np.round(rng.uniform(10, 60, suspended.sum()))
    stalled = in_prog & (rng.random(n) < 0.15)
    return progress, stalled


def _money_and_scale(rng: np.random.Generator, n: int, cat_codes: list[str], cat_idx: np.ndarray,
                     status: np.ndarray, started: np.ndarray, finished: np.ndarray, progress: np.ndarray):
    """Budget, funds in place, spent and the funding split; scale, people and households (toilets by 户)."""
    # Money.
    median = np.array([PROFILES[c].budget_wan for c in cat_codes])[cat_idx]
    sigma = np.array([PROFILES[c].spread for c in cat_codes])[cat_idx]
    budget = np.round(median * np.exp(rng.normal(0, 1, n) * sigma), 1)
    budget = np.maximum(budget, 0.5)
    in_place_share = np.where(finished, 1.0, np.where(started, rng.uniform(0.5, 1.0, n),
                              np.where(status == "tendering", rng.uniform(0.2, 0.6, n), rng.uniform(0, 0.3, n))))
    funds_in_place = np.round(budget * in_place_share, 2)
    spent = np.round(np.minimum(funds_in_place, budget * progress / 100 * rng.uniform(0.85, 1.0, n)), 2)
    # Funding split: the assistance funds carry most projects; other sources join some.
    weights = np.column_stack([
        np.where(rng.random(n) < 0.12, rng.uniform(0.2, 0.6, n), 0.0),  # central
        np.where(rng.random(n) < 0.40, rng.uniform(0.1, 0.5, n), 0.0),  # provincial
        np.where(rng.random(n) < 0.20, rng.uniform(0.1, 0.3, n), 0.0),  # city
        np.where(rng.random(n) < 0.45, rng.uniform(0.05, 0.3, n), 0.0),  # county
        rng.uniform(0.5, 1.5, n),  # assistance
        np.where(rng.random(n) < 0.10, rng.uniform(0.1, 0.4, n), 0.0),  # social
    ])
    fund_shares = weights / weights.sum(axis=1, keepdims=True)

    # Scale and beneficiaries.
    qlo = np.array([PROFILES[c].qty[0] for c in cat_codes])[cat_idx]
    qhi = np.array([PROFILES[c].qty[1] for c in cat_codes])[cat_idx]
    qty = qlo + (qhi - qlo) * rng.random(n)
    units = np.array([PROFILES[c].unit for c in cat_codes], dtype=object)[cat_idx]
    qty = np.where(np.isin(units, ["户", "盏", "处", "亩", "项"]), np.round(qty), np.round(qty, 1))
    people = np.round(np.array([PROFILES[c].people for c in cat_codes])[cat_idx] * np.exp(rng.normal(0, 0.5, n)))
    toilets = units == "户"
    people = np.where(toilets, qty * 4, people)
    budget = np.where(toilets, np.round(qty * rng.uniform(0.25, 0.35, n), 1), budget)
    households = np.where(toilets, qty, np.round(people / 3.8))
    funds_in_place = np.round(np.where(toilets, budget * in_place_share, funds_in_place), 2)
    spent = np.round(np.minimum(spent, funds_in_place), 2)
    return budget, funds_in_place, spent, fund_shares, qty, units, people, households


def _statuses(rng: np.random.Generator, n: int, as_of_m, start_month: np.ndarray, duration: np.ndarray,
              offset: int = 0) -> np.ndarray:
    """Status follows time: older projects are done, this year's are earlier in the cycle."""
    months_since_start = (as_of_m - start_month).astype(int)
    u = rng.random(n)
    status = np.empty(n, dtype=object)
    not_started = months_since_start < 0
    status[not_started] = np.where(u[not_started] < 0.45, "planned",
                                   np.where(u[not_started] < 0.75, "approved", "tendering"))
    running = ~not_started
    finish_p = np.clip((months_since_start - duration) / 10.0, 0.0, 0.95)
    r = rng.random(n)
    done = running & (r < finish_p)
    status[done] = np.where(u[done] < 0.55, "accepted", "completed")
    active = running & ~done
    status[active] = np.where(u[active] < 0.06, "suspended",
                              np.where(u[active] < 0.12, "tendering", "in_progress"))
    # A little of everything everywhere, so every status appears at any size.
    index = offset + np.arange(n)  # the project's number in the whole library
    forced = index % 97 == 0
    status[forced] = np.array(vocab.STATUS_CODES, dtype=object)[(index[forced] // 97) % len(vocab.STATUS_CODES)]

    return status


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


def _reports(projects: pd.DataFrame, stalled: np.ndarray, as_of: date) -> pd.DataFrame:
    """Monthly progress reports over the last 12 months for started projects."""
    as_of_m = np.datetime64(as_of, "M")
    months = [as_of_m - np.timedelta64(k, "M") for k in range(REPORT_MONTHS - 1, -1, -1)]
    month_ends = [(m + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D") for m in months]
    started = projects["actual_start"].notna().to_numpy()
    start_m = pd.to_datetime(projects["actual_start"]).to_numpy().astype("datetime64[M]")
    end_m = pd.to_datetime(projects["actual_end"]).to_numpy().astype("datetime64[M]")
    final = projects["progress_pct"].to_numpy()
    spent = projects["spent_wan"].to_numpy()
    in_place = projects["funds_in_place_wan"].to_numpy()
    status = projects["status"].to_numpy()
    frames = []
    for k, (m, d) in enumerate(zip(months, month_ends)):
        reached = started & (start_m <= m) & (np.isnat(end_m) | (end_m >= m - np.timedelta64(1, "M")))
        if not reached.any():
            continue
        span = np.maximum((as_of_m - start_m).astype(float), 1.0)
        frac = np.clip(((m - start_m).astype(float) + 1) / (span + 1), 0.0, 1.0)
        months_left = REPORT_MONTHS - 1 - k
        # Stalled projects stopped gaining four reports ago.
        frac = np.where(stalled & (months_left < 4), np.clip((span - 3) / (span + 1), 0.0, 1.0), frac)
        finished_here = ~np.isnat(end_m) & (end_m <= m)
        pct = np.where(finished_here, 100.0, np.round(final * frac))
        if stalled.any():
            pct = np.where(stalled & (months_left < 4), np.round(final), pct)
        st = np.where(finished_here, status, np.where(pct > 0, "in_progress", "approved"))
        st = np.where((status == "suspended") & (months_left < 2), "suspended", st)
        idx = np.flatnonzero(reached)
        frames.append(pd.DataFrame({
            "project_id": projects["project_id"].to_numpy()[idx],
            "report_date": pd.Series([d] * len(idx)).astype("datetime64[s]").dt.date,
            "status": st[idx].astype(str),
            "progress_pct": pct[idx],
            "spent_wan": np.round(spent[idx] * pct[idx] / np.maximum(final[idx], 1.0), 2).clip(max=spent[idx]),
            "funds_in_place_wan": in_place[idx],
            "batch_id": "demo",
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["project_id", "report_date", "status", "progress_pct", "spent_wan", "funds_in_place_wan", "batch_id"])


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
            return len(projects)
        return write

    def finish(cur) -> None:
        store_mod.refresh_progress_latest(cur)
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
