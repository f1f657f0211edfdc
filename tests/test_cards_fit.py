"""Fit check: a card that does not fit its A6 page fails with its id and how far it overflows."""
from __future__ import annotations

import re

import pytest

from cards_support import built, make_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def overflow():
    return built("cards-overflow", jobs=1)


def test_overflowing_card_fails_with_its_id_and_the_overflow(overflow):
    errors = [f for f in overflow.report.findings if f.level == "error"]
    assert [f.code for f in errors] == ["cards.overflow"]
    (error,) = errors
    assert re.fullmatch(r"card 'too-long' does not fit its A6 page: front overflows by \d+\.\d mm "
                        r"\(2 pages instead of 1\)", error.message), error.message
    assert str(error.loc) == "checklists/cards.yml:4:5"
    assert error.address == "cards.too-long"
    assert float(re.search(r"by ([\d.]+) mm", error.message)[1]) > 50


def test_no_second_page_is_written_and_no_sheet_without_it(overflow):
    assert not (overflow.out / "too-long.pdf").exists()
    # checklists/cards.yml's sheet would hold 'quick' only: never a sheet that silently lacks a card.
    assert overflow.report.sheets == []
    assert [p.relative_to(overflow.out).as_posix() for p in overflow.out.rglob("*.pdf")] == ["quick.pdf"]
    assert overflow.report.rendered == ["quick"]  # the card that fits is still rendered


def test_long_list_breaks_where_the_page_ends_instead_of_moving_whole(tmp_path):
    """The overflow is the excess only: the list starts on the first page and fills it."""
    import weasyprint

    from sopbook.cards.fit import PX_PER_MM, measure
    from sopbook.cards.fonts import require_cjk_font
    from sopbook.cards.html import card_html, stylesheet
    from sopbook.model.cards import resolve_card
    from sopbook.model.project import load_project

    root = make_project("cards-overflow", tmp_path)
    project = load_project(root)
    card = next(c for c in project.cards if c.id == "too-long")
    sources, _ = resolve_card(project, card)
    html = card_html(project, sources, None)
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=stylesheet(root, require_cjk_font()))])
    first_page = [b for b in document.pages[0]._page_box.descendants() if type(b).__name__ == "TextBox"]
    assert any("第1项" in b.text for b in first_page)
    page = document.pages[0]._page_box
    bottom = page.content_box_y() + page.height
    last = max(b.position_y + b.height for b in first_page if b.element_tag != "footer")
    assert bottom - last < 8 * PX_PER_MM  # the first page is full: less than two lines are left
    (over,) = measure(document.pages, ("front",))
    assert over.pages == 2 and over.mm > 50


def test_text_running_past_the_right_edge_is_an_overflow(tmp_path):
    from sopbook.cards.fonts import require_cjk_font
    from sopbook.cards.html import stylesheet
    from sopbook.cards.pdf import CardJob, Renderer

    root = make_project("cards-overflow", tmp_path)
    html = ('<section class="side" data-side="front"><div class="side-body">'
            '<p style="white-space: '
            'nowrap">这一行不换行所以一定会超出卡片右边的边缘很远很远很远很远</p></div></section>')
    result = Renderer(root, stylesheet(root, require_cjk_font())).render(
        CardJob("wide", html, ("front",), str(tmp_path / "wide.pdf")))
    (over,) = result.overflows
    assert over.direction == "right" and over.mm > 10
    assert over.describe().startswith("front runs ")
    assert not (tmp_path / "wide.pdf").exists()


def _jobs(root, tmp_path):
    from sopbook.cards.html import card_html
    from sopbook.cards.pdf import CardJob
    from sopbook.model.cards import resolve_card
    from sopbook.model.project import load_project

    project = load_project(root)
    jobs = []
    for card in project.cards:
        sources, _ = resolve_card(project, card)
        jobs.append(CardJob(card.id, card_html(project, sources, None), sources.sides,
                            str(tmp_path / f"{card.id}.pdf")))
    return jobs


def test_a_workers_share_checks_each_card_on_its_own_pages(tmp_path):
    # A worker renders its share of cards one after another; an overflowing card must be
    # measured exactly as alone, and must not take its neighbours' pages or PDFs with it.
    from pypdf import PdfReader

    from sopbook.cards.fonts import require_cjk_font
    from sopbook.cards.html import stylesheet
    from sopbook.cards.pdf import Renderer

    from cards_support import pdf_text, squash

    root = make_project("cards-overflow", tmp_path)
    renderer = Renderer(root, stylesheet(root, require_cjk_font()))
    jobs = _jobs(root, tmp_path)
    assert [j.card_id for j in jobs] == ["quick", "too-long"]
    batch = renderer.render_each([*jobs, jobs[0].__class__("quick-2", jobs[0].html, jobs[0].sides,
                                                            str(tmp_path / "quick-2.pdf"))])
    (tmp_path / "alone").mkdir()
    alone = renderer.render(jobs[1].__class__("too-long", jobs[1].html, jobs[1].sides,
                                              str(tmp_path / "alone" / "x.pdf")))
    assert [(r.card_id, r.ok, r.pages) for r in batch] == [("quick", True, 1), ("too-long", False, 2),
                                                           ("quick-2", True, 1)]
    assert [o.describe() for o in batch[1].overflows] == [o.describe() for o in alone.overflows]
    assert not (tmp_path / "too-long.pdf").exists()
    for card_id in ("quick", "quick-2"):
        reader = PdfReader(tmp_path / f"{card_id}.pdf")
        assert len(reader.pages) == 1
        assert reader.metadata.title.startswith("quick · ")  # its own title, not the batch's
        assert reader.trailer["/Root"]["/Lang"] == "en"  # the handbook's language: this one names none
        assert "第1项" not in squash(pdf_text(tmp_path / f"{card_id}.pdf"))  # nothing of too-long


def test_a_warning_names_the_card_that_gave_it(tmp_path):
    from sopbook.cards.fonts import require_cjk_font
    from sopbook.cards.html import stylesheet
    from sopbook.cards.pdf import CardJob, Renderer

    root = make_project("cards-overflow", tmp_path)
    renderer = Renderer(root, stylesheet(root, require_cjk_font()))
    quick = _jobs(root, tmp_path)[0]
    # A template that someday emits a URL outside the project: refused, with a warning.
    leaky = CardJob("leaky", quick.html.replace("</footer>", '<img src="file:///etc/hostname"></footer>'),
                    quick.sides, str(tmp_path / "leaky.pdf"))
    results = renderer.render_each([quick, leaky])
    assert [r.card_id for r in results] == ["quick", "leaky"]
    assert results[0].warnings == []
    assert any("/etc/hostname" in w for w in results[1].warnings), results[1].warnings
    assert (tmp_path / "quick.pdf").exists() and (tmp_path / "leaky.pdf").exists()
