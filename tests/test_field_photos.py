"""Site photos: formats, limits, orientation, EXIF, GPS, storage beside the database, backups."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from PIL import Image

from portfolio import accounts, edits, photos, store as store_mod, updates
from portfolio.auth import User
from portfolio.field import FieldError
from portfolio.filters import Filters
from portfolio.ingest import commit as commit_mod
from portfolio.store import Store
from portfolio.updates import Update
from tests.photo_factory import INSIDE, OUTSIDE, picture
from tests.seed import ADMIN, TAIPING, seed

JULY = date(2026, 7, 31)


@pytest.fixture
def db(seed_store_with_photos):
    return seed_store_with_photos


def _open(path) -> Image.Image:
    return Image.open(io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize("fmt, ext", [("JPEG", "jpg"), ("PNG", "png"), ("HEIF", "heic")])
def test_each_phone_format_is_stored_once_by_sha256_with_upright_copies_and_no_exif(db, fmt, ext):
    data = picture(fmt, orientation=6, lonlat=INSIDE)
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60, caption="管道铺设"), TAIPING,
                                 [("IMG_0001." + ext, data)])
    [sha] = result.photos
    folder = db.photo_root
    original = photos.file_path(folder, sha, None, ext)
    assert original.read_bytes() == data  # the original, untouched
    for size, expected in ((1280, (200, 400)), (320, (160, 320))):
        copy = _open(photos.file_path(folder, sha, size))
        assert copy.format == "JPEG"
        assert copy.size == expected  # a quarter turn: EXIF orientation 6 applied (the 400x200 original stands up)
        w, h = copy.size
        assert copy.getpixel((w // 2, 5))[0] > 200 and copy.getpixel((w // 2, h - 5))[2] > 200  # red on top, blue below
        assert dict(copy.getexif()) == {} and "exif" not in copy.info and "icc_profile" not in copy.info
        assert b"TestPhone" not in photos.file_path(folder, sha, size).read_bytes()
    [row] = photos.for_project(db, "A1")
    assert (row["sha256"], row["ext"], row["taken_at"], row["report_date"], row["uploaded_by"], row["caption"]) == \
        (sha, ext, datetime(2026, 7, 30, 9, 15), JULY, "taiping", "管道铺设")
    assert row["lon"] == pytest.approx(INSIDE[0], abs=1e-6) and row["lat"] == pytest.approx(INSIDE[1], abs=1e-6)
    assert row["outside_county"] is False
    assert row["path_1280"] == photos.file_path(folder, sha, 1280)


def test_large_photos_are_scaled_to_1280_and_320():
    data = picture("JPEG", size=(3000, 2000))
    copies = photos.copies(data)
    assert Image.open(io.BytesIO(copies[1280])).size == (1280, 853)
    assert Image.open(io.BytesIO(copies[320])).size == (320, 213)


def test_gps_outside_the_projects_county_is_flagged_and_warned(db):
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING,
                                 [("near.jpg", picture(lonlat=INSIDE)), ("far.jpg", picture(lonlat=OUTSIDE, taken=None))])
    assert [n.message() for n in result.notices] == \
        ["照片“far.jpg”的拍摄位置（113.26439, 23.12911）不在项目所在的阳山县。"]
    flags = {(round(r["lon"], 3), r["outside_county"]) for r in photos.for_project(db, "A1")}
    assert flags == {(112.559, False), (113.264, True)}


def test_exif_gps_is_wgs84_and_a_gcj02_datum_is_converted():
    lon, lat = photos.read("a.jpg", picture(lonlat=INSIDE)).lon, photos.read("a.jpg", picture(lonlat=INSIDE)).lat
    assert (lon, lat) == (pytest.approx(INSIDE[0], abs=1e-6), pytest.approx(INSIDE[1], abs=1e-6))
    shifted = photos.read("b.jpg", picture(lonlat=INSIDE, datum="GCJ-02"))
    # GCJ-02 lies a few hundred metres off WGS-84 here; converted back it moves by that much
    from portfolio import geo
    assert 0.1 < geo.distance_km(shifted.lon, shifted.lat, *INSIDE) < 1.0
    assert photos.read("c.jpg", picture()).lon is None


@pytest.mark.parametrize("name, data, words", [
    ("scan.gif", None, ["scan.gif", "不是 JPEG、PNG 或 HEIC"]),
    ("notes.pdf", b"%PDF-1.4 not a picture", ["notes.pdf", "不是 JPEG、PNG 或 HEIC"]),
    ("truncated.jpg", None, ["truncated.jpg", "不是 JPEG、PNG 或 HEIC"]),
    ("empty.jpg", b"", ["empty.jpg", "是空的"]),
    ("huge.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024 - 1), ["huge.jpg", "20.0 MB", "超过每张 20 MB"]),
])
def test_other_files_are_refused_in_chinese_and_nothing_is_written(db, name, data, words):
    if name == "scan.gif":
        buf = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buf, format="GIF")
        data = buf.getvalue()
    elif name == "truncated.jpg":
        data = picture()[:300]
    version = db.data_version()
    with pytest.raises(FieldError) as err:
        updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("ok.jpg", picture()), (name, data)])
    for word in words:
        assert word in str(err.value)
    assert db.data_version() == version
    assert not db.photo_root.exists()  # checked before any file is written


def test_exactly_20_mb_passes_the_size_check_and_11_photos_are_too_many():
    with pytest.raises(FieldError) as err:
        photos.read("limit.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024 - 2))
    assert err.value.key == "ph_err_format"  # not refused for its size
    many = [(f"p{i}.jpg", picture(taken=f"2026:07:30 09:{i:02d}:00")) for i in range(11)]
    with pytest.raises(FieldError) as err:
        photos.read_all(many)
    assert str(err.value) == "一次最多上传 10 张照片，这次选了 11 张。"
    assert len(photos.read_all(many[:10])) == 10


def test_the_same_picture_twice_is_stored_once(db):
    data = picture()
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("a.jpg", data), ("b.jpg", data)])
    assert len(result.photos) == 1
    assert len(list(db.photo_root.rglob("*.jpg"))) == 3  # the original and two copies


def test_a_missing_file_gives_a_placeholder_not_an_error(db):
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("a.jpg", picture())])
    photos.file_path(db.photo_root, result.photos[0], 1280).unlink()
    [row] = photos.for_project(db, "A1")
    assert row["path_1280"] is None and row["path_320"] is not None
    assert Image.open(io.BytesIO(photos.placeholder_png("missing"))).size == (320, 240)


def test_undo_hides_the_updates_photos(db):
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("a.jpg", picture())])
    assert len(photos.for_project(db, "A1")) == 1
    commit_mod.undo(db, result.batch_id, TAIPING)
    assert photos.for_project(db, "A1") == []
    assert photos.latest_for(db, Filters(), 5) == []


def test_gallery_runs_by_report_date_earliest_first_and_latest_for_newest_first(db):
    first = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING,
                                [("before.jpg", picture(taken="2026:07:30 08:00:00"))])
    later = updates.save_update(db, "A1", Update(date(2026, 8, 31), progress_pct=80), TAIPING,
                                [("after.jpg", picture(taken="2026:08:30 08:00:00"))])
    assert [r["sha256"] for r in photos.for_project(db, "A1")] == first.photos + later.photos
    latest = photos.latest_for(db, Filters(counties=("阳山县",)), limit=1)
    assert [(r["sha256"], r["name"], r["town"]) for r in latest] == [(later.photos[0], "石径村饮水工程", "太平镇")]
    assert photos.latest_for(db, Filters(counties=("清新区",)), limit=5) == []


def test_a_project_without_exact_coordinates_takes_a_photos_gps_after_confirmation(db):
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("a.jpg", picture(lonlat=INSIDE))])
    batch = edits.use_photo_location(db, "A1", result.photos[0], TAIPING)
    p = db.one("field_project", {"project_id": "A1"})
    assert (round(p["lon"], 6), round(p["lat"], 6), p["location_precision"]) == (*INSIDE, "exact")
    with pytest.raises(FieldError) as err:
        edits.use_photo_location(db, "A1", result.photos[0], TAIPING)
    assert "已有精确坐标" in str(err.value)
    commit_mod.undo(db, batch, TAIPING)
    assert db.one("field_project", {"project_id": "A1"})["location_precision"] == "none"
    no_gps = updates.save_update(db, "A1", Update(date(2026, 8, 1), note="无定位"), TAIPING, [("b.jpg", picture())])
    with pytest.raises(FieldError, match="没有 GPS"):
        edits.use_photo_location(db, "A1", no_gps.photos[0], TAIPING)


def test_backup_and_restore_include_the_photos(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTFOLIO_PHOTOS", raising=False)
    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "backups"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    seed(db)
    result = updates.save_update(db, "A1", Update(JULY, progress_pct=60), ADMIN, [("a.heic", picture("HEIF"))])
    folder = tmp_path / "photos"
    assert photos.root(db) == folder
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert len(files) == 3
    backup = db.backup(label="import")
    db.close()
    assert sorted(p.relative_to(photos.backup_folder(backup)) for p in photos.backup_folder(backup).rglob("*")
                  if p.is_file()) == files
    for f in folder.rglob("*"):  # the photo folder is lost
        if f.is_file():
            f.unlink()
    auth_db = Store(path)
    accounts.add_user(auth_db, "boss", "admin", "a long password")
    auth_db.close()
    store_mod.restore(path, backup, User(name="boss", role="admin"))
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()) == files
    restored = Store(path)
    [row] = photos.for_project(restored, "A1")
    assert row["sha256"] == result.photos[0] and row["path_1280"] is not None
    restored.close()


def test_rotation_drops_a_backups_photo_folder_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_BACKUPS", str(tmp_path / "backups"))
    path = tmp_path / "lib.duckdb"
    db = Store(path)
    (tmp_path / "photos" / "ab").mkdir(parents=True)
    (tmp_path / "photos" / "ab" / "ab.jpg").write_bytes(b"x")
    made = [db.backup(keep=2, label="import") for _ in range(3)]
    db.close()
    assert not made[0].exists() and not photos.backup_folder(made[0]).exists()
    assert photos.backup_folder(made[2]).is_dir()


def test_a_broken_heic_is_refused_when_its_copies_are_made_and_leaves_no_file(db):
    data = picture("HEIF")
    broken = data[: len(data) // 2] + bytes(len(data) - len(data) // 2)
    version = db.data_version()
    with pytest.raises(FieldError) as err:
        updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("IMG_1.heic", broken)])
    assert str(err.value) == "文件“IMG_1.heic”不是 JPEG、PNG 或 HEIC 照片，未保存。"
    assert db.data_version() == version
    assert not db.photo_root.exists() or not any(p.is_file() for p in db.photo_root.rglob("*"))


def test_rebuilding_the_demo_forgets_the_photo_rows(db):
    from portfolio import demo

    updates.save_update(db, "A1", Update(JULY, progress_pct=60), TAIPING, [("a.jpg", picture())])
    demo.build(db)
    assert db.rows("field_all_photo_files") == []
