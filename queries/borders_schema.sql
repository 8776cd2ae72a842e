-- Town boundaries (schema 9): the city's own town polygons, loaded by an admin
-- (portfolio/town_borders.py). Run by store.migrate() after the other schema files; idempotent.

-- name: create_town_borders
-- One row per town with a boundary: WGS-84 GeoJSON (Polygon or MultiPolygon), simplified to about 30 m.
-- A later load replaces the towns it contains; the others keep their lines.
CREATE TABLE IF NOT EXISTS town_borders (
    town_code VARCHAR PRIMARY KEY,  -- 12-digit statistical code, as in the gazetteer
    county VARCHAR NOT NULL,
    town VARCHAR NOT NULL,
    geometry_json VARCHAR NOT NULL,
    vertices INTEGER NOT NULL,
    source VARCHAR NOT NULL,        -- who made the lines, as the admin wrote it (shown in the legend)
    crs VARCHAR NOT NULL,           -- what the file was in before conversion: wgs84, gcj02 or bd09
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL
);
