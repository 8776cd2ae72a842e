"""Legend data for each map mode: colour classes with counts, size steps, notes."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portfolio import formats, indicators, vocab
from portfolio.i18n import t
from portfolio.maps.aggregation import LocationSummary
from portfolio.maps.layers import format_indicator, indicator_value
from portfolio.maps.options import MapOptions
from portfolio.maps.style import (RATE_BREAKS, RATE_PALETTE, NO_DATA_COLOR, _bubble_radius, classify, nice_number,
                                  point_radius)


# Legend -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegendItem:
    label: str
    color: str  # hex
    count: int | None = None
    hollow: bool = False


@dataclass(frozen=True)
class SizeItem:
    label: str
    radius_px: float


@dataclass(frozen=True)
class Legend:
    title: str
    items: tuple[LegendItem, ...]
    size_title: str = ""
    sizes: tuple[SizeItem, ...] = ()
    notes: tuple[str, ...] = ()
    data_date: str = ""
    border_note: str = ""  # the town boundary line and its source, when lines are drawn


def _project_legend(points: pd.DataFrame, options: MapOptions, summary: LocationSummary) -> Legend:
    lang = options.lang
    if options.color_by == "category":
        counts = points["category"].value_counts().to_dict()
        items = tuple(LegendItem(vocab.label("category", c, lang), vocab.category_color(c), int(counts[c]))
                      for c in vocab.CATEGORY_CODES if counts.get(c))
        title = t("map_legend_category", lang)
    else:
        counts = points["status"].value_counts().to_dict()
        items = tuple(LegendItem(vocab.label("status", s, lang), vocab.status_color(s), int(counts[s]))
                      for s in vocab.STATUS_CODES if counts.get(s))
        title = t("map_legend_status", lang)
    approximate = int((points["placement"] != "exact").sum())
    if approximate:
        items += (LegendItem(t("map_legend_hollow", lang), "#777777", approximate, hollow=True),)
    sizes: tuple[SizeItem, ...] = ()
    if options.size_by == "budget":
        budgets = points["budget_wan"].dropna()
        top = nice_number(float(budgets.quantile(0.95))) if len(budgets) else 0
        steps = sorted({v for v in (nice_number(top / 25), nice_number(top / 5), top) if v > 0})
        sizes = tuple(SizeItem(f"{v:,g}", point_radius(v, "budget", options.scale)) for v in steps)
        size_title = t("map_legend_size_budget", lang)
    else:
        size_title = t("map_legend_size_equal", lang)
    notes = (t("map_legend_unplaced", lang, n=formats.count(summary.unplaced)),) if summary.unplaced else ()
    return Legend(title, items, size_title, sizes, notes)


def _aggregate_legend(frame: pd.DataFrame, kind: str, options: MapOptions, summary: LocationSummary) -> Legend:
    lang = options.lang
    has = frame[frame["projects"] > 0]
    finish = [indicators.ratio(done, n) for done, n in zip(has["finished"], has["projects"])]
    lower = [0.0, *RATE_BREAKS[:-1]]
    items = tuple(
        LegendItem(f"{formats.pct(lo, 0)}–{formats.pct(hi, 0)}", RATE_PALETTE[i],
                   sum(1 for f in finish if classify(f, list(RATE_BREAKS)) == i))
        for i, (lo, hi) in enumerate(zip(lower, RATE_BREAKS))
    )
    max_budget = float(has["budget_wan"].max()) if len(has) else 0.0
    top = nice_number(max_budget)
    steps = sorted({v for v in (nice_number(top / 16), nice_number(top / 4), top) if v > 0})
    sizes = tuple(SizeItem(f"{v:,g}", _bubble_radius(v, max_budget, options.scale)) for v in steps)
    title = t("map_legend_agg_color_town" if kind == "town" else "map_legend_agg_color_cell", lang)
    notes = (t("map_legend_unplaced", lang, n=formats.count(summary.unplaced)),) if summary.unplaced else ()
    return Legend(title, items, t("map_legend_agg_size", lang), sizes, notes)


def _indicator_legend(towns: pd.DataFrame, options: MapOptions, breaks: list[float],
                      palette: tuple[str, ...]) -> Legend:
    lang = options.lang
    values = [indicator_value(r, options.indicator) for r in towns.itertuples(index=False)]
    counts = [0] * len(breaks)
    for v in values:
        if v is not None and breaks:
            counts[classify(v, breaks)] += 1
    items = []
    lower = None
    for i, upper in enumerate(breaks):
        if options.indicator == "late" and upper == 0:
            label = "0"
        elif lower is None:
            label = f"≤ {format_indicator(upper, options.indicator)}"
        else:
            label = f"{format_indicator(lower, options.indicator)} – {format_indicator(upper, options.indicator)}"
        if options.indicator in ("finish_rate", "start_rate"):
            label = f"{formats.pct(0 if lower is None else lower, 0)}–{formats.pct(upper, 0)}"
        items.append(LegendItem(label, palette[i], counts[i]))
        lower = upper
    no_data = sum(1 for v in values if v is None)
    items.append(LegendItem(t("map_legend_no_data", lang), NO_DATA_COLOR, no_data, hollow=True))
    return Legend(t("map_ind_" + options.indicator, lang) + t("map_legend_by_town", lang), tuple(items))


