"""The data date moves only on purpose: the report date comes from the sheet or the user, never a
silent today; the preview says how the data date moves and how many projects turn late; late is
judged per town, so one town's upload never makes another town's projects late."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

import json
from datetime import date

import pytest

from portfolio import cli
from portfolio.ingest import pipeline, report_date
from portfolio.ingest.issues import IngestError
from portfolio.store import Store
from tests.ingest_builders import dump, xlsx

HEADER = ["项目名称", "县", "乡镇", "村", "投资（万元）", "计划完工", "进度"]


def _sheet(title: str | None, rows: list[list]) -> bytes:
    return xlsx(([[title]] if title else []) + [HEADER] + rows)


@pytest.mark.parametrize("title, notes, expected", [
    ("连南县寨岗镇项目进度表（截至2024年6月30日）", [], date(2024, 6, 30)),
    ("寨岗镇2024年1-6月项目进展情况", [], date(2024, 6, 30)),
    ("寨岗镇项目库", ["填报日期：2024年7月5日"], date(2024, 7, 5)),
    ("寨岗镇2024年项目库", [], None),  # a year alone is no report date
])
def test_report_date_read_from_title_or_notes(title, notes, expected):
    found = report_date.from_sheet(title, notes)
    assert (found.value if found else None) == expected


def test_a_sheet_without_report_date_previews_but_never_commits(mem_store):
    data = _sheet("寨岗镇项目库", [["石径村饮水", "连南瑶族自治县", "寨岗镇", "石径村", 10, "2024-12-31", "50%"]])
    a = pipeline.analyse(mem_store, data, "t.xlsx")
    assert a.report_date is None and a.summary()["report_date"] is None
    assert [i.key for i in a.errors()] == ["ing_e_no_report_date"]
    before = dump(mem_store)
    with pytest.raises(IngestError) as err:
        pipeline.commit(mem_store, a, ADMIN)
    assert "没有写明报告日期" in err.value.message("zh") and "--report-date" in err.value.message("zh")
    assert dump(mem_store) == before


def test_the_sheet_date_is_used_and_said(mem_store):
    data = _sheet("寨岗镇项目进度表（截至2024年6月30日）",
                  [["石径村饮水", "连南瑶族自治县", "寨岗镇", "石径村", 10, "2024-12-31", "50%"]])
    a = pipeline.analyse(mem_store, data, "t.xlsx")
    assert (a.report_date, a.report_date_source, a.report_date_text) == (date(2024, 6, 30), "sheet", "截至2024年6月30日")
    assert a.errors() == []


def test_cli_refuses_to_commit_without_report_date_and_writes_nothing(tmp_path, capsys):
    from portfolio import accounts

    db = tmp_path / "t.duckdb"
    store = Store(db)
    accounts.add_user(store, "admin", "admin", "test password 1")
    store.close()
    path = tmp_path / "寨岗镇.xlsx"
    path.write_bytes(_sheet(None, [["石径村饮水", "连南瑶族自治县", "寨岗镇", "石径村", 10, "2024-12-31", "50%"]]))
    assert cli.main(["import", str(path), "--db", str(db), "--json", "--user", "admin"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "ing_err_no_report_date"
    assert cli.main(["import", str(path), "--db", str(db), "--json", "--report-date", "2024-06-30",
                     "--user", "admin"]) == 0
    assert json.loads(capsys.readouterr().out)["committed"] is True


def _import(store, rows, when):
    a = pipeline.analyse(store, _sheet(None, rows), "t.xlsx", pipeline.ImportOptions(report_date=when))
    pipeline.commit(store, a, ADMIN)
    return a


def test_one_towns_upload_never_makes_another_towns_projects_late(mem_store):
    march, june = date(2024, 3, 31), date(2024, 6, 30)
    _import(mem_store, [["寨岗镇道路A", "连南瑶族自治县", "寨岗镇", "石径村", 10, "2024-05-31", "50%"],
                        ["寨岗镇路灯A", "连南瑶族自治县", "寨岗镇", "石径村", 5, "2024-05-31", "20%"]], march)
    _import(mem_store, [["太和镇饮水B", "清新区", "太和镇", None, 20, "2024-05-31", "50%"]], march)
    upload = _sheet(None, [["寨岗镇新项目", "连南瑶族自治县", "寨岗镇", "石径村", 8, "2024-12-31", "10%"]])
    a = pipeline.analyse(mem_store, upload, "t.xlsx", pipeline.ImportOptions(report_date=june))
    change = a.date_change
    assert (change.old, change.new, change.newly_late) == (march, june, 2)
    from portfolio.ingest import preview

    assert preview.date_lines(a)[-1] == "数据日期将从 2024-03-31 变为 2024-06-30；2 个已有项目将因此变为逾期（逾期按各镇自己的最新报告日期判断）。"
    pipeline.commit(mem_store, a, ADMIN)
    with mem_store.cursor() as cur:
        late = report_date.late_project_ids(cur, june)
        names = dict(cur.execute("SELECT project_id, name FROM projects").fetchall())
    assert sorted(names[p] for p in late) == ["寨岗镇路灯A", "寨岗镇道路A"]  # 太和镇's project is not late
    # The dashboard's own flag (the one macro every page reads) says the same, on the data date too.
    from portfolio import views
    from portfolio.filters import Filters

    assert views.kpis(mem_store, Filters(), june).late == 2
    assert views.kpis(mem_store, Filters(counties=("清新区",)), june).late == 0


def test_a_new_project_without_a_report_is_judged_on_its_own_towns_date(mem_store):
    from portfolio import views
    from portfolio.filters import Filters

    march, june = date(2024, 3, 31), date(2024, 6, 30)
    _import(mem_store, [["寨岗镇道路A", "连南瑶族自治县", "寨岗镇", "石径村", 10, "2024-12-31", "50%"]], march)
    _import(mem_store, [["太和镇饮水B", "清新区", "太和镇", None, 20, "2024-12-31", "50%"]], june)
    # A project due in May joins 寨岗镇, whose latest report is March: not late yet, though the data date is June.
    _import(mem_store, [["寨岗镇新路灯", "连南瑶族自治县", "寨岗镇", "石径村", 5, "2024-05-31", None]], march)
    assert views.kpis(mem_store, Filters(counties=("连南瑶族自治县",)), None).late == 0
    # The same project in 太和镇 (reported in June) is late.
    _import(mem_store, [["太和镇新路灯", "清新区", "太和镇", None, 5, "2024-05-31", None]], june)
    assert views.kpis(mem_store, Filters(counties=("清新区",)), None).late == 1
