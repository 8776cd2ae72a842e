"""Many readers while an import commits: no errors, never a half-imported state; imports serialise."""
from __future__ import annotations

import threading

import pytest

from portfolio import demo, export, views
from portfolio.filters import Filters
from portfolio.ingest import commit as commit_mod, pipeline
from portfolio.store import Store
from tests.seed import ADMIN

READERS = 20
# Imports need an explicit report date; these tests add to the demo library rather than replace it.
OPTIONS = pipeline.ImportOptions(report_date=demo.DEMO_AS_OF, remove_demo=False)


def import_file(n: int, seed: int, prefix: str) -> bytes:
    projects, _ = demo.generate(n, seed=seed)
    projects["project_id"] = [prefix + pid for pid in projects["project_id"]]
    return export.to_xlsx(projects, "zh")


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "busy.duckdb")
    demo.build(store)
    yield store
    store.close()


# The demo stays (this is about readers during a commit, not about replacing the demo).
OPTIONS = pipeline.ImportOptions(report_date=demo.DEMO_AS_OF, remove_demo=False)


def snapshot(db: Store) -> tuple[int, float]:
    k = views.kpis(db, Filters(), demo.DEMO_AS_OF)
    return k.projects, round(k.budget_wan, 4)


def test_readers_never_see_a_half_import(db):
    data = import_file(3000, seed=5, prefix="C")
    analysis = pipeline.analyse(db, data, "concurrent.xlsx", OPTIONS)
    before = snapshot(db)
    assert analysis.plan.counts["new"] == 3000
    seen: list[tuple[int, float]] = []
    errors: list[BaseException] = []
    done = threading.Event()
    started = threading.Barrier(READERS + 1)

    def reader():
        started.wait()
        try:
            while not done.is_set():
                seen.append(snapshot(db))
            seen.append(snapshot(db))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for th in threads:
        th.start()
    started.wait()
    pipeline.commit(db, analysis, ADMIN)
    done.set()
    for th in threads:
        th.join(timeout=60)
    after = snapshot(db)
    assert not errors
    assert after[0] == before[0] + 3000
    assert set(seen) <= {before, after}, set(seen) - {before, after}
    assert after in seen  # readers ran across the commit


def test_two_imports_at_once_are_serialised(db):
    files = [import_file(500, seed=11, prefix="A"), import_file(700, seed=12, prefix="B")]
    analyses = [pipeline.analyse(db, data, f"f{i}.xlsx", OPTIONS) for i, data in enumerate(files)]
    before = snapshot(db)[0]
    errors: list[BaseException] = []

    def run(analysis):
        try:
            pipeline.commit(db, analysis, ADMIN)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in analyses]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors
    assert snapshot(db)[0] == before + 1200
    history = commit_mod.history(db).to_pandas()
    assert sorted(history["inserted"]) == [500, 700]
    assert history["batch_id"].is_unique
