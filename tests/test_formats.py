"""portfolio/formats.py: one way to write money, shares, counts and missing values."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from portfolio import formats

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT]


def test_values_are_written_the_dashboard_way():
    assert formats.wan(2028.64) == "2,028.6" and formats.wan(15667.8, 0) == "15,668" and formats.wan(3, 2) == "3.00"
    assert formats.pct(0.805) == "80.5%" and formats.pct(0.5661, 0) == "57%"
    assert formats.count(1234) == "1,234" and formats.count(np.int64(5)) == "5"
    assert formats.progress(35.0) == "35%"
    assert formats.day(date(2026, 10, 31)) == "2026-10-31" and formats.day(pd.Timestamp("2026-01-02")) == "2026-01-02"
    assert formats.text("太平镇") == "太平镇"
    # absurd values a sheet may still hold print instead of failing the page
    assert formats.wan(float("inf")) == formats.pct(-np.inf) == "—" and formats.wan(1e20, 0) == "100,000,000,000,000,000,000"
    assert formats.pct(1e30) .endswith("%")
    assert formats.change(1.25) == "+1.2" and formats.change(-0.34) == "-0.3" and formats.change(1234.5, 0) == "+1,234"
    assert formats.megabytes(21 * 1024 * 1024 + 512 * 1024) == "21.5"
    assert formats.coordinates(112.6329811, 24.4661234) == "112.63298, 24.46612"


@pytest.mark.parametrize("value", MISSING)
def test_a_missing_value_never_prints_as_nan_none_or_nat(value):
    assert formats.is_missing(value)
    assert formats.wan(value) == formats.pct(value) == formats.count(value) == formats.progress(value) == "—"
    assert formats.change(value) == formats.megabytes(value) == formats.coordinates(value, 24.5) == "—"
    assert formats.text(value) == "" and formats.day(value) == ""
    assert formats.text(value, formats.DASH) == "—"
