"""The first real import into a demo database removes the demo projects (the default) and says so."""
from __future__ import annotations

from tests.seed import ADMIN  # noqa: E402  (writes need a user)

from portfolio import demo, views
from portfolio.ingest import pipeline, preview
from tests.ingest_builders import analyse, xlsx

REAL = xlsx([["项目名称", "县", "镇", "村", "投资（万元）"],
             ["石径村饮水工程", "连南瑶族自治县", "寨岗镇", "石径村", 12]])


def _count(store, query):
    with store.cursor() as cur:
        return cur.execute(query).fetchall()[0][0]


def test_first_real_import_removes_the_demo_by_default_and_says_so(demo_store):
    a = analyse(demo_store, REAL)
    assert a.demo_projects == demo.DEFAULT_PROJECTS and a.removes_demo
    assert preview.done_lines(a)[0].startswith(f"数据库中有 {demo.DEFAULT_PROJECTS} 个演示项目：本次导入将先删除它们")
    result = pipeline.commit(demo_store, a, ADMIN)
    assert result.inserted == 1
    assert _count(demo_store, "SELECT count(*) FROM projects") == 1
    assert _count(demo_store, "SELECT count(*) FROM progress_reports WHERE batch_id = 'demo'") == 0
    assert _count(demo_store, "SELECT count(*) FROM progress_latest WHERE project_id NOT IN "
                              "(SELECT project_id FROM projects)") == 0
    assert not views.is_demo(demo_store)


def test_the_demo_can_be_kept_when_asked(demo_store):
    a = analyse(demo_store, REAL, remove_demo=False)
    assert not a.removes_demo and "将保留它们" in preview.done_lines(a)[0]
    pipeline.commit(demo_store, a, ADMIN)
    assert _count(demo_store, "SELECT count(*) FROM projects") == demo.DEFAULT_PROJECTS + 1
    assert views.is_demo(demo_store)


def test_a_real_database_is_never_offered_a_removal(mem_store):
    a = analyse(mem_store, REAL)
    assert a.demo_projects == 0 and not a.removes_demo
    assert not preview.done_lines(a)[0].startswith("数据库中有")
