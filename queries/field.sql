-- Field updates (更新进展), field edits and site photos.

-- name: field_project
-- One project's current row (for checks and the before-image).
SELECT * FROM projects WHERE project_id = $project_id;

-- name: field_report_on
-- The stored report of a project on a date (replaced by an update on the same date).
SELECT * FROM progress_reports WHERE project_id = $project_id AND report_date = $report_date;

-- name: field_newest_report
-- The date of a project's newest report.
SELECT max(report_date) FROM progress_reports WHERE project_id = $project_id;

-- name: field_insert_batch
-- Record a field update or edit as a batch, so the import history lists it and undo restores it.
INSERT INTO import_batches (batch_id, file_name, sha256, sheet, uploaded_by, uploaded_at, report_date,
                            rows_read, inserted, updated, unchanged, rejected, mapping_json, state, kind)
VALUES ($batch_id, $file_name, NULL, NULL, $uploaded_by, $uploaded_at, $report_date,
        1, 0, 1, 0, 0, NULL, 'committed', $kind);

-- name: field_insert_version
-- The before-image of the project (and of the report an update replaces).
INSERT INTO project_versions (batch_id, project_id, action, row_json)
VALUES ($batch_id, $project_id, 'update', $row_json);

-- name: field_upsert_report
-- The report a field update brings (one per project and date).
INSERT OR REPLACE INTO progress_reports (project_id, report_date, status, progress_pct, spent_wan,
                                         funds_in_place_wan, batch_id, note)
VALUES ($project_id, $report_date, $status, $progress_pct, $spent_wan, $funds_in_place_wan, $batch_id, $note);

-- name: field_apply_update
-- The project's current state after a field update.
UPDATE projects
SET status = $status, progress_pct = $progress_pct, funds_in_place_wan = $funds_in_place_wan,
    spent_wan = $spent_wan, actual_start = $actual_start, actual_end = $actual_end,
    batch_id = $batch_id, updated_at = $updated_at
WHERE project_id = $project_id;

-- name: field_apply_edit
-- The editable fields of a project, all written at once (unchanged ones keep their value).
UPDATE projects
SET name = $name, category = $category, county = $county, town = $town, village = $village,
    town_code = $town_code, village_code = $village_code, lon = $lon, lat = $lat,
    location_precision = $location_precision, budget_wan = $budget_wan, plan_start = $plan_start,
    plan_end = $plan_end, actual_start = $actual_start, actual_end = $actual_end, scale_qty = $scale_qty,
    scale_unit = $scale_unit, assisting_unit = $assisting_unit, responsible_unit = $responsible_unit,
    batch_id = $batch_id, updated_at = $updated_at
WHERE project_id = $project_id;

-- name: field_town_code
-- The gazetteer code of a county's town (NULL when it is not in the gazetteer).
SELECT town_code FROM towns WHERE county = $county AND town = $town;

-- name: field_village_code
-- The gazetteer code of a village of a town, matched by its stem (石径村 = 石径村委会).
SELECT v.village_code
FROM villages AS v JOIN towns AS t ON t.town_code = v.town_code
WHERE t.county = $county AND t.town = $town AND v.village_stem = $stem
ORDER BY v.village_code
LIMIT 1;

-- name: field_insert_photo
-- One site photo of a field update.
INSERT INTO project_photos (project_id, sha256, ext, taken_at, lon, lat, outside_county, uploaded_by,
                            uploaded_at, caption, report_date, batch_id, width, height, bytes)
VALUES ($project_id, $sha256, $ext, $taken_at, $lon, $lat, $outside_county, $uploaded_by,
        $uploaded_at, $caption, $report_date, $batch_id, $width, $height, $bytes);

-- name: field_project_photos
-- The photos of a project whose batch still stands, by report date (earliest first), then time taken.
SELECT ph.project_id, ph.sha256, ph.ext, ph.taken_at, ph.lon, ph.lat, ph.outside_county, ph.uploaded_by,
       ph.uploaded_at, ph.caption, ph.report_date, ph.batch_id, ph.width, ph.height, ph.bytes
FROM project_photos AS ph
JOIN import_batches AS b ON b.batch_id = ph.batch_id
WHERE ph.project_id = $project_id AND b.state = 'committed'
ORDER BY ph.report_date, ph.taken_at NULLS LAST, ph.uploaded_at, ph.sha256;

-- name: field_photo
-- One standing photo of a project by its sha256.
SELECT ph.project_id, ph.sha256, ph.ext, ph.taken_at, ph.lon, ph.lat, ph.outside_county, ph.report_date
FROM project_photos AS ph
JOIN import_batches AS b ON b.batch_id = ph.batch_id
WHERE ph.project_id = $project_id AND ph.sha256 = $sha256 AND b.state = 'committed'
LIMIT 1;

-- name: field_latest_photos
-- The newest standing photos of the filtered projects, one row per photo, newest report first
-- (for the deck, the report and the map panel).
SELECT ph.project_id, p.name, p.county, p.town, p.village, ph.sha256, ph.ext, ph.taken_at, ph.lon, ph.lat,
       ph.outside_county, ph.caption, ph.report_date, ph.uploaded_by
FROM project_photos AS ph
JOIN import_batches AS b ON b.batch_id = ph.batch_id
JOIN flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of,
                      flags := $flags) AS p
  ON p.project_id = ph.project_id
WHERE b.state = 'committed'
ORDER BY ph.report_date DESC, ph.taken_at DESC NULLS LAST, ph.uploaded_at DESC, ph.project_id, ph.sha256
LIMIT $limit;

-- name: field_all_photo_files
-- Every stored photo file (sha256 and extension), standing or not: backups copy them all.
SELECT DISTINCT sha256, ext FROM project_photos ORDER BY sha256;
