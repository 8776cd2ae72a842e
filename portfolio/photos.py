"""Site photos: checked, stored once by sha256 beside the database, with a 1280 px copy and a thumbnail.

Files live under <database folder>/photos/ (or $PORTFOLIO_PHOTOS), never inside DuckDB:

    photos/ab/ab12…ef.jpg        the original as uploaded (JPEG, PNG or HEIC), written once
    photos/ab/ab12…ef_1280.jpg   the copy shown and put in decks: EXIF orientation applied, no EXIF
    photos/ab/ab12…ef_320.jpg    the thumbnail, the same way

The EXIF time and GPS position are kept in `project_photos`. GPS in EXIF is WGS-84: phone
cameras write the receiver's own WGS-84 fix (the GCJ-02 offset belongs to Chinese map apps,
not to EXIF), so no conversion is applied unless GPSMapDatum names GCJ-02 or BD-09.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from PIL import ExifTags, Image, ImageDraw, UnidentifiedImageError

from portfolio import geo, sql
from portfolio.field import FieldError, Notice

try:  # HEIC from iPhones and many Android phones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pinned in requirements.txt
    pillow_heif = None

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_UPDATE = 10
COPY_PX = 1280
THUMB_PX = 320
SIZES = (COPY_PX, THUMB_PX)
_FORMATS = {"JPEG": "jpg", "PNG": "png", "HEIF": "heic"}
_GPS = ExifTags.IFD.GPSInfo
_EXIF = ExifTags.IFD.Exif


@dataclass(frozen=True)
class Photo:
    """An upload that passed the checks (nothing written yet)."""
    name: str
    data: bytes
    sha256: str
    ext: str
    width: int  # after the EXIF orientation is applied
    height: int
    taken_at: datetime | None
    lon: float | None  # WGS-84
    lat: float | None


def _rational(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return float("nan")


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (_rational(x) for x in dms)
    except (TypeError, ValueError):
        return None
    value = d + m / 60 + s / 3600
    if value != value:
        return None
    if str(ref or "").strip().upper() in ("S", "W"):
        value = -value
    return value


def gps_of(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lon, lat) in WGS-84 from EXIF GPS tags, or (None, None)."""
    gps = exif.get_ifd(_GPS) if exif else {}
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat = _degrees(gps.get(2), gps.get(1))
    lon = _degrees(gps.get(4), gps.get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    datum = str(gps.get(18) or "").upper().replace("-", "").replace(" ", "")
    if datum.startswith("GCJ"):
        lon, lat = geo.to_wgs84(lon, lat, "gcj02")
    elif datum.startswith("BD"):
        lon, lat = geo.to_wgs84(lon, lat, "bd09")
    return lon, lat


def taken_at_of(exif: Image.Exif) -> datetime | None:
    """When the photo was taken (EXIF DateTimeOriginal, else DateTime), camera local time."""
    if not exif:
        return None
    for value in (exif.get_ifd(_EXIF).get(0x9003), exif.get(0x0132)):
        if value:
            try:
                return datetime.strptime(str(value).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
    return None


def read(name: str, data: bytes) -> Photo:
    """Check one upload: a JPEG, PNG or HEIC picture of at most 20 MB (FieldError otherwise)."""
    if not data:
        raise FieldError("ph_err_empty", name=name)
    if len(data) > MAX_BYTES:
        raise FieldError("ph_err_too_big", name=name, mb=len(data) / 1024 / 1024, max=MAX_BYTES // 1024 // 1024)
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in _FORMATS:
                raise FieldError("ph_err_format", name=name)
            ext = _FORMATS[im.format]
            exif = im.getexif()
            width, height = im.size
            if exif.get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                width, height = height, width
            # Headers and EXIF only here: the pixels are decoded once, by render(), for the copies.
    except FieldError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FieldError("ph_err_format", name=name) from exc
    lon, lat = gps_of(exif)
    return Photo(name=name, data=data, sha256=hashlib.sha256(data).hexdigest(), ext=ext, width=width,
                 height=height, taken_at=taken_at_of(exif), lon=lon, lat=lat)


def read_all(files: Iterable[tuple[str, bytes]]) -> list[Photo]:
    """Check an update's uploads: at most 10, each as `read`; the same picture twice counts once."""
    files = list(files)
    if len(files) > MAX_PER_UPDATE:
        raise FieldError("ph_err_too_many", max=MAX_PER_UPDATE, n=len(files))
    photos: dict[str, Photo] = {}
    for name, data in files:
        photo = read(name, data)
        photos.setdefault(photo.sha256, photo)
    return list(photos.values())


# Files -------------------------------------------------------------------------------------

def root(store) -> Path:
    """The photo folder of a store: $PORTFOLIO_PHOTOS, else photos/ beside the database file."""
    explicit = getattr(store, "photo_root", None) or os.environ.get("PORTFOLIO_PHOTOS")
    if explicit:
        return Path(explicit)
    if store.path == ":memory:":
        raise RuntimeError("an in-memory store needs store.photo_root or $PORTFOLIO_PHOTOS for photos")
    return root_for(Path(store.path))


def root_for(db_path: Path) -> Path:
    return Path(os.environ.get("PORTFOLIO_PHOTOS") or Path(db_path).parent / "photos")


def file_path(folder: Path, sha256: str, size: int | None = None, ext: str = "jpg") -> Path:
    """The original (size None, with its own extension) or a copy (1280 or 320, always .jpg)."""
    stem = sha256 if size is None else f"{sha256}_{size}"
    return Path(folder) / sha256[:2] / f"{stem}.{ext if size is None else 'jpg'}"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def copies(data: bytes) -> dict[int, bytes]:
    """The 1280 px and 320 px JPEG copies: upright (EXIF orientation applied), with no metadata at all."""
    with Image.open(io.BytesIO(data)) as im:
        orientation = im.getexif().get(0x0112)
        im.draft("RGB", (COPY_PX, COPY_PX))  # JPEG decodes at a reduced scale: much faster for phone photos
        scaled = im.copy() if im.mode in ("RGB", "RGBA", "LA", "P", "L") else im.convert("RGB")
    # Scale first, then turn: rotating the small copy is cheaper than rotating the original.
    scaled.thumbnail((COPY_PX, COPY_PX), Image.Resampling.BICUBIC, reducing_gap=2.0)
    if orientation in _TRANSPOSE:
        scaled = scaled.transpose(_TRANSPOSE[orientation])
    if scaled.mode in ("RGBA", "LA", "P"):
        scaled = scaled.convert("RGBA")
        flat = Image.new("RGB", scaled.size, "white")
        flat.paste(scaled, mask=scaled.getchannel("A"))
    else:
        flat = Image.new("RGB", scaled.size)  # a fresh image carries no EXIF, XMP or ICC from the original
        flat.paste(scaled.convert("RGB"))
    thumb = flat.copy()
    thumb.thumbnail((THUMB_PX, THUMB_PX), Image.Resampling.BICUBIC, reducing_gap=2.0)
    out: dict[int, bytes] = {}
    for size, image in ((COPY_PX, flat), (THUMB_PX, thumb)):
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=82)
        out[size] = buf.getvalue()
    return out


def render(photo: Photo) -> dict[int, bytes]:
    """The copies of a checked photo; a picture whose pixels do not decode is refused (FieldError)."""
    try:
        return copies(photo.data)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise FieldError("ph_err_format", name=photo.name) from exc


def save_files(folder: Path, photo: Photo, made: dict[int, bytes] | None = None) -> None:
    """Write the original (once: an existing file of the same sha256 is the same picture) and its copies
    (`made` by render(), or rendered here)."""
    original = file_path(folder, photo.sha256, None, photo.ext)
    for size in SIZES:
        path = file_path(folder, photo.sha256, size)
        if not path.exists():
            made = made or render(photo)
            _write_atomic(path, made[size])
    if not original.exists():
        _write_atomic(original, photo.data)


def existing(folder: Path, sha256: str, size: int | None = COPY_PX, ext: str = "jpg") -> Path | None:
    """The file's path when it is on disk, else None (the page shows a placeholder)."""
    path = file_path(folder, sha256, size, ext)
    return path if path.is_file() else None


def placeholder_png(text: str = "", width: int = THUMB_PX, height: int = 240) -> bytes:
    """A grey picture standing in for a photo whose file is missing."""
    im = Image.new("RGB", (width, height), (225, 225, 225))
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, width - 1, height - 1], outline=(170, 170, 170), width=2)
    draw.line([(0, 0), (width, height)], fill=(190, 190, 190), width=2)
    draw.line([(0, height), (width, 0)], fill=(190, 190, 190), width=2)
    if text:
        draw.text((10, height - 24), text, fill=(90, 90, 90))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


