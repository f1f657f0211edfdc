"""Unchanged cards are reused; a change re-renders exactly the cards whose output it changes."""
from __future__ import annotations

import shutil

import pytest

from cards_support import built, pdf_text, squash

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first():
    return built("cards")


def _rebuild(first, tmp_path, edit=None, **kwargs):
    """Build a copy of the fixture into a fresh folder, reusing `first`'s PDFs (as `sopbook build` does)."""
    from sopbook.cards import build_cards
    from sopbook.project import load_project

    root = tmp_path / "project"
    shutil.copytree(first.root, root)
    if edit:
        path, old, new = edit
        text = (root / path).read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        (root / path).write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "site" / "cards"
    report = build_cards(load_project(root), out, previous=first.out, jobs=2, progress=False, **kwargs)
    return report, out


def test_rebuild_without_change_renders_no_card(first, tmp_path):
    report, out = _rebuild(first, tmp_path)
    assert report.rendered == []
    assert report.skipped == [c.id for c in first.project.cards]
    assert report.findings == []
    for card in first.project.cards:  # reused byte for byte from the previous build
        assert (out / f"{card.id}.pdf").read_bytes() == (first.out / f"{card.id}.pdf").read_bytes()
    assert (out / "all-cards-a4.pdf").read_bytes() == (first.out / "all-cards-a4.pdf").read_bytes()


def test_changing_one_item_rerenders_exactly_the_cards_that_show_it(first, tmp_path):
    # An NPS strategy: on the nps card's front and on the recovery card's back, nowhere else.
    report, out = _rebuild(first, tmp_path, ("content/mobile.yml", "升级引导", "升级引导服务"))
    assert sorted(report.rendered) == ["nps", "recovery"]
    assert sorted(report.skipped) == sorted({c.id for c in first.project.cards} - {"nps", "recovery"})
    assert "升级引导服务" in squash(pdf_text(out / "nps.pdf"))
    assert "升级引导服务" in squash(pdf_text(out / "recovery.pdf", 1))
    assert "升级引导服务" in squash(pdf_text(out / "all-cards-a4.pdf"))  # the sheet was imposed again


def test_changing_the_revision_date_rerenders_every_card(first, tmp_path):
    report, out = _rebuild(first, tmp_path, ("handbook.yml", "revised: 2026-10-15", "revised: 2026-12-01"))
    assert sorted(report.rendered) == sorted(c.id for c in first.project.cards)
    assert "修订2026-12-01" in squash(pdf_text(out / "kpis.pdf"))


def test_force_renders_every_card(first, tmp_path):
    report, _ = _rebuild(first, tmp_path, force=True)
    assert sorted(report.rendered) == sorted(c.id for c in first.project.cards)


def test_in_place_build_drops_cards_that_are_no_longer_defined(first, tmp_path):
    from sopbook.cards import build_cards
    from sopbook.project import load_project

    out = tmp_path / "cards"
    shutil.copytree(first.out, out)
    root = tmp_path / "project"
    shutil.copytree(first.root, root)
    cards = root / "checklists" / "cards.yml"
    text = cards.read_text(encoding="utf-8")
    cards.write_text(text[:text.index("  - id: hostile")], encoding="utf-8")
    report = build_cards(load_project(root), out, jobs=1, progress=False)
    assert report.rendered == [] and "hostile" not in report.skipped
    assert not (out / "hostile.pdf").exists()
    assert "hostile" not in squash(pdf_text(out / "all-cards-a4.pdf"))
