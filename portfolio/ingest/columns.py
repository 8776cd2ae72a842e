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
from portfolio.i18n import STRINGS
from portfolio.ingest.issues import WARNING, Issue
from portfolio.ingest.values import norm, unit_factor

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
# Columns an export writes that are derived on our side and never imported.
_DERIVED_EXPORT_COLUMNS = ("is_late", "is_stalled", "last_report_date", "updated_at", "report_date", "batch_id")

ALIASES: dict[str, tuple[str, ...]] = {
    "project_id": ("项目编号", "项目编码", "项目代码", "项目库编号", "入库编号", "项目库编码", "编码", "project id",
                   "project code", "project_id", "code", "id"),
    "seq": ("序号", "编号", "no", "no.", "序", "#"),
    "name": ("项目名称", "名称", "项目", "项目名", "工程名称", "工程项目名称", "建设项目名称", "项目名称及建设内容",
             "project", "project name", "name"),
    "county": ("县", "县区", "县(市、区)", "县(市,区)", "县(市区)", "县市区", "县(区)", "县(市)", "所属县区", "区县",
               "所属县(市、区)", "县(区、市)", "county", "district"),
    "town": ("乡镇", "镇", "镇街", "镇(街道)", "镇(街)", "乡镇(街道)", "乡(镇)", "所属镇", "所属乡镇", "所属镇街", "街道",
             "镇名", "乡镇名称", "镇街名称", "town", "township"),
    "village": ("村", "村名", "行政村", "村委会", "所属村", "村(社区)", "村(居)", "村居", "建设村", "实施村", "村委",
                "行政村名称", "村名称", "village"),
    "place": ("建设地点", "实施地点", "项目地点", "地点", "项目实施地点", "项目建设地点", "所在地", "所在地点",
              "建设地址", "项目所在地", "location", "site", "address", "place"),
    "category": ("项目类别", "项目类型", "类别", "类型", "项目分类", "项目大类", "建设类别", "category", "type"),
    "subcategory": ("项目子类型", "子类型", "项目子类别", "子类别", "项目小类", "小类", "子类", "subcategory"),
    "area": ("所属方面", "方面", "所属领域", "领域", "六个方面", "area", "programme area"),
    "nature": ("建设性质", "性质", "项目性质", "nature"),
    "description": ("建设内容", "建设内容及规模", "建设规模及内容", "主要建设内容", "项目内容", "建设内容和规模",
                    "项目建设内容", "建设任务", "主要内容", "项目建设内容及规模", "content", "description",
                    "content and scale"),
    "scale": ("建设规模", "规模", "工程量", "数量", "scale"),
    "scale_unit": ("规模单位", "计量单位", "scale unit"),
    "budget_wan": ("投资规模", "总投资", "投资概算", "资金金额", "资金规模", "计划投入资金", "补助金额", "计划投资",
                   "项目总投资", "估算投资", "投资额", "投资金额", "预算", "预算金额", "总投资额", "项目资金", "资金需求",
                   "计划总投资", "投资估算", "概算投资", "计划投资额", "项目投资", "安排资金", "计划安排资金",
                   "budget", "total investment", "investment", "amount", "planned investment"),
    "funds_in_place_wan": ("资金到位", "到位资金", "已到位资金", "资金到位情况", "累计到位资金", "funds in place"),
    "spent_wan": ("已支出", "支出", "已支付", "资金支出", "已拨付", "拨付资金", "已使用资金", "完成投资", "已完成投资",
                  "累计完成投资", "累计支出", "已支出资金", "资金支付", "spent", "expenditure"),
    "fund_central_wan": ("中央", "中央资金", "中央财政", "中央衔接资金", "中央财政衔接资金", "中央财政资金", "central"),
    "fund_provincial_wan": ("省级", "省", "省级资金", "省级财政", "省级衔接资金", "省财政", "省级财政资金", "provincial"),
    "fund_city_wan": ("市级", "市", "市级资金", "市财政", "市级财政", "市级财政资金", "city"),
    "fund_county_wan": ("县级", "县级资金", "县财政", "县级财政", "区级", "县区级", "县(区)级", "县级财政资金",
                        "县", "区", "县区"),
    "fund_assistance_wan": ("帮扶资金", "对口帮扶资金", "帮扶", "广州帮扶资金", "驻镇帮镇扶村资金", "驻镇帮镇扶村",
                            "东西部协作资金", "帮扶单位资金", "assistance"),
    "fund_social_wan": ("社会资金", "社会", "自筹", "自筹资金", "社会投入", "企业投入", "群众自筹", "社会资本",
                        "村集体自筹", "其他资金", "social"),
    "status": ("状态", "项目状态", "进展状态", "实施状态", "当前状态", "建设状态", "项目进展状态", "status"),
    "progress_pct": ("进度", "形象进度", "工程进度", "完成进度", "进展", "项目进度", "施工进度", "完成比例", "完成率",
                     "项目进展", "进展情况", "项目进展情况", "实施进度", "progress"),
    "plan_start": ("计划开工时间", "计划开工", "开工时间", "开工日期", "计划开工日期", "开始时间", "计划开始时间",
                   "start", "planned start", "start date"),
    "plan_end": ("计划完工时间", "计划完工", "完工时间", "完成年限", "竣工时间", "计划完成时间", "完成时间",
                 "计划竣工时间", "计划完工日期", "完工日期", "计划完成年限", "end", "planned end", "end date"),
    "plan_period": ("实施期限", "建设期限", "实施时间", "建设周期", "建设年限", "实施年限", "起止时间", "建设起止年限",
                    "计划实施时间", "建设时间", "实施周期", "起止年限", "建设起止时间", "period"),
    "actual_start": ("实际开工时间", "实际开工", "实际开工日期", "actual start"),
    "actual_end": ("实际完工时间", "实际完工", "实际竣工时间", "实际完工日期", "actual end"),
    "beneficiaries": ("受益人数", "受益人口", "受益群众", "受益人", "覆盖人口", "受益群众人数", "惠及人口", "人数",
                      "beneficiaries", "people"),
    "beneficiary_households": ("受益户数", "受益户", "受益农户", "受益农户数", "覆盖户数", "惠及户数", "户数",
                               "受益脱贫户", "households"),
    "year": ("年度", "年份", "建设年度", "实施年度", "计划年度", "项目年度", "入库年度", "year"),
    "lon": ("经度", "东经", "longitude", "lng", "lon", "long"),
    "lat": ("纬度", "北纬", "latitude", "lat"),
    "coords": ("经纬度", "坐标", "位置坐标", "gps", "gps坐标", "经纬度坐标", "地理坐标", "coordinates"),
    "location_precision": ("定位精度", "location precision"),
    "assisting_unit": ("帮扶单位", "结对帮扶单位", "对口帮扶单位", "assisting unit"),
    "team": ("驻镇工作队", "工作队", "驻镇帮镇扶村工作队", "town team"),
    "responsible_unit": ("责任单位", "实施单位", "建设单位", "项目单位", "主管部门", "业主单位", "项目实施单位",
                         "牵头单位", "项目主管部门", "实施主体", "项目业主", "responsible unit"),
    "responsible_person": ("责任人", "项目负责人", "负责人", "联系人", "责任领导", "项目责任人", "联系人及电话",
                           "responsible person", "contact"),
    "notes": ("备注", "说明", "notes", "remarks", "remark", "note", "comments"),
}
# A multi-row header's parent that groups funding sources (资金来源 over 中央/省级/市级/县级).
FUND_GROUPS = ("资金来源", "资金构成", "资金筹措", "资金组成", "投资构成", "其中", "资金渠道", "筹资方式", "资金来源及金额",
               "投资规模", "计划投资", "总投资", "投资", "资金")
