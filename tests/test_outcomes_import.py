"""Indicator sheet import: merged two-row headers, a 合计 row, units, refusals naming the cell,
dry run and preview, scope (an editor writes only their towns), audit, undo, and the template."""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from portfolio import audit
from portfolio.auth import AuthError, User
from portfolio.ingest import commit as ingest_commit
from portfolio.ingest.issues import IngestError
from portfolio.outcomes import catalogue, detect, importer, rollup, sheet, template, values
from tests.ingest_builders import xlsx
from tests.seed import ADMIN

CAT = catalogue.load(path=catalogue.CONFIG_FILE.with_name("no-such-file.toml"))
PERIOD = date(2026, 10, 31)
TITLE = "阳山县太平镇各村人居环境指标统计表（截至2026年10月31日）"
HEADER_TOP = ["序号", "镇", "村", "户数(户)", "无害化卫生户厕普及率", None, None, "生活污水治理率(%)",
              "美丽乡村创建等级", "撂荒地复耕面积(亩)"]
HEADER_LOW = [None, None, None, None, "已改户数(户)", "总户数(户)", "2026年目标(%)", None, None, None]
MERGES = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:G2", "H2:H3", "I2:I3", "J2:J3"]
ROWS = [
    [1, "太平镇", "太平村", 300, 240, 300, 100, "80%", "美丽宜居村", 35],
    [2, "太平镇", "毛崀村", 200, 190, 200, 100, 62.5, "干净整洁村", 0],
    [3, "太平镇", "龙塘村", 100, 30, 100, 95, 40, "未创建", 12.5],
    ["合计", None, None, 600, 460, 600, None, None, None, 47.5],
]


def book(rows=ROWS, title=TITLE) -> bytes:
    return xlsx({"指标": [[title], HEADER_TOP, HEADER_LOW, *rows]}, {"指标": ["A1:J1", *MERGES]})


def analyse(store, data=None, user=ADMIN, **kw):
    return importer.analyse(store, data or book(), "太平镇指标.xlsx", user=user, catalogue=CAT, **kw)


def by_key(analysis):
    return {(p.candidate.village, p.candidate.indicator): p for p in analysis.planned}


def test_merged_headers_total_row_and_units(mem_store):
    a = analyse(mem_store)
    assert a.period == PERIOD and "截至2026年10月31日" in a.read.period_text
    roles = {c.header: (c.role, c.indicator) for c in a.read.columns}
    assert roles["无害化卫生户厕普及率/已改户数(户)"] == ("numerator", "toilet_rate")
    assert roles["无害化卫生户厕普及率/总户数(户)"] == ("denominator", "toilet_rate")
    assert roles["无害化卫生户厕普及率/2026年目标(%)"] == ("target", "toilet_rate")
    assert roles["户数(户)"] == ("households", None)
    assert [k for _, k, _ in a.read.skipped] == ["total"]  # the 合计 row, not a village
    assert a.errors() == []
    got = by_key(a)
    assert len(got) == 12 and {p.action for p in a.planned} == {"new"}
    toilets = got[("太平村", "toilet_rate")].candidate
    assert (toilets.numerator, toilets.denominator, toilets.value) == (240, 300, 80.0)
    assert (toilets.target, toilets.target_year, toilets.households) == (100, 2026, 300)
    assert got[("太平村", "sewage_rate")].candidate.value == 80.0  # "80%" read as 80
    assert got[("毛崀村", "beautiful_tier")].candidate.value == 1
    assert got[("龙塘村", "farmland_restored")].candidate.value == 12.5
    assert toilets.county == "阳山县" and toilets.town == "太平镇" and toilets.level == "village"
    # Town rate from the sheet's counts: 460 / 600, not the mean of 80 %, 95 % and 30 %.
    rows = values.value_table([{"value": p.candidate.value, "numerator": p.candidate.numerator,
                                "denominator": p.candidate.denominator, "households": p.candidate.households,
                                "target": p.candidate.target, "level": "village", "town_code": "t"}
                               for p in a.planned if p.candidate.indicator == "toilet_rate"]).to_pandas()
    assert rollup.rollup(CAT.get("toilet_rate"), rows).value == pytest.approx(460 / 600 * 100)


