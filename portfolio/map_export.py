"""Map exports for meetings: a standalone HTML map that opens offline, and a PNG for slides.

The HTML embeds deck.gl (pydeck's bundled @deck.gl/jupyter-widget, about 4.3 MB) and the
deck's JSON, with the title, legend and data date beside the map; it references no
outside address. The PNG is that page rendered by headless Chromium (found at
portfolio/headless.py), driven over the
DevTools pipe so that the screenshot waits until every layer has loaded and drawn.

The slide picture (`map_png_for`, used by the deck, the report, the map page's PNG download and the
CLI) is a PICTURE_SIZE page, shaped like the deck's picture area, drawn at PIXEL_RATIO; it is
rendered once per page content and kept in portfolio/picture_cache.py. The page carries a scale bar
that follows the view when the HTML is zoomed.

Decks for export must be built with `maps.build(..., for_html=True)`: deck.gl's
standalone tooltip pastes values into HTML unescaped, and those decks carry
html-escaped values.
"""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import replace
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path

import pydeck

from portfolio import formats, headless, maps, picture_cache
from portfolio.filters import Filters
from portfolio.i18n import t
from portfolio.store import Store

LEGEND_WIDTH = 300  # CSS px, the legend column beside the map
TITLE_HEIGHT = 86  # CSS px, the title band above the map
PAGE_LEGEND_FONT_PX = 14  # CSS px, the legend beside the map on a page
LEGEND_FONT_PX = 17  # CSS px: 12.2 pt once the slide picture spans the slide's 12.3-inch content width
# The slide picture: the deck's picture area (12.3 x 5.7 inches) at 100 CSS px per inch below the
# title band, drawn at 1.5 device pixels per CSS px (1845 x 984 px), so the page reads as a 1230-px
# screen and prints sharp. The deck and the report show it without its title band (`picture_body`):
# their own title and footer already say what the band says.
SLIDE_PICTURE_IN = (12.3, 5.7)
PICTURE_SIZE = (1230, 570 + TITLE_HEIGHT)
TITLE_RULE_RGB = (0x1A, 0x98, 0x50)  # the green rule under the title band (#head's border)
PIXEL_RATIO = 1.5
DECK_BUNDLE = Path(pydeck.__file__).resolve().parent / "nbextension" / "static" / "index.js"
FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
PICTURE_FORMAT = "png-1"  # bump when the renderer changes in a way the page text does not show


# The PNG could not be made (no Chromium, or it failed or timed out); the message says why.
MapExportError = headless.RenderError


# Legend -------------------------------------------------------------------------------
def legend_html(legend: maps.Legend, lang: str = "zh", scale: float = 1.0) -> str:
    """The legend as an HTML fragment (inline styles only; every text escaped)."""
    font = round(PAGE_LEGEND_FONT_PX * scale)
    swatch = round(PAGE_LEGEND_FONT_PX * scale)
    parts = [f'<div class="map-legend" style="font-family:{escape(FONT_STACK)};font-size:{font}px;'
             f'line-height:1.45;color:#222">']
    parts.append(f'<div style="font-weight:700;margin-bottom:{round(4 * scale)}px">{escape(legend.title)}</div>')
    for item in legend.items:
        if item.hollow:
            dot = (f'background:#fff;border:{max(2, round(2 * scale))}px solid {escape(item.color)};'
                   f'box-sizing:border-box')
        else:
            dot = f'background:{escape(item.color)};border:1px solid #fff;box-sizing:border-box'
        count = "" if item.count is None else (
            f'<span style="margin-left:auto;padding-left:{round(10 * scale)}px;color:#555;'
            f'font-variant-numeric:tabular-nums">{formats.count(item.count)}</span>')
        parts.append(
            f'<div style="display:flex;align-items:center;gap:{round(8 * scale)}px">'
            f'<span style="display:inline-block;flex:none;width:{swatch}px;height:{swatch}px;border-radius:50%;{dot}">'
            f'</span><span>{escape(item.label)}</span>{count}</div>')
    if legend.size_title:
        parts.append(f'<div style="font-weight:700;margin-top:{round(10 * scale)}px">{escape(legend.size_title)}</div>')
    if legend.sizes:
        parts.append(f'<div style="display:flex;align-items:flex-end;gap:{round(14 * scale)}px;margin-top:4px">')
        for size in legend.sizes:
            d = round(2 * size.radius_px)
            parts.append(
                f'<div style="text-align:center"><span style="display:inline-block;width:{d}px;height:{d}px;'
                f'border-radius:50%;background:#9a9a9a;border:1px solid #fff"></span>'
                f'<div>{escape(size.label)}</div></div>')
        parts.append("</div>")
    if legend.border_note:  # a short grey rule like the line on the map, then what it is and its source
        parts.append(f'<div style="display:flex;align-items:center;gap:{round(8 * scale)}px;margin-top:{round(8 * scale)}px;'
                     f'color:#444"><span style="flex:none;width:{swatch}px;border-top:{max(1, round(1.5 * scale))}px solid '
                     f'#6e6e6e"></span><span>{_keep_dates_whole(escape(legend.border_note))}</span></div>')
    for note in legend.notes:
        parts.append(f'<div style="margin-top:{round(8 * scale)}px;color:#8a4b00">{escape(note)}</div>')
    if legend.data_date:
        parts.append(f'<div style="margin-top:{round(10 * scale)}px;color:#555">'
                     f'{escape(t("map_legend_date", lang, date=legend.data_date))}</div>')
    parts.append("</div>")
    return "".join(parts)


