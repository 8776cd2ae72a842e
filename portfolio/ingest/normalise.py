"""Table rows -> candidate projects: typed values, place, category with its rule, project key.

Each candidate keeps the cells as read (for the rejected-rows download), the
fields the sheet gave (`values`), what we inferred (`inferred`: a category from
keywords, a default status, the village or town point) and its problems, each
naming sheet, Excel row and column.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from portfolio import vocab
from portfolio.i18n import STRINGS
from portfolio.ingest import fields, memo as memo_mod, places, values as V
from portfolio.ingest.columns import MONEY_FIELDS, ColumnMapping
from portfolio.ingest.issues import ERROR, WARNING, Issue
from portfolio.ingest.table import Table

# What a name is composed from when the sheet has no name column: the place plus the first of these.
NAME_SOURCES = ("description", "subcategory", "category")
TEXT_FIELDS = ("subcategory", "description", "assisting_unit", "team", "responsible_unit", "responsible_person",
               "notes", "scale_unit")
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 4000
_PLACE_CELLS = ("county", "town", "village", "place")
_COORDINATE_CELLS = ("coords", "lon", "lat", "location_precision")


# The column a place problem points at, best first.
_PLACE_PROBLEM_COLUMNS = {
    "ing_w_place_county_unknown": ("county", "place"),
    "ing_w_place_town_unknown": ("town", "place"),
    "ing_w_town_ambiguous": ("town", "place", "county"),
    "ing_w_place_unknown": ("town", "place"),
    "ing_w_place_village_unknown": ("village", "place"),
    "ing_w_village_ambiguous": ("village", "place"),
    "ing_w_place_several": ("place", "village"),
}


@dataclass
class Options:
    """What the user chose at upload: defaults for rows that lack them, coordinate system."""

    county: str | None = None
    town: str | None = None
    category: str | None = None
    coord_system: str = "wgs84"


@dataclass(slots=True)  # 100,000 of them in a large upload
class Candidate:
    index: int  # 0-based row of the sheet
    row: int  # Excel row number
    cells: list[Any]
    sheet: str = ""  # the sheet the row is on (several sheets can be imported as one batch)
    values: dict[str, Any] = field(default_factory=dict)  # fields the sheet gave
    inferred: dict[str, Any] = field(default_factory=dict)  # fields we derived (used for new projects)
    category_rule: tuple[str, str, str] = ("default", "", "")
    status_rule: str | None = None  # the word that set the status, or None
    project_id: str = ""
    id_from_sheet: bool = False
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(i.level == ERROR for i in self.issues)

    def get(self, name: str) -> Any:
        return self.values.get(name, self.inferred.get(name))

    @property
    def place_key(self) -> tuple[str, str, str, str]:
        """County, town, village and name in matching form (made when asked: a name is rarely asked twice)."""
        vals = self.values
        return (V.norm(vals.get("county") or ""), V.norm(vals.get("town") or ""),
                V.norm(vals.get("village") or ""), V.norm(vals.get("name") or ""))


def derived_key(county: str | None, town: str | None, village: str | None, name: str) -> str:
    """A stable project key from the place and the name (the sheet gave no 项目编号)."""
    parts = "\x1f".join(V.norm(p or "") for p in (county, town, village, name))
    return "H" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:15].upper()


def _precision_lookup() -> dict[str, str]:
    table = {}
    for code in vocab.LOCATION_PRECISIONS:
        table[V.norm(code)] = code
        pair = STRINGS.get(f"prec_{code}")
        if pair:
            table[V.norm(pair[0])] = code
            table[V.norm(pair[1])] = code
    table.update({V.norm("精确"): "exact", V.norm("村"): "village", V.norm("镇"): "town", V.norm("县"): "county"})
    return table


def _coord_system_of(header: str, default: str) -> str:
    n = V.norm(header)
    if "百度" in n or "bd09" in n or "bd-09" in n:
        return "bd09"
    if any(w in n for w in ("高德", "腾讯", "gcj", "火星")):
        return "gcj02"
    if "wgs" in n or "gps" in n or "天地图" in n or "cgcs2000" in n:
        return "wgs84"
    return default


def _fractions(cells: list[Any], header: str) -> bool:
    """A progress column in 0-1 (Excel percent cells) rather than 0-100."""
    if "%" in V.norm(header):
        return False
    numbers = [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return bool(numbers) and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)


@dataclass
class _Sheet:
    """What every row of one table shares: columns, defaults, units, the coordinate system."""

    table: Table
    cols: dict[str, int]
    headers: list[str]
    options: Options
    default_county: str | None
    default_town: str | None
    factors: dict[str, float]
    progress_fractions: bool
    coord_system: str
    precision_of: dict[str, str]
    name_col: int | None


@dataclass(slots=True)
class _Row:
    """One data row being read: its cells by field, and where its problems go."""

    sheet: _Sheet
    r: int
    row: list[Any]
    c: Candidate
    place: places.Place | None = None  # read before the name and the coordinates, which use it
    name: str | None = None

    def cell(self, f: str) -> Any:
        i = self.sheet.cols.get(f)
        return None if i is None else self.row[i]

    def has(self, f: str) -> bool:
        return f in self.sheet.cols

    def issue(self, level: str, key: str, f: str | None = None, **params: Any) -> None:
        col = self.sheet.cols.get(f) if f else None
        header = self.sheet.headers[col] if col is not None else None
        self.c.issues.append(Issue.make(level, key, self.sheet.table.sheet, self.c.row, col, header, **params))

    def warn_unreadable(self, problem: str | None, f: str, value: Any = None) -> None:
        if problem:
            self.issue(WARNING, problem, f, value=V.text_value(self.cell(f) if value is None else value) or "")


def _sheet_context(table: Table, mapping: ColumnMapping, options: Options) -> _Sheet:
    grid, headers, data_rows = table.grid, mapping.headers, table.data_rows
    cols = {f: i for i, f in enumerate(mapping.fields) if f}
    default_town = options.town or (table.title_town if not options.county or table.title_county in (
        None, options.county) else None)
    factors = {f: (V.unit_factor(headers[i]) if V.unit_factor(headers[i]) is not None else
                   (table.title_unit if table.title_unit is not None else 1.0))
               for f, i in cols.items() if f in MONEY_FIELDS}
    progress_fractions = "progress_pct" in cols and _fractions(
        [grid[r][cols["progress_pct"]] for r in data_rows], headers[cols["progress_pct"]])
    coord_system = options.coord_system if options.coord_system in places.COORD_SYSTEMS else "wgs84"
    for f in ("lon", "lat", "coords"):
        if f in cols:
            coord_system = _coord_system_of(headers[cols[f]], coord_system)
    if _seq_holds_codes(grid, data_rows, cols, headers):
        cols["project_id"] = cols.pop("seq")
    return _Sheet(table, cols, headers, options, options.county or table.title_county, default_town, factors,
                  progress_fractions, coord_system, _precision_lookup(), cols.get("name", cols.get("description")))


def normalise(table: Table, mapping: ColumnMapping, options: Options,
              progress: Callable[[float], None] | None = None) -> list[Candidate]:
    """The candidate projects of the table's data rows."""
    sheet = _sheet_context(table, mapping, options)
    memo = memo_mod.Memo(sheet.cols)
    data_rows, width, merges = table.data_rows, len(sheet.headers), table.merged_rows
    rows: list[_Row] = []
    for r in data_rows:
        row = table.grid[r]
        # The grid's row itself when it is as wide as the header (rows are never written to).
        c = Candidate(r, r + 1, row if len(row) == width else row[:width], sheet=table.sheet)
        rows.append(_Row(sheet, r, row, c))
    candidates = [rr.c for rr in rows]

    def done(fraction: float) -> None:
        if progress:
            progress(fraction)

    # Reader by reader over all rows: each reads only its cells and what the readers before it set,
    # so every row ends up as when read alone, its problems in the same order.
    memo.column("texts", rows, _read_texts, TEXT_FIELDS)
    places_read = memo.column("place", rows, _read_place, _PLACE_CELLS, [
        (tuple(table.wide_merges.get(r, ())), table.row_towns.get(r)) for r in data_rows])
    for rr, place in zip(rows, places_read):
        rr.place = place
        rr.name = _read_name(rr)
    done(0.3)
    memo.column("money", rows, fields.read_money, MONEY_FIELDS, [
        tuple(r in merges.get(sheet.cols[f], ()) for f in MONEY_FIELDS if f in sheet.cols) for r in data_rows])
    for rr in rows:
        fields.read_category(rr, rr.name)
    done(0.5)
    memo.column("nature", rows, fields.read_nature_and_scale, ("nature", "scale"),
                ["scale_unit" in c.values for c in candidates])
    memo.column("status", rows, fields.read_status, ("status", "progress_pct"))
    memo.column("dates", rows, fields.read_dates, fields.DATE_FIELDS)
    memo.column("counts", rows, fields.read_counts_and_year, ("beneficiaries", "beneficiary_households", "year"),
                [(c.values.get("plan_start"), c.values.get("plan_end")) for c in candidates])
    done(0.8)
    memo.column("coordinates", rows, _read_coordinates, _COORDINATE_CELLS, [rr.place for rr in rows])
    for rr in rows:
        _read_key(rr, rr.name)
    _check_points_in_county(candidates, sheet.cols, sheet.headers, table.sheet)
    if progress:
        progress(1.0)
    return candidates


