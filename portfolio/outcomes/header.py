"""What an indicator sheet's column means, read from its (composed, merged) header.

A column is a place (县 / 镇 / 村), the village's households, or, for one indicator, its value (%, 亩,
万元, a tier's name), numerator (已改, 已治理: 户 / 个 / 公里), denominator (总户数, 自然村总数, 总里程),
target (目标) or a yes/no flag of one tier (美丽乡村/干净整洁村).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from portfolio.ingest.values import norm, text_value
from portfolio.outcomes.catalogue import Catalogue, Indicator

PLACE_HEADERS = {
    "county": ("县", "县区", "县(市、区)", "县(市区)", "县市区", "区县", "所属县"),
    "town": ("镇", "镇街", "乡镇", "镇(街道)", "镇(街)", "乡镇(街道)", "街镇", "所属镇"),
    "village": ("村", "村名", "行政村", "村(社区)", "村委会", "村居", "村(居)", "村名称", "行政村名称"),
    "households": ("户数", "总户数", "农户数", "户籍户数", "常住户数", "户数(户)", "总户数(户)"),
}
_UNIT = re.compile(r"[(（]([^()（）]{1,6})[)）]$")
_YEAR = re.compile(r"((?:19|20)\d{2})年?")
_DENOMINATOR_WORDS = ("总户数", "总数", "应改", "应治理", "应建", "全部", "总里程", "自然村数", "户数合计", "总")
_TARGET_WORDS = ("目标", "计划值", "任务")
VALUE, NUMERATOR, DENOMINATOR, TARGET, TIER_FLAG = "value", "numerator", "denominator", "target", "tier_flag"



@dataclass(frozen=True)
class Column:
    index: int
    header: str
    role: str  # county / town / village / households / value / numerator / denominator / target / tier_flag
    indicator: str | None = None
    unit: str | None = None
    target_year: int | None = None
    tier_rank: int | None = None  # for tier_flag columns


def _bare(header: str) -> tuple[str, str | None]:
    """Header text without its unit: ('已改户数', '户') for 已改户数(户)."""
    text = norm(header)
    unit = None
    m = _UNIT.search(text)
    if m:
        unit = m.group(1)
        text = text[: m.start()]
    return text, unit


def place_role(part: str) -> str | None:
    bare, _ = _bare(part)
    for role, words in PLACE_HEADERS.items():
        if bare in {norm(w) for w in words} or norm(part) in {norm(w) for w in words}:
            return role
    return None


def indicator_in(text: str, catalogue: Catalogue) -> Indicator | None:
    """The indicator whose name or alias the text contains (the longest such name wins)."""
    best, best_len = None, 0
    for ind in catalogue.indicators:
        for name in (ind.name_zh, *ind.aliases, ind.code):
            n = norm(name)
            if n and n in text and len(n) > best_len:
                best, best_len = ind, len(n)
    return best


def classify(header: str, index: int, catalogue: Catalogue) -> Column | None:
    """What a composed header ('无害化卫生户厕普及率/已改户数(户)') means, or None (ignored)."""
    if not header:
        return None
    parts = header.split("/")
    role = place_role(parts[-1]) if len(parts) == 1 or indicator_in(norm(header), catalogue) is None else None
    if role:
        return Column(index, header, role)
    ind = indicator_in(norm(header), catalogue)
    if ind is None:
        return None
    sub, unit = _bare(parts[-1])
    if unit is None and len(parts) > 1:
        unit = _bare(parts[0])[1]
    year = _YEAR.search(sub)
    if any(w in sub for w in _TARGET_WORDS):
        return Column(index, header, TARGET, ind.code, unit, int(year.group(1)) if year else None)
    if ind.is_tier:
        sub_norm = norm(sub)
        for rank, tier in enumerate(ind.tiers):
            if rank and len(parts) > 1 and norm(tier) in sub_norm and norm(ind.name_zh) not in sub_norm:
                return Column(index, header, TIER_FLAG, ind.code, None, None, rank)
        return Column(index, header, VALUE, ind.code)
    if ind.is_rate:
        counted = unit not in (None, "%", "％")
        if not counted:
            return Column(index, header, VALUE, ind.code, "%")
        if any(w in sub for w in _DENOMINATOR_WORDS) and len(parts) > 1:
            return Column(index, header, DENOMINATOR, ind.code, unit)
        return Column(index, header, NUMERATOR, ind.code, unit)
    return Column(index, header, VALUE, ind.code, unit)


def find_header_row(grid: list[list[Any]], catalogue: Catalogue) -> int:
    """The first row naming a village (or, for a sheet of towns' own figures, a town) column and at
    least one indicator: the top row of a merged header."""
    for r, row in enumerate(grid[:40]):
        texts = [norm(v) for v in (text_value(c) for c in row) if v]
        if any(place_role(t) in ("village", "town") for t in texts) and any(indicator_in(t, catalogue) for t in texts):
            return r
    return -1
