"""Issue 18 points 1 and 2, issue 12 point 4: what the deck and the report say, on long names with gaps and photos."""
from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from portfolio import export, formats, meeting, report, views
from portfolio.filters import Filters
from tests.meeting_data import CITY, COUNTY, TOWN, long_name_store

MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|<NA>)\b")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = long_name_store(tmp_path_factory.mktemp("photos"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def decks(db):
    return {name: Presentation(io.BytesIO(meeting.deck_bytes(db, f, unit="阳山县乡村振兴局", meeting_date=date(2026, 11, 12))))
            for name, f in (("town", TOWN), ("county", COUNTY), ("city", CITY))}


def texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
        elif shape.has_text_frame:
            out += shape.text_frame.text.split("\n")
        elif shape.has_chart and shape.chart.has_title:
            out.append(shape.chart.chart_title.text_frame.text)
    return out


def title(slide) -> str:
    return texts(slide)[0]


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text


def test_cover_has_unit_meeting_date_and_scope_and_slides_are_numbered(decks, db):
    cover = " ".join(texts(decks["town"].slides[0]))
    assert "汇报单位：阳山县乡村振兴局" in cover and "会议日期：2026-11-12" in cover and "范围：太平镇（阳山县）" in cover
    default = Presentation(io.BytesIO(meeting.deck_bytes(db, TOWN)))
    assert "汇报单位：阳山县太平镇驻太平镇工作队" in " ".join(texts(default.slides[0]))  # the town's own team
    for prs in decks.values():
        n = len(prs.slides)
        for number, slide in enumerate(list(prs.slides)[1:], start=2):
            assert f"{number} / {n}" in texts(slide)


def test_titles_follow_one_pattern_and_sections_fit_the_scope(decks):
    town = [title(s) for s in list(decks["town"].slides)[1:]]
    assert all(t.startswith("太平镇（阳山县）· ") for t in town)
    assert "太平镇（阳山县）· 各村情况" in town and not any("各镇排名" in t for t in town)  # no one-row ranking
    county = [title(s) for s in list(decks["county"].slides)[1:]]
    assert all(t.startswith(("阳山县 · ", "七拱镇（阳山县）· ", "太平镇（阳山县）· ", "小江镇（阳山县）· ",
                             "大崀镇（阳山县）· ", "黎埠镇（阳山县）· ")) for t in county)
    assert "七拱镇（阳山县）· 项目概况" in county and not any("各村情况" in t for t in county)
    city = [title(s) for s in list(decks["city"].slides)[1:]]
    assert "全部项目 · 各县概况" in city and "阳山县 · 项目概况" in city and "清新区 · 项目概况" in city
    for prs in decks.values():
        for slide in prs.slides:
            assert "无" not in texts(slide)  # no slide that just says 无


def test_summary_has_rates_changes_and_the_all_clear(decks, db):
    summary = texts(decks["county"].slides[1])
    k = views.kpis(db, COUNTY)
    for label, value in (("资金到位率", formats.pct(k.in_place_rate)), ("支出率", formats.pct(k.spent_rate))):
        assert label in summary and value in summary
    assert any(line.startswith("与上期报告相比") for line in summary)
    notes_text = notes(decks["county"].slides[1])
    assert f"已支出（万元）：{formats.wan(k.spent_wan)}" in notes_text and "开工" in notes_text
    # A selection with no late or stalled project says so on the summary, with no list slide.
    clear = Filters(counties=("阳山县",), statuses=("completed",))
    prs = Presentation(io.BytesIO(meeting.deck_bytes(db, clear)))
    assert "无逾期或停滞项目 ✓" in texts(prs.slides[1])
    assert not any("逾期与停滞项目" in title(s) for s in prs.slides)


def test_chart_titles_carry_units_and_footers_only_the_filters_set(decks, db):
    chart_titles = [shape.chart.chart_title.text_frame.text for s in decks["town"].slides for shape in s.shapes
                    if shape.has_chart]
    assert chart_titles == ["计划投资（万元）", "项目数（个）"]
    footer = [t for t in texts(decks["town"].slides[2]) if t.startswith("演示数据")][0]
    assert footer == "演示数据 · 数据日期 2026-11-05 · 筛选：镇（街道）：太平镇（阳山县）"
    assert "全部" not in footer and "项目类别" not in footer
    city_footer = [t for t in texts(decks["city"].slides[2]) if t.startswith("演示数据")][0]
    assert city_footer == "演示数据 · 数据日期 2026-11-05"
    filtered = Presentation(io.BytesIO(meeting.deck_bytes(db, replace(COUNTY, categories=("water_supply",)))))
    assert any(t.endswith("筛选：县（市、区）：阳山县 · 项目类别：供水") for t in texts(filtered.slides[2]))


