"""The four account journeys in the browser: anonymous upload page, an editor's two-town import,
an admin's undo, and a lockout after five wrong passwords."""
from __future__ import annotations

import pytest

from tests.e2e.browser import browser_page, log_in, wait_until_rendered
from tests.e2e.conftest import running_app, with_users

EDITOR_PW = "editor pass 123"
ADMIN_PW = "admin pass 123"
TWO_TOWNS = ("阳山县项目进展表（截至2026年10月31日）,,,,\n"
             "项目名称,县,镇,村,总投资（万元）\n"
             "石径村文化广场,阳山县,太平镇,石径村,20\n"
             "七拱镇新圩路灯,阳山县,七拱镇,,8\n").encode("utf-8")


_accounts = with_users(("admin", "admin", ADMIN_PW, {}),
                       ("ts_team", "editor", EDITOR_PW, dict(towns=["阳山县/太平镇"], display_name="驻太平镇工作队")))


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("accounts") / "demo.duckdb", prepare=_accounts) as url:
        yield url


def test_anonymous_upload_page_asks_for_a_login(accounts_server, shot_dir):
    with browser_page() as page:
        page.goto(accounts_server + "/upload")
        wait_until_rendered(page)
        page.wait_for_selector("text=导入和修改数据需要登录")
        assert page.locator("input[type=file]").count() == 0
        assert page.get_by_role("button", name="确认导入").count() == 0
        page.get_by_role("tab", name="导入历史").click()
        assert page.get_by_role("button", name="撤销此批次").count() == 0
        page.screenshot(path=str(shot_dir / "accounts-anonymous-upload.png"))
        assert page.outside_requests == []


def test_editor_imports_own_town_admin_undoes(accounts_server, shot_dir, tmp_path):
    sheet = tmp_path / "两个镇.csv"
    sheet.write_bytes(TWO_TOWNS)
    with browser_page() as page:
        page.goto(accounts_server + "/upload")
        wait_until_rendered(page)
        log_in(page, "ts_team", EDITOR_PW)
        page.wait_for_selector("text=已登录：驻太平镇工作队")
        page.locator("input[type=file]").set_input_files(str(sheet))
        page.get_by_role("button", name="检查并预览").click()
        page.get_by_role("button", name="确认导入").wait_for(timeout=60000)
        page.wait_for_selector("text=这一行属于 阳山县/七拱镇，未导入", state="attached")
        wait_until_rendered(page)
        page.screenshot(path=str(shot_dir / "accounts-editor-preview.png"), full_page=True)
        page.get_by_role("button", name="确认导入").click()
        page.wait_for_selector("text=已导入：批次", timeout=60000)
        batch = page.locator("text=已导入：批次").first.inner_text().split("批次 ")[1].split("，")[0]
        page.goto(accounts_server + "/audit")
        wait_until_rendered(page)
        page.wait_for_selector("text=已登录：驻太平镇工作队")  # the login survived a new page load
        cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
        cells.first.wait_for(state="attached")
        texts = [cells.nth(i).inner_text() for i in range(min(cells.count(), 8))]
        # Newest first: the import, by the editor, of their own town only, with its batch.
        assert texts[1:4] == ["ts_team", "导入", "阳山县/太平镇"]
        # The first real import into the demo library removed the demo projects, and says so.
        assert texts[4].startswith("删除演示项目 560，新增 1，未导入 1"), texts[4]
        assert texts[6] == batch
        page.screenshot(path=str(shot_dir / "accounts-audit.png"), full_page=True)
        page.get_by_role("button", name="退出").click()
        page.wait_for_selector("text=登录")

        page.goto(accounts_server + "/upload")
        wait_until_rendered(page)
        log_in(page, "admin", ADMIN_PW)
        page.wait_for_selector("text=已登录：admin")
        page.get_by_role("tab", name="导入历史").click()
        page.get_by_role("button", name="撤销此批次").click()
        page.wait_for_selector(f"text=已撤销批次 {batch}", timeout=60000)
        page.screenshot(path=str(shot_dir / "accounts-admin-undo.png"))


def _submit_and_wait_until_checked(page, name: str, password: str) -> None:
    """Submit the login form and wait until the server has checked it.

    The login callback empties the password field, so an empty field proves this very submit
    was counted; the error text alone does not (the previous attempt's message is still shown).
    A submit lost while the WebSocket reconnected (CI under load) is sent once more.
    """
    field = page.get_by_label("密码")
    for attempt in range(2):
        page.get_by_label("用户名").fill(name)
        field.fill(password)
        page.get_by_role("button", name="登录").click()
        try:
            page.wait_for_function("() => document.querySelector('input[type=password]')?.value === ''",
                                   timeout=60_000)
            return
        except Exception:
            if attempt == 1 or field.input_value() != password:
                raise


def test_five_wrong_passwords_lock_the_account(accounts_server, shot_dir):
    with browser_page() as page:
        page.goto(accounts_server + "/")
        wait_until_rendered(page)
        page.get_by_text("登录", exact=True).first.click()
        for attempt in range(5):
            _submit_and_wait_until_checked(page, "ts_team", "wrong password")
            expected = "已锁定" if attempt == 4 else "用户名或密码不正确"
            page.wait_for_selector(f"text={expected}", timeout=60_000)
        _submit_and_wait_until_checked(page, "ts_team", EDITOR_PW)
        page.wait_for_selector("text=已锁定")
        assert page.locator("text=已登录").count() == 0
        page.screenshot(path=str(shot_dir / "accounts-locked.png"))
