"""Village indicators: what they add to the demo build, an import of every demo village, the 总览 rates.

    python bench/outcomes_bench.py

CPU milliseconds (time.process_time), median of 5, all in this one run, so they compare:
- demo build: the project demo alone (baseline) against the same build with the indicator values;
- import: reading the sheet's cells (read_book, baseline) against analyse + commit of the whole sheet
  (279 villages x 11 indicators, merged headers) into the demo library;
- rates: views.kpis for the whole city (baseline, the project KPIs) against outcomes.views.rates;
- detection: what `python -m portfolio import` adds to a 10,000-row project sheet to tell it from an
  indicator sheet, against reading that sheet (read_book).
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from portfolio import demo, store as store_mod, views  # noqa: E402
from portfolio.auth import User  # noqa: E402
from portfolio.filters import Filters  # noqa: E402
from portfolio.ingest import read  # noqa: E402
from portfolio.outcomes import catalogue, demo_values, detect, importer, template  # noqa: E402
from portfolio.outcomes import views as outcome_views  # noqa: E402

RUNS = 5
ADMIN = User("admin", "admin")


def cpu_ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def full_sheet() -> bytes:
    """Every demo village with every indicator filled (from the demo's own last period)."""
    towns, chosen = demo.assisted_places()
    villages = [(t.county, t.town, v.short_name) for t in towns for v in chosen[t.town_code]]
    data = template.template_xlsx(catalogue.default(), "all", villages, town_label="各镇")
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    ws["A1"] = "各村指标统计表（截至2026年10月31日）"
    groups, group = {}, ""
    for c in range(5, ws.max_column + 1):
        group = ws.cell(2, c).value or group  # a merged group header holds its text in its first cell
        groups[c] = group
    for r in range(4, 4 + len(villages)):
        ws.cell(r, 4, 400)
        for c in range(5, ws.max_column + 1):
            header = ws.cell(3, c).value or ""
            group = groups[c]
            if "目标" in header:
                ws.cell(r, c, "特色精品村" if "美丽乡村" in group else 100)
            elif "美丽乡村" in group:
                ws.cell(r, c, "美丽宜居村")
            elif "总数" in header:
                ws.cell(r, c, 20)
            else:
                ws.cell(r, c, 15)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    projects, _ = demo.generate()

    def build_without():
        db = store_mod.Store(":memory:")
        original = demo_values.write
        demo_values.write = lambda cur, p, seed: 0  # the project demo alone
        try:
            demo.build(db)
        finally:
            demo_values.write = original
            db.close()

    def build_with():
        db = store_mod.Store(":memory:")
        demo.build(db)
        db.close()

    base, full = cpu_ms(build_without), cpu_ms(build_with)
    print(f"demo build: projects only {base:.0f} ms, with indicator values {full:.0f} ms "
          f"(+{full - base:.0f} ms, x{full / base:.2f})")
    print(f"  indicator value rows generated: {len(demo_values.generate(projects, demo.DEFAULT_SEED)):,}")

    data = full_sheet()
    read_ms = cpu_ms(lambda: read.read_book(data, "all.xlsx"))

    def import_once():
        db = store_mod.Store(":memory:")
        demo.build(db)
        start = time.process_time()
        a = importer.analyse(db, data, "all.xlsx", user=ADMIN)
        importer.commit(db, a, ADMIN)
        elapsed = (time.process_time() - start) * 1000
        db.close()
        return elapsed, a

    runs = [import_once() for _ in range(RUNS)]
    import_ms = statistics.median(r[0] for r in runs)
    a = runs[0][1]
    print(f"import of {a.summary()['places']} villages x {len(a.summary()['indicators'])} indicators "
          f"({len(a.planned):,} values): read_book {read_ms:.0f} ms (baseline), analyse + commit {import_ms:.0f} ms "
          f"(x{import_ms / read_ms:.1f})")

    db = store_mod.Store(":memory:")
    demo.build(db)
    kpi_ms = cpu_ms(lambda: views.kpis(db, Filters(), demo.DEMO_AS_OF), 20)
    rates_ms = cpu_ms(lambda: outcome_views.rates(db, Filters()), 20)
    projects_10k, _ = demo.generate(n_projects=10_000)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["项目编号", "项目名称", "县", "镇", "村", "类别", "总投资（万元）"])
    for r in projects_10k.itertuples():
        ws.append([r.project_id, r.name, r.county, r.town, r.village, r.category, r.budget_wan])
    out = io.BytesIO()
    book.save(out)
    project_sheet = out.getvalue()
    read_10k = cpu_ms(lambda: read.read_book(project_sheet, "p.xlsx"))
    detect_10k = cpu_ms(lambda: detect.looks_like_indicator_sheet(project_sheet, "p.xlsx", catalogue.default()))
    print(f"10,000-row project sheet: read_book {read_10k:.0f} ms (baseline), indicator-sheet detection "
          f"{detect_10k:.1f} ms ({detect_10k / read_10k:.0%} of reading it)")
    print(f"总览 for the city: project KPIs {kpi_ms:.1f} ms (baseline), indicator rates {rates_ms:.1f} ms "
          f"(x{rates_ms / kpi_ms:.1f})")


if __name__ == "__main__":
    main()
