"""Restore is for admins, checks the backup before touching anything, keeps accounts and the
audit log, and backup rotation never drops the newest copy of each kind."""
from __future__ import annotations

import pytest

from portfolio import accounts, audit, auth, store as store_mod, views
from portfolio.auth import AuthError, User
from portfolio.filters import Filters
from portfolio.store import Store, StoreCorruptError
from tests.seed import ADMIN, AS_OF, seed

PW = "correct horse 1"


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "bk"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    accounts.add_user(db, "admin", "admin", PW)
    accounts.add_user(db, "ts_team", "editor", PW, towns=["阳山县/太平镇"])
    db.close()
    return path


@pytest.mark.parametrize("user", [None, User(name="ts_team", role="editor", towns=("阳山县/太平镇",)),
                                  User(name="look", role="viewer")])
def test_only_admins_restore(library, user):
    db = Store(library)
    backup = db.backup()
    db.close()
    with pytest.raises(AuthError):
        store_mod.restore(library, backup, user)
    assert [b.name for b in store_mod.list_backups(library)] == [backup.name]  # nothing saved, nothing changed


def test_a_broken_backup_is_refused_before_anything_is_copied(library, tmp_path):
    broken = tmp_path / "bk" / "lib-20990101-000000-000000-import.duckdb"
    broken.parent.mkdir(exist_ok=True)
    broken.write_bytes(b"not a database" * 100)
    before = library.read_bytes()
    for _ in range(12):
        with pytest.raises(StoreCorruptError) as err:
            store_mod.restore(library, broken, ADMIN)
        assert "无法读取，未做任何改动" in str(err.value)
    assert library.read_bytes() == before
    assert [b.name for b in store_mod.list_backups(library)] == [broken.name]  # no before-restore copies piled up


def test_rotation_keeps_the_newest_backup_of_each_kind(library):
    db = Store(library)
    good = db.backup(label="import")
    for _ in range(12):
        db.backup(label="before-restore")
    db.close()
    kept = store_mod.list_backups(library)
    assert good in kept
    assert len(kept) == 11  # ten newest, plus the newest of a kind that would have fallen out
    assert sorted({store_mod.backup_kind(b) for b in kept}) == ["before-restore", "import"]


def test_restore_keeps_accounts_and_the_audit_log_and_records_itself(library):
    db = Store(library)
    backup = db.backup()
    db.write(lambda cur: cur.execute("DELETE FROM projects"))
    accounts.set_password(db, "ts_team", "changed after the backup")
    accounts.add_user(db, "late_user", "viewer", PW)
    logged = len(audit.entries(db))
    db.close()
    store_mod.restore(library, backup, ADMIN)
    db = Store(library)
    assert views.kpis(db, Filters(), AS_OF).projects == 5  # the projects came back
    assert auth.get_user(db, "late_user") is not None  # the accounts did not go back in time
    assert auth.login(db, "ts_team", "changed after the backup").name == "ts_team"
    entries = audit.entries(db)
    actions = [e.action for e in entries]
    assert actions[:2] == ["login", "restore"] and len(entries) == logged + 2
    assert entries[1].user_name == "admin" and entries[1].file_name == backup.name
    ids = [e.audit_id for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    db.close()


def test_a_corrupt_database_gives_a_clear_message_and_init_fails(tmp_path, capsys):
    from portfolio.cli import main

    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreCorruptError) as err:
        Store(path)
    assert "无法打开，可能已损坏" in str(err.value) and "restore" in str(err.value)
    assert main(["init", "--db", str(path)]) == 4
    out = capsys.readouterr()
    assert "schema ready" not in out.out and "可能已损坏" in out.err


def test_a_corrupt_database_shows_a_chinese_page_without_a_traceback(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("PORTFOLIO_DB", str(path))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error][0].startswith("数据库文件无法打开，可能已损坏")
    assert str(path) not in " ".join(e.value for e in at.error)
    st.cache_resource.clear()


def test_an_unknown_project_in_the_url_is_shown_as_text(app):
    at = app.run()
    at.query_params["project"] = "[点我](http://evil.example) :material/home: ![x](http://evil.example/x.png)"
    at.switch_page("app_pages/projects.py").run()
    assert not at.exception
    warning = at.warning[0].value
    # Every markdown character is escaped: no link, no image, no icon can form.
    assert "\\[点我\\]\\(http\\:" in warning and "\\:material/home\\:" in warning and "\\!\\[x\\]" in warning


def test_too_little_memory_shows_its_own_page_not_restore_advice(demo_db_file, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("PORTFOLIO_DB", str(demo_db_file))
    monkeypatch.setenv("PORTFOLIO_MEMORY_LIMIT", "1MB")
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("打开数据库时内存不足，文件没有损坏") and "restore" not in message
    st.cache_resource.clear()
