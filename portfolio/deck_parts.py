"""Blocks a slide is made of: a grid of figures, a native bar chart, a grid of site photos.

Charts are native PowerPoint charts (editable in PowerPoint and WPS) with a title that names
the unit. Every block stays inside the box it is given.
"""
from __future__ import annotations

import io

from PIL import Image
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Pt

from portfolio.deck_layout import add_text, fit_size, fit_text, set_fonts, shorten, text_height
from portfolio.meeting import PhotoItem

TITLE_COLOR = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x66, 0x66, 0x66)
OK_GREEN = RGBColor(0x1A, 0x7F, 0x37)


def figure_grid(slide, items: list[tuple[str, str]], x, y, w, h, columns: int = 5, value_pt: float = 28,
                label_pt: float = 13) -> None:
    """(label, value) pairs as a grid: the value large, its label below, `columns` to a row."""
    rows = max(1, -(-len(items) // columns))
    col_w, row_h = int(w / columns), int(h / rows)
    cell_w = col_w - Emu(Pt(8))
    for i, (label, value) in enumerate(items):
        cx, cy = x + col_w * (i % columns), y + row_h * (i // columns)
        size = fit_size(value, cell_w, text_height(1, value_pt), value_pt, 12)
        value_h = text_height(1, size)
        add_text(slide, value, cx, cy, cell_w, value_h, size=size, bold=True, color=TITLE_COLOR)
        label_h = max(row_h - value_h - int(Pt(4)), text_height(1, label_pt))
        add_text(slide, fit_text(label, cell_w, label_h, label_pt), cx, cy + value_h + int(Pt(2)), cell_w,
                 label_h, size=label_pt, color=MUTED)


def bar_chart(slide, categories: list[str], values: list[float], colors: list[str], x, y, w, h, title: str,
              chart_type=XL_CHART_TYPE.BAR_CLUSTERED, number_format: str = "#,##0.0"):
    """A native bar (or column) chart, one colour per bar, values printed, titled with its unit."""
    data = CategoryChartData(number_format=number_format)
    data.categories = categories
    data.add_series(title, values)
    chart = slide.shapes.add_chart(chart_type, x, y, w, h, data).chart
    chart.has_legend = False
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
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


def picture_in(slide, data: bytes, x, y, w, h):
    """A picture scaled to fit the box (aspect kept) and centred in it."""
    with Image.open(io.BytesIO(data)) as im:
        iw, ih = im.size
    scale = min(w / iw, h / ih)
    pw, ph = int(iw * scale), int(ih * scale)
    return slide.shapes.add_picture(io.BytesIO(data), x + (w - pw) // 2, y + (h - ph) // 2, pw, ph)


def photo_grid(slide, items: list[PhotoItem], x, y, w, h, missing_text: str, placeholder: bytes) -> None:
    """Up to six photos, each with its project, date and place, and caption below: one row of up to
    three, two by two for four, three by two for five or six (so that few photos are drawn large)."""
    n = min(len(items), 6)
    columns, rows = (max(n, 1), 1) if n <= 3 else ((2, 2) if n == 4 else (3, 2))
    gap = int(Pt(12))
    cell_w, cell_h = (w - gap * (columns - 1)) // columns, (h - gap * (rows - 1)) // rows
    size = 11
    caption_h = text_height(3, size)
    for i, item in enumerate(items[:columns * rows]):
        cx = x + (cell_w + gap) * (i % columns)
        cy = y + (cell_h + gap) * (i // columns)
        picture_in(slide, item.image or placeholder, cx, cy, cell_w, cell_h - caption_h - int(Pt(4)))
        when = " · ".join(p for p in ((missing_text if item.image is None else ""), item.day, item.place) if p)
        lines = [shorten(item.name, cell_w, size, 1), shorten(when, cell_w, size, 1)]
        lines.append(shorten(item.caption, cell_w, size, 1) if item.caption else "")
        add_text(slide, "\n".join(lines).rstrip("\n"), cx, cy + cell_h - caption_h, cell_w, caption_h, size=size,
                 color=MUTED, align=PP_ALIGN.LEFT)
