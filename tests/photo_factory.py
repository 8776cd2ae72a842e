"""Pictures made in the test, the way phones write them: EXIF orientation, GPS, time, HEIC."""
from __future__ import annotations

import io
import os

from PIL import ExifTags, Image

# 阳山县's 太平镇 town seat (inside 阳山县) and Guangzhou (outside Qingyuan), WGS-84.
INSIDE = (112.559329, 24.252857)
OUTSIDE = (113.264385, 23.129112)


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round((value - d - m / 60) * 3600, 4)
    return (float(d), float(m), s)


def exif_bytes(orientation: int | None = None, lonlat: tuple[float, float] | None = None,
               taken: str | None = "2026:07:30 09:15:00", datum: str = "WGS-84", extra_model: str = "TestPhone X") -> bytes:
    exif = Image.Exif()
    exif[0x0110] = extra_model  # camera model: must not survive in the copies
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = taken
    if lonlat:
        lon, lat = lonlat
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(lon)
        gps[18] = datum
    return exif.tobytes()


def two_tone(width: int = 400, height: int = 200) -> Image.Image:
    """Left half red, right half blue: which way is up shows after a rotation."""
    im = Image.new("RGB", (width, height), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, width // 2, height))
    return im


def picture(fmt: str = "JPEG", orientation: int | None = None, lonlat=None, size=(400, 200), **kw) -> bytes:
    im = two_tone(*size)
    buf = io.BytesIO()
    exif = exif_bytes(orientation, lonlat, **kw)
    if fmt == "PNG":
        im.save(buf, format="PNG", exif=exif)
    elif fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        im.save(buf, format="HEIF", exif=exif, quality=60)
    else:
        im.save(buf, format="JPEG", exif=exif, quality=90)
    return buf.getvalue()


def big_jpeg(target_bytes: int, lonlat=INSIDE, seed: int = 0) -> bytes:
    """A photo-sized JPEG (about `target_bytes`): noise compresses like a real photo's detail."""
    width, height = 4000, 3000
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3) if seed == 0 else
                            _seeded(width * height * 3, seed))
    base = two_tone(width, height)
    im = Image.blend(base, noise, 0.5)
    quality = 95
    while True:
        buf = io.BytesIO()
        im.save(buf, format="JPEG", exif=exif_bytes(6, lonlat), quality=quality)
        if buf.tell() <= target_bytes or quality <= 30:
            return buf.getvalue()
        quality -= 5


def _seeded(n: int, seed: int) -> bytes:
    import random

    return random.Random(seed).randbytes(n)
