"""The indicator catalogue: the outcome rates the programme is judged by, and a city's own.

The standard set covers the rates the programme's reports quote (自来水, 户厕, 生活污水,
雨污分流, 路面铺装, 三清三拆三整治, 美丽乡村 tiers), plus 村集体经济收入 and 撂荒地复耕面积.
A city adds its own indicators (and indicator sets) in a TOML file: `config/indicators.toml`
beside the code, or the file named by $PORTFOLIO_INDICATORS (see config/indicators.example.toml).

kinds:
  rate   numerator / denominator x 100, counted in `base_unit` (户, 个 = 自然村, 公里);
         a town's rate is recomputed from the sums (portfolio/outcomes/rollup.py)
  count  a number of things (个, 户); summed
  area   亩; summed
  money  万元; summed
  tier   an ordered category (`tiers`, lowest first); its value is the rank (0 = the first tier)
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from portfolio import vocab

KINDS = ("rate", "count", "area", "money", "tier")
UNITS = {"rate": "%", "count": "个", "area": "亩", "money": "万元", "tier": ""}
CONFIG_FILE = Path(__file__).resolve().parent.parent.parent / "config" / "indicators.toml"
BEAUTIFUL_TIERS = ("未创建", "干净整洁村", "美丽宜居村", "特色精品村")  # 梯度创建, lowest first


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    kind: str
    unit: str
    categories: tuple[str, ...] = ()  # project categories whose projects move it
    base_unit: str | None = None  # what a rate counts: 户 / 个 / 公里
    higher_is_better: bool = True
    tiers: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other header texts for it in sheets
    sort_order: int = 0

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_tier(self) -> bool:
        return self.kind == "tier"

    @property
    def is_sum(self) -> bool:
        return self.kind in ("count", "area", "money")


@dataclass(frozen=True)
class IndicatorSet:
    code: str
    name_zh: str
    name_en: str
    indicators: tuple[str, ...]

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


def _rate(code, zh, en, base, categories, aliases=(), order=0):
    return Indicator(code, zh, en, "rate", "%", tuple(categories), base, True, (), tuple(aliases), order)


STANDARD: tuple[Indicator, ...] = (
    _rate("tap_water_rate", "自来水普及率", "tap water coverage", "户", ("water_supply",),
          ("农村自来水普及率", "自来水入户率"), 10),
    _rate("central_water_rate", "集中供水覆盖率", "centralised water supply coverage", "户", ("water_supply",),
          ("集中供水率", "规模化集中供水覆盖率"), 20),
    _rate("water_start_rate", "村村通自来水工程开工率", "village water works start rate", "个", ("water_supply",),
          ("自来水工程开工率", "村村通自来水开工率"), 30),
    _rate("toilet_rate", "无害化卫生户厕普及率", "sanitary household toilet coverage", "户", ("toilets",),
          ("无害化户厕普及率", "卫生户厕普及率", "户厕普及率"), 40),
    _rate("sewage_rate", "生活污水治理率", "domestic sewage treatment rate", "个", ("sewage",),
          ("农村生活污水治理率", "污水治理率"), 50),
    _rate("rain_sewage_split_rate", "雨污分流自然村比例", "natural villages with separated drains", "个", ("sewage",),
          ("雨污分流率", "雨污分流"), 60),
    _rate("road_paving_rate", "农村公路路面铺装率", "rural road paving rate", "公里", ("roads",),
          ("路面铺装率", "公路铺装率", "道路硬底化率"), 70),
    _rate("three_clean_rate", "三清三拆三整治完成率", "three-clean village completion", "个", ("environment",),
          ("三清三拆三整治", "三清三拆完成率", "完成三清三拆三整治"), 80),
    Indicator("beautiful_tier", "美丽乡村创建等级", "beautiful village tier", "tier", "", ("environment",),
              None, True, BEAUTIFUL_TIERS, ("美丽乡村", "美丽乡村等级", "美丽乡村创建", "创建等级"), 90),
    Indicator("collective_income", "村集体经济收入", "village collective income", "money", "万元", ("industry",),
              None, True, (), ("集体经济收入", "村集体收入"), 100),
    Indicator("farmland_restored", "撂荒地复耕面积", "abandoned farmland restored", "area", "亩", ("farmland",),
              None, True, (), ("撂荒地复耕", "复耕面积"), 110),
)

STANDARD_SETS: tuple[IndicatorSet, ...] = (
    IndicatorSet("living", "人居环境", "living environment",
                 ("toilet_rate", "sewage_rate", "rain_sewage_split_rate", "three_clean_rate", "beautiful_tier")),
    IndicatorSet("infrastructure", "基础设施", "infrastructure",
                 ("tap_water_rate", "central_water_rate", "water_start_rate", "road_paving_rate")),
    IndicatorSet("economy", "集体经济与复耕", "collective economy and farmland",
                 ("collective_income", "farmland_restored")),
)


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    sets: tuple[IndicatorSet, ...] = field(default=())

    def get(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(f"no indicator {code!r}")

    def __contains__(self, code: str) -> bool:
        return any(ind.code == code for ind in self.indicators)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(ind.code for ind in self.indicators)

    def set(self, code: str) -> IndicatorSet:
        if code == "all":
            return IndicatorSet("all", "全部指标", "all indicators", self.codes)
        for s in self.sets:
            if s.code == code:
                return s
        raise KeyError(f"no indicator set {code!r}")

    def moved_by(self, category: str) -> tuple[Indicator, ...]:
        """The indicators a project category moves."""
        return tuple(ind for ind in self.indicators if category in ind.categories)


class CatalogueError(ValueError):
    """A city's indicator file is wrong; the message names the entry."""


