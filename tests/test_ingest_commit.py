"""Dry run, commit, history and undo: counts, field diffs, before-images, reports, atomicity."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

from portfolio.auth import User  # noqa: E402

from datetime import date

import pytest

from portfolio import store as store_mod
from portfolio.ingest import commit as commit_mod, pipeline
from portfolio.ingest.issues import IngestError
from tests.ingest_builders import analyse, dump, xlsx

D1, D2 = date(2024, 6, 30), date(2024, 7, 31)
HEADER = ["项目编号", "项目名称", "县（市、区）", "镇", "村", "项目类别", "总投资（万元）", "项目状态", "进度", "已支出（万元）"]
BASE = xlsx([HEADER,
             ["LN001", "石径村饮水工程", "连南瑶族自治县", "寨岗镇", "石径村", "供水", 20, "在建", "50%", 8],
             ["LN002", "新埠村道路硬底化", "连南瑶族自治县", "寨岗镇", "新埠村", "道路", 35.5, "储备", None, None],
             ["LN003", "阳爱村太阳能路灯", "连南瑶族自治县", "寨岗镇", "阳爱村", "路灯", 7.2, "已完工", "100%", 7.0]])
UPDATE = xlsx([HEADER,
               ["LN001", "石径村饮水工程", "连南瑶族自治县", "寨岗镇", "石径村", "供水", 20, "在建", "80%", 15],
               ["LN002", "新埠村道路硬底化", "连南瑶族自治县", "寨岗镇", "新埠村", "道路", 36, "储备", None, None],
               ["LN003", "阳爱村太阳能路灯", "连南瑶族自治县", "寨岗镇", "阳爱村", "路灯", 7.2, "已完工", "100%", 7.0],
               ["LN004", "成头冲村户厕改造", "连南瑶族自治县", "寨岗镇", "成头冲村", "厕所", 12, "招投标", None, None],
               [None, None, "连南瑶族自治县", "寨岗镇", None, None, 3, None, None, None]])
OTHER = xlsx([HEADER, ["LN005", "石坑崀村污水处理", "连南瑶族自治县", "寨岗镇", "石坑崀村", "污水", 40, "储备", None, None]])


def _import(store, data, report_date=D1, name="t.xlsx", uploaded_by="驻镇工作队"):
    a = analyse(store, data, name, report_date=report_date)
    return a, pipeline.commit(store, a, User(name=uploaded_by, role="admin"))


def _query_results(store) -> dict:
    """What the pages show: the lead's named queries plus the raw tables undo must restore."""
    from portfolio.filters import Filters

    base = Filters().sql_params()
    out = {"project_table": store.rows("project_table", base | {"as_of": D2, "limit": 1000}),
           "places": sorted(store.rows("grouped_places", base | {"as_of": D2})),
           "by_category": sorted(store.rows("by_category", base))}
    out["history_LN001"] = store.rows("project_history", {"project_id": "LN001"})
    full = dump(store)
    for table in ("projects", "progress_reports", "progress_latest"):
        out[table] = full[table]
    return out


def test_first_import_creates_projects_reports_and_a_batch(mem_store):
    version = mem_store.data_version()
    a, result = _import(mem_store, BASE)
    assert (result.inserted, result.updated, result.unchanged, result.rejected, result.reports) == (3, 0, 0, 0, 3)
    assert mem_store.data_version() == version + 1
    rows = {r[0]: r[1:] for r in mem_store.rows("project_table", _all_params())}
    assert sorted(rows) == ["LN001", "LN002", "LN003"]
    project = mem_store.one("project_detail", {"project_id": "LN001", "as_of": D1})
    assert (project["category"], project["status"], project["progress_pct"], project["spent_wan"],
            project["village_code"], project["location_precision"], project["batch_id"]) == (
        "water_supply", "in_progress", 50.0, 8.0, "441826102221", "village", result.batch_id)
    history = commit_mod.history(mem_store).to_pylist()
    assert [(h["file_name"], h["uploaded_by"], h["rows_read"], h["inserted"], h["state"]) for h in history] == [
        ("t.xlsx", "驻镇工作队", 3, 3, "committed")]
    versions = mem_store.rows("import_batch_versions", {"batch_id": result.batch_id})
    assert versions == [("LN001", "insert", None), ("LN002", "insert", None), ("LN003", "insert", None)]