def _keep_dates_whole(text: str) -> str:
    """An ISO date never breaks at its hyphens across two lines of a narrow legend."""
    return re.sub(r"(\d{4}-\d{2}-\d{2})", r'<span style="white-space:nowrap">\1</span>', text)


# Standalone HTML ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _deck_bundle() -> str:
    text = DECK_BUNDLE.read_text(encoding="utf-8")
    if "</script" in text.lower():
        raise MapExportError("the deck.gl bundle cannot be inlined (it contains </script>)")
    return text


def _script_json(value) -> str:
    """JSON safe to place inside a <script> element."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; background: #fff; font-family: {font}; color: #222; }}
#page {{ position: absolute; inset: 0; display: grid; grid-template-columns: 1fr {legend_w}px;
         grid-template-rows: {title_h}px 1fr; }}
#head {{ grid-column: 1 / 3; padding: 10px 20px 0; border-bottom: 3px solid #1A9850; box-sizing: border-box; }}
#head h1 {{ margin: 0; font-size: 30px; line-height: 1.3; color: #1F3A5F; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
#head div {{ margin-top: 2px; font-size: 17px; line-height: 1.4; color: #555; }}
#head .demo {{ margin-left: 16px; color: #D55E00; font-weight: 700; }}
#cell {{ position: relative; overflow: hidden; min-width: 0; min-height: 0; }}
#map {{ position: absolute; inset: 0; }}
#side {{ grid-column: 2; grid-row: 2; padding: 14px 16px; box-sizing: border-box; border-left: 1px solid #ddd; overflow: auto; }}
#scale {{ position: absolute; left: 16px; bottom: 14px; z-index: 2; font-size: 15px; color: #333;
          background: rgba(255,255,255,0.85); padding: 2px 6px 4px; pointer-events: none; }}
#scale .bar {{ height: 6px; border: 2px solid #333; border-top: none; box-sizing: border-box; }}
</style>
<script>{bundle}</script>
</head>
<body>
<div id="page">
  <div id="head"><h1>{title}</h1><div>{subtitle}{mark}</div></div>
  <div id="cell"><div id="map"></div>
    <div id="scale" data-testid="scale-bar"><div class="label">{scale_label}</div>
      <div class="bar" style="width:{scale_px}px"></div></div></div>
  <div id="side">{legend}</div>
</div>
<script>
window.__mapReady = false;
(function () {{
  const spec = {spec};
  const tooltip = {tooltip};
  const deck = createDeck({{container: document.getElementById("map"), jsonInput: spec, tooltip: tooltip}});
  let drawnAfterLoad = 0;
  function loaded() {{
    try {{
      const layers = deck.layerManager ? deck.layerManager.getLayers() : [];
      return deck.isInitialized && layers.length > 0 && layers.every(function (l) {{ return l.isLoaded; }});
    }} catch (e) {{ return false; }}
  }}
  const units = {units};
  function niceMetres(m) {{
    const p = Math.pow(10, Math.floor(Math.log10(m)));
    return [5, 2, 1].map(function (k) {{ return k * p; }}).find(function (v) {{ return v <= m; }}) || p;
  }}
  // The scale bar follows the view when the reader zooms the HTML map.
  function updateScale() {{
    const vp = deck.getViewports ? deck.getViewports()[0] : null;
    if (!vp) return;
    const perPx = {earth} * Math.cos(vp.latitude * Math.PI / 180) / (512 * Math.pow(2, vp.zoom));
    const metres = niceMetres(perPx * {scale_target});
    const box = document.getElementById("scale");
    box.querySelector(".bar").style.width = Math.round(metres / perPx) + "px";
    box.querySelector(".label").textContent = metres >= 1000
      ? units.km.replace("{{n}}", String(metres / 1000)) : units.m.replace("{{n}}", String(metres));
  }}
  deck.setProps({{onAfterRender: function () {{ if (loaded()) drawnAfterLoad += 1; updateScale(); }}}});
  document.fonts.ready.then(function () {{
    (function check() {{
      if (drawnAfterLoad >= 2) {{ window.__mapReady = true; return; }}
      deck.redraw(true);
      setTimeout(check, 60);
    }})();
  }});
}})();
</script>
</body>
</html>
"""


