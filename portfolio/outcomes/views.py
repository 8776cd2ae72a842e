"""What the pages show of village indicators: the programme's rates for a filter, a place's
profile per indicator, and the villages that will still miss their target.

Figures of several places go through rollup.rollup (numerators and denominators, or households);
the projects that move an indicator are the unfinished projects of its categories
(catalogue.Indicator.categories) in the same filter, read through flagged_projects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from portfolio.filters import Filters, flag_params
from portfolio.outcomes import catalogue as catalogue_mod
from portfolio.outcomes import rollup, values
from portfolio.outcomes.catalogue import Indicator

TARGET_YEAR = 2026


@dataclass(frozen=True)
class Rate:
    """One indicator for a filter at its latest period, with the change since the period before."""
    indicator: Indicator
    period: date | None
    current: rollup.Rollup
    previous_period: date | None
    previous: rollup.Rollup | None

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.value is None or self.current.value is None:
            return None
        return self.current.value - self.previous.value


ROLLUP_COLUMNS = ["indicator", "period", "level", "town_code", "value", "numerator", "denominator",
                  "households", "target"]


def _parts(df: pd.DataFrame) -> dict[str, dict[date, pd.DataFrame]]:
    """indicator -> period -> its rows (the columns a roll-up reads), split in one pass."""
    out: dict[str, dict[date, pd.DataFrame]] = {}
    for (code, period), part in df[ROLLUP_COLUMNS].groupby(["indicator", "period"], sort=True):
        out.setdefault(code, {})[period] = part
    return out


def rates(store, filters: Filters | None = None, catalogue=None) -> list[Rate]:
    """Every indicator of the catalogue with values in the filter (catalogue order).

    Only the place filters (county, town, village) apply: outcomes belong to places, not to projects."""
    cat = catalogue or catalogue_mod.default()
    parts = _parts(values.load(store, filters))
    out = []
    for ind in cat.indicators:
        by_period = parts.get(ind.code)
        if not by_period:
            continue
        periods = sorted(by_period)
        last = periods[-1]
        prev = periods[-2] if len(periods) > 1 else None
        out.append(Rate(ind, last, rollup.rollup(ind, by_period[last]), prev,
                        rollup.rollup(ind, by_period[prev]) if prev else None))
    return out


def latest_by_place(store, filters: Filters | None, indicator: str, period: date | None = None) -> pd.DataFrame:
    """Each place's value of one indicator at `period` (default: the latest with values in the filter)."""
    df = values.load(store, filters, indicator)
    if df.empty:
        return df
    period = period or max(df["period"])
    return df[df["period"] == period].reset_index(drop=True)


def moving_projects(store, filters: Filters, as_of: date, ind: Indicator) -> pd.DataFrame:
    """The unfinished projects of the filter that move `ind`, earliest expected completion first."""
    params = {**flag_params(filters, as_of), "moving_categories": list(ind.categories)}
    return store.df("outcomes_moving_projects", params)


def profile(store, filters: Filters, as_of: date, catalogue=None) -> pd.DataFrame:
    """Per indicator for the filter: value, target, gap, trend over the periods, projects under way."""
    cat = catalogue or catalogue_mod.default()
    parts = _parts(values.load(store, filters))
    rows = []
    for ind in cat.indicators:
        by_period = parts.get(ind.code)
        if not by_period:
            continue
        periods = sorted(by_period)
        trend = [rollup.rollup(ind, by_period[p]).value for p in periods]
        last = rollup.rollup(ind, by_period[periods[-1]])
        projects = moving_projects(store, filters, as_of, ind)
        rows.append({"indicator": ind.code, "period": periods[-1], "value": last.value, "target": last.target,
                     "gap": last.gap, "method": last.method, "trend": trend, "projects": len(projects),
                     "last_plan_end": projects["plan_end"].max() if len(projects) else None,
                     "project_names": "、".join(projects["name"].head(3))})
    return pd.DataFrame(rows)


def still_missing(store, filters: Filters, as_of: date, target_year: int = TARGET_YEAR,
                  catalogue=None) -> pd.DataFrame:
    """Villages that will still miss a target of `target_year` after every planned project finishes.

    A project's effect on a rate is not known, so a village counts as still missing when its latest
    value is short of the target and either no unfinished project moving the indicator is planned
    there ("no_project"), or the last one is planned to finish after the target year ("too_late").
    Villages with projects that finish in time are left out: the projects are expected to close the gap.
    """
    cat = catalogue or catalogue_mod.default()
    df = values.load(store, filters)
    rows = []
    year_end = date(target_year, 12, 31)
    for ind in cat.indicators:
        part = df[(df["indicator"] == ind.code) & (df["level"] == "village")]
        if part.empty:
            continue
        latest = part.sort_values("period").groupby("place_code").tail(1)
        short = latest[latest["target"].notna() & latest["value"].notna() & (latest["value"] < latest["target"])
                       & ((latest["target_year"].isna()) | (latest["target_year"] <= target_year))]
        if short.empty:
            continue
        projects = moving_projects(store, filters, as_of, ind)
        by_village = {code: group for code, group in projects.groupby("village_code")} if len(projects) else {}
        for r in short.itertuples(index=False):
            planned = by_village.get(r.place_code)
            last_end = None if planned is None else planned["plan_end"].max()
            if planned is not None and last_end is not None and pd.notna(last_end) and last_end <= year_end:
                continue
            rows.append({"county": r.county, "town": r.town, "village": r.village, "indicator": ind.code,
                         "value": r.value, "target": r.target, "gap": r.target - r.value,
                         "projects": 0 if planned is None else len(planned),
                         "last_plan_end": last_end if last_end is not None and pd.notna(last_end) else None,
                         "reason": "no_project" if planned is None else "too_late"})
    return pd.DataFrame(rows, columns=["county", "town", "village", "indicator", "value", "target", "gap",
                                       "projects", "last_plan_end", "reason"])
