"""Bytes -> sheets of raw cells. Guards size, zip bombs and disguised files; detects CSV encodings.

Excel files (.xlsx, .xlsm, .xls, also .ods) go through calamine, which returns the
cached value of every formula. CSV is decoded as UTF-8 (with or without BOM),
UTF-16 with BOM or GB18030 (a superset of GBK), and refused when no decoding gives
plausible text, so nothing is silently garbled. Cells stay as calamine gives them
(str, float, int, bool, date, datetime); empty cells become None.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import python_calamine

from portfolio import formats
from portfolio.ingest.issues import IngestError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# A real 50 MB workbook unpacks to a few hundred MB at most; beyond this it is a zip bomb.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # per member, once the member is larger than 10 MB
MAX_CELLS = 20_000_000  # per sheet: the grid we build in memory
MAX_ROWS = 100_100  # 100,000 projects per upload, plus room for titles, headers and totals
MAX_COLUMNS = 500  # project tables have a few dozen columns; thousands mean a wrong file
ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".ods")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]  # rectangular: every row has `width` cells
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r0, c0, r1, c1), inclusive
    visible: bool = True

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass
class RawBook:
    kind: str  # "excel" or "csv"
    sheets: list[RawSheet]
    encoding: str | None = None  # CSV only

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> RawSheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise IngestError("ing_err_no_such_sheet", sheet=name, sheets="、".join(self.sheet_names()))


def read_book(data: bytes, file_name: str = "upload.xlsx") -> RawBook:
    """Read an upload into sheets of cells; raises IngestError with a clear message when it cannot."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise IngestError("ing_err_too_large", size_mb=formats.megabytes(len(data)),
                          limit_mb=MAX_UPLOAD_BYTES // 1024 // 1024)
    if not data:
        raise IngestError("ing_err_empty_file")
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix and suffix not in ALLOWED_SUFFIXES:
        raise IngestError("ing_err_suffix", suffix=suffix)
    kind = sniff(data)
    if kind == "zip":
        _check_zip(data)
        return _read_excel(data)
    if kind == "ole2":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise IngestError("ing_err_encrypted")  # an encrypted .xlsx travels inside an OLE2 container
        return _read_excel(data)
    if kind == "html":
        raise IngestError("ing_err_html")
    if kind == "binary":
        raise IngestError("ing_err_not_spreadsheet", suffix=suffix or "?")
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        # Text bytes renamed .xlsx: read them as CSV only if they really are a table.
        book = _read_csv(data)
        if not any(len([c for c in row if c is not None]) >= 2 for row in book.sheets[0].rows[:50]):
            raise IngestError("ing_err_not_spreadsheet", suffix=suffix)
        return book
    return _read_csv(data)


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the file name says: zip, ole2, html, text or binary."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE2_MAGIC):
        return "ole2"
    head = data[:2048]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    probe = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if probe.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")) or b"<table" in head.lower():
        return "html"
    if b"\x00" in head:
        return "binary"
    # Control bytes other than tab/CR/LF/form feed mark a binary file.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(head) // 100):
        return "binary"
    return "text"