def _read_texts(rr: _Row) -> None:
    for f in TEXT_FIELDS:
        if rr.has(f):
            text = V.text_value(rr.cell(f))
            if text and not V.is_empty_marker(text):
                rr.c.values[f] = text[:MAX_TEXT_LENGTH]


def _read_place(rr: _Row) -> places.Place:
    """County, town, village and their codes; a cell merged across the name column is a label, not a place."""
    sheet, vals = rr.sheet, rr.c.values
    name_col = sheet.name_col
    spans = [(c0, c1) for c0, c1 in sheet.table.wide_merges.get(rr.r, ())
             if name_col is not None and c0 <= name_col <= c1]

    def place_cell(f: str) -> str | None:
        i = sheet.cols.get(f)
        if i is None or any(c0 <= i <= c1 for c0, c1 in spans):
            return None
        return V.text_value(rr.row[i])

    place = places.resolve(place_cell("county"), place_cell("town"), place_cell("village"), place_cell("place"),
                           sheet.default_county, sheet.table.row_towns.get(rr.r) or sheet.default_town)
    for key, params in place.problems:
        place_col = next((f for f in _PLACE_PROBLEM_COLUMNS.get(key, ("place",)) if rr.has(f)), None)
        rr.issue(WARNING, key, place_col, **dict(params))
    for f in ("county", "town", "village"):
        if getattr(place, f):
            vals[f] = getattr(place, f)
    # The codes follow the names, also to None when a project moves to a place the gazetteer lacks.
    if "town" in vals:
        vals["town_code"] = place.town_code
    if "village" in vals:
        vals["village_code"] = place.village_code
    return place


