"""What a sheet's title rows say: the unit (单位：万元/元) and the county or town it is about.

A county or town is taken only when it is a real place: the Qingyuan gazetteer first, then the
national county list and the Guangdong town list shipped in data/geo (see SOURCES.md).
"""
from __future__ import annotations

import re
from typing import Any

from portfolio import geo
from portfolio.ingest.values import norm, text_value, unit_factor


def read_title(table, rows: list[list[Any]]) -> None:
    """Fill the title, its unit and its county and town into `table` (a locate.Table) from the rows above the header."""
    texts = []
    for row in rows:
        for v in row:
            text = text_value(v)
            if text and text not in texts:
                texts.append(text)
    table.title = " ".join(texts)
    n = norm(table.title)
    m = re.search(r"单位[:：]?(亿元|万元|千元|元)", n)
    if m:
        table.title_unit = unit_factor(m.group(1))
    county, town = places_in_title(table.title)
    table.title_county, table.title_town = county, town


_PLACE_TOKEN = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:自治区|自治州|自治县|自治旗|省|市|县|区|旗|街道办事处|办事处|街道|镇|乡))")


def places_in_title(title: str) -> tuple[str | None, str | None]:
    """(county, town) named in a title: gazetteer names first, else the leading place words."""
    n = norm(title)
    if not n:
        return None, None
    county = town = None
    by_county: dict[str, list[geo.Town]] = {}
    for t in geo.towns():
        by_county.setdefault(t.county, []).append(t)
    for full in by_county:
        for name in {full, geo.short_county(full)}:
            if name in n:
                county = full
                break
        if county:
            break
    candidates = by_county[county] if county else list(geo.towns())
    hits = sorted({t.town for t in candidates if t.town in n}, key=len, reverse=True)
    if hits:
        town = hits[0]
        if county is None:
            owners = {t.county for t in geo.towns() if t.town == town}
            county = owners.pop() if len(owners) == 1 else None
    if county or town:
        return county, town
    return _places_outside_gazetteer(n)


def _places_outside_gazetteer(n: str) -> tuple[str | None, str | None]:
    """The leading place words of a title, each checked against the national county list and the
    Guangdong town list: 茂名市信宜市钱排镇 -> (信宜市, 钱排镇); words that only look like a place
    (上级下达及区) end the reading and are never taken. A town is taken unchecked only right after a
    real county outside Guangdong (湖南省永顺县石堤镇), whose town list is not shipped."""
    counties, gd_towns = geo.china_counties(), geo.guangdong_towns()
    higher = {c.city for units in counties.values() for c in units} | {
        c.province for units in counties.values() for c in units}
    s = re.sub(r"^(附件\d*|附表\d*)", "", n)
    s = re.sub(r"^(19|20)\d{2}(?:-(19|20)\d{2})?年度?", "", s)
    county = town = None
    county_codes: set[str] = set()
    while s:
        m = _PLACE_TOKEN.match(s)
        if not m:
            break
        token = m.group(1)
        if token in higher and token not in counties:
            pass  # a province or prefecture above the county
        elif token in counties and county is None:
            county, county_codes = token, {c.code for c in counties[token]}
        elif token in gd_towns and town is None:
            owners = {code for _, code in gd_towns[token]}
            if county_codes and not owners & county_codes:
                break
            town = token
        elif town is None and county_codes and not any(c.startswith("44") for c in county_codes) \
                and token.endswith(("镇", "乡", "街道", "办事处")):
            town = token  # under a real county outside Guangdong, whose towns we do not ship
        else:
            break
        s = re.sub(r"^(19|20)\d{2}年度?", "", s[m.end():])
    return county, town
