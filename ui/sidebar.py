"""The shared sidebar filters: county -> town -> village, category, status, 逾期/停滞 flags,
year, funding source and keyword, with counts beside the values.

Widget state, the URL and Filters hold keys (county names, county/town keys, codes),
never labels. Streamlit sends a multiselect's value over the wire as its formatted
labels and maps them back through the options of the run that reads them; a label
carries a facet count, so when another filter changes the counts the old label
("英德市 (77)") matches no option and Streamlit keeps the label itself as the value.
So each run reads the keys (mapped through the previous run's options) and writes them
back into session state before drawing the widget: the widget then takes the keys and
sends the browser the fresh labels. Keys not in the library are dropped.

The state mirrors into st.query_params, so a copied link reproduces the view; a URL
that changes outside the app (browser back, a pasted link) is read back. Changing a
county drops towns and villages that no longer belong (in an on_change callback,
before the child widgets are drawn).
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from portfolio import vocab
from portfolio.formats import count
from portfolio.filters import FLAG_CODES, UNPLACED, URL_KEYS, Filters, parse_years, split_key
from ui import data, run_memo
from ui.lang import current, tr

# Session-state key of each filter field's widget.
FILTER_KEYS = {
    "counties": "f_counties", "towns": "f_towns", "villages": "f_villages", "categories": "f_categories",
    "statuses": "f_statuses", "flags": "f_flags", "years": "f_years", "sources": "f_sources",
    "keyword": "f_keyword",
}
_INIT_KEY = "filters_from_url"
_URL_WRITTEN_KEY = "filters_url_written"  # the filter params this session last wrote into the URL


def _from_state() -> Filters:
    s = st.session_state

    def values(name: str) -> tuple:
        raw = s.get(FILTER_KEYS[name]) or ()
        return tuple(v for v in raw if isinstance(v, str))

    years = parse_years(values("years"))
    keyword = s.get(FILTER_KEYS["keyword"])
    return Filters(
        counties=values("counties"), towns=values("towns"), villages=values("villages"),
        categories=tuple(c for c in values("categories") if c in vocab.CATEGORY_BY_CODE),
        statuses=tuple(c for c in values("statuses") if c in vocab.STATUS_BY_CODE),
        years=years,
        sources=tuple(c for c in values("sources") if c in vocab.FUND_SOURCE_CODES),
        keyword=keyword if isinstance(keyword, str) else "",
        flags=tuple(c for c in values("flags") if c in FLAG_CODES),
    )


def _to_state(filters: Filters) -> None:
    for name, key in FILTER_KEYS.items():
        value = getattr(filters, name)
        st.session_state[key] = value if name == "keyword" else [str(v) if name == "years" else v for v in value]


def _url_filter_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in sorted(URL_KEYS) if st.query_params.get_all(key)}


def _init_from_url() -> None:
    """On a session's first run the URL decides the filters; later, a URL that carries filters
    other than the ones this session wrote (browser back, a link opened in the session) does."""
    from_url = _url_filter_params()
    if st.session_state.get(_INIT_KEY) and (not from_url or from_url == st.session_state.get(_URL_WRITTEN_KEY)):
        return  # a page switch drops the query string: the session's filters stay
    _to_state(Filters.from_query_params(from_url))
    st.session_state[_INIT_KEY] = True
    st.session_state[_URL_WRITTEN_KEY] = from_url


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
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in filters.to_query_params().items()}
    for key in URL_KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get_all(key) != value:
            st.query_params[key] = value
    st.session_state[_URL_WRITTEN_KEY] = {k: wanted[k] for k in sorted(wanted)}


def _options(counts: dict[str, int], selected: list[str], order: list[str] | None = None) -> list[str]:
    """Values with projects, in the given order or by count, plus any selected value (which must stay)."""
    values = [v for v in (order or list(counts)) if counts.get(v)]
    return values + [v for v in selected if v not in values]


def place_label(key: str, lang: str | None = None) -> str:
    """A county, town or village key as people read it, with its county ("太平镇 · 阳山县")."""
    if key == UNPLACED:
        return tr("unplaced")
    return " · ".join(part for part in reversed(split_key(key)) if part)


def _facet(field: str, facet: str, filters: Filters, as_of, label_key: str, label: Callable[[str], str],
           order: list[str] | None = None, valid: set[str] | None = None, on_change=None) -> None:
    """One multiselect over key values, labelled with counts that are display only."""
    key = FILTER_KEYS[field]
    counts, valid, labels = _facet_values(filters, facet, as_of, label, valid)
    selected = [v for v in (st.session_state.get(key) or []) if isinstance(v, str) and v in valid]
    st.session_state[key] = selected  # keys, re-asserted: see the module docstring
    st.sidebar.multiselect(tr(label_key), _options(counts, selected, order), key=key,
                           format_func=lambda v: labels.get(v) or f"{label(v)} ({count(0)})", on_change=on_change,
                           placeholder=tr("f_all"), select_all=False)  # its "Select N matches" is English only


def _facet_values(filters: Filters, facet: str, as_of, label: Callable[[str], str],
                  valid: set[str] | None) -> tuple[dict[str, int], set[str], dict[str, str]]:
    """A facet's counts, its valid keys and its option labels, kept by the session between reruns
    (a rerun with the same filters and data redraws the sidebar without asking the caches 16 times)."""
    def compute():
        counts = data.facet_counts(filters, facet, as_of)
        keys = valid if valid is not None else set(data.facet_counts(Filters(), facet, as_of))
        return counts, keys, {v: f"{label(v)} ({count(n)})" for v, n in counts.items()}

    version = run_memo.data_version(data.store())
    return run_memo.session_memo(f"facet_{facet}", (version, filters, as_of, current()), compute)


def sidebar_filters() -> Filters:
    """Draw the filters in the sidebar; return the current Filters."""
    _init_from_url()
    _apply_pending()
    lang = current()
    as_of = data.data_date()
    sb = st.sidebar
    sb.subheader(tr("filters"))

    def filters() -> Filters:
        return _from_state()

    _facet("counties", "county", filters(), as_of, "f_county", place_label, on_change=_drop_orphans)
    _facet("towns", "town", filters(), as_of, "f_town", place_label, on_change=_drop_orphans)
    _facet("villages", "village", filters(), as_of, "f_village", place_label)
    _facet("categories", "category", filters(), as_of, "f_category",
           lambda c: vocab.label("category", c, lang), list(vocab.CATEGORY_CODES), set(vocab.CATEGORY_CODES))
    _facet("statuses", "status", filters(), as_of, "f_status",
           lambda c: vocab.label("status", c, lang), list(vocab.STATUS_CODES), set(vocab.STATUS_CODES))
    _facet("flags", "flag", filters(), as_of, "f_flag", lambda c: tr(f"flag_{c}"), list(FLAG_CODES),
           set(FLAG_CODES))
    _facet("years", "year", filters(), as_of, "f_year", str)
    _facet("sources", "source", filters(), as_of, "f_source",
           lambda c: vocab.label("source", c, lang), list(vocab.FUND_SOURCE_CODES), set(vocab.FUND_SOURCE_CODES))

    sb.text_input(tr("f_keyword"), key=FILTER_KEYS["keyword"])
    sb.button(tr("f_reset"), on_click=reset_filters, icon=":material/restart_alt:", width="stretch")

    result = _from_state()
    _sync_url(result)
    return result


def current_filters() -> Filters:
    """The filters as the sidebar left them in this run (pages call this)."""
    _init_from_url()
    return _from_state()
