"""Column headers -> project fields, from Chinese and English aliases; remembered mappings.

Headers are compared in matching form (NFKC, simplified, no spaces or line breaks),
first exactly, then without their unit in brackets, then as part of a multi-row
header (资金来源/中央), then by the words they contain. The user may correct the
mapping; a mapping confirmed for a header set is stored in column_mappings under
a key made from the normalised headers.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from portfolio import sql, vocab
from portfolio.ingest.aliases import ALIASES, CONTAINS, FUND_GROUPS, TOTAL_WORDS
from portfolio.ingest.issues import WARNING, IngestError, Issue
from portfolio.ingest.values import norm

IGNORE = "ignore"
# Fields a column can feed, in the order the mapping editor lists them.
FIELDS: tuple[str, ...] = (
    IGNORE, "project_id", "seq", "name", "county", "town", "village", "place", "category", "subcategory",
    "area", "nature", "description", "scale", "scale_unit", "budget_wan", "funds_in_place_wan", "spent_wan",
    *(f.column for f in vocab.FUND_SOURCES),
    "status", "progress_pct", "plan_start", "plan_end", "plan_period", "actual_start", "actual_end",
    "beneficiaries", "beneficiary_households", "year", "lon", "lat", "coords", "location_precision",
    "assisting_unit", "team", "responsible_unit", "responsible_person", "notes",
)
MONEY_FIELDS = ("budget_wan", "funds_in_place_wan", "spent_wan", *(f.column for f in vocab.FUND_SOURCES))

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_UNIT_TAIL = re.compile(r"(亿元|万元|千元|元|%|％|户|人|个|公里|km|亩)$")


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """Normalised alias -> field, from the importer's own table (ingest/aliases.py), never from UI labels."""
    table: dict[str, str] = {}
    for target, aliases in ALIASES.items():
        for alias in aliases:
            table.setdefault(norm(alias), target)
    return table


def _strip(s: str) -> str:
    s = _BRACKETS.sub("", s)
    s = re.sub(r"^(其中|含)[:：]?", "", s)
    s = _UNIT_TAIL.sub("", s) if len(s) > 2 else s
    return s.strip(":：*＊")


def _match_one(s: str) -> tuple[str, int] | None:
    table = alias_table()
    if s in table:
        return table[s], 3
    stripped = _strip(s)
    if stripped and stripped in table:
        return table[stripped], 2
    for word, target in CONTAINS:
        if word in stripped:
            return target, 1
    return None


@lru_cache(maxsize=4096)
def match_header(text: str) -> tuple[str | None, int]:
    """(field, confidence 3 exact / 2 without unit or as a sub-header / 1 by contained word)."""
    full = norm(text)
    if not full:
        return None, 0
    hit = _match_one(full)
    parts = [p for p in full.split("/") if p]
    if len(parts) > 1 and (hit is None or hit[1] < 3):
        child, parents = parts[-1], parts[:-1]
        child_stripped = _strip(child)
        if any(_strip(p) in FUND_GROUPS or "资金来源" in p for p in parents):
            for target in (f.column for f in vocab.FUND_SOURCES):
                if child_stripped in (norm(a) for a in ALIASES[target]):
                    return target, 2
            if child_stripped in TOTAL_WORDS:
                return "budget_wan", 2
        child_hit = _match_one(child)
        if child_hit:
            return child_hit[0], min(child_hit[1], 2)
        if child_stripped in TOTAL_WORDS:
            parent_hit = _match_one(parents[-1])
            if parent_hit and parent_hit[0] in MONEY_FIELDS:
                return parent_hit[0], 2
        parent_hit = _match_one(parents[0])
        if parent_hit and hit is None:
            return parent_hit[0], 1
    return hit if hit else (None, 0)


