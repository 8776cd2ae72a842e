"""The meeting pack's content model: what the deck (deck.py) and the HTML report (report.py) show.

Queries run here (through views), once, and the lists both show (the KPI list, the rankings, the
late and stalled projects, the villages of a town) are written out here as rows of text with the
formats of portfolio/formats.py; deck.py and report.py only lay them out.

The sections follow the scope (`scope_kind`): the whole library gets a part per county, one
county a part per town, one town its 各村情况 table.

Extension point: extra sections. Another module (village indicators, for one) adds its own
part to the pack by passing a function to `collect(..., extra=(fn,))` (and so to `deck_bytes`
and `report.build_report`). `fn(db, filters, as_of, lang)` returns a list of `Section`s:
a title ("村级指标"), a `Table` of text (header, rows, numeric columns, and the columns the deck
may shorten) and speaker notes. Both builders lay every extra section out generically: the deck
as table slides titled "<scope> · <title>", paginated, long cells shortened with their full text
in the notes; the report as a heading and a table on its first page.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Iterable

import pandas as pd

from portfolio import formats, indicators, views, vocab
from portfolio.filters import Filters, split_key, town_key
from portfolio.i18n import t
from portfolio.store import Store
from portfolio.views import Changes, Kpis

TOWN_LIST_ROWS = 12  # late and stalled projects on a town's report page: keeps a town on one printed page
ATTENTION_ROWS = 200  # late and stalled projects queried for the pack (the deck pages a part of them)
PHOTO_PROJECTS = 6  # projects on the 现场照片 slide and page, newest photo first


@dataclass(frozen=True)
class Table:
    """A table as text: header, rows, the columns that hold numbers (right-aligned) and the columns
    the deck may shorten to fit a slide (their full text goes into the speaker notes)."""
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    shorten: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Section:
    """An extra part of the pack supplied by another module (see the module docstring)."""
    title: str
    table: Table
    notes: str = ""


@dataclass
class AreaSection:
    """One county of the whole library, or one town of a county: a slide in the deck, a page in the report."""
    county: str
    town: str | None
    kpis: Kpis
    by_category: pd.DataFrame
    villages: pd.DataFrame | None = None  # the report's town pages only
    attention: pd.DataFrame | None = None  # the report's town pages only

    @property
    def label(self) -> str:
        return place_label(self.county, self.town)


TownSection = AreaSection


@dataclass(frozen=True)
class PhotoItem:
    """A project's newest site photo: the 1280 px copy's bytes, or None when the file is missing."""
    project_id: str
    name: str
    place: str
    day: str
    caption: str
    image: bytes | None


@dataclass
class MeetingContent:
    """Everything the meeting pack shows, already queried: the deck and report builders run no query."""
    area: str
    scope: str  # "太平镇（阳山县）", "阳山县", "全部项目": the first part of every slide title
    scope_kind: str  # "town", "county" or "all"
    unit: str  # 汇报单位
    meeting_date: date
    as_of: date
    filters_text: str  # the filters actually set, one a line; "" when none
    is_demo: bool
    kpis: Kpis
    changes: Changes
    by_category: pd.DataFrame
    by_status: pd.DataFrame
    towns: pd.DataFrame
    attention: pd.DataFrame
    villages: pd.DataFrame | None = None  # one town's villages
    map_png: bytes | None = None
    area_sections: list[AreaSection] = field(default_factory=list)
    photos: list[PhotoItem] = field(default_factory=list)
    extra_sections: list[Section] = field(default_factory=list)

    @property
    def town_sections(self) -> list[AreaSection]:
        return self.area_sections


DeckContent = MeetingContent
ExtraSections = Callable[[Store, Filters, date, str], list[Section]]


# Selection ---------------------------------------------------------------------------------
def place_label(county: str | None, town: str | None) -> str:
    """七拱镇（阳山县） for a town, 阳山县 for a county."""
    county_text = formats.text(county)
    if town is None:
        return county_text
    return f"{formats.text(town)}（{county_text}）" if county_text else formats.text(town)


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


def scope_of(filters: Filters, lang: str) -> tuple[str, str]:
    """(kind, label): one town, one county (also several towns of one county), or all."""
    if len(filters.towns) == 1:
        county, town = split_key(filters.towns[0])
        return "town", place_label(county, town)
    counties = {split_key(k)[0] for k in filters.towns} or set(filters.counties)
    if len(counties) == 1 and not (filters.towns and filters.counties and set(filters.counties) != counties):
        return "county", area_name(filters, lang) if filters.towns else next(iter(counties))
    if filters.counties and not filters.towns:
        return "all", "、".join(filters.counties[:4]) + ("等" if len(filters.counties) > 4 else "")
    return "all", area_name(filters, lang)


def filters_set(filters: Filters, lang: str) -> str:
    """The filters actually set, one a line ("项目类别：供水、道路"); a county implied by a chosen town is left out."""
    town_counties = {split_key(k)[0] for k in filters.towns}
    parts = [
        ("f_county", [c for c in filters.counties if c not in town_counties]),
        ("f_town", [place_label(*split_key(k)[:2]) for k in filters.towns]),
        ("f_village", [split_key(k)[2] for k in filters.villages]),
        ("f_category", [vocab.label("category", c, lang) for c in filters.categories]),
        ("f_status", [vocab.label("status", s, lang) for s in filters.statuses]),
        ("f_year", [str(y) for y in filters.years]),
        ("f_source", [vocab.label("source", s, lang) for s in filters.sources]),
        ("f_flag", [t(f"flag_{f}", lang) for f in filters.flags]),
        ("f_keyword", [filters.keyword] if filters.keyword else []),
    ]
    colon, comma = ("：", "、") if lang == "zh" else (": ", ", ")
    return "\n".join(f"{t(key, lang)}{colon}{comma.join(values)}" for key, values in parts if values)


def default_unit(db: Store, filters: Filters, kind: str, lang: str, as_of: date) -> str:
    """汇报单位 when none is given: a town's own team when it has one, else the area's name."""
    if kind == "town":
        teams = views.teams(db, filters, as_of)
        names = [formats.text(n) for n in teams["team"].dropna().unique()] if not teams.empty else []
        if len(names) == 1:
            return f"{area_name(filters, lang)}{names[0]}"
    return area_name(filters, lang)


def _area_sections(db: Store, filters: Filters, kind: str, towns: pd.DataFrame, as_of: date) -> list[AreaSection]:
    """Per town for a county, per county for the whole library; none for a town."""
    sections = []
    if kind == "county":
        for row in towns.dropna(subset=["county"]).sort_values("town").itertuples():
            tf = replace(filters, towns=(town_key(row.county, row.town),))
            sections.append(AreaSection(row.county, row.town, views.kpis(db, tf, as_of), views.by_category(db, tf)))
    elif kind == "all":
        for county in sorted(towns["county"].dropna().unique()):
            towns_here = tuple(k for k in filters.towns if split_key(k)[0] == county)
            cf = replace(filters, counties=(county,), towns=towns_here)
            sections.append(AreaSection(county, None, views.kpis(db, cf, as_of), views.by_category(db, cf)))
    return sections


def town_pages(db: Store, filters: Filters, towns: pd.DataFrame, as_of: date) -> list[AreaSection]:
    """The report's page per town of the ranking, by county and town: numbers, categories, villages, lists."""
    pages = []
    for row in towns.dropna(subset=["county"]).sort_values(["county", "town"]).itertuples():
        tf = replace(filters, counties=(), towns=(town_key(row.county, row.town),), villages=())
        pages.append(AreaSection(row.county, row.town, views.kpis(db, tf, as_of), views.by_category(db, tf),
                                 views.by_village(db, tf, as_of),
                                 views.attention(db, tf, as_of, limit=TOWN_LIST_ROWS)))
    return pages


