"""The 数据导入 page under AppTest: upload, preview, correct the mapping, import, undo."""
from __future__ import annotations

from datetime import date

from portfolio import demo
from tests.conftest import sign_in
from tests.ingest_builders import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _demo_project():
    projects, _ = demo.generate()
    return projects.iloc[0]


def _sheet() -> bytes:
    p = _demo_project()
    return xlsx([["连南瑶族自治县寨岗镇2024年项目库"],
                 ["项目编号", "项目名称", "县（市、区）", "镇", "村", "总投资（万元）", "项目状态"],
                 [p.project_id, p["name"], p.county, p.town, p.village, 999.5, None],
                 ["NEW-1", "石径村饮水工程", "连南瑶族自治县", "寨岗镇", "石径村", 20, "在建"],
                 [None, None, None, None, None, "待定", None]])


def _open(app):
    at = sign_in(app).run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def _store(demo_db_file):
    from ui import data

    return data.get_store(str(demo_db_file))  # the app's own cached connection


def test_page_renders_with_template_and_uploader(app):
    at = _open(app)
    assert at.title[0].value == "数据导入"
    # an admin also gets the 镇界 tab with its own uploader (tests/test_town_borders.py)
    assert len(at.get("file_uploader")) == 2
    assert [t.label for t in at.tabs] == ["导入", "导入历史", "镇界"]


def _choose_date(at, when=date(2024, 6, 30)):
    next(d for d in at.date_input if d.key == "up_report_date").set_value(when).run()


def test_upload_preview_commit_and_undo(app, demo_db_file):
    at = _open(app)
    at.get("file_uploader")[0].set_value(("寨岗镇.xlsx", _sheet(), XLSX)).run()
    assert not at.exception
    next(c for c in at.checkbox if c.key == "up_remove_demo").uncheck().run()  # this test changes a demo project
    _choose_date(at, demo.DEMO_AS_OF)
    _button(at, "up_preview").click().run()
    assert not at.exception
    assert _metrics(at) == {"新增": "1", "变更": "1", "未变": "0", "未导入": "1"}
    markdown = " ".join(m.value for m in at.markdown)
    assert "工作表「项目表」，表头在第 2 行" in markdown
    subheaders = [s.value for s in at.subheader]
    assert "变更明细（原值 → 新值）" in subheaders and "新增项目" in subheaders and "未导入的行" in subheaders
    assert any("1 个错误" in s for s in subheaders)

    store = _store(demo_db_file)
    version = store.data_version()
    _button(at, "up_commit").click().run()
    assert not at.exception
    assert any("已导入：批次 B000001-" in s.value for s in at.success)
    assert store.data_version() == version + 1
    assert store.one("project_count")["n"] == demo.DEFAULT_PROJECTS + 1
    assert store.one("project_detail", {"project_id": _demo_project().project_id,
                                        "as_of": demo.DEMO_AS_OF})["budget_wan"] == 999.5

    _button(at, "up_undo").click().run()
    assert not at.exception
    assert any("已撤销批次 B000001-" in s.value for s in at.success)
    assert store.one("project_count")["n"] == demo.DEFAULT_PROJECTS
    assert store.one("project_detail", {"project_id": _demo_project().project_id,
                                        "as_of": demo.DEMO_AS_OF})["budget_wan"] == _demo_project().budget_wan


def test_mapping_can_be_corrected_in_the_page(app):
    at = _open(app)
    data = xlsx([["项目名称", "地方", "总投资"], ["石径村饮水工程", "寨岗镇石径村", 20]])
    at.get("file_uploader")[0].set_value(("a.xlsx", data, XLSX)).run()
    _button(at, "up_preview").click().run()
    assert at.session_state["up_analysis"].mapping.as_dict() == {"项目名称": "name", "总投资": "budget_wan"}
    # 地方 is not recognised: map it to 建设地点 through the session (AppTest cannot edit grid cells).
    at.session_state["up_mapping_editor"] = {"edited_rows": {1: {"field": "place"}}, "added_rows": [],
                                             "deleted_rows": []}
    _button(at, "up_mapping_apply").click().run()
    assert not at.exception
    assert _metrics(at)["新增"] == "1"
    assert any("已按您的修改" in e.label for e in at.expander)
    analysis = at.session_state["up_analysis"]
    assert analysis.mapping.as_dict() == {"项目名称": "name", "地方": "place", "总投资": "budget_wan"}
    assert (analysis.candidates[0].values["town"], analysis.candidates[0].values["village"]) == ("寨岗镇", "石径村")


