"""Missing values never print as nan, None or NaT (issue 18, point 1): a project with no village, no
dates and no money, through the exports, the map (tooltips, detail panel, picture page) and every page."""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from portfolio import export, map_export, maps, views
from portfolio.filters import Filters
from portfolio.store import Store
from tests.conftest import sign_in
from tests.seed import AS_OF, insert_projects

SPARSE_ID, SPARSE_NAME = "SPARSE-1", "缺值测试项目"
# Words a missing value turns into when it is printed raw.
RAW_MISSING = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|<NA>|null)(?![A-Za-z])")


def add_sparse(db: Store, town: str = "七拱镇") -> None:
    """A planned project with nothing but a name and a place: no village, dates, money or coordinates."""
    insert_projects(db, pd.DataFrame([dict(project_id=SPARSE_ID, name=SPARSE_NAME, county="阳山县", town=town)]))


def raw_missing(text: str) -> list[str]:
    return RAW_MISSING.findall(text)


@pytest.fixture
def sparse_store(seed_store):
    add_sparse(seed_store)
    return seed_store


# Exports ------------------------------------------------------------------------------------------
def test_csv_and_xlsx_leave_missing_cells_empty(sparse_store):
    table = views.project_table(sparse_store, Filters(keyword=SPARSE_NAME), AS_OF, limit=None)
    assert list(table["project_id"]) == [SPARSE_ID]
    for lang in ("zh", "en"):
        text = export.to_csv(table, lang).decode("utf-8-sig")
        assert raw_missing(text) == [], text
        book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(table, lang, note="x")))
        cells = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value is not None]
        assert SPARSE_NAME in cells and not raw_missing(" ".join(map(str, cells)))
        row = dict(zip([c.value for c in book.worksheets[0][1]], [c.value for c in book.worksheets[0][2]]))
        assert row[export.t("c_village", lang)] is None and row[export.t("c_budget_wan", lang)] is None


# The map ------------------------------------------------------------------------------------------
def _strings(spec) -> str:
    """Every text a deck shows: tooltip headings and bodies, labels."""
    out = []
    for layer in spec["layers"]:
        data = layer.get("data")
        if isinstance(data, list):
            out += [str(row.get(k, "")) for row in data if isinstance(row, dict) for k in ("h", "b", "t")]
    return "\n".join(out)


@pytest.mark.parametrize("options", [maps.MapOptions(), maps.MapOptions(point_limit=0),
                                     maps.MapOptions(layer="indicator", indicator="finish_rate"),
                                     maps.MapOptions(layer="indicator", indicator="budget_wan")],
                         ids=["points", "towns", "finish_rate", "budget"])
def test_map_tooltips_and_labels_print_no_raw_missing_value(sparse_store, options):
    only = Filters(counties=("阳山县",))
    for for_html in (False, True):
        result = maps.build(maps.load(sparse_store, only, AS_OF, options.layer, options.point_limit), options,
                            for_html=for_html)
        text = _strings(json.loads(result.deck.to_json()))
        assert not raw_missing(text), text
    if options.layer == "projects" and options.point_limit:
        assert SPARSE_NAME in text  # drawn at its town's point, in the tooltip
    result, title, subtitle = map_export.filters_map(sparse_store, only, AS_OF, options=options)
    page = map_export.standalone_html(result.deck, title, result.legend, subtitle)
    visible = page.split("<script>", 1)[0] + page.rsplit("</script>", 1)[-1]
    assert not raw_missing(visible + _strings(json.loads(result.deck.to_json())))


# Pages --------------------------------------------------------------------------------------------
def _page_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "text", "info", "warning", "error",
                 "success", "metric", "code", "latex"):
        for element in at.get(kind):
            parts.append(str(getattr(element, "value", "")) + " " + str(getattr(element, "label", "")))
    parts += [str(e.proto.body) for e in at.get("html")]
    for chart in at.get("deck_gl_json_chart"):
        parts.append(_strings(json.loads(chart.proto.json)))
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for key in ("text", "hovertext", "customdata", "x", "y", "labels"):
                value = trace.get(key)
                if isinstance(value, list):
                    parts.append(" ".join(map(str, value)))
    return "\n".join(parts)


def _tables_show_missing_as_blank(at) -> None:
    """Streamlit's grid writes "None" into an empty cell unless the table names a placeholder; and no
    cell may hold the word itself (a value formatted with str())."""
    for frame in at.dataframe:
        assert frame.proto.HasField("placeholder") and not raw_missing(frame.proto.placeholder), frame.value.columns
        cells = frame.value.astype(object).where(frame.value.notna(), "").astype(str)
        words = [v for v in cells.to_numpy().ravel() if raw_missing(v)]
        assert not words, words[:5]


PAGES = ["app_pages/overview.py", "app_pages/projects.py", "app_pages/map.py", "app_pages/towns.py",
         "app_pages/upload.py", "app_pages/audit_log.py", "app_pages/users.py"]


@pytest.fixture
def sparse_app(demo_db_file, monkeypatch):
    db = Store(demo_db_file)
    add_sparse(db)
    db.close()
    monkeypatch.setenv("PORTFOLIO_DB", str(demo_db_file))
    st.cache_data.clear()
    st.cache_resource.clear()
    from tests.conftest import ROOT

    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES)
def test_pages_print_no_raw_missing_value(sparse_app, page):
    at = sparse_app
    at.query_params["town"] = "阳山县/七拱镇"
    at.query_params["county"] = "阳山县"
    at.run()
    sign_in(at)
    at.run()
    at.switch_page(page).run()
    if page == "app_pages/map.py":  # the list of projects without coordinates of their own
        at.toggle(key="map_w_list").set_value(True).run()
        assert SPARSE_NAME in set(at.dataframe[0].value["name"])
    assert not at.exception, [e.value for e in at.exception]
    text = _page_text(at)
    assert not raw_missing(text), [line for line in text.splitlines() if raw_missing(line)][:5]
    _tables_show_missing_as_blank(at)


def test_project_detail_and_map_detail_of_the_sparse_project(sparse_app, monkeypatch):
    at = sparse_app
    at.run()
    at.switch_page("app_pages/projects.py").run()
    at.query_params["project"] = SPARSE_ID
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = _page_text(at)
    assert SPARSE_NAME in text
    assert not raw_missing(text), [line for line in text.splitlines() if raw_missing(line)][:5]
    _tables_show_missing_as_blank(at)
    monkeypatch.setenv("DETAIL_PROJECT", SPARSE_ID)
    from tests.test_map_detail_photos import _detail_script

    at = AppTest.from_function(_detail_script, default_timeout=60).run()
    assert not at.exception
    text = _page_text(at)
    assert SPARSE_NAME in text and not raw_missing(text), text
