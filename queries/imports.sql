-- Spreadsheet import: matching rows to projects, the commit, history and undo.
-- Frames named in a query (incoming_ids, incoming_places, ...) are registered by portfolio/ingest.

-- name: import_projects_by_id
-- Current rows of the projects whose ids are in the registered frame incoming_ids.
-- With $skip_demo the demo projects (removed by this import) are left out.
SELECT p.*
FROM projects AS p
WHERE p.project_id IN (SELECT project_id FROM incoming_ids)
  AND NOT ($skip_demo AND coalesce(p.batch_id, '') = 'demo');

-- name: import_match_place_name
-- Existing projects with the same county, town, village and name (spaces ignored) as the rows in incoming_places.
SELECT i.idx, p.project_id
FROM incoming_places AS i
JOIN projects AS p
  ON coalesce(p.county, '') = i.county
 AND coalesce(p.town, '') = i.town
 AND coalesce(p.village, '') = i.village
 AND regexp_replace(p.name, '\s+', '', 'g') = i.name
WHERE NOT ($skip_demo AND coalesce(p.batch_id, '') = 'demo')
ORDER BY i.idx, p.project_id;

-- name: import_reports_on_date
-- Reports on the given date of the projects in incoming_ids.
SELECT r.*
FROM progress_reports AS r
WHERE r.report_date = $report_date
  AND r.project_id IN (SELECT project_id FROM incoming_ids)
  AND NOT ($skip_demo AND coalesce(r.batch_id, '') = 'demo');

-- name: import_batches_by_sha
-- Committed batches of a file with this content hash, latest first.
SELECT batch_id, file_name, uploaded_at, report_date
FROM import_batches
WHERE sha256 = $sha256 AND state = 'committed'
ORDER BY batch_id DESC;

-- name: import_projects_empty
-- No rows, every column: the shape (and types) of a project row.
SELECT * FROM projects LIMIT 0;

-- name: import_reports_empty
-- No rows, every column: the shape of a progress report.
SELECT * FROM progress_reports LIMIT 0;

-- name: import_batch_count
-- How many batches exist (the next batch number follows it).
SELECT count(*) FROM import_batches;

-- name: import_insert_batch
-- Record one import.
INSERT INTO import_batches (batch_id, file_name, sha256, sheet, uploaded_by, uploaded_at, report_date,
                            rows_read, inserted, updated, unchanged, rejected, mapping_json, state)
VALUES ($batch_id, $file_name, $sha256, $sheet, $uploaded_by, $uploaded_at, $report_date,
        $rows_read, $inserted, $updated, $unchanged, $rejected, $mapping_json, 'committed');

-- name: import_insert_versions
-- Before-images of the rows this batch changes, from the registered frame new_versions.
INSERT INTO project_versions (batch_id, project_id, action, row_json)
SELECT batch_id, project_id, action, row_json FROM new_versions;

-- name: import_delete_projects
-- Remove the projects listed in the registered frame gone_ids (replaced or undone).
DELETE FROM projects WHERE project_id IN (SELECT project_id FROM gone_ids);

-- name: import_insert_projects
-- Insert full project rows from the registered frame project_rows (columns by name).
INSERT INTO projects BY NAME SELECT * FROM project_rows;

-- name: import_upsert_reports
-- Insert or replace progress reports (one per project and date) from the registered frame report_rows.
INSERT OR REPLACE INTO progress_reports BY NAME SELECT * FROM report_rows;

-- name: get_column_mapping
-- The mapping confirmed for a header set.
SELECT mapping_json FROM column_mappings WHERE header_key = $header_key;