def test_city_late_list_has_the_county_and_every_page_fits_its_rows(decks, db):
    slides = [s for s in decks["city"].slides if "逾期与停滞项目" in title(s)]
    assert len(slides) == 3 and "（续 1/3）" in title(slides[0])
    rows = []
    for slide in slides:
        grid = next(shape.table for shape in slide.shapes if shape.has_table)
        assert [c.text for c in grid.rows[0].cells][1:4] == ["项目名称", "县（市、区）", "镇（街道）"]
        rows += [[c.text for c in row.cells] for row in list(grid.rows)[1:]]
    att = views.attention(db, CITY, limit=200)
    assert [r[2] for r in rows] == list(att["county"].head(len(rows)))
    assert {r[3] for r in rows if r[3] == "太平镇"} and len({r[2] for r in rows if r[3] == "太平镇"}) == 2
    more = [t for t in texts(slides[-1]) if t.startswith("另有")]
    assert more == [f"另有 {len(att) - len(rows)} 个未列出"]


def test_nothing_prints_nan_none_or_nat(decks, db):
    for prs in decks.values():
        for slide in prs.slides:
            for text in texts(slide) + [notes(slide)]:
                assert not MISSING_WORDS.search(text), text
    for f in (TOWN, COUNTY, CITY):
        html = report.build_report(db, f)
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>|src=\"[^\"]*\"", "", html, flags=re.S))
        assert not MISSING_WORDS.search(visible)
    assert "<td class=nw></td>" in report.build_report(db, TOWN)  # the blank village: an empty cell
    listed = [[c.text for c in row.cells] for s in decks["county"].slides for sh in s.shapes if sh.has_table
              and sh.table.cell(0, 6).text == "计划完工" for row in list(sh.table.rows)[1:]]
    assert any(r[6] == "" for r in listed) and any(r[5] == r[7] == "—" for r in listed)  # no date: blank; no number: —


def test_spent_rounds_once_and_agrees_with_the_export(decks, db):
    rows = views.project_table(db, COUNTY, limit=None)
    exported = pd.read_csv(io.BytesIO(export.to_csv(rows, "zh")), encoding="utf-8-sig")
    for column, label in (("已支出（万元）", "已支出（万元）"), ("计划投资（万元）", "计划投资（万元）")):
        total = formats.wan(round(exported[column].sum(), 9))
        summary = texts(decks["county"].slides[1])
        assert summary[summary.index(label) - 1] == total
        assert f"<b>{total}</b><span>{label}</span>" in report.build_report(db, COUNTY)
    assert formats.wan(2028.6499999999999) == "2,028.7"  # 阳山县's 已支出 in the issue: a float sum rounded once


def test_photo_slide_and_page_show_caption_date_place_and_a_placeholder(decks, db):
    slide = next(s for s in decks["county"].slides if title(s) == "阳山县 · 现场照片")
    pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
    assert len(pictures) == 6
    sizes = sorted(max(p.image.size) for p in pictures)
    assert sizes[0] == 640 and sizes[1:] == [1280] * 5  # the lost file: the placeholder; the rest the 1280 px copies
    lines = texts(slide)
    assert any("照片文件缺失" in line for line in lines)
    assert any(re.search(r"2026-11-0\d · 七拱镇（阳山县）", line) for line in lines)
    assert "七拱镇现场：管道铺设完成" in lines
    html = report.build_report(db, COUNTY)
    page = html[html.index("阳山县 · 现场照片"):]
    assert page.count("<figure>") == 6 and "照片文件缺失" in page and "七拱镇现场：管道铺设完成" in page


def test_extra_sections_are_laid_out_by_both(db):
    rows = tuple((f"村{i}", formats.pct(i / 40)) for i in range(30))
    extra = meeting.Section("村级指标", meeting.Table(("村", "指标"), rows, frozenset({1})), "来自 outcomes")

    def sections(store, filters, as_of, lang):
        return [extra]
    prs = Presentation(io.BytesIO(meeting.deck_bytes(db, TOWN, extra=(sections,))))
    slides = [s for s in prs.slides if "村级指标" in title(s)]
    assert slides and title(slides[0]).startswith("太平镇（阳山县）· 村级指标")
    shown = [c.text for s in slides for sh in s.shapes if sh.has_table for c in list(sh.table.columns and
                                                                                   sh.table.rows)[1].cells][:1]
    assert shown == ["村0"] and "来自 outcomes" in notes(slides[0])
    html = report.build_report(db, TOWN, extra=(sections,))
    assert "<h2>村级指标</h2>" in html and "<td class=nw>村29</td>" in html