def _read_name(rr: _Row) -> str | None:
    """The name, or one composed from the village and the content when the sheet has none."""
    vals = rr.c.values
    name = V.text_value(rr.cell("name")) if rr.has("name") else None
    if name and V.is_empty_marker(name):
        name = None
    if not name:
        content = vals.get("description") or vals.get("subcategory") or V.text_value(rr.cell("category"))
        content = content if content and not V.is_empty_marker(content) else None
        where = rr.place.village or ""  # the village only: town and county names stay out of names
        if content:
            name = content[:40] if content.startswith(where) else f"{where}{content[:40]}"
            rr.issue(WARNING, "ing_w_name_composed", "name" if rr.has("name") else None, name=name)
        else:
            rr.issue(ERROR, "ing_e_no_name", "name" if rr.has("name") else None)
    if name:
        vals["name"] = name[:MAX_TEXT_LENGTH]
    return name


def _read_coordinates(rr: _Row) -> None:
    """The sheet's own point (any coordinate system, swapped or not), else the place's point."""
    c, vals, sheet, place = rr.c, rr.c.values, rr.sheet, rr.place
    lon = lat = None
    if rr.has("coords"):
        lon, lat = places.parse_coordinate_pair(rr.cell("coords"))
    if rr.has("lon") or rr.has("lat"):
        lon, lat = places.parse_coordinate(rr.cell("lon")), places.parse_coordinate(rr.cell("lat"))
    coord_field = "lon" if rr.has("lon") else ("coords" if rr.has("coords") else "lat")
    if lon is not None and lat is not None:
        lon, lat, swapped = places.fix_order(lon, lat)
        if swapped:
            rr.issue(WARNING, "ing_w_coords_swapped", coord_field)
        if places.plausible(lon, lat):
            vals["lon"], vals["lat"] = places.to_wgs84(lon, lat, sheet.coord_system)
            precision = sheet.precision_of.get(V.norm_cell(rr.cell("location_precision"))) \
                if rr.has("location_precision") else None
            vals["location_precision"] = precision if precision and precision != "none" else "exact"
        else:
            rr.issue(WARNING, "ing_w_coords_invalid", coord_field, value=f"{lon}, {lat}")
    elif (lon is None) != (lat is None) or (rr.has("coords") and rr.cell("coords") is not None and lon is None):
        rr.issue(WARNING, "ing_w_coords_invalid", coord_field, value=V.text_value(rr.cell(coord_field)) or "")
    if "lon" not in vals and place.lon is not None:
        c.inferred["lon"], c.inferred["lat"] = place.lon, place.lat
        c.inferred["location_precision"] = place.precision
    elif "lon" not in vals:
        c.inferred["location_precision"] = "none"


