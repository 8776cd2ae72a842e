-- Progress history and the rollup kept current at every write.

-- name: rebuild_progress_latest
-- Recompute the whole progress rollup from the reports.
DELETE FROM progress_latest;
INSERT INTO progress_latest
SELECT project_id,
       count(*) AS report_count,
       min(report_date) AS first_report_date,
       max(report_date) AS last_report_date,
       arg_max(progress_pct, report_date) AS last_progress_pct,
       list(progress_pct ORDER BY report_date DESC)[2] AS prev_progress_pct,
       list(progress_pct ORDER BY report_date DESC)[4] AS progress_3_back_pct
FROM progress_reports
GROUP BY project_id;

-- name: delete_progress_latest_for
-- Drop the rollup rows of the projects in the registered frame changed_ids.
DELETE FROM progress_latest WHERE project_id IN (SELECT project_id FROM changed_ids);

-- name: insert_progress_latest_for
-- Recompute the rollup rows of the projects in the registered frame changed_ids.
INSERT INTO progress_latest
SELECT project_id,
       count(*),
       min(report_date),
       max(report_date),
       arg_max(progress_pct, report_date),
       list(progress_pct ORDER BY report_date DESC)[2],
       list(progress_pct ORDER BY report_date DESC)[4]
FROM progress_reports
WHERE project_id IN (SELECT project_id FROM changed_ids)
GROUP BY project_id;

-- name: project_history
-- Every progress report of one project, oldest first.
SELECT report_date, status, progress_pct, spent_wan, funds_in_place_wan, batch_id
FROM progress_reports
WHERE project_id = $project_id
ORDER BY report_date;

-- name: monthly_trend
-- Per month: projects started and finished among the filtered ones (from their actual dates).
WITH f AS (
    SELECT actual_start, actual_end, status
    FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
),
started AS (
    SELECT date_trunc('month', actual_start) AS month, count(*) AS n
    FROM f WHERE actual_start IS NOT NULL GROUP BY 1
),
finished AS (
    SELECT date_trunc('month', actual_end) AS month, count(*) AS n
    FROM f WHERE actual_end IS NOT NULL AND status IN ('completed', 'accepted') GROUP BY 1
)
SELECT CAST(coalesce(s.month, e.month) AS DATE) AS month,
       coalesce(s.n, 0) AS started,
       coalesce(e.n, 0) AS finished
FROM started AS s FULL OUTER JOIN finished AS e ON s.month = e.month
ORDER BY month;