def _all_params():
    from portfolio.filters import Filters

    return Filters().sql_params() | {"as_of": D2, "limit": 1000}


def test_dry_run_counts_and_field_level_diff(mem_store):
    _import(mem_store, BASE)
    before = dump(mem_store)
    a = analyse(mem_store, UPDATE, report_date=D2)
    assert dump(mem_store) == before  # a dry run never writes
    assert {k: a.counts[k] for k in ("new", "changed", "unchanged", "rejected")} == {
        "new": 1, "changed": 2, "unchanged": 1, "rejected": 1}
    changes = {c["project_id"]: c["diffs"] for c in a.summary()["changes"]}
    assert changes == {
        "LN001": [{"field": "spent_wan", "old": 8.0, "new": 15.0}, {"field": "progress_pct", "old": 50.0, "new": 80.0}],
        "LN002": [{"field": "budget_wan", "old": 35.5, "new": 36.0}],
    }
    rejected = a.plan.rejected_rows()
    assert list(rejected) == [("项目表", 6)]
    assert [i.message() for i in rejected[("项目表", 6)]] == [
        "「项目表」 第6行 B列（项目名称）：缺少项目名称，且没有建设内容可用来组成名称，此行未导入。"]
    # Every project with a status, progress or spending gets a report on the new date.
    assert (a.counts["reports_new"], a.counts["reports_replaced"]) == (4, 0)


def test_commit_keeps_before_images_and_appends_reports(mem_store):
    _import(mem_store, BASE)
    version = mem_store.data_version()
    _, result = _import(mem_store, UPDATE, report_date=D2)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (1, 2, 1, 1)
    assert mem_store.data_version() == version + 1
    versions = {pid: (action, row_json is not None) for pid, action, row_json in
                mem_store.rows("import_batch_versions", {"batch_id": result.batch_id})}
    assert versions == {"LN001": ("update", True), "LN002": ("update", True), "LN003": ("report", True),
                        "LN004": ("insert", False)}
    assert mem_store.rows("project_history", {"project_id": "LN001"}) == [
        (D1, "in_progress", 50.0, 8.0, None, mem_store.rows("import_history", {"limit": 9})[1][0]),
        (D2, "in_progress", 80.0, 15.0, None, result.batch_id)]
    with mem_store.cursor() as cur:
        rollup = cur.execute("SELECT project_id, report_count, last_progress_pct, prev_progress_pct "
                             "FROM progress_latest ORDER BY project_id").fetchall()
    assert rollup == [("LN001", 2, 80.0, 50.0), ("LN002", 2, None, None), ("LN003", 2, 100.0, 100.0),
                      ("LN004", 1, None, None)]


def test_same_report_date_replaces_that_report(mem_store):
    _import(mem_store, BASE)
    _, result = _import(mem_store, UPDATE, report_date=D1)
    assert mem_store.rows("project_history", {"project_id": "LN001"}) == [
        (D1, "in_progress", 80.0, 15.0, None, result.batch_id)]
    commit_mod.undo(mem_store, result.batch_id, ADMIN)
    first_batch = mem_store.rows("import_history", {"limit": 9})[1][0]
    assert mem_store.rows("project_history", {"project_id": "LN001"}) == [
        (D1, "in_progress", 50.0, 8.0, None, first_batch)]


def test_same_file_again_changes_nothing_and_says_so(mem_store):
    _import(mem_store, BASE)
    before = dump(mem_store)
    a, result = _import(mem_store, BASE)
    assert result.noop and result.batch_id is None
    assert a.plan.is_noop and a.counts["unchanged"] == 3
    assert a.issues()[0].key == "ing_w_same_file"
    assert "这个文件已于" in a.issues()[0].message() and "内容没有变化" in a.issues()[0].message()
    assert dump(mem_store) == before  # not even the data version moved