def latest_photos(db: Store, filters: Filters, limit: int = PHOTO_PROJECTS) -> list[PhotoItem]:
    """The newest photo of each of the `limit` projects photographed most recently."""
    from portfolio import photos

    try:
        rows = photos.latest_for(db, filters, limit=limit * 10)
    except RuntimeError:  # an in-memory library without a photo folder has no photos
        return []
    items: dict[str, PhotoItem] = {}
    for row in rows:
        if row["project_id"] in items or len(items) >= limit:
            continue
        path = row.get("path_1280")
        taken = row.get("taken_at")
        place = place_label(row.get("county"), row.get("town")) + formats.text(row.get("village"))
        items[row["project_id"]] = PhotoItem(
            row["project_id"], formats.text(row.get("name")), place,
            formats.day(taken if not formats.is_missing(taken) else row.get("report_date")),
            formats.text(row.get("caption")), path.read_bytes() if path is not None and path.is_file() else None)
    return list(items.values())


def collect(db: Store, filters: Filters, lang: str = "zh",
            map_png: Callable[[Filters], bytes | None] | None = None, unit: str | None = None,
            meeting_date: date | None = None, extra: Iterable[ExtraSections] = ()) -> MeetingContent:
    """Query everything the meeting pack shows for `filters` (`extra`: see the module docstring)."""
    as_of = views.data_date(db)
    kind, scope = scope_of(filters, lang)
    towns = views.by_town(db, filters, as_of, lang)
    return MeetingContent(
        area=area_name(filters, lang), scope=scope, scope_kind=kind,
        unit=unit if unit else default_unit(db, filters, kind, lang, as_of),
        meeting_date=meeting_date or date.today(), as_of=as_of, filters_text=filters_set(filters, lang),
        is_demo=views.is_demo(db), kpis=views.kpis(db, filters, as_of),
        changes=views.changes_since_previous_report(db, filters, as_of),
        by_category=views.by_category(db, filters), by_status=views.by_status(db, filters), towns=towns,
        attention=views.attention(db, filters, as_of, limit=ATTENTION_ROWS),
        villages=views.by_village(db, filters, as_of) if kind == "town" else None,
        map_png=map_png(filters) if map_png else None,
        area_sections=_area_sections(db, filters, kind, towns, as_of), photos=latest_photos(db, filters),
        extra_sections=[s for fn in extra for s in fn(db, filters, as_of, lang)],
    )


