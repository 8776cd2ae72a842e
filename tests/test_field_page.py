"""AppTest of the project detail's field work: gallery, 更新进展 with photos, refusals, 编辑项目 with its diff."""
from __future__ import annotations

import os
from datetime import date

import pytest

from portfolio import photos
from tests.conftest import sign_in
from tests.photo_factory import INSIDE, picture

NOVEMBER = date(2026, 11, 30)


def _db():
    from ui import data

    return data.get_store(os.environ["PORTFOLIO_DB"])


def _taiping_project(placed: str = "%") -> str:
    """An in-progress project of 阳山县/太平镇 in the demo (whose location precision is like `placed`)."""
    with _db().cursor() as cur:
        return cur.execute("SELECT project_id FROM projects WHERE county = ? AND town = ? AND status = ? "
                           "AND location_precision LIKE ? ORDER BY project_id LIMIT 1",
                           ["阳山县", "太平镇", "in_progress", placed]).fetchall()[0][0]


def _open(app, pid, **who):
    at = app.run()
    if who:
        sign_in(at, **who)
    at.switch_page("app_pages/projects.py").run()
    at.query_params["project"] = pid
    return at.run()


def _widget(elements, label):
    return next(e for e in elements if e.label == label)


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "markdown", "success", "warning", "error", "info")
                     for e in at.get(kind))


def test_anonymous_sees_the_gallery_and_a_login_hint_but_no_form(app):
    at = app.run()
    pid = _taiping_project()
    at = _open(app, pid)
    assert not at.exception
    assert "还没有现场照片。" in _texts(at) and "登录为该镇的编辑人员后可在此更新进展" in _texts(at)
    assert not [b for b in at.button if b.label == "保存进展"]


def test_an_editor_of_another_town_gets_no_form(app):
    app.run()
    pid = _taiping_project()
    at = _open(app, pid, name="qx", role="editor", towns=("清新区/太平镇",))
    assert "您的账号不能修改这个项目" in _texts(at)
    assert not [b for b in at.button if b.label == "保存进展"]


def test_editor_saves_60_percent_with_two_photos_and_sees_them(app):
    app.run()
    pid = _taiping_project()
    at = _open(app, pid, name="tp", role="editor", towns=("阳山县/太平镇",))
    assert not at.exception
    _widget(at.date_input, "报告日期").set_value(NOVEMBER)
    _widget(at.number_input, "进度（%）").set_value(60.0)
    _widget(at.text_area, "进展说明").input("主体完工，正在回填")
    at.get("file_uploader")[0].set_value([("IMG_1.jpg", picture(orientation=6, lonlat=INSIDE), "image/jpeg"),
                                          ("IMG_2.heic", picture("HEIF"), "image/heic")])
    _widget(at.button, "保存进展").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success][0].startswith("已保存进展（批次 B")
    row = _db().one("field_project", {"project_id": pid})
    assert (row["progress_pct"], row["last_report_date"]) == (60.0, NOVEMBER)
    assert _db().one("field_report_on", {"project_id": pid, "report_date": NOVEMBER})["note"] == "主体完工，正在回填"
    shown = photos.for_project(_db(), pid)
    assert len(shown) == 2
    assert len(at.get("image")) == 2  # the gallery draws them
    # the form starts empty again: a second press does not save the same photos twice
    assert at.get("file_uploader")[0].value in (None, [])


def test_a_refused_update_shows_the_chinese_reason_and_saves_nothing(app):
    app.run()
    pid = _taiping_project()
    version = _db().data_version()
    at = _open(app, pid, name="tp", role="editor", towns=("阳山县/太平镇",))
    _widget(at.date_input, "报告日期").set_value(date(2026, 9, 1))
    _widget(at.number_input, "进度（%）").set_value(70.0)
    _widget(at.button, "保存进展").click()
    at.run()
    assert [e.value for e in at.error] == \
        ["报告日期 2026-09-01 早于该项目最新一次报告（2026-10-31），已拒绝：离线保存后补交的旧更新不会插入到历史中间。"
         "请核对进展，用今天的日期重新提交。"]
    assert _db().data_version() == version


def test_edit_shows_the_diff_before_saving(app):
    app.run()
    pid = _taiping_project()
    before = _db().one("field_project", {"project_id": pid})
    at = _open(app, pid, name="tp", role="editor", towns=("阳山县/太平镇",))
    _widget(at.number_input, "计划投资（万元）").set_value(before["budget_wan"] + 10)
    _widget(at.button, "预览修改").click()
    at.run()
    diff = at.dataframe[-1].value
    assert list(diff["字段"]) == ["计划投资（万元）"]
    assert _db().one("field_project", {"project_id": pid})["budget_wan"] == before["budget_wan"]  # not yet
    _widget(at.button, "确认保存修改").click()
    at.run()
    assert not at.exception
    assert _db().one("field_project", {"project_id": pid})["budget_wan"] == pytest.approx(before["budget_wan"] + 10)
    assert any(s.value.startswith("已保存修改（批次 B") for s in at.success)


def test_phone_cards_search_and_open_a_project(app):
    at = app.run()
    at.switch_page("app_pages/projects.py").run()
    _widget(at.text_input, "搜索项目名称、村或编号").input("杏塘").run()
    opens = [b for b in at.button if b.label == "打开"]
    assert 1 <= len(opens) <= 20
    names = [m.value for m in at.main.markdown if m.value.startswith("**")]
    assert names and all("杏塘" in n for n in names)
    opens[0].click().run()
    assert not at.exception
    pid = at.query_params["project"]
    pid = pid[0] if isinstance(pid, list) else pid
    assert any("项目详情" in str(h.value) for h in at.subheader)
    assert "杏塘" in _db().one("field_project", {"project_id": pid})["name"]


def _with_photo(pid, lonlat=INSIDE):
    from portfolio import updates
    from portfolio.auth import User

    return updates.save_update(_db(), pid, updates.Update(NOVEMBER, note="现场"), User(name="admin", role="admin"),
                               [("IMG_1.jpg", picture(lonlat=lonlat))])


def test_a_photos_gps_becomes_the_location_only_after_confirmation(app):
    app.run()
    pid = _taiping_project(placed="village")
    _with_photo(pid)
    at = _open(app, pid, name="tp", role="editor", towns=("阳山县/太平镇",))
    _widget(at.button, "用这张照片的位置作为项目位置").click()
    at.run()
    assert _db().one("field_project", {"project_id": pid})["location_precision"] != "exact"  # not yet
    confirm = next(b for b in at.button if b.label.startswith("确认把项目位置设为 112.55933, 24.25286"))
    confirm.click()
    at.run()
    assert not at.exception
    row = _db().one("field_project", {"project_id": pid})
    assert (round(row["lon"], 5), round(row["lat"], 5), row["location_precision"]) == (112.55933, 24.25286, "exact")
    assert not [b for b in at.button if b.label == "用这张照片的位置作为项目位置"]


def test_a_missing_photo_file_shows_a_placeholder(app):
    app.run()
    pid = _taiping_project()
    saved = _with_photo(pid)
    folder = photos.root(_db())
    photos.file_path(folder, saved.photos[0], 1280).unlink()
    at = _open(app, pid)
    assert not at.exception
    assert "照片文件缺失" in _texts(at)
    assert len(at.get("image")) == 1