def test_export_then_import_changes_nothing(mem_store):
    from portfolio import export

    _import(mem_store, UPDATE, report_date=D1)
    before = dump(mem_store)
    exported = export.to_xlsx(mem_store.df("project_table", _all_params()), "zh")
    a, result = _import(mem_store, exported, report_date=D1, name="export.xlsx")
    assert {k: a.counts[k] for k in ("new", "changed", "unchanged", "rejected")} == {
        "new": 0, "changed": 0, "unchanged": 4, "rejected": 0}
    assert result.noop
    assert dump(mem_store) == before


def test_export_of_the_demo_imports_unchanged(demo_store):
    from portfolio import demo, export

    exported = export.to_xlsx(demo_store.df("project_table", _all_params() | {"limit": 10_000}), "zh")
    a = analyse(demo_store, exported, "demo.xlsx", report_date=demo.DEMO_AS_OF,
                remove_demo=False)  # matching against the demo itself
    assert (a.counts["new"], a.counts["changed"], a.counts["rejected"]) == (0, 0, 0)
    assert a.counts["unchanged"] == demo.DEFAULT_PROJECTS
    assert [i for i in a.issues() if i.level == "error"] == []


class Boom(RuntimeError):
    pass


def test_failure_mid_commit_leaves_the_database_exactly_as_it_was(mem_store):
    _import(mem_store, BASE)
    before = dump(mem_store)
    a = analyse(mem_store, UPDATE, report_date=D2)

    def explode(cur):
        raise Boom("disk full")

    with pytest.raises(Boom):
        pipeline.commit(mem_store, a, ADMIN, before_write=explode)
    assert dump(mem_store) == before
    # The same commit later succeeds: nothing half-written stands in its way.
    result = pipeline.commit(mem_store, a, ADMIN)
    assert result.updated == 2


def test_failure_after_the_rows_are_written_rolls_back_too(mem_store, monkeypatch):
    _import(mem_store, BASE)
    before = dump(mem_store)
    a = analyse(mem_store, UPDATE, report_date=D2)

    def fail(cur, ids=None):
        raise Boom("rollup failed")

    monkeypatch.setattr(store_mod, "refresh_progress_latest", fail)
    with pytest.raises(Boom):
        pipeline.commit(mem_store, a, ADMIN)
    assert dump(mem_store) == before


def test_commit_refuses_a_stale_preview(mem_store):
    _import(mem_store, BASE)
    a = analyse(mem_store, UPDATE, report_date=D2)
    _import(mem_store, UPDATE, report_date=D2)  # someone else imported the same changes meanwhile
    before = dump(mem_store)
    with pytest.raises(IngestError) as err:
        pipeline.commit(mem_store, a, ADMIN)
    assert err.value.key == "ing_err_stale_plan"
    assert dump(mem_store) == before


def test_undo_latest_restores_exactly_the_earlier_query_results(mem_store):
    _import(mem_store, BASE)
    earlier = _query_results(mem_store)
    _, result = _import(mem_store, UPDATE, report_date=D2)
    assert _query_results(mem_store) != earlier
    version = mem_store.data_version()
    assert commit_mod.undo(mem_store, result.batch_id, ADMIN) == 4
    assert _query_results(mem_store) == earlier
    assert mem_store.data_version() == version + 1
    states = [(h["batch_id"], h["state"]) for h in commit_mod.history(mem_store).to_pylist()]
    assert [s for _, s in states] == ["undone", "committed"]
    with pytest.raises(IngestError) as err:
        commit_mod.undo(mem_store, result.batch_id, ADMIN)
    assert err.value.key == "ing_err_batch_not_committed"