def _check_zip(data: bytes) -> None:
    """Refuse archives that are not workbooks or that unpack to an absurd size (zip bombs)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError("ing_err_corrupt", detail=str(exc)[:120]) from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
        raise IngestError("ing_err_zip_not_workbook")
    if "xl/workbook.bin" in names:
        raise IngestError("ing_err_xlsb")
    total = 0
    # Stream every member: the sizes in the zip directory can lie.
    for info in zf.infolist():
        member_total = 0
        try:
            with zf.open(info) as member:
                while True:
                    chunk = member.read(1 << 20)
                    if not chunk:
                        break
                    member_total += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNCOMPRESSED_BYTES:
                        raise IngestError("ing_err_zip_bomb", limit_mb=MAX_UNCOMPRESSED_BYTES // 1024 // 1024,
                                          ratio=MAX_COMPRESSION_RATIO)
                    if (member_total > 10 * 1024 * 1024
                            and member_total > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                        raise IngestError("ing_err_zip_bomb", limit_mb=MAX_UNCOMPRESSED_BYTES // 1024 // 1024,
                                          ratio=MAX_COMPRESSION_RATIO)
        except IngestError:
            raise
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError) as exc:
            # Encrypted members raise RuntimeError; broken ones BadZipFile or zlib errors (OSError).
            raise IngestError("ing_err_corrupt", detail=str(exc)[:120]) from None
        except Exception as exc:  # zlib.error and friends: still a broken file, never a crash
            raise IngestError("ing_err_corrupt", detail=type(exc).__name__) from None


def _read_excel(data: bytes) -> RawBook:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
    except python_calamine.PasswordError:
        raise IngestError("ing_err_encrypted") from None
    except Exception as exc:  # calamine raises several error types for broken files
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise IngestError("ing_err_encrypted") from None
        raise IngestError("ing_err_corrupt", detail=text[:120]) from None
    sheets: list[RawSheet] = []
    for meta in metadata:
        if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet") and "WorkSheet" not in str(meta.typ):
            continue  # chart sheets, macro sheets
        try:
            sheet = book.get_sheet_by_name(meta.name)
            check_shape(meta.name, sheet.height, sheet.width)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError("ing_err_corrupt", detail=f"{meta.name}: {str(exc)[:100]}") from None
        visible = "Visible" in str(meta.visible) and "Hidden" not in str(meta.visible)
        sheets.append(RawSheet(meta.name, _rectangle(rows, merged), merged, visible))
    if not sheets:
        raise IngestError("ing_err_no_sheets")
    return RawBook("excel", sheets)


def _rectangle(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> list[list[Any]]:
    """Pad rows to one width (merges may reach beyond the last value) and blank '' cells.

    A text that repeats down a column (a town, a unit, 在建) is kept once, not once per cell.
    """
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    for r0, c0, r1, c1 in merged:
        # Merges far beyond the data (whole columns) add no values: do not grow for them.
        if r0 < height:
            width = max(width, min(c1 + 1, width + 64))
    out = []
    texts: dict[str, str] = {}
    for row in rows:
        cells = [None if (v == "" or v is None) else texts.setdefault(v, v) if type(v) is str else v for v in row]
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        out.append(cells)
    return out


# CSV -------------------------------------------------------------------------
def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding). UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 when it reads as Chinese."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise IngestError("ing_err_encoding") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise IngestError("ing_err_encoding") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise IngestError("ing_err_encoding") from None
    if not plausible_chinese(text):
        raise IngestError("ing_err_encoding")
    return text, "gb18030"


def plausible_chinese(text: str) -> bool:
    """True when nearly every character is ASCII, common CJK or CJK punctuation (not mojibake)."""
    sample = text[:20000]
    if not sample:
        return True
    ok = 0
    for ch in sample:
        o = ord(ch)
        if (o < 128 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
                or 0x2010 <= o <= 0x203F or o in (0xB7, 0xD7, 0xB0, 0x2103, 0x3001, 0x3002)):
            ok += 1
    if ok / len(sample) < 0.97:
        return False
    # Text misread as GB18030 (Shift-JIS, Big5) comes out as valid but rare characters: real sheets
    # use mostly the 3,755 common characters of GB2312 level 1.
    hanzi = [ch for ch in sample if 0x4E00 <= ord(ch) <= 0x9FFF]
    if len(hanzi) < 4:
        return True
    common = 0
    for ch in hanzi:
        try:
            common += 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(hanzi) >= 0.6


def _read_csv(data: bytes) -> RawBook:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise IngestError("ing_err_not_spreadsheet", suffix=".csv")
    delimiter = _sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [[(c.strip() if c.strip() else None) for c in row] for row in reader]
    except csv.Error as exc:
        raise IngestError("ing_err_corrupt", detail=str(exc)[:120]) from None
    width = max((len(r) for r in rows), default=0)
    check_shape("CSV", len(rows), width)
    for row in rows:
        row.extend([None] * (width - len(row)))
    return RawBook("csv", [RawSheet("CSV", rows)], encoding)


def check_shape(sheet: str, rows: int, cols: int) -> None:
    """Refuse, before building the grid, a sheet too large to be one upload of a project table."""
    if rows > MAX_ROWS:
        raise IngestError("ing_err_too_many_rows", sheet=sheet, rows=formats.count(rows), limit=formats.count(MAX_ROWS - 100))
    if cols > MAX_COLUMNS:
        raise IngestError("ing_err_too_many_columns", sheet=sheet, cols=formats.count(cols), limit=MAX_COLUMNS)
    if rows * max(cols, 1) > MAX_CELLS:
        raise IngestError("ing_err_sheet_too_big", sheet=sheet, rows=rows, cols=cols)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (comma, tab, semicolon, bar)."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in (",", "\t", ";", "|"):
        counts = [line.count(delimiter) for line in lines]
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best