def _read_key(rr: _Row, name: str | None) -> None:
    """The project code from the sheet, else a key derived from the place and the name."""
    c, vals = rr.c, rr.c.values
    project_id = V.text_value(rr.cell("project_id")) if rr.has("project_id") else None
    if project_id and V.is_empty_marker(project_id):
        project_id = None
    if project_id:
        project_id = "".join(project_id.split())
        if len(project_id) > MAX_ID_LENGTH:
            rr.issue(ERROR, "ing_e_id_too_long", "project_id", limit=MAX_ID_LENGTH)
        c.project_id, c.id_from_sheet = project_id, True
    if not c.project_id and name:
        c.project_id = derived_key(vals.get("county"), vals.get("town"), vals.get("village"), vals["name"])


def _seq_holds_codes(grid: list[list[Any]], rows: list[int], cols: dict[str, int], headers: list[str]) -> bool:
    """A column headed 编号 that holds codes (XM2024001), not 1, 2, 3: it is the project code."""
    if "seq" not in cols or "project_id" in cols:
        return False
    if V.norm(headers[cols["seq"]]) in ("序号", "序", "no", "no.", "#"):
        return False
    texts = [V.text_value(grid[r][cols["seq"]]) for r in rows]
    texts = [t for t in texts if t]
    return bool(texts) and sum(1 for t in texts if re.search(r"[a-z]", t, re.I) or len(t) >= 6) >= len(texts) * 0.8


def _check_points_in_county(candidates: list[Candidate], cols: dict[str, int], headers: list[str],
                            sheet: str) -> None:
    """Flag exact points that fall outside the county the row names (gazetteer counties only)."""
    rows = [c for c in candidates if "lon" in c.values and places.has_polygon(
        places.county_code(c.values.get("county")))]
    if not rows:
        return
    found = places.county_codes_of([c.values["lon"] for c in rows], [c.values["lat"] for c in rows])
    col = cols.get("lon", cols.get("coords"))
    for c, code in zip(rows, found):
        expected = places.county_code(c.values.get("county"))
        if code != expected:
            c.issues.append(Issue.make(WARNING, "ing_w_point_outside_county", sheet, c.row, col,
                                       headers[col] if col is not None else None, county=c.values["county"]))
