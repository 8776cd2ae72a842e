"""The map's data: location summary, points or per-town / per-cell aggregates for one filtered view."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from portfolio.filters import Filters, flag_params
from portfolio.maps.borders import load_borders
from portfolio.maps.geometry import Bounds
from portfolio.maps.options import POINT_LIMIT
from portfolio.store import Store
from portfolio.town_borders import StoredBorders


IMPRECISE_LIST_LIMIT = 2000


# Data -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocationSummary:
    """How precisely the filtered projects are placed (location_precision, plus 'unplaced')."""
    projects: int = 0
    exact: int = 0
    village: int = 0
    town: int = 0
    county: int = 0
    none: int = 0  # no coordinates of its own: drawn at its town's point
    unplaced: int = 0  # no coordinates and no known town: not drawn
    towns: int = 0  # distinct towns among the drawable projects

    @property
    def approximate(self) -> int:
        return self.village + self.town + self.county + self.none

    @property
    def placed(self) -> int:
        return self.projects - self.unplaced


@dataclass
class MapData:
    """What the database says for one filtered view of the map."""
    summary: LocationSummary
    bounds: Bounds | None
    towns: pd.DataFrame  # map_town_stats: towns in scope, with projects = 0 for "no data"
    points: pd.DataFrame | None = None  # map_points, when the drawable count is within the limit
    grid: pd.DataFrame | None = None  # map_grid, when aggregated inside one town
    grid_cell: float | None = None  # cell size in degrees
    mode: str = "points"  # points / towns / grid (what the projects layer shows)
    counties: tuple[str, ...] = ()  # the filter's counties, to highlight on the boundary layer
    within_towns: bool = False  # the filters name towns or villages: fit to the projects, not the counties
    borders: StoredBorders = StoredBorders(())  # the city's town lines in scope (maps/borders.py)


def load(db: Store, filters: Filters, as_of: date, layer: str = "projects",
         point_limit: int = POINT_LIMIT) -> MapData:
    """Run the map's queries for `filters`; points only when there are at most `point_limit`."""
    row = db.one("map_summary", flag_params(filters, as_of)) or {}
    summary = LocationSummary(**{k: int(row.get(k) or 0) for k in LocationSummary.__dataclass_fields__})
    bounds = None
    if row.get("west") is not None:
        bounds = Bounds(row["west"], row["south"], row["east"], row["north"])
    towns = db.df("map_town_stats", flag_params(filters, as_of))
    data = MapData(summary=summary, bounds=bounds, towns=towns, counties=tuple(filters.counties),
                   within_towns=bool(filters.towns or filters.villages))
    data.borders = load_borders(db, filters)
    if layer != "projects":
        data.mode = "indicator"
        return data
    if summary.placed <= point_limit:
        data.points = db.df("map_points", {**flag_params(filters, as_of), "limit": point_limit})
        data.mode = "points"
    elif summary.towns > 1:
        data.mode = "towns"
    else:
        data.mode = "grid"
        data.grid_cell = grid_cell_for(bounds)
        data.grid = db.df("map_grid", {**flag_params(filters, as_of), "cell": data.grid_cell})
    return data


def grid_cell_for(bounds: Bounds | None, cells_across: int = 40) -> float:
    """A cell size (degrees, rounded) giving about `cells_across` cells over the area, at least ~200 m."""
    if bounds is None:
        return 0.01
    span = max(bounds.east - bounds.west, bounds.north - bounds.south)
    raw = max(span / cells_across, 0.002)
    magnitude = 10 ** math.floor(math.log10(raw))
    return round(min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=raw), 6)


def imprecise_projects(db: Store, filters: Filters, limit: int = IMPRECISE_LIST_LIMIT) -> pd.DataFrame:
    """The filtered projects not placed by their own exact coordinates, least precise first."""
    # The list reads no late/stalled flag, so the reference date does not matter here.
    return db.df("map_imprecise", {**flag_params(filters, date.today()), "limit": limit})


