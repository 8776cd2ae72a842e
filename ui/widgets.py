"""Small pieces of page chrome shared by pages: header, KPI cards, formatting."""
from __future__ import annotations

import streamlit as st

from portfolio import formats
from portfolio.views import Kpis
from ui import data
from ui.lang import tr


# Pages format numbers through portfolio/formats.py, the one place money and shares are written.
wan = formats.wan
pct = formats.pct


def page_header(title_key: str) -> None:
    """Page title with the data date and, for demo data, a visible 演示数据 badge."""
    st.title(tr(title_key))
    line = tr("data_date", date=data.data_date().isoformat())
    if data.is_demo():
        st.caption(f":orange-badge[:material/science: {tr('demo_badge')}] {line} · {tr('demo_note')}")
    else:
        st.caption(line)


def kpi_cards(k: Kpis) -> None:
    """Two rows of headline numbers."""
    row = st.columns(5)
    row[0].metric(tr("k_projects"), formats.count(k.projects))
    row[1].metric(tr("k_budget"), wan(k.budget_wan))
    row[2].metric(tr("k_in_place"), wan(k.funds_in_place_wan), tr("k_of_budget", pct=pct(k.in_place_rate)),
                  delta_color="off", delta_arrow="off")
    row[3].metric(tr("k_spent"), wan(k.spent_wan), tr("k_of_budget", pct=pct(k.spent_rate)), delta_color="off", delta_arrow="off")
    row[4].metric(tr("k_beneficiaries"), formats.count(k.beneficiaries))
    row = st.columns(5)
    row[0].metric(tr("k_start_rate"), pct(k.start_rate), tr("k_n_of", n=k.started, total=k.projects), delta_color="off", delta_arrow="off")
    row[1].metric(tr("k_finish_rate"), pct(k.finish_rate), tr("k_n_of", n=k.finished, total=k.projects),
                  delta_color="off", delta_arrow="off")
    row[2].metric(tr("k_households"), formats.count(k.households))
    row[3].metric(tr("k_late"), formats.count(k.late))
    row[4].metric(tr("k_stalled"), formats.count(k.stalled))


def favicon():
    """A small green-and-white icon drawn in code: material-icon favicons load from an outside server."""
    import numpy as np
    from PIL import Image

    icon = np.full((32, 32, 3), (26, 152, 80), dtype=np.uint8)
    icon[20:26, 4:28] = 255  # a road
    icon[6:18, 14:18] = 255  # a post
    return Image.fromarray(icon)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:=\"'&")


def md(text) -> str:
    """Text from uploads made inert for Streamlit markdown (headers, captions, alerts):
    every markdown, HTML and directive character is backslash-escaped, so it shows as typed."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))