EARTH_CIRCUMFERENCE_M = 40_075_016.686
SCALE_TARGET_PX = 150  # the scale bar is the nice length (1, 2 or 5 x 10^n) nearest below this


def scale_bar(view: maps.View, target_px: float = SCALE_TARGET_PX) -> tuple[float, float]:
    """(metres, CSS pixels) of the scale bar for `view`: deck.gl's Web Mercator draws the world
    512 px wide at zoom 0, so one pixel is that share of the circumference at the view's latitude."""
    import math

    per_px = EARTH_CIRCUMFERENCE_M * math.cos(math.radians(view.lat)) / (512 * 2 ** view.zoom)
    metres = maps.nice_number(per_px * target_px)
    return metres, metres / per_px


def scale_label(metres: float, lang: str) -> str:
    if metres >= 1000:
        return t("map_scale_km", lang, n=f"{metres / 1000:g}")
    return t("map_scale_m", lang, n=f"{metres:g}")


def _deck_view(deck: maps.MapDeck) -> maps.View:
    state = deck.initial_view_state
    return maps.View(state.latitude, state.longitude, state.zoom)


def standalone_html(deck: maps.MapDeck, title: str, legend: maps.Legend, subtitle: str = "",
                    lang: str = "zh", demo: bool = False) -> str:
    """A self-contained HTML page: the map (deck.gl inlined), its title, legend and data date, and the
    演示数据 mark when `demo` (the database still holds demo projects)."""
    if getattr(deck, "map_style", None) not in (None, "__MAP_STYLE__") or getattr(deck, "map_provider", None):
        raise ValueError("export decks draw no tile basemap: build them with basemap=None")
    if not getattr(deck, "escaped_tooltips", False):
        raise ValueError("export decks need escaped tooltips: build them with maps.build(..., for_html=True)")
    metres, bar_px = scale_bar(_deck_view(deck))
    return _PAGE.format(
        scale_label=escape(scale_label(metres, lang)), scale_px=round(bar_px), scale_target=SCALE_TARGET_PX,
        earth=EARTH_CIRCUMFERENCE_M,
        units=_script_json({"km": t("map_scale_km", lang, n="{n}"), "m": t("map_scale_m", lang, n="{n}")}),
        lang="zh-CN" if lang == "zh" else "en", title=escape(title), subtitle=escape(subtitle), font=FONT_STACK,
        legend_w=LEGEND_WIDTH, title_h=TITLE_HEIGHT, bundle=_deck_bundle(),
        # The data date shows once: in the title band when there is a subtitle, else under the legend.
        legend=legend_html(replace(legend, data_date=None) if subtitle else legend, lang,
                           LEGEND_FONT_PX / PAGE_LEGEND_FONT_PX),
        mark=f'<span class="demo" data-mark="demo">{escape(t("demo_badge", lang))}</span>' if demo else "",
        spec=_script_json(deck.to_json()), tooltip=_script_json(deck._tooltip),
    )


def map_canvas(width: int, height: int) -> tuple[int, int]:
    """The map's own pixel size inside a page of width x height (for fitting the view)."""
    return max(width - LEGEND_WIDTH, 200), max(height - TITLE_HEIGHT, 200)


