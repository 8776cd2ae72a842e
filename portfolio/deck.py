"""The meeting deck (.pptx) for a selection, laid out from meeting.MeetingContent.

A presenter hands it out untouched: a cover (汇报单位, meeting date, scope), slide titles in one
pattern ("七拱镇（阳山县）· 项目概况"), a footer stating the data date and only the filters set,
page numbers, and speaker notes carrying the figures behind each slide. The parts follow the
scope (per county for the whole library, per town for a county, 各村情况 for a town); tables
fit their slide at any name length (deck_layout.py) and page over several slides.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches

from portfolio import formats, map_export, vocab
from portfolio.deck_layout import add_table, add_text, fit_size, fit_text, layout_table, text_height
from portfolio.deck_parts import MUTED, OK_GREEN, TITLE_COLOR, bar_chart, figure_grid, photo_grid, picture_in
from portfolio.i18n import t
from portfolio.meeting import (AreaSection, MeetingContent, Table, attention_table, change_heading, change_items,
                               county_table, kpi_items, ranking_table, villages_table)

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
LEFT, WIDTH = Inches(0.5), Inches(12.333)
TITLE_Y, TITLE_H = Inches(0.3), Inches(0.75)
BODY_Y, BODY_BOTTOM = Inches(1.2), Inches(6.4)
MORE_Y, MORE_H = Inches(6.48), Inches(0.3)
FOOTER_Y, FOOTER_H = Inches(6.95), Inches(0.4)
PAGE_X, PAGE_W = Inches(11.73), Inches(1.1)
TABLE_PT, FOOTER_PT = 11, 9
ATTENTION_PAGES, RANKING_PAGES, OTHER_PAGES = 3, 2, 3  # slides a list may take; the rest is counted
DEMO_ORANGE = RGBColor(0xD5, 0x5E, 0x00)


@dataclass
class _Deck:
    content: MeetingContent
    lang: str
    prs: Presentation = field(default_factory=Presentation)

    def __post_init__(self):
        self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H

    def title(self, topic: str, scope: str | None = None) -> str:
        scope = self.content.scope if scope is None else scope
        return f"{scope}{'· ' if scope.endswith('）') else ' · '}{topic}"

    def slide(self, title: str, notes: str):
        """A blank slide with its title and speaker notes (footer and page number come last)."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])
        size = fit_size(title, WIDTH, TITLE_H, 28, 18)
        add_text(slide, fit_text(title, WIDTH, TITLE_H, size), LEFT, TITLE_Y, WIDTH, TITLE_H, size=size, bold=True,
                 color=TITLE_COLOR)
        slide.notes_slide.notes_text_frame.text = f"{title}\n{notes}".strip()
        return slide


def _lines(items: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label}：{value}" for label, value in items)


def _cover(deck: _Deck) -> None:
    c, lang = deck.content, deck.lang
    slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[6])
    add_text(slide, t("deck_title", lang), Inches(0.8), Inches(1.5), Inches(11.7), Inches(1.0), size=40, bold=True,
             color=TITLE_COLOR)
    scope_size = fit_size(c.scope, Inches(11.7), Inches(0.8), 32, 20)
    add_text(slide, fit_text(c.scope, Inches(11.7), Inches(0.8), scope_size), Inches(0.8), Inches(2.6),
             Inches(11.7), Inches(0.8), size=scope_size)
    lines = [t("deck_unit", lang, unit=c.unit), t("deck_meeting_date", lang, date=formats.day(c.meeting_date)),
             t("deck_scope", lang, scope=c.scope), t("deck_data_date", lang, date=formats.day(c.as_of))]
    if c.filters_text:
        lines.append(t("deck_filters", lang, filters=c.filters_text.replace("\n", " · ")))
    body = fit_text("\n".join(lines), Inches(11.7), Inches(2.6), 18)
    add_text(slide, body, Inches(0.8), Inches(3.7), Inches(11.7), Inches(2.6), size=18, color=MUTED)
    if c.is_demo:
        add_text(slide, t("demo_badge", lang), Inches(10.8), Inches(0.5), Inches(2.0), Inches(0.6), size=20, bold=True,
                 color=DEMO_ORANGE, align=PP_ALIGN.RIGHT)
    slide.notes_slide.notes_text_frame.text = "\n".join([t("deck_title", lang), c.scope, *lines])