def test_refusals_name_the_cell_in_chinese(mem_store):
    rows = [
        [1, "太平镇", "太平村", 300, 320, 300, 100, 80, "美丽宜居村", 35],  # 320 of 300 households
        [2, "太平镇", "毛崀村", 200, 190, 200, 100, 112, "干净整洁村", 0],  # 112 %
        [3, "太平镇", "龙塘村", 100, 30, 100, 95, 40, "精品示范村", 1],  # no such tier
        [4, "太平镇", "不存在村", 100, 30, 100, 95, 40, "未创建", 1],
    ]
    a = analyse(mem_store, book(rows))
    messages = [i.message() for i in a.errors()]
    assert "「指标」 第4行 E列（无害化卫生户厕普及率/已改户数(户)）：无害化卫生户厕普及率 的完成数 320 大于总数 300，该值未导入。" in messages
    assert "「指标」 第5行 H列（生活污水治理率(%)）：生活污水治理率 为 112%，超过100%，该值未导入。" in messages
    assert any(m.startswith("「指标」 第6行 I列（美丽乡村创建等级）：「精品示范村」不是美丽乡村创建等级的等级") for m in messages)
    assert any(m.startswith("「指标」 第7行 C列（村）：村名「不存在村」在太平镇找不到") for m in messages)
    got = by_key(a)
    assert ("太平村", "toilet_rate") not in got and ("太平村", "sewage_rate") in got  # only the bad value is refused
    assert ("毛崀村", "sewage_rate") not in got and ("龙塘村", "beautiful_tier") not in got
    assert a.counts["rejected"] == 4


def test_repeated_village_and_excel_fractions(mem_store):
    rows = [[1, "太平镇", "太平村", 300, 240, 300, 1, 0.8, "美丽宜居村", 35],
            [2, "太平镇", "毛崀村", 200, 190, 200, 1, 0.625, "干净整洁村", 0],
            [3, "太平镇", "太平村", 300, 250, 300, 1, 0.9, "美丽宜居村", 35]]
    a = analyse(mem_store, book(rows))
    got = by_key(a)
    assert got[("毛崀村", "sewage_rate")].candidate.value == pytest.approx(62.5)  # 0.625 stored by Excel as 62.5 %
    assert got[("太平村", "toilet_rate")].candidate.target == 100  # the target column 1 = 100 % too
    assert [i.message() for i in a.errors()] == ["「指标」 第6行 C列（村）：「太平村」在第4行已出现，重复的行未导入。"]
    assert any(i.key == "ind_w_fraction" and i.column == "H" for i in a.issues())


def test_tiers_out_of_order_are_refused(mem_store):
    top = ["镇", "村", "美丽乡村", None, None]
    low = [None, None, "干净整洁村", "美丽宜居村", "特色精品村"]
    data = xlsx({"s": [["阳山县太平镇美丽乡村创建情况（截至2026年10月）"], top, low,
                      ["太平镇", "太平村", "是", "是", "否"], ["太平镇", "毛崀村", "否", "否", "是"]]},
                {"s": ["A1:E1", "A2:A3", "B2:B3", "C2:E2"]})
    a = analyse(mem_store, data)
    got = by_key(a)
    assert got[("太平村", "beautiful_tier")].candidate.value == 2
    assert ("毛崀村", "beautiful_tier") not in got
    assert [i.message() for i in a.errors()] == [
        "「s」 第5行 E列（美丽乡村/特色精品村）：已标为「特色精品村」却未标「干净整洁村」：美丽乡村须梯度创建"
        "（未创建→干净整洁村→美丽宜居村→特色精品村），该值未导入。"]


