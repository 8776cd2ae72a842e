-- The presentation map (作战图): points, per-town and per-cell aggregates, location honesty.
-- A project without its own coordinates is drawn at its town's gazetteer point when the
-- town is known; `placement` says how precise the drawn position is:
-- exact / village / town / county as stored, 'none' for the town-seat fallback,
-- 'unplaced' when no position can be drawn at all. Both are stored on each project (map_lon,
-- map_lat, map_placement: queries/place_keys.sql, kept current by Store.write), so these queries
-- read columns (tests/reference_queries.py keeps the per-query gazetteer join as the test's oracle).

-- name: map_summary
-- How many filtered projects there are, how precisely each is placed, and the bounding box of the drawable ones.
-- One pass groups the projects by placement and town key (a few thousand groups), the second adds
-- the groups up. Distinct (county, town): the stored key for gazetteer towns (one key per pair), the
-- pair itself for the few drawn by their own coordinates with a town outside the gazetteer ('_unplaced').
WITH g AS (
    SELECT map_placement AS placement, town_key,
           CASE WHEN town_key = '_unplaced' THEN county END AS other_county,
           CASE WHEN town_key = '_unplaced' THEN town END AS other_town,
           count(*) AS n,
           min(map_lon) AS west, min(map_lat) AS south, max(map_lon) AS east, max(map_lat) AS north
    FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
    GROUP BY ALL
)
SELECT coalesce(sum(n), 0) AS projects,
       coalesce(sum(n) FILTER (WHERE placement = 'exact'), 0) AS exact,
       coalesce(sum(n) FILTER (WHERE placement = 'village'), 0) AS village,
       coalesce(sum(n) FILTER (WHERE placement = 'town'), 0) AS town,
       coalesce(sum(n) FILTER (WHERE placement = 'county'), 0) AS county,
       coalesce(sum(n) FILTER (WHERE placement = 'none'), 0) AS none,
       coalesce(sum(n) FILTER (WHERE placement = 'unplaced'), 0) AS unplaced,
       count(DISTINCT (town_key, other_county, other_town)) FILTER (WHERE placement <> 'unplaced') AS towns,
       min(west) FILTER (WHERE placement <> 'unplaced') AS west,
       min(south) FILTER (WHERE placement <> 'unplaced') AS south,
       max(east) FILTER (WHERE placement <> 'unplaced') AS east,
       max(north) FILTER (WHERE placement <> 'unplaced') AS north
FROM g;

-- name: map_points
-- The drawable filtered projects with what a point and its tooltip need, largest budget first (up to $limit rows).
-- County and town are '' where missing, so labels never meet a NULL.
SELECT project_id, name, coalesce(county, '') AS county, coalesce(town, '') AS town, village, category, status, progress_pct, budget_wan, is_late,
       round(map_lon, 5) AS lon,
       round(map_lat, 5) AS lat,
       map_placement AS placement
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE map_placement <> 'unplaced'
ORDER BY budget_wan DESC NULLS LAST, project_id
LIMIT $limit;

-- name: map_town_stats
-- Per town in scope: the numbers behind the town bubbles and indicators. Gazetteer towns inside the
-- chosen counties/towns with no filtered project appear with projects = 0 ("no data").
WITH stats AS (
    SELECT f.county, f.town,
           count(*) AS projects,
           coalesce(sum(f.budget_wan), 0) AS budget_wan,
           count(*) FILTER (WHERE f.is_started) AS started,
           count(*) FILTER (WHERE f.is_finished) AS finished,
           count(*) FILTER (WHERE f.is_late) AS late,
           avg(f.lon) AS mean_lon,
           avg(f.lat) AS mean_lat
    FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags) AS f
    WHERE f.town IS NOT NULL AND f.county IS NOT NULL
    GROUP BY f.county, f.town
),
scope AS (
    SELECT county, town, lon, lat
    FROM towns
    WHERE (len($counties) = 0 OR list_contains($counties, county))
      AND (len($towns) = 0 OR list_contains($towns, concat_ws('/', county, town)))
)
SELECT coalesce(s.county, g.county) AS county,
       coalesce(s.town, g.town) AS town,
       coalesce(s.projects, 0) AS projects,
       coalesce(s.budget_wan, 0) AS budget_wan,
       coalesce(s.started, 0) AS started,
       coalesce(s.finished, 0) AS finished,
       coalesce(s.late, 0) AS late,
       round(coalesce(g.lon, s.mean_lon), 5) AS lon,
       round(coalesce(g.lat, s.mean_lat), 5) AS lat
FROM stats AS s
FULL OUTER JOIN scope AS g ON g.county = s.county AND g.town = s.town
ORDER BY budget_wan DESC, county, town;

-- name: map_grid
-- Drawable filtered projects binned into square cells of $cell degrees: count, money, started and finished per cell.
SELECT round((floor(map_lon / $cell) + 0.5) * $cell, 5) AS lon,
       round((floor(map_lat / $cell) + 0.5) * $cell, 5) AS lat,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       count(*) FILTER (WHERE is_late) AS late
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE map_placement <> 'unplaced'
GROUP BY floor(map_lon / $cell), floor(map_lat / $cell)
ORDER BY projects DESC;

-- name: map_imprecise
-- Filtered projects not placed by their own exact coordinates, for the location-honesty list (up to $limit rows).
SELECT project_id, name, coalesce(county, '') AS county, coalesce(town, '') AS town, village, category, status,
       budget_wan, map_placement AS placement
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE map_placement <> 'exact'
ORDER BY CASE map_placement WHEN 'unplaced' THEN 0 WHEN 'none' THEN 1 WHEN 'county' THEN 2 WHEN 'town' THEN 3 ELSE 4 END,
         county, town, village NULLS FIRST, project_id
LIMIT $limit;
