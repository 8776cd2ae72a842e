"""An admin loads the city's town boundaries in 数据导入 → 镇界 and the county map draws them (issue 18).
Its own server: the account journeys change the library (the first import removes the demo)."""
from __future__ import annotations

import pytest

from tests.border_factory import feature_collection
from tests.e2e.browser import browser_page, log_in, wait_until_rendered
from tests.e2e.conftest import running_app, with_users

ADMIN_PW = "borders admin 1"


@pytest.fixture(scope="module")
def borders_server(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("borders") / "demo.duckdb",
                     prepare=with_users(("admin", "admin", ADMIN_PW, {}))) as url:
        yield url


def test_admin_loads_town_boundaries_and_the_county_map_draws_them(borders_server, shot_dir, tmp_path):
    layer = tmp_path / "阳山县镇界.geojson"
    layer.write_bytes(feature_collection("阳山县", "gcj02"))
    with browser_page() as page:
        page.goto(borders_server + "/upload")
        wait_until_rendered(page)
        log_in(page, "admin", ADMIN_PW)
        page.get_by_role("tab", name="镇界").click()
        page.wait_for_selector("text=尚未导入镇界")
        page.get_by_text("GCJ-02（高德、腾讯）").click()
        page.locator('.st-key-tb_file input[type=file]').set_input_files(str(layer))
        page.wait_for_selector("text=文件有 13 个要素，识别出 13 个镇。")
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
        page.get_by_label("来源（印在地图图例上）").fill("测试用合成镇界")
        page.get_by_label("来源（印在地图图例上）").press("Enter")
        wait_until_rendered(page)
        page.screenshot(path=str(shot_dir / "borders-preview.png"), full_page=True)
        page.get_by_role("button", name="保存镇界").click()
        page.wait_for_selector("text=已保存 13 个镇的边界。")
        page.goto(borders_server + "/map?county=阳山县")
        wait_until_rendered(page)
        page.wait_for_selector("text=镇界：测试用合成镇界")
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
        page.screenshot(path=str(shot_dir / "borders-county-map.png"))
        assert page.outside_requests == []
