-- Progress history and the rollup kept current at every write.

-- name: clear_progress_latest
-- Empty the progress rollup before it is rebuilt part by part (store.refresh_progress_latest).
DELETE FROM progress_latest;

-- name: count_reports
-- How many progress reports there are (the full rebuild's part count follows it).
SELECT count(*) FROM progress_reports;

-- name: pick_rollup_part
-- The projects with reports in part $part of $parts (by a hash of the id), as the table changed_ids that
-- insert_progress_latest_for reads: the full rebuild groups a part at a time, since grouping 24 million
-- reports at once needs more than the store's 2 GB memory limit.
CREATE OR REPLACE TEMP TABLE changed_ids AS
SELECT DISTINCT project_id FROM progress_reports WHERE hash(project_id) % $parts = $part;

-- name: drop_rollup_part
-- Drop the part's id table (pick_rollup_part).
DROP TABLE IF EXISTS temp.changed_ids;

-- name: delete_progress_latest_for
-- Drop the rollup rows of the projects in the registered frame changed_ids.
DELETE FROM progress_latest WHERE project_id IN (SELECT project_id FROM changed_ids);

-- name: insert_progress_latest_for
-- Recompute the rollup rows of the projects in the registered frame changed_ids.
INSERT INTO progress_latest BY NAME
SELECT * FROM progress_rollup('changed_ids');

-- name: sync_project_rollups
-- Copy the rollup into the projects' own columns where it differs (and clear it where a
-- project has no report any more): the filter macro then reads one table.
UPDATE projects AS p
SET report_count = l.report_count, last_report_date = l.last_report_date, last_progress_pct =
    l.last_progress_pct, progress_3_back_pct = l.progress_3_back_pct, prev_report_date = l.prev_report_date,
    prev_progress_pct = l.prev_progress_pct, last_status = l.last_status, prev_status = l.prev_status,
    last_spent_wan = l.last_spent_wan, prev_spent_wan = l.prev_spent_wan
FROM progress_latest AS l
WHERE p.project_id = l.project_id
  AND (p.report_count IS DISTINCT FROM l.report_count
       OR p.last_report_date IS DISTINCT FROM l.last_report_date
       OR p.last_progress_pct IS DISTINCT FROM l.last_progress_pct
       OR p.progress_3_back_pct IS DISTINCT FROM l.progress_3_back_pct
       OR p.prev_report_date IS DISTINCT FROM l.prev_report_date
       OR p.prev_progress_pct IS DISTINCT FROM l.prev_progress_pct
       OR p.last_status IS DISTINCT FROM l.last_status
       OR p.prev_status IS DISTINCT FROM l.prev_status
       OR p.last_spent_wan IS DISTINCT FROM l.last_spent_wan
       OR p.prev_spent_wan IS DISTINCT FROM l.prev_spent_wan);
UPDATE projects
SET report_count = NULL, last_report_date = NULL, last_progress_pct = NULL, progress_3_back_pct = NULL,
    prev_report_date = NULL, prev_progress_pct = NULL, last_status = NULL, prev_status = NULL, last_spent_wan
    = NULL, prev_spent_wan = NULL
WHERE report_count IS NOT NULL AND project_id NOT IN (SELECT project_id FROM progress_latest);
UPDATE projects AS p
SET place_report_date = d.place_date
FROM (SELECT county, town, max(last_report_date) AS place_date FROM projects GROUP BY ALL) AS d
WHERE d.county IS NOT DISTINCT FROM p.county AND d.town IS NOT DISTINCT FROM p.town
  AND p.place_report_date IS DISTINCT FROM d.place_date;

-- name: project_history
-- Every progress report of one project, oldest first.
SELECT report_date, status, progress_pct, spent_wan, funds_in_place_wan, batch_id
FROM progress_reports
WHERE project_id = $project_id
ORDER BY report_date;

-- name: monthly_trend
-- Per month: projects started and finished among the filtered ones (from their actual dates). One
-- scan: the projects are counted per (start day, finish day) pair first, and only those pairs are
-- cut to months (date_trunc on every row cost half the query at 1M), then summed per month.
WITH days AS (
    SELECT actual_start AS start_day, CASE WHEN is_finished THEN actual_end END AS finish_day, count(*) AS n
    FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
    WHERE actual_start IS NOT NULL OR (actual_end IS NOT NULL AND is_finished)
    GROUP BY ALL
),
pairs AS (
    SELECT date_trunc('month', start_day) AS start_month, date_trunc('month', finish_day) AS finish_month, n FROM days
)
SELECT CAST(month AS DATE) AS month, CAST(sum(started) AS BIGINT) AS started, CAST(sum(finished) AS BIGINT) AS finished
FROM (
    SELECT start_month AS month, n AS started, 0 AS finished FROM pairs WHERE start_month IS NOT NULL
    UNION ALL
    SELECT finish_month, 0, n FROM pairs WHERE finish_month IS NOT NULL
)
GROUP BY month
ORDER BY month;
