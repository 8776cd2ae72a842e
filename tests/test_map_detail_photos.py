"""Site photos in the map's project detail panel (issue 12, point 4): the newest thumbnails with date
and caption, and a placeholder where a photo's file is missing."""
from __future__ import annotations

import os
from datetime import date

from streamlit.testing.v1 import AppTest

from portfolio import photos, updates
from tests.photo_factory import INSIDE, picture
from tests.seed import ADMIN

NOVEMBER = date(2026, 11, 30)


def _db():
    from ui import data

    return data.get_store(os.environ["PORTFOLIO_DB"])


def _detail_script():
    import os

    from ui import data, map_panels

    map_panels.project_detail(os.environ["DETAIL_PROJECT"], data.data_date(), "zh")


def _project() -> str:
    with _db().cursor() as cur:
        return cur.execute("SELECT project_id FROM projects WHERE county = '阳山县' AND town = '太平镇' "
                           "AND status = 'in_progress' ORDER BY project_id LIMIT 1").fetchall()[0][0]


def _images(at) -> list:
    return list(at.get("image"))


def test_detail_panel_shows_the_newest_photos_with_date_caption_and_placeholder(app, monkeypatch):
    app.run()
    pid = _project()
    monkeypatch.setenv("DETAIL_PROJECT", pid)
    shots = [(f"p{i}.jpg", picture(lonlat=INSIDE, taken=f"2026:11:{10 + i:02d} 09:00:00", size=(400 + i, 200)))
             for i in range(5)]
    result = updates.save_update(_db(), pid, updates.Update(NOVEMBER, progress_pct=70, caption="管道铺设完成"),
                                 ADMIN, shots)
    assert len(result.photos) == 5
    # The newest photo's files are lost: the panel shows the placeholder, not an error.
    newest = max(photos.for_project(_db(), pid), key=lambda r: (r["report_date"], r["taken_at"]))
    for size in photos.SIZES:
        photos.file_path(photos.root(_db()), newest["sha256"], size).unlink()

    at = AppTest.from_function(_detail_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("现场照片（最新 4 张，共 5 张）" in m.value for m in at.markdown)
    assert len(_images(at)) == 4
    captions = [c.value for c in at.caption]
    photo_captions = [c for c in captions if "管道铺设完成" in c]
    assert len(photo_captions) == 4
    assert sum("照片文件缺失" in c for c in photo_captions) == 1
    assert any("2026\\-11\\-14" in c for c in photo_captions)  # the taken date of the newest
    assert not any("2026\\-11\\-10" in c for c in photo_captions)  # the oldest of five is left for the library
    assert not any(word in " ".join(captions) for word in ("None", "nan", "NaT"))


def test_detail_panel_without_photos_shows_no_photo_block(app, monkeypatch):
    app.run()
    monkeypatch.setenv("DETAIL_PROJECT", _project())
    at = AppTest.from_function(_detail_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _images(at) and not any("现场照片" in m.value for m in at.markdown)
