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
from portfolio.ingest import places, values as V
from portfolio.ingest.columns import MONEY_FIELDS, ColumnMapping
from portfolio.ingest.issues import ERROR, WARNING, Issue
from portfolio.ingest.locate import Table

# What a name is composed from when the sheet has no name column: the place plus the first of these.
NAME_SOURCES = ("description", "subcategory", "category")
TEXT_FIELDS = ("subcategory", "description", "assisting_unit", "team", "responsible_unit", "responsible_person",
               "notes", "scale_unit")
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 4000
HUGE_BUDGET_WAN = 100_000.0  # 10亿元 for one village project: almost surely a unit mistake
ABSURD_AMOUNT_WAN = 10_000_000.0  # 1000亿元: no project-library entry; the value is not kept


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


@dataclass
class Candidate:
    index: int  # 0-based row of the sheet
    row: int  # Excel row number
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)  # fields the sheet gave
    inferred: dict[str, Any] = field(default_factory=dict)  # fields we derived (used for new projects)
    category_rule: tuple[str, str, str] = ("default", "", "")
    status_rule: str | None = None  # the word that set the status, or None
    project_id: str = ""
    id_from_sheet: bool = False
    place_key: tuple[str, str, str, str] = ("", "", "", "")  # county, town, village, name (matching form)
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(i.level == ERROR for i in self.issues)

    def get(self, name: str) -> Any:
        return self.values.get(name, self.inferred.get(name))


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