def _summary(deck: _Deck) -> None:
    c, lang = deck.content, deck.lang
    k = c.kpis
    items, changes = kpi_items(k, lang), change_items(c.changes, lang)
    rates = t("deck_notes_rates", lang, started=formats.count(k.started), finished=formats.count(k.finished),
              projects=formats.count(k.projects))
    notes = "\n".join([_lines(items), rates, change_heading(c.changes, lang), _lines(changes)])
    slide = deck.slide(deck.title(t("deck_kpis", lang)), notes)
    figure_grid(slide, items, LEFT, BODY_Y, WIDTH, Inches(2.5))
    heading = change_heading(c.changes, lang)
    add_text(slide, heading, LEFT, Inches(3.95), WIDTH, text_height(1, 16), size=16, bold=True, color=TITLE_COLOR)
    if changes:
        figure_grid(slide, changes, LEFT, Inches(4.45), WIDTH, Inches(1.2), value_pt=22)
    if k.late == 0 and k.stalled == 0:
        add_text(slide, t("deck_no_attention", lang), LEFT, Inches(5.8), WIDTH, text_height(1, 18), size=18,
                 bold=True, color=OK_GREEN)


def _category_chart(deck: _Deck, slide, cats, x, y, w, h) -> str:
    lang = deck.lang
    labels = [vocab.label("category", code, lang) for code in cats["category"]]
    bar_chart(slide, labels, [float(v) for v in cats["budget_wan"].fillna(0)],
              [vocab.category_color(code) for code in cats["category"]], x, y, w, h, t("deck_chart_budget", lang))
    return "\n".join(f"{label}：{formats.wan(r.budget_wan)} {t('deck_wan', lang)} · {formats.count(r.projects)}"
                     f" {t('k_projects', lang)}" for label, r in zip(labels, cats.itertuples()))


def _charts(deck: _Deck) -> None:
    c, lang = deck.content, deck.lang
    if not c.by_category.empty:
        slide = deck.slide(deck.title(t("deck_by_category", lang)), "")
        notes = _category_chart(deck, slide, c.by_category, LEFT, BODY_Y, WIDTH, BODY_BOTTOM - BODY_Y)
        slide.notes_slide.notes_text_frame.text += "\n" + notes
    if not c.by_status.empty:
        labels = [vocab.label("status", s, lang) for s in c.by_status["status"]]
        counts = [int(v) for v in c.by_status["projects"]]
        slide = deck.slide(deck.title(t("deck_by_status", lang)),
                           "\n".join(f"{label}：{formats.count(n)}" for label, n in zip(labels, counts)))
        bar_chart(slide, labels, [float(n) for n in counts], [vocab.status_color(s) for s in c.by_status["status"]],
                  LEFT, BODY_Y, WIDTH, BODY_BOTTOM - BODY_Y, t("deck_chart_projects", lang),
                  chart_type=XL_CHART_TYPE.COLUMN_CLUSTERED, number_format="#,##0")


def _map(deck: _Deck) -> None:
    if deck.content.map_png:
        k = deck.content.kpis
        slide = deck.slide(deck.title(t("deck_map", deck.lang)), _lines(kpi_items(k, deck.lang)[:4]))
        picture_in(slide, map_export.picture_body(deck.content.map_png), LEFT, Inches(1.1), WIDTH, MORE_Y + MORE_H - Inches(1.1))


def table_slides(deck: _Deck, topic: str, table: Table, max_pages: int, notes: str = "") -> None:
    """A table over as many slides as it needs (at most `max_pages`; the rest counted under the last)."""
    lang = deck.lang
    layout = layout_table(table.header, table.rows, table.shorten, WIDTH, BODY_BOTTOM - BODY_Y, TABLE_PT, max_pages)
    n = len(layout.pages)
    for i, page in enumerate(layout.pages, start=1):
        title = deck.title(topic + (t("deck_continued", lang, i=i, n=n) if n > 1 else ""))
        page_notes = [notes, t("deck_notes_rows", lang, shown=len(page.rows), total=len(table.rows))]
        if page.cut:
            page_notes += [t("deck_notes_full", lang), *page.cut]
        hidden = layout.hidden if i == n else 0
        if hidden:
            page_notes.append(t("deck_more", lang, n=hidden))
        slide = deck.slide(title, "\n".join(p for p in page_notes if p))
        add_table(slide, table.header, page, table.numeric, LEFT, BODY_Y, layout.widths, TABLE_PT)
        if hidden:
            add_text(slide, t("deck_more", lang, n=hidden), LEFT, MORE_Y, Inches(8), MORE_H, size=11, color=MUTED)