def _from_config(entry: dict, order: int) -> Indicator:
    code = str(entry.get("code") or "").strip()
    where = f"indicators.toml [[indicator]] {code or order}"
    if not code or not code.replace("_", "").isalnum():
        raise CatalogueError(f"{where}: code 须为字母数字与下划线 / code must be letters, digits and _")
    kind = entry.get("kind", "rate")
    if kind not in KINDS:
        raise CatalogueError(f"{where}: kind 须为 {'/'.join(KINDS)}")
    if not entry.get("name_zh"):
        raise CatalogueError(f"{where}: 缺少 name_zh / name_zh missing")
    categories = tuple(entry.get("categories", ()))
    unknown = [c for c in categories if c not in vocab.CATEGORY_CODES]
    if unknown:
        raise CatalogueError(f"{where}: 未知项目类别 {'、'.join(unknown)} / unknown project categories")
    tiers = tuple(entry.get("tiers", ()))
    if kind == "tier" and len(tiers) < 2:
        raise CatalogueError(f"{where}: 等级类指标须列出至少两个等级 tiers / a tier indicator lists its tiers")
    return Indicator(code, entry["name_zh"], entry.get("name_en") or code, kind, entry.get("unit") or UNITS[kind],
                     categories, entry.get("base_unit") or ("户" if kind == "rate" else None),
                     bool(entry.get("higher_is_better", True)), tiers, tuple(entry.get("aliases", ())),
                     int(entry.get("sort_order", 1000 + order)))


def load(path: Path | None = None) -> Catalogue:
    """The standard set plus the indicators and sets of the city's file (when there is one)."""
    if path is None:
        env = os.environ.get("PORTFOLIO_INDICATORS")
        path = Path(env) if env else CONFIG_FILE
    indicators = list(STANDARD)
    sets = list(STANDARD_SETS)
    if path.exists():
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path.name}: {exc}") from exc
        known = {ind.code for ind in indicators}
        for i, entry in enumerate(config.get("indicator", [])):
            ind = _from_config(entry, i)
            if ind.code in known:
                raise CatalogueError(f"{path.name}: 指标 {ind.code} 重复 / indicator {ind.code} defined twice")
            known.add(ind.code)
            indicators.append(ind)
        for entry in config.get("set", []):
            members = tuple(entry.get("indicators", ()))
            missing = [m for m in members if m not in known]
            if missing or not entry.get("code"):
                raise CatalogueError(f"{path.name}: 指标组 {entry.get('code')} 含未知指标 {'、'.join(missing)}")
            sets.append(IndicatorSet(entry["code"], entry.get("name_zh") or entry["code"],
                                     entry.get("name_en") or entry["code"], members))
    indicators.sort(key=lambda ind: ind.sort_order)
    return Catalogue(tuple(indicators), tuple(sets))


@lru_cache(maxsize=1)
def default() -> Catalogue:
    """The catalogue of this installation (read once per process)."""
    return load()