def test_commit_audit_preview_and_undo_restore_the_values_before(mem_store):
    first = importer.commit(mem_store, analyse(mem_store), ADMIN, catalogue=CAT)
    assert (first.new, first.changed, first.noop) == (12, 0, False)
    assert analyse(mem_store).is_noop  # the same file again changes nothing
    changed = [list(r) for r in ROWS]
    changed[0][4] = 270  # 太平村: 270 of 300 households now
    a = analyse(mem_store, book(changed))
    assert a.counts["changed"] == 1 and a.counts["unchanged"] == 11
    preview = [r for r in a.preview_rows() if r["action"] == "变更"]
    assert preview == [{"row": 4, "town": "太平镇", "village": "太平村", "indicator": "无害化卫生户厕普及率",
                        "before": "80.0%", "after": "90.0%", "target": "100.0%", "action": "变更"}]
    second = importer.commit(mem_store, a, ADMIN, catalogue=CAT)
    current = values.load(mem_store, indicator="toilet_rate").set_index("village")
    assert current.loc["太平村", "numerator"] == 270
    entry = audit.entries(mem_store, action="import")[0]
    assert entry.batch_id == second.batch_id and entry.scope == ("阳山县/太平镇",)
    assert entry.counts["indicator_values_changed"] == 1 and entry.detail == "indicators"
    assert importer.undo_any(mem_store, second.batch_id, ADMIN) == 1
    current = values.load(mem_store, indicator="toilet_rate").set_index("village")
    assert current.loc["太平村", "numerator"] == 240  # the first batch's value stands again
    assert audit.entries(mem_store, action="undo")[0].batch_id == second.batch_id
    with pytest.raises(IngestError):
        importer.undo(mem_store, second.batch_id, ADMIN)  # already undone


def test_an_editor_writes_only_their_towns(mem_store):
    rows = [*ROWS[:3], [4, "七拱镇", "芙蓉村", 150, 100, 150, 100, 50, "未创建", 3]]
    editor = User("qg", "editor", towns=("阳山县/七拱镇",))
    a = analyse(mem_store, book(rows, title="阳山县各村人居环境指标（截至2026年10月31日）"), user=editor)
    ok = {p.candidate.village for p in a.planned if p.action == "new"}
    assert ok == {"芙蓉村"}
    scope_msgs = [i.message() for i in a.scope_issues]
    assert len(scope_msgs) == 3 and all("太平镇" in m for m in scope_msgs)
    result = importer.commit(mem_store, a, editor, catalogue=CAT)
    assert result.new == 4
    assert set(values.load(mem_store)["village"]) == {"芙蓉村"}
    # An editor of another town may not undo it; a viewer may not import at all.
    with pytest.raises(AuthError):
        importer.undo(mem_store, result.batch_id, User("tp", "editor", towns=("阳山县/太平镇",)))
    # ... nor through the project import's undo, which hands an indicator batch to its own check
    with pytest.raises(AuthError):
        ingest_commit.undo(mem_store, result.batch_id, User("tp", "editor", towns=("阳山县/太平镇",)))
    assert set(values.load(mem_store)["village"]) == {"芙蓉村"}
    assert ingest_commit.undo(mem_store, result.batch_id, editor) == 4
    assert values.load(mem_store).empty
    with pytest.raises(AuthError):
        importer.commit(mem_store, a, User("v", "viewer"), catalogue=CAT)


def test_a_town_name_in_two_counties_needs_the_county(mem_store):
    a = analyse(mem_store, book(title="太平镇各村人居环境指标统计表（截至2026年10月31日）"))
    messages = [i.message() for i in a.errors()]
    assert messages[0].startswith("「指标」 第4行 B列（镇）：镇名「太平镇」在") and "该行未导入" in messages[0]
    assert ("太平村", "toilet_rate") not in by_key(a)


def test_no_period_is_refused_unless_given(mem_store):
    data = book(title="太平镇各村指标")
    with pytest.raises(IngestError) as exc:
        analyse(mem_store, data)
    assert "统计期" in exc.value.message()
    assert analyse(mem_store, data, period=date(2026, 6, 30)).period == date(2026, 6, 30)


