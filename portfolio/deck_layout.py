"""Laying text out on a slide: fonts, text boxes, and tables that fit their slide at any name length.

python-pptx places shapes but measures nothing, and a table row grows in PowerPoint and
LibreOffice until its text fits, over whatever lies below it. So the text is measured here,
on the safe side: a CJK character is one em wide, any other character 0.6 em, a line 1.5 em
high (Noto Sans CJK, which LibreOffice puts in for 微软雅黑, is about 1.45 em). Column widths
follow their content; cells longer than `MAX_LINES` lines are shortened with "…" (the full text
goes into the speaker notes); rows are set to the height their text needs and paged over
several slides.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from lxml import etree
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

EA_FONT = "微软雅黑"
LATIN_FONT = "Microsoft YaHei"
LINE_EM = 1.5  # line height in em, LibreOffice's CJK fallback included
NARROW_EM = 0.6  # width of a latin letter, digit or punctuation mark, in em
CELL_MARGIN_X, CELL_MARGIN_Y = Pt(4), Pt(3)
WRAP_SLACK_EM = 0.8  # a line holds this much less than its width: LibreOffice breaks lines before the edge
MAX_LINES = 2  # a cell of a column the table lets shorten (a project name) wraps to two lines at most
OTHER_MAX_LINES = 4  # any other cell: a guard, so that no row outgrows its slide
HEADER_FILL = RGBColor(0x1F, 0x3A, 0x5F)
BAND_FILL = RGBColor(0xEE, 0xF3, 0xF8)


def set_fonts(text_frame_or_run_parent) -> None:
    """Give every run below this element a latin and an East Asian typeface (微软雅黑 with the GB2312
    charset hint, so that PowerPoint and WPS render Chinese and LibreOffice substitutes a CJK font)."""
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


# Measuring ------------------------------------------------------------------------------------
def char_em(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else NARROW_EM


def text_em(text: str) -> float:
    """Width of one line of text, in em."""
    return sum(char_em(ch) for ch in text)


def lines_needed(text: str, width: int, size: float) -> int:
    """Lines `text` takes in a box `width` EMU wide at `size` pt (each paragraph wraps on its own)."""
    per_line = max(Emu(width).pt / size - WRAP_SLACK_EM, 1.0)
    return sum(max(1, math.ceil(text_em(para) / per_line - 1e-9)) for para in text.split("\n"))


def text_height(lines: int, size: float) -> int:
    """EMU that `lines` lines of `size` pt need."""
    return int(Pt(lines * size * LINE_EM))


def shorten(text: str, width: int, size: float, max_lines: int = MAX_LINES) -> str:
    """`text` cut with "…" so that it takes at most `max_lines` lines of `width` EMU at `size` pt."""
    if lines_needed(text, width, size) <= max_lines:
        return text
    budget = max_lines * max(Emu(width).pt / size - WRAP_SLACK_EM, 1.0) - 1.0 - 0.5  # "…" and a break's loss
    out, used = [], 0.0
    for ch in text.replace("\n", " "):
        if used + char_em(ch) > budget:
            break
        out.append(ch)
        used += char_em(ch)
    return "".join(out).rstrip() + "…"


def fit_size(text: str, width: int, height: int, largest: float, smallest: float) -> float:
    """The largest font size (in steps of 1 pt) at which `text` fits the box; `smallest` at least."""
    size = largest
    while size > smallest and text_height(lines_needed(text, width, size), size) > height:
        size -= 1
    return size


def fit_text(text: str, width: int, height: int, size: float) -> str:
    """`text` shortened (last lines dropped, the last kept line cut) to fit the box at `size` pt."""
    max_lines = max(1, int(Emu(height).pt // (size * LINE_EM)))
    return shorten(text, width, size, max_lines) if lines_needed(text, width, size) > max_lines else text


# Text boxes -------------------------------------------------------------------------------------
def add_text(slide, text: str, x, y, w, h, size: float = 18, bold: bool = False, color: RGBColor | None = None,
             align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    """A text box that never grows: the caller measured the text (fit_text, fit_size)."""
    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
    set_fonts(frame)
    return box


# Tables -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TablePage:
    """One slide's share of a table: its rows (already shortened), their heights, and the full texts cut."""
    rows: tuple[tuple[str, ...], ...]
    heights: tuple[int, ...]  # EMU, header row first
    cut: tuple[str, ...]