def test_undo_everything_returns_to_an_empty_library(mem_store):
    empty = _query_results(mem_store)
    _, first = _import(mem_store, BASE)
    _, second = _import(mem_store, UPDATE, report_date=D2)
    commit_mod.undo(mem_store, second.batch_id, ADMIN)
    commit_mod.undo(mem_store, first.batch_id, ADMIN)
    assert _query_results(mem_store) == empty


def test_undo_an_older_batch_only_when_no_later_batch_changed_its_projects(mem_store):
    _, first = _import(mem_store, BASE)
    _, other = _import(mem_store, OTHER, name="other.xlsx")
    assert commit_mod.undo_blockers(mem_store, first.batch_id) == []
    _, third = _import(mem_store, UPDATE, report_date=D2)
    assert commit_mod.undo_blockers(mem_store, first.batch_id) == [third.batch_id]
    with pytest.raises(IngestError) as err:
        commit_mod.undo(mem_store, first.batch_id, ADMIN)
    assert err.value.key == "ing_err_undo_blocked"
    assert third.batch_id in err.value.message()
    # The batch nobody touched since can go: LN005 disappears, the rest stays.
    commit_mod.undo(mem_store, other.batch_id, ADMIN)
    ids = sorted(r[0] for r in mem_store.rows("project_table", _all_params()))
    assert ids == ["LN001", "LN002", "LN003", "LN004"]


def test_remembered_mapping_is_used_for_the_same_headers(mem_store):
    first = xlsx([["名目", "地方", "钱"], ["石径村饮水工程", "寨岗镇石径村", 20]])
    with pytest.raises(IngestError) as err:
        analyse(mem_store, first)  # nothing recognisable: the user must point at the header and map it
    assert err.value.key == "ing_err_no_table"
    a = analyse(mem_store, first, header_row=1, mapping={0: "name", 1: "place", 2: "budget_wan"})
    assert a.mapping.source == "user"
    pipeline.commit(mem_store, a, ADMIN)
    again = analyse(mem_store, xlsx([["寨岗镇报表"], ["名目", "地方", "钱"], ["新埠村道路", "寨岗镇新埠村", 30]]))
    assert again.mapping.source == "remembered"
    assert [r + 1 for r in again.table.header_rows] == [2]
    assert again.mapping.as_dict() == {"名目": "name", "地方": "place", "钱": "budget_wan"}
    assert (again.candidates[0].values["budget_wan"], again.candidates[0].values["village"]) == (30, "新埠村")


def test_rows_matched_by_place_and_name_when_the_sheet_has_no_code(demo_store):
    project = demo_store.rows("project_table", _all_params())[0]
    project_id, name, county, town, village = project[:5]
    sheet = xlsx([["项目名称", "县", "镇", "村", "总投资"], [name, county, town, village, 999.5]])
    a = analyse(demo_store, sheet, remove_demo=False)
    assert (a.counts["changed"], a.counts["new"]) == (1, 0)
    change = a.summary()["changes"][0]
    assert change["project_id"] == project_id
    assert change["diffs"][0]["field"] == "budget_wan" and change["diffs"][0]["new"] == 999.5


def test_only_a_confirmed_mapping_is_remembered_and_undo_forgets_it(mem_store):
    sheet = xlsx([["项目名称", "地方", "总投资"], ["石径村饮水工程", "寨岗镇石径村", 20]])
    guessed = analyse(mem_store, sheet)
    pipeline.commit(mem_store, guessed, ADMIN)
    assert mem_store.rows("import_mapping_keys") == []  # a guess is not remembered
    confirmed = analyse(mem_store, xlsx([["项目名称", "地方", "总投资"], ["新埠村道路", "寨岗镇新埠村", 30]]),
                        mapping={1: "place"})
    result = pipeline.commit(mem_store, confirmed, ADMIN)
    assert len(mem_store.rows("import_mapping_keys")) == 1
    assert analyse(mem_store, sheet).mapping.source == "remembered"
    commit_mod.undo(mem_store, result.batch_id, ADMIN)
    assert mem_store.rows("import_mapping_keys") == []
    assert analyse(mem_store, sheet).mapping.source == "auto"
