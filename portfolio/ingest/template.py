"""The import template: an .xlsx with Chinese headers, drop-downs for category, status and nature,
an example row (skipped on import: its 序号 is 示例) and a sheet of notes."""
from __future__ import annotations

import io
from datetime import date

import xlsxwriter

from portfolio import vocab
from portfolio.i18n import t

VALIDATED_ROWS = 5000
# (column, required, note) in sheet order; headers come from the export's c_<column> strings.
COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("seq", False, "序号，可留空。示例行的序号为“示例”，导入时跳过。"),
    ("project_id", False, "项目库编号。有编号的项目按编号更新；没有编号时按“县+镇+村+项目名称”识别。"),
    ("name", True, "必填。项目的完整名称，如“石径村饮水安全巩固提升工程”。"),
    ("county", False, "县级名称，如“连南瑶族自治县”或“连南县”；全表同一县时可在导入页设默认值。"),
    ("town", False, "镇或街道，如“寨岗镇”“东城街道”；也可与村写在一格：“寨岗镇石径村”。"),
    ("village", False, "行政村，写“石径”“石径村”“石径村委会”均可。"),
    ("category", False, "从下拉列表选择；留空时按项目名称和建设内容中的关键词判断。"),
    ("nature", False, "新建、续建、改扩建、维修。"),
    ("description", False, "建设内容及规模，如“新建蓄水池1座，铺设管道2公里”。"),
    ("scale_qty", False, "数量，如 3.2。"),
    ("scale_unit", False, "单位，如 公里、处、亩、户、盏。"),
    ("budget_wan", True, "单位万元。写“20”“20万元”或“200000元”均可；无法识别的金额不会按 0 计算。"),
    ("fund_central_wan", False, "单位万元。"),
    ("fund_provincial_wan", False, "单位万元。"),
    ("fund_city_wan", False, "单位万元。"),
    ("fund_county_wan", False, "单位万元。"),
    ("fund_assistance_wan", False, "单位万元。"),
    ("fund_social_wan", False, "单位万元。"),
    ("funds_in_place_wan", False, "单位万元。"),
    ("spent_wan", False, "单位万元。"),
    ("status", False, "从下拉列表选择。填写状态、进度或支出的项目，会按导入页的“报告日期”记一次进展。"),
    ("progress_pct", False, "0–100，如 60 或 60%。"),
    ("plan_start", False, "日期，如 2024-03-01、2024年3月；也可写区间“2024年6月到12月”。"),
    ("plan_end", False, "日期，如 2024-12-31、2024年12月。"),
    ("beneficiary_households", False, "整数，如 40 或“40户”。"),
    ("beneficiaries", False, "整数，如 160 或“160人”。"),
    ("year", False, "如 2024。"),
    ("lon", False, "经度（小数度）。坐标系在导入页选择（WGS-84/高德/百度），留空则按村或镇定位。"),
    ("lat", False, "纬度（小数度）。"),
    ("responsible_unit", False, "责任单位。"),
    ("responsible_person", False, "责任人。"),
    ("notes", False, "备注。"),
)
EXAMPLE: dict[str, object] = {
    "seq": "示例", "project_id": "LN2024001", "name": "石径村饮水安全巩固提升工程", "county": "连南瑶族自治县",
    "town": "寨岗镇", "village": "石径村", "category": "water_supply", "nature": "新建",
    "description": "新建蓄水池1座，铺设供水管道2公里", "scale_qty": 2, "scale_unit": "公里", "budget_wan": 20,
    "fund_county_wan": 5, "fund_assistance_wan": 15, "funds_in_place_wan": 10, "spent_wan": 8,
    "status": "in_progress", "progress_pct": 40, "plan_start": date(2024, 3, 1), "plan_end": date(2024, 12, 31),
    "beneficiary_households": 120, "beneficiaries": 480, "year": 2024, "responsible_unit": "寨岗镇人民政府",
}


def header(column: str) -> str:
    return "序号" if column == "seq" else t(f"c_{column}", "zh")


def template_xlsx() -> bytes:
    """The template workbook as bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True,
                                "valign": "vcenter", "align": "center"})
    example = book.add_format({"italic": True, "font_color": "#7F7F7F"})
    example_date = book.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "yyyy-mm-dd"})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("项目表")
    ws.set_row(0, 36)
    for col, (column, is_required, note) in enumerate(COLUMNS):
        ws.write_string(0, col, header(column), required if is_required else head)
        ws.write_comment(0, col, note, {"x_scale": 2})
        width = 34 if column in ("name", "description") else 12 if column in ("seq", "scale_qty") else 16
        ws.set_column(col, col, width, dates if column.startswith(("plan_", "actual_")) else None)
        value = EXAMPLE.get(column)
        if column == "category":
            value = vocab.label("category", str(value))
        elif column == "status":
            value = vocab.label("status", str(value))
        if isinstance(value, date):
            ws.write_datetime(1, col, value, example_date)
        elif isinstance(value, (int, float)):
            ws.write_number(1, col, value, example)
        elif value is not None:
            ws.write_string(1, col, str(value), example)
        lists = {"category": [c.zh for c in vocab.CATEGORIES], "status": [s.zh for s in vocab.STATUSES],
                 "nature": list(vocab.NATURES)}
        if column in lists:
            ws.data_validation(1, col, VALIDATED_ROWS, col, {
                "validate": "list", "source": lists[column], "error_type": "warning",
                "input_title": header(column), "input_message": "请从下拉列表选择"[:255]})
    ws.freeze_panes(1, 2)

    notes = book.add_worksheet("填表说明")
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 90)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.write_row(0, 0, ["列", "必填", "怎样填写"], head)
    for row, (column, is_required, note) in enumerate(COLUMNS, start=1):
        notes.write_string(row, 0, header(column))
        notes.write_string(row, 1, "是" if is_required else "")
        notes.write_string(row, 2, note, wrap)
    tail = len(COLUMNS) + 2
    for i, line in enumerate((
            "一张表只放项目行；标题、“单位：万元”、合计、小计、分类标题和备注行都会被自动识别并跳过。",
            "金额统一以万元计；若整表以元为单位，请在标题下写“单位：元”。",
            "同一文件重复导入不会产生重复项目；导入前可先预览，导入后可在历史中撤销。",
            "类别可选：" + "、".join(c.zh for c in vocab.CATEGORIES) + "。",
            "状态可选：" + "、".join(s.zh for s in vocab.STATUSES) + "。")):
        notes.write_string(tail + i, 0, f"{i + 1}. {line}")
    book.close()
    return buffer.getvalue()
