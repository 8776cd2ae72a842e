"""The meeting pack: deck slides, native charts with the queried values, fonts; the HTML report."""
from __future__ import annotations

import io
import re

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn

from portfolio import demo, geo, meeting, report, views, vocab
from portfolio.filters import Filters
from portfolio.i18n import t

TOWN = Filters(towns=("阳山县/太平镇",))
COUNTY = Filters(counties=("阳山县",))


def charts_of(prs):
    return [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]


def slide_texts(slide) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_town_deck_slides_charts_and_values(demo_store):
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, TOWN)))
    # cover, summary, category, status, 各村情况 (no one-row ranking), late/stalled (no map image given)
    assert len(prs.slides) == 6
    assert "阳山县太平镇" in slide_texts(prs.slides[0]) and "演示数据" in slide_texts(prs.slides[0])
    category_chart, status_chart = charts_of(prs)
    assert category_chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert status_chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    expected = views.by_category(demo_store, TOWN)
    assert list(category_chart.plots[0].categories) == [vocab.label("category", c) for c in expected["category"]]
    assert list(category_chart.series[0].values) == pytest.approx(list(expected["budget_wan"]))
    statuses = views.by_status(demo_store, TOWN)
    assert list(status_chart.series[0].values) == pytest.approx([float(v) for v in statuses["projects"]])
    k = views.kpis(demo_store, TOWN, demo.DEMO_AS_OF)
    assert f"{k.budget_wan:,.1f}" in slide_texts(prs.slides[1])


def test_county_deck_has_a_slide_per_town_and_the_map(demo_store):
    png = _tiny_png()
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, COUNTY, map_png=lambda f: png)))
    towns = views.by_town(demo_store, COUNTY, demo.DEMO_AS_OF)
    assert len(towns) == 5
    titles = [slide_texts(s) for s in prs.slides]
    # The late list paginates: the demo's names are as long as real ones.
    late_pages = sum("逾期与停滞项目" in text for text in titles)
    assert late_pages >= 1
    assert len(prs.slides) == 6 + late_pages + len(towns)  # cover, summary, 2 charts, map, 各镇排名, late list, towns
    for town in towns["town"]:
        assert any(f"{town}（阳山县）" in text for text in titles)
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1
    # Every slide states the data date and filters.
    assert all("2026-10-31" in text for text in titles)


def test_every_text_run_has_an_east_asian_font(demo_store):
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, COUNTY)))
    runs = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            element = shape.chart._chartSpace if shape.has_chart else shape._element
            for run in element.iter(qn("a:r")):
                ea = run.find(qn("a:rPr")).find(qn("a:ea"))
                assert ea is not None and ea.get("typeface") == "微软雅黑"
                runs += 1
    assert runs > 100


def test_report_is_offline_escaped_and_one_section_per_town(demo_store):
    def rename(cur):
        cur.execute("UPDATE projects SET name = $n WHERE project_id = (SELECT min(project_id) FROM projects "
                    "WHERE county = '阳山县' AND status = 'in_progress' AND plan_end < DATE '2026-01-01')",
                    {"n": "<script>alert(1)</script>"})
    demo_store.write(rename)
    html = report.build_report(demo_store, COUNTY)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert html.count("<section>") == 1 + 5
    assert "演示数据" in html and "数据日期 2026-10-31" in html


def test_area_names():
    assert meeting.area_name(TOWN, "zh") == "阳山县太平镇"
    assert meeting.area_name(COUNTY, "zh") == "阳山县"
    assert meeting.area_name(Filters(), "zh") == "全部项目"


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (160, 90), (200, 220, 240)).save(out, format="PNG")
    return out.getvalue()


def test_cli_export_deck_and_ambiguous_town(demo_db_file, tmp_path, capsys):
    from portfolio.cli import main

    out = tmp_path / "taiping.pptx"
    with pytest.raises(SystemExit) as ambiguous:
        main(["export", "--db", str(demo_db_file), "--format", "pptx", "--out", str(out), "--town", "太平镇"])
    assert "清新区、阳山县" in str(ambiguous.value)
    assert main(["export", "--db", str(demo_db_file), "--format", "pptx", "--out", str(out),
                 "--town", "太平镇", "--county", "清新区"]) == 0
    prs = Presentation(str(out))
    # 7 slides of the projects, plus the village indicators' slide the CLI adds (outcomes.meeting)
    assert len(prs.slides) == 8 and "清新区太平镇" in slide_texts(prs.slides[0])
    assert sum("村级指标" in slide_texts(slide) for slide in prs.slides) == 1
    map_slide = prs.slides[4]
    assert "项目分布图" in slide_texts(map_slide)
    picture = next(sh for sh in map_slide.shapes if sh.shape_type == 13)
    assert picture.image.size[0] >= 1200  # a real rendered map, not a placeholder
    county_out = tmp_path / "lianzhou.pptx"
    assert main(["export", "--db", str(demo_db_file), "--format", "pptx", "--out", str(county_out),
                 "--county", "连州市", "--no-map"]) == 0
    county_slides = [slide_texts(s) for s in Presentation(str(county_out)).slides]
    late_pages = sum("逾期与停滞项目" in text for text in county_slides)  # paginated: long demo names
    assert late_pages >= 1
    assert len(county_slides) == 5 + late_pages + 4 + 1  # 4 assisted towns in 连州市, indicators


