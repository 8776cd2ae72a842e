"""What the pages show: each function answers one question about the filtered library.

Functions take the store, the filters and the reference date, run named queries
and return plain values or DataFrames ordered the way the charts want them.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from portfolio import indicators, vocab
from portfolio.filters import FLAG_CODES, UNPLACED, Filters, flag_params, split_key
from portfolio.i18n import t
from portfolio.store import Store

TABLE_LIMIT = 5000  # rows sent to the browser's table; exports take every row


@dataclass(frozen=True)
class Kpis:
    projects: int
    budget_wan: float
    funds_in_place_wan: float
    spent_wan: float
    started: int
    finished: int
    beneficiaries: int
    households: int
    late: int
    stalled: int

    # The rates are portfolio.indicators' definitions, read through these names.
    @property
    def start_rate(self) -> float | None:
        return indicators.rate("start_rate", self)

    @property
    def finish_rate(self) -> float | None:
        return indicators.rate("finish_rate", self)

    @property
    def in_place_rate(self) -> float | None:
        return indicators.rate("in_place_rate", self)

    @property
    def spent_rate(self) -> float | None:
        return indicators.rate("spent_rate", self)


def data_date(db: Store) -> date:
    """The date the data speaks for (latest report), today when there is none."""
    row = db.one("data_date")
    return (row or {}).get("data_date") or date.today()


def is_demo(db: Store) -> bool:
    """Whether the library still holds any project of the demo portfolio (then every view and
    export carries the 演示数据 mark)."""
    return bool((db.one("demo_project_count") or {}).get("n"))


def _params(db: Store, filters: Filters, as_of: date | None) -> dict:
    """Parameters of the macro chain: the filters and the reference date (the data date when None)."""
    return flag_params(filters, as_of or data_date(db))


# The grouped passes of each (data version, filters, date), per store: the headline numbers, the
# town ranking and the sidebar's facets come from two scans; a write bumps the data version, so
# nothing stale is served.
_GROUPED: "weakref.WeakKeyDictionary[Store, dict]" = weakref.WeakKeyDictionary()
_GROUPED_KEPT = 32


def forget(db: Store) -> None:
    """Drop the grouped passes kept for `db` (benchmarks measure uncached work with it)."""
    _GROUPED.pop(db, None)


def _kept(db: Store, name: str, filters: Filters, as_of: date | None) -> pd.DataFrame:
    """The result of the grouped query `name` for these filters, run once per data version."""
    params = _params(db, filters, as_of)
    key = (name, db.data_version(), filters, params["as_of"])
    kept = _GROUPED.setdefault(db, {})
    found = kept.get(key)  # one lookup: another session's thread may clear the dict meanwhile
    if found is None:
        if len(kept) >= _GROUPED_KEPT:
            kept.clear()
        found = kept[key] = db.df(name, params)
    return found


def places(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """The filtered projects' sums per county key and town key (query grouped_places)."""
    return _kept(db, "grouped_places", filters, as_of)


def _facet_rows(db: Store, filters: Filters, as_of: date | None, column: str) -> pd.DataFrame:
    df = _kept(db, "grouped_facets", filters, as_of)
    return df[df["grouping_set"] == column]


def kpis(db: Store, filters: Filters, as_of: date | None = None) -> Kpis:
    rows = places(db, filters, as_of)
    return Kpis(**{k: _number(rows[k].sum()) for k in Kpis.__dataclass_fields__})  # per column: counts stay ints


def _number(value):
    """A sum as a plain Python number (0 when missing)."""
    if value is None or value != value:
        return 0
    return value.item() if hasattr(value, "item") else value


def _ordered(df: pd.DataFrame, column: str, order: tuple[str, ...]) -> pd.DataFrame:
    rank = {code: i for i, code in enumerate(order)}
    return df.assign(_rank=df[column].map(rank).fillna(len(order))).sort_values("_rank").drop(columns="_rank").reset_index(drop=True)


