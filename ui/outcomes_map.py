"""作战图's village indicator layer (挂图作战): the layer choice, the map, its legend and title.

The deck and classes come from portfolio/outcomes/map_layer.py; this module draws them. The
choice lives in the session (plain key out_map_layer, mirrored from the picker's widget key, so it
survives runs where the picker is not drawn: the wall screen shows no picker) and in the link
(?village_layer=): "" is the project map the page always drew.
"""
from __future__ import annotations

from html import escape
from typing import Callable

import streamlit as st

from portfolio.filters import Filters
from portfolio.maps import View
from portfolio.outcomes import catalogue, labels, map_layer
from ui import data, run_memo
from ui.lang import current, tr

KEY = "out_map_layer"
WIDGET = "out_map_w_layer"
URL_KEY = "village_layer"  # ?village_layer=sewage_rate opens the wall screen on that indicator


@st.cache_data(show_spinner=False, max_entries=32)
def _frame(filters: Filters, code: str, data_version: int, _db):
    return map_layer.village_frame(_db, filters, catalogue.default().get(code))


def chosen() -> str:
    """The chosen indicator code, or "" (the session's choice, else the link's ?village_layer=)."""
    if KEY not in st.session_state:
        from_url = st.query_params.get(URL_KEY, "")
        st.session_state[KEY] = from_url if from_url in catalogue.default().codes else ""
    return st.session_state.get(KEY) or ""


def _period(filters: Filters, code: str):
    db = data.store()
    return _frame(filters, code, run_memo.data_version(db), _db=db)[1]


def present_title(filters: Filters, as_of) -> None:
    """The wall screen's title for the village layer: 生活污水治理率 · 各村 · 2026-10, the data date, the demo mark."""
    lang = current()
    code = chosen()
    title = labels.title(catalogue.default().get(code), "out_each_village", _period(filters, code), lang)
    demo = f' <span style="color:#D55E00">{escape(tr("demo_badge"))}</span>' if data.is_demo() else ""
    st.html(f'<div data-testid="map-present-title"><h1 data-testid="out-map-title" style="font-size:clamp(24px,2.1vw,40px);'
            f'margin:0;color:#1F3A5F">{escape(title)}</h1><span style="color:#555">'
            f'{escape(tr("data_date", date=as_of.isoformat()))}</span>{demo}</div>')


def layer_choice(container=None, on_change: Callable[[], None] | None = None) -> str:
    """The layer picker: the project map, or one indicator by village. Returns the indicator code or ""."""
    lang = current()
    cat = catalogue.default()
    options = ["", *cat.codes]
    if WIDGET not in st.session_state:
        st.session_state[WIDGET] = chosen()
    (container or st).selectbox(tr("out_map_layer"), options, key=WIDGET, on_change=on_change,
                                format_func=lambda c: tr("out_map_projects") if not c else
                                tr("out_map_by_village", name=cat.get(c).name(lang)))
    code = st.session_state.get(WIDGET) or ""
    st.session_state[KEY] = code
    if code:
        st.query_params[URL_KEY] = code
    else:
        st.query_params.pop(URL_KEY, None)
    return code


def draw(filters: Filters, code: str, present: bool, canvas: tuple[int, int], height: int,
         view: View | None = None, zoom_buttons: Callable[..., None] | None = None) -> View | None:
    """The village map of one indicator with its legend (beside it, or over it on the wall screen), shown at
    `view` (None: fitted to the villages). `zoom_buttons(in, out, fit)` draws the page's zoom buttons above
    the legend. Returns the view shown, for the page to remember (None when there is nothing to show)."""
    lang = current()
    ind = catalogue.default().get(code)
    db = data.store()
    frame, period = _frame(filters, code, run_memo.data_version(db), _db=db)
    if not present:  # on the wall screen present_title heads the page
        title = labels.title(ind, "out_each_village", period, lang)
        st.html(f'<h2 data-testid="out-map-title" style="font-size:1.4rem;margin:0;color:#1F3A5F">{escape(title)}</h2>')
    if frame.empty:
        st.info(tr("out_ov_none"), icon=":material/location_off:")
        return None
    view = view or map_layer.fitted_view(frame, *canvas)
    map_col, legend_col = st.columns([3.2, 1])
    with map_col:
        st.pydeck_chart(map_layer.deck(ind, frame, filters.counties, lang, canvas[0], canvas[1],
                                       scale=1.35 if present else 1.0, view=view), height=height, key="out_map_chart")
    with legend_col:
        if zoom_buttons is not None:
            zoom_buttons(*st.columns(3, gap="small"))
        rows = "".join(
            f'<div style="display:flex;align-items:center;gap:8px;margin:4px 0">'
            f'<span style="width:14px;height:14px;border-radius:50%;background:rgb{e.rgb};'
            f'border:1px solid #555;display:inline-block"></span>'
            f'<span>{escape(e.label)}</span><span style="color:#666;margin-left:auto">{e.count}</span></div>'
            for e in map_layer.legend(ind, frame, lang))
        size = "clamp(16px,1.15vw,22px)" if present else "inherit"  # read from the back of the room
        st.html(f'<div data-testid="out-map-legend" style="font-size:{size}"><b>{escape(ind.name(lang))}</b>{rows}</div>')
        st.caption(tr("out_map_note_tier" if ind.is_tier else "out_map_note"))
    return view
