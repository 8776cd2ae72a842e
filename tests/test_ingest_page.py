"""The 数据导入 page under AppTest: upload, preview, correct the mapping, import, undo."""
from __future__ import annotations

from portfolio import demo
from tests.conftest import sign_in
from tests.test_ingest_fixtures import xlsx

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
    assert len(at.get("file_uploader")) == 1
    assert [t.label for t in at.tabs] == ["导入", "导入历史"]


def test_upload_preview_commit_and_undo(app, demo_db_file):
    at = _open(app)
    at.get("file_uploader")[0].set_value(("寨岗镇.xlsx", _sheet(), XLSX)).run()
    assert not at.exception
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
    _button(at, "up_preview").click().run()
    _button(at, "up_commit").click().run()
    at.get("file_uploader")[0].set_value(("a.xlsx", data, XLSX)).run()
    _button(at, "up_preview").click().run()
    assert not at.exception
    assert _metrics(at)["未变"] == "1"
    assert any("这个文件已于" in w.value for w in at.warning)
    assert any("没有需要更新的内容" in i.value for i in at.info)
    assert not any(b.key == "up_commit" for b in at.button)
