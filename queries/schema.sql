-- The database schema. Statements run in order by store.migrate(); each is idempotent.
-- Bump SCHEMA_VERSION in portfolio/store.py when a statement is added.

-- name: create_meta
-- Key/value facts about the database: schema version, data version, demo flag, data date.
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- name: create_towns
-- Reference gazetteer of townships with a WGS-84 point (town seat).
CREATE TABLE IF NOT EXISTS towns (
    town_code VARCHAR PRIMARY KEY,
    county_code VARCHAR NOT NULL,
    county VARCHAR NOT NULL,
    town VARCHAR NOT NULL,
    town_type VARCHAR,
    lon DOUBLE,
    lat DOUBLE
);

-- name: create_villages
-- Reference list of village-level units; village_stem drops 村委会/居委会 for matching.
CREATE TABLE IF NOT EXISTS villages (
    village_code VARCHAR PRIMARY KEY,
    village VARCHAR NOT NULL,
    village_stem VARCHAR NOT NULL,
    town_code VARCHAR NOT NULL,
    county_code VARCHAR NOT NULL
);

-- name: create_projects
-- One row per project-library entry: its current state. Money in 万元, coordinates WGS-84.
CREATE TABLE IF NOT EXISTS projects (
    project_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    county VARCHAR,
    town VARCHAR,
    village VARCHAR,
    town_code VARCHAR,
    village_code VARCHAR,
    category VARCHAR NOT NULL DEFAULT 'other',
    subcategory VARCHAR,
    area VARCHAR,
    nature VARCHAR,
    description VARCHAR,
    scale_qty DOUBLE,
    scale_unit VARCHAR,
    budget_wan DOUBLE,
    funds_in_place_wan DOUBLE,
    spent_wan DOUBLE,
    fund_central_wan DOUBLE,
    fund_provincial_wan DOUBLE,
    fund_city_wan DOUBLE,
    fund_county_wan DOUBLE,
    fund_assistance_wan DOUBLE,
    fund_social_wan DOUBLE,
    status VARCHAR NOT NULL DEFAULT 'planned',
    progress_pct DOUBLE,
    plan_start DATE,
    plan_end DATE,
    actual_start DATE,
    actual_end DATE,
    beneficiaries BIGINT,
    beneficiary_households BIGINT,
    year INTEGER,
    lon DOUBLE,
    lat DOUBLE,
    location_precision VARCHAR NOT NULL DEFAULT 'none',
    assisting_unit VARCHAR,
    team VARCHAR,
    responsible_unit VARCHAR,
    responsible_person VARCHAR,
    notes VARCHAR,
    batch_id VARCHAR,
    updated_at TIMESTAMP,
    -- Copied from progress_latest at every write, so the filter macro needs no join.
    report_count INTEGER,
    last_report_date DATE,
    last_progress_pct DOUBLE,
    progress_3_back_pct DOUBLE,
    prev_report_date DATE,
    place_report_date DATE,
    -- Schema 8: the last two reports' status, progress and spending (copied from progress_latest),
    -- so "changes since the previous report" is one filtered scan.
    prev_progress_pct DOUBLE,
    last_status VARCHAR,
    prev_status VARCHAR,
    last_spent_wan DOUBLE,
    prev_spent_wan DOUBLE,
    -- Place keys kept current at every write (queries/place_keys.sql), so filters and groupings
    -- read stored values instead of joining the gazetteer and building strings per row.
    county_key VARCHAR,
    town_key VARCHAR,
    village_key VARCHAR,
    place_sig UBIGINT
);

