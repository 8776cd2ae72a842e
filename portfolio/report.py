"""A standalone HTML report of the meeting pack: opens offline, prints one town per page.

No script and nothing fetched: charts are inline SVG, the map an inline PNG, every
text value escaped.
"""
from __future__ import annotations

import base64
from html import escape

import pandas as pd

from portfolio import formats, map_export, photos, views, vocab
from portfolio.filters import Filters, town_key
from portfolio.i18n import t
from portfolio.meeting import (MeetingContent, Table, area_name, attention_table, change_heading, change_items, collect,
                               county_table, kpi_items, ranking_table, town_pages, villages_table)
from portfolio.store import Store

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; margin: 24px; }
h1 { color: #1F3A5F; margin-bottom: 4px; } h2 { color: #1F3A5F; border-bottom: 2px solid #1F3A5F; padding-bottom: 4px; }
.meta { color: #666; font-size: 13px; } .demo { color: #D55E00; font-weight: bold; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 16px 0; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 10px; }
.kpi b { display: block; font-size: 24px; color: #1F3A5F; } .kpi span { color: #666; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; } th { background: #DDEBF7; }
td.num { text-align: right; white-space: nowrap; } td.nw { white-space: nowrap; } img.map { max-width: 100%; border: 1px solid #ddd; }
.ok { color: #1A7F37; font-weight: bold; }
.photos { display: grid; grid-template-columns: repeat(2, 1fr); gap: 12px; }
figure { margin: 0; break-inside: avoid; } figure img { width: 100%; height: 62mm; object-fit: contain; background: #f4f4f4; }
figcaption { font-size: 12px; color: #444; }
section { page-break-before: always; break-before: page; } section:first-of-type { page-break-before: auto; break-before: auto; }
@media print {
  body { margin: 0; font-size: 11px; } .hint { display: none; }
  h1 { font-size: 18px; margin: 0 0 2px; } h2 { font-size: 13px; margin: 8px 0 2px; }
  .kpis { gap: 6px; margin: 6px 0; } .kpi { padding: 4px 6px; } .kpi b { font-size: 16px; }
  table { font-size: 9.5px; margin: 2px 0 6px; } th, td { padding: 1px 4px; } svg { zoom: 0.8; }
}
@page { size: A4; margin: 12mm; }
"""


def _figures_html(items: list[tuple[str, str]]) -> str:
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><b>{escape(v)}</b><span>{escape(label)}</span></div>' for label, v in items) + "</div>"


def _kpis_html(k: views.Kpis, lang: str) -> str:
    return _figures_html(kpi_items(k, lang))


def bar_svg(labels: list[str], values: list[float], colors: list[str], width: int = 760) -> str:
    """Horizontal bars as inline SVG, value printed at the end of each bar."""
    row, label_w = 22, 150
    top = max(values, default=0) or 1
    height = row * len(labels) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for i, (label, value, color) in enumerate(zip(labels, values, colors)):
        y = 5 + i * row
        w = (width - label_w - 80) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{escape(color)}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{formats.number(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def cell_class(table: Table, j: int) -> str:
    """Numbers right-aligned; only the long-text columns (project names) wrap, so that 逾期 · 停滞 stays on one line."""
    if j in table.numeric:
        return " class=num"
    return "" if j in table.shorten else " class=nw"


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td{cell_class(table, j)}>{escape(v)}</td>" for j, v in enumerate(row))
                   + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _category_svg(cats: pd.DataFrame, lang: str) -> str:
    return bar_svg([vocab.label("category", c, lang) for c in cats["category"]],
                   [float(v) for v in cats["budget_wan"]], [vocab.category_color(c) for c in cats["category"]])


def _attention_table(att: pd.DataFrame, lang: str) -> str:
    if att.empty:
        return f'<p class="ok">{escape(t("deck_no_attention", lang))}</p>'
    return _table(attention_table(att, lang, village=True))


def _b64(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _photos_html(content: MeetingContent, lang: str) -> str:
    """The 现场照片 page: each project's newest photo (the 1280 px copy) with its caption, date and place."""
    if not content.photos:
        return ""
    placeholder = _b64(photos.placeholder_png(width=640, height=400), "image/png")
    figures = []
    for item in content.photos:
        src = _b64(item.image, "image/jpeg") if item.image is not None else placeholder
        when = " · ".join(p for p in ((t("deck_photo_missing", lang) if item.image is None else ""), item.day,
                                      item.place) if p)
        caption = f"<br>{escape(item.caption)}" if item.caption else ""
        figures.append(f'<figure><img alt="{escape(item.name)}" src="{src}"><figcaption><b>{escape(item.name)}</b>'
                       f"<br>{escape(when)}{caption}</figcaption></figure>")
    return (f"<section><h1>{escape(_title(content, t('deck_photos', lang)))}</h1>"
            f'<div class="photos">{"".join(figures)}</div></section>')


def _title(content: MeetingContent, topic: str) -> str:
    return f"{content.scope}{'· ' if content.scope.endswith('）') else ' · '}{topic}"


def _cover_html(content: MeetingContent, lang: str) -> list[str]:
    """The first page's heading: title and scope, 汇报单位, meeting date, data date, the filters set."""
    lines = [t("deck_unit", lang, unit=content.unit),
             t("deck_meeting_date", lang, date=formats.day(content.meeting_date)),
             t("deck_data_date", lang, date=formats.day(content.as_of))]
    if content.filters_text:
        lines.append(t("deck_filters", lang, filters=content.filters_text.replace("\n", " · ")))
    demo = f'<p class="demo">{escape(t("demo_badge", lang))}</p>' if content.is_demo else ""
    return [f"<h1>{escape(t('deck_title', lang))} · {escape(content.scope)}</h1>", demo,
            f'<p class="meta">{"<br>".join(escape(line) for line in lines)}</p>',
            f'<p class="meta hint">{escape(t("report_print_hint", lang))}</p>']


def _summary_html(content: MeetingContent, lang: str) -> list[str]:
    parts = [_kpis_html(content.kpis, lang), f"<h2>{escape(change_heading(content.changes, lang))}</h2>"]
    changes = change_items(content.changes, lang)
    parts += [_figures_html(changes)] if changes else []
    if content.kpis.late == 0 and content.kpis.stalled == 0:
        parts.append(f'<p class="ok">{escape(t("deck_no_attention", lang))}</p>')
    parts += [f"<h2>{escape(t('deck_by_category', lang))}</h2>", _category_svg(content.by_category, lang)]
    if content.map_png:
        parts.append(f"<h2>{escape(t('deck_map', lang))}</h2>"
                     f'<img class="map" alt="map" src="{_b64(map_export.picture_body(content.map_png), "image/png")}">')
    return parts


def _scope_html(content: MeetingContent, lang: str) -> list[str]:
    """各县 for the whole library, 各镇 for a county, 各村 for a town; the late list; the extra sections."""
    parts = []
    if content.scope_kind == "town" and content.villages is not None and len(content.villages) > 1:
        parts += [f"<h2>{escape(t('tw_villages', lang))}</h2>", _table(villages_table(content.villages, lang))]
    if content.scope_kind == "all":
        counties = county_table(content.towns, lang)
        if len(counties.rows) > 1:
            parts += [f"<h2>{escape(t('deck_counties', lang))}</h2>", _table(counties)]
    if content.scope_kind != "town" and len(content.towns) > 1:
        parts += [f"<h2>{escape(t('deck_ranking', lang))}</h2>", _table(ranking_table(content.towns, lang))]
    if not content.attention.empty:
        parts += [f"<h2>{escape(t('deck_attention', lang))}</h2>", _attention_table(content.attention, lang)]
    for section in content.extra_sections:
        parts += [f"<h2>{escape(section.title)}</h2>", _table(section.table)]
    return parts


def build_report(db: Store, filters: Filters, lang: str = "zh", map_png: bytes | None = None, **options) -> str:
    """The HTML report: the whole selection first, its site photos, then one page per town
    (`options`: unit, meeting_date, extra, as for meeting.collect)."""
    content = collect(db, filters, lang, (lambda f: map_png) if map_png else None, **options)
    one_line_meta = escape(" · ".join([t("deck_data_date", lang, date=formats.day(content.as_of)),
                                       *content.filters_text.splitlines()]))
    parts = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
             f"<title>{escape(t('deck_title', lang))} · {escape(content.scope)}</title><style>{CSS}</style></head><body>",
             "<section>", *_cover_html(content, lang), *_summary_html(content, lang), *_scope_html(content, lang),
             "</section>", _photos_html(content, lang)]
    for page in town_pages(db, filters, content.towns, content.as_of):
        tf = Filters(towns=(town_key(page.county, page.town),))
        parts += ["<section>", f"<h1>{escape(area_name(tf, lang))}</h1>", f'<p class="meta">{one_line_meta}</p>',
                  _kpis_html(page.kpis, lang),
                  f"<h2>{escape(t('tw_by_category', lang))}</h2>", _category_svg(page.by_category, lang),
                  f"<h2>{escape(t('tw_villages', lang))}</h2>", _table(villages_table(page.villages, lang)),
                  f"<h2>{escape(t('tw_late_stalled', lang))}</h2>", _attention_table(page.attention, lang),
                  "</section>"]
    parts.append("</body></html>")
    return "".join(parts)
