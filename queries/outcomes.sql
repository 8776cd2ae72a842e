-- Village indicators (issue 17): catalogue, values, and the reads the views make. Place filters use
-- the same county / county-town / county-town-village keys as filtered_projects.

-- name: outcomes_clear_catalogue
-- Forget the stored catalogue before writing the current one.
DELETE FROM indicators;

-- name: outcomes_insert_catalogue
-- Store the catalogue from the registered frame catalogue_rows.
INSERT INTO indicators (code, name_zh, name_en, unit, kind, higher_is_better, categories, base_unit, tiers, sort_order)
SELECT code, name_zh, name_en, unit, kind, higher_is_better, categories, base_unit, tiers, sort_order
FROM catalogue_rows;

-- name: outcomes_clear_values
-- Remove every indicator value (the demo build replaces the whole library).
DELETE FROM indicator_values;

-- name: outcomes_insert_values
-- Add the rows of the registered frame value_rows (one batch's values).
INSERT INTO indicator_values (batch_id, place_code, level, county, town, village, town_code, indicator, period,
                              value, numerator, denominator, households, target, target_year)
SELECT batch_id, place_code, level, county, town, village, town_code, indicator, period,
       value, numerator, denominator, households, target, target_year
FROM value_rows;

-- name: outcomes_values
-- The standing values of the places in the filter ($counties, $towns as county/town keys, $villages as
-- county/town/village keys; empty lists: all), every period, or one indicator when $indicator is set.
-- Unordered: callers group or sort what they need (a sort here cost more than the window itself).
SELECT place_code, level, county, town, village, town_code, concat_ws('/', county, town) AS town_key,
       indicator, period, value, numerator, denominator, households, target, target_year, batch_id
FROM indicator_current()
WHERE (len($counties) = 0 OR list_contains($counties, county))
  AND (len($towns) = 0 OR list_contains($towns, concat_ws('/', county, town)))
  AND (len($villages) = 0 OR list_contains($villages, concat_ws('/', county, town, village)))
  AND ($indicator IS NULL OR indicator = $indicator);

-- name: outcomes_stored_for
-- The standing values for the (place_code, indicator, period) keys of the registered frame value_keys.
SELECT c.place_code, c.indicator, c.period, c.value, c.numerator, c.denominator, c.households, c.target,
       c.target_year
FROM indicator_current() AS c
JOIN value_keys AS k ON k.place_code = c.place_code AND k.indicator = c.indicator AND k.period = c.period;

-- name: outcomes_insert_batch
-- Record an indicator import as a batch of kind 'indicators' (listed with the project imports).
INSERT INTO import_batches (batch_id, file_name, sha256, sheet, uploaded_by, uploaded_at, report_date,
                            rows_read, inserted, updated, unchanged, rejected, mapping_json, state, kind)
VALUES ($batch_id, $file_name, $sha256, $sheet, $uploaded_by, $uploaded_at, $report_date,
        $rows_read, $inserted, $updated, $unchanged, $rejected, $mapping_json, 'committed', 'indicators');

-- name: outcomes_batch
-- One batch by id with its kind.
SELECT batch_id, file_name, state, coalesce(kind, 'import') AS kind FROM import_batches WHERE batch_id = $batch_id;

-- name: outcomes_batch_places
-- Every county/town an indicator batch wrote values for.
SELECT DISTINCT county, town FROM indicator_values WHERE batch_id = $batch_id;

-- name: outcomes_batch_value_count
-- How many values an indicator batch wrote.
SELECT count(*) FROM indicator_values WHERE batch_id = $batch_id;

-- name: outcomes_periods
-- The periods holding standing values, latest first.
SELECT DISTINCT period FROM indicator_current() ORDER BY period DESC;

-- name: outcomes_moving_projects
-- The unfinished projects of the filter whose category moves an indicator ($moving_categories), with their
-- village and expected completion (plan_end): the work under way or planned that should close a gap.
SELECT project_id, name, county, town, village, village_code, category, status, progress_pct, plan_end, is_late
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
WHERE NOT is_finished AND list_contains($moving_categories, category)
ORDER BY plan_end NULLS LAST, county, town, village, project_id;