@dataclass(frozen=True)
class TableLayout:
    widths: tuple[int, ...]
    pages: tuple[TablePage, ...]
    hidden: int  # rows left off after the last page


def column_widths(header, rows, width: int, size: float) -> list[int]:
    """Widths in EMU summing to `width`: every column the width of its widest cell or header when that
    fits, else the narrow columns theirs and the widest share what is left (max-min fair)."""
    pad = 2 * Emu(CELL_MARGIN_X).pt + 2
    natural = []
    for j, title in enumerate(header):
        cells = max((text_em(row[j]) for row in rows), default=0.0)
        natural.append((max(cells, text_em(title), 2.0) + 1.5) * size + pad)  # points, with the wrap slack
    total = Emu(width).pt
    if sum(natural) <= total:
        scale = total / sum(natural)
        return _to_emu([n * scale for n in natural], width)
    given = [0.0] * len(natural)
    left, open_cols = total, sorted(range(len(natural)), key=lambda j: natural[j])
    while open_cols:
        share = left / len(open_cols)
        j = open_cols[0]
        if natural[j] <= share:
            given[j] = natural[j]
            left -= natural[j]
            open_cols.pop(0)
        else:
            for j in open_cols:
                given[j] = share
            break
    return _to_emu(given, width)


def _to_emu(points: list[float], width: int) -> list[int]:
    out = [int(Pt(p)) for p in points]
    out[-1] += width - sum(out)
    return out


def layout_table(header, rows, shorten_cols, width: int, avail: int, size: float, max_pages: int) -> TableLayout:
    """Columns, shortened cells and row heights, rows paged so that each page fits `avail` EMU high."""
    widths = column_widths(header, rows, width, size)
    inner = [w - 2 * CELL_MARGIN_X for w in widths]

    def height(cells) -> int:
        lines = max(lines_needed(c, inner[j], size) for j, c in enumerate(cells))
        return text_height(lines, size) + 2 * CELL_MARGIN_Y

    head_h = height(header)
    pages, current, heights, cut, used = [], [], [], [], head_h
    for row in rows:
        fitted = tuple(shorten(c, inner[j], size, MAX_LINES if j in shorten_cols else OTHER_MAX_LINES)
                       for j, c in enumerate(row))
        h = height(fitted)
        if current and used + h > avail:
            pages.append(TablePage(tuple(current), (head_h, *heights), tuple(cut)))
            if len(pages) == max_pages:
                break
            current, heights, cut, used = [], [], [], head_h
        current.append(fitted)
        heights.append(h)
        cut += [c for c, f in zip(row, fitted) if c != f]
        used += h
    else:
        if current or not pages:
            pages.append(TablePage(tuple(current), (head_h, *heights), tuple(cut)))
    return TableLayout(tuple(widths), tuple(pages), len(rows) - sum(len(p.rows) for p in pages))


def add_table(slide, header, page: TablePage, numeric, x, y, widths, size: float):
    """A table shape with the page's rows at the measured heights, header banded in the title colour."""
    shape = slide.shapes.add_table(len(page.rows) + 1, len(header), x, y, sum(widths), sum(page.heights))
    grid = shape.table
    for j, w in enumerate(widths):
        grid.columns[j].width = Emu(w)
    for i, h in enumerate(page.heights):
        grid.rows[i].height = Emu(h)
    for i, cells in enumerate((tuple(header), *page.rows)):
        for j, value in enumerate(cells):
            cell = grid.cell(i, j)
            cell.margin_left = cell.margin_right = CELL_MARGIN_X
            cell.margin_top = cell.margin_bottom = CELL_MARGIN_Y
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.text = value
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL if i == 0 else (BAND_FILL if i % 2 == 0 else RGBColor(255, 255, 255))
            for para in cell.text_frame.paragraphs:
                para.alignment = PP_ALIGN.RIGHT if (j in numeric and i > 0) else PP_ALIGN.LEFT
                for run in para.runs:
                    run.font.size = Pt(size)
                    run.font.bold = i == 0
                    run.font.color.rgb = RGBColor(255, 255, 255) if i == 0 else RGBColor(0x22, 0x22, 0x22)
            set_fonts(cell.text_frame)
    return shape
