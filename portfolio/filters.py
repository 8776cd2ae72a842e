"""Filters: one frozen value shared by the sidebar, every query and the URL.

Places are keyed by county and town ("清新区/太平镇") and village
("清新区/太平镇/大坪村") because town and village names repeat. A project whose
county or town is missing or outside the gazetteer has the key UNPLACED (未定位)
in the county and town filters: the keys are stored on each project (queries/place_keys.sql).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Iterable, Mapping

from portfolio import vocab

PLACE_SEP = "/"
UNPLACED = "_unplaced"  # the county/town key of projects not placed in the gazetteer (未定位)
FLAG_CODES = ("late", "stalled")  # the derived flags a user can filter on (逾期, 停滞)


UNPLACED_NAME = "未定位"  # what split_key gives as the town of UNPLACED, for code that shows a key's parts


def town_key(county: str | None, town: str | None) -> str:
    """The key of a town; UNPLACED when the county or the town is missing."""
    if not county or not town:
        return UNPLACED
    return f"{county}{PLACE_SEP}{town}"


def split_key(key: str) -> list[str]:
    """[county, town] of a town key, [county, town, village] of a village key (a village name
    may itself contain the separator); UNPLACED, a town key, gives ["", "未定位"]."""
    if key == UNPLACED:
        return ["", UNPLACED_NAME]
    return key.split(PLACE_SEP, 2)


def parse_years(values: Iterable[str]) -> tuple[int, ...]:
    """Years from text (URL or widget state); anything that is not a whole number is dropped."""
    years = []
    for value in values:
        try:
            years.append(int(value))
        except ValueError:
            continue
    return tuple(years)


@dataclass(frozen=True)
class Filters:
    counties: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()  # town keys
    villages: tuple[str, ...] = ()  # village keys
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    keyword: str = ""
    flags: tuple[str, ...] = ()  # "late", "stalled": projects with any of them

    def sql_params(self) -> dict:
        """Bound parameters for the flagged_projects(...) table macro (as_of None: nothing is late;
        flag_params sets the data date)."""
        return {
            "counties": list(self.counties),
            "towns": list(self.towns),
            "villages": list(self.villages),
            "categories": list(self.categories),
            "statuses": list(self.statuses),
            "years": [int(y) for y in self.years],
            "sources": list(self.sources),
            "keyword": self.keyword.strip(),
            "flags": list(self.flags),
            "as_of": None,
        }

    def without_orphans(self) -> "Filters":
        """Drop towns outside the chosen counties and villages outside the chosen towns."""
        towns = self.towns
        if self.counties:
            towns = tuple(t for t in towns if t == UNPLACED or split_key(t)[0] in self.counties)
        villages = self.villages
        if self.counties:
            villages = tuple(v for v in villages if split_key(v)[0] in self.counties)
        if towns:
            villages = tuple(v for v in villages if PLACE_SEP.join(split_key(v)[:2]) in towns)
        return replace(self, towns=towns, villages=villages)

    # URL state ---------------------------------------------------------------
    def to_query_params(self) -> dict[str, list[str] | str]:
        """Non-empty filters as URL query parameters (lists become repeated keys)."""
        out: dict[str, list[str] | str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            key = _URL_KEYS[f.name]
            if f.name == "keyword":
                if value.strip():
                    out[key] = value.strip()
            elif value:
                out[key] = [str(v) for v in value]
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, Iterable[str]]) -> "Filters":
        """Filters from URL parameters; unknown codes and malformed years are dropped."""
        def values(name: str) -> list[str]:
            raw = params.get(_URL_KEYS[name], [])
            if isinstance(raw, str):
                raw = [raw]
            return [v for v in raw if v]

        years = parse_years(values("years"))
        keyword = values("keyword")
        return cls(
            counties=tuple(values("counties")),
            towns=tuple(t for t in values("towns") if t == UNPLACED or t.count(PLACE_SEP) == 1),
            villages=tuple(v for v in values("villages") if v.count(PLACE_SEP) >= 2),
            categories=tuple(c for c in values("categories") if c in vocab.CATEGORY_BY_CODE),
            statuses=tuple(s for s in values("statuses") if s in vocab.STATUS_BY_CODE),
            years=years,
            sources=tuple(s for s in values("sources") if s in vocab.FUND_SOURCE_CODES),
            keyword=keyword[0] if keyword else "",
            flags=tuple(f for f in FLAG_CODES if f in values("flags")),
        ).without_orphans()


_URL_KEYS = {
    "counties": "county", "towns": "town", "villages": "village", "categories": "cat",
    "statuses": "status", "years": "year", "sources": "src", "keyword": "q",
    "flags": "flag",
}
URL_KEYS = frozenset(_URL_KEYS.values())


# The WHERE clauses of the filter, one per filter field, each reading only its bound parameter.
# sql.bind joins the clauses of the filters actually set (a list parameter that is non-empty);
# no value is ever formatted into SQL. The macro flagged_projects in queries/schema.sql applies
# the same clauses all at once (tests/test_filter_sql.py checks the two agree).
WHERE_CLAUSES: dict[str, str] = {
    "counties": "list_contains($counties, county_key)",
    "towns": "list_contains($towns, town_key)",
    "villages": "list_contains($villages, village_key)",
    "categories": "list_contains($categories, category)",
    "statuses": "list_contains($statuses, status)",
    "years": "list_contains($years, year)",
    "keyword": "(contains(lower(name), lower($keyword))"
               " OR contains(lower(coalesce(description, '')), lower($keyword))"
               " OR contains(coalesce(village, ''), $keyword) OR contains(project_id, $keyword))",
}
# One clause per code of the source and flag filters, joined by OR over the codes chosen.
SOURCE_CLAUSES: dict[str, str] = {
    source.code: f"coalesce({source.column}, 0) > 0" for source in vocab.FUND_SOURCES
}
FLAG_CLAUSES: dict[str, str] = {"late": "is_late", "stalled": "is_stalled"}


def where_clauses(params: dict) -> list[str]:
    """The fixed clauses for the filters set in `params` (flag_params' keys), in a fixed order."""
    clauses = [clause for key, clause in WHERE_CLAUSES.items() if params.get(key)]
    for key, table in (("sources", SOURCE_CLAUSES), ("flags", FLAG_CLAUSES)):
        chosen = [table[code] for code in table if code in (params.get(key) or ())]
        if params.get(key):
            clauses.append("(" + " OR ".join(chosen or ["false"]) + ")")
    return clauses


def flag_params(filters: Filters, as_of: date) -> dict:
    """Parameters for flagged_projects(...): the filters and the reference date."""
    return {**filters.sql_params(), "as_of": as_of}