-- name: add_project_rollup_columns
-- Schema 2: databases made by schema 1 get the rollup columns (filled by the migration).
ALTER TABLE projects ADD COLUMN IF NOT EXISTS report_count INTEGER;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_report_date DATE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_progress_pct DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS progress_3_back_pct DOUBLE;
-- Schema 3: the report date before the last, so "since the previous report" needs no scan of reports.
ALTER TABLE projects ADD COLUMN IF NOT EXISTS prev_report_date DATE;
-- Schema 6: the latest report date of the project's own town (county + town), so "late" is judged
-- against the town's own reporting: one town's upload never makes another town's projects late.
ALTER TABLE projects ADD COLUMN IF NOT EXISTS place_report_date DATE;
-- Schema 8: the last two reports' status, progress and spending (filled by the migration), and the
-- stored place keys (filled by sync_place_keys when the store opens, kept at every write).
ALTER TABLE projects ADD COLUMN IF NOT EXISTS prev_progress_pct DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_status VARCHAR;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS prev_status VARCHAR;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_spent_wan DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS prev_spent_wan DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS county_key VARCHAR;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS town_key VARCHAR;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS village_key VARCHAR;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS place_sig UBIGINT;
-- Schema 9: where the map draws each project (own coordinates, else its town's gazetteer point) and
-- how precisely, kept with the place keys by sync_place_keys (queries/place_keys.sql).
ALTER TABLE projects ADD COLUMN IF NOT EXISTS map_lon DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS map_lat DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS map_placement VARCHAR;

-- name: create_progress_reports
-- One row per project per report date; successive uploads build the history.
CREATE TABLE IF NOT EXISTS progress_reports (
    project_id VARCHAR NOT NULL,
    report_date DATE NOT NULL,
    status VARCHAR,
    progress_pct DOUBLE,
    spent_wan DOUBLE,
    funds_in_place_wan DOUBLE,
    batch_id VARCHAR,
    PRIMARY KEY (project_id, report_date)
);

-- name: create_progress_latest
-- Rollup kept current at every write: the latest report of each project and the
-- progress three reports earlier, so "stalled" never scans the whole history.
CREATE TABLE IF NOT EXISTS progress_latest (
    project_id VARCHAR PRIMARY KEY,
    report_count INTEGER NOT NULL,
    first_report_date DATE,
    last_report_date DATE,
    last_progress_pct DOUBLE,
    prev_progress_pct DOUBLE,
    progress_3_back_pct DOUBLE,
    prev_report_date DATE,
    -- Schema 8: the last two reports' status and spending, so "changes since the previous
    -- report" reads this rollup instead of joining the report history twice.
    last_status VARCHAR,
    prev_status VARCHAR,
    last_spent_wan DOUBLE,
    prev_spent_wan DOUBLE
);

-- name: add_progress_latest_columns
-- Schema 3: the report date before the last.
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS prev_report_date DATE;
-- Schema 8: the last two reports' status and spending (filled by the migration's rebuild).
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS last_status VARCHAR;
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS prev_status VARCHAR;
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS last_spent_wan DOUBLE;
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS prev_spent_wan DOUBLE;

-- name: create_import_batches
-- One row per import: what came in, from where, and whether it still stands.
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id VARCHAR PRIMARY KEY,
    file_name VARCHAR,
    sha256 VARCHAR,
    sheet VARCHAR,
    uploaded_by VARCHAR,
    uploaded_at TIMESTAMP,
    report_date DATE,
    rows_read INTEGER,
    inserted INTEGER,
    updated INTEGER,
    unchanged INTEGER,
    rejected INTEGER,
    mapping_json VARCHAR,
    state VARCHAR NOT NULL DEFAULT 'committed'
);

-- name: create_project_versions
-- Before-image of every project row an import changed (NULL row_json: it was inserted).
CREATE TABLE IF NOT EXISTS project_versions (
    batch_id VARCHAR NOT NULL,
    project_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    row_json VARCHAR,
    PRIMARY KEY (batch_id, project_id)
);

-- name: create_column_mappings
-- Column mappings confirmed by a user, remembered per header set.
CREATE TABLE IF NOT EXISTS column_mappings (
    header_key VARCHAR PRIMARY KEY,
    mapping_json VARCHAR NOT NULL,
    saved_at TIMESTAMP
);

-- name: create_indicator_macros
-- The indicators, each defined here once (tests check them against vocab.py):
-- 开工 started = 在建/已完工/已验收/暂停; 完工 finished = 已完工/已验收;
-- 逾期 late = past its plan_end on the data date and not finished;
-- 停滞 stalled = in progress with no gain over its last three reports (needs four reports).
CREATE OR REPLACE MACRO status_started(status) AS
    coalesce(status IN ('in_progress', 'completed', 'accepted', 'suspended'), false);
CREATE OR REPLACE MACRO status_finished(status) AS coalesce(status IN ('completed', 'accepted'), false);
CREATE OR REPLACE MACRO project_late(status, plan_end, as_of) AS
    coalesce(plan_end < as_of AND NOT status_finished(status), false);
CREATE OR REPLACE MACRO project_stalled(status, report_count, last_progress_pct, progress_3_back_pct) AS
    coalesce(status = 'in_progress' AND report_count >= 4 AND last_progress_pct <= progress_3_back_pct, false);

-- name: create_progress_rollup
-- The progress rollup (what progress_latest stores) of the projects listed in the table named
-- `ids_table` (any table with a project_id column), computed from their reports. A macro, not a
-- view: the project filter must apply before the grouping, or every report is grouped first.
DROP VIEW IF EXISTS progress_rollup;
CREATE OR REPLACE MACRO progress_rollup(ids_table) AS TABLE
SELECT project_id,
       count(*) AS report_count,
       min(report_date) AS first_report_date,
       max(report_date) AS last_report_date,
       arg_max(progress_pct, report_date) AS last_progress_pct,
       list(progress_pct ORDER BY report_date DESC)[2] AS prev_progress_pct,
       list(progress_pct ORDER BY report_date DESC)[4] AS progress_3_back_pct,
       list(report_date ORDER BY report_date DESC)[2] AS prev_report_date,
       arg_max(status, report_date) AS last_status,
       list(status ORDER BY report_date DESC)[2] AS prev_status,
       arg_max(spent_wan, report_date) AS last_spent_wan,
       list(spent_wan ORDER BY report_date DESC)[2] AS prev_spent_wan
