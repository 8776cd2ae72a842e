"""`python -m portfolio import` of indicator sheets (auto-detected or --kind), undo, and the xlsx export."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest

from portfolio import accounts, cli
from portfolio.store import Store
from portfolio.outcomes import values
from tests.test_outcomes_import import ROWS, book


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    accounts.add_user(db, "taiping", "editor", "editor pass 1", towns=["阳山县/太平镇"])
    accounts.add_user(db, "qigong", "editor", "editor pass 1", towns=["阳山县/七拱镇"])
    db.close()
    return path


def run(capsys, argv):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_auto_detected_import_then_undo(db_path, tmp_path, capsys):
    sheet = tmp_path / "太平镇指标.xlsx"
    sheet.write_bytes(book())
    code, out, _ = run(capsys, ["import", str(sheet), "--db", str(db_path), "--dry-run", "--json"])
    summary = json.loads(out)
    assert code == 0 and summary["kind"] == "indicators" and summary["new"] == 12 and not summary["committed"]
    code, out, err = run(capsys, ["import", str(sheet), "--db", str(db_path), "--user", "taiping"])
    db = Store(db_path)
    assert len(values.load(db)) == 12
    batch = db.rows("import_history", {"limit": 5})[0][0]
    db.close()
    assert code == 0 and "新增 12" in out and batch in out
    # Another town's editor may not undo it; the importing editor may.
    code, _, err = run(capsys, ["import", "-", "--db", str(db_path), "--undo", batch, "--user", "qigong"])
    assert code == 5 and "太平镇" in err
    code, out, _ = run(capsys, ["import", "-", "--db", str(db_path), "--undo", batch, "--user", "taiping"])
    assert code == 0 and batch in out
    db = Store(db_path)
    assert len(values.load(db)) == 0
    db.close()


def test_kind_indicators_refuses_out_of_scope_rows_and_export_writes_the_values(db_path, tmp_path, capsys):
    sheet = tmp_path / "s.xlsx"
    sheet.write_bytes(book())
    code, out, _ = run(capsys, ["import", str(sheet), "--db", str(db_path), "--user", "qigong",
                                "--kind", "indicators", "--json"])
    summary = json.loads(out)
    assert code == 0 and summary["new"] == 0 and summary["rejected"] == 12 and not summary["committed"]
    assert any("不在" in i["message"] or "太平镇" in i["message"] for i in summary["issues"])
    run(capsys, ["import", str(sheet), "--db", str(db_path), "--user", "taiping"])
    out_file = tmp_path / "v.xlsx"
    code, _, _ = run(capsys, ["export", "--db", str(db_path), "--format", "xlsx", "--indicators",
                              "--county", "阳山县", "--town", "太平镇", "--out", str(out_file)])
    assert code == 0
    ws = openpyxl.load_workbook(io.BytesIO(out_file.read_bytes())).active
    rows = list(ws.values)
    assert rows[0][:6] == ("县（市、区）", "镇（街道）", "村（社区）", "指标", "统计期", "值")
    toilets = [r for r in rows[1:] if r[3] == "无害化卫生户厕普及率"]
    assert [(r[2], r[5], r[7], r[8]) for r in toilets] == [("太平村", 80, 240, 300), ("毛崀村", 95, 190, 200),
                                                           ("龙塘村", 30, 30, 100)]
    tiers = {r[2]: r[5] for r in rows[1:] if r[3] == "美丽乡村创建等级"}
    assert tiers == {"太平村": "美丽宜居村", "毛崀村": "干净整洁村", "龙塘村": "未创建"}
    assert len(ROWS) == 4
