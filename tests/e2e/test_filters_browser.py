"""The sidebar filters in the browser: keys, never labels, in the widgets and the URL.

Streamlit sends a multiselect's value as its labels; a label carries a facet count, so
without care a later pick turns "英德市 (77)" into the value (共 0 个项目). These tests
pick like a user and check, after every step, that the URL holds only valid keys and
that the 项目数 shown equals a count made directly in DuckDB for the URL's filters.
"""
from __future__ import annotations

import random
import re
from urllib.parse import parse_qs, urlparse

import pytest

from portfolio import demo, vocab
from portfolio.filters import FLAG_CODES, UNPLACED
from portfolio.store import Store
from tests.e2e.browser import browser_page, wait_until_rendered

SIDEBAR = '[data-testid="stSidebar"]'
MULTISELECTS = {"county": 0, "town": 1, "village": 2, "category": 3, "status": 4, "flag": 5, "year": 6, "source": 7}
KEYWORDS = ["道路", "饮水", "村", "改造", "XM", "路灯", ""]
STEPS = 14
SEED = 20261204


@pytest.fixture(scope="module")
def library(demo_library):
    """The same demo library the server runs on, in memory here."""
    return demo_library


def direct_count(db: Store, params: dict[str, list[str]]) -> int:
    """Projects matching URL parameters, counted with plain SQL (not the app's filter macro)."""
    where, args = ["true"], {}

    def values(name):
        return params.get(name, [])

    if values("county"):
        where.append("county IN (SELECT unnest($county))")
        args["county"] = values("county")
    if values("town"):
        where.append("(county || '/' || town) IN (SELECT unnest($town))")
        args["town"] = values("town")
    if values("village"):
        where.append("(county || '/' || town || '/' || village) IN (SELECT unnest($village))")
        args["village"] = values("village")
    for name, column in (("cat", "category"), ("status", "status")):
        if values(name):
            where.append(f"{column} IN (SELECT unnest(${name}))")
            args[name] = values(name)
    if values("year"):
        where.append("year IN (SELECT unnest($year))")
        args["year"] = [int(y) for y in values("year")]
    if values("src"):
        where.append("(" + " OR ".join(f"coalesce({s.column}, 0) > 0" for s in vocab.FUND_SOURCES
                                       if s.code in values("src")) + ")")
    if values("q"):
        where.append("(contains(lower(name), lower($q)) OR contains(lower(coalesce(description, '')), lower($q))"
                     " OR contains(coalesce(village, ''), $q) OR contains(project_id, $q))")
        args["q"] = values("q")[0]
    if values("flag"):
        late = "(plan_end < $as_of AND status NOT IN ('completed', 'accepted'))"
        stalled = "(status = 'in_progress' AND report_count >= 4 AND last_progress_pct <= progress_3_back_pct)"
        chosen = [late] * ("late" in values("flag")) + [stalled] * ("stalled" in values("flag"))
        where.append("coalesce(" + " OR ".join(chosen) + ", false)")
        args["as_of"] = demo.DEMO_AS_OF
    with db.cursor() as cur:
        # The clauses are fixed text chosen above; every value is a bound parameter.
        query = "SELECT count(*) FROM projects WHERE " + " AND ".join(where)
        return cur.execute(query, args).fetchall()[0][0]


def valid_keys(db: Store) -> dict[str, set[str]]:
    with db.cursor() as cur:
        rows = cur.execute("SELECT DISTINCT county, town, village, CAST(year AS VARCHAR) FROM projects").fetchall()
    return {
        "county": {r[0] for r in rows if r[0]} | {UNPLACED},
        "town": {f"{r[0]}/{r[1]}" for r in rows if r[0] and r[1]} | {UNPLACED},
        "village": {f"{r[0]}/{r[1]}/{r[2]}" for r in rows if r[0] and r[1] and r[2]},
        "year": {r[3] for r in rows if r[3]},
        "cat": set(vocab.CATEGORY_CODES), "status": set(vocab.STATUS_CODES), "flag": set(FLAG_CODES),
        "src": set(vocab.FUND_SOURCE_CODES),
    }


def url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def shown_projects(page) -> int:
    label = page.locator('[data-testid="stMetric"]', has_text="项目数").first
    return int(label.locator('[data-testid="stMetricValue"]').inner_text().strip().replace(",", ""))


def check(page, db, keys, step: str) -> None:
    params = url_params(page)
    for name, values in params.items():
        if name in keys:
            assert set(values) <= keys[name], (step, name, values)
    assert not any(re.search(r" \(\d[\d,]*\)$", v) for vs in params.values() for v in vs), (step, params)
    assert shown_projects(page) == direct_count(db, params), (step, params)


def pick(page, rng, facet: str) -> bool:
    box = page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]').nth(MULTISELECTS[facet])
    box.click()
    options = page.get_by_role("option")
    try:
        options.first.wait_for(timeout=3000)
    except Exception:  # noqa: BLE001 - no option to choose (every value taken or none left)
        page.keyboard.press("Escape")
        return False
    visible = options.all_inner_texts()
    choice = rng.randrange(len(visible))
    options.nth(choice).click()
    page.keyboard.press("Escape")
    return True


def wait_for_change(page, before: str) -> None:
    try:
        page.wait_for_function("(u) => window.location.href !== u", arg=before, timeout=10_000)
    except Exception:  # noqa: BLE001 - a pick that leaves the filters as they were changes no URL
        pass
    wait_until_rendered(page)


def test_the_reported_sequence_keeps_keys(app_server, library, shot_dir):
    """总览: 县 英德市, then 类别 道路, then 状态 在建 (the sequence in the issue)."""
    keys = valid_keys(library)
    with browser_page(1600, 1000) as page:
        page.goto(app_server + "/")
        wait_until_rendered(page)
        for facet, name in (("county", "英德市"), ("category", "道路"), ("status", "在建")):
            before = page.url
            page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]').nth(MULTISELECTS[facet]).click()
            page.get_by_role("option", name=re.compile("^" + name)).first.click()
            page.keyboard.press("Escape")
            wait_for_change(page, before)
            check(page, library, keys, facet)
        page.screenshot(path=str(shot_dir / "filters_yingde_roads_in_progress.png"))
        assert url_params(page)["county"] == ["英德市"]
        chip = page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]').first.inner_text()
        assert re.search(r"英德市 \(\d+\)", chip) and not re.search(r"\(\d+\) \(\d+\)", chip), chip
        assert shown_projects(page) > 0
        assert page.outside_requests == []


def test_random_picks_keep_the_url_and_the_count_true(app_server, library):
    rng = random.Random(SEED)
    keys = valid_keys(library)
    actions = [*MULTISELECTS, "keyword", "reset", "back"]
    done = []
    with browser_page(1600, 1000) as page:
        page.goto(app_server + "/")
        wait_until_rendered(page)
        for _ in range(STEPS):
            action = rng.choice(actions)
            before = page.url
            if action in MULTISELECTS:
                if not pick(page, rng, action):
                    continue
            elif action == "keyword":
                box = page.locator(f'{SIDEBAR} [data-testid="stTextInput"] input[aria-label^="关键词"]')
                box.fill(rng.choice(KEYWORDS))
                box.press("Enter")
            elif action == "reset":
                page.get_by_role("button", name="重置筛选").click()
            else:
                if page.evaluate("history.length") < 2:
                    continue
                page.go_back()
                if not page.url.startswith(app_server):
                    page.go_forward()
            done.append(action)
            wait_for_change(page, before)
            check(page, library, keys, " > ".join(done))
        assert len(done) >= STEPS // 2
        assert page.outside_requests == []
