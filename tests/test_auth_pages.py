"""AppTest of login, logout, the 用户管理 and 操作记录 pages, and login-to-read."""
from __future__ import annotations

import pytest

from portfolio import accounts, audit
from portfolio.store import Store

PW = "correct horse 1"


@pytest.fixture
def accounts_db(demo_db_file):
    db = Store(demo_db_file)
    accounts.add_user(db, "admin", "admin", PW)
    accounts.add_user(db, "ts_team", "editor", PW, towns=["阳山县/太平镇"], display_name="驻太平镇工作队")
    db.close()
    return demo_db_file


def _login(at, name, password):
    at.text_input(key="auth_name").set_value(name)
    at.text_input(key="auth_password").set_value(password)
    at.button[[b.label for b in at.button].index("登录")].click()
    return at.run()


def _sidebar_text(at) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_anonymous_reads_and_sees_a_login_form(app, accounts_db):
    at = app.run()
    assert not at.exception
    assert at.text_input(key="auth_name").label == "用户名"
    assert at.text_input(key="auth_password").label == "密码"
    assert "已登录" not in _sidebar_text(at)
    assert at.metric[0].value  # the overview shows numbers without a login


def test_login_and_logout_in_the_sidebar(app, accounts_db):
    at = _login(app.run(), "ts_team", PW)
    assert not at.exception
    assert "已登录：驻太平镇工作队（编辑，阳山县/太平镇）" in _sidebar_text(at)
    assert at.session_state["auth_password"] == ""  # the password does not stay in the session
    at.button(key="auth_logout_button").click()
    at = at.run()
    assert "已登录" not in _sidebar_text(at)
    db = Store(accounts_db)
    assert [e.action for e in audit.entries(db)][:2] == ["logout", "login"]
    assert db.con.execute("SELECT count(*) FROM login_sessions").fetchall()[0][0] == 0
    db.close()


def test_wrong_password_shows_a_chinese_error(app, accounts_db):
    at = _login(app.run(), "ts_team", "wrong password")
    assert [e.value for e in at.sidebar.error] == ["用户名或密码不正确。"]


def test_users_page_only_for_admins(app, accounts_db):
    at = _login(app.run(), "admin", PW)
    at.switch_page("app_pages/users.py")
    at = at.run()
    assert not at.exception
    assert at.title[0].value == "用户管理"
    names = list(at.dataframe[0].value["用户名"])
    assert names == ["admin", "ts_team"]
    # The page itself refuses anyone else, should its address be reached.
    at.button(key="auth_logout_button").click()
    at = at.run()
    assert "只有管理员可以打开此页面。" in [i.value for i in at.info] or at.title[0].value != "用户管理"


def test_audit_page_editor_sees_own_towns_only(app, accounts_db):
    db = Store(accounts_db)
    with db.cursor() as cur:
        audit.record(cur, "import", "someone", scope=["清新区/太平镇"], batch_id="other-team")
        audit.record(cur, "import", "ts_team", scope=["阳山县/太平镇"], batch_id="own-team")
    db.close()
    at = _login(app.run(), "ts_team", PW)
    at.switch_page("app_pages/audit_log.py")
    at = at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "own-team" in set(table["批次"]) and "other-team" not in set(table["批次"])


def test_login_required_to_read(app, accounts_db, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_REQUIRE_LOGIN_TO_READ", "1")
    at = app.run()
    assert not at.exception
    assert "本看板需要登录后查看" in " ".join(i.value for i in at.info)
    assert not at.metric
    at = _login(at, "admin", PW)
    assert at.metric and at.metric[0].value


def test_server_config_keeps_xsrf_and_hides_tracebacks():
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] == "none"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "ADDRESS ?= 127.0.0.1" in makefile and "--server.address $(ADDRESS)" in makefile


@pytest.mark.parametrize("role,can_write", [(None, False), ("viewer", False), ("editor", True), ("admin", True)])
def test_upload_page_offers_writes_only_to_editors_and_admins(app, accounts_db, role, can_write):
    from tests.conftest import sign_in

    if role is not None:
        sign_in(app, name=f"{role}_x", role=role, towns=("阳山县/太平镇",) if role == "editor" else ())
    at = app.run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    assert bool(at.get("file_uploader")) is can_write
    prompt = "导入和修改数据需要登录。 请先在侧栏登录编辑或管理员账号。"
    assert (prompt in [i.value for i in at.info]) is (not can_write)