def test_template_reads_back_and_is_detected(mem_store):
    data = template.template_xlsx(CAT, "living", [("阳山县", "太平镇", "太平村")], town_label="太平镇")
    ws = openpyxl.load_workbook(__import__("io").BytesIO(data)).active
    assert ws["E2"].value == "无害化卫生户厕普及率" and ws["E3"].value == "已完成(户)"
    assert detect.looks_like_indicator_sheet(data, "t.xlsx", CAT)
    assert detect.looks_like_indicator_sheet(book(), "t.xlsx", CAT)
    columns = {(c.role, c.indicator) for c in sheet.read_sheet(
        __import__("portfolio.ingest.read", fromlist=["x"]).read_book(data, "t.xlsx"), None, CAT,
        period=PERIOD).columns}
    for code in CAT.set("living").indicators:
        assert ("target", code) in columns
    assert ("numerator", "sewage_rate") in columns and ("denominator", "sewage_rate") in columns
    assert ("value", "beautiful_tier") in columns


def test_template_with_an_editors_villages_imports_as_written(mem_store):
    villages = template.villages_of(("阳山县/太平镇",))
    assert ("阳山县", "太平镇", "太平村") in villages and len(villages) > 5
    data = template.template_xlsx(CAT, "living", villages, town_label="太平镇")
    book_ = openpyxl.load_workbook(__import__("io").BytesIO(data))
    ws = book_.active
    ws["A1"] = "阳山县太平镇各村人居环境指标统计表（截至2026年10月31日）"
    ws["D4"], ws["E4"], ws["F4"], ws["G4"] = 300, 240, 300, 100  # 太平村's toilets, first village row
    first = ws["C4"].value
    out = __import__("io").BytesIO()
    book_.save(out)
    a = analyse(mem_store, out.getvalue())
    assert a.errors() == []
    [(key, planned)] = [(k, p) for k, p in by_key(a).items()]
    assert key == (first, "toilet_rate") and planned.candidate.value == 80.0 and planned.candidate.target == 100


def test_towns_own_figures_count_where_no_village_reports(mem_store):
    data = xlsx({"镇": [["阳山县各镇指标（截至2026年10月31日）"],
                        ["镇", "无害化卫生户厕普及率(%)", "撂荒地复耕面积(亩)"],
                        ["七拱镇", 90, 120],
                        ["太平镇", 50, 10]]})
    assert detect.looks_like_indicator_sheet(data, "t.xlsx", CAT)
    importer.commit(mem_store, analyse(mem_store, data), ADMIN, catalogue=CAT)
    importer.commit(mem_store, analyse(mem_store), ADMIN, catalogue=CAT)  # 太平镇's villages report too
    df = values.load(mem_store, indicator="farmland_restored")
    assert set(df["level"]) == {"town", "village"}
    r = rollup.rollup(CAT.get("farmland_restored"), df)
    # 七拱镇's own 120 亩, and 太平镇's villages (35 + 0 + 12.5), not its own 10.
    assert r.value == pytest.approx(120 + 47.5)


def test_project_sheets_are_not_taken_for_indicator_sheets():
    data = xlsx([["项目名称", "镇", "村", "总投资(万元)"], ["太平村自来水工程", "太平镇", "太平村", 10],
                 ["太平村雨污分流管网工程", "太平镇", "太平村", 30]])
    assert not detect.looks_like_indicator_sheet(data, "p.xlsx", CAT)
    # Answered from the file's strings alone (no indicator measure named), without reading the sheet.
    assert not detect.may_name_indicators(data, CAT)
    assert detect.may_name_indicators(book(), CAT)  # openpyxl: inline strings as &#NNNN; references
    assert detect.may_name_indicators(template.template_xlsx(CAT, "economy"), CAT)  # xlsxwriter: shared strings
