"""Reference questions for tests: the headline numbers and the town ranking asked one by one, as
hand-written SQL over the filter macro. The pages get them from one grouped pass (views.kpis,
views.by_town, query grouped_places); tests check the pass against these."""
from __future__ import annotations

import re

from portfolio import sql

KPIS = """
SELECT count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(funds_in_place_wan), 0) AS funds_in_place_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries,
       CAST(coalesce(sum(beneficiary_households), 0) AS BIGINT) AS households,
       count(*) FILTER (WHERE is_late) AS late,
       count(*) FILTER (WHERE is_stalled) AS stalled
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
"""

BY_TOWN = """
SELECT CASE WHEN town_key <> '_unplaced' THEN any_value(county) END AS county,
       CASE WHEN town_key <> '_unplaced' THEN any_value(town) END AS town,
       town_key,
       count(*) AS projects,
       coalesce(sum(budget_wan), 0) AS budget_wan,
       coalesce(sum(funds_in_place_wan), 0) AS funds_in_place_wan,
       coalesce(sum(spent_wan), 0) AS spent_wan,
       count(*) FILTER (WHERE is_started) AS started,
       count(*) FILTER (WHERE is_finished) AS finished,
       count(*) FILTER (WHERE is_late) AS late,
       count(*) FILTER (WHERE is_stalled) AS stalled,
       CAST(coalesce(sum(beneficiaries), 0) AS BIGINT) AS beneficiaries
FROM flagged_projects($counties, $towns, $villages, $categories, $statuses, $years, $sources, $keyword, $as_of, flags := $flags)
GROUP BY town_key
ORDER BY budget_wan DESC, town_key
"""


def bind(text: str, params: dict) -> tuple[str, dict]:
    """`text` with the filter macro narrowed to the filters set (as sql.bind does for named queries)."""
    text = sql.compose(text, params)
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
    return text, {k: v for k, v in params.items() if k in used}


def one(db, text: str, params: dict) -> dict:
    text, used = bind(text, params)
    with db.cursor() as cur:
        result = cur.execute(text, used)
        row = result.fetchall()[0]
        return dict(zip([d[0] for d in result.description], row))


def df(db, text: str, params: dict):
    text, used = bind(text, params)
    with db.cursor() as cur:
        return cur.sql(text, params=used).to_arrow_table().to_pandas()
