"""Reference questions for tests: the headline numbers and the town ranking asked one by one, as
hand-written SQL over the filter macro. The pages get them from one grouped pass (views.kpis,
views.by_town, query grouped_places); tests check the pass against these. And the map's questions
as they were before schema 9 stored each project's drawing position: over placed(), which joins the
gazetteer per query (tests/test_scale3_map_positions.py checks queries/maps.sql and the stored
columns against them; this is the test's own oracle, written apart from queries/place_keys.sql)."""
from __future__ import annotations

import re

from portfolio import sql

KPIS = """
SELECT count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(funds_in_place_wan), 0) AS funds_in_place_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries,
       CAST(coalesce(sum(beneficiary_households), 0) AS BIGINT) AS households,
       count(*) FILTER (WHERE is_late) AS late,
       count(*) FILTER (WHERE is_stalled) AS stalled
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
"""

BY_TOWN = """
SELECT CASE WHEN town_key <> '_unplaced' THEN any_value(county) END AS county,
       CASE WHEN town_key <> '_unplaced' THEN any_value(town) END AS town,
       town_key,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(funds_in_place_wan), 0) AS funds_in_place_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       count(*) FILTER (WHERE is_late) AS late,
       count(*) FILTER (WHERE is_stalled) AS stalled,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY town_key
ORDER BY budget_wan DESC, town_key
"""


# The map's questions over placed() (the position computed per query), as before schema 9.

FILTERED = ("flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, "
            "$as_of, flags := $flags)")


def placed(source: str = FILTERED) -> str:
    """`source`'s projects with the position the map draws: their own coordinates, else their town's
    gazetteer point; `placement` exact/village/town/county as stored, 'none' for a fallback to the
    town point, 'unplaced' when nothing can be drawn."""
    return f"""(SELECT f.*,
       coalesce(f.lon, t.lon) AS draw_lon,
       coalesce(f.lat, t.lat) AS draw_lat,
       CASE
           WHEN f.lon IS NOT NULL AND f.lat IS NOT NULL
                AND f.location_precision IN ('exact', 'village', 'town', 'county') THEN f.location_precision
           WHEN f.lon IS NOT NULL AND f.lat IS NOT NULL THEN 'none'
           WHEN t.lon IS NOT NULL THEN 'none'
           ELSE 'unplaced'
       END AS placement
FROM {source} AS f
LEFT JOIN towns AS t ON t.county = f.county AND t.town = f.town)"""


MAP_SUMMARY = """
SELECT count(*) AS projects,
       count(*) FILTER (WHERE placement = 'exact') AS exact,
       count(*) FILTER (WHERE placement = 'village') AS village,
       count(*) FILTER (WHERE placement = 'town') AS town,
       count(*) FILTER (WHERE placement = 'county') AS county,
       count(*) FILTER (WHERE placement = 'none') AS none,
       count(*) FILTER (WHERE placement = 'unplaced') AS unplaced,
       count(DISTINCT (county, town)) FILTER (WHERE placement <> 'unplaced') AS towns,
       min(draw_lon) FILTER (WHERE placement <> 'unplaced') AS west,
       min(draw_lat) FILTER (WHERE placement <> 'unplaced') AS south,
       max(draw_lon) FILTER (WHERE placement <> 'unplaced') AS east,
       max(draw_lat) FILTER (WHERE placement <> 'unplaced') AS north
FROM """ + placed() + """ AS p
"""

MAP_POINTS = """
-- County and town are '' where missing, so labels never meet a NULL.
SELECT project_id, name, coalesce(county, '') AS county, coalesce(town, '') AS town, village, category, status, progress_pct, budget_wan, is_late,
       round(draw_lon, 5) AS lon,
       round(draw_lat, 5) AS lat,
       placement
FROM """ + placed() + """ AS p
WHERE placement <> 'unplaced'
ORDER BY budget_wan DESC NULLS LAST, project_id
LIMIT $limit
"""

MAP_GRID = """
SELECT round((floor(draw_lon / $cell) + 0.5) * $cell, 5) AS lon,
       round((floor(draw_lat / $cell) + 0.5) * $cell, 5) AS lat,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       count(*) FILTER (WHERE is_late) AS late
FROM """ + placed() + """ AS p
WHERE placement <> 'unplaced'
GROUP BY floor(draw_lon / $cell), floor(draw_lat / $cell)
ORDER BY projects DESC
"""

MAP_IMPRECISE = """
SELECT project_id, name, coalesce(county, '') AS county, coalesce(town, '') AS town, village, category, status,
       budget_wan, placement
FROM """ + placed() + """ AS p
WHERE placement <> 'exact'
ORDER BY CASE placement WHEN 'unplaced' THEN 0 WHEN 'none' THEN 1 WHEN 'county' THEN 2 WHEN 'town' THEN 3 ELSE 4 END,
         county, town, village NULLS FIRST, project_id
LIMIT $limit
"""


def bind(text: str, params: dict) -> tuple[str, dict]:
    """`text` with the filter macro narrowed to the filters set (as sql.bind does for named queries)."""
    text = sql.compose(text, params)
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
    return text, {k: v for k, v in params.items() if k in used}


def one(db, text: str, params: dict) -> dict:
    text, used = bind(text, params)
    with db.cursor() as cur:
        result = cur.execute(text, used)
        row = result.fetchall()[0]
        return dict(zip([d[0] for d in result.description], row))


def df(db, text: str, params: dict):
    text, used = bind(text, params)
    with db.cursor() as cur:
        return cur.sql(text, params=used).to_arrow_table().to_pandas()