# PNG ------------------------------------------------------------------------------------
def map_png(deck: maps.MapDeck, title: str, legend: maps.Legend, width: int = 1600, height: int = 900,
            subtitle: str = "", lang: str = "zh", timeout_s: float = headless.PNG_TIMEOUT_S, demo: bool = False,
            pixel_ratio: float = 1.0) -> bytes:
    """A PNG of the map with title, legend and data date (and the 演示数据 mark when `demo`), rendered
    offline in headless Chromium: a width x height CSS-pixel page, `pixel_ratio` device pixels per CSS pixel."""
    page = standalone_html(deck, title, legend, subtitle, lang, demo)
    browser = headless.chromium_path()
    if browser is None:
        raise MapExportError("no Chromium found (install Debian's chromium or set PORTFOLIO_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="map_png_") as tmp:
        html_path = Path(tmp) / "map.html"
        html_path.write_text(page, encoding="utf-8")
        with headless.render_slot(), headless.DevTools(browser, Path(tmp) / "profile") as devtools:
            return devtools.screenshot(html_path.as_uri(), width, height, timeout_s, pixel_ratio)


# One call for pages and the meeting deck -----------------------------------------------------
def filters_map(db: Store, filters: Filters, as_of: date, lang: str = "zh", width: int = 1600, height: int = 900,
                options: maps.MapOptions | None = None) -> tuple[maps.MapResult, str, str]:
    """The export deck for `filters` (no basemap, escaped tooltips, fitted to the page) with its title and subtitle."""
    options = replace(options or maps.MapOptions(lang=lang), wheel_zoom=True)  # the map alone: the wheel zooms
    data = maps.load(db, filters, as_of, options.layer, options.point_limit)
    result = maps.build(data, options, view=None, basemap=None, for_html=True, canvas=map_canvas(width, height),
                        data_date=as_of)
    title = t("map_png_title", lang, area=maps.area_label(filters, lang))
    subtitle = t("map_legend_date", lang, date=as_of.isoformat())
    return result, title, subtitle


def map_png_for(db: Store, filters: Filters, lang: str = "zh", width: int = PICTURE_SIZE[0],
                height: int = PICTURE_SIZE[1], options: maps.MapOptions | None = None,
                pixel_ratio: float = PIXEL_RATIO) -> bytes | None:
    """The map picture for `filters` (by default the slide picture), or None when this machine cannot
    render one (no Chromium). Rendered once per page content and reused (see picture_cache)."""
    from portfolio import views

    if headless.chromium_path() is None:
        return None
    result, title, subtitle = filters_map(db, filters, views.data_date(db), lang, width, height, options)
    demo = views.is_demo(db)
    page = standalone_html(result.deck, title, result.legend, subtitle, lang, demo)
    cache = picture_cache.for_store(db)
    key = picture_key(page, width, height, pixel_ratio)
    return cache.get_or_make(key, lambda: map_png(result.deck, title, result.legend, width, height, subtitle,
                                                  lang, demo=demo, pixel_ratio=pixel_ratio))


def picture_key(page: str, width: int, height: int, pixel_ratio: float) -> str:
    """What a picture depends on: the exact page drawn (deck JSON with the data, title, legend, data date,
    demo mark, language; the deck.gl bundle is fixed per installed pydeck) and the pixel size."""
    digest = hashlib.sha256(page.encode("utf-8"))
    digest.update(f"|{width}x{height}@{pixel_ratio}|{PICTURE_FORMAT}".encode())
    return digest.hexdigest()


def picture_body(png: bytes) -> bytes:
    """The picture below its title band (for slides and the report, whose own heading says the same),
    found by the green rule that closes the band, whatever the picture's pixel ratio. A picture
    without that rule is returned as it is."""
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(png)) as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    xs = [round(width * f) for f in (0.05, 0.3, 0.6, 0.95)]
    rule = [y for y in range(height // 4)
            if all(max(abs(a - b) for a, b in zip(rgb.getpixel((x, y)), TITLE_RULE_RGB)) <= 24 for x in xs)]
    if not rule:
        return png
    out = BytesIO()
    rgb.crop((0, rule[-1] + 1, width, height)).save(out, format="PNG")
    return out.getvalue()
