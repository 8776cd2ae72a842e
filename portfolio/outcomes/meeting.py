"""The meeting pack's indicator slide and page: title, a table, notes (laid out by deck.py / report.py).

One row per indicator of the filter: figure, target, gap, change since the previous period, and
how many villages are still short of the target; the notes name the villages that will still
miss the 2026 target after every planned project (views.still_missing) and any households weighting.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.filters import Filters
from portfolio.i18n import t
from portfolio.meeting import Section, Table, area_name
from portfolio.outcomes import catalogue as catalogue_mod
from portfolio.outcomes import labels, rollup, values, views

NOTE_VILLAGES = 8  # villages named in the notes; the rest are counted


@dataclass(frozen=True)
class IndicatorPage:
    title: str
    table: Table
    notes: tuple[str, ...]
    period: date | None


def indicator_page(store, filters: Filters, as_of: date, lang: str = "zh", catalogue=None) -> IndicatorPage | None:
    """The slide/page content for `filters`, or None when the selection holds no indicator values."""
    cat = catalogue or catalogue_mod.default()
    found = views.rates(store, filters, cat)
    if not found:
        return None
    period = found[0].period
    df = values.load(store, filters)
    rows = []
    for r in found:
        ind = r.indicator
        latest = df[(df["indicator"] == ind.code) & (df["period"] == r.period) & (df["level"] == "village")]
        short = int(((latest["target"].notna()) & (latest["value"] < latest["target"])).sum())
        value = labels.rollup_text(ind, r.current.value, lang)
        target = "—" if r.current.target is None else labels.rollup_text(ind, r.current.target, lang)
        gap = labels.gap_text(ind, r.current.gap, lang)
        rows.append((ind.name(lang), value, target, gap, labels.change_text(ind, r.change, lang), str(short)))
    header = tuple(t(k, lang) for k in ("out_c_indicator", "out_c_value", "out_c_target", "out_c_gap",
                                        "out_mt_change", "out_mt_short"))
    table = Table(header, tuple(rows), frozenset({1, 2, 3, 4, 5}))
    notes = []
    weighted = [r.indicator.name(lang) for r in found if r.current.method == rollup.HOUSEHOLDS]
    if weighted:
        notes.append(t("out_weighted_note", lang, names="、".join(weighted)))
    missing = views.still_missing(store, filters, as_of, catalogue=cat)
    if len(missing):
        named = [f"{r.village}（{cat.get(r.indicator).name(lang)}）" for r in missing.head(NOTE_VILLAGES).itertuples()]
        notes.append(t("out_mt_missing", lang, year=views.TARGET_YEAR, n=missing["village"].nunique(),
                       names="、".join(named), more="…" if len(missing) > NOTE_VILLAGES else ""))
    title = t("out_mt_title", lang, area=area_name(filters, lang), period=f"{period:%Y-%m}")
    return IndicatorPage(title, table, tuple(notes), period)


def indicator_sections(store, filters: Filters, as_of: date, lang: str = "zh") -> list[Section]:
    """The indicator page as an extra section of the meeting pack (meeting.collect(..., extra=...))."""
    page = indicator_page(store, filters, as_of, lang)
    return [] if page is None else [Section(page.title, page.table, "\n".join(page.notes))]
