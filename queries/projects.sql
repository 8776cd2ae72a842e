-- Questions about the filtered projects. Every query reads from the one filter macro.

-- name: grouped_places
-- One scan of the filtered projects per county key and town key, with every sum the headline
-- numbers, the town ranking and the county, town, source and flag facets need (they add these rows up).
-- count_if costs less than count(*) FILTER here (about a quarter of the pass at 1M); it gives a
-- HUGEINT, cast back to BIGINT.
SELECT county_key, town_key,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(funds_in_place_wan), 0) AS funds_in_place_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       CAST(count_if(is_started) AS BIGINT) AS started,
       CAST(count_if(is_finished) AS BIGINT) AS finished,
       CAST(count_if(is_late) AS BIGINT) AS late,
       CAST(count_if(is_stalled) AS BIGINT) AS stalled,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries,
       CAST(coalesce(sum(beneficiary_households), 0) AS BIGINT) AS households,
       CAST(count_if(fund_central_wan > 0) AS BIGINT) AS source_central,
       CAST(count_if(fund_provincial_wan > 0) AS BIGINT) AS source_provincial,
       CAST(count_if(fund_city_wan > 0) AS BIGINT) AS source_city,
       CAST(count_if(fund_county_wan > 0) AS BIGINT) AS source_county,
       CAST(count_if(fund_assistance_wan > 0) AS BIGINT) AS source_assistance,
       CAST(count_if(fund_social_wan > 0) AS BIGINT) AS source_social
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY county_key, town_key;

-- name: grouped_facets
-- The other facet counts (projects per village key, category, status and year) in one scan: a row
-- per value, grouping_set naming the column. Counts only: GROUPING SETS compute every aggregate
-- for every set, and sums there cost more than the scan.
SELECT CASE WHEN GROUPING(village_key) = 0 THEN 'village_key'
            WHEN GROUPING(category) = 0 THEN 'category'
            WHEN GROUPING(status) = 0 THEN 'status'
            ELSE 'year' END AS grouping_set,
       village_key, category, status, year,
       count(*) AS projects
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY GROUPING SETS ((village_key), (category), (status), (year));

-- name: by_category
-- Count, money and beneficiaries per category.
SELECT category,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries,
       count(*) FILTER (WHERE is_finished) AS finished
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY category;

-- name: by_status
-- Count and money per status.
SELECT status,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY status;

-- name: attention
-- Late or stalled projects, the largest first. The sort and limit run on the keys alone; the columns
-- shown (the stored town key too: carried through the sort it cost 4x at 10M) are fetched for the
-- rows kept only (late materialisation).
WITH top AS (
    SELECT project_id, is_late, is_stalled, budget_wan
    FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
    WHERE is_late OR is_stalled
    ORDER BY is_late DESC, budget_wan DESC NULLS LAST, project_id
    LIMIT $limit
)
SELECT p.project_id, p.name, p.county, p.town, p.village, p.town_key, p.category, p.status, p.progress_pct,
       p.plan_end, p.last_report_date, p.budget_wan, top.is_late, top.is_stalled
FROM top JOIN projects AS p USING (project_id)
ORDER BY top.is_late DESC, top.budget_wan DESC NULLS LAST, p.project_id;

-- name: project_table
-- The filtered projects for the table and exports, by project code (up to $limit rows).
-- Ordering by the code keeps the top-N cheap at a million rows; the table sorts in the browser.
SELECT project_id, name, county, town, village, category, subcategory, area, nature, description,
       scale_qty, scale_unit, budget_wan, funds_in_place_wan, spent_wan,
       fund_central_wan, fund_provincial_wan, fund_city_wan, fund_county_wan,
       fund_assistance_wan, fund_social_wan,
       status, progress_pct, plan_start, plan_end, actual_start, actual_end,
       beneficiaries, beneficiary_households, year, lon, lat, location_precision,
       assisting_unit, team, responsible_unit, responsible_person, notes,
       is_late, is_stalled, last_report_date, updated_at, county_key, town_key, batch_id
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
ORDER BY project_id
LIMIT $limit;

-- name: project_detail
-- One project with its place keys and derived flags (the same columns every query reads).
SELECT *
FROM project_flags($as_of)
WHERE project_id = $project_id;

-- name: insert_projects_frame
-- Append the rows of the registered frame new_projects (columns by name).
INSERT INTO projects BY NAME SELECT * FROM new_projects;

-- name: insert_reports_frame
-- Append the rows of the registered frame new_reports (columns by name).
INSERT INTO progress_reports BY NAME SELECT * FROM new_reports;

-- name: clear_library
-- Remove every project, report, photo record and import record (the gazetteer stays; photo files stay on disk).
DELETE FROM project_photos;
DELETE FROM project_versions;
DELETE FROM import_batches;
DELETE FROM progress_latest;
DELETE FROM progress_reports;
DELETE FROM projects;