def test_town_page_choose_a_town_then_show_it(app):
    at = app.run()
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    at.selectbox[0].set_value("town:阳山县/太平镇").run()
    assert not at.exception
    assert at.multiselect(key="f_towns").value == ["阳山县/太平镇"]
    assert any(h.value == "阳山县太平镇" for h in at.header)
    labels = {m.label: m.value for m in at.metric}
    assert labels["项目数"] == "24"
    assert "新增项目" in labels  # changes since the previous report
    assert len(at.get("plotly_chart")) == 2
    maps = at.get("deck_gl_json_chart")
    assert len(maps) == 1 and "太平镇" in maps[0].proto.json  # the shared map component, on this town


def test_town_page_for_a_county_from_the_url(app):
    app.query_params["county"] = "连南瑶族自治县"
    at = app.run()
    at.switch_page("app_pages/towns.py").run()
    assert not at.exception
    assert any(h.value == "连南瑶族自治县" for h in at.header)
    # the villages' project table (the page also shows the village indicators above it)
    villages = next(d.value for d in at.dataframe if "town" in d.value.columns)
    assert set(villages["town"]) == {"寨岗镇", "大麦山镇", "三江镇"}


# Missing values, same-named towns, the demo mark (issues 18 and 10) --------------------------------------
MISSING_WORDS = re.compile(r"^(nan|NaN|None|NaT|<NA>)$")


def _blank_some_late_projects(db) -> None:
    """Late projects in 阳山县 lose their village, progress, budget and one its plan end (as real sheets have)."""
    def blank(cur):
        cur.execute("UPDATE projects SET village = NULL, progress_pct = NULL, budget_wan = NULL "
                    "WHERE county = '阳山县' AND plan_end < DATE '2026-10-31' AND status = 'in_progress'")
    db.write(blank)


def _deck_cells(prs) -> list[str]:
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
            elif shape.has_text_frame:
                texts += shape.text_frame.text.split("\n")
    return texts


def test_missing_values_never_print_as_nan_none_or_nat(demo_store):
    _blank_some_late_projects(demo_store)
    attention = views.attention(demo_store, COUNTY, demo.DEMO_AS_OF, limit=200)
    assert attention["village"].isna().any() and attention["budget_wan"].isna().any()
    html = report.build_report(demo_store, COUNTY)
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", html)
    assert cells and not [c for c in cells if MISSING_WORDS.match(c.strip())]
    assert ">nan<" not in html and ">None<" not in html and ">NaT<" not in html
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, COUNTY)))
    texts = _deck_cells(prs)
    assert texts and not [c for c in texts if MISSING_WORDS.match(c.strip())]
    table = meeting.attention_table(attention.head(5), "zh", village=True)
    village = table.header.index("村")
    assert {row[village] for row in table.rows} == {""}
    assert {row[-1] for row in table.rows} == {"—"}  # no budget: a dash


def test_deck_and_report_show_each_town_with_its_county(demo_store):
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, Filters())))
    attention_slide = next(s for s in prs.slides if "逾期与停滞" in slide_texts(s) and any(
        shape.has_table for shape in s.shapes))
    grid = next(shape.table for shape in attention_slide.shapes if shape.has_table)
    header = [cell.text for cell in grid.rows[0].cells]
    assert header[2:4] == [t("c_county"), t("c_town")]
    counties = {grid.cell(i, 2).text for i in range(1, len(grid.rows))}
    assert counties and counties <= {town.county for town in geo.towns()}
    html = report.build_report(demo_store, Filters())
    first_table = html[html.index("逾期与停滞"):]
    assert f"<th>{header[2]}</th><th>{header[3]}</th>" in first_table


def test_deck_and_report_carry_the_demo_mark_only_for_demo_data(demo_store, seed_store):
    for db, marked in ((demo_store, True), (seed_store, False)):
        prs = Presentation(io.BytesIO(meeting.deck_bytes(db, Filters())))
        assert all(("演示数据" in slide_texts(s)) is marked for s in prs.slides)
        assert ("演示数据" in report.build_report(db, Filters())) is marked


def test_deck_and_report_build_the_kpis_and_ranking_from_one_model(demo_store):
    content = meeting.collect(demo_store, COUNTY)
    items = meeting.kpi_items(content.kpis, "zh")
    ranking = meeting.ranking_table(content.towns, "zh")
    prs = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, COUNTY)))
    html = report.build_report(demo_store, COUNTY)
    kpi_slide = slide_texts(prs.slides[1])
    for label, value in items:
        assert value in kpi_slide and label in kpi_slide
        assert f"<b>{value}</b><span>{label}</span>" in html
    deck_ranking = next(shape.table for s in prs.slides for shape in s.shapes
                        if shape.has_table and shape.table.cell(0, 0).text == ranking.header[0]
                        and shape.table.cell(0, 2).text == ranking.header[2])
    assert [[c.text for c in row.cells] for row in list(deck_ranking.rows)[1:]] == [list(r) for r in ranking.rows]
    for row in ranking.rows:
        assert "".join(f"<td{report.cell_class(ranking, j)}>{v}</td>" for j, v in enumerate(row)) in html
