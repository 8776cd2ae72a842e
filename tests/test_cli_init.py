"""`python -m portfolio init` says what the database holds and how to start clean."""
from __future__ import annotations

from portfolio import demo
from portfolio.cli import main
from portfolio.store import Store


def test_init_on_a_new_file_makes_an_empty_library(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "数据库已就绪" in out and "（0 个项目" in out and "演示项目" not in out


def test_init_on_a_demo_library_says_how_to_start_clean(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    db = Store(path)
    demo.build(db)
    db.close()
    assert main(["init", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"其中 {demo.DEFAULT_PROJECTS} 个是演示项目" in out and "删除该文件再运行 init" in out
