"""The indicators of the project library, defined once.

Counts come from columns of the one filter macro chain (queries/schema.sql:
project_flags -> flagged_projects -> filtered_projects), built from the macros
status_started, status_finished, project_late and project_stalled:

    is_started   开工: 在建/已完工/已验收/暂停 (vocab.STARTED_STATUS_CODES)
    is_finished  完工: 已完工/已验收 (vocab.FINISHED_STATUS_CODES)
    is_late      逾期: plan_end before the data date and not finished
    is_stalled   停滞: in progress, no gain over the last three reports

Every query sums those columns into `projects`, `started`, `finished`, `late`,
`stalled`, `budget_wan`, `funds_in_place_wan` and `spent_wan`; the rates below are
computed from those sums here and nowhere else.
"""
from __future__ import annotations

from typing import Any

# indicator -> (numerator, denominator): the columns a rate divides.
RATES: dict[str, tuple[str, str]] = {
    # 开工率 = 已开工项目数 / 项目数 · start rate = started projects / projects
    "start_rate": ("started", "projects"),
    # 完工率 = 已完工（含已验收）项目数 / 项目数 · completion rate = finished projects / projects
    "finish_rate": ("finished", "projects"),
    # 到位率 = 到位资金 / 计划投资 · funds-in-place rate = funds in place / planned investment
    "in_place_rate": ("funds_in_place_wan", "budget_wan"),
    # 支出率 = 已支出 / 计划投资 · spending rate = spent / planned investment
    "spent_rate": ("spent_wan", "budget_wan"),
}


def ratio(numerator, denominator):
    """numerator / denominator; None (NaN for pandas Series) where the denominator is 0 or missing."""
    if hasattr(denominator, "where"):  # a pandas Series: divide element-wise
        denominator = denominator.astype("float64")
        return numerator.astype("float64") / denominator.where(denominator > 0)
    if denominator is None or denominator != denominator or denominator <= 0:
        return None
    return (numerator or 0) / denominator


def rate(indicator: str, row: Any):
    """The rate `indicator` ("start_rate", "finish_rate", "in_place_rate", "spent_rate") of `row`.

    `row` is anything with the count columns as attributes or keys: a views.Kpis, a
    namedtuple from DataFrame.itertuples(), a dict, or a whole DataFrame (then a Series).
    """
    numerator, denominator = RATES[indicator]
    return ratio(_get(row, numerator), _get(row, denominator))


def with_rates(df, indicators: tuple[str, ...] = ("start_rate", "finish_rate")):
    """A copy of a grouped DataFrame with rate columns added (for the columns it has)."""
    out = df.copy()
    for indicator in indicators:
        numerator, denominator = RATES[indicator]
        if numerator in out and denominator in out:
            out[indicator] = rate(indicator, out)
    return out


def _get(row: Any, column: str):
    if isinstance(row, dict):
        return row.get(column)
    if hasattr(row, "columns"):  # DataFrame
        return row[column]
    return getattr(row, column, None)
