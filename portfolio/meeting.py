"""The meeting pack's content model: what the deck (deck.py) and the HTML report (report.py) show.

Queries run here (through views), once, and the lists both show (the KPI list, the town ranking,
the late and stalled projects, the villages of a town) are written out here as rows of text with
the formats of portfolio/formats.py; deck.py and report.py only lay them out.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable

import pandas as pd

from portfolio import formats, views, vocab
from portfolio.export import describe_filters
from portfolio.filters import Filters, split_key, town_key
from portfolio.i18n import t
from portfolio.store import Store
from portfolio.views import Kpis

TOWN_LIST_ROWS = 12  # late and stalled projects on a town's page: keeps a town on one printed page


@dataclass(frozen=True)
class Table:
    """A table as text: header, rows, and the columns that hold numbers (right-aligned)."""
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()


@dataclass
class TownSection:
    """One town's page: a slide in a county deck, a printed page in the report."""
    county: str
    town: str
    kpis: Kpis
    by_category: pd.DataFrame
    villages: pd.DataFrame | None = None  # the report's town pages only
    attention: pd.DataFrame | None = None  # the report's town pages only


@dataclass
class DeckContent:
    """Everything the meeting pack shows, already queried: the deck and report builders run no query."""
    area: str
    as_of: date
    filters_text: str
    is_demo: bool
    kpis: Kpis
    by_category: pd.DataFrame
    by_status: pd.DataFrame
    towns: pd.DataFrame
    attention: pd.DataFrame
    map_png: bytes | None = None
    town_sections: list[TownSection] = field(default_factory=list)


MeetingContent = DeckContent


# Selection ---------------------------------------------------------------------------------
def area_name(filters: Filters, lang: str) -> str:
    """阳山县太平镇 for one town, 阳山县 for one county, else a generic name."""
    if len(filters.towns) == 1:
        county, town = split_key(filters.towns[0])
        return f"{county}{town}"
    if len(filters.counties) == 1 and not filters.towns:
        return filters.counties[0]
    if filters.towns:
        return "、".join(split_key(k)[1] for k in filters.towns[:4]) + ("等" if len(filters.towns) > 4 else "")
    return t("deck_area_all", lang)


def _county_sections(db: Store, filters: Filters, as_of: date) -> list[TownSection]:
    """A county deck's slide per town (only when the selection is one county)."""
    if not (len(filters.counties) == 1 and not filters.towns):
        return []
    sections = []
    for row in views.by_town(db, filters, as_of).sort_values("town").itertuples():
        town_filters = replace(filters, towns=(town_key(row.county, row.town),))
        sections.append(TownSection(row.county, row.town, views.kpis(db, town_filters, as_of),
                                    views.by_category(db, town_filters)))
    return sections


def town_pages(db: Store, filters: Filters, towns: pd.DataFrame, as_of: date) -> list[TownSection]:
    """The report's page per town of the ranking, by county and town: numbers, categories, villages, lists."""
    pages = []
    for row in towns.sort_values(["county", "town"]).itertuples():
        tf = replace(filters, counties=(), towns=(town_key(row.county, row.town),), villages=())
        pages.append(TownSection(row.county, row.town, views.kpis(db, tf, as_of), views.by_category(db, tf),
                                 views.by_village(db, tf, as_of),
                                 views.attention(db, tf, as_of, limit=TOWN_LIST_ROWS)))
    return pages


def collect(db: Store, filters: Filters, lang: str = "zh",
            map_png: Callable[[Filters], bytes | None] | None = None) -> DeckContent:
    """Query everything the meeting pack shows for `filters`."""
    as_of = views.data_date(db)
    return DeckContent(
        area=area_name(filters, lang), as_of=as_of,
        filters_text="\n".join(describe_filters(filters, lang, as_of).splitlines()[1:]),
        is_demo=views.is_demo(db), kpis=views.kpis(db, filters, as_of),
        by_category=views.by_category(db, filters), by_status=views.by_status(db, filters),
        towns=views.by_town(db, filters, as_of), attention=views.attention(db, filters, as_of, limit=200),
        map_png=map_png(filters) if map_png else None, town_sections=_county_sections(db, filters, as_of),
    )


