"""Strings of village indicators (issue 17): the indicator sheet import, the views and the map layer."""
from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # Reading an indicator sheet: whole-file refusals.
    "ind_err_no_table": ("在「{sheet}」中找不到指标表：需要一列村名（村、行政村）和至少一列指标（如 无害化卫生户厕普及率）。",
                         "No indicator table in {sheet}: a village column (村) and at least one indicator column are needed."),
    "ind_err_no_place_column": ("「{sheet}」没有村或镇列，无法知道每行是哪个村。",
                                "Sheet {sheet} has no village or town column."),
    "ind_err_no_indicator_column": ("「{sheet}」没有可识别的指标列。", "Sheet {sheet} has no indicator column we know."),
    "ind_err_no_period": ("「{sheet}」没有写明统计期（如标题中的“截至2026年10月”），请填写统计期后再导入。",
                          "Sheet {sheet} states no period (such as 截至2026年10月 in the title); give the period."),
    # Cell refusals (the location — sheet, row, column — is prefixed by Issue.message).
    "ind_err_village_unknown": ("村名「{village}」在{town}找不到，该行未导入。",
                                "Village {village} not found in {town}; the row was not imported."),
    "ind_err_town_ambiguous": ("镇名「{town}」在{counties}都有，请加“县”列或在标题写明县，该行未导入。",
                               "Town {town} exists in {counties}; add a county column or name it in the title. Row not imported."),
    "ind_err_town_unknown": ("镇名「{town}」找不到，该行未导入。", "Town {town} not found; the row was not imported."),
    "ind_err_duplicate_place": ("「{place}」在第{first}行已出现，重复的行未导入。",
                                "{place} already appears in row {first}; the repeated row was not imported."),
    "ind_err_not_number": ("「{value}」不是数字，该值未导入。", "{value} is not a number; the value was not imported."),
    "ind_err_negative": ("{indicator} 为负数（{value}），该值未导入。",
                         "{indicator} is negative ({value}); the value was not imported."),
    "ind_err_pct_over": ("{indicator} 为 {value}%，超过100%，该值未导入。",
                         "{indicator} is {value}%, over 100%; the value was not imported."),
    "ind_err_num_above_den": ("{indicator} 的完成数 {num} 大于总数 {den}，该值未导入。",
                              "{indicator}: the count done ({num}) is above the total ({den}); not imported."),
    "ind_err_tier_unknown": ("「{value}」不是{indicator}的等级（{tiers}），该值未导入。",
                             "{value} is not a tier of {indicator} ({tiers}); not imported."),
    "ind_err_tier_order": ("已标为「{high}」却未标「{low}」：美丽乡村须梯度创建（{tiers}），该值未导入。",
                           "Marked {high} but not {low}: tiers are reached in order ({tiers}); not imported."),
    "ind_err_flag": ("「{value}」应填“是”或“否”，该值未导入。", "{value} should be 是 or 否; not imported."),
    "ind_w_fraction": ("该列的百分比以小数保存（0.85 即 85%），已按百分比读取。",
                       "This column stores percentages as fractions (0.85 = 85%); read as per cent."),
    # Template.
    "ind_tpl_title": ("{town}各村{set}指标统计表（截至    年  月  日）", "{town} villages: {set} indicators (as of YYYY-MM-DD)"),
    "ind_tpl_done": ("已完成({unit})", "done ({unit})"),
    "ind_tpl_total": ("总数({unit})", "total ({unit})"),
    "ind_tpl_target": ("{year}年目标({unit})", "{year} target ({unit})"),
    "ind_tpl_note": ("填表说明：每村一行；比率类指标填“已完成”和“总数”（户、个=自然村、公里），系统按合计重新计算镇、县比率；"
                     "美丽乡村等级填 未创建/干净整洁村/美丽宜居村/特色精品村；合计行可保留，导入时自动跳过。",
                     "One row per village; rates as done and total (households, natural villages, km), summed for towns; "
                     "tiers as 未创建/干净整洁村/美丽宜居村/特色精品村; a 合计 row is skipped."),
    # Values and export.
    "out_no_data": ("无数据", "no data"),
    "out_points": ("个百分点", "points"),
    "out_each_village": ("各村", "by village"),
    "out_each_town": ("各镇", "by town"),
    "out_export_sheet": ("村级指标", "village indicators"),
    "out_export_note": ("数据说明", "about"),
    "out_c_county": ("县（市、区）", "county"),
    "out_c_town": ("镇（街道）", "town"),
    "out_c_village": ("村（社区）", "village"),
    "out_c_indicator": ("指标", "indicator"),
    "out_c_period": ("统计期", "period"),
    "out_c_value": ("值", "value"),
    "out_c_unit": ("单位", "unit"),
    "out_c_numerator": ("完成数", "done"),
    "out_c_denominator": ("总数", "total"),
    "out_c_households": ("户数", "households"),
    "out_c_target": ("目标", "target"),
    "out_c_target_year": ("目标年份", "target year"),
    "out_c_gap": ("差距", "gap"),
    # Command line.
    "out_cli_summary": ("统计期 {period}：{places} 个村（镇），{values} 个指标值：新增 {new}，变更 {changed}，未变 {unchanged}，拒绝 {rejected}。",
                        "Period {period}: {places} places, {values} values: {new} new, {changed} changed, "
                        "{unchanged} unchanged, {rejected} refused."),
    "out_cli_undone": ("已撤销批次 {batch}（{n} 行）。", "Batch {batch} undone ({n} rows)."),
}
