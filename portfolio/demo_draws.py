"""The demo's random draws of a chunk's values: statuses that follow time, progress, money and scale.
Each takes the chunk's generator and draws in a fixed order (the same seed gives the same library)."""
from __future__ import annotations

import numpy as np

from portfolio import vocab
from portfolio.demo_profiles import PROFILES


def month_add(d: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Add whole months to datetime64[M] values."""
    return d + months.astype("timedelta64[M]")


def progress(rng: np.random.Generator, n: int, status: np.ndarray, finished: np.ndarray, as_of_m,
              actual_start_m: np.ndarray, duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Progress: in-progress projects between 5% and 95%, a share of them stalled."""
    elapsed = np.clip((as_of_m - actual_start_m).astype(int) / np.maximum(duration, 1), 0.05, 0.95)
    progress = np.where(finished, 100.0, 0.0)
    in_prog = status == "in_progress"
    progress[in_prog] = np.round(np.clip(elapsed[in_prog] * 100 * rng.uniform(0.6, 1.1, in_prog.sum()), 5, 95))
    suspended = status == "suspended"
    progress[suspended] = np.round(rng.uniform(10, 60, suspended.sum()))
    stalled = in_prog & (rng.random(n) < 0.15)
    return progress, stalled


def money_and_scale(rng: np.random.Generator, n: int, cat_codes: list[str], cat_idx: np.ndarray,
                     status: np.ndarray, started: np.ndarray, finished: np.ndarray, progress: np.ndarray):
    """Budget, funds in place, spent and the funding split; scale, people and households (toilets by 户)."""
    # Money.
    median = np.array([PROFILES[c].budget_wan for c in cat_codes])[cat_idx]
    sigma = np.array([PROFILES[c].spread for c in cat_codes])[cat_idx]
    budget = np.round(median * np.exp(rng.normal(0, 1, n) * sigma), 1)
    budget = np.maximum(budget, 0.5)
    in_place_share = np.where(finished, 1.0, np.where(started, rng.uniform(0.5, 1.0, n),
                              np.where(status == "tendering", rng.uniform(0.2, 0.6, n), rng.uniform(0, 0.3, n))))
    funds_in_place = np.round(budget * in_place_share, 2)
    spent = np.round(np.minimum(funds_in_place, budget * progress / 100 * rng.uniform(0.85, 1.0, n)), 2)
    # Funding split: the assistance funds carry most projects; other sources join some.
    weights = np.column_stack([
        np.where(rng.random(n) < 0.12, rng.uniform(0.2, 0.6, n), 0.0),  # central
        np.where(rng.random(n) < 0.40, rng.uniform(0.1, 0.5, n), 0.0),  # provincial
        np.where(rng.random(n) < 0.20, rng.uniform(0.1, 0.3, n), 0.0),  # city
        np.where(rng.random(n) < 0.45, rng.uniform(0.05, 0.3, n), 0.0),  # county
        rng.uniform(0.5, 1.5, n),  # assistance
        np.where(rng.random(n) < 0.10, rng.uniform(0.1, 0.4, n), 0.0),  # social
    ])
    fund_shares = weights / weights.sum(axis=1, keepdims=True)

    # Scale and beneficiaries.
    qlo = np.array([PROFILES[c].qty[0] for c in cat_codes])[cat_idx]
    qhi = np.array([PROFILES[c].qty[1] for c in cat_codes])[cat_idx]
    qty = qlo + (qhi - qlo) * rng.random(n)
    units = np.array([PROFILES[c].unit for c in cat_codes], dtype=object)[cat_idx]
    qty = np.where(np.isin(units, ["户", "盏", "处", "亩", "项"]), np.round(qty), np.round(qty, 1))
    people = np.round(np.array([PROFILES[c].people for c in cat_codes])[cat_idx] * np.exp(rng.normal(0, 0.5, n)))
    toilets = units == "户"
    people = np.where(toilets, qty * 4, people)
    budget = np.where(toilets, np.round(qty * rng.uniform(0.25, 0.35, n), 1), budget)
    households = np.where(toilets, qty, np.round(people / 3.8))
    funds_in_place = np.round(np.where(toilets, budget * in_place_share, funds_in_place), 2)
    spent = np.round(np.minimum(spent, funds_in_place), 2)
    return budget, funds_in_place, spent, fund_shares, qty, units, people, households


def statuses(rng: np.random.Generator, n: int, as_of_m, start_month: np.ndarray, duration: np.ndarray,
              offset: int = 0) -> np.ndarray:
    """Status follows time: older projects are done, this year's are earlier in the cycle."""
    months_since_start = (as_of_m - start_month).astype(int)
    u = rng.random(n)
    status = np.empty(n, dtype=object)
    not_started = months_since_start < 0
    status[not_started] = np.where(u[not_started] < 0.45, "planned",
                                   np.where(u[not_started] < 0.75, "approved", "tendering"))
    running = ~not_started
    finish_p = np.clip((months_since_start - duration) / 10.0, 0.0, 0.95)
    r = rng.random(n)
    done = running & (r < finish_p)
    status[done] = np.where(u[done] < 0.55, "accepted", "completed")
    active = running & ~done
    status[active] = np.where(u[active] < 0.06, "suspended",
                              np.where(u[active] < 0.12, "tendering", "in_progress"))
    # A little of everything everywhere, so every status appears at any size.
    index = offset + np.arange(n)  # the project's number in the whole library
    forced = index % 97 == 0
    status[forced] = np.array(vocab.STATUS_CODES, dtype=object)[(index[forced] // 97) % len(vocab.STATUS_CODES)]

    return status
