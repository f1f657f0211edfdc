"""Printable cards of the fixture project (tests/fixtures/cards): rendered once per session."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from cards_support import A4_PT, A6_PT, besides_placeholder, built, card_items, pdf_text, squash

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cards():
    return built("cards")


def _pdf(cards, card_id):
    return cards.out / f"{card_id}.pdf"


def test_every_card_renders_without_findings(cards):
    assert [str(f) for f in besides_placeholder(cards.report.findings)] == []
    assert cards.report.rendered == [c.id for c in cards.project.cards]
    assert cards.report.skipped == []


def test_every_card_page_is_a6_and_has_front_and_back_when_defined(cards):
    from pypdf import PdfReader

    for card in cards.project.cards:
        reader = PdfReader(_pdf(cards, card.id))
        assert len(reader.pages) == (2 if card.back else 1), card.id
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(A6_PT[0], abs=1), card.id
            assert float(page.mediabox.height) == pytest.approx(A6_PT[1], abs=1), card.id


def test_card_text_holds_every_item_and_the_footer(cards):
    handbook = cards.project.handbook
    for card in cards.project.cards:
        reader_pages = [0, 1] if card.back else [0]
        for page, ref in zip(reader_pages, [card.source, *card.back], strict=False):
            text = squash(pdf_text(_pdf(cards, card.id), page))
            for item in card_items(cards.project.resolve(ref).node):
                assert squash(item) in text, (card.id, ref, item)
            assert card.id in text
            assert squash(handbook.title) in text
            # Never released: the card says it is a draft, in the band and beside the version.
            assert text.count("草稿·未发布") == 2, (card.id, text)
            assert f"草稿·未发布·手册{handbook.version}" in text


def test_confirmation_line_is_printed(cards):
    text = squash(pdf_text(_pdf(cards, "delivery-sop"), 1))
    assert "确认“刹车正常了吗?”→点头确认" in text
    assert "确认客户签字确认" in text


def test_timed_procedure_shows_minute_marks_for_each_step(cards):
    text = squash(pdf_text(_pdf(cards, "delivery-sop"), 0))
    marks = re.findall(r"(\d+)–(\d+)′", text)
    assert marks == [("0", "2"), ("2", "7"), ("7", "10"), ("10", "13"), ("13", "15")]
    # Each mark sits on its step's line, in order.
    assert re.search(r"0–2′Step1氛围营造.*2–7′Step2成果展示.*7–10′Step3功能验证.*10–13′Step4惊喜制造"
                     r".*13–15′Step5情感连接", text)


def test_card_kind_is_shown(cards):
    assert "READ-DO" in pdf_text(_pdf(cards, "delivery-sop"), 0)
    assert "DO-CONFIRM" in pdf_text(_pdf(cards, "verify-other"))  # the checklist's own kind
    kpis = pdf_text(_pdf(cards, "kpis"))
    assert "READ-DO" not in kpis and "DO-CONFIRM" not in kpis


def test_deadlines_on_recovery_and_nps_cards(cards):
    recovery = squash(pdf_text(_pdf(cards, "recovery"), 0))
    assert "时限:24小时内" in recovery
    assert re.search("第3天3天后回访.*第7天7天后再次确认.*第30天30天后关怀", recovery)
    nps = squash(pdf_text(_pdf(cards, "nps")))
    # Each segment's deadline is printed inside that segment's box (before the next segment).
    assert re.search("推荐者.*7天内.*被动者.*3天内.*贬损者.*24小时内", nps), nps


def test_cjk_font_is_embedded_and_subset(cards):
    from pypdf import PdfReader

    for card in cards.project.cards:
        fonts = {}
        for page in PdfReader(_pdf(cards, card.id)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                embedded = ("/FontFile", "/FontFile2", "/FontFile3")
                fonts[str(font["/BaseFont"])] = any(k in descriptor for k in embedded)
        assert fonts and all(fonts.values()), (card.id, fonts)
        assert all(re.match(r"/[A-Z]{6}\+Noto-Sans-CJK", name) for name in fonts), fonts  # subset tag


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_embedded_subset_fonts(cards):
    listing = subprocess.run(["pdffonts", str(_pdf(cards, "nps"))],
                             capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows and all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), listing  # emb sub uni


def test_qr_code_opens_the_cards_page(cards):
    from sopbook.cards.html import card_url
    from sopbook.cards.qr import site_url
    from sopbook.model.cards import resolve_card

    url = site_url(cards.root)
    assert url == "https://handbook.example.invalid/sop/"
    sources, _ = resolve_card(cards.project, cards.project.cards[0])
    # A draft was never released: its page, without a revision to compare.
    assert card_url(cards.project, sources, url) == "https://handbook.example.invalid/sop/cards/delivery-sop/"


@pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                    reason="zbar-tools not installed")
def test_printed_qr_code_scans_to_the_cards_page(cards, tmp_path):
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(_pdf(cards, "recovery")), str(tmp_path / "card")],
                   check=True)
    for png in sorted(tmp_path.glob("card-*.png")):  # front and back both carry it
        scanned = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout
        assert scanned.strip() == "https://handbook.example.invalid/sop/cards/recovery/", png


def test_qr_slot_is_filled_by_the_renderer_only():
    from sopbook.cards.qr import fill_qr_slots, qr_slot

    url = 'https://x.invalid/a/#b"<c>'
    slot = str(qr_slot(url))
    assert slot == '<sopbook-qr data-url="https://x.invalid/a/#b&#34;&lt;c&gt;"></sopbook-qr>'
    filled = fill_qr_slots(f"<p>{slot}</p>")
    assert filled.startswith("<p><svg") and "sopbook-qr" not in filled
    # Escaped content that merely looks like a slot stays text.
    escaped = "&lt;sopbook-qr data-url=&#34;x&#34;&gt;"
    assert fill_qr_slots(escaped) == escaped


def test_hostile_content_is_printed_as_text_and_fetches_nothing(cards):
    from pypdf import PdfReader

    text = pdf_text(_pdf(cards, "hostile"))
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert '<img src="http://127.0.0.1:9/x.png">' in text
    assert '<a href="file:///etc/shadow">确认</a>' in text
    assert "安全测试 <b>粗体</b>" in text
    reader = PdfReader(_pdf(cards, "hostile"))
    xobjects = reader.pages[0]["/Resources"].get("/XObject", {})
    assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())
    assert "/Annots" not in reader.pages[0]


def test_one_a4_sheet_per_card_file_holding_its_cards_in_file_order(cards):
    from pypdf import PdfReader

    # checklists/delivery.yml and checklists/mobile.yml, in a subfolder apart from the card PDFs.
    sheets = [p.relative_to(cards.out).as_posix() for p in cards.report.sheets]
    assert sheets == ["a4/delivery.pdf", "a4/mobile.pdf"]
    assert sorted(p.name for p in (cards.out / "a4").iterdir()) == ["delivery.pdf", "mobile.pdf"]
    assert cards.report.imposed == ["delivery", "mobile"]
    assert not (cards.out / "all-cards-a4.pdf").exists()
    files = {"delivery": ["delivery-sop", "verify-other", "kpis"],
             "mobile": ["nps", "recovery", "mots", "discovery", "hostile"]}
    for name, ids in files.items():
        sheet = cards.out / "a4" / f"{name}.pdf"
        text = squash(pdf_text(sheet))
        footer = squash(cards.project.handbook.title)
        order = [text.index(f"{card_id}{footer}") for card_id in ids]  # card footers
        assert order == sorted(order), (name, order)
        others = {c.id for c in cards.project.cards} - set(ids)
        assert not any(f"{card_id}{squash(cards.project.handbook.title)}" in text for card_id in others), name
        # Named like its section of the card index: the chapter its cards come from.
        chapter = cards.project.chapter("delivery" if name == "delivery" else "mobile").title
        assert PdfReader(sheet).metadata.title == f"{cards.project.handbook.title} · {chapter} · 检查卡 A4"
    # Each card's text is on its sheet, as on its own PDF.
    assert "确认“刹车正常了吗?”→点头确认" in squash(pdf_text(cards.out / "a4" / "delivery.pdf"))
    assert re.search("推荐者.*7天内.*被动者.*3天内.*贬损者.*24小时内",
                     squash(pdf_text(cards.out / "a4" / "mobile.pdf")))


def test_sheet_is_a4_with_four_cards_a_side_and_backs_behind_their_fronts(cards):
    from pypdf import PdfReader

    from sopbook.cards import sheet_groups

    groups = sheet_groups(cards.project.cards)
    assert [len(g) for g in groups.values()] == [3, 5]
    for name, group_cards in groups.items():
        sheet = cards.out / "a4" / f"{name}.pdf"
        reader = PdfReader(sheet)
        # 3 cards: one front page and its back; 5 cards: two of each (every front has its back page).
        assert len(reader.pages) == 2 * ((len(group_cards) + 3) // 4), name
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(A4_PT[0], abs=1)
            assert float(page.mediabox.height) == pytest.approx(A4_PT[1], abs=1)
            assert len(page["/Resources"]["/XObject"]) <= 4
        for n in range(0, len(reader.pages), 2):
            group = group_cards[2 * n:2 * n + 4]
            front = _positions(sheet, n + 1)
            back = _positions(sheet, n + 2)
            assert len(reader.pages[n]["/Resources"]["/XObject"]) == len(group)
            assert len(reader.pages[n + 1]["/Resources"]["/XObject"]) == sum(bool(c.back) for c in group)
            for slot, card in enumerate(group):
                col, row = slot % 2, slot // 2
                assert front[card.id] == (col, row), card.id
                if card.back:
                    # Long-edge duplex: the back is in the mirrored column of the same row.
                    assert back[card.id] == (1 - col, row), card.id
                else:
                    assert card.id not in back


def _positions(pdf, page: int) -> dict[str, tuple[int, int]]:
    """Slot (column, row) of each card id printed on a sheet page, from poppler's word boxes."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    out = {}
    for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', html):
        out.setdefault(word, (int(float(x) > A4_PT[0] / 2), int(float(y) > A4_PT[1] / 2)))
    return out