-- name: import_mapping_keys
-- Header sets that have a confirmed mapping (a sheet's header is found by them too).
SELECT header_key FROM column_mappings;

-- name: save_column_mapping
-- Remember the mapping confirmed for a header set.
INSERT INTO column_mappings (header_key, mapping_json, saved_at)
VALUES ($header_key, $mapping_json, current_localtimestamp())
ON CONFLICT (header_key) DO UPDATE SET mapping_json = excluded.mapping_json, saved_at = excluded.saved_at;

-- name: import_mappings_of_batch
-- The mappings a batch introduced (their JSON names the batch).
SELECT header_key, mapping_json FROM column_mappings
WHERE json_extract_string(mapping_json, '$.batch_id') = $batch_id;

-- name: import_delete_mapping
-- Forget the mapping of a header set.
DELETE FROM column_mappings WHERE header_key = $header_key;

-- name: import_history
-- Every import, latest first.
SELECT batch_id, file_name, sheet, uploaded_by, uploaded_at, report_date, rows_read,
       inserted, updated, unchanged, rejected, state
FROM import_batches
ORDER BY batch_id DESC
LIMIT $limit;

-- name: import_batch
-- One import by id.
SELECT * FROM import_batches WHERE batch_id = $batch_id;

-- name: import_batch_versions
-- The before-images kept by one batch.
SELECT project_id, action, row_json FROM project_versions WHERE batch_id = $batch_id ORDER BY project_id;

-- name: import_later_conflicts
-- Later committed batches that changed any project this batch changed.
SELECT DISTINCT v.batch_id
FROM project_versions AS v
JOIN import_batches AS b ON b.batch_id = v.batch_id
WHERE b.state = 'committed'
  AND v.batch_id > $batch_id
  AND v.project_id IN (SELECT project_id FROM project_versions WHERE batch_id = $batch_id)
ORDER BY v.batch_id;

-- name: import_delete_batch_reports
-- Remove the progress reports written by one batch.
DELETE FROM progress_reports WHERE batch_id = $batch_id;

-- name: import_mark_undone
-- Mark a batch as undone.
UPDATE import_batches SET state = 'undone' WHERE batch_id = $batch_id;

-- name: import_data_date
-- The dashboard's data date before an import: the latest progress report, else the meta value.
-- With $skip_demo: the data date once the demo is removed (real reports only).
SELECT CASE WHEN $skip_demo
            THEN (SELECT max(report_date) FROM progress_reports WHERE coalesce(batch_id, '') <> 'demo')
            ELSE coalesce((SELECT max(report_date) FROM progress_reports),
                          TRY_CAST((SELECT value FROM meta WHERE key = 'data_date') AS DATE))
       END AS data_date;

-- name: import_late_by_town
-- The late projects on $as_of, as the dashboard flags them (flagged_projects: per town, see README 逾期).
SELECT project_id
FROM project_flags($as_of)
WHERE is_late
ORDER BY project_id;

-- name: import_newly_late
-- Existing projects this upload does not carry (not in incoming_ids) that would turn late because
-- the upload moves their place's report date from its current value to $report_date. Only the
-- places in the registered frame incoming_places_dates (county, town) move. With $skip_demo the
-- demo projects (removed by this import) are left out.
WITH place_dates AS (
    SELECT county, town, max(last_report_date) AS place_date
    FROM projects
    WHERE NOT ($skip_demo AND coalesce(batch_id, '') = 'demo')
    GROUP BY ALL
)
SELECT count(*) AS newly_late
FROM projects AS p
JOIN (SELECT DISTINCT county, town FROM incoming_places_dates) AS i
  ON i.county IS NOT DISTINCT FROM p.county AND i.town IS NOT DISTINCT FROM p.town
LEFT JOIN place_dates AS d
  ON d.county IS NOT DISTINCT FROM p.county AND d.town IS NOT DISTINCT FROM p.town
WHERE p.project_id NOT IN (SELECT project_id FROM incoming_ids)
  AND NOT ($skip_demo AND coalesce(p.batch_id, '') = 'demo')
  -- late on the new date of its town, not late on the date its town has now (project_late: the one rule)
  AND project_late(p.status, p.plan_end, $report_date)
  AND NOT project_late(p.status, p.plan_end, coalesce(d.place_date, p.last_report_date, $data_date, $report_date));

-- name: import_demo_count
-- How many demo projects the database holds (the first real import offers to remove them).
SELECT count(*) FROM projects WHERE batch_id = 'demo';

-- name: import_delete_demo_reports
-- Remove the demo projects' progress reports (first of the three steps removing the demo).
DELETE FROM progress_reports
WHERE project_id IN (SELECT project_id FROM projects WHERE batch_id = 'demo');

-- name: import_delete_demo_latest
-- Remove the demo projects' progress rollup.
DELETE FROM progress_latest
WHERE project_id IN (SELECT project_id FROM projects WHERE batch_id = 'demo');

-- name: import_delete_demo_projects
-- Remove the demo projects themselves and mark the database as no longer a demo.
DELETE FROM projects WHERE batch_id = 'demo';

-- name: import_clear_demo_flag
-- The database holds no demo data any more.
INSERT INTO meta (key, value) VALUES ('is_demo', '0')
ON CONFLICT (key) DO UPDATE SET value = '0';
