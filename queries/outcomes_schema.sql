-- Village indicators (issue 17): the outcome rates the programme is judged by. Statements run in
-- order by store.migrate() after schema.sql, accounts_schema.sql and field_schema.sql; each is idempotent.

-- name: create_indicators
-- The indicator catalogue as last written (standard set plus a city's own, see portfolio/outcomes/catalogue.py).
-- kind: rate (numerator / denominator), count, area (亩), money (万元) or tier (an ordered category).
CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    higher_is_better BOOLEAN NOT NULL DEFAULT true,
    categories VARCHAR[] NOT NULL DEFAULT [],
    base_unit VARCHAR,          -- what a rate counts: 户, 个 (自然村), 公里
    tiers VARCHAR[] NOT NULL DEFAULT [],
    sort_order INTEGER NOT NULL DEFAULT 0
);

-- name: create_indicator_values
-- One value of one indicator for one place and period, as one batch wrote it. Rows are never
-- updated: a later batch adds rows, undo marks its batch undone, and the current value of a
-- (place, indicator, period) is the one of the latest batch still standing (indicator_current).
-- place_code is the village code, or the town code where only a town figure exists (level 'town').
-- value: the percentage for rates (0-100), the number for counts/areas/money, the tier's rank for tiers.
CREATE TABLE IF NOT EXISTS indicator_values (
    batch_id VARCHAR NOT NULL,
    place_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,     -- village / town
    county VARCHAR,
    town VARCHAR,
    village VARCHAR,
    town_code VARCHAR,
    indicator VARCHAR NOT NULL,
    period DATE NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    households DOUBLE,          -- the place's households: the weight when only a percentage is given
    target DOUBLE,
    target_year INTEGER,
    PRIMARY KEY (batch_id, place_code, indicator, period)
);

-- name: indicator_current_macro
-- The standing value of every (place, indicator, period): the latest committed batch's row. Demo rows
-- (batch 'demo') count only while the database is a demo, so a first real import hides them as it
-- removes the demo projects; an imported batch outranks the demo's rows.
CREATE OR REPLACE MACRO indicator_current() AS TABLE
SELECT v.* EXCLUDE (rn)
FROM (
    SELECT v.*, row_number() OVER (PARTITION BY v.place_code, v.indicator, v.period
                              ORDER BY (v.batch_id <> 'demo') DESC, v.batch_id DESC) AS rn
    FROM indicator_values AS v
    LEFT JOIN import_batches AS b ON b.batch_id = v.batch_id
    WHERE (v.batch_id = 'demo' AND coalesce((SELECT value FROM meta WHERE key = 'is_demo'), '0') = '1')
       OR b.state = 'committed'
) AS v
WHERE rn = 1;