def test_sheet_has_crop_marks_outside_the_bleed():
    from sopbook.cards.impose import MM, SHEET

    marks = SHEET.crop_marks()
    assert len(marks) == 16  # 4 trim lines each way, a mark at both ends
    left, bottom, right, top = SHEET.trim(0, 1)
    for x1, y1, x2, y2 in marks:
        for x, y in ((x1, y1), (x2, y2)):
            assert 0 <= x <= SHEET.sheet_w * MM and 0 <= y <= SHEET.sheet_h * MM
    # No mark reaches into any card's bleed: they all lie outside the grid plus bleed.
    grid = (SHEET.margin_x - SHEET.bleed) * MM, (SHEET.sheet_w - SHEET.margin_x + SHEET.bleed) * MM
    for x1, y1, x2, y2 in marks:
        inside_x = grid[0] < min(x1, x2) and max(x1, x2) < grid[1]
        inside_y = ((SHEET.margin_y - SHEET.bleed) * MM < min(y1, y2)
                    and max(y1, y2) < (SHEET.sheet_h - SHEET.margin_y + SHEET.bleed) * MM)
        assert not (inside_x and inside_y)
    # Cards are placed at 100 %: text on the sheet is as large as on the A6 card.
    assert right - left == pytest.approx((SHEET.card_w - 2 * SHEET.crop) * MM)
    assert top - bottom == pytest.approx((SHEET.card_h - 2 * SHEET.crop) * MM)


