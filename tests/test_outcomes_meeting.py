"""The meeting pack's indicator slide/page content."""
from __future__ import annotations

from portfolio import demo
from portfolio.filters import Filters
from portfolio.meeting import Table
from portfolio.outcomes import meeting, views
from tests.test_outcomes_views import TAIPING, _import


def test_indicator_page_for_an_imported_town(mem_store):
    _import(mem_store)
    page = meeting.indicator_page(mem_store, TAIPING, demo.DEMO_AS_OF)
    assert page.title == "阳山县太平镇村级指标 · 2026-10"
    assert isinstance(page.table, Table)
    assert page.table.header == ("指标", "值", "目标", "差距", "较上期", "未达标村数")
    rows = {r[0]: r for r in page.table.rows}
    # 460 of 600 households against a 100/100/95 target weighted by households: (300+200+95)/600.
    assert rows["无害化卫生户厕普及率"][1:4] == ("76.7%", "99.2%", "22.5 个百分点")
    assert rows["无害化卫生户厕普及率"][4] == "" and rows["无害化卫生户厕普及率"][5] == "3"
    assert rows["美丽乡村创建等级"][1] == "2 个村"
    assert "nan" not in repr(page) and "None" not in repr(page.table)
    # The sheet gives 生活污水治理率 as percentages only: weighted by households, and said so.
    assert page.notes[0] == "生活污水治理率：部分村只报了百分比，合计按户数加权计算。"
    # No project moves these villages' rates in an empty library: every short village is listed.
    assert page.notes[1].startswith("全部计划项目完工后仍达不到2026年目标：3 个村")


def test_no_page_without_values(mem_store):
    assert meeting.indicator_page(mem_store, Filters(), demo.DEMO_AS_OF) is None


def test_demo_page_counts_agree_with_still_missing(demo_store):
    page = meeting.indicator_page(demo_store, Filters(counties=("阳山县",)), demo.DEMO_AS_OF, lang="en")
    assert page.title.endswith("village indicators · 2026-10")
    n = views.still_missing(demo_store, Filters(counties=("阳山县",)), demo.DEMO_AS_OF)["village"].nunique()
    assert f": {n} villages" in page.notes[-1]


def test_the_deck_and_the_report_carry_the_indicator_section(demo_store):
    from portfolio import meeting, report
    from portfolio.filters import Filters
    from portfolio.outcomes.meeting import indicator_sections
    from pptx import Presentation
    import io

    filters = Filters(counties=("阳山县",))
    as_of = meeting.views.data_date(demo_store)
    sections = indicator_sections(demo_store, filters, as_of, "zh")
    assert len(sections) == 1 and sections[0].title.startswith("阳山县")
    rows = sections[0].table.rows
    assert rows and all(len(r) == len(sections[0].table.header) for r in rows)
    deck = Presentation(io.BytesIO(meeting.deck_bytes(demo_store, filters, "zh", extra=(indicator_sections,))))
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    assert any(sections[0].title in text for text in texts)
    html = report.build_report(demo_store, filters, "zh", extra=(indicator_sections,))
    assert sections[0].title in html and rows[0][0] in html
