"""The main layer's records: project points, town or cell bubbles, and the per-town indicator circles."""
from __future__ import annotations

import pandas as pd

from portfolio import formats, geo, indicators, vocab
from portfolio.i18n import t
from portfolio.maps.geometry import _shift
from portfolio.maps.options import MapOptions
from portfolio.maps.style import (COUNT_PALETTE, LATE_PALETTE, NO_DATA_COLOR, RATE_BREAKS, RATE_PALETTE,
                                  _bubble_radius, _clip, _num, _pct, _rgb, _tip, _wan, class_breaks, classify,
                                  point_radius)


def _project_records(points: pd.DataFrame, options: MapOptions, for_html: bool, gcj02: bool) -> list[dict]:
    lang = options.lang
    records = []
    for row in points.itertuples(index=False):
        color_hex = vocab.category_color(row.category) if options.color_by == "category" else vocab.status_color(row.status)
        approximate = row.placement != "exact"
        progress = formats.progress(row.progress_pct)
        place = " · ".join(p for p in (row.town, None if row.village != row.village else row.village) if p)
        lines = [
            _clip(place, 40),
            t("map_tt_category", lang, v=vocab.label("category", row.category, lang)),
            t("map_tt_status", lang, v=vocab.label("status", row.status, lang), p=progress),
            t("map_tt_budget", lang, v=_wan(row.budget_wan)),
            t("map_tt_late", lang) if row.is_late else "",
            t("map_tt_place", lang, v=t(f"prec_{row.placement}", lang)) if approximate else "",
        ]
        records.append({
            "i": str(row.project_id), "p": _shift(row.lon, row.lat, gcj02),
            "f": [255, 255, 255, 90] if approximate else _rgb(color_hex, 225),
            "l": _rgb(color_hex) if approximate else [255, 255, 255, 255],
            "w": round((2.2 if approximate else 1.0) * options.scale, 1),
            "r": point_radius(row.budget_wan, options.size_by, options.scale),
            **_tip(_clip(row.name, 60), lines, for_html),
        })
    return records


def _aggregate_records(frame: pd.DataFrame, kind: str, options: MapOptions, for_html: bool,
                       gcj02: bool) -> list[dict]:
    lang = options.lang
    max_budget = float(frame["budget_wan"].max()) if len(frame) else 0.0
    records = []
    for row in frame.itertuples(index=False):
        if not row.projects or row.lon is None or row.lon != row.lon:
            continue
        finish = indicators.rate("finish_rate", row)
        color = RATE_PALETTE[classify(finish, list(RATE_BREAKS))]
        heading = f"{row.town}（{geo.short_county(row.county)}）" if kind == "town" else t("map_tt_cell", lang)
        lines = [
            t("map_tt_projects_budget", lang, n=formats.count(row.projects), b=_wan(row.budget_wan)),
            t("map_tt_rates", lang, s=_pct(indicators.rate("start_rate", row)), f=_pct(finish)),
            t("map_tt_late_n", lang, n=formats.count(row.late)) if row.late else "",
            t("map_tt_click_town" if kind == "town" else "map_tt_click_cell", lang),
        ]
        record = {"p": _shift(row.lon, row.lat, gcj02), "f": _rgb(color, 215), "l": [255, 255, 255, 255],
                  "w": round(1.5 * options.scale, 1), "r": _bubble_radius(_num(row.budget_wan), max_budget, options.scale),
                  **_tip(heading, lines, for_html)}
        if kind == "town":
            record.update({"c": row.county, "t": row.town})
        records.append(record)
    return records


def indicator_value(row, indicator: str) -> float | None:
    """A town's indicator value; None for a town without projects (the "no data" class)."""
    if not row.projects:
        return None
    if indicator == "projects":
        return float(row.projects)
    if indicator == "budget_wan":
        return _num(row.budget_wan)
    if indicator in ("finish_rate", "start_rate"):
        return indicators.rate(indicator, row)
    return float(row.late)


def format_indicator(value: float | None, indicator: str) -> str:
    if value is None:
        return "—"
    if indicator in ("finish_rate", "start_rate"):
        return formats.pct(value, 0)
    if indicator == "budget_wan":
        return formats.wan(value, 0)
    return formats.count(int(value))


def indicator_classes(towns: pd.DataFrame, indicator: str) -> tuple[list[float], tuple[str, ...]]:
    """Class upper bounds and colours for an indicator over the towns with data."""
    if indicator in ("finish_rate", "start_rate"):
        return list(RATE_BREAKS), RATE_PALETTE
    values = [v for v in (indicator_value(r, indicator) for r in towns.itertuples(index=False)) if v is not None]
    if indicator == "late":
        breaks = [0.0] + [b for b in class_breaks(values, 4) if b > 0]
        return breaks, LATE_PALETTE[: len(breaks)]
    breaks = class_breaks(values, 5)
    palette = COUNT_PALETTE if len(breaks) >= 5 else COUNT_PALETTE[-len(breaks):] if breaks else ()
    return breaks, palette


def _indicator_records(towns: pd.DataFrame, options: MapOptions, breaks: list[float], palette: tuple[str, ...],
                       for_html: bool, gcj02: bool) -> list[dict]:
    lang = options.lang
    records = []
    for row in towns.itertuples(index=False):
        if row.lon is None or row.lon != row.lon:
            continue
        value = indicator_value(row, options.indicator)
        heading = f"{row.town}（{geo.short_county(row.county)}）"
        if value is None:
            records.append({"c": row.county, "t": row.town, "p": _shift(row.lon, row.lat, gcj02),
                            "f": [255, 255, 255, 200], "l": _rgb(NO_DATA_COLOR), "w": round(2 * options.scale, 1),
                            "r": round(7 * options.scale, 1),
                            **_tip(heading, [t("map_legend_no_data", lang)], for_html)})
            continue
        color = palette[classify(value, breaks)]
        lines = [
            f"{t('map_ind_' + options.indicator, lang)}：{format_indicator(value, options.indicator)}",
            t("map_tt_projects_budget", lang, n=formats.count(row.projects), b=_wan(row.budget_wan)),
            t("map_tt_rates", lang, s=_pct(indicators.rate("start_rate", row)),
                                          f=_pct(indicators.rate("finish_rate", row))),
            t("map_tt_late_n", lang, n=formats.count(row.late)) if row.late else "",
            t("map_tt_click_town", lang),
        ]
        records.append({"c": row.county, "t": row.town, "p": _shift(row.lon, row.lat, gcj02),
                         "f": _rgb(color, 235), "l": [90, 90, 90, 255], "w": round(1.2 * options.scale, 1),
                         "r": round(12 * options.scale, 1), **_tip(heading, lines, for_html)})
    return records


