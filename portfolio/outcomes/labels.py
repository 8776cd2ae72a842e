"""How an indicator's value is written for people: 84.5%, 1,234.5 亩, 美丽宜居村, 无数据."""
from __future__ import annotations

from portfolio.i18n import t
from portfolio.outcomes.catalogue import Indicator


def _missing(value) -> bool:
    return value is None or value != value


def value_text(ind: Indicator, value, lang: str = "zh") -> str:
    """The value with its unit; 无数据 when missing (never nan/None)."""
    if _missing(value):
        return t("out_no_data", lang)
    if ind.is_tier:
        rank = int(round(value))
        return ind.tiers[rank] if 0 <= rank < len(ind.tiers) else t("out_no_data", lang)
    if ind.is_rate:
        return f"{value:.1f}%"
    return f"{value:,.1f} {ind.unit}".strip()


def rollup_text(ind: Indicator, value, lang: str = "zh") -> str:
    """A figure of several places (rollup.Rollup.value/target/gap): for a tier, the number of villages
    created at any tier (245 个村); otherwise as value_text."""
    if ind.is_tier:
        return t("out_no_data", lang) if _missing(value) else t("out_tier_created", lang, n=f"{value:,.0f}")
    return value_text(ind, value, lang)


def change_text(ind: Indicator, change, lang: str = "zh") -> str:
    """A change since the previous period: +2.3 个百分点 / −15.0 亩; empty when unknown."""
    if _missing(change):
        return ""
    sign = "+" if change >= 0 else "−"
    if ind.is_tier:  # a change in the number of villages created at any tier
        return f"{sign}{abs(change):,.0f} {t('out_villages_unit', lang)}"
    unit = t("out_points", lang) if ind.is_rate else (ind.unit or "")
    return f"{sign}{abs(change):,.1f} {unit}".strip()


def gap_text(ind: Indicator, gap, lang: str = "zh") -> str:
    """How far short of the target: 9.3 个百分点 / 240.7 亩 / 1 个村; 已达标 when none; empty when unknown."""
    if _missing(gap):
        return ""
    if gap <= 1e-9:
        return t("out_cls_met", lang)
    return change_text(ind, gap, lang).lstrip("+")


def title(ind: Indicator, level_key: str, period, lang: str = "zh") -> str:
    """A presentation title: 生活污水治理率 · 各村 · 2026-10."""
    return f"{ind.name(lang)} · {t(level_key, lang)} · {period:%Y-%m}" if period else ind.name(lang)
