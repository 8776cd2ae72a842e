-- Town boundaries: writes by portfolio/town_borders.py (admin only, audited) and the map's reads.

-- name: town_border_upsert
-- Store (or replace) one town's line.
INSERT OR REPLACE INTO town_borders (town_code, county, town, geometry_json, vertices, source, crs, loaded_at, loaded_by)
VALUES ($town_code, $county, $town, $geometry_json, $vertices, $source, $crs, $loaded_at, $loaded_by);

-- name: town_border_count
-- How many towns have a stored line.
SELECT count(*) FROM town_borders;

-- name: town_border_delete_all
-- Forget every stored line.
DELETE FROM town_borders;

-- name: town_borders_in
-- The lines of the towns of some counties, for the map.
SELECT county, town, geometry_json, source, loaded_at
FROM town_borders
WHERE list_contains($counties, county)
ORDER BY county, town;

-- name: town_border_summary
-- Per county: towns with a line, their sources, when they were last loaded and by whom.
SELECT county, count(*) AS towns, string_agg(DISTINCT source, '；') AS source,
       max(loaded_at) AS loaded_at, arg_max(loaded_by, loaded_at) AS loaded_by
FROM town_borders
GROUP BY county
ORDER BY county;
