"""The meeting pack for a selection: assembles what the deck and the HTML report show.

Queries run here (through views); deck.py and report.py only lay the content out.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from portfolio import views
from portfolio.deck import DeckContent, TownSection, build_deck
from portfolio.export import describe_filters
from portfolio.filters import Filters, split_key, town_key
from portfolio.i18n import t
from portfolio.store import Store


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


def collect(db: Store, filters: Filters, lang: str = "zh",
            map_png: Callable[[Filters], bytes | None] | None = None) -> DeckContent:
    """Query everything the meeting pack shows for `filters`."""
    as_of = views.data_date(db)
    sections = []
    if len(filters.counties) == 1 and not filters.towns:
        towns = views.by_town(db, filters, as_of)
        for row in towns.sort_values("town").itertuples():
            town_filters = replace(filters, towns=(town_key(row.county, row.town),))
            sections.append(TownSection(row.county, row.town, views.kpis(db, town_filters, as_of),
                                        views.by_category(db, town_filters)))
    return DeckContent(
        area=area_name(filters, lang), as_of=as_of,
        filters_text="\n".join(describe_filters(filters, lang, as_of).splitlines()[1:]),
        is_demo=views.is_demo(db), kpis=views.kpis(db, filters, as_of),
        by_category=views.by_category(db, filters), by_status=views.by_status(db, filters),
        towns=views.by_town(db, filters, as_of), attention=views.attention(db, filters, as_of, limit=200),
        map_png=map_png(filters) if map_png else None, town_sections=sections,
    )


def deck_bytes(db: Store, filters: Filters, lang: str = "zh",
               map_png: Callable[[Filters], bytes | None] | None = None) -> bytes:
    """The .pptx for the selection."""
    return build_deck(collect(db, filters, lang, map_png), lang)
