"""Village indicators: the catalogue, its config file, and roll-ups checked against hand sums."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from portfolio.outcomes import catalogue, rollup, values


CAT = catalogue.load(path=catalogue.CONFIG_FILE.with_name("no-such-file.toml"))
TOILETS = CAT.get("toilet_rate")
INCOME = CAT.get("collective_income")
TIER = CAT.get("beautiful_tier")


def frame(rows):
    cols = ["level", "town_code", "town_key", "value", "numerator", "denominator", "households", "target"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols).astype(
        {c: "float64" for c in cols[3:]})


def test_standard_set_covers_the_programme_rates():
    codes = set(CAT.codes)
    assert {"tap_water_rate", "central_water_rate", "toilet_rate", "sewage_rate", "rain_sewage_split_rate",
            "road_paving_rate", "three_clean_rate", "beautiful_tier", "collective_income",
            "farmland_restored", "water_start_rate"} <= codes
    assert [i.code for i in CAT.moved_by("sewage")] == ["sewage_rate", "rain_sewage_split_rate"]
    assert {i.code for i in CAT.moved_by("water_supply")} >= {"tap_water_rate", "central_water_rate"}
    assert TIER.tiers == ("未创建", "干净整洁村", "美丽宜居村", "特色精品村")
    assert CAT.get("farmland_restored").unit == "亩" and INCOME.unit == "万元"


def test_town_rate_is_recomputed_from_numerators_not_averaged():
    # 3/10 households and 90/100: 93/110 = 84.545 %, not the mean of 30 % and 90 % (60 %).
    rows = frame([("village", "T1", "k", 30.0, 3, 10, 10, 100), ("village", "T1", "k", 90.0, 90, 100, 100, 95)])
    r = rollup.rollup(TOILETS, rows)
    assert r.method == rollup.COUNTS and not r.weighted_by_households
    assert r.numerator == 93 and r.denominator == 110
    assert r.value == pytest.approx(93 / 110 * 100)
    # Targets weighted by the same denominators: (1.0*10 + 0.95*100) / 110.
    assert r.target == pytest.approx((10 + 95) / 110 * 100)
    assert r.gap == pytest.approx(r.target - r.value)


def test_percentages_only_are_weighted_by_households_and_flagged():
    # 50 % of 200 households, 80 % of 50, and one village with counts 30/60 (50 % of 60 households).
    rows = frame([("village", "T1", "k", 50.0, None, None, 200, None),
                  ("village", "T1", "k", 80.0, None, None, 50, None),
                  ("village", "T1", "k", None, 30, 60, 60, None),
                  ("village", "T1", "k", 70.0, None, None, None, None)])  # no households: cannot be weighted
    r = rollup.rollup(TOILETS, rows)
    assert r.method == rollup.HOUSEHOLDS and r.weighted_by_households
    assert r.value == pytest.approx((100 + 40 + 30) / (200 + 50 + 60) * 100)
    assert r.places == 3 and r.missing == 1
    assert r.target is None


def test_town_figure_counts_only_where_no_village_reports():
    rows = frame([("village", "T1", "a", None, 5, 10, None, None),
                  ("town", "T1", "a", 99.0, 99, 100, None, None),  # T1 has villages: its own figure is dropped
                  ("town", "T2", "b", None, 20, 40, None, None)])
    r = rollup.rollup(TOILETS, rows)
    assert (r.numerator, r.denominator) == (25, 50)
    assert r.value == pytest.approx(50.0)


def test_sums_and_tiers():
    money = frame([("village", "T1", "a", 12.5, None, None, None, 10), ("village", "T1", "a", 3.0, None, None, None, 10),
                   ("village", "T1", "a", None, None, None, None, None)])
    r = rollup.rollup(INCOME, money)
    assert (r.value, r.target, r.places, r.missing, r.method) == (15.5, 20.0, 2, 1, rollup.SUM)
    tiers = frame([("village", "T1", "a", v, None, None, None, t) for v, t in ((0, 1), (1, 1), (2, 3), (3, 3))])
    r = rollup.rollup(TIER, tiers)
    assert r.tier_counts == {"未创建": 1, "干净整洁村": 1, "美丽宜居村": 1, "特色精品村": 1}
    assert r.value == 3 and r.target == 4


def test_by_group_gives_each_town_its_own_recomputed_rate():
    rows = frame([("village", "T1", "a", None, 3, 10, None, None), ("village", "T1", "a", None, 90, 100, None, None),
                  ("village", "T2", "b", None, 1, 4, None, None)])
    table = rollup.by_group(TOILETS, rows, "town_key").set_index("town_key")
    assert table.loc["a", "value"] == pytest.approx(93 / 110 * 100)
    assert table.loc["b", "value"] == pytest.approx(25.0)


def test_city_config_adds_indicators_and_sets(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text('''
[[indicator]]
code = "garbage_rate"
name_zh = "生活垃圾收运处置率"
name_en = "household waste collection"
kind = "rate"
base_unit = "个"
categories = ["environment"]

[[set]]
code = "waste"
name_zh = "垃圾治理"
indicators = ["garbage_rate", "three_clean_rate"]
''', encoding="utf-8")
    cat = catalogue.load(path)
    ind = cat.get("garbage_rate")
    assert (ind.unit, ind.base_unit, ind.kind) == ("%", "个", "rate")
    assert "garbage_rate" in [i.code for i in cat.moved_by("environment")]
    assert cat.set("waste").indicators == ("garbage_rate", "three_clean_rate")
    path.write_text('[[indicator]]\ncode = "x"\nname_zh = "某"\nkind = "tier"\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="tiers"):
        catalogue.load(path)
    path.write_text('[[indicator]]\ncode = "toilet_rate"\nname_zh = "重复"\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="重复"):
        catalogue.load(path)


def test_values_stand_with_their_batch(mem_store):
    """The standing value is the latest committed batch's; an undone batch's rows step aside."""
    from portfolio import sql

    def row(batch, value):
        return {"batch_id": batch, "place_code": "V1", "level": "village", "county": "阳山县", "town": "太平镇",
                "village": "石径村", "town_code": "T", "indicator": "toilet_rate", "period": date(2026, 6, 30),
                "value": value}

    def work(cur):
        values.sync_catalogue(cur, CAT)
        for batch in ("B000001-x", "B000002-x"):
            cur.execute(sql.query("outcomes_insert_batch"), {
                "batch_id": batch, "file_name": "f.xlsx", "sha256": "s", "sheet": "s", "uploaded_by": "admin",
                "uploaded_at": None, "report_date": date(2026, 6, 30), "rows_read": 1, "inserted": 1,
                "updated": 0, "unchanged": 0, "rejected": 0, "mapping_json": "{}"})
        values.insert_values(cur, [row("B000001-x", 40.0), row("B000002-x", 60.0)])

    mem_store.write(work)
    assert values.load(mem_store)["value"].tolist() == [60.0]
    mem_store.write(lambda cur: cur.execute(sql.query("import_mark_undone"), {"batch_id": "B000002-x"}))
    assert values.load(mem_store)["value"].tolist() == [40.0]
    assert mem_store.rows("outcomes_batch_value_count", {"batch_id": "B000002-x"})[0][0] == 1
    assert len(mem_store.df("outcomes_values", {"counties": ["清新区"], "towns": [], "villages": [],
                                                "indicator": None})) == 0
