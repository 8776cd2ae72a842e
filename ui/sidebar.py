"""The shared sidebar filters: county -> town -> village, category, status, year,
funding source and keyword, with counts beside the values.

Widget state lives in st.session_state under FILTER_KEYS and mirrors into
st.query_params, so a copied link reproduces the view. Changing a county drops
towns and villages that no longer belong (in an on_change callback, before the
child widgets are drawn).
"""
from __future__ import annotations

import streamlit as st

from portfolio import vocab
from portfolio.filters import URL_KEYS, Filters, split_key
from ui import data
from ui.lang import current, tr

# Session-state key of each filter field's widget.
FILTER_KEYS = {
    "counties": "f_counties", "towns": "f_towns", "villages": "f_villages", "categories": "f_categories",
    "statuses": "f_statuses", "years": "f_years", "sources": "f_sources", "keyword": "f_keyword",
}
_INIT_KEY = "filters_from_url"


def _from_state() -> Filters:
    s = st.session_state
    return Filters(
        counties=tuple(s.get(FILTER_KEYS["counties"]) or ()),
        towns=tuple(s.get(FILTER_KEYS["towns"]) or ()),
        villages=tuple(s.get(FILTER_KEYS["villages"]) or ()),
        categories=tuple(s.get(FILTER_KEYS["categories"]) or ()),
        statuses=tuple(s.get(FILTER_KEYS["statuses"]) or ()),
        years=tuple(int(y) for y in (s.get(FILTER_KEYS["years"]) or ())),
        sources=tuple(s.get(FILTER_KEYS["sources"]) or ()),
        keyword=s.get(FILTER_KEYS["keyword"]) or "",
    )


def _to_state(filters: Filters) -> None:
    for name, key in FILTER_KEYS.items():
        value = getattr(filters, name)
        st.session_state[key] = value if name == "keyword" else [str(v) if name == "years" else v for v in value]


def _init_from_url() -> None:
    """On a session's first run, the URL decides the filters."""
    if st.session_state.get(_INIT_KEY):
        return
    params = {key: st.query_params.get_all(key) for key in URL_KEYS}
    _to_state(Filters.from_query_params(params))
    st.session_state[_INIT_KEY] = True


def _drop_orphans() -> None:
    _to_state(_from_state().without_orphans())


def reset_filters() -> None:
    _to_state(Filters())


_PENDING_KEY = "filters_pending"


def set_filters(filters: Filters) -> None:
    """Replace the filters from a page (e.g. a map click narrowing to a town); follow with st.rerun().

    Widget state cannot change once its widget is drawn in a run, so the new filters wait
    in the session and the sidebar takes them at the start of the next run.
    """
    st.session_state[_PENDING_KEY] = filters.without_orphans()


def _apply_pending() -> None:
    pending = st.session_state.pop(_PENDING_KEY, None)
    if pending is not None:
        _to_state(pending)


def _sync_url(filters: Filters) -> None:
    wanted = filters.to_query_params()
    for key in URL_KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        current_value = st.query_params.get_all(key)
        target = value if isinstance(value, list) else [value]
        if current_value != target:
            st.query_params[key] = value


def _options(counts: dict[str, int], selected: list[str], order: list[str] | None = None) -> list[str]:
    """Values with projects, in the given order or by count, plus any selected value (which must stay)."""
    values = [v for v in (order or list(counts)) if counts.get(v)]
    return values + [v for v in selected if v not in values]


def sidebar_filters() -> Filters:
    """Draw the filters in the sidebar; return the current Filters."""
    _init_from_url()
    _apply_pending()
    lang = current()
    filters = _from_state()
    sb = st.sidebar
    sb.subheader(tr("filters"))

    def fmt(counts: dict[str, int], label):
        return lambda v: f"{label(v)} ({counts.get(v, 0):,})"

    counts = data.view("facet_counts", filters, facet="county")
    sb.multiselect(tr("f_county"), _options(counts, list(filters.counties)), key=FILTER_KEYS["counties"],
                   format_func=fmt(counts, lambda v: v), on_change=_drop_orphans, placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="town")
    show_county = len(filters.counties) != 1
    sb.multiselect(tr("f_town"), _options(counts, list(filters.towns)), key=FILTER_KEYS["towns"],
                   format_func=fmt(counts, lambda k: split_key(k)[1] + (f" · {split_key(k)[0]}" if show_county else "")),
                   on_change=_drop_orphans, placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="village")
    sb.multiselect(tr("f_village"), _options(counts, list(filters.villages)), key=FILTER_KEYS["villages"],
                   format_func=fmt(counts, lambda k: split_key(k)[2] + f" · {split_key(k)[1]}"),
                   placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="category")
    sb.multiselect(tr("f_category"), _options(counts, list(filters.categories), list(vocab.CATEGORY_CODES)),
                   key=FILTER_KEYS["categories"], format_func=fmt(counts, lambda c: vocab.label("category", c, lang)),
                   placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="status")
    sb.multiselect(tr("f_status"), _options(counts, list(filters.statuses), list(vocab.STATUS_CODES)),
                   key=FILTER_KEYS["statuses"], format_func=fmt(counts, lambda c: vocab.label("status", c, lang)),
                   placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="year")
    sb.multiselect(tr("f_year"), _options(counts, [str(y) for y in filters.years]), key=FILTER_KEYS["years"],
                   format_func=fmt(counts, str), placeholder=tr("f_all"))

    counts = data.view("facet_counts", filters, facet="source")
    sb.multiselect(tr("f_source"), _options(counts, list(filters.sources), list(vocab.FUND_SOURCE_CODES)),
                   key=FILTER_KEYS["sources"], format_func=fmt(counts, lambda c: vocab.label("source", c, lang)),
                   placeholder=tr("f_all"))

    sb.text_input(tr("f_keyword"), key=FILTER_KEYS["keyword"])
    sb.button(tr("f_reset"), on_click=reset_filters, icon=":material/restart_alt:", width="stretch")

    filters = _from_state()
    _sync_url(filters)
    return filters


def current_filters() -> Filters:
    """The filters as the sidebar left them in this run (pages call this)."""
    _init_from_url()
    return _from_state()
