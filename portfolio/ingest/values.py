"""Cell text as town sheets write it, in matching form: the core every value parser uses.

The parsers live by kind: amounts.py (money with units, counts, percent, scale), dates.py
(Excel serials, 2022年3月, ranges), categories.py (category, status, nature, area from
synonyms and keywords), places.py (coordinates and place names). A value that cannot be read
is None plus a problem key: never 0. The names below the text core are re-exported so that
callers can keep writing values.parse_amount and the like.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import zhconv

_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r", "\n")
EMPTY_MARKERS = frozenset({"", "/", "-", "--", "—", "——", "–", "-", "无", "暂无", "空", "n/a", "na", "none",
                           "null", "\\", "…", "...", "×", "x", "?", "？", "待定"})
# 待定 is an empty marker only for text-like fields; amounts report it (see parse_amount).
_AMOUNT_EMPTY = EMPTY_MARKERS - {"待定", "?", "？", "x"}


# Text ------------------------------------------------------------------------
@lru_cache(maxsize=1 << 18)  # a 100,000-row sheet has that many distinct names and codes
def norm(text: str) -> str:
    """Matching form: NFKC, traditional -> simplified, no whitespace, lower case."""
    if text.isascii():
        # NFKC leaves ASCII alone and no traditional-to-simplified entry is ASCII only.
        return "".join(text.split()).lower()
    simplified = simplified_chinese(unicodedata.normalize("NFKC", text))
    return "".join(simplified.split()).lower()


def _conversion_table() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """(characters zhconv changes on their own, first character -> the phrases it changes whose
    characters it leaves alone when single: 么二三 and the like)."""
    from zhconv.zhconv import getdict

    table = getdict("zh-cn")
    changed = frozenset(k for k, v in table.items() if len(k) == 1 and k != v)
    phrases: dict[str, list[str]] = {}
    for k, v in table.items():
        if len(k) > 1 and k != v and changed.isdisjoint(k):
            phrases.setdefault(k[0], []).append(k)
    return changed, {ch: tuple(ks) for ch, ks in phrases.items()}


_CHANGED_CHARS, _CHANGED_PHRASES = _conversion_table()


def simplified_chinese(text: str) -> str:
    """zhconv.convert(text, 'zh-cn'), without its per-character walk when nothing in the text would change:
    every change starts at a character changed on its own or at one of the few phrases of unchanged characters."""
    if _CHANGED_CHARS.isdisjoint(text):
        phrases = _CHANGED_PHRASES
        if phrases.keys().isdisjoint(text) or not any(
                text.startswith(k, i) for i, ch in enumerate(text) if ch in phrases for k in phrases[ch]):
            return text
    return zhconv.convert(text, "zh-cn")


def norm_cell(value: Any) -> str:
    """norm() of any cell ('' for empty)."""
    if value is None:
        return ""
    return norm(value if isinstance(value, str) else text_value(value) or "")


_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s*[\r\n]+\s*(?={_CJK})")
_SPACES = re.compile(r"\s+")


def text_value(value: Any) -> str | None:
    """Text of a cell as stored: trimmed, wrapped lines joined, integral numbers without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.isprintable() and text[:1] not in ("", " ", "'") and text[-1] != " " and "  " not in text:
        return text  # already clean: no line breaks, tabs or runs of spaces, nothing to trim
    # An apostrophe before a formula character is the export's guard against formulas.
    if text.startswith("'") and text[1:2] and text[1:].startswith(_FORMULA_CHARS):
        text = text[1:]
    text = _BREAK_BETWEEN_CJK.sub("", text.strip())
    text = _SPACES.sub(" ", text)
    return text or None


def is_empty_marker(value: Any) -> bool:
    return value is None or (isinstance(value, str) and norm(value) in EMPTY_MARKERS)


# The parsers by kind (imported last: they use the text core above).
from portfolio.ingest.amounts import (  # noqa: E402
    parse_amount, parse_count, parse_float, parse_percent, parse_scale, unit_factor)
from portfolio.ingest.categories import (  # noqa: E402
    category_from_label, category_lookup, classify_category, keyword_category, parse_area, parse_nature,
    rule_text, status_from_text)
from portfolio.ingest.dates import excel_serial, parse_date_span, parse_year  # noqa: E402

__all__ = [
    "EMPTY_MARKERS", "norm", "norm_cell", "text_value", "is_empty_marker",
    "parse_amount", "parse_count", "parse_float", "parse_percent", "parse_scale", "unit_factor",
    "category_from_label", "category_lookup", "classify_category", "keyword_category", "parse_area",
    "parse_nature", "rule_text", "status_from_text", "excel_serial", "parse_date_span", "parse_year",
]
