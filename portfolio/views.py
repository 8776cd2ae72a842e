"""What the pages show: each function answers one question about the filtered library.

Functions take the store, the filters and the reference date, run named queries
and return plain values or DataFrames ordered the way the charts want them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from portfolio import vocab
from portfolio.filters import Filters, flag_params
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

    @property
    def start_rate(self) -> float | None:
        return self.started / self.projects if self.projects else None

    @property
    def finish_rate(self) -> float | None:
        return self.finished / self.projects if self.projects else None

    @property
    def in_place_rate(self) -> float | None:
        return self.funds_in_place_wan / self.budget_wan if self.budget_wan else None

    @property
    def spent_rate(self) -> float | None:
        return self.spent_wan / self.budget_wan if self.budget_wan else None


def data_date(db: Store) -> date:
    """The date the data speaks for (latest report), today when there is none."""
    row = db.one("data_date")
    return (row or {}).get("data_date") or date.today()


def is_demo(db: Store) -> bool:
    return db.meta("is_demo") == "1"


def kpis(db: Store, filters: Filters, as_of: date) -> Kpis:
    row = db.one("kpis", flag_params(filters, as_of))
    return Kpis(**{k: (row[k] or 0) for k in Kpis.__dataclass_fields__})


def _ordered(df: pd.DataFrame, column: str, order: tuple[str, ...]) -> pd.DataFrame:
    rank = {code: i for i, code in enumerate(order)}
    return df.assign(_rank=df[column].map(rank).fillna(len(order))).sort_values("_rank").drop(columns="_rank").reset_index(drop=True)


def by_category(db: Store, filters: Filters) -> pd.DataFrame:
    """One row per category present, in vocabulary order (the core five first)."""
    return _ordered(db.df("by_category", filters.sql_params()), "category", vocab.CATEGORY_CODES)


def area_totals_by_category(db: Store, filters: Filters) -> pd.DataFrame:
    """Investment per programme area of the filtered projects."""
    return area_totals(by_category(db, filters))


def by_status(db: Store, filters: Filters) -> pd.DataFrame:
    """One row per status present, in lifecycle order."""
    return _ordered(db.df("by_status", filters.sql_params()), "status", vocab.STATUS_CODES)


def area_totals(categories: pd.DataFrame) -> pd.DataFrame:
    """Investment per programme area (六个方面), from a by_category() frame."""
    cats = categories.copy()
    cats["area"] = cats["category"].map(lambda c: vocab.CATEGORY_BY_CODE.get(c, vocab.CATEGORY_BY_CODE["other"]).area)
    out = cats.groupby("area", as_index=False)[["projects", "budget_wan"]].sum()
    return _ordered(out, "area", tuple(a.code for a in vocab.AREAS))


def by_town(db: Store, filters: Filters, as_of: date) -> pd.DataFrame:
    """Per town, largest investment first, with start and completion rates."""
    df = db.df("by_town", flag_params(filters, as_of))
    df["start_rate"] = df["started"] / df["projects"]
    df["finish_rate"] = df["finished"] / df["projects"]
    return df


def monthly_trend(db: Store, filters: Filters, months: int = 24, as_of: date | None = None) -> pd.DataFrame:
    """Cumulative started and finished projects per month, over the last `months` months."""
    df = db.df("monthly_trend", filters.sql_params())
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


def attention(db: Store, filters: Filters, as_of: date, limit: int = 50) -> pd.DataFrame:
    """Late and stalled projects, late first, then by budget."""
    return db.df("attention", {**flag_params(filters, as_of), "limit": limit})


def project_table(db: Store, filters: Filters, as_of: date, limit: int | None = TABLE_LIMIT) -> pd.DataFrame:
    """The filtered projects with every column; `limit=None` gives all (for exports)."""
    return db.df("project_table", {**flag_params(filters, as_of), "limit": limit if limit is not None else 2**62})


def project_detail(db: Store, project_id: str, as_of: date) -> dict | None:
    return db.one("project_detail", {"project_id": project_id, "as_of": as_of})


def project_history(db: Store, project_id: str) -> pd.DataFrame:
    return db.df("project_history", {"project_id": project_id})


# Facets ---------------------------------------------------------------------------
FACETS = ("county", "town", "village", "category", "status", "year", "source")

# Which filter fields a facet ignores: its own, and for places the places below it.
_FACET_CLEARS = {
    "county": ("counties", "towns", "villages"),
    "town": ("towns", "villages"),
    "village": ("villages",),
    "category": ("categories",),
    "status": ("statuses",),
    "year": ("years",),
    "source": ("sources",),
}


def facet_counts(db: Store, filters: Filters, facet: str) -> dict[str, int]:
    """{value: project count} for one facet, under every other filter."""
    cleared = replace(filters, **{name: () for name in _FACET_CLEARS[facet]})
    if facet == "source":
        row = db.one("facet_source", cleared.sql_params()) or {}
        return {code: int(row.get(code) or 0) for code in vocab.FUND_SOURCE_CODES}
    return {str(value): int(n) for value, n in db.rows(f"facet_{facet}", cleared.sql_params())}


# Town page and meeting pack --------------------------------------------------------
def by_village(db: Store, filters: Filters, as_of: date) -> pd.DataFrame:
    """Per village: projects, investment, started, finished, late."""
    return db.df("by_village", flag_params(filters, as_of))


def teams(db: Store, filters: Filters) -> pd.DataFrame:
    """The town teams and assisting units behind the filtered projects."""
    return db.df("teams", filters.sql_params())


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


def changes_since_previous_report(db: Store, filters: Filters) -> Changes:
    """What the latest progress report changed against the one before it."""
    found = db.one("last_two_report_dates", filters.sql_params())
    dates = [d for d in ((found or {}).get("latest"), (found or {}).get("previous")) if d is not None]
    if len(dates) < 2:
        return Changes(latest=dates[0] if dates else None, previous=None)
    row = db.one("changes_between_reports", {**filters.sql_params(), "latest": dates[0], "previous": dates[1]})
    return Changes(latest=dates[0], previous=dates[1], new_projects=int(row["new_projects"]),
                   newly_started=int(row["newly_started"]), newly_completed=int(row["newly_completed"]),
                   avg_progress_gain=float(row["avg_progress_gain"]), spent_wan_delta=float(row["spent_wan_delta"]),
                   reported=int(row["reported"]))


RANK_INDICATORS = ("budget_wan", "start_rate", "finish_rate", "late", "beneficiaries_per_wan")


def town_comparison(db: Store, filters: Filters, as_of: date, indicator: str) -> pd.DataFrame:
    """Towns of the selection ranked on one indicator (best first; for late, most first)."""
    if indicator not in RANK_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}")
    towns = by_town(db, filters, as_of)
    towns["beneficiaries_per_wan"] = towns["beneficiaries"] / towns["budget_wan"].where(towns["budget_wan"] > 0)
    assisted = teams(db, filters)
    assisted_keys = set(zip(assisted["county"], assisted["town"])) if not assisted.empty else set()
    towns["assisted"] = [(c, t) in assisted_keys for c, t in zip(towns["county"], towns["town"])]
    towns["value"] = towns[indicator]
    return towns.sort_values(["value", "projects"], ascending=False, na_position="last").reset_index(drop=True)