def normalise(table: Table, mapping: ColumnMapping, options: Options,
              progress: Callable[[float], None] | None = None) -> list[Candidate]:
    """The candidate projects of the table's data rows."""
    sheet = table.sheet
    grid = table.grid
    cols = {f: i for i, f in enumerate(mapping.fields) if f}
    headers = mapping.headers
    data_rows = table.data_rows
    default_county = options.county or table.title_county
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
    precision_of = _precision_lookup()
    seq_as_id = _seq_holds_codes(grid, data_rows, cols, headers)
    if seq_as_id:
        cols["project_id"] = cols.pop("seq")

    name_col = cols.get("name", cols.get("description"))
    candidates: list[Candidate] = []
    step = max(len(data_rows) // 20, 1)
    for n, r in enumerate(data_rows):
        if progress and n % step == 0:
            progress(n / max(len(data_rows), 1))
        row = grid[r]
        c = Candidate(r, r + 1, [row[i] for i in range(len(headers))])

        def issue(level: str, key: str, f: str | None = None, **params: Any) -> None:
            col = cols.get(f) if f else None
            c.issues.append(Issue.make(level, key, sheet, c.row, col, headers[col] if col is not None else None,
                                       **params))

        def cell(f: str) -> Any:
            i = cols.get(f)
            return None if i is None else row[i]

        vals = c.values
        for f in TEXT_FIELDS:
            if f in cols:
                text = V.text_value(cell(f))
                if text and not V.is_empty_marker(text):
                    vals[f] = text[:MAX_TEXT_LENGTH]
        name = V.text_value(cell("name")) if "name" in cols else None
        if name and V.is_empty_marker(name):
            name = None
        # Place (a cell merged across the name column is a label, not a village or town)
        spans = [(c0, c1) for c0, c1 in table.wide_merges.get(r, ()) if name_col is not None and c0 <= name_col <= c1]

        def place_cell(f: str) -> str | None:
            i = cols.get(f)
            if i is None or any(c0 <= i <= c1 for c0, c1 in spans):
                return None
            return V.text_value(row[i])

        place = places.resolve(place_cell("county"), place_cell("town"),
                               place_cell("village"), place_cell("place"),
                               default_county, table.row_towns.get(r) or default_town)
        for key, params in place.problems:
            place_col = next((f for f in _PLACE_PROBLEM_COLUMNS.get(key, ("place",)) if f in cols), None)
            issue(WARNING, key, place_col, **dict(params))
        for f in ("county", "town", "village"):
            if getattr(place, f):
                vals[f] = getattr(place, f)
        # The codes follow the names, also to None when a project moves to a place the gazetteer lacks.
        if "town" in vals:
            vals["town_code"] = place.town_code
        if "village" in vals:
            vals["village_code"] = place.village_code
        # Name (composed from place and content when the sheet has none)
        if not name:
            content = vals.get("description") or vals.get("subcategory") or V.text_value(cell("category"))
            content = content if content and not V.is_empty_marker(content) else None
            where = place.village or ""  # the village only: town and county names stay out of names
            if content:
                name = content[:40] if content.startswith(where) else f"{where}{content[:40]}"
                issue(WARNING, "ing_w_name_composed", "name" if "name" in cols else None, name=name)
            else:
                issue(ERROR, "ing_e_no_name", "name" if "name" in cols else None)
        if name:
            vals["name"] = name[:MAX_TEXT_LENGTH]
        # Money
        for f in MONEY_FIELDS:
            if f not in cols:
                continue
            raw = cell(f)
            amount, problem = V.parse_amount(raw, factors[f])
            if problem:
                issue(WARNING, problem, f, value=V.text_value(raw) or "")
            if amount is not None and abs(amount) > ABSURD_AMOUNT_WAN:
                issue(WARNING, "ing_w_amount_absurd", f, value=V.text_value(raw) or "")
                amount = None
            if amount is not None:
                vals[f] = amount
                if r in table.merged_rows.get(cols[f], ()):
                    issue(WARNING, "ing_w_amount_merged", f)
        if vals.get("budget_wan", 0) > HUGE_BUDGET_WAN:
            issue(WARNING, "ing_w_budget_huge", "budget_wan", value=f"{vals['budget_wan']:g}")
        # Category
        section = table.sections.get(r)
        category_text = V.text_value(cell("category"))
        sub_text = vals.get("subcategory")
        code, rule = V.classify_category(category_text, sub_text, name, vals.get("description"), None)
        if rule[0] in ("keyword", "default") and options.category:
            code, rule = options.category, ("option", "", vocab.label("category", options.category))
        elif rule[0] == "default" and section:
            code, rule = V.classify_category(None, None, None, None, section)
        if category_text and rule[0] not in ("column",):
            issue(WARNING, "ing_w_category_unknown", "category", value=category_text,
                  used=vocab.label("category", code))
        if rule[0] in ("column", "subcategory"):
            vals["category"] = code
        else:
            c.inferred["category"] = code
        c.category_rule = rule
        area = V.parse_area(cell("area")) if "area" in cols else None
        if area:
            vals["area"] = area
        else:
            c.inferred["area"] = vocab.CATEGORY_BY_CODE.get(code, vocab.CATEGORY_BY_CODE["other"]).area
        # Nature, scale
        if "nature" in cols:
            nature, problem = V.parse_nature(cell("nature"))
            if nature:
                vals["nature"] = nature
            if problem:
                issue(WARNING, problem, "nature", value=nature or "")
        if "scale" in cols:
            qty, unit = V.parse_scale(cell("scale"))
            if qty is not None:
                vals["scale_qty"] = qty
                if unit and "scale_unit" not in vals:
                    vals["scale_unit"] = unit
            elif cell("scale") is not None and not V.is_empty_marker(cell("scale")):
                issue(WARNING, "ing_w_number_unreadable", "scale", value=V.text_value(cell("scale")) or "")
        # Status and progress
        status_text = V.text_value(cell("status")) if "status" in cols else None
        progress_raw = cell("progress_pct") if "progress_pct" in cols else None
        pct, problem = V.parse_percent(progress_raw, progress_fractions) if "progress_pct" in cols else (None, None)
        if problem:
            issue(WARNING, problem, "progress_pct", value=V.text_value(progress_raw) or "")
        if pct is not None:
            vals["progress_pct"] = pct
        status = None
        if status_text and not V.is_empty_marker(status_text):
            hit = V.status_from_text(status_text)
            if hit:
                status, c.status_rule = hit[0], "column"
            else:
                issue(WARNING, "ing_w_status_unknown", "status", value=status_text)
        if status is None and isinstance(progress_raw, str):
            hit = V.status_from_text(progress_raw)
            if hit:
                status, c.status_rule = hit[0], "progress_text"
        if status:
            vals["status"] = status
        elif pct is not None:
            c.inferred["status"] = "completed" if pct >= 100 else ("in_progress" if pct > 0 else "planned")
            c.status_rule = "progress"
        else:
            c.inferred["status"] = "planned"
            c.status_rule = "default"
        # Dates
        for f in ("plan_start", "actual_start"):
            if f in cols:
                start, end, problem = V.parse_date_span(cell(f))
                if problem:
                    issue(WARNING, problem, f, value=V.text_value(cell(f)) or "")
                if start:
                    vals[f] = start
                    end_field = f.replace("start", "end")
                    if end != start and end_field not in cols and (end - start).days > 31:
                        vals[end_field] = end  # a range written in the start column
        for f in ("plan_end", "actual_end"):
            if f in cols:
                start, end, problem = V.parse_date_span(cell(f))
                if problem:
                    issue(WARNING, problem, f, value=V.text_value(cell(f)) or "")
                if end:
                    vals[f] = end
                    start_field = f.replace("end", "start")
                    if start_field not in vals and (end - start).days > 31 and not (
                            start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31):
                        vals[start_field] = start
        if "plan_period" in cols:
            start, end, problem = V.parse_date_span(cell("plan_period"))
            if problem:
                issue(WARNING, problem, "plan_period", value=V.text_value(cell("plan_period")) or "")
            if start:
                vals.setdefault("plan_start", start)
                vals.setdefault("plan_end", end)
        # Counts, year
        for f in ("beneficiaries", "beneficiary_households"):
            if f in cols:
                number, problem = V.parse_count(cell(f))
                if problem:
                    issue(WARNING, problem, f, value=V.text_value(cell(f)) or "")
                if number is not None:
                    vals[f] = number
        if "year" in cols:
            year, problem = V.parse_year(cell("year"))
            if problem:
                issue(WARNING, problem, "year", value=V.text_value(cell("year")) or "")
            if year:
                vals["year"] = year
        if "year" not in vals:
            basis = vals.get("plan_start") or vals.get("plan_end")
            if basis:
                c.inferred["year"] = basis.year
        # Coordinates
        lon = lat = None
        if "coords" in cols:
            lon, lat = places.parse_coordinate_pair(cell("coords"))
        if "lon" in cols or "lat" in cols:
            lon, lat = places.parse_coordinate(cell("lon")), places.parse_coordinate(cell("lat"))
        coord_field = "lon" if "lon" in cols else ("coords" if "coords" in cols else "lat")
        if lon is not None and lat is not None:
            lon, lat, swapped = places.fix_order(lon, lat)
            if swapped:
                issue(WARNING, "ing_w_coords_swapped", coord_field)
            if places.plausible(lon, lat):
                lon, lat = places.to_wgs84(lon, lat, coord_system)
                vals["lon"], vals["lat"] = lon, lat
                precision = precision_of.get(V.norm_cell(cell("location_precision"))) \
                    if "location_precision" in cols else None
                vals["location_precision"] = precision if precision and precision != "none" else "exact"
            else:
                issue(WARNING, "ing_w_coords_invalid", coord_field, value=f"{lon}, {lat}")
        elif (lon is None) != (lat is None) or (
                "coords" in cols and cell("coords") is not None and lon is None):
            issue(WARNING, "ing_w_coords_invalid", coord_field,
                  value=V.text_value(cell(coord_field)) or "")
        if "lon" not in vals and place.lon is not None:
            c.inferred["lon"], c.inferred["lat"] = place.lon, place.lat
            c.inferred["location_precision"] = place.precision
        elif "lon" not in vals:
            c.inferred["location_precision"] = "none"
        # Key
        project_id = V.text_value(cell("project_id")) if "project_id" in cols else None
        if project_id and V.is_empty_marker(project_id):
            project_id = None
        if project_id:
            project_id = "".join(project_id.split())
            if len(project_id) > MAX_ID_LENGTH:
                issue(ERROR, "ing_e_id_too_long", "project_id", limit=MAX_ID_LENGTH)
            c.project_id, c.id_from_sheet = project_id, True
        c.place_key = (V.norm(vals.get("county") or ""), V.norm(vals.get("town") or ""),
                       V.norm(vals.get("village") or ""), V.norm(vals.get("name") or ""))
        if not c.project_id and name:
            c.project_id = derived_key(vals.get("county"), vals.get("town"), vals.get("village"), vals["name"])
        candidates.append(c)
    _check_points_in_county(candidates, cols, headers, sheet)
    if progress:
        progress(1.0)
    return candidates


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
