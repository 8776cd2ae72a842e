"""Problems found in an upload: per-cell errors and warnings, and fatal read failures.

Every problem names the sheet, the row number as Excel shows it and the column
(letter and header text), so a town clerk can find the cell. Messages are i18n
keys with parameters; Chinese is the default rendering.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portfolio.i18n import t

ERROR = "error"
WARNING = "warning"


def col_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (Excel column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: error (the row is rejected) or warning (imported, flagged)."""

    level: str
    key: str  # i18n key of the message
    sheet: str | None = None
    row: int | None = None  # Excel row number, 1-based
    column: str | None = None  # Excel column letter
    header: str | None = None  # that column's header text
    params: tuple[tuple[str, Any], ...] = field(default=())

    @classmethod
    def make(cls, level: str, key: str, sheet: str | None = None, row: int | None = None,
             col: int | None = None, header: str | None = None, **params: Any) -> "Issue":
        return cls(level, key, sheet, row, None if col is None else col_letter(col), header,
                   tuple(sorted(params.items())))

    def text(self, lang: str = "zh") -> str:
        """The message alone, without the location."""
        return t(self.key, lang, **dict(self.params))

    def where(self, lang: str = "zh") -> str:
        """「项目表」第12行 C列（总投资） / Sheet 项目表, row 12, column C (总投资)."""
        parts = []
        if lang == "en":
            if self.sheet:
                parts.append(f"sheet {self.sheet}")
            if self.row:
                parts.append(f"row {self.row}")
            if self.column:
                parts.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
            return ", ".join(parts)
        if self.sheet:
            parts.append(f"「{self.sheet}」")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}列" + (f"（{self.header}）" if self.header else ""))
        return " ".join(parts)

    def message(self, lang: str = "zh") -> str:
        where = self.where(lang)
        sep = ": " if lang == "en" else "："
        return f"{where}{sep}{self.text(lang)}" if where else self.text(lang)

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "code": self.key, "message": self.message(lang)}


class IngestError(Exception):
    """The file cannot be imported at all (unreadable, too large, not a spreadsheet, no table)."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(t(key, "zh", **params))

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


def row_label(key: tuple[str, int], lang: str = "zh") -> str:
    """「sheet」第N行 for a (sheet, row) key."""
    return t("ing_row_label", lang, sheet=key[0], row=key[1])
