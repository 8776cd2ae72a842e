"""A town's or county's indicator figure from its villages, and the one rate helper.

A rate of many places is recomputed from the sums of numerators and denominators, never
averaged from the villages' percentages: 3 of 10 households and 90 of 100 make 93/110 =
84.5 %, not (30 % + 90 %) / 2 = 60 %. Where some places give only a percentage, every
place is weighted by its households (percentage x households summed, over households
summed) and the result says so (method "households"); places without households then
cannot be counted and are reported as missing.

Counts, areas and money are summed. A tier indicator counts places per tier; its figure is
the number of places at the second tier or above (for 美丽乡村: created at any tier).
Town-level rows (a town's own figure) count only for towns none of whose villages report.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.indicators import ratio
from portfolio.outcomes.catalogue import Indicator

COUNTS = "counts"  # from numerators and denominators
HOUSEHOLDS = "households"  # from percentages weighted by households (flagged)
SUM = "sum"
TIERS = "tiers"
NONE = "none"


def rate_pct(numerator, denominator):
    """numerator / denominator in per cent; None (NaN for Series) without a positive denominator.

    Every village-indicator rate (a village's, a town's, a county's, a target's) is computed here."""
    value = ratio(numerator, denominator)
    if value is None:
        return None
    return value * 100


@dataclass(frozen=True)
class Rollup:
    indicator: str
    value: float | None  # per cent for rates, the sum for sums, places at a created tier for tiers
    target: float | None  # the same measure of the places' targets
    numerator: float | None = None
    denominator: float | None = None
    method: str = NONE
    places: int = 0  # places counted
    missing: int = 0  # places in the rows that could not be counted
    tier_counts: dict[str, int] = field(default_factory=dict)

    @property
    def weighted_by_households(self) -> bool:
        return self.method == HOUSEHOLDS

    @property
    def gap(self) -> float | None:
        """How far the figure is from its target, in its own unit (positive: still to go)."""
        if self.value is None or self.target is None:
            return None
        return self.target - self.value


def _present(value) -> bool:
    return value is not None and value == value


def own_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Village rows, plus town rows of towns without village rows (no place counted twice)."""
    if rows.empty or "level" not in rows:
        return rows
    is_village = (rows["level"] == "village").to_numpy()
    if is_village.all():
        return rows
    covered = set(rows["town_code"][is_village].dropna())
    keep = is_village | ~rows["town_code"].isin(covered).to_numpy()
    return rows[keep]


def rollup(ind: Indicator, rows: pd.DataFrame) -> Rollup:
    """The figure of the places in `rows` (one indicator, one period)."""
    rows = own_rows(rows)
    if ind.is_rate:
        return _rate(ind, rows)
    if ind.is_tier:
        return _tiers(ind, rows)
    values = rows["value"].dropna() if len(rows) else pd.Series(dtype="float64")
    targets = rows["target"].dropna() if len(rows) else pd.Series(dtype="float64")
    return Rollup(ind.code, float(values.sum()) if len(values) else None,
                  float(targets.sum()) if len(targets) else None, method=SUM if len(values) else NONE,
                  places=len(values), missing=len(rows) - len(values))


def _rate(ind: Indicator, rows: pd.DataFrame) -> Rollup:
    if rows.empty:
        return Rollup(ind.code, None, None)
    # numpy, not pandas: a town's roll-up runs per indicator and period on every page view.
    num, den = rows["numerator"].to_numpy("float64"), rows["denominator"].to_numpy("float64")
    value, hh = rows["value"].to_numpy("float64"), rows["households"].to_numpy("float64")
    target = rows["target"].to_numpy("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        has_counts = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
        pct = np.where(np.isnan(value), np.where(has_counts, num / np.where(has_counts, den, 1) * 100, np.nan), value)
    usable = has_counts | ~np.isnan(pct)
    if not usable.any():
        return Rollup(ind.code, None, None, missing=len(rows))
    if has_counts[usable].all():
        n, d = float(num[has_counts].sum()), float(den[has_counts].sum())
        return Rollup(ind.code, rate_pct(n, d), _weighted_target(target[has_counts], den[has_counts]), n, d, COUNTS,
                      int(has_counts.sum()), len(rows) - int(has_counts.sum()))
    # Some places give only a percentage: weight every place by its households.
    weighted = usable & ~np.isnan(pct) & ~np.isnan(hh) & (np.nan_to_num(hh) > 0)
    if not weighted.any():
        return Rollup(ind.code, None, None, method=HOUSEHOLDS, missing=len(rows))
    n = float((pct[weighted] / 100 * hh[weighted]).sum())
    d = float(hh[weighted].sum())
    return Rollup(ind.code, rate_pct(n, d), _weighted_target(target[weighted], hh[weighted]), n, d, HOUSEHOLDS,
                  int(weighted.sum()), len(rows) - int(weighted.sum()))


def _weighted_target(targets: np.ndarray, weights: np.ndarray) -> float | None:
    """The places' targets (per cent) weighted like their figures; None when no place has one."""
    has = ~np.isnan(targets)
    if not has.any():
        return None
    return rate_pct(float((targets[has] / 100 * weights[has]).sum()), float(weights[has].sum()))


def _tiers(ind: Indicator, rows: pd.DataFrame) -> Rollup:
    values = rows["value"].dropna().astype(int) if len(rows) else pd.Series(dtype="int64")
    counts = {tier: int((values == rank).sum()) for rank, tier in enumerate(ind.tiers)}
    targets = rows["target"].dropna() if len(rows) else pd.Series(dtype="float64")
    return Rollup(ind.code, float((values >= 1).sum()) if len(values) else None,
                  float((targets >= 1).sum()) if len(targets) else None, method=TIERS if len(values) else NONE,
                  places=len(values), missing=len(rows) - len(values), tier_counts=counts)


def by_group(ind: Indicator, rows: pd.DataFrame, group: str) -> pd.DataFrame:
    """One row per value of `group` (county, town_key, ...) with value, target, gap, method, places."""
    out = []
    for key, part in rows.groupby(group, sort=True, dropna=True):
        r = rollup(ind, part)
        out.append({group: key, "value": r.value, "target": r.target, "gap": r.gap, "method": r.method,
                    "numerator": r.numerator, "denominator": r.denominator, "places": r.places,
                    "missing": r.missing})
    return pd.DataFrame(out, columns=[group, "value", "target", "gap", "method", "numerator", "denominator",
                                      "places", "missing"])
