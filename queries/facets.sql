-- Facet counts for the sidebar. Each is run with its own facet cleared from the
-- filters, so the counts say what choosing a value would give.

-- name: facet_county
-- Projects per county.
SELECT county AS value, count(*) AS n
FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
WHERE county IS NOT NULL
GROUP BY county ORDER BY n DESC, value;

-- name: facet_town
-- Projects per town, keyed county/town (grouped first: the key is built per town, not per row).
SELECT concat_ws('/', county, town) AS value, n
FROM (
    SELECT county, town, count(*) AS n
    FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
    WHERE town IS NOT NULL
    GROUP BY county, town
)
ORDER BY n DESC, value;

-- name: facet_village
-- Projects per village, keyed county/town/village (grouped first, like facet_town).
SELECT concat_ws('/', county, town, village) AS value, n
FROM (
    SELECT county, town, village, count(*) AS n
    FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
    WHERE village IS NOT NULL AND town IS NOT NULL
    GROUP BY county, town, village
)
ORDER BY n DESC, value;

-- name: facet_category
-- Projects per category.
SELECT category AS value, count(*) AS n
FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
GROUP BY category ORDER BY n DESC;

-- name: facet_status
-- Projects per status.
SELECT status AS value, count(*) AS n
FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
GROUP BY status ORDER BY n DESC;

-- name: facet_year
-- Projects per year.
SELECT CAST(year AS VARCHAR) AS value, count(*) AS n
FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword)
WHERE year IS NOT NULL
GROUP BY year ORDER BY year DESC;

-- name: facet_source
-- Projects that draw on each funding source: one row, a column per source code.
SELECT count(*) FILTER (WHERE fund_central_wan > 0) AS central,
       count(*) FILTER (WHERE fund_provincial_wan > 0) AS provincial,
       count(*) FILTER (WHERE fund_city_wan > 0) AS city,
       count(*) FILTER (WHERE fund_county_wan > 0) AS county,
       count(*) FILTER (WHERE fund_assistance_wan > 0) AS assistance,
       count(*) FILTER (WHERE fund_social_wan > 0) AS social
FROM filtered_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword);
