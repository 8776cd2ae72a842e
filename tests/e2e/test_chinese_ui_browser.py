"""Chinese means Chinese: no Latin word shows in the Chinese UI outside data, place names and
units, including the strings Streamlit itself draws (multiselect search, missing cells,
the skip link). The file uploader belongs to the import page's own test."""
from __future__ import annotations

import re

from portfolio import demo
from portfolio.store import Store
from tests.e2e.browser import browser_page, wait_until_rendered

# Our own bilingual language switch, file formats and units.
ALLOWED = {"English", "Language", "CSV", "Excel", "HTML", "PNG", "PPT", "KB", "MB", "xls", "xlsx", "xlsm", "csv",
           "WGS", "GCJ", "BD"}
PROJECT_CODE = re.compile(r"^XM\d+$")

VISIBLE_TEXT = """() => {
  // What a reader sees: icon ligatures are glyphs, not words; text at font-size 0 is not drawn
  // (the skip link shows its Chinese ::after instead); 1-px screen-reader announcements are not
  // shown; the uploader is the import page's to translate.
  for (const e of document.querySelectorAll('body *')) {
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    if (style.fontFamily.includes('Material Symbols') || style.fontSize === '0px'
        || (box.width <= 1 && e.children.length === 0 && e.textContent.trim())) e.setAttribute('data-zh-skip', '1');
  }
  if (!document.getElementById('zh-test-hide')) {
    const style = document.createElement('style');
    style.id = 'zh-test-hide';
    style.textContent = '[data-zh-skip], [data-testid="stFileUploaderDropzone"] {display: none !important}';
    document.head.appendChild(style);
  }
  return document.body.innerText;
}"""


def latin_words(page) -> set[str]:
    words = set(re.findall(r"[A-Za-z]{2,}", page.evaluate(VISIBLE_TEXT)))
    return {w for w in words if w not in ALLOWED and not PROJECT_CODE.match(w)}


def a_late_project() -> str:
    db = Store(":memory:")
    try:
        demo.build(db)
        with db.cursor() as cur:
            return cur.execute("SELECT project_id FROM projects WHERE village IS NULL ORDER BY project_id "
                               "LIMIT 1").fetchall()[0][0]
    finally:
        db.close()


def test_no_english_in_the_chinese_ui(app_server, shot_dir):
    pages = ["/", "/projects", f"/projects?project={a_late_project()}", "/map", "/towns", "/towns?county=阳山县",
             "/upload"]
    found = {}
    with browser_page(1920, 1080) as page:
        for path in pages:
            page.goto(app_server + path)
            wait_until_rendered(page)
            found[path] = latin_words(page)
        # A typed search in a multiselect (Streamlit offers "Select N matches" there).
        page.goto(app_server + "/")
        wait_until_rendered(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1).click()
        page.keyboard.type("太平")
        page.get_by_role("option").first.wait_for()
        page.screenshot(path=str(shot_dir / "multiselect_search_zh.png"))
        found["town search"] = latin_words(page)
        assert page.outside_requests == []
    assert {path: words for path, words in found.items() if words} == {}
