-- The place keys of projects, stored on each row and kept current by Store.write (and when the
-- store opens), so filters and groupings read a column instead of building strings per row; and
-- (schema 9) the position the map draws each project at, so the map reads columns instead of
-- joining the gazetteer.

-- name: sync_place_keys
-- Recompute the keys and map positions of the projects whose county, town, village, coordinates or
-- location precision changed since they were made (place_sig, a hash of the six, differs: new rows,
-- moves, undo, direct edits), and only those. Places are keyed county/town(/village) because names
-- repeat across counties; a project whose county or town is missing or outside the gazetteer has the
-- key '_unplaced' (shown as 未定位), so it can be counted and chosen like any place. The map position
-- (map_lon, map_lat) is the project's own coordinates, else its town's gazetteer point; map_placement
-- says how precise that is: exact / village / town / county as stored, 'none' for a fallback to the
-- town point, 'unplaced' when nothing can be drawn (the one definition; the map's queries read the
-- columns). At most $limit rows a statement: filling a whole 10M library at once needs
-- more than the store's memory limit (store.fill_place_keys). The columns come from schema.sql
-- (schema 9); a file from before has a signature over three fields, so every row is recomputed once.
UPDATE projects AS p
SET county_key = k.county_key, town_key = k.town_key, village_key = k.village_key,
    map_lon = k.map_lon, map_lat = k.map_lat, map_placement = k.map_placement, place_sig = k.place_sig
FROM (
    SELECT s.project_id,
           CASE WHEN gc.county IS NOT NULL THEN s.county ELSE '_unplaced' END AS county_key,
           CASE WHEN gt.town IS NOT NULL THEN concat_ws('/', s.county, s.town) ELSE '_unplaced' END AS town_key,
           CASE WHEN gt.town IS NOT NULL AND coalesce(s.village, '') <> ''
                THEN concat_ws('/', s.county, s.town, s.village) END AS village_key,
           coalesce(s.lon, gt.lon) AS map_lon,
           coalesce(s.lat, gt.lat) AS map_lat,
           CASE
               WHEN s.lon IS NOT NULL AND s.lat IS NOT NULL
                    AND s.location_precision IN ('exact', 'village', 'town', 'county') THEN s.location_precision
               WHEN s.lon IS NOT NULL AND s.lat IS NOT NULL THEN 'none'
               WHEN gt.lon IS NOT NULL THEN 'none'
               ELSE 'unplaced'
           END AS map_placement,
           hash(s.county, s.town, s.village, s.lon, s.lat, s.location_precision) AS place_sig
    FROM projects AS s
    LEFT JOIN (SELECT DISTINCT county FROM towns) AS gc ON gc.county = s.county
    LEFT JOIN towns AS gt ON gt.county = s.county AND gt.town = s.town  -- one row per (county, town)
    WHERE s.place_sig IS DISTINCT FROM hash(s.county, s.town, s.village, s.lon, s.lat, s.location_precision)
    LIMIT $limit
) AS k
WHERE p.project_id = k.project_id;

-- name: forget_place_keys
-- Mark every project's keys stale (the gazetteer they depend on was loaded), for sync_place_keys.
UPDATE projects SET place_sig = NULL WHERE place_sig IS NOT NULL;
