"""The HTML report opens offline in Chromium and prints one town per page."""
from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader

from portfolio import report, views
from portfolio.filters import Filters
from tests.e2e.browser import browser_page


def test_report_prints_one_town_per_page(demo_store, tmp_path, shot_dir):
    county = Filters(counties=("阳山县",))
    towns = sorted(views.by_town(demo_store, county, views.data_date(demo_store))["town"])
    path = tmp_path / "report.html"
    path.write_text(report.build_report(demo_store, county), encoding="utf-8")
    with browser_page(1200, 900) as page:
        page.goto(path.as_uri())
        page.wait_for_selector("section h1")
        page.screenshot(path=str(shot_dir / "report.png"), full_page=True)
        pdf = page.pdf(format="A4")
        assert page.outside_requests == []
    # NFKC: the PDF's text layer uses Kangxi radical code points for some characters (⼭ for 山).
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    # The county's summary, then one page per town. With names as long as real ones (the demo's),
    # the county's late list may run onto a second page; each town still starts and fits on one.
    county_pages = len(pages) - len(towns)
    assert 1 <= county_pages <= 2
    assert "阳山县" in pages[0] and "演示数据" in pages[0]
    for town, text in zip(towns, pages[county_pages:]):
        assert f"阳山县{town}" in text.replace(" ", "").replace("\n", "")
