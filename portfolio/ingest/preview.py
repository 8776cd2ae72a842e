"""Tables the 数据导入 page shows: the column mapping, problems, changes, new rows, rejected rows, history.

Built here (no streamlit) so that the page stays a thin script and the tables are tested.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from portfolio import vocab
from portfolio.i18n import t
from portfolio.ingest import columns, values
from portfolio.ingest.issues import ERROR, Issue, col_letter
from portfolio.ingest.issues import row_label
from portfolio.ingest.pipeline import Analysis
from portfolio.ingest.plan import CHANGED, NEW, REJECTED

# Share of the progress bar each step fills (read, locate, check, plan, write).
STEP_SPANS = {"read": (0.0, 0.15), "locate": (0.15, 0.25), "check": (0.25, 0.75), "plan": (0.75, 0.9),
              "write": (0.9, 1.0)}


def overall_fraction(step: str, fraction: float) -> float:
    start, end = STEP_SPANS.get(step, (0.0, 1.0))
    return round(start + (end - start) * max(0.0, min(1.0, fraction)), 4)


def field_label(field: str | None, lang: str) -> str:
    return t(f"ing_fld_{field or columns.IGNORE}", lang)


def mapping_frame(analysis: Analysis, lang: str) -> pd.DataFrame:
    """One row per column of the table: letter, header, the field it feeds, a sample value."""
    rows = analysis.table.data_rows[:3]
    samples = []
    for i in range(len(analysis.mapping.headers)):
        cells = [values.text_value(analysis.table.grid[r][i]) for r in rows]
        samples.append(" | ".join(c for c in cells if c)[:60])
    return pd.DataFrame({
        "column": [col_letter(i) for i in range(len(analysis.mapping.headers))],
        "header": analysis.mapping.headers,
        "field": [f or columns.IGNORE for f in analysis.mapping.fields],
        "sample": samples,
    })


def mapping_override(frame: pd.DataFrame) -> dict[int, str | None]:
    """The mapping an edited mapping_frame states (column index -> field, None for not imported)."""
    return {i: (None if f in (None, "", columns.IGNORE) else str(f)) for i, f in enumerate(frame["field"].tolist())}


def issues_frame(issues: list[Issue], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("up_col_level", lang): [t(f"up_level_{i.level}", lang) for i in issues],
        t("up_col_row", lang): pd.array([i.row for i in issues], dtype="Int64"),
        t("up_col_column", lang): [i.column or "" for i in issues],
        t("up_col_header", lang): [i.header or "" for i in issues],
        t("up_col_message", lang): [i.text(lang) for i in issues],
    })


def issue_counts(issues: list[Issue], lang: str) -> pd.DataFrame:
    """How many rows each kind of problem touches (a long list reads better grouped first)."""
    counts = Counter((i.level, i.key) for i in issues)
    first = {}
    for i in issues:
        first.setdefault((i.level, i.key), i)
    ordered = sorted(counts, key=lambda k: (k[0] != ERROR, -counts[k]))
    return pd.DataFrame({
        t("up_col_level", lang): [t(f"up_level_{level}", lang) for level, _ in ordered],
        t("up_col_example", lang): [first[k].message(lang) for k in ordered],
        t("up_col_count", lang): [counts[k] for k in ordered],
    })


def _show(field: str, value: Any, lang: str) -> str:
    if value is None:
        return "—"
    if field == "category":
        return vocab.label("category", value, lang)
    if field == "status":
        return vocab.label("status", value, lang)
    if field == "area":
        return vocab.label("area", value, lang)
    if field == "location_precision":
        return t(f"prec_{value}", lang)
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
    return str(value)


def changes_frame(analysis: Analysis, lang: str) -> pd.DataFrame:
    """Field-level diff of changed projects: one row per changed field (old -> new)."""
    rows = [(r.candidate.row, r.project_id, r.candidate.values.get("name") or "", field_label(f, lang),
             _show(f, old, lang), _show(f, new, lang))
            for r in analysis.plan.rows if r.action == CHANGED for f, old, new in r.diffs]
    return pd.DataFrame(rows, columns=[t("up_col_row", lang), t("c_project_id", lang), t("c_name", lang),
                                       t("up_col_field", lang), t("up_col_old", lang), t("up_col_new", lang)])


def new_frame(analysis: Analysis, lang: str) -> pd.DataFrame:
    """New projects with the rule that decided their category and how they are placed."""
    rows = []
    for r in analysis.plan.rows:
        if r.action != NEW:
            continue
        row, c = r.row or {}, r.candidate
        rows.append((c.row, r.project_id, row.get("name"), row.get("county") or "", row.get("town") or "",
                     row.get("village") or "", vocab.label("category", row.get("category"), lang),
                     values.rule_text(c.category_rule, lang) if c.category_rule[0] != "option"
                     else t("ing_rule_option", lang, word=vocab.label("category", row.get("category"), lang)),
                     vocab.label("status", row.get("status"), lang), row.get("budget_wan"),
                     t(f"prec_{row.get('location_precision') or 'none'}", lang)))
    return pd.DataFrame(rows, columns=[t("up_col_row", lang), t("c_project_id", lang), t("c_name", lang),
                                       t("c_county", lang), t("c_town", lang), t("c_village", lang),
                                       t("c_category", lang), t("up_col_rule", lang), t("c_status", lang),
                                       t("c_budget_wan", lang), t("c_location_precision", lang)])


def rejected_frame(analysis: Analysis, lang: str) -> pd.DataFrame:
    rejected = analysis.plan.rejected_rows()
    by_row = {(c.sheet, c.row): c for c in analysis.candidates}
    several = len(analysis.sheets_imported) > 1
    return pd.DataFrame(
        [(row_label(key, lang) if several else key[1], by_row[key].values.get("name") or "",
          "；".join(i.text(lang) for i in issues))
         for key, issues in sorted(rejected.items())],
        columns=[t("up_col_row", lang), t("c_name", lang), t("up_col_reason", lang)])


def counts_line(analysis: Analysis) -> dict[str, int]:
    counts = analysis.counts
    return {"new": counts[NEW], "changed": counts[CHANGED], "unchanged": counts["unchanged"],
            "rejected": counts[REJECTED]}


def history_frame(batches: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("up_col_batch", lang): [b["batch_id"] for b in batches],
        t("up_col_file", lang): [b["file_name"] for b in batches],
        t("up_col_uploader", lang): [b["uploaded_by"] or "" for b in batches],
        t("up_col_time", lang): [b["uploaded_at"] for b in batches],
        t("up_col_report_date", lang): [b["report_date"] for b in batches],
        t("up_metric_new", lang): [b["inserted"] for b in batches],
        t("up_metric_changed", lang): [b["updated"] for b in batches],
        t("up_metric_unchanged", lang): [b["unchanged"] for b in batches],
        t("up_metric_rejected", lang): [b["rejected"] for b in batches],
        t("up_col_state", lang): [t(f"up_state_{b['state']}", lang) for b in batches],
    })


def date_lines(analysis: Analysis, lang: str = "zh") -> list[str]:
    """The report date in effect and where it came from, then how the data date moves."""
    lines = []
    when = analysis.report_date.isoformat() if analysis.report_date else None
    if analysis.report_date_source == "sheet":
        lines.append(t("ing_date_from_sheet", lang, date=when, text=analysis.report_date_text))
    elif analysis.report_date_source == "option":
        lines.append(t("ing_date_from_option", lang, date=when))
    else:
        lines.append(t("ing_e_no_report_date", lang))
    change = analysis.date_change
    if change and change.new is not None:
        old = change.old.isoformat() if change.old else "—"
        if change.moves:
            lines.append(t("ing_date_change", lang, old=old, new=change.new.isoformat(), n=change.newly_late))
        else:
            lines.append(t("ing_date_same", lang, old=old))
    return lines


def _unit_line(analysis: Analysis, lang: str) -> str | None:
    """元 -> 万元 (or 亿元, 千元): which columns were converted and where the unit was read."""
    read = []
    for field_name in columns.MONEY_FIELDS:
        col = analysis.mapping.column_of(field_name)
        if col is None:
            continue
        header = analysis.mapping.headers[col]
        factor = values.unit_factor(header)
        if factor is not None and factor != 1.0:
            read.append(t("ing_unit_from_header", lang, header=header, unit=_unit_name(factor)))
        elif factor is None and analysis.table.title_unit not in (None, 1.0):
            read.append(t("ing_unit_from_title", lang, header=header, unit=_unit_name(analysis.table.title_unit)))
    return t("ing_unit_converted", lang, what="；".join(read)) if read else None


def _unit_name(factor: float) -> str:
    return {10000.0: "亿元", 0.1: "千元", 0.0001: "元"}.get(factor, f"×{factor:g}")


def place_counts(analysis: Analysis) -> tuple[int, Counter]:
    """(rows placed only at town or county level, reason's i18n key -> unplaced rows) of the accepted rows."""
    approximate, unplaced = analysis.placement_counts()
    return approximate, Counter(unplaced)


def done_lines(analysis: Analysis, lang: str = "zh") -> list[str]:
    """What the import does beyond copying cells: report date, unit conversion, skipped, placement."""
    lines = date_lines(analysis, lang)
    if analysis.demo_projects:
        lines.insert(0, t("ing_demo_remove" if analysis.removes_demo else "ing_demo_keep", lang,
                          n=analysis.demo_projects))
    unit = _unit_line(analysis, lang)
    if unit:
        lines.append(unit)
    if analysis.table.skipped:
        lines.append(t("ing_skipped_count", lang, n=len(analysis.table.skipped)))
    approximate, unplaced = place_counts(analysis)
    if approximate:
        lines.append(t("ing_placed_approx", lang, n=approximate))
    for key, n in unplaced.most_common():
        lines.append(t("ing_unplaced", lang, n=n, why=t(key, lang)))
    return lines


def skipped_lines(analysis: Analysis, lang: str = "zh") -> list[str]:
    """Every skipped row and why: 第12行：小计（= 第8–11行之和）."""
    from portfolio.ingest import totals

    return [totals.skip_reason(s, lang) for s in analysis.table.skipped]


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_css(drop_here: str, limit: str, browse: str) -> str:
    """A style block that replaces the file uploader's built-in English (Streamlit has no setting for it):
    the button's "Upload", the "50MB per file • XLSX…" line and the "Drag and drop a file here" overlay."""
    zone = '[data-testid="stFileUploaderDropzone"]'
    return (
        "<style>"
        f'{zone} button {{font-size: 0 !important;}}'
        f'{zone} button * {{display: none !important;}}'
        f'{zone} button::after {{content: {_css_string(browse)}; font-size: 0.9rem;}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] * {font-size: 0 !important;}'
        '[data-testid="stFileUploaderDropzoneInstructions"] > div::before '
        f'{{content: {_css_string(drop_here)}; font-size: 0.95rem; display: block;}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] > div::after '
        f'{{content: {_css_string(limit)}; font-size: 0.8rem; display: block; opacity: 0.7;}}'
        f'{zone} > div:not([data-testid]) span {{font-size: 0 !important;}}'
        f'{zone} > div:not([data-testid]) span::after {{content: {_css_string(drop_here)}; font-size: 1rem;}}'
        "</style>"
    )
