"""The import summary as one JSON-ready object: the CLI's `--json` output (Analysis.summary).

A large sheet can hold a warning on nearly every row (145,687 at 100,000 rows). The summary lists
at most MAX_EXAMPLES of each kind of problem, in sheet order, and counts every kind in
`errors_by_kind` / `warnings_by_kind`; `errors_total` / `warnings_total` count them all. The
preview page and the text output read the analysis itself and show every problem.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from portfolio.ingest import totals
from portfolio.ingest.issues import ERROR, WARNING, Issue
from portfolio.ingest.plan import CHANGED, NEW, REJECTED, UNCHANGED

if TYPE_CHECKING:
    from portfolio.ingest.pipeline import Analysis

MAX_EXAMPLES = 50  # problems listed per kind (message key); the rest are counted


def issue_lists(issues: list[Issue], lang: str = "zh") -> dict[str, Any]:
    """errors / warnings (at most MAX_EXAMPLES per kind, in order), their counts per kind and in all."""
    out: dict[str, Any] = {}
    for level, name in ((ERROR, "errors"), (WARNING, "warnings")):
        by_kind: Counter = Counter()
        listed = []
        for issue in issues:
            if issue.level != level:
                continue
            by_kind[issue.key] += 1
            if by_kind[issue.key] <= MAX_EXAMPLES:
                listed.append(issue.as_dict(lang))
        out[name] = listed
        out[f"{name}_by_kind"] = dict(by_kind)
        out[f"{name}_total"] = sum(by_kind.values())
    return out


def summary(analysis: "Analysis", lang: str = "zh") -> dict[str, Any]:
    """The import summary as one JSON-ready object (the CLI's --json output)."""
    counts = analysis.counts
    rules = Counter(c.category_rule[0] for c in analysis.candidates if not c.rejected)
    approximate, unplaced = analysis.placement_counts()
    return {
        "file": analysis.file_name,
        "sha256": analysis.sha256,
        "sheet": analysis.sheet,
        "sheets_imported": analysis.sheets_imported,
        "sheets": analysis.sheet_names,
        "header_rows": [r + 1 for r in analysis.table.header_rows],
        "rows_read": analysis.rows_read,
        "projects": len(analysis.candidates),
        "skipped": [{"row": s.index + 1, "reason": s.kind, "text": s.text, "why": totals.skip_reason(s, lang)}
                    for s in analysis.table.skipped],
        "total_budget_wan": analysis.imported_budget_wan(),
        "file_total_wan": analysis.total.file_total_wan,
        "file_total_row": analysis.total.row,
        "total_matches": analysis.total.matches,
        "new": counts[NEW],
        "changed": counts[CHANGED],
        "unchanged": counts[UNCHANGED],
        "rejected": counts[REJECTED],
        "reports": {"new": counts["reports_new"], "replaced": counts["reports_replaced"],
                    "same": counts["reports_same"]},
        "report_date": analysis.report_date.isoformat() if analysis.report_date else None,
        "report_date_source": analysis.report_date_source,
        "report_date_text": analysis.report_date_text,
        "data_date": {"old": _jsonable(analysis.date_change.old), "new": _jsonable(analysis.date_change.new),
                      "newly_late": analysis.date_change.newly_late} if analysis.date_change else None,
        "noop": analysis.plan.is_noop,
        "demo_projects": analysis.demo_projects,
        "removes_demo": analysis.removes_demo,
        "duplicate_of": _jsonable(analysis.plan.duplicate_of),
        **issue_lists(analysis.issues(), lang),
        "mapping": analysis.mapping.as_dict(),
        "mapping_source": analysis.mapping.source,
        "defaults": {"county": analysis.options.county or analysis.table.title_county,
                     "town": analysis.options.town or analysis.table.title_town,
                     "title_unit_wan_factor": analysis.table.title_unit},
        "category_rules": dict(rules),
        "placed_approximately": approximate,
        "unplaced": {k[:-len("_why")]: n for k, n in unplaced.items()},
        "changes": [{"project_id": r.project_id, "row": r.candidate.row, "name": r.candidate.values.get("name"),
                     "diffs": [{"field": f, "old": _jsonable(o), "new": _jsonable(n)} for f, o, n in r.diffs]}
                    for r in analysis.plan.rows if r.action == CHANGED],
        "timings_s": {k: round(v, 3) for k, v in analysis.timings.items()},
        "cpu_s": {k: round(v, 3) for k, v in analysis.cpu_timings.items()},
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
