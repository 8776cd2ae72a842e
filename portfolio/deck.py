"""The meeting deck (.pptx) for a selection: cover, KPIs, native charts, map, rankings, lists.

Charts are native PowerPoint charts (editable in PowerPoint and WPS). Every text run
carries an East Asian font (微软雅黑) with the GB2312 charset hint, so that Chinese
renders in PowerPoint and WPS, and LibreOffice substitutes a CJK font when it lacks it.
"""
from __future__ import annotations

import io
from datetime import datetime

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from portfolio import vocab
from portfolio.i18n import t
from portfolio.meeting import DeckContent, Table, attention_table, kpi_items, ranking_table
from portfolio.views import Kpis

EA_FONT = "微软雅黑"
LATIN_FONT = "Microsoft YaHei"
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
TITLE_COLOR = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x66, 0x66, 0x66)
MAX_LIST_ROWS = 15


def set_fonts(text_frame_or_run_parent) -> None:
    """Give every run below this element a latin and an East Asian typeface."""
    element = getattr(text_frame_or_run_parent, "_element", text_frame_or_run_parent)
    for rpr_tag in ("a:rPr", "a:defRPr", "a:endParaRPr"):
        for rpr in element.iter(qn(rpr_tag)):
            _set_typefaces(rpr)
    for run in element.iter(qn("a:r")):
        if run.find(qn("a:rPr")) is None:
            rpr = etree.Element(qn("a:rPr"))
            run.insert(0, rpr)
            _set_typefaces(rpr)


def _set_typefaces(rpr) -> None:
    latin = rpr.find(qn("a:latin"))
    if latin is None:
        latin = etree.SubElement(rpr, qn("a:latin"))
    latin.set("typeface", LATIN_FONT)
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = etree.Element(qn("a:ea"))
        latin.addnext(ea)
    ea.set("typeface", EA_FONT)
    ea.set("pitchFamily", "34")
    ea.set("charset", "-122")  # GB2312: lets the application substitute another Chinese font
    # Schema order inside rPr: ... latin, ea, cs, sym, hlinkClick ...: move the pair before anything later.
    for later in ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"):
        node = rpr.find(qn(later))
        if node is not None:
            node.addprevious(latin)
            latin.addnext(ea)
            break


def _text(slide, text: str, x, y, w, h, size: int = 18, bold: bool = False, color: RGBColor | None = None,
          align=PP_ALIGN.LEFT):
    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = True
    lines = text.split("\n")
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
    set_fonts(box.text_frame)
    return box


def _slide(prs, title: str, content: DeckContent, lang: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    _text(slide, title, Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8), size=30, bold=True, color=TITLE_COLOR)
    footer = t("deck_footer", lang, date=content.as_of.isoformat(), filters=content.filters_text.replace("\n", " · "))
    if content.is_demo:
        footer = f"{t('demo_badge', lang)} · {footer}"
    _text(slide, footer, Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.4), size=10, color=MUTED)
    return slide