def by_category(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """One row per category present, in vocabulary order (the core five first)."""
    return _ordered(db.df("by_category", _params(db, filters, as_of)), "category", vocab.CATEGORY_CODES)


def area_totals_by_category(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """Investment per programme area of the filtered projects."""
    return area_totals(by_category(db, filters, as_of))


def by_status(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """One row per status present, in lifecycle order."""
    return _ordered(db.df("by_status", _params(db, filters, as_of)), "status", vocab.STATUS_CODES)


def area_totals(categories: pd.DataFrame) -> pd.DataFrame:
    """Investment per programme area (六个方面), from a by_category() frame."""
    cats = categories.copy()
    cats["area"] = cats["category"].map(lambda c: vocab.CATEGORY_BY_CODE.get(c, vocab.CATEGORY_BY_CODE["other"]).area)
    out = cats.groupby("area", as_index=False)[["projects", "budget_wan"]].sum()
    return _ordered(out, "area", tuple(a.code for a in vocab.AREAS))


def by_town(db: Store, filters: Filters, as_of: date | None = None, lang: str = "zh") -> pd.DataFrame:
    """Per town, largest investment first, with the indicator rates; the unplaced projects
    form one row whose county is None and whose town reads 未定位."""
    sums = ["projects", "budget_wan", "funds_in_place_wan", "spent_wan", "started", "finished", "late", "stalled",
            "beneficiaries"]
    rows = places(db, filters, as_of).groupby("town_key", as_index=False, sort=False)[sums].sum()
    rows = rows.sort_values(["budget_wan", "town_key"], ascending=[False, True]).reset_index(drop=True)
    # A placed town's key is county/town (gazetteer names hold no separator); the unplaced row has neither.
    parts = [split_key(key) if key != UNPLACED else [None, None] for key in rows["town_key"]]
    rows.insert(0, "town", pd.Series([p[1] for p in parts], dtype=object))
    rows.insert(0, "county", pd.Series([p[0] for p in parts], dtype=object))
    df = indicators.with_rates(rows, tuple(indicators.RATES))
    unplaced = df["town_key"] == UNPLACED
    if unplaced.any():
        df["town"] = df["town"].astype(object)
        df.loc[unplaced, "town"] = t("unplaced", lang)
    return df


def monthly_trend(db: Store, filters: Filters, months: int = 24, as_of: date | None = None) -> pd.DataFrame:
    """Cumulative started and finished projects per month, over the last `months` months."""
    df = db.df("monthly_trend", _params(db, filters, as_of))
    if df.empty:
        return pd.DataFrame(columns=["month", "started", "finished"])
    df["month"] = pd.to_datetime(df["month"])
    end = pd.Timestamp(as_of or df["month"].max()).to_period("M").to_timestamp()
    full = pd.DataFrame({"month": pd.date_range(end=end, periods=months, freq="MS")})
    before = df[df["month"] < full["month"].min()][["started", "finished"]].sum()
    merged = full.merge(df, on="month", how="left").fillna({"started": 0, "finished": 0})
    merged["started"] = merged["started"].cumsum() + before["started"]
    merged["finished"] = merged["finished"].cumsum() + before["finished"]
    return merged


def attention(db: Store, filters: Filters, as_of: date | None = None, limit: int = 50) -> pd.DataFrame:
    """Late and stalled projects, late first, then by budget."""
    return db.df("attention", {**_params(db, filters, as_of), "limit": limit})


def project_table(db: Store, filters: Filters, as_of: date | None = None,
                  limit: int | None = TABLE_LIMIT) -> pd.DataFrame:
    """The filtered projects with every column; `limit=None` gives all (for exports)."""
    return db.df("project_table", {**_params(db, filters, as_of), "limit": limit if limit is not None else 2**62})


def project_detail(db: Store, project_id: str, as_of: date | None = None) -> dict | None:
    """One project with its place keys and flags, as the macro chain defines them."""
    return db.one("project_detail", {"project_id": project_id, "as_of": as_of or data_date(db)})


def project_history(db: Store, project_id: str) -> pd.DataFrame:
    return db.df("project_history", {"project_id": project_id})


# Facets ---------------------------------------------------------------------------
FACETS = ("county", "town", "village", "category", "status", "year", "source", "flag")

# Which filter fields a facet ignores: its own, and for places the places below it.
_FACET_CLEARS = {
    "county": ("counties", "towns", "villages"),
    "town": ("towns", "villages"),
    "village": ("villages",),
    "category": ("categories",),
    "status": ("statuses",),
    "year": ("years",),
    "source": ("sources",),
    "flag": ("flags",),
}


_FACET_COLUMNS = {"county": "county_key", "town": "town_key", "village": "village_key", "category": "category",
                  "status": "status", "year": "year"}


def facet_counts(db: Store, filters: Filters, facet: str, as_of: date | None = None) -> dict[str, int]:
    """{value key: project count} for one facet, under every other filter (display only)."""
    cleared = replace(filters, **{name: () for name in _FACET_CLEARS[facet]})
    if cleared != filters:
        # The facet's own filter is set: its counts need a scan of their own, and the light
        # single question (queries/facets.sql) costs less than a grouped pass with every sum.
        params = _params(db, cleared, as_of)
        if facet in ("source", "flag"):
            row = db.one(f"facet_{facet}", params) or {}
            codes = vocab.FUND_SOURCE_CODES if facet == "source" else FLAG_CODES
            return {code: int(row.get(code) or 0) for code in codes}
        rows = db.df(f"facet_{facet}", params)
        return {str(v): int(n) for v, n in zip(rows["value"], rows["n"])}
    if facet in ("source", "flag", "county", "town"):
        rows = places(db, cleared, as_of)
        if facet in ("source", "flag"):
            codes = vocab.FUND_SOURCE_CODES if facet == "source" else FLAG_CODES
            column = (lambda c: f"source_{c}") if facet == "source" else (lambda c: c)
            return {code: int(_number(rows[column(code)].sum())) for code in codes}
        column = _FACET_COLUMNS[facet]
        rows = rows.groupby(column, as_index=False)["projects"].sum()
    else:
        column = _FACET_COLUMNS[facet]
        rows = _facet_rows(db, cleared, as_of, column)
        rows = rows[rows[column].notna()]
    if facet == "year":  # newest first
        rows = rows.sort_values(column, ascending=False)
    else:  # most projects first, then by value
        rows = rows.assign(_value=rows[column].astype(str)).sort_values(["projects", "_value"], ascending=[False, True])
    return {str(int(v) if facet == "year" else v): int(n) for v, n in zip(rows[column], rows["projects"])}


# Town page and meeting pack --------------------------------------------------------
def by_village(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """Per village: projects, investment, started, finished, late, with the rates."""
    return indicators.with_rates(db.df("by_village", _params(db, filters, as_of)))


def teams(db: Store, filters: Filters, as_of: date | None = None) -> pd.DataFrame:
    """The town teams and assisting units behind the filtered projects."""
    return db.df("teams", _params(db, filters, as_of))


@dataclass(frozen=True)
class Changes:
    latest: date | None
    previous: date | None
    new_projects: int = 0
    newly_started: int = 0
    newly_completed: int = 0
    avg_progress_gain: float = 0.0
    spent_wan_delta: float = 0.0
    reported: int = 0


def changes_since_previous_report(db: Store, filters: Filters, as_of: date | None = None) -> Changes:
    """What the latest progress report changed against the one before it."""
    params = _params(db, filters, as_of)
    found = db.one("last_two_report_dates", params)
    dates = [d for d in ((found or {}).get("latest"), (found or {}).get("previous")) if d is not None]
    if len(dates) < 2:
        return Changes(latest=dates[0] if dates else None, previous=None)
    row = db.one("changes_between_reports", {**params, "latest": dates[0]})
    return Changes(latest=dates[0], previous=dates[1], new_projects=int(row["new_projects"]),
                   newly_started=int(row["newly_started"]), newly_completed=int(row["newly_completed"]),
                   avg_progress_gain=float(row["avg_progress_gain"]), spent_wan_delta=float(row["spent_wan_delta"]),
                   reported=int(row["reported"]))


RANK_INDICATORS = ("budget_wan", "start_rate", "finish_rate", "late", "beneficiaries_per_wan")


def town_comparison(db: Store, filters: Filters, as_of: date | None, indicator: str,
                    lang: str = "zh") -> pd.DataFrame:
    """Towns of the selection ranked on one indicator (best first; for late, most first)."""
    if indicator not in RANK_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}")
    towns = by_town(db, filters, as_of, lang)
    towns["beneficiaries_per_wan"] = indicators.ratio(towns["beneficiaries"], towns["budget_wan"])
    assisted = teams(db, filters, as_of)
    assisted_keys = set(zip(assisted["county"], assisted["town"])) if not assisted.empty else set()
    towns["assisted"] = [(c, t) in assisted_keys for c, t in zip(towns["county"], towns["town"])]
    towns["value"] = towns[indicator]
    return towns.sort_values(["value", "projects"], ascending=False, na_position="last").reset_index(drop=True)
