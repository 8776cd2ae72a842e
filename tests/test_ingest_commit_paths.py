"""The commit's faster paths write what the plain ones write: rows inserted in chunks, and the
preview's plan reused only while nothing was written in between (test_ingest_commit's stale
preview) and the same user commits."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

from datetime import date

import pytest

from portfolio import store as store_mod
from portfolio.ingest import commit as commit_mod, pipeline
from portfolio.ingest.issues import IngestError
from tests.ingest_builders import analyse, dump, xlsx

HEADER = ["项目编号", "项目名称", "县（市、区）", "镇", "村", "总投资（万元）", "项目状态", "进度", "计划完工"]
ROWS = [[f"LN{i:03d}", f"石径村项目{i}", "连南瑶族自治县", "寨岗镇", "石径村", 10 + i, "在建", f"{i * 9}%",
         date(2024, 12, 31)] for i in range(1, 8)]
SHEET = xlsx([HEADER, *ROWS])


def _tables_without_clock(store) -> dict:
    """Projects and reports after an import, leaving out when it happened (batch ids hold the time)."""
    queries = {"projects": "SELECT * EXCLUDE (batch_id, updated_at) FROM projects",
               "progress_reports": "SELECT * EXCLUDE (batch_id) FROM progress_reports"}
    with store.cursor() as cur:
        return {table: sorted(cur.execute(query).fetchall(), key=repr) for table, query in queries.items()}


def _store() -> store_mod.Store:
    return store_mod.Store(":memory:")


def test_projects_inserted_in_chunks_are_the_rows_of_one_insert(monkeypatch):
    whole, chunked = _store(), _store()
    pipeline.commit(whole, analyse(whole, SHEET), ADMIN)
    monkeypatch.setattr(commit_mod, "_CHUNK_ROWS", 3)  # 7 rows: chunks of 3, 3 and 1
    pipeline.commit(chunked, analyse(chunked, SHEET), ADMIN)
    assert len(_tables_without_clock(chunked)["projects"]) == 7
    assert _tables_without_clock(chunked) == _tables_without_clock(whole)


def test_a_commit_by_another_user_than_the_preview_s_plans_again_for_that_user(mem_store):
    from portfolio.auth import User

    a = analyse(mem_store, xlsx([HEADER, ROWS[0], ["XX001", "别镇项目", "连南瑶族自治县", "三江镇", None, 5, "在建",
                                                    "10%", None]]))
    assert a.plan.counts["new"] == 2  # no user: the preview shows every row
    editor = User(name="寨岗镇干部", role="editor", towns=("连南瑶族自治县/寨岗镇",))
    before = dump(mem_store)
    with pytest.raises(IngestError) as err:  # for the editor one row is out of scope: not the plan shown
        pipeline.commit(mem_store, a, editor)
    assert err.value.key == "ing_err_stale_plan"
    assert dump(mem_store) == before
