"""The demo's monthly progress reports, derived from each project's final state."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

REPORT_MONTHS = 12


def monthly_reports(projects: pd.DataFrame, stalled: np.ndarray, as_of: date) -> pd.DataFrame:
    """Monthly progress reports over the last 12 months for started projects."""
    as_of_m = np.datetime64(as_of, "M")
    months = [as_of_m - np.timedelta64(k, "M") for k in range(REPORT_MONTHS - 1, -1, -1)]
    month_ends = [(m + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D") for m in months]
    started = projects["actual_start"].notna().to_numpy()
    start_m = pd.to_datetime(projects["actual_start"]).to_numpy().astype("datetime64[M]")
    end_m = pd.to_datetime(projects["actual_end"]).to_numpy().astype("datetime64[M]")
    final = projects["progress_pct"].to_numpy()
    spent = projects["spent_wan"].to_numpy()
    in_place = projects["funds_in_place_wan"].to_numpy()
    status = projects["status"].to_numpy()
    frames = []
    for k, (m, d) in enumerate(zip(months, month_ends)):
        reached = started & (start_m <= m) & (np.isnat(end_m) | (end_m >= m - np.timedelta64(1, "M")))
        if not reached.any():
            continue
        span = np.maximum((as_of_m - start_m).astype(float), 1.0)
        frac = np.clip(((m - start_m).astype(float) + 1) / (span + 1), 0.0, 1.0)
        months_left = REPORT_MONTHS - 1 - k
        # Stalled projects stopped gaining four reports ago.
        frac = np.where(stalled & (months_left < 4), np.clip((span - 3) / (span + 1), 0.0, 1.0), frac)
        finished_here = ~np.isnat(end_m) & (end_m <= m)
        pct = np.where(finished_here, 100.0, np.round(final * frac))
        if stalled.any():
            pct = np.where(stalled & (months_left < 4), np.round(final), pct)
        st = np.where(finished_here, status, np.where(pct > 0, "in_progress", "approved"))
        st = np.where((status == "suspended") & (months_left < 2), "suspended", st)
        idx = np.flatnonzero(reached)
        frames.append(pd.DataFrame({
            "project_id": projects["project_id"].to_numpy()[idx],
            "report_date": pd.Series([d] * len(idx)).astype("datetime64[s]").dt.date,
            "status": st[idx].astype(str),
            "progress_pct": pct[idx],
            "spent_wan": np.round(spent[idx] * pct[idx] / np.maximum(final[idx], 1.0), 2).clip(max=spent[idx]),
            "funds_in_place_wan": in_place[idx],
            "batch_id": "demo",
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["project_id", "report_date", "status", "progress_pct", "spent_wan", "funds_in_place_wan", "batch_id"])