def deck_bytes(db: Store, filters: Filters, lang: str = "zh",
               map_png: Callable[[Filters], bytes | None] | None = None, **options) -> bytes:
    """The .pptx for the selection (`options`: unit, meeting_date, extra, as for collect)."""
    from portfolio.deck import build_deck  # deck.py renders this module's content, so it imports this one

    return build_deck(collect(db, filters, lang, map_png, **options), lang)


# What both the deck and the report list ---------------------------------------------------------
def kpi_items(k: Kpis, lang: str) -> list[tuple[str, str]]:
    """The headline numbers as (label, value)."""
    return [
        (t("k_projects", lang), formats.count(k.projects)),
        (t("k_budget", lang), formats.wan(k.budget_wan)),
        (t("k_in_place", lang), formats.wan(k.funds_in_place_wan)),
        (t("k_spent", lang), formats.wan(k.spent_wan)),
        (t("k_beneficiaries", lang), formats.count(k.beneficiaries)),
        (t("k_start_rate", lang), formats.pct(k.start_rate)),
        (t("k_finish_rate", lang), formats.pct(k.finish_rate)),
        (t("deck_in_place_rate", lang), formats.pct(k.in_place_rate)),
        (t("deck_spent_rate", lang), formats.pct(k.spent_rate)),
        (t("k_late", lang) + " / " + t("k_stalled", lang), f"{formats.count(k.late)} / {formats.count(k.stalled)}"),
    ]


def change_items(c: Changes, lang: str) -> list[tuple[str, str]]:
    """What changed since the previous report, as (label, value); empty with only one report."""
    if c.previous is None:
        return []
    return [(t("tw_new", lang), formats.count(c.new_projects)),
            (t("tw_newly_started", lang), formats.count(c.newly_started)),
            (t("tw_newly_completed", lang), formats.count(c.newly_completed)),
            (t("tw_progress_gain", lang), t("deck_points", lang, n=formats.number(c.avg_progress_gain))),
            (t("tw_spent_delta", lang), formats.wan(c.spent_wan_delta))]


def change_heading(c: Changes, lang: str) -> str:
    if c.previous is None:
        return t("tw_no_changes", lang)
    return t("tw_changes", lang, previous=formats.day(c.previous), latest=formats.day(c.latest))


def _ranking_row(r) -> tuple[str, ...]:
    return (formats.count(r.projects), formats.wan(r.budget_wan), formats.wan(r.funds_in_place_wan),
            formats.wan(r.spent_wan), formats.pct(indicators.rate("start_rate", r), 0),
            formats.pct(indicators.rate("finish_rate", r), 0), formats.count(r.late))


def _ranking_header(lang: str) -> tuple[str, ...]:
    return (t("k_projects", lang), t("k_budget", lang), t("k_in_place", lang), t("k_spent", lang),
            t("k_start_rate", lang), t("k_finish_rate", lang), t("k_late", lang))


def ranking_table(towns: pd.DataFrame, lang: str) -> Table:
    """Towns by investment, each with its county."""
    rows = tuple((formats.text(r.county), formats.text(r.town), *_ranking_row(r)) for r in towns.itertuples())
    return Table((t("c_county", lang), t("c_town", lang), *_ranking_header(lang)), rows, frozenset(range(2, 9)))


def county_table(towns: pd.DataFrame, lang: str) -> Table:
    """The whole library by county (summed from the towns), largest investment first."""
    sums = ["projects", "budget_wan", "funds_in_place_wan", "spent_wan", "started", "finished", "late"]
    counties = towns.assign(county=towns["county"].fillna(t("unplaced", lang))).groupby(
        "county", as_index=False)[sums].sum(min_count=1).sort_values("budget_wan", ascending=False)
    rows = tuple((formats.text(r.county), *_ranking_row(r)) for r in counties.itertuples())
    return Table((t("c_county", lang), *_ranking_header(lang)), rows, frozenset(range(1, 8)))


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
    return Table(tuple(header), tuple(rows), frozenset({last - 2, last}), frozenset({1}))


def villages_table(villages: pd.DataFrame, lang: str) -> Table:
    """A town's villages: projects, investment, started, finished, late."""
    rows = tuple((formats.text(r.village, formats.DASH), formats.count(r.projects), formats.wan(r.budget_wan),
                  formats.count(r.started), formats.count(r.finished), formats.count(r.late))
                 for r in villages.itertuples())
    return Table((t("c_village", lang), t("k_projects", lang), t("k_budget", lang), t("village_started", lang),
                  t("village_finished", lang), t("k_late", lang)), rows, frozenset({1, 2, 3, 4, 5}))
