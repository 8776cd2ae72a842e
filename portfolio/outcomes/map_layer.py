"""The 挂图作战 village layer: every village of the filter coloured by how far it is from its target.

Classes of a rate (percentage points short of the village's target): 已达标, 差10个百分点以内,
差10–30个百分点, 差30个百分点以上; of a count, area or money (share of the target reached):
已达标, 70–100%, 40–70%, 40%以下; without a target, the value's quartiles. A tier indicator is
coloured by tier. A village of the filter without a value for the period is 无数据 (grey), never
left out. Villages stand at the gazetteer's deterministic village points (geo.village_point).
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pydeck as pdk

from portfolio import geo
from portfolio.i18n import t
from portfolio.maps.geometry import Bounds, View, fit_view
from portfolio.outcomes import labels, values
from portfolio.outcomes.catalogue import Indicator

NO_DATA = "no_data"
NO_DATA_RGB = (189, 189, 189)
NO_TARGET = "no_target"  # a value but no target to measure it against (e.g. no 复耕 task)
NO_TARGET_RGB = (116, 169, 207)
# Far from the target -> reached it: red, orange, yellow, green.
GAP_RGB = ((215, 48, 39), (252, 141, 89), (254, 224, 139), (26, 152, 80))
# 未创建 (still to do) warm, then the created tiers from light to dark green.
TIER_RGB = ((253, 174, 97), (166, 217, 106), (102, 189, 99), (0, 104, 55))
RATE_CLASSES = ("cls_far", "cls_mid", "cls_near", "cls_met")  # >30, 10-30, <=10 points short, met
SHARE_CLASSES = ("cls_share_low", "cls_share_mid", "cls_share_high", "cls_met")  # <40 %, 40-70 %, 70-100 %
QUARTILE_CLASSES = ("cls_q1", "cls_q2", "cls_q3", "cls_q4")


@dataclass(frozen=True)
class LegendEntry:
    key: str  # class key (cls_met, a tier name, no_data)
    label: str
    rgb: tuple[int, int, int]
    count: int


def _rate_class(value: float, target: float) -> int:
    gap = target - value
    return 3 if gap <= 1e-9 else 2 if gap <= 10 else 1 if gap <= 30 else 0


def _share_class(value: float, target: float) -> int:
    if target <= 0 or value >= target:
        return 3
    share = value / target
    return 2 if share >= 0.7 else 1 if share >= 0.4 else 0


def classify(ind: Indicator, places: pd.DataFrame) -> pd.DataFrame:
    """`places` (one row per village: value, target; value NaN = no data) with class, rgb and label columns."""
    out = places.copy()
    has = out["value"].notna()
    cls = pd.Series(-1, index=out.index)
    if ind.is_tier:
        cls[has] = out.loc[has, "value"].round().astype(int).clip(0, len(ind.tiers) - 1)
        keys = list(ind.tiers)
        rgbs = [TIER_RGB[min(i, len(TIER_RGB) - 1)] if len(ind.tiers) <= 4 else
                GAP_RGB[min(3, i * 4 // len(ind.tiers))] for i in range(len(ind.tiers))]
    else:
        with_target = has & out["target"].notna()
        if with_target.any():
            fn = _rate_class if ind.is_rate else _share_class
            cls[has] = [fn(v, tg) if tg == tg else 0 for v, tg in zip(out.loc[has, "value"], out.loc[has, "target"])]
            keys = list(RATE_CLASSES if ind.is_rate else SHARE_CLASSES)
            # A village with a value but no target cannot be placed on the gap scale: its own class.
            cls[has & out["target"].isna()] = -2
        else:
            ranks = out.loc[has, "value"].rank(method="first", pct=True)
            cls[has] = ((ranks * 4).clip(upper=3.999)).astype(int)
            keys = list(QUARTILE_CLASSES)
        rgbs = list(GAP_RGB)
    out["cls"] = cls
    out["cls_key"] = [keys[c] if c >= 0 else NO_TARGET if c == -2 else NO_DATA for c in cls]
    out["rgb"] = [list(rgbs[c]) if c >= 0 else list(NO_TARGET_RGB if c == -2 else NO_DATA_RGB) for c in cls]
    return out


def legend(ind: Indicator, classified: pd.DataFrame, lang: str = "zh") -> list[LegendEntry]:
    """Best class first, 无数据 last; every class listed, with its count (0 included)."""
    if ind.is_tier:
        keys, rgbs = list(ind.tiers)[::-1], [TIER_RGB[min(i, 3)] for i in range(len(ind.tiers))][::-1]
        names = keys
    else:
        scale = RATE_CLASSES if ind.is_rate else SHARE_CLASSES
        if not (classified["cls_key"].isin(QUARTILE_CLASSES)).any() or classified["cls_key"].isin(scale).any():
            keys = list(scale)[::-1]
        else:
            keys = list(QUARTILE_CLASSES)[::-1]
        rgbs = list(GAP_RGB)[::-1]
        names = [t(f"out_{k}", lang) for k in keys]
    counts = classified["cls_key"].value_counts()
    entries = [LegendEntry(k, n, tuple(rgb), int(counts.get(k, 0))) for k, n, rgb in zip(keys, names, rgbs)]
    if counts.get(NO_TARGET, 0):
        entries.append(LegendEntry(NO_TARGET, t("out_no_target", lang), NO_TARGET_RGB, int(counts[NO_TARGET])))
    entries.append(LegendEntry(NO_DATA, t("out_no_data", lang), NO_DATA_RGB, int(counts.get(NO_DATA, 0))))
    return entries


def village_frame(store, filters, ind: Indicator, period: date | None = None) -> tuple[pd.DataFrame, date | None]:
    """Every village with any indicator value in the filter, with this indicator's value at `period`
    (default: its latest period in the filter), its point, class and colour."""
    df = values.load(store, filters)
    villages = df[df["level"] == "village"].drop_duplicates("place_code")[
        ["place_code", "county", "town", "village", "town_code"]]
    own = df[(df["indicator"] == ind.code) & (df["level"] == "village")]
    if period is None and len(own):
        period = max(own["period"])
    own = own[own["period"] == period][["place_code", "value", "target", "numerator", "denominator"]]
    frame = villages.merge(own, on="place_code", how="left")
    points = _points(frame)
    frame["lon"] = [p[0] for p in points]
    frame["lat"] = [p[1] for p in points]
    frame = frame.dropna(subset=["lon"])
    return classify(ind, frame.reset_index(drop=True)), period


def _points(frame: pd.DataFrame) -> list[tuple[float | None, float | None]]:
    towns = {t.town_code: t for t in geo.towns()}
    villages = {v.village_code: v for v in geo.villages()}
    out = []
    for code, town_code in zip(frame["place_code"], frame["town_code"]):
        v, town = villages.get(code), towns.get(town_code)
        out.append(geo.village_point(town, v) if v is not None and town is not None else (None, None))
    return out


def _county_outline(counties: tuple[str, ...]) -> pdk.Layer:
    features = []
    for f in geo.county_geojson()["features"]:
        county = f["properties"]["county"]
        chosen = not counties or county in counties
        features.append({"type": "Feature", "geometry": _rounded(f["geometry"]),
                         "properties": {"fc": [245, 245, 240, 255] if chosen else [250, 250, 250, 255],
                                        "lc": [120, 120, 120, 255 if chosen else 120]}})
    return pdk.Layer("GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="counties",
                     filled=True, stroked=True, pickable=False, get_fill_color="properties.fc",
                     get_line_color="properties.lc", line_width_units=_literal("pixels"), get_line_width=1.2,
                     line_width_min_pixels=1)


def _rounded(geometry: dict) -> dict:
    """Coordinates to 3 decimals, repeated points dropped: a fraction of the bytes, the same picture."""
    def ring(coords):
        out = []
        for x, y in coords:
            point = [round(x, 3), round(y, 3)]  # about 100 m: county outlines behind village dots
            if not out or out[-1] != point:
                out.append(point)
        return out

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


def fitted_view(classified: pd.DataFrame, width: int = 880, height: int = 620) -> View:
    """The view that shows every village of the frame."""
    bounds = Bounds.of_points(classified["lon"], classified["lat"]) if len(classified) else None
    return fit_view(bounds, width, height)


def deck(ind: Indicator, classified: pd.DataFrame, counties: tuple[str, ...] = (), lang: str = "zh",
         width: int = 880, height: int = 620, scale: float = 1.0, view: View | None = None) -> pdk.Deck:
    """The offline deck (no basemap): county outlines and one dot per village, shown at `view` (default:
    fitted to the villages); tooltips escaped."""
    records = []
    for r in classified.itertuples(index=False):
        records.append({
            "p": [round(r.lon, 5), round(r.lat, 5)], "c": r.rgb,
            "tip": html.escape(f"{r.town}{r.village}：{labels.value_text(ind, r.value, lang)}"
                               + ("" if pd.isna(r.target) else f"（{t('out_c_target', lang)} "
                                  f"{labels.value_text(ind, r.target, lang)}）")),
        })
    dots = pdk.Layer("ScatterplotLayer", data=records, id="villages", get_position="p", get_fill_color="c",
                     get_line_color=[60, 60, 60], stroked=True, filled=True, line_width_units=_literal("pixels"),
                     get_line_width=0.8, get_radius=6 * scale, radius_units=_literal("pixels"), pickable=True,
                     auto_highlight=True)
    view = view or fitted_view(classified, width, height)
    return pdk.Deck(layers=[_county_outline(counties), dots], map_provider=None,
                    views=[pdk.View(type="MapView", controller=True)],
                    initial_view_state=pdk.ViewState(latitude=view.lat, longitude=view.lon, zoom=view.zoom,
                                                     pitch=0, bearing=0, min_zoom=4, max_zoom=17),
                    tooltip={"html": "{tip}", "style": {"backgroundColor": "white", "color": "#222"}})


def _literal(text: str) -> str:
    """A constant string prop (pydeck reads bare strings as accessor expressions)."""
    return "'" + text + "'"


def deck_json_records(d: pdk.Deck) -> list[dict]:
    """The village records as the browser gets them (for tests)."""
    spec = json.loads(d.to_json())
    return next(layer["data"] for layer in spec["layers"] if layer["id"] == "villages")
