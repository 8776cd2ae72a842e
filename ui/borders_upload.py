"""The 数据导入 page's 镇界 tab (admins): load the city's town boundaries, see them, save or remove them.

The work happens in portfolio/town_borders.py (the same as `python -m portfolio borders load`);
this module only draws it.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import pydeck as pdk
import streamlit as st

from portfolio import maps, town_borders
from portfolio.auth import AuthError, User
from portfolio.maps.borders import border_layer
from portfolio.maps.labels import _character_set
from portfolio.maps.style import _literal
from portfolio.town_borders import BorderError, BorderFile, StoredBorders
from ui.lang import current, tr
from ui.widgets import md

DONE = "up_done"  # the page shows this message after the rerun


@st.cache_data(show_spinner=False, max_entries=2)
def _check(content: bytes, crs: str) -> BorderFile | str:
    """The checked file, or the message of what makes it unreadable as a whole."""
    try:
        return town_borders.read_borders(content, crs)
    except BorderError as err:
        return err.message(current())


def draw(db, admin: User) -> None:
    lang = current()
    st.caption(tr("tb_intro"))
    stored = town_borders.summary(db)
    if stored:
        frame = pd.DataFrame(stored).rename(columns={
            "county": tr("tb_col_county"), "towns": tr("tb_col_towns"), "source": tr("tb_col_source"),
            "loaded_at": tr("tb_col_loaded_at"), "loaded_by": tr("tb_col_loaded_by")})
        st.dataframe(frame, hide_index=True, width="stretch", placeholder="—")
    else:
        st.caption(tr("tb_none_yet"))
    uploaded = st.file_uploader(tr("tb_file"), type=["geojson", "json"], key="tb_file",
                                max_upload_size=town_borders.MAX_BYTES // 1024 // 1024)
    crs = st.radio(tr("tb_crs"), town_borders.CRS_CHOICES, horizontal=True, key="tb_crs",
                   format_func=lambda c: tr(f"tb_crs_{c}"))
    source = st.text_input(tr("tb_source"), key="tb_source", placeholder=tr("tb_source_hint"), max_chars=200)
    if uploaded is not None:
        content = uploaded.getvalue()
        checked = _check(content, crs)
        if isinstance(checked, str):
            st.error(md(checked), icon=":material/error:")
        else:
            _preview(checked, lang)
            if st.button(tr("tb_save"), disabled=not checked.ok, type="primary", icon=":material/save:", key="tb_save"):
                try:
                    n = town_borders.save_borders(db, checked, admin, source, uploaded.name,
                                                  hashlib.sha256(content).hexdigest())
                    st.session_state[DONE] = tr("tb_saved", n=n)
                    st.rerun()
                except (BorderError, AuthError) as err:
                    st.error(md(err.message(lang)), icon=":material/error:")
    if stored:
        with st.expander(tr("tb_remove_title")):
            sure = st.checkbox(tr("tb_remove_confirm"), key="tb_remove_confirm")
            if st.button(tr("tb_remove"), disabled=not sure, icon=":material/delete:", key="tb_remove"):
                n = town_borders.remove_borders(db, admin)
                st.session_state[DONE] = tr("tb_removed", n=n)
                st.rerun()


def _preview(checked: BorderFile, lang: str) -> None:
    """What was found, every problem with its feature number, and the lines on a small map."""
    st.markdown(tr("tb_found", features=checked.features, towns=len(checked.borders)))
    for problem in checked.problems:
        (st.error if problem.fatal else st.warning)(md(problem.message(lang)))
    if checked.missing:
        st.info(md(tr("tb_missing", n=len(checked.missing), towns="、".join(checked.missing))))
    if not checked.borders:
        return
    stored = StoredBorders(tuple((b.county, b.town, b.geometry) for b in checked.borders))
    lons = [p[0] for b in checked.borders for p in _points(b.geometry)]
    lats = [p[1] for b in checked.borders for p in _points(b.geometry)]
    view = maps.fit_view(maps.Bounds(min(lons), min(lats), max(lons), max(lats)), 1000, 420)
    names = [{"p": list(b.label_point), "t": b.town} for b in checked.borders]
    labels = pdk.Layer("TextLayer", data=names, get_position="p", get_text="t", get_size=14,
                       character_set=_literal(_character_set(n["t"] for n in names)),
                       font_family=_literal(maps.FONT_FAMILY), get_color=[40, 40, 40, 255],
                       outline_width=3, outline_color=[255, 255, 255, 235], font_settings={"sdf": True})
    deck = pdk.Deck(layers=[border_layer(stored, False, 1.0), labels], map_provider=None,
                    initial_view_state=pdk.ViewState(latitude=view.lat, longitude=view.lon, zoom=view.zoom))
    st.pydeck_chart(deck, height=420, key="tb_preview_map")


def _points(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        yield from polygon[0]