def deck_bytes(db: Store, filters: Filters, lang: str = "zh",
               map_png: Callable[[Filters], bytes | None] | None = None) -> bytes:
    """The .pptx for the selection."""
    from portfolio.deck import build_deck  # deck.py renders this module's content, so it imports this one

    return build_deck(collect(db, filters, lang, map_png), lang)


# What both the deck and the report list ---------------------------------------------------------
def kpi_items(k: Kpis, lang: str) -> list[tuple[str, str]]:
    """The headline numbers as (label, value)."""
    return [
        (t("k_projects", lang), formats.count(k.projects)),
        (t("k_budget", lang), formats.wan(k.budget_wan)),
        (t("k_in_place", lang), formats.wan(k.funds_in_place_wan)),
        (t("k_spent", lang), formats.wan(k.spent_wan)),
        (t("k_start_rate", lang), formats.pct(k.start_rate)),
        (t("k_finish_rate", lang), formats.pct(k.finish_rate)),
        (t("k_beneficiaries", lang), formats.count(k.beneficiaries)),
        (t("k_late", lang) + " / " + t("k_stalled", lang), f"{formats.count(k.late)} / {formats.count(k.stalled)}"),
    ]


def ranking_table(towns: pd.DataFrame, lang: str) -> Table:
    """Towns by investment, each with its county."""
    rows = tuple((formats.text(r.county), formats.text(r.town), formats.count(r.projects), formats.wan(r.budget_wan),
                  formats.pct(r.start_rate, 0), formats.pct(r.finish_rate, 0), formats.count(r.late))
                 for r in towns.itertuples())
    return Table((t("c_county", lang), t("c_town", lang), t("k_projects", lang), t("k_budget", lang),
                  t("k_start_rate", lang), t("k_finish_rate", lang), t("k_late", lang)), rows,
                 frozenset({2, 3, 4, 5, 6}))


def _flags(row, lang: str) -> str:
    return " · ".join(label for label, on in ((t("flag_late", lang), row.is_late),
                                              (t("flag_stalled", lang), row.is_stalled)) if on)


def attention_table(att: pd.DataFrame, lang: str, village: bool = False) -> Table:
    """Late and stalled projects with county and town (and village), so that same-named towns stay apart."""
    header = [t("flag", lang), t("c_name", lang), t("c_county", lang), t("c_town", lang)]
    header += [t("c_village", lang)] if village else []
    header += [t("c_status", lang), t("c_progress_pct", lang), t("c_plan_end", lang), t("c_budget_wan", lang)]
    rows = []
    for r in att.itertuples():
        place = [formats.text(r.county), formats.text(r.town)] + ([formats.text(r.village)] if village else [])
        rows.append((_flags(r, lang), formats.text(r.name), *place, vocab.label("status", r.status, lang),
                     formats.progress(r.progress_pct), formats.day(r.plan_end), formats.wan(r.budget_wan)))
    last = len(header) - 1
    return Table(tuple(header), tuple(rows), frozenset({last - 2, last}))


def villages_table(villages: pd.DataFrame, lang: str) -> Table:
    """A town's villages: projects, investment, started, finished, late."""
    rows = tuple((formats.text(r.village, formats.DASH), formats.count(r.projects), formats.wan(r.budget_wan),
                  formats.count(r.started), formats.count(r.finished), formats.count(r.late))
                 for r in villages.itertuples())
    return Table((t("c_village", lang), t("k_projects", lang), t("k_budget", lang), t("village_started", lang),
                  t("village_finished", lang), t("k_late", lang)), rows, frozenset({1, 2, 3, 4, 5}))