def _area_slide(deck: _Deck, section: AreaSection) -> None:
    lang = deck.lang
    items = kpi_items(section.kpis, lang)
    slide = deck.slide(deck.title(t("deck_overview", lang), section.label), _lines(items))
    figure_grid(slide, items, LEFT, Inches(1.1), WIDTH, Inches(1.9), value_pt=22, label_pt=12)
    if not section.by_category.empty:
        notes = _category_chart(deck, slide, section.by_category, LEFT, Inches(3.15), WIDTH, BODY_BOTTOM - Inches(3.15))
        slide.notes_slide.notes_text_frame.text += "\n" + notes


def _scope_parts(deck: _Deck) -> None:
    """各县 for the whole library, 各镇 for a county, 各村 for a town; never a one-row table."""
    c, lang = deck.content, deck.lang
    placed = c.towns.dropna(subset=["county"])
    if c.scope_kind == "town":
        if c.villages is not None and len(c.villages) > 1:
            table_slides(deck, t("tw_villages", lang), villages_table(c.villages, lang), OTHER_PAGES)
    elif c.scope_kind == "all":
        counties = county_table(c.towns, lang)
        if len(counties.rows) > 1:
            table_slides(deck, t("deck_counties", lang), counties, OTHER_PAGES)
    if c.scope_kind != "town" and len(c.towns) > 1:
        table_slides(deck, t("deck_ranking", lang), ranking_table(c.towns, lang), RANKING_PAGES)
    if len(placed) > 1 or c.scope_kind == "all":
        for section in c.area_sections:
            _area_slide(deck, section)


def _attention(deck: _Deck) -> None:
    c = deck.content
    if not c.attention.empty:
        k = c.kpis
        notes = _lines([(t("k_late", deck.lang), formats.count(k.late)), (t("k_stalled", deck.lang),
                                                                         formats.count(k.stalled))])
        table_slides(deck, t("deck_attention", deck.lang), attention_table(c.attention, deck.lang), ATTENTION_PAGES,
                     notes)


def _photos(deck: _Deck) -> None:
    from portfolio.photos import placeholder_png

    c, lang = deck.content, deck.lang
    if not c.photos:
        return
    notes = "\n".join(f"{p.name} · {p.place} · {p.day}" + (f" · {p.caption}" if p.caption else "")
                      + (f" · {t('deck_photo_missing', lang)}" if p.image is None else "") for p in c.photos)
    slide = deck.slide(deck.title(t("deck_photos", lang)), notes)
    photo_grid(slide, c.photos, LEFT, BODY_Y, WIDTH, BODY_BOTTOM - BODY_Y, t("deck_photo_missing", lang),
               placeholder_png(width=640, height=400))


def _footers(deck: _Deck) -> None:
    """Data date, the filters set and the demo mark on every slide but the cover; page numbers."""
    c, lang = deck.content, deck.lang
    parts = ([t("demo_badge", lang)] if c.is_demo else []) + [t("deck_data_date", lang, date=formats.day(c.as_of))]
    if c.filters_text:
        parts.append(t("deck_filters", lang, filters=c.filters_text.replace("\n", " · ")))
    footer_w = PAGE_X - LEFT - Inches(0.2)
    footer = fit_text(" · ".join(parts), footer_w, FOOTER_H, FOOTER_PT)
    slides = list(deck.prs.slides)
    for number, slide in enumerate(slides[1:], start=2):
        add_text(slide, footer, LEFT, FOOTER_Y, footer_w, FOOTER_H, size=FOOTER_PT, color=MUTED)
        add_text(slide, f"{number} / {len(slides)}", PAGE_X, FOOTER_Y, PAGE_W, FOOTER_H, size=11, color=MUTED,
                 align=PP_ALIGN.RIGHT)


def build_deck(content: MeetingContent, lang: str = "zh") -> bytes:
    """The deck as .pptx bytes."""
    deck = _Deck(content, lang)
    _cover(deck)
    _summary(deck)
    _charts(deck)
    _map(deck)
    _scope_parts(deck)
    _attention(deck)
    _photos(deck)
    for section in content.extra_sections:
        table_slides(deck, section.title, section.table, OTHER_PAGES, section.notes)
    _footers(deck)
    out = io.BytesIO()
    deck.prs.save(out)
    return out.getvalue()
