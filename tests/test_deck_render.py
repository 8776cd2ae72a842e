"""Issue 18 point 6: each deck checked as recipients open it, rendered by LibreOffice with long names.

A town, a county and the whole library, built from a library whose names are 40-60 characters,
with values missing and site photos (one file lost). One LibreOffice run converts the three
decks to PDF. The pptx geometry must keep every shape on the slide, no two shapes overlapping,
and every table's estimated height (rows x wrapped lines at its font size) above whatever lies
below it; the PDF, as LibreOffice laid it out, must keep every text line on its page and no table
text over the "另有 N 个未列出" line or the footer. Pages go to PNG (pdftoppm, else Chromium) in
$DECK_SHOT_DIR (default: the test's tmp folder) for a look.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Pt
from pypdf import PdfReader

from portfolio import meeting
from portfolio.deck_layout import LINE_EM, lines_needed, text_em
from tests.meeting_data import CITY, COUNTY, TOWN, long_name_store

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (Debian: libreoffice-impress, which `make test` "
                            "installs): the deck render check needs soffice")]
FOOTER_MAX_PT = 9.5  # the footer is set in 9 pt, everything else larger
DECKS = {"town": (TOWN, "zh"), "county": (COUNTY, "zh"), "city": (CITY, "zh"), "county_en": (COUNTY, "en")}


def _map_png() -> bytes:
    """A stand-in for the map picture, at the size map_export renders it (16:9)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 900), (200, 220, 240)).save(out, format="PNG")
    return out.getvalue()


def _to_png(pdf: Path, out: Path) -> None:
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / pdf.stem)], check=True, timeout=120)
    elif Path("/usr/bin/chromium").exists():
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        f"--screenshot={out / (pdf.stem + '.png')}", "--window-size=1280,720", pdf.as_uri()],
                       check=False, timeout=120, capture_output=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decks")
    db = long_name_store(folder / "photos")
    paths = []
    for name, (filters, lang) in DECKS.items():
        path = folder / f"{name}.pptx"
        path.write_bytes(meeting.deck_bytes(db, filters, lang, map_png=lambda f: _map_png()))
        paths.append(path)
    db.close()
    profile = (folder / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
                    str(folder), *map(str, paths)], check=True, timeout=300, capture_output=True)
    shots = Path(os.environ.get("DECK_SHOT_DIR") or folder)
    shots.mkdir(parents=True, exist_ok=True)
    for name in DECKS:
        _to_png(folder / f"{name}.pdf", shots)
    return {name: (Presentation(str(folder / f"{name}.pptx")), PdfReader(str(folder / f"{name}.pdf")))
            for name in DECKS}


def _boxes(slide):
    return [(shape, shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            for shape in slide.shapes]


def _overlap(a, b) -> bool:
    return min(a[3], b[3]) > max(a[1], b[1]) and min(a[4], b[4]) > max(a[2], b[2])


def _table_height(shape) -> int:
    """Rows x wrapped lines at the cell's font size, plus the cell margins: what the text needs."""
    total = 0
    for row in shape.table.rows:
        need = 0
        for j, cell in enumerate(row.cells):
            runs = [r for p in cell.text_frame.paragraphs for r in p.runs]
            size = runs[0].font.size.pt if runs else 11
            inner = shape.table.columns[j].width - cell.margin_left - cell.margin_right
            lines = lines_needed(cell.text, inner, size)
            need = max(need, int(Pt(lines * size * LINE_EM)) + cell.margin_top + cell.margin_bottom)
        total += max(need, row.height)
    return total


@pytest.mark.parametrize("name", list(DECKS))
def test_every_shape_on_the_slide_none_overlapping_every_table_fits(rendered, name):
    prs, pdf = rendered[name]
    width, height = prs.slide_width, prs.slide_height
    tables = 0
    for number, slide in enumerate(prs.slides, start=1):
        boxes = _boxes(slide)
        for shape, left, top, right, bottom in boxes:
            assert left >= 0 and top >= 0 and right <= width and bottom <= height, (name, number, shape.name)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not _overlap(a, b), (name, number, a[0].name, b[0].name)
        for shape, left, top, right, bottom in boxes:
            if shape.has_table:
                tables += 1
                below = min((b[2] for b in boxes if b[2] >= bottom and b[0] is not shape), default=height)
                assert top + _table_height(shape) <= below, (name, number)
    assert tables >= 1
    assert len(pdf.pages) == len(prs.slides)


def _fragments(page):
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = abs(cm[3]) or 1.0
            out.append((tm[4] * cm[0] + cm[4], tm[5] * scale + cm[5], size * abs(tm[3] or 1) * scale, text.strip()))
    page.extract_text(visitor_text=visit)
    return out


@pytest.mark.parametrize("name", list(DECKS))
def test_rendered_text_stays_on_the_page_and_off_the_footer(rendered, name):
    prs, pdf = rendered[name]
    checked = 0
    for number, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        frags = _fragments(page)
        for x, y, size, text in frags:
            assert -1 <= x and x + text_em(text) * size * 0.9 <= float(box.width) + 1, (name, number, text)
            assert 0 <= y - 0.25 * size and y + size <= float(box.height) + 1, (name, number, text)
        if number == 1:
            continue
        # The footer (9 pt: data date, filters) and the "另有 N 个未列出" line: all other text sits above them.
        footer = [f for f in frags if f[2] < FOOTER_MAX_PT]
        low = footer + [f for f in frags if f[3].startswith("另有") or "more not listed" in f[3]]
        assert footer, (name, number)
        top_of_low = max(y + 0.85 * size for _, y, size, _ in low)
        page_no = f"{number}/{len(pdf.pages)}"
        for x, y, size, text in frags:
            if (x, y, size, text) in low or text.replace(" ", "") in page_no:
                continue
            on_a_low_line = any(abs(y - ly) < 1 for _, ly, _, _ in low)  # "另有 ", "42", " 个未列出"
            assert on_a_low_line or y - 0.2 * size >= top_of_low, (name, number, text, y, top_of_low)
            checked += 1
    assert checked > 0


def test_names_are_long_shortened_in_the_deck_and_whole_in_the_notes(rendered):
    prs, _ = rendered["county"]
    shortened = [cell.text for slide in prs.slides for shape in slide.shapes if shape.has_table
                 for row in shape.table.rows for cell in row.cells if cell.text.endswith("…")]
    assert shortened
    notes = "\n".join(slide.notes_slide.notes_text_frame.text for slide in prs.slides if slide.has_notes_slide)
    for text in shortened:
        full = [line for line in notes.splitlines() if line.startswith(text[:-1]) and len(line) > len(text) - 1]
        assert full and 40 <= len(full[0]) <= 60
