-- The place keys of projects, stored on each row and kept current by Store.write (and when the
-- store opens), so filters and groupings read a column instead of building strings per row.

-- name: sync_place_keys
-- Recompute the keys of the projects whose county, town or village changed since their keys were
-- made (place_sig, a hash of the three, differs: new rows, moves, undo, direct edits), and only
-- those. Places are keyed county/town(/village) because names repeat across counties; a project
-- whose county or town is missing or outside the gazetteer has the key '_unplaced' (shown as
-- 未定位), so it can be counted and chosen like any place. At most $limit rows a statement: filling a
-- whole 10M library at once needs more than the store's memory limit (store.fill_place_keys).
UPDATE projects AS p
SET county_key = k.county_key, town_key = k.town_key, village_key = k.village_key, place_sig = k.place_sig
FROM (
    SELECT s.project_id,
           CASE WHEN gc.county IS NOT NULL THEN s.county ELSE '_unplaced' END AS county_key,
           CASE WHEN gt.town IS NOT NULL THEN concat_ws('/', s.county, s.town) ELSE '_unplaced' END AS town_key,
           CASE WHEN gt.town IS NOT NULL AND coalesce(s.village, '') <> ''
                THEN concat_ws('/', s.county, s.town, s.village) END AS village_key,
           hash(s.county, s.town, s.village) AS place_sig
    FROM projects AS s
    LEFT JOIN (SELECT DISTINCT county FROM towns) AS gc ON gc.county = s.county
    LEFT JOIN (SELECT DISTINCT county, town FROM towns) AS gt ON gt.county = s.county AND gt.town = s.town
    WHERE s.place_sig IS DISTINCT FROM hash(s.county, s.town, s.village)
    LIMIT $limit
) AS k
WHERE p.project_id = k.project_id;

-- name: forget_place_keys
-- Mark every project's keys stale (the gazetteer they depend on was loaded), for sync_place_keys.
UPDATE projects SET place_sig = NULL WHERE place_sig IS NOT NULL;