def test_manifest_records_every_card_and_each_sheet_with_its_cards(cards):
    import json

    manifest = json.loads((cards.out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["cards"]) == {c.id for c in cards.project.cards}
    assert manifest["format"] == 2
    assert {name: (sheet["file"], sheet["cards"]) for name, sheet in manifest["sheets"].items()} == {
        "delivery": ("a4/delivery.pdf", ["delivery-sop", "verify-other", "kpis"]),
        "mobile": ("a4/mobile.pdf", ["nps", "recovery", "mots", "discovery", "hostile"])}


def _runs(pdf, page: int) -> list[tuple[str, float, str]]:
    """(text, size in pt, font name) of each text run on a page."""
    from pypdf import PdfReader

    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.strip(), size * abs(tm[3]) * abs(cm[3]),
                         str(font.get("/BaseFont", "")) if font else ""))

    PdfReader(pdf).pages[page].extract_text(visitor_text=visit)
    return runs


def test_body_text_is_at_least_10pt_and_titles_are_bold(cards):
    from sopbook.model.cards import resolve_card

    handbook = cards.project.handbook
    for card in cards.project.cards:
        heading = squash(resolve_card(cards.project, card)[0].title)[:4]
        footer = squash(f"{card.id}{handbook.title}草稿·未发布·手册{handbook.version}·扫码核对是否最新→")
        for page in range(2 if card.back else 1):
            runs = _runs(_pdf(cards, card.id), page)
            small = [text for text, size, _ in runs if size < 9.95 and squash(text) not in footer]
            assert small == [], (card.id, small)
            title = next((size, font) for text, size, font in runs if squash(text).startswith(heading))
            assert title[0] >= 13 and "Bold" in title[1], (card.id, title)


def test_sheets_imposed_in_worker_processes_are_the_same_files(cards, tmp_path):
    """A full build imposes its many sheets in parallel; the sheets must not depend on it."""
    import importlib

    from pypdf import PdfReader

    from sopbook.cards import sheet_groups

    impose = importlib.import_module("sopbook.cards.impose")
    jobs = []
    for name, group in sheet_groups(cards.project.cards).items():
        sheet_cards = tuple(impose.SheetCard(c.id, _pdf(cards, c.id), bool(c.back)) for c in group)
        title = PdfReader(cards.out / "a4" / f"{name}.pdf").metadata.title
        jobs.append(impose.SheetJob(sheet_cards, tmp_path / f"{name}.pdf", title))
    impose.impose_all(jobs, workers=2, min_cards=0)
    for job in jobs:
        assert job.out.read_bytes() == (cards.out / "a4" / job.out.name).read_bytes(), job.out.name