def header_key(headers: list[str]) -> str:
    """A stable key of a header set, for remembered mappings."""
    joined = "\x1f".join(norm(h or "") for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


@dataclass
class ColumnMapping:
    """Which field each column of the table feeds (None: not imported)."""

    headers: list[str]  # display header per column, '' for columns without one
    fields: list[str | None]
    source: str = "auto"  # auto / remembered / user
    confidence: list[int] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    def column_of(self, target: str) -> int | None:
        try:
            return self.fields.index(target)
        except ValueError:
            return None

    def has(self, target: str) -> bool:
        return target in self.fields

    def key(self) -> str:
        return header_key(self.headers)

    def as_dict(self) -> dict[str, str]:
        """Header text -> field for the mapped columns (a repeated header gets its column letter)."""
        from portfolio.ingest.issues import col_letter

        out: dict[str, str] = {}
        for i, (header, target) in enumerate(zip(self.headers, self.fields)):
            if not target or target == IGNORE:
                continue
            label = header or col_letter(i)
            if label in out:
                label = f"{label} ({col_letter(i)})"
            out[label] = target
        return out


def auto_map(headers: list[str], sheet: str | None = None, header_row: int | None = None) -> ColumnMapping:
    """The mapping guessed from the headers: the best column per field, the leftmost on a tie."""
    guesses = [match_header(h) if h else (None, 0) for h in headers]
    fields: list[str | None] = [None] * len(headers)
    confidence = [0] * len(headers)
    notes: list[Issue] = []
    best: dict[str, int] = {}
    for i, (target, conf) in enumerate(guesses):
        if not target or target == IGNORE:
            continue
        if target == "seq":
            fields[i], confidence[i] = target, conf
            continue
        if target not in best or conf > guesses[best[target]][1]:
            best[target] = i
    for target, i in best.items():
        fields[i], confidence[i] = target, guesses[i][1]
    for i, (target, _) in enumerate(guesses):
        if target and target not in (IGNORE, "seq") and fields[i] is None:
            keep = best[target]
            notes.append(Issue.make(WARNING, "ing_w_column_duplicate", sheet, header_row, i, headers[i],
                                    other=headers[keep], field=target))
    return ColumnMapping(list(headers), fields, "auto", confidence, notes)


def apply_override(mapping: ColumnMapping, override: dict[int, str | None], source: str = "user") -> ColumnMapping:
    """The mapping with the user's corrections (column index -> field or None/'ignore')."""
    fields = list(mapping.fields)
    for index, target in override.items():
        if not 0 <= index < len(fields):
            continue
        target = None if target in (None, "", IGNORE) else target
        if target is not None and target not in FIELDS:
            continue
        if target is not None and target != "seq":
            # A field lives in one column: the user's choice takes it from the guessed one.
            fields = [None if (f == target and j != index) else f for j, f in enumerate(fields)]
        fields[index] = target
    return ColumnMapping(mapping.headers, fields, source, mapping.confidence, [])


def override_by_header(headers: list[str], by_header: dict[str, str | None], sheet: str) -> dict[int, str | None]:
    """Column index -> field from header text -> field (the whole header or its last part, as written).

    Raises IngestError naming the header when no column has it, or the field when it is unknown.
    """
    out: dict[int, str | None] = {}
    for text, target in by_header.items():
        if target not in (None, "", IGNORE) and target not in FIELDS:
            raise IngestError("ing_err_map_field", field=target, fields="、".join(FIELDS[1:]))
        wanted = norm(text)
        hits = [i for i, h in enumerate(headers) if h and wanted in (norm(h), norm(h.split("/")[-1]))]
        if not hits:
            raise IngestError("ing_err_map_header", header=text, sheet=sheet,
                              headers="、".join(h for h in headers if h) or "—")
        out[hits[0]] = target
    return out


def remembered(cur, headers: list[str]) -> list[str | None] | None:
    """The fields confirmed earlier for exactly this header set, if any."""
    rows = cur.execute(sql.query("get_column_mapping"), {"header_key": header_key(headers)}).fetchall()
    if not rows:
        return None
    try:
        stored = json.loads(rows[0][0])
    except (TypeError, ValueError):
        return None
    fields = stored.get("fields") if isinstance(stored, dict) else None
    if not isinstance(fields, list) or len(fields) != len(headers):
        return None
    if any(f is not None and f not in FIELDS for f in fields):
        return None
    return [None if f == IGNORE else f for f in fields]


def remember(cur, mapping: ColumnMapping, batch_id: str) -> bool:
    """Store a mapping the user confirmed (source 'user') for this header set, inside the caller's
    transaction, noting the batch that introduced it and what it replaced (undo restores that).
    Guessed or already remembered mappings are not stored. Returns whether it stored one."""
    if mapping.source != "user":
        return False
    rows = cur.execute(sql.query("get_column_mapping"), {"header_key": mapping.key()}).fetchall()
    payload = json.dumps({"headers": mapping.headers, "fields": mapping.fields, "batch_id": batch_id,
                          "replaced": rows[0][0] if rows else None}, ensure_ascii=False)
    cur.execute(sql.query("save_column_mapping"), {"header_key": mapping.key(), "mapping_json": payload})
    return True


def forget(cur, batch_id: str) -> None:
    """Undo what `remember` did for a batch: the earlier mapping comes back, or none (caller's transaction)."""
    for key, payload in cur.execute(sql.query("import_mappings_of_batch"), {"batch_id": batch_id}).fetchall():
        replaced = json.loads(payload).get("replaced")
        if replaced:
            cur.execute(sql.query("save_column_mapping"), {"header_key": key, "mapping_json": replaced})
        else:
            cur.execute(sql.query("import_delete_mapping"), {"header_key": key})
