"""Every write path checks the user's role and towns inside portfolio/ and leaves an audit row:
import (analyse + commit), undo and restore, through the library and the CLI."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio import accounts, audit, views
from portfolio.auth import AuthError, User
from portfolio.filters import Filters
from portfolio.ingest import commit as ingest_commit, pipeline
from tests.seed import ADMIN, AS_OF

TS_EDITOR = User(name="ts_team", role="editor", towns=("阳山县/太平镇",), display_name="驻太平镇工作队")
QX_EDITOR = User(name="qx_team", role="editor", towns=("清新区/太平镇",))
VIEWER = User(name="look", role="viewer")
REPORT = date(2026, 6, 30)

# Two new projects in the editor's town and one in another town of the same county.
TWO_TOWNS = ("项目名称,县,镇,村,总投资（万元）\n"
             "石径村文化广场,阳山县,太平镇,石径村,20\n"
             "七拱镇新圩路灯,阳山县,七拱镇,,8\n"
             "大坪村排水渠,阳山县,太平镇,大坪村,15\n").encode("utf-8")


def analyse(db, data, user, **kw):
    return pipeline.analyse(db, data, "两个镇.csv", pipeline.ImportOptions(report_date=REPORT, **kw), user=user)


def test_editor_import_rejects_other_towns_rows_and_imports_their_own(seed_store):
    analysis = analyse(seed_store, TWO_TOWNS, TS_EDITOR)
    assert analysis.plan.counts["new"] == 2 and analysis.plan.counts["rejected"] == 1
    reasons = [i.message() for issues in analysis.plan.rejected_rows().values() for i in issues]
    assert len(reasons) == 1 and "第3行" in reasons[0]
    assert reasons[0].endswith("驻太平镇工作队 只能导入本人负责的镇（阳山县/太平镇）的项目：这一行属于 阳山县/七拱镇，未导入。")
    result = pipeline.commit(seed_store, analysis, TS_EDITOR)
    assert (result.inserted, result.rejected) == (2, 1)
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 7
    batch = seed_store.one("import_batch", {"batch_id": result.batch_id})
    assert batch["uploaded_by"] == "ts_team"
    entry = audit.entries(seed_store, action="import")[0]
    assert (entry.user_name, entry.batch_id, entry.file_name) == ("ts_team", result.batch_id, "两个镇.csv")
    assert entry.scope == ("阳山县/太平镇",) and entry.counts["inserted"] == 2 and entry.counts["rejected"] == 1
    assert entry.sha256 == analysis.sha256


def test_same_name_town_of_another_county_is_out_of_scope(seed_store):
    data = "项目名称,县,镇,总投资（万元）\n新污水管,清新区,太平镇,9\n".encode("utf-8")
    analysis = analyse(seed_store, data, TS_EDITOR)
    assert analysis.plan.counts["new"] == 0 and analysis.plan.counts["rejected"] == 1


def test_an_editor_cannot_move_another_towns_project_into_theirs(seed_store):
    # B1 belongs to 清新区/太平镇; the sheet claims it for 阳山县/太平镇.
    data = "项目编号,项目名称,县,镇,总投资（万元）\nB1,大坪村污水处理,阳山县,太平镇,80\n".encode("utf-8")
    analysis = analyse(seed_store, data, TS_EDITOR)
    assert analysis.plan.counts["rejected"] == 1
    (reasons,) = analysis.plan.rejected_rows().values()
    assert "清新区/太平镇" in reasons[-1].message()


@pytest.mark.parametrize("user,key", [(None, "auth_err_login_required"), (VIEWER, "auth_err_viewer")])
def test_anonymous_and_viewers_cannot_commit(seed_store, user, key):
    analysis = analyse(seed_store, TWO_TOWNS, None)  # a dry run needs no login
    assert analysis.plan.counts["new"] == 3
    with pytest.raises(AuthError) as err:
        pipeline.commit(seed_store, analysis, user)
    assert err.value.key == key
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 5


def test_a_plan_made_for_one_user_cannot_be_committed_by_another(seed_store):
    analysis = analyse(seed_store, TWO_TOWNS, ADMIN)  # all three rows allowed for the admin
    with pytest.raises(Exception):
        pipeline.commit(seed_store, analysis, TS_EDITOR)
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 5


def test_undo_of_another_teams_batch_is_refused_and_admin_may(seed_store):
    data = "项目名称,县,镇,总投资（万元）\n新污水管,清新区,太平镇,9\n".encode("utf-8")
    result = pipeline.commit(seed_store, analyse(seed_store, data, QX_EDITOR), QX_EDITOR)
    with pytest.raises(AuthError) as err:
        ingest_commit.undo(seed_store, result.batch_id, TS_EDITOR)
    assert "清新区/太平镇" in err.value.message()
    with pytest.raises(AuthError):
        ingest_commit.undo(seed_store, result.batch_id, None)
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 6
    assert ingest_commit.undo(seed_store, result.batch_id, ADMIN) == 1
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 5
    entry = audit.entries(seed_store, action="undo")[0]
    assert (entry.user_name, entry.batch_id, entry.scope) == ("admin", result.batch_id, ("清新区/太平镇",))


def test_editor_undoes_their_own_batch(seed_store):
    result = pipeline.commit(seed_store, analyse(seed_store, TWO_TOWNS, TS_EDITOR), TS_EDITOR)
    assert ingest_commit.undo(seed_store, result.batch_id, TS_EDITOR) == 2
    assert views.kpis(seed_store, Filters(), AS_OF).projects == 5


def test_cli_import_needs_a_user_and_applies_their_scope(tmp_path, monkeypatch, capsys):
    import json

    from portfolio.cli import main
    from portfolio.store import Store
    from tests.seed import seed

    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    accounts.add_user(db, "ts_team", "editor", "correct horse 1", towns=["阳山县/太平镇"])
    db.close()
    sheet = tmp_path / "两个镇.csv"
    sheet.write_bytes(TWO_TOWNS)
    base = ["import", str(sheet), "--db", str(path), "--report-date", "2026-06-30", "--json"]
    assert main(base) != 0  # no --user: refused
    out = json.loads(capsys.readouterr().out)
    assert "请先登录" in out["error"]
    assert main(base + ["--dry-run"]) == 0  # a dry run needs no login
    capsys.readouterr()
    assert main(base + ["--user", "ts_team"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["new"] == 2 and out["rejected"] == 1 and out["committed"]
    db = Store(path)
    assert audit.entries(db, action="import")[0].user_name == "ts_team"
    db.close()