def test_unreadable_file_shows_a_clear_message(app):
    at = _open(app)
    at.get("file_uploader")[0].set_value(("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64), XLSX)).run()
    assert not at.exception
    assert "文件内容不是表格" in at.error[0].value


def test_same_file_twice_says_nothing_to_do(app):
    at = _open(app)
    data = xlsx([["项目名称", "镇", "村", "总投资"], ["石径村饮水工程", "寨岗镇", "石径村", 20]])
    at.get("file_uploader")[0].set_value(("a.xlsx", data, XLSX)).run()
    _choose_date(at)
    _button(at, "up_preview").click().run()
    _button(at, "up_commit").click().run()
    at.get("file_uploader")[0].set_value(("a.xlsx", data, XLSX)).run()
    _button(at, "up_preview").click().run()
    assert not at.exception
    assert _metrics(at)["未变"] == "1"
    assert any("这个文件已于" in w.value for w in at.warning)
    assert any("没有需要更新的内容" in i.value for i in at.info)
    assert not any(b.key == "up_commit" for b in at.button)


def test_without_a_report_date_the_page_asks_for_one_and_offers_no_commit(app):
    at = _open(app)
    at.get("file_uploader")[0].set_value(("a.xlsx", xlsx([["项目名称", "镇", "村", "总投资"],
                                                          ["石径村饮水工程", "寨岗镇", "石径村", 20]]), XLSX)).run()
    _button(at, "up_preview").click().run()
    assert not at.exception
    assert any("表中没有报告日期" in e.value for e in at.error)
    assert not any(b.key == "up_commit" for b in at.button)


def test_the_preview_says_what_will_be_done(app):
    at = _open(app)
    data = xlsx([["寨岗镇项目表（截至2024年6月30日）"], ["单位：元"], ["序号", "镇", "项目名称", "金额"],
                 [None, "寨岗镇", None, 300000], [1, "寨岗镇", "石径村道路", 100000], [2, "寨岗镇", "新埠村饮水", 200000]])
    at.get("file_uploader")[0].set_value(("a.xlsx", data, XLSX)).run()
    _button(at, "up_preview").click().run()
    assert not at.exception
    markdown = " ".join(m.value for m in at.markdown)
    assert "演示项目" in markdown and "本次导入将先删除它们" in markdown
    assert "报告日期 2024\\-06\\-30（读自表中“截至2024年6月30日”）" in markdown
    assert "数据日期将从 2026\\-10\\-31 变为 2024\\-06\\-30" in markdown  # the demo's date goes with the demo
    assert "金额已换算为万元" in markdown
    assert "第4行：小计（= 第5–6行之和）" in " ".join(t.value for t in at.text)
    assert any(b.key == "up_commit" for b in at.button)


def test_the_uploader_english_is_replaced(app):
    at = _open(app)
    css = " ".join(h.proto.body for h in at.get("html"))
    assert "将文件拖到这里" in css and "选择文件" in css and "stFileUploaderDropzoneInstructions" in css


def test_keeping_the_demo_is_remembered_after_runs_without_the_box(app):
    """Unticking 导入前删除演示项目 holds after runs that do not draw the box (another page and back),
    so an import never removes the demo the user chose to keep."""
    at = _open(app)
    at.get("file_uploader")[0].set_value(("寨岗镇.xlsx", _sheet(), XLSX)).run()
    box = next(c for c in at.checkbox if c.key == "up_remove_demo")
    assert box.value is True  # the default: the first real import replaces the demo
    box.uncheck().run()
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/upload.py").run()
    at.get("file_uploader")[0].set_value(("寨岗镇.xlsx", _sheet(), XLSX)).run()
    assert not at.exception
    assert next(c for c in at.checkbox if c.key == "up_remove_demo").value is False
