"""portfolio/deck_layout.py: text measured on the safe side, names shortened, rows paged to fit."""
from __future__ import annotations

from pptx.util import Inches, Pt

from portfolio import deck_layout as lay
from tests.meeting_data import LONGEST

WIDTH, AVAIL = Inches(12.333), Inches(5.2)


def test_text_is_measured_per_character_and_wraps_by_width():
    assert lay.text_em("太平镇") == 3 and lay.text_em("2025") == 4 * lay.NARROW_EM
    assert len(LONGEST) == 55
    one_line = int(Pt(11 * (len(LONGEST) + lay.WRAP_SLACK_EM + 1)))
    assert lay.lines_needed(LONGEST, one_line, 11) == 1
    assert lay.lines_needed(LONGEST, one_line // 2, 11) == 2 and lay.lines_needed(LONGEST, one_line // 3, 11) == 3
    assert lay.lines_needed("甲\n乙", Inches(3), 11) == 2  # each paragraph starts a line


def test_a_long_name_is_shortened_to_two_lines_with_an_ellipsis():
    width = Inches(3)
    short = lay.shorten(LONGEST, width, 11)
    assert short.endswith("…") and LONGEST.startswith(short[:-1])
    assert lay.lines_needed(short, width, 11) <= 2 < lay.lines_needed(LONGEST, width, 11)
    assert lay.shorten("石径村饮水工程", width, 11) == "石径村饮水工程"


def test_columns_fill_the_width_and_the_name_column_takes_what_is_left():
    header = ("问题", "项目名称", "县（市、区）", "计划完工")
    rows = [("逾期 · 停滞", LONGEST + str(i), "连南瑶族自治县", "2026-08-31") for i in range(3)]
    widths = lay.column_widths(header, rows, WIDTH, 11)
    assert sum(widths) == WIDTH
    assert widths[1] == max(widths)
    for j in (0, 2, 3):  # the narrow columns get their whole content: no wrap
        inner = widths[j] - 2 * lay.CELL_MARGIN_X
        assert all(lay.lines_needed(r[j], inner, 11) == 1 for r in rows)


def test_rows_page_to_fit_the_slide_and_the_rest_is_counted():
    header = ("问题", "项目名称", "县（市、区）", "镇（街道）", "计划投资（万元）")
    rows = [("逾期", f"{LONGEST}{LONGEST}{i}", "阳山县", "太平镇", f"{i}.5") for i in range(100)]  # 111 characters
    layout = lay.layout_table(header, rows, frozenset({1}), WIDTH, AVAIL, 11, max_pages=3)
    assert len(layout.pages) == 3
    assert all(sum(page.heights) <= AVAIL for page in layout.pages)
    shown = sum(len(page.rows) for page in layout.pages)
    assert layout.hidden == 100 - shown > 0
    first = layout.pages[0]
    assert all(r[1].endswith("…") for r in first.rows) and set(first.cut) == {f"{LONGEST}{LONGEST}{i}" for i in
                                                                                range(len(first.rows))}
    few = lay.layout_table(header, rows[:3], frozenset({1}), WIDTH, AVAIL, 11, max_pages=3)
    assert len(few.pages) == 1 and few.hidden == 0 and len(few.pages[0].rows) == 3


def test_fit_size_and_fit_text_keep_a_title_in_its_box():
    title = "大麦山镇（连南瑶族自治县）· " + LONGEST
    size = lay.fit_size(title, WIDTH, Inches(0.75), 28, 18)
    assert size < 28
    fitted = lay.fit_text(title, WIDTH, Inches(0.75), size)
    assert lay.text_height(lay.lines_needed(fitted, WIDTH, size), size) <= Inches(0.75)
