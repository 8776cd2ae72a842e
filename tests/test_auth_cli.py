"""`python -m portfolio user ...` and `audit` through the CLI entry point."""
from __future__ import annotations

import io
import json

from portfolio import auth, cli
from portfolio.store import Store


def run(monkeypatch, capsys, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_commands_make_and_manage_accounts(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "p.duckdb")
    assert run(monkeypatch, capsys, ["user", "add", "boss", "--role", "admin", "--password-stdin", "--db", db],
               "first admin pw\n")[0] == 0
    code, out, _ = run(monkeypatch, capsys, ["user", "add", "ts", "--role", "editor", "--town", "阳山县/太平镇",
                                             "--display-name", "驻太平镇工作队", "--password-stdin", "--db", db],
                       "editor pass 1\n")
    assert code == 0 and out.strip() == "已新增用户 ts（editor）"
    code, out, _ = run(monkeypatch, capsys, ["user", "list", "--db", db])
    assert out.splitlines() == ["boss\tadmin\t全部\t", "ts\teditor\t阳山县/太平镇\t驻太平镇工作队"]
    code, _, err = run(monkeypatch, capsys, ["user", "add", "bad", "--role", "editor", "--town", "太平镇",
                                             "--password-stdin", "--db", db], "long enough pw\n")
    assert code == 2 and "太平镇 不是地名库中的镇" in err
    assert run(monkeypatch, capsys, ["user", "passwd", "ts", "--password-stdin", "--db", db], "new password 2\n")[0] == 0
    assert run(monkeypatch, capsys, ["user", "disable", "ts", "--db", db])[0] == 0
    code, _, err = run(monkeypatch, capsys, ["user", "disable", "boss", "--db", db])
    assert code == 2 and err.strip() == "不能停用或降级最后一个管理员。"
    store = Store(db)
    assert auth.login(store, "boss", "first admin pw").role == "admin"
    assert auth.get_user(store, "ts").disabled
    store.close()
    code, out, _ = run(monkeypatch, capsys, ["audit", "--json", "--db", db])
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["action"] for r in rows] == ["login", "user_disable", "user_passwd", "user_add", "user_add"]
    assert all(r["user"] == "(命令行)" for r in rows[1:]) and rows[0]["user"] == "boss"
    assert "first admin pw" not in out and "new password 2" not in out


def test_passwords_never_appear_in_arguments(tmp_path, monkeypatch, capsys):
    import pytest

    with pytest.raises(SystemExit):
        run(monkeypatch, capsys, ["user", "add", "x1", "--role", "viewer", "--password", "pw123456",
                                  "--db", str(tmp_path / "p.duckdb")])