TOTAL_WORDS = ("合计", "小计", "总计", "总额", "金额", "总投资", "计")
# Words contained in a header, in priority order (first match wins).
CONTAINS: tuple[tuple[str, str], ...] = (
    ("经纬度", "coords"), ("坐标", "coords"), ("经度", "lon"), ("纬度", "lat"),
    ("项目编号", "project_id"), ("项目编码", "project_id"), ("项目代码", "project_id"), ("入库编号", "project_id"),
    ("序号", "seq"), ("帮扶单位", "assisting_unit"), ("工作队", "team"),
    ("责任单位", "responsible_unit"), ("实施单位", "responsible_unit"), ("建设单位", "responsible_unit"),
    ("主管", "responsible_unit"), ("责任人", "responsible_person"), ("负责人", "responsible_person"),
    ("联系人", "responsible_person"),
    ("村名", "village"), ("行政村", "village"), ("镇名", "town"),
    ("名称", "name"),
    ("实际开工", "actual_start"), ("实际完工", "actual_end"), ("实际竣工", "actual_end"),
    ("起止", "plan_period"), ("期限", "plan_period"), ("周期", "plan_period"), ("实施时间", "plan_period"),
    ("开工", "plan_start"), ("完工", "plan_end"), ("竣工", "plan_end"), ("完成时间", "plan_end"),
    ("完成年限", "plan_end"),
    ("受益户", "beneficiary_households"), ("户数", "beneficiary_households"),
    ("受益人", "beneficiaries"), ("受益群众", "beneficiaries"), ("人口", "beneficiaries"),
    ("帮扶资金", "fund_assistance_wan"), ("中央", "fund_central_wan"), ("省级", "fund_provincial_wan"),
    ("市级", "fund_city_wan"), ("县级", "fund_county_wan"), ("社会资金", "fund_social_wan"), ("自筹", "fund_social_wan"),
    ("到位", "funds_in_place_wan"), ("支出", "spent_wan"), ("拨付", "spent_wan"), ("完成投资", "spent_wan"),
    ("支付", "spent_wan"),
    ("投资", "budget_wan"), ("资金", "budget_wan"), ("金额", "budget_wan"), ("预算", "budget_wan"),
    ("概算", "budget_wan"), ("造价", "budget_wan"),
    ("进度", "progress_pct"), ("进展", "progress_pct"), ("状态", "status"),
    ("子类", "subcategory"), ("类别", "category"), ("类型", "category"), ("分类", "category"),
    ("性质", "nature"), ("内容", "description"), ("规模", "scale"),
    ("地点", "place"), ("地址", "place"), ("位置", "place"),
    ("村", "village"), ("乡镇", "town"), ("镇", "town"), ("街道", "town"), ("县", "county"),
    ("年度", "year"), ("年份", "year"), ("备注", "notes"), ("说明", "notes"),
)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
_UNIT_TAIL = re.compile(r"(亿元|万元|千元|元|%|％|户|人|个|公里|km|亩)$")


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """Normalised alias -> field, including every export header (i18n c_<column>) in both languages."""
    table: dict[str, str] = {}
    for key, (zh, en) in STRINGS.items():
        if not key.startswith("c_"):
            continue
        column = key[2:]
        target = "scale" if column == "scale_qty" else column
        if column in _DERIVED_EXPORT_COLUMNS:
            target = IGNORE
        if target in FIELDS:
            table.setdefault(norm(zh), target)
            table.setdefault(norm(en), target)
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


def remember(cur, mapping: ColumnMapping) -> None:
    """Store the mapping for this header set (inside the caller's transaction)."""
    payload = json.dumps({"headers": mapping.headers, "fields": mapping.fields}, ensure_ascii=False)
    cur.execute(sql.query("save_column_mapping"), {"header_key": mapping.key(), "mapping_json": payload})
