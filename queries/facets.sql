-- Facet counts for the sidebar, one question each. Each is run with its own facet cleared from
-- the filters, so the counts say what choosing a value would give. views.facet_counts asks these
-- only when the facet's own filter is set; otherwise the page's grouped passes (grouped_places,
-- grouped_facets) already hold the counts (tests/test_grouped_pass.py checks both agree).

-- name: facet_county
-- Projects per county key ('_unplaced': no county, or one outside the gazetteer).
SELECT county_key AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY county_key ORDER BY n DESC, value;

-- name: facet_town
-- Projects per town key, county/town ('_unplaced': no town, or a place outside the gazetteer).
SELECT town_key AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY town_key ORDER BY n DESC, value;

-- name: facet_village
-- Projects per village key, county/town/village, of projects placed in a gazetteer town.
SELECT village_key AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE village_key IS NOT NULL
GROUP BY village_key ORDER BY n DESC, value;

-- name: facet_category
-- Projects per category.
SELECT category AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY category ORDER BY n DESC, value;

-- name: facet_status
-- Projects per status.
SELECT status AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY status ORDER BY n DESC, value;

-- name: facet_year
-- Projects per year.
SELECT CAST(year AS VARCHAR) AS value, count(*) AS n
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
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
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags);

-- name: facet_flag
-- Late and stalled projects (one row, a column per flag).
SELECT count(*) FILTER (WHERE is_late) AS late,
       count(*) FILTER (WHERE is_stalled) AS stalled
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags);
