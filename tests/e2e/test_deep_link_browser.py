"""A link to any page works as the very first request to a freshly started server."""
from __future__ import annotations

import pytest

from tests.e2e.browser import browser_page, wait_until_rendered
from tests.e2e.conftest import running_app


@pytest.mark.parametrize("path,title", [("/projects?county=阳山县", "项目库"), ("/towns?town=阳山县/太平镇", "镇村画像")])
def test_first_request_to_a_deep_link_gets_the_full_app(tmp_path, path, title):
    with running_app(tmp_path / "fresh.duckdb") as url, browser_page() as page:
        page.goto(url + path)
        wait_until_rendered(page)
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == title
        # The shared sidebar (filters from the URL) and our navigation, not Streamlit's folder listing.
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.locator('[data-testid="stMultiSelect"]').count() == 8  # with 逾期/停滞
        assert "阳山县" in sidebar.inner_text()
        assert "总览" in page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert page.outside_requests == []