# Places -------------------------------------------------------------------------------------

def outside_county(lon: float | None, lat: float | None, county: str | None) -> bool | None:
    """True when the point lies outside the county's polygon; None when there is no point or county."""
    if lon is None or lat is None or not county:
        return None
    code = geo.point_in_county(lon, lat)
    names = geo.county_names()
    return code is None or (names.get(code) != county and geo.short_county(names.get(code, "")) != county)


def outside_notices(photos: Iterable[Photo], county: str | None) -> list[Notice]:
    return [Notice("fu_warn_photo_outside", name=p.name, lon=p.lon, lat=p.lat, county=county)
            for p in photos if outside_county(p.lon, p.lat, county)]


# Reads --------------------------------------------------------------------------------------

def _dicts(store, name: str, params: dict) -> list[dict[str, Any]]:
    with store.cursor() as cur:
        result = cur.execute(sql.query(name), params)
        rows = result.fetchall()
        names = [d[0] for d in result.description]
    return [dict(zip(names, r)) for r in rows]


def _with_paths(store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    folder = root(store)
    for row in rows:
        row["path_1280"] = existing(folder, row["sha256"], COPY_PX)
        row["path_320"] = existing(folder, row["sha256"], THUMB_PX)
    return rows


def for_project(store, project_id: str) -> list[dict[str, Any]]:
    """A project's standing photos by report date, earliest first (before and after side by side).

    Each row has path_1280 and path_320: a Path, or None when the file is missing."""
    return _with_paths(store, _dicts(store, "field_project_photos", {"project_id": project_id}))


def latest_for(store, filters, limit: int = 12) -> list[dict[str, Any]]:
    """The newest standing photos of the filtered projects (newest report first), for the deck's
    现场照片 slide, the town report and the map's detail panel.

    Each row: project_id, name, county, town, village, sha256, taken_at, lon, lat, outside_county,
    caption, report_date, uploaded_by, and path_1280 / path_320 (None when the file is missing:
    draw placeholder_png() instead)."""
    return _with_paths(store, _dicts(store, "field_latest_photos", {**filters.sql_params(), "limit": int(limit)}))


# Backups ------------------------------------------------------------------------------------

def backup_folder(backup_file: Path) -> Path:
    """Where a database backup keeps its photos: beside it, same name, .photos."""
    return Path(backup_file).with_suffix(".photos")


def _copy_files(source: Path, target: Path, link: bool) -> int:
    """Put every finished file under `source` at the same place under `target`, unless one is there.
    Photo files never change once written (named by their sha256), so an existing file is the same
    picture, and a hard link is as good as a copy where both sit on one file system."""
    if not source.is_dir():
        return 0
    n = 0
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if not path.is_file() or path.name.endswith(".part") or dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not link:
                raise OSError
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)
        n += 1
    return n


def backup_photos(db_path: Path, backup_file: Path) -> int:
    """Put every photo file beside a database backup (hard links, no extra space). Returns the count."""
    return _copy_files(root_for(db_path), backup_folder(backup_file), link=True)


def restore_photos(db_path: Path, backup_file: Path) -> int:
    """Bring back the photo files a restored backup refers to: those missing from the photo folder are
    copied from the backup's folder (files present stay: they are the same pictures). Returns the count."""
    return _copy_files(backup_folder(backup_file), root_for(db_path), link=False)


def remove_backup(backup_file: Path) -> None:
    shutil.rmtree(backup_folder(backup_file), ignore_errors=True)
