-- Questions the town page (镇村画像) and the meeting pack ask.

-- name: by_village
-- Per village of the filtered projects: count, investment, started and finished.
SELECT county, town, town_key, coalesce(village, '') AS village,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       count(*) FILTER (WHERE is_late) AS late,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY county, town, town_key, village
ORDER BY county NULLS LAST, town NULLS LAST, budget_wan DESC;

-- name: teams
-- The town teams and assisting units behind the filtered projects.
SELECT county, town, team, assisting_unit, count(*) AS projects
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE team IS NOT NULL OR assisting_unit IS NOT NULL
GROUP BY county, town, team, assisting_unit
ORDER BY county, town;

-- name: last_two_report_dates
-- The latest report date among the filtered projects and the one before it, from the rollup
-- columns: a project's largest date before the latest is its last or, if its last is the
-- latest, its previous one.
WITH f AS (
    SELECT last_report_date, prev_report_date
    FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
    WHERE last_report_date IS NOT NULL
),
latest AS (SELECT max(last_report_date) AS d FROM f)
SELECT latest.d AS latest,
       max(CASE WHEN f.last_report_date < latest.d THEN f.last_report_date ELSE f.prev_report_date END) AS previous
FROM f, latest
GROUP BY latest.d;

-- name: changes_between_reports
-- What the projects reported on $latest changed since each one's own report before it, among the
-- filtered projects, from the progress rollup copied onto each project (its last two reports'
-- status, progress and spending), so the report history is not read. Towns upload on different
-- days and a phone update dates one project only, so a project is never compared with a row of
-- another day it has no report on. (The page's "previous" date is the newest report date before
-- $latest of any filtered project, so every project's report before is on or before it.)
SELECT
    CAST(count_if(prev_report_date IS NULL) AS BIGINT) AS new_projects,
    CAST(count_if(status_finished(last_status) AND NOT status_finished(prev_status)) AS BIGINT) AS newly_completed,
    CAST(count_if(last_status = 'in_progress' AND NOT status_started(coalesce(prev_status, 'planned'))) AS BIGINT)
        AS newly_started,
    coalesce(sum(greatest(last_progress_pct - coalesce(prev_progress_pct, 0), 0)), 0) AS progress_points_gained,
    coalesce(avg(last_progress_pct - coalesce(prev_progress_pct, 0)), 0) AS avg_progress_gain,
    coalesce(sum(greatest(coalesce(last_spent_wan, 0) - coalesce(prev_spent_wan, 0), 0)), 0) AS spent_wan_delta,
    count(*) AS reported
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE last_report_date = $latest;

-- name: counties_of_town
-- The counties whose projects name a town (town names repeat across counties).
SELECT DISTINCT county FROM projects WHERE town = $town
UNION
SELECT DISTINCT county FROM towns WHERE town = $town;