def _kpi_grid(slide, k: Kpis, lang: str, top=Inches(1.4), size: int = 30, row_h=Inches(2.4)) -> None:
    items = kpi_items(k, lang)
    col_w = Inches(3.05)
    value_h = int(row_h * 0.45)
    for i, (label, value) in enumerate(items):
        x = Inches(0.5) + col_w * (i % 4)
        y = top + row_h * (i // 4)
        _text(slide, value, x, y, col_w - Inches(0.1), value_h, size=size, bold=True, color=TITLE_COLOR)
        _text(slide, label, x, y + value_h, col_w - Inches(0.1), Inches(0.5), size=14, color=MUTED)


def _bar_chart(slide, categories: list[str], values: list[float], colors: list[str], x, y, w, h,
               chart_type=XL_CHART_TYPE.BAR_CLUSTERED, series_name: str = "", number_format: str = "#,##0.0"):
    data = CategoryChartData(number_format=number_format)
    data.categories = categories
    data.add_series(series_name, values)
    chart = slide.shapes.add_chart(chart_type, x, y, w, h, data).chart
    chart.has_legend = False
    chart.has_title = False  # the slide title says what it shows
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = number_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.vary_by_categories = False
    plot.gap_width = 60
    for point, color in zip(plot.series[0].points, colors):
        point.format.fill.solid()
        point.format.fill.fore_color.rgb = RGBColor.from_string(color.lstrip("#").upper())
    if chart_type == XL_CHART_TYPE.BAR_CLUSTERED:
        chart.category_axis.reverse_order = True  # first category on top, as in the dashboard
    chart.font.size = Pt(12)
    set_fonts(chart._chartSpace)
    return chart


def _table(slide, table: Table, x, y, w, col_widths: list[float], size: int = 11):
    shape = slide.shapes.add_table(len(table.rows) + 1, len(table.header), x, y, w,
                                   Inches(0.3) * (len(table.rows) + 1))
    grid = shape.table
    for j, width in enumerate(col_widths):
        grid.columns[j].width = Emu(int(w * width))
    for j, title in enumerate(table.header):
        grid.cell(0, j).text = title
    for i, row in enumerate(table.rows, start=1):
        for j, value in enumerate(row):
            grid.cell(i, j).text = value
    for cell in (grid.cell(i, j) for i in range(len(table.rows) + 1) for j in range(len(table.header))):
        for para in cell.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(size)
        set_fonts(cell.text_frame)
    return grid


def build_deck(content: DeckContent, lang: str = "zh") -> bytes:
    """The deck as .pptx bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H

    # Cover.
    cover = prs.slides.add_slide(prs.slide_layouts[6])
    _text(cover, t("deck_title", lang), Inches(0.8), Inches(2.0), Inches(11.7), Inches(1.2), size=44, bold=True,
          color=TITLE_COLOR)
    _text(cover, content.area, Inches(0.8), Inches(3.2), Inches(11.7), Inches(0.9), size=32)
    lines = [t("data_date", lang, date=content.as_of.isoformat()), content.filters_text.replace("\n", " · "),
             t("deck_generated", lang, time=datetime.now().strftime("%Y-%m-%d %H:%M"))]
    _text(cover, "\n".join(lines), Inches(0.8), Inches(4.3), Inches(11.7), Inches(1.6), size=14, color=MUTED)
    if content.is_demo:
        _text(cover, t("demo_badge", lang), Inches(10.8), Inches(0.5), Inches(2.0), Inches(0.6), size=20, bold=True,
              color=RGBColor(0xD5, 0x5E, 0x00), align=PP_ALIGN.RIGHT)

    # KPIs.
    _kpi_grid(_slide(prs, f"{content.area} · {t('deck_kpis', lang)}", content, lang), content.kpis, lang)

    # Category and status as native charts.
    slide = _slide(prs, t("deck_by_category", lang), content, lang)
    cats = content.by_category
    _bar_chart(slide, [vocab.label("category", c, lang) for c in cats["category"]],
               [float(v) for v in cats["budget_wan"]], [vocab.category_color(c) for c in cats["category"]],
               Inches(0.5), Inches(1.2), Inches(12.3), Inches(5.6), series_name=t("metric_budget", lang))
    slide = _slide(prs, t("deck_by_status", lang), content, lang)
    stats = content.by_status
    _bar_chart(slide, [vocab.label("status", s, lang) for s in stats["status"]],
               [float(v) for v in stats["projects"]], [vocab.status_color(s) for s in stats["status"]],
               Inches(0.5), Inches(1.2), Inches(12.3), Inches(5.6), chart_type=XL_CHART_TYPE.COLUMN_CLUSTERED,
               series_name=t("metric_projects", lang), number_format="#,##0")

    # Map image (with its legend drawn in).
    if content.map_png:
        slide = _slide(prs, t("deck_map", lang), content, lang)
        pic = slide.shapes.add_picture(io.BytesIO(content.map_png), Inches(0.5), Inches(1.15), height=Inches(5.7))
        if pic.width > Inches(12.3):  # keep inside the slide whatever the image's aspect
            ratio = Inches(12.3) / pic.width
            pic.width, pic.height = Inches(12.3), int(pic.height * ratio)
        pic.left = int((SLIDE_W - pic.width) / 2)

    # Town ranking.
    slide = _slide(prs, t("deck_ranking", lang), content, lang)
    towns = content.towns.head(MAX_LIST_ROWS)
    _table(slide, ranking_table(towns, lang), Inches(0.5), Inches(1.2), Inches(12.3),
           [0.2, 0.18, 0.1, 0.16, 0.12, 0.12, 0.12])
    if len(content.towns) > MAX_LIST_ROWS:
        _text(slide, t("deck_more", lang, n=len(content.towns) - MAX_LIST_ROWS), Inches(0.5), Inches(6.5),
              Inches(8), Inches(0.4), size=11, color=MUTED)

    # Late and stalled.
    slide = _slide(prs, t("deck_attention", lang), content, lang)
    att = content.attention.head(MAX_LIST_ROWS)
    if att.empty:
        _text(slide, t("deck_none", lang), Inches(0.5), Inches(1.4), Inches(6), Inches(0.6), size=20)
    else:
        _table(slide, attention_table(att, lang), Inches(0.5), Inches(1.2), Inches(12.3),
               [0.09, 0.31, 0.09, 0.1, 0.09, 0.08, 0.12, 0.12], size=10)
        if len(content.attention) > MAX_LIST_ROWS:
            _text(slide, t("deck_more", lang, n=len(content.attention) - MAX_LIST_ROWS), Inches(0.5), Inches(6.5),
                  Inches(8), Inches(0.4), size=11, color=MUTED)

    # One slide per town of a county.
    for section in content.town_sections:
        slide = _slide(prs, t("deck_town", lang, town=f"{section.town}（{section.county}）"), content, lang)
        _kpi_grid(slide, section.kpis, lang, top=Inches(1.1), size=22, row_h=Inches(1.35))
        cats = section.by_category
        if not cats.empty:
            _bar_chart(slide, [vocab.label("category", c, lang) for c in cats["category"]],
                       [float(v) for v in cats["budget_wan"]], [vocab.category_color(c) for c in cats["category"]],
                       Inches(0.5), Inches(3.9), Inches(12.3), Inches(3.0),
                       chart_type=XL_CHART_TYPE.COLUMN_CLUSTERED, series_name=t("metric_budget", lang))

    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
