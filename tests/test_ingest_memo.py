"""The replayed field readers (ingest/memo.py, run reader by reader over the rows) give exactly the
rows the readers give run on every row, row after row.

A mixed sheet repeats its places, amounts, statuses, dates and counts, as long sheets do, in
cells of every type that reads alike (10, 10.0, "10", True; a date and a datetime; 60% and 0.6),
with problems that must be re-made for each row that repeats them, and merged amount cells.
"""
from __future__ import annotations

import random
from datetime import date, datetime
from types import SimpleNamespace

from portfolio.ingest import fields, memo as memo_mod
from portfolio.ingest import normalise as norm_mod
from tests.ingest_builders import analyse, xlsx

HEADER = ["序号", "项目名称", "镇", "村", "建设地点", "项目类别", "建设性质", "建设规模", "总投资（万元）", "省级资金",
          "项目状态", "进度", "计划开工", "计划完工", "完成时间", "受益户数", "受益人口", "年度", "责任单位", "建设内容"]
TOWNS = ["寨岗镇", "寨岗", "三江镇", "不存在镇", None, "太平镇"]
VILLAGES = ["石径村", "石径村委会", "新埠", "大坪村、金坑村", None, "无名村", "军寮村二组"]
PLACES = ["寨岗镇石径村", "连南瑶族自治县寨岗镇", None, "某某县某某镇某村", "石径"]
CATEGORIES = ["道路", "农村供水", "基础设施", None, "不知道", "产业"]
NATURES = ["新建", "改造", "奇怪", None, 3]
SCALES = ["3.2公里", 66, "约20盏", "若干", None, True]
AMOUNTS = [10, 10.0, "10", "10万元", "20000元", True, "待定", None, -5, "1,400.1", "15（含设计费2万元）", "/",
           date(2024, 3, 1), 2e8]
STATUSES = ["在建", "已完工", "未开工", "不明", None, "储备", 1]
PROGRESS = ["60%", 0.6, 60, "150%", "正在施工", None, "完成", 1.0, 100]
DATES = ["2024年3月", date(2024, 3, 1), datetime(2024, 3, 1, 0, 0), 45352, "2024.06-12", "明年", 2024, None,
         "2024年6月到12月", "2024-3-15", "2024年", 2024.03]
COUNTS = [40, "40户", "约200人", "1,200", "3000余人", None, "很多", -3, 1e12]
YEARS = [2024, "2024年", "2024年度", None, "去年", 2024.5]


def _rows(n: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        pick = rng.choice
        rows.append([i + 1, f"{pick(['石径', '新埠', '大坪'])}村{pick(['饮水工程', '路灯', '改厕', '项目'])}{i % 7}",
                     pick(TOWNS), pick(VILLAGES), pick(PLACES), pick(CATEGORIES), pick(NATURES), pick(SCALES),
                     pick(AMOUNTS), pick(AMOUNTS), pick(STATUSES), pick(PROGRESS), pick(DATES), pick(DATES),
                     pick(DATES), pick(COUNTS), pick(COUNTS), pick(YEARS), pick(["寨岗镇人民政府", None, "/"]),
                     pick(["建设内容若干", "硬底化道路1.2公里", None, "太阳能路灯20盏"])])
    return rows


def _sheet(seed: int) -> bytes:
    rows = _rows(400, seed)
    # Merged amount cells: the value belongs to every row of the merge.
    return xlsx([["连南瑶族自治县2024年项目库"], ["单位：万元"], HEADER, *rows],
                merges={"项目表": ["I20:I23", "I60:I61", "J100:J104"]})


def _facts(candidates: list[norm_mod.Candidate]) -> list[tuple]:
    return [(c.index, c.row, c.cells, c.sheet, c.values, c.inferred, c.category_rule, c.status_rule, c.project_id,
             c.id_from_sheet, c.place_key, c.issues) for c in candidates]


def _row_by_row(table, mapping, options, progress=None) -> list[norm_mod.Candidate]:
    """The oracle: every reader run on every row, row after row, nothing remembered."""
    sheet = norm_mod._sheet_context(table, mapping, options)
    out = []
    for r in table.data_rows:
        row = table.grid[r]
        c = norm_mod.Candidate(r, r + 1, row[:len(sheet.headers)], sheet=table.sheet)
        rr = norm_mod._Row(sheet, r, row, c)
        norm_mod._read_texts(rr)
        rr.place = norm_mod._read_place(rr)
        rr.name = norm_mod._read_name(rr)
        fields.read_money(rr)
        fields.read_category(rr, rr.name)
        fields.read_nature_and_scale(rr)
        fields.read_status(rr)
        fields.read_dates(rr)
        fields.read_counts_and_year(rr)
        norm_mod._read_coordinates(rr)
        norm_mod._read_key(rr, rr.name)
        out.append(c)
    norm_mod._check_points_in_county(out, sheet.cols, sheet.headers, table.sheet)
    return out


def _per_row(monkeypatch) -> None:
    monkeypatch.setattr(norm_mod, "normalise", _row_by_row)


def test_replayed_readers_give_the_rows_and_problems_of_the_per_row_readers(mem_store, monkeypatch):
    for seed in (1, 2, 3):
        data = _sheet(seed)
        replayed = analyse(mem_store, data)
        with monkeypatch.context() as m:
            _per_row(m)
            per_row = analyse(mem_store, data)
        assert len(replayed.candidates) == 400
        assert _facts(replayed.candidates) == _facts(per_row.candidates)
        assert replayed.issues() == per_row.issues()
        summary, expected = replayed.summary(), per_row.summary()
        for k in ("timings_s", "cpu_s"):
            summary.pop(k), expected.pop(k)
        assert summary == expected


def test_a_repeated_problem_names_each_row_that_has_it(mem_store):
    rows = [[i + 1, f"项目{i}", "寨岗镇", "石径村", None, None, None, None, "待定", None, None, None, None, None,
             None, None, None, None, None, None] for i in range(30)]
    a = analyse(mem_store, xlsx([HEADER, *rows]))
    unreadable = [i for i in a.warnings() if i.key == "ing_w_amount_unreadable"]
    assert [(i.row, i.column) for i in unreadable] == [(r, "I") for r in range(2, 32)]


def test_readers_whose_cells_never_repeat_stop_being_remembered():
    memo = memo_mod.Memo({"budget_wan": 0})
    calls = []

    def read(rr):
        calls.append(rr.row[0])
        rr.c.values["budget_wan"] = rr.row[0]

    rows = [[10 + i / 100] for i in range(memo_mod._TRIAL + 50)] + [[10.0], [10.0]]
    candidates = []
    for i, row in enumerate(rows):
        c = norm_mod.Candidate(i, i + 1, row)
        memo.run("money", SimpleNamespace(row=row, c=c), read, ("budget_wan",))
        candidates.append(c)
    assert [c.values["budget_wan"] for c in candidates] == [r[0] for r in rows]
    assert calls == [r[0] for r in rows]  # every row read: nothing repeated, then no longer remembered
    assert len(memo._readers["money"].seen) == memo_mod._TRIAL


def test_cells_that_compare_equal_but_differ_in_type_are_read_apart():
    memo = memo_mod.Memo({"status": 0})

    def read(rr):
        rr.c.values["status"] = type(rr.row[0]).__name__

    seen = []
    for i, value in enumerate([1, 1.0, True, 1, True]):
        c = norm_mod.Candidate(i, i + 1, [value])
        memo.run("status", SimpleNamespace(row=[value], c=c), read, ("status",))
        seen.append(c.values["status"])
    assert seen == ["int", "float", "bool", "int", "bool"]
