"""The phone journey of issue 12 at 390×844: log in, find the project, add 60% with two photos,
see them in the detail and the new data date on 总览."""
from __future__ import annotations

import pytest

from tests.e2e.browser import browser_page, log_in, wait_until_rendered
from tests.e2e.conftest import running_app, with_users
from tests.photo_factory import INSIDE, picture

EDITOR_PW = "field pass 123"


_accounts = with_users(("tp_team", "editor", EDITOR_PW, dict(towns=["阳山县/太平镇"], display_name="驻太平镇工作队")))


@pytest.fixture(scope="module")
def field_server(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("field") / "demo.duckdb", prepare=_accounts) as url:
        yield url


def test_phone_journey_update_with_two_photos(field_server, shot_dir, tmp_path):
    one, two = tmp_path / "IMG_0001.jpg", tmp_path / "IMG_0002.heic"
    one.write_bytes(picture(orientation=6, lonlat=INSIDE, size=(1600, 1200)))
    two.write_bytes(picture("HEIF", size=(1200, 1600)))
    with browser_page(390, 844) as page:
        page.goto(field_server + "/projects")
        wait_until_rendered(page)
        # log in from the collapsed sidebar, then close it again
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        log_in(page, "tp_team", EDITOR_PW)
        page.wait_for_selector("text=已登录：驻太平镇工作队")
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
        wait_until_rendered(page)
        # find it: tap the search box, type, tap 打开
        search = page.get_by_label("搜索项目名称、村或编号")
        search.fill("杏塘村农村厕所")
        search.press("Enter")
        page.wait_for_selector("text=杏塘村农村厕所革命整村推进")
        wait_until_rendered(page)
        page.screenshot(path=str(shot_dir / "field-phone-cards.png"))
        page.get_by_role("button", name="打开").first.click()
        page.wait_for_selector("text=/项目详情：.*杏塘村农村厕所革命整村推进/")  # demo names are long
        save = page.get_by_role("button", name="保存进展")
        save.wait_for()
        wait_until_rendered(page)
        # the form fits the phone: no sideways scrolling, thumb-sized button
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = save.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300
        # the default report date shown (today), read from the date field's segments
        year, month, day = (int(page.get_by_role("spinbutton", name=f"{part}, 报告日期").get_attribute("aria-valuenow"))
                            for part in ("year", "month", "day"))
        report_date = f"{year:04d}-{month:02d}-{day:02d}"
        page.get_by_label("进度（%）").fill("60")
        page.locator('.st-key-fu_panel input[type=file]').set_input_files([str(one), str(two)])
        page.wait_for_selector("text=IMG_0002.heic")
        page.get_by_label("进展说明").fill("化粪池安装完成")
        page.get_by_text("更新进展", exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(shot_dir / "field-phone-form.png"))
        save.click()
        page.wait_for_selector("text=已保存进展", timeout=60000)
        wait_until_rendered(page)
        # the detail shows the two photos, upright copies served by Streamlit
        images = page.locator('.st-key-fu_panel [data-testid="stImage"] img')
        images.nth(1).wait_for()
        assert images.count() == 2
        assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(2))
        page.get_by_text("现场照片", exact=True).first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot_dir / "field-phone-gallery.png"))
        # the detail's current state: the fresh form starts from the stored 60; the gallery is under the report date
        assert page.get_by_label("进度（%）").input_value() == "60"
        assert page.locator(".st-key-fu_panel").get_by_text(report_date, exact=True).count() >= 1
        assert "50MB per file" not in page.locator('[data-testid="stMain"]').inner_text()
        # 总览 reads it: the data date is the update's date
        page.goto(field_server + "/")
        wait_until_rendered(page)
        page.wait_for_selector(f"text=数据日期：{report_date}")
        page.screenshot(path=str(shot_dir / "field-phone-overview.png"))
        assert page.outside_requests == []
