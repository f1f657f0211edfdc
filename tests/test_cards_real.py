"""The real project's cards (checklists/ at the repository root) build, fit and say what they should."""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from cards_support import A6_PT, REPO, card_items, copy_real, pdf_text, squash

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not list((REPO / "checklists").glob("*.yml")),
                       reason="no cards defined in checklists/ yet"),
]


@pytest.fixture(scope="module")
def real():
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    where = Path(tempfile.mkdtemp(prefix="sopbook-cards-real-"))
    project = load_project(copy_real(where / "project"))
    report = build_cards(project, where / "cards", jobs=2, progress=False)
    yield project, report, where / "cards"
    shutil.rmtree(where, ignore_errors=True)


def test_every_real_card_builds_and_fits(real):
    _, report, _ = real
    assert [str(f) for f in report.findings if f.level == "error"] == []


def test_every_real_card_is_a6_with_its_items_and_footer(real):
    from pypdf import PdfReader

    project, report, out = real
    for card in project.cards:
        if card.id not in report.rendered:
            continue  # reported by the test above
        pdf = out / f"{card.id}.pdf"
        pages = PdfReader(pdf).pages
        assert len(pages) == (2 if card.back else 1), card.id
        assert all(float(p.mediabox.width) == pytest.approx(A6_PT[0], abs=1) and
                   float(p.mediabox.height) == pytest.approx(A6_PT[1], abs=1) for p in pages), card.id
        sides = [card.front or [card.source]] + ([card.back] if card.back else [])
        for page, refs in enumerate(sides):
            text = squash(pdf_text(pdf, page))
            for ref in refs:
                for item in card_items(project.resolve(ref).node):
                    assert squash(item) in text, (card.id, ref, item)
            latest = project.ledger.cards[card.id].latest  # the real cards are all released
            edition = f"第{latest.revision}版·{latest.released.isoformat()}"
            assert f"{edition}·手册{project.handbook.version}" in text


def test_delivery_sop_card_reads_its_minute_marks(real):
    project, report, out = real
    card = next((c for c in project.cards if c.source == "delivery.golden-sop"), None)
    if card is None or card.id not in report.rendered:
        pytest.skip("no rendered card shows delivery.golden-sop")
    text = squash(pdf_text(out / f"{card.id}.pdf", 0))
    assert re.findall(r"(\d+–\d+)′", text) == ["0–2", "2–7", "7–10", "10–13", "13–15"]


def test_each_real_card_file_has_its_a4_sheet_with_its_cards(real):
    from pypdf import PdfReader

    from sopbook.cards import sheet_groups

    project, report, out = real
    groups = sheet_groups(project.cards)
    assert sorted(groups) == sorted(p.stem for p in (REPO / "checklists").glob("*.yml")
                                    if p.name != "editions.yml")  # delivery, mobile; not the ledger
    reprint = f"a4/reprint--{project.ledger.last_release().isoformat()}.pdf"  # the last release's cards
    assert [p.relative_to(out).as_posix() for p in report.sheets] == [*(f"a4/{name}.pdf" for name in groups),
                                                                      reprint]
    for name, cards in groups.items():
        reader = PdfReader(out / "a4" / f"{name}.pdf")
        sides = 2 if any(c.back for c in cards) else 1
        assert len(reader.pages) == sides * -(-len(cards) // 4), name  # 4 cards a side, backs behind
        text = squash(pdf_text(out / "a4" / f"{name}.pdf"))
        for card in cards:
            assert f"{card.id}{squash(project.handbook.title)}" in text, (name, card.id)  # its footer
            for ref in [*(card.front or [card.source]), *card.back]:
                for item in card_items(project.resolve(ref).node):
                    assert squash(item) in text, (name, card.id, item)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_real_card_index_links_each_sheet_where_it_is_built(real, directory_urls):
    from urllib.parse import unquote

    from markupsafe import escape

    from sopbook.web import pages as web_pages

    project, report, out = real
    html = web_pages.render_cards(web_pages.Site(project, use_directory_urls=directory_urls)).html
    links = re.findall(r'<a href="([^"]+)" type="application/pdf">A4 (?:重印)?拼版', html)
    # The page is cards/index.html (or cards/): a relative link resolves inside the cards folder,
    # from a web server and from file:// alike.
    assert sorted(out / unquote(href) for href in links) == sorted(report.sheets)
    for chapter_id in ("delivery", "mobile-experience"):
        title = escape(project.chapter(chapter_id).title)
        assert re.search(rf'<h2 class="sb-heading">{re.escape(title)}</h2><p class="sb-card-sheet"><a '
                         rf'href="a4/', html)
