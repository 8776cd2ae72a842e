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
    prev_report_date DATE
);

-- name: add_project_rollup_columns
-- Schema 2: databases made by schema 1 get the rollup columns (filled by the migration).
ALTER TABLE projects ADD COLUMN IF NOT EXISTS report_count INTEGER;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_report_date DATE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS last_progress_pct DOUBLE;
ALTER TABLE projects ADD COLUMN IF NOT EXISTS progress_3_back_pct DOUBLE;
-- Schema 3: the report date before the last, so "since the previous report" needs no scan of reports.
ALTER TABLE projects ADD COLUMN IF NOT EXISTS prev_report_date DATE;

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
    prev_report_date DATE
);

-- name: add_progress_latest_columns
-- Schema 3: the report date before the last.
ALTER TABLE progress_latest ADD COLUMN IF NOT EXISTS prev_report_date DATE;

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

-- name: create_filtered_projects
-- The one filter used by every query. Empty lists and '' mean "no restriction".
-- Places are keyed county/town(/village) because names repeat across counties.
CREATE OR REPLACE MACRO filtered_projects(
    counties, towns, villages, categories, statuses, years, sources, keyword
) AS TABLE
SELECT p.*
FROM projects AS p
WHERE (len(counties) = 0 OR list_contains(counties, p.county))
  AND (len(towns) = 0 OR list_contains(towns, concat_ws('/', p.county, p.town)))
  AND (len(villages) = 0 OR list_contains(villages, concat_ws('/', p.county, p.town, p.village)))
  AND (len(categories) = 0 OR list_contains(categories, p.category))
  AND (len(statuses) = 0 OR list_contains(statuses, p.status))
  AND (len(years) = 0 OR list_contains(years, p.year))
  AND (len(sources) = 0
       OR (list_contains(sources, 'central') AND coalesce(p.fund_central_wan, 0) > 0)
       OR (list_contains(sources, 'provincial') AND coalesce(p.fund_provincial_wan, 0) > 0)
       OR (list_contains(sources, 'city') AND coalesce(p.fund_city_wan, 0) > 0)
       OR (list_contains(sources, 'county') AND coalesce(p.fund_county_wan, 0) > 0)
       OR (list_contains(sources, 'assistance') AND coalesce(p.fund_assistance_wan, 0) > 0)
       OR (list_contains(sources, 'social') AND coalesce(p.fund_social_wan, 0) > 0))
  AND (keyword = ''
       OR contains(lower(p.name), lower(keyword))
       OR contains(lower(coalesce(p.description, '')), lower(keyword))
       OR contains(coalesce(p.village, ''), keyword)
       OR contains(p.project_id, keyword));

-- name: create_flagged_projects
-- Filtered projects with the derived flags: late (past plan_end, not finished) and
-- stalled (in progress, no gain over the last three reports). Never stored.
CREATE OR REPLACE MACRO flagged_projects(
    counties, towns, villages, categories, statuses, years, sources, keyword, as_of
) AS TABLE
SELECT f.*,
       coalesce(f.plan_end < as_of AND f.status NOT IN ('completed', 'accepted'), false) AS is_late,
       coalesce(f.status = 'in_progress' AND f.report_count >= 4
                AND f.last_progress_pct <= f.progress_3_back_pct, false) AS is_stalled
FROM filtered_projects(counties, towns, villages, categories, statuses, years, sources, keyword) AS f;

-- name: create_placed_projects
-- Flagged projects with the position the map draws: their own coordinates, else their town's
-- gazetteer point. `placement` says how precise that is: exact / village / town / county as
-- stored, 'none' for a fallback to the town point, 'unplaced' when nothing can be drawn.
CREATE OR REPLACE MACRO placed_projects(
    counties, towns, villages, categories, statuses, years, sources, keyword, as_of
) AS TABLE
SELECT f.*,
       coalesce(f.lon, t.lon) AS draw_lon,
       coalesce(f.lat, t.lat) AS draw_lat,
       CASE
           WHEN f.lon IS NOT NULL AND f.lat IS NOT NULL
                AND f.location_precision IN ('exact', 'village', 'town', 'county') THEN f.location_precision
           WHEN f.lon IS NOT NULL AND f.lat IS NOT NULL THEN 'none'
           WHEN t.lon IS NOT NULL THEN 'none'
           ELSE 'unplaced'
       END AS placement
FROM flagged_projects(counties, towns, villages, categories, statuses, years, sources, keyword, as_of) AS f
LEFT JOIN towns AS t ON t.county = f.county AND t.town = f.town;
