"""A standalone HTML report of the meeting pack: opens offline, prints one town per page.

No script and nothing fetched: charts are inline SVG, the map an inline PNG, every
text value escaped.
"""
from __future__ import annotations

import base64
from html import escape

import pandas as pd

from portfolio import formats, views, vocab
from portfolio.filters import Filters, town_key
from portfolio.i18n import t
from portfolio.meeting import (Table, area_name, attention_table, collect, kpi_items, ranking_table, town_pages,
                               villages_table)
from portfolio.store import Store

CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; margin: 24px; }
h1 { color: #1F3A5F; margin-bottom: 4px; } h2 { color: #1F3A5F; border-bottom: 2px solid #1F3A5F; padding-bottom: 4px; }
.meta { color: #666; font-size: 13px; } .demo { color: #D55E00; font-weight: bold; }
.kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 16px 0; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 10px; }
.kpi b { display: block; font-size: 24px; color: #1F3A5F; } .kpi span { color: #666; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; } th { background: #DDEBF7; }
td.num { text-align: right; } img.map { max-width: 100%; border: 1px solid #ddd; }
section { page-break-before: always; break-before: page; } section:first-of-type { page-break-before: auto; break-before: auto; }
@media print {
  body { margin: 0; font-size: 11px; } .hint { display: none; }
  h1 { font-size: 18px; margin: 0 0 2px; } h2 { font-size: 13px; margin: 8px 0 2px; }
  .kpis { gap: 6px; margin: 6px 0; } .kpi { padding: 4px 6px; } .kpi b { font-size: 16px; }
  table { font-size: 9.5px; margin: 2px 0 6px; } th, td { padding: 1px 4px; } svg { zoom: 0.8; }
}
@page { size: A4; margin: 12mm; }
"""


def _kpis_html(k: views.Kpis, lang: str) -> str:
    return '<div class="kpis">' + "".join(
        f'<div class="kpi"><b>{escape(v)}</b><span>{escape(label)}</span></div>'
        for label, v in kpi_items(k, lang)) + "</div>"


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


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f'<td{" class=num" if j in table.numeric else ""}>{escape(v)}</td>'
                                    for j, v in enumerate(row)) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _category_svg(cats: pd.DataFrame, lang: str) -> str:
    return bar_svg([vocab.label("category", c, lang) for c in cats["category"]],
                   [float(v) for v in cats["budget_wan"]], [vocab.category_color(c) for c in cats["category"]])


def _attention_table(att: pd.DataFrame, lang: str) -> str:
    if att.empty:
        return f"<p>{escape(t('deck_none', lang))}</p>"
    return _table(attention_table(att, lang, village=True))


def build_report(db: Store, filters: Filters, lang: str = "zh", map_png: bytes | None = None) -> str:
    """The HTML report: the whole selection first, then one page per town."""
    content = collect(db, filters, lang)
    as_of = content.as_of
    meta = escape(t("data_date", lang, date=as_of.isoformat())) + "<br>" + "<br>".join(
        escape(line) for line in content.filters_text.splitlines())
    one_line_meta = escape(t("data_date", lang, date=as_of.isoformat()) + " · "
                           + " · ".join(content.filters_text.splitlines()))
    demo = f'<p class="demo">{escape(t("demo_badge", lang))}</p>' if content.is_demo else ""
    parts = [f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
             f"<title>{escape(t('deck_title', lang))} · {escape(content.area)}</title><style>{CSS}</style></head><body>",
             "<section>", f"<h1>{escape(t('deck_title', lang))} · {escape(content.area)}</h1>", demo,
             f'<p class="meta">{meta}</p>', f'<p class="meta hint">{escape(t("report_print_hint", lang))}</p>',
             _kpis_html(content.kpis, lang), f"<h2>{escape(t('deck_by_category', lang))}</h2>",
             _category_svg(content.by_category, lang)]
    if map_png:
        parts.append(f"<h2>{escape(t('deck_map', lang))}</h2>"
                     f'<img class="map" alt="map" src="data:image/png;base64,{base64.b64encode(map_png).decode()}">')
    parts += [f"<h2>{escape(t('deck_ranking', lang))}</h2>", _table(ranking_table(content.towns, lang)),
              f"<h2>{escape(t('deck_attention', lang))}</h2>", _attention_table(content.attention, lang), "</section>"]
    for page in town_pages(db, filters, content.towns, as_of):
        tf = Filters(towns=(town_key(page.county, page.town),))
        parts += ["<section>", f"<h1>{escape(area_name(tf, lang))}</h1>", f'<p class="meta">{one_line_meta}</p>',
                  _kpis_html(page.kpis, lang),
                  f"<h2>{escape(t('tw_by_category', lang))}</h2>", _category_svg(page.by_category, lang),
                  f"<h2>{escape(t('tw_villages', lang))}</h2>", _table(villages_table(page.villages, lang)),
                  f"<h2>{escape(t('tw_late_stalled', lang))}</h2>", _attention_table(page.attention, lang),
                  "</section>"]
    parts.append("</body></html>")
    return "".join(parts)
