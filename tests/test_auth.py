"""Accounts, roles, scope, login lockout, sessions and the audit log (portfolio.auth, portfolio.audit)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portfolio import accounts as acc, audit, auth
from portfolio.auth import AuthError

PW = "correct horse 1"


@pytest.fixture
def accounts(seed_store):
    """The seed library with an admin, an editor of 阳山县/太平镇 and a viewer."""
    acc.add_user(seed_store, "admin", "admin", PW)
    acc.add_user(seed_store, "ts_team", "editor", PW, towns=["阳山县/太平镇"], display_name="驻太平镇工作队")
    acc.add_user(seed_store, "look", "viewer", PW)
    return seed_store


def test_passwords_are_argon2_hashes_never_plain(accounts):
    rows = accounts.con.execute("SELECT name, password_hash FROM users ORDER BY name").fetchall()
    assert len(rows) == 3
    for _, h in rows:
        assert h.startswith("$argon2id$") and PW not in h
    assert all("password_hash" not in row for row in acc.list_users(accounts))


def test_login_checks_password_and_records_it(accounts):
    user = auth.login(accounts, "ts_team", PW)
    assert user.role == "editor" and user.towns == ("阳山县/太平镇",) and user.label == "驻太平镇工作队"
    with pytest.raises(AuthError) as err:
        auth.login(accounts, "ts_team", "wrong")
    assert err.value.message() == "用户名或密码不正确。"
    with pytest.raises(AuthError):
        auth.login(accounts, "nobody", PW)
    actions = [(e.action, e.user_name) for e in audit.entries(accounts)]
    assert actions[:3] == [("login_failed", "nobody"), ("login_failed", "ts_team"), ("login", "ts_team")]


def test_five_wrong_passwords_lock_the_account_for_15_minutes(accounts):
    start = datetime(2026, 12, 1, 9, 0)
    for i in range(4):
        with pytest.raises(AuthError) as err:
            auth.login(accounts, "ts_team", "wrong", now=start)
        assert err.value.key == "auth_err_bad_login"
    with pytest.raises(AuthError) as err:
        auth.login(accounts, "ts_team", "wrong", now=start)
    assert err.value.key == "auth_err_locked" and "已锁定" in err.value.message() and "09:15" in err.value.message()
    # Locked: even the right password is refused until the lock ends.
    with pytest.raises(AuthError) as err:
        auth.login(accounts, "ts_team", PW, now=start + timedelta(minutes=14))
    assert err.value.key == "auth_err_locked"
    assert auth.login(accounts, "ts_team", PW, now=start + timedelta(minutes=16)).name == "ts_team"
    # A good login clears the count: four more wrong ones do not lock.
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.login(accounts, "ts_team", "wrong", now=start + timedelta(minutes=17))
    assert auth.login(accounts, "ts_team", PW, now=start + timedelta(minutes=17)).name == "ts_team"


def test_logins_do_not_touch_the_data_version(accounts):
    before = accounts.data_version()
    auth.login(accounts, "look", PW)
    with pytest.raises(AuthError):
        auth.login(accounts, "look", "nope")
    assert accounts.data_version() == before


def test_disabled_account_cannot_log_in_and_loses_its_sessions(accounts):
    user = auth.login(accounts, "ts_team", PW)
    token = auth.start_session(accounts, user)
    assert auth.resume_session(accounts, token) == user
    acc.set_disabled(accounts, "ts_team")
    assert auth.resume_session(accounts, token) is None
    with pytest.raises(AuthError) as err:
        auth.login(accounts, "ts_team", PW)
    assert err.value.key == "auth_err_disabled"


def test_session_expires_after_idle_time_and_on_logout(accounts):
    user = auth.login(accounts, "look", PW)
    t0 = datetime(2026, 12, 1, 8, 0)
    token = auth.start_session(accounts, user, now=t0)
    assert auth.resume_session(accounts, token, now=t0 + timedelta(hours=7)) == user  # touches last_seen
    assert auth.resume_session(accounts, token, now=t0 + timedelta(hours=14)) == user  # 7 h after last use
    assert auth.resume_session(accounts, token, now=t0 + timedelta(hours=23)) is None  # 9 h idle
    token = auth.start_session(accounts, user)
    auth.end_session(accounts, token, user.name)
    assert auth.resume_session(accounts, token) is None
    assert auth.resume_session(accounts, "made-up-token") is None
    stored = [r[0] for r in accounts.con.execute("SELECT token_sha256 FROM login_sessions").fetchall()]
    assert token not in stored


def test_password_change_ends_sessions(accounts):
    user = auth.login(accounts, "look", PW)
    token = auth.start_session(accounts, user)
    acc.set_password(accounts, "look", "another password")
    assert auth.resume_session(accounts, token) is None
    assert auth.login(accounts, "look", "another password").name == "look"


@pytest.mark.parametrize("role,county,town,allowed", [
    ("admin", "清新区", "太平镇", True),
    ("admin", None, None, True),
    ("editor", "阳山县", "太平镇", True),
    ("editor", "清新区", "太平镇", False),  # same town name, other county
    ("editor", "阳山县", "七拱镇", False),
    ("editor", None, None, False),
    ("viewer", "阳山县", "太平镇", False),
])
def test_scope_by_role_and_place(accounts, role, county, town, allowed):
    name = {"admin": "admin", "editor": "ts_team", "viewer": "look"}[role]
    user = auth.get_user(accounts, name)
    assert user.may_write(county, town) is allowed
    if allowed:
        assert auth.require_place(user, county, town) is user
    else:
        with pytest.raises(AuthError):
            auth.require_place(user, county, town)


def test_out_of_scope_message_names_user_scope_and_place(accounts):
    user = auth.get_user(accounts, "ts_team")
    refusal = auth.place_refusal(user, "清新区", "太平镇")
    assert refusal.message() == "驻太平镇工作队 只能修改本人负责的镇（阳山县/太平镇）的项目，清新区/太平镇 不在其中。"


def test_county_editor_writes_every_town_of_the_county(accounts):
    acc.add_user(accounts, "ys", "editor", PW, counties=["阳山县"])
    user = auth.get_user(accounts, "ys")
    assert user.may_write("阳山县", "七拱镇") and not user.may_write("英德市", "连江口镇")


def test_anonymous_and_viewer_writes_are_refused(accounts):
    with pytest.raises(AuthError) as err:
        auth.require_writer(None)
    assert err.value.message() == "请先登录：修改数据需要登录。"
    with pytest.raises(AuthError):
        auth.require_writer(auth.get_user(accounts, "look"))
    with pytest.raises(AuthError) as err:
        auth.require_admin(auth.get_user(accounts, "ts_team"), "auth_action_restore")
    assert err.value.message() == "只有管理员可以恢复备份。"


def test_batch_scope_refuses_an_editor_outside_their_towns(accounts):
    editor = auth.get_user(accounts, "ts_team")
    assert auth.require_places(editor, [("阳山县", "太平镇")]) is editor
    with pytest.raises(AuthError) as err:
        auth.require_places(editor, [("阳山县", "太平镇"), ("清新区", "太平镇")])
    assert "清新区/太平镇" in err.value.message()
    assert auth.require_places(auth.get_user(accounts, "admin"), [("清新区", "太平镇")])


@pytest.mark.parametrize("kwargs,key", [
    (dict(name="x", role="viewer"), "auth_err_bad_name"),
    (dict(name="a b<script>", role="viewer"), "auth_err_bad_name"),
    (dict(name="newbie", role="root"), "auth_err_bad_role"),
    (dict(name="newbie", role="editor"), "auth_err_editor_scope"),
    (dict(name="newbie", role="editor", towns=["太平镇"]), "auth_err_unknown_town"),
    (dict(name="newbie", role="editor", counties=["火星县"]), "auth_err_unknown_county"),
    (dict(name="admin", role="viewer"), "auth_err_user_exists"),
])
def test_bad_accounts_are_refused_with_a_reason(accounts, kwargs, key):
    with pytest.raises(AuthError) as err:
        acc.add_user(accounts, password=PW, **kwargs)
    assert err.value.key == key


def test_short_password_is_refused(accounts):
    with pytest.raises(AuthError) as err:
        acc.add_user(accounts, "newbie", "viewer", "short")
    assert err.value.message() == "密码至少 8 个字符。"


def test_only_admins_manage_users_in_the_app(accounts):
    editor = auth.get_user(accounts, "ts_team")
    with pytest.raises(AuthError):
        acc.add_user(accounts, "sneaky", "admin", PW, actor=editor)
    admin = auth.get_user(accounts, "admin")
    acc.add_user(accounts, "fresh", "viewer", PW, actor=admin)
    assert auth.get_user(accounts, "fresh").role == "viewer"
    entry = audit.entries(accounts, action="user_add")[0]
    assert entry.user_name == "admin" and entry.detail == "fresh (viewer)"


def test_last_admin_cannot_be_disabled_or_demoted(accounts):
    with pytest.raises(AuthError) as err:
        acc.set_disabled(accounts, "admin")
    assert err.value.key == "auth_err_last_admin"
    with pytest.raises(AuthError):
        acc.change_user(accounts, "admin", role="viewer")
    acc.add_user(accounts, "admin2", "admin", PW)
    acc.change_user(accounts, "admin", role="viewer")
    assert auth.get_user(accounts, "admin").role == "viewer"


def test_audit_log_is_append_only_and_scoped_for_editors(accounts):
    acc.add_user(accounts, "qx", "editor", PW, towns=["清新区/太平镇"])
    with accounts.cursor() as cur:
        audit.record(cur, "import", "ts_team", scope=["阳山县/太平镇"], counts={"inserted": 3}, batch_id="b1")
        audit.record(cur, "import", "qx", scope=["清新区/太平镇"], counts={"inserted": 2}, batch_id="b2")
    rows = audit.entries(accounts, action="import")
    assert [(e.batch_id, e.counts) for e in rows] == [("b2", {"inserted": 2}), ("b1", {"inserted": 3})]
    ts = auth.get_user(accounts, "ts_team")
    assert [e.batch_id for e in rows if audit.visible_to(e, ts)] == ["b1"]
    admin = auth.get_user(accounts, "admin")
    assert [e.batch_id for e in rows if audit.visible_to(e, admin)] == ["b2", "b1"]
    assert not any(audit.visible_to(e, None) for e in rows)
    with pytest.raises(ValueError):
        with accounts.cursor() as cur:
            audit.record(cur, "delete_everything", "admin")
    from portfolio import sql
    mutating = [name for name, text in sql.all_queries().items()
                if "audit_log" in text and any(w in text.upper() for w in ("UPDATE ", "DELETE ", "DROP ", "TRUNCATE"))]
    assert mutating == []


def test_migration_adds_account_tables_to_an_older_file(tmp_path):
    import duckdb
    from portfolio.store import SCHEMA_VERSION, Store

    path = tmp_path / "old.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE users; DROP TABLE audit_log; DROP TABLE login_sessions")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    store = Store(path)
    acc.add_user(store, "admin", "admin", PW)
    assert auth.get_user(store, "admin").role == "admin"
    assert store.meta("schema_version") == str(SCHEMA_VERSION)
    store.close()
