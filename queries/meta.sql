-- Facts about the database and the reference gazetteer.

-- name: get_meta
-- One meta value by key.
SELECT value FROM meta WHERE key = $key;

-- name: set_meta
-- Insert or replace one meta value.
INSERT INTO meta (key, value) VALUES ($key, $value)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: bump_data_version
-- Every committed write increments the data version that caches key on.
INSERT INTO meta (key, value) VALUES ('data_version', '1')
ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR);

-- name: count_towns
-- How many towns the gazetteer holds.
SELECT count(*) FROM towns;

-- name: insert_towns
-- Load the gazetteer towns from the registered frame town_rows.
INSERT INTO towns (town_code, county_code, county, town, town_type, lon, lat)
SELECT town_code, county_code, county, town, town_type, lon, lat FROM town_rows;

-- name: insert_villages
-- Load the gazetteer villages from the registered frame village_rows.
INSERT INTO villages (village_code, village, village_stem, town_code, county_code)
SELECT village_code, village, village_stem, town_code, county_code FROM village_rows;

-- name: data_date
-- The date the data speaks for: the latest progress report, else the meta value.
SELECT coalesce(
    (SELECT max(report_date) FROM progress_reports),
    TRY_CAST((SELECT value FROM meta WHERE key = 'data_date') AS DATE)
) AS data_date;

-- name: project_count
-- Number of projects in the library.
SELECT count(*) AS n FROM projects;

-- name: meta_table_exists
-- Whether the database has a meta table yet (a brand-new file has none).
SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta';

-- name: demo_project_count
-- How many projects of the demo portfolio (batch 'demo') the library still holds.
SELECT count(*) AS n FROM projects WHERE batch_id = 'demo';
