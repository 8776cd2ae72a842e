"""Category, status, nature and programme area from synonyms and from keywords in the name and content."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from portfolio import vocab
from portfolio.ingest.values import norm, text_value

# Vocabulary ------------------------------------------------------------------
def _strip_affixes(s: str) -> str:
    for suffix in ("项目类", "工程类", "项目", "工程", "类", "建设"):
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
    return s


@lru_cache(maxsize=1)
def category_lookup() -> dict[str, str]:
    """Every way a sheet names a category (normalised) -> code: codes, labels, synonyms."""
    table: dict[str, str] = {}
    for c in vocab.CATEGORIES:
        for label in (c.code, c.zh, c.en, c.zh.replace("/", "")):
            table[norm(label)] = c.code
        for part in c.zh.split("/"):
            table.setdefault(norm(part), c.code)
    for word, code in vocab.CATEGORY_SYNONYMS.items():
        table[norm(word)] = code
    extra = {"农村供水": "water_supply", "饮水工程": "water_supply", "安全饮水": "water_supply",
             "农村道路": "roads", "村道": "roads", "桥梁": "roads", "交通设施": "roads",
             "农村厕所": "toilets", "改厕": "toilets", "农村污水": "sewage", "农村生活污水": "sewage",
             "撂荒地": "farmland", "农田水利设施": "farmland", "水利": "farmland", "农业": "farmland",
             "太阳能路灯": "lighting", "环境整治": "environment", "人居环境整治": "environment",
             "村庄环境": "environment", "产业项目": "industry", "产业类": "industry", "特色产业": "industry",
             "公共服务设施": "public_service", "公益事业": "public_service", "基础设施": "", "其它类": "other"}
    for word, code in extra.items():
        if code:
            table.setdefault(norm(word), code)
    return table


# Keywords that only decide when no other keyword matches (they ride along with other works).
WEAK_KEYWORDS = frozenset({"管网", "村道", "机耕路", "桥", "道路", "广场", "基地", "水利", "渠道", "公园", "生产路"})
_EXTRA_KEYWORDS: dict[str, tuple[str, ...]] = {
    "water_supply": ("供水管", "水源", "饮用水"),
    "roads": ("便民桥", "桥梁", "漫水桥", "人行桥", "道路硬化", "村道硬化", "硬化"),
    "toilets": ("化粪",),
    "sewage": ("污水管", "排污", "截污"),
    "farmland": ("撂荒地", "耕地", "农田水利"),
}


@lru_cache(maxsize=1)
def _keyword_table() -> tuple[tuple[str, str, bool], ...]:
    """(keyword, category, is_weak), longest keywords first."""
    rows: dict[str, tuple[str, bool]] = {}
    for c in vocab.CATEGORIES:
        for kw in c.keywords + _EXTRA_KEYWORDS.get(c.code, ()):
            rows.setdefault(norm(kw), (c.code, kw in WEAK_KEYWORDS))
    return tuple(sorted(((kw, code, weak) for kw, (code, weak) in rows.items()), key=lambda r: -len(r[0])))


@lru_cache(maxsize=1)
def _keyword_patterns() -> tuple[tuple[re.Pattern, dict[str, str]], ...]:
    """(pattern, keyword -> category) for the strong keywords, then the weak ones.

    A search finds the earliest match; at one position the alternation, longest keywords first,
    takes the longest: the same keyword the ranking (weak, position, -length) picks.
    """
    out = []
    for weak in (False, True):
        codes = {kw: code for kw, code, w in _keyword_table() if w == weak}
        if codes:
            out.append((re.compile("|".join(re.escape(kw) for kw in sorted(codes, key=lambda k: -len(k)))), codes))
    return tuple(out)


@lru_cache(maxsize=65536)
def keyword_category(text: str) -> tuple[str, str] | None:
    """(category, keyword) from words in a name or content: a strong keyword, earliest in the text, wins."""
    s = norm(text)
    for pattern, codes in _keyword_patterns():
        m = pattern.search(s)
        if m:
            return codes[m.group()], m.group()
    return None


@lru_cache(maxsize=65536)
def category_from_label(text: str) -> tuple[str, str] | None:
    """(category, how) from a category cell: 'synonym' on an exact name, 'keyword' on a word in it."""
    s = norm(text)
    if not s:
        return None
    s = re.sub(r"^[0-9一二三四五六七八九十]+[、.]", "", s)
    table = category_lookup()
    for candidate in (s, _strip_affixes(s), s.split("/")[0], s.split("-")[0]):
        if candidate in table:
            return table[candidate], "synonym"
    hit = keyword_category(s)
    if hit:
        return hit[0], "keyword"
    for word, code in sorted(table.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 2 and word in s:
            return code, "synonym"
    return None


def classify_category(category_cell: str | None, subcategory_cell: str | None, name: str | None,
                      description: str | None, section: str | None) -> tuple[str, tuple[str, str, str]]:
    """(code, rule). The rule names the evidence: (source, field, word); sources:
    column (the category cell), subcategory, keyword (in name or content), section (heading row), default."""
    if category_cell:
        hit = category_from_label(category_cell)
        if hit:
            return hit[0], ("column", "category", category_cell)
    if subcategory_cell:
        hit = category_from_label(subcategory_cell)
        if hit:
            return hit[0], ("subcategory", "subcategory", subcategory_cell)
    for field_name, text in (("name", name), ("description", description)):
        if text:
            hit = keyword_category(text)
            if hit:
                return hit[0], ("keyword", field_name, hit[1])
    if section:
        hit = category_from_label(section)
        if hit:
            return hit[0], ("section", "section", section)
    return "other", ("default", "", "")


@lru_cache(maxsize=1)
def status_lookup() -> dict[str, str]:
    table = {norm(k): v for k, v in vocab.STATUS_SYNONYMS.items()}
    for s in vocab.STATUSES:
        for label in (s.code, s.zh, s.en):
            table[norm(label)] = s.code
    extra = {"未启动": "planned", "待建": "planned", "拟建": "planned", "前期工作": "planned", "谋划中": "planned",
             "已招标": "tendering", "招投标中": "tendering", "采购中": "tendering", "正在招标": "tendering",
             "开工": "in_progress", "正在建设": "in_progress", "在建中": "in_progress", "进行中": "in_progress",
             "已完工未验收": "completed", "基本完工": "completed", "已建成": "completed", "建成": "completed",
             "已竣工": "completed", "完工待验收": "completed", "已完工待验收": "completed",
             "已验收完成": "accepted", "通过验收": "accepted", "已通过验收": "accepted", "已交付": "accepted",
             "暂缓": "suspended", "已停工": "suspended", "搁置": "suspended"}
    for word, code in extra.items():
        table.setdefault(norm(word), code)
    return table


@lru_cache(maxsize=65536)
def status_from_text(text: str) -> tuple[str, str] | None:
    """(status, matched word) from a status or progress cell: exact name first, then the longest word in it."""
    s = norm(text)
    if not s:
        return None
    table = status_lookup()
    if s in table:
        return table[s], s
    # "未验收" must not read as 验收; "未完工" not as 完工.
    cleaned = re.sub(r"(未|待|尚未|没有)(验收|完工|完成|竣工|开工|施工|立项|招标)", "", s)
    for word in sorted(table, key=len, reverse=True):
        if len(word) >= 2 and word in cleaned:
            return table[word], word
    if re.search(r"(未|尚未)(开工|施工|启动)", s):
        return "planned", "未开工"
    return None


_NATURES = {"新建": "新建", "续建": "续建", "改扩建": "改扩建", "改建": "改扩建", "扩建": "改扩建", "改造": "改扩建",
            "提升": "改扩建", "升级改造": "改扩建", "维修": "维修", "修缮": "维修", "维护": "维修", "修复": "维修",
            "new": "新建", "continued": "续建", "expansion": "改扩建", "repair": "维修"}


def parse_nature(value: Any) -> tuple[str | None, str | None]:
    """建设性质 -> one of vocab.NATURES (or the text as written, with a problem key)."""
    text = text_value(value)
    if not text:
        return None, None
    s = norm(text)
    if s in _NATURES:
        return _NATURES[s], None
    for word in sorted(_NATURES, key=len, reverse=True):
        if word in s:
            return _NATURES[word], None
    return text, "ing_w_nature_unknown"


@lru_cache(maxsize=1)
def area_lookup() -> dict[str, str]:
    table = {}
    for a in vocab.AREAS:
        for label in (a.code, a.zh, a.en):
            table[norm(label)] = a.code
    table.update({norm("产业发展"): "industry", norm("基础设施"): "infrastructure",
                  norm("公共服务"): "public_service", norm("乡村风貌"): "appearance",
                  norm("基层党建"): "party_building", norm("党建"): "party_building"})
    return table


def parse_area(value: Any) -> str | None:
    text = text_value(value)
    if not text:
        return None
    s = re.sub(r"^[0-9一二三四五六七八九十]+[、.]", "", norm(text))
    table = area_lookup()
    if s in table:
        return table[s]
    for word in sorted(table, key=len, reverse=True):
        if len(word) >= 2 and word in s:
            return table[word]
    return None


def rule_text(rule: tuple[str, str, str], lang: str = "zh") -> str:
    """How a category was decided, in words: 类别列「道路」, 项目名称含「饮水」, 默认（其他）."""
    from portfolio.i18n import t

    source, field_name, word = rule
    return t(f"ing_rule_{source}", lang, word=word, field=t(f"ing_fld_{field_name}", lang) if field_name else "")
