"""Is an upload an indicator sheet rather than a project list? Decided before the project importer runs."""
from __future__ import annotations

import io
import zipfile

from portfolio.ingest import read as read_mod
from portfolio.ingest.issues import IngestError
from portfolio.ingest.values import norm, text_value
from portfolio.outcomes.catalogue import Catalogue
from portfolio.outcomes.header import indicator_in, place_role

_SHARED_STRINGS = "xl/sharedStrings.xml"
_MEASURES = ("率", "比例", "面积", "收入", "等级")
_PEEK_BYTES = 256 * 1024  # of each part's XML: the 40 rows where a header may be, many times over


def may_name_indicators(data: bytes, catalogue: Catalogue) -> bool:
    """A cheap first look at an .xlsx: do its strings (the shared string table, or the sheets' inline
    strings) name any indicator at all? Project lists do not, so the project import is not slowed by
    reading every upload twice. Other formats: maybe."""
    if not data.startswith(b"PK\x03\x04"):
        return True
    # Names of a measure only (…率, …比例, …面积, …收入, …等级): topic words such as 雨污分流 or
    # 撂荒地复耕 also name projects (雨污分流管网工程). Each as UTF-8 and as XML character references
    # (some writers store 率 as &#29575;).
    names = [form for ind in catalogue.indicators for name in (ind.name_zh, *ind.aliases) if name.endswith(_MEASURES)
             for form in (name.encode("utf-8"), "".join(f"&#{ord(c)};" for c in name).encode(),
                          "".join(f"&#x{ord(c):x};" for c in name).encode(), "".join(f"&#x{ord(c):X};" for c in name).encode())]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [i for i in z.infolist() if i.filename == _SHARED_STRINGS] or \
                [i for i in z.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            for info in members:
                with z.open(info) as member:
                    # Headers sit in the first rows, and a string table lists strings in order of first
                    # use: the beginning of each part is enough, whatever the file's size.
                    text = member.read(_PEEK_BYTES)
                if any(name in text for name in names):
                    return True
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return True  # an odd file: let the full reader decide
    return False


def looks_like_indicator_sheet(data: bytes, file_name: str, catalogue: Catalogue) -> bool:
    """Auto-detection: some sheet has a village column and an indicator column (or a town column and two
    indicator columns), and no project name column."""
    if not may_name_indicators(data, catalogue):
        return False
    try:
        book = read_mod.read_book(data, file_name)
    except IngestError:
        return False
    for sheet in book.sheets:
        for row in sheet.rows[:40]:
            texts = [norm(v) for v in (text_value(c) for c in row) if v]
            roles = {place_role(t) for t in texts}
            found = len({i.code for i in (indicator_in(t, catalogue) for t in texts) if i})
            if (("village" in roles and found >= 1) or ("town" in roles and found >= 2)) and \
                    not any(t in ("项目名称", "项目名", "建设内容") for t in texts):
                return True
    return False