FROM progress_reports
WHERE project_id IN (SELECT project_id FROM query_table(ids_table))
GROUP BY project_id;

-- name: create_project_flags
-- Every project with its place keys and its indicator columns on the reference date `as_of`
-- (NULL makes nothing late), unfiltered: the one place where is_started, is_finished, is_late and
-- is_stalled are defined as columns. The place keys (county_key, town_key, village_key) are stored
-- columns of projects, defined once in queries/place_keys.sql and kept current by Store.write.
-- Queries filter it with a WHERE composed by portfolio/sql.py from only the filters set (a fixed
-- list of clauses in portfolio/filters.py, values bound); the macros below apply every clause.
CREATE OR REPLACE MACRO project_flags(as_of) AS TABLE
SELECT p.* EXCLUDE (place_sig),
       status_started(p.status) AS is_started,
       status_finished(p.status) AS is_finished,
       -- Late is judged on the earlier of as_of and the project's own town's latest report date.
       project_late(p.status, p.plan_end,
                    CASE WHEN as_of IS NOT NULL THEN least(as_of, coalesce(p.place_report_date, as_of)) END)
           AS is_late,
       project_stalled(p.status, p.report_count, p.last_progress_pct, p.progress_3_back_pct) AS is_stalled
FROM projects AS p;

-- name: drop_placed_macros
-- Schema 9 stores each project's map position (queries/place_keys.sql), the one definition; the
-- per-query macros that computed it before are gone.
DROP MACRO TABLE IF EXISTS placed_projects;
DROP MACRO TABLE IF EXISTS placed_flags;

-- name: create_flagged_projects
-- project_flags narrowed by every filter at once (empty lists and '' mean "no restriction"), for
-- SQL written by hand and the literal calls below; named queries that read
-- flagged_projects($counties, ..., flags := $flags) run with only the clauses set (sql.bind),
-- and tests/test_filter_sql.py checks the two agree. `flags` ('late', 'stalled'): a project with
-- any of the chosen flags.
CREATE OR REPLACE MACRO flagged_projects(
    counties, towns, villages, categories, statuses, years, sources, keyword, as_of, flags := []
) AS TABLE
SELECT k.*
FROM project_flags(as_of) AS k
WHERE (len(counties) = 0 OR list_contains(counties, k.county_key))
  AND (len(towns) = 0 OR list_contains(towns, k.town_key))
  AND (len(villages) = 0 OR list_contains(villages, k.village_key))
  AND (len(categories) = 0 OR list_contains(categories, k.category))
  AND (len(statuses) = 0 OR list_contains(statuses, k.status))
  AND (len(years) = 0 OR list_contains(years, k.year))
  AND (len(sources) = 0
       OR (list_contains(sources, 'central') AND coalesce(k.fund_central_wan, 0) > 0)
       OR (list_contains(sources, 'provincial') AND coalesce(k.fund_provincial_wan, 0) > 0)
       OR (list_contains(sources, 'city') AND coalesce(k.fund_city_wan, 0) > 0)
       OR (list_contains(sources, 'county') AND coalesce(k.fund_county_wan, 0) > 0)
       OR (list_contains(sources, 'assistance') AND coalesce(k.fund_assistance_wan, 0) > 0)
       OR (list_contains(sources, 'social') AND coalesce(k.fund_social_wan, 0) > 0))
  AND (coalesce(keyword, '') = ''
       OR contains(lower(k.name), lower(keyword))
       OR contains(lower(coalesce(k.description, '')), lower(keyword))
       OR contains(coalesce(k.village, ''), keyword)
       OR contains(k.project_id, keyword))
  AND (len(coalesce(flags, [])) = 0
       OR (list_contains(flags, 'late') AND k.is_late)
       OR (list_contains(flags, 'stalled') AND k.is_stalled));

-- name: create_filtered_projects
-- flagged_projects without a reference date (nothing is late), for callers that need no flags.
CREATE OR REPLACE MACRO filtered_projects(
    counties, towns, villages, categories, statuses, years, sources, keyword
) AS TABLE
SELECT * EXCLUDE (is_late, is_stalled)
FROM flagged_projects(counties, towns, villages, categories, statuses, years, sources, keyword, NULL);
