-- Field updates, edits and site photos (issue 12). Statements run in order by store.migrate()
-- after schema.sql and accounts_schema.sql; each is idempotent.

-- name: add_batch_kind
-- Schema 5: what made a batch: 'import' (a spreadsheet), 'field_update' (更新进展) or 'field_edit' (a field edit).
ALTER TABLE import_batches ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'import';

-- name: add_report_note
-- Schema 5: the short note a field update carries with its report.
ALTER TABLE progress_reports ADD COLUMN IF NOT EXISTS note VARCHAR;

-- name: create_project_photos
-- Site photos. The files live beside the database under photos/, named by sha256; never in DuckDB.
-- A photo belongs to the batch (field update) that brought it: undoing the batch hides it.
CREATE TABLE IF NOT EXISTS project_photos (
    project_id VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    ext VARCHAR NOT NULL,
    taken_at TIMESTAMP,
    lon DOUBLE,                -- WGS-84, from the photo's EXIF GPS
    lat DOUBLE,
    outside_county BOOLEAN,    -- the GPS point lies outside the project's county
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    caption VARCHAR,
    report_date DATE,
    batch_id VARCHAR NOT NULL,
    width INTEGER,
    height INTEGER,
    bytes BIGINT,
    PRIMARY KEY (project_id, sha256, batch_id)
);
