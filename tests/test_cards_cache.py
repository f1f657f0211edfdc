"""Unchanged cards are reused; a change re-renders exactly the cards whose output it changes,
and re-imposes only the A4 sheets of the files that define them (one sheet per checklists/ file)."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from cards_support import besides_placeholder, built, pdf_text, squash

pytestmark = pytest.mark.slow

SHEETS = ("a4/delivery.pdf", "a4/mobile.pdf")


@pytest.fixture(scope="module")
def first():
    return built("cards")


def _copy(first, tmp_path, edit=None):
    root = tmp_path / "project"
    shutil.copytree(first.root, root)
    if edit:
        path, old, new = edit
        text = (root / path).read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        (root / path).write_text(text.replace(old, new), encoding="utf-8")
    return root


def _rebuild(first, tmp_path, edit=None, **kwargs):
    """Build a copy of the fixture into a fresh folder, reusing `first`'s PDFs (as `sopbook build` does)."""
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    root = _copy(first, tmp_path, edit)
    out = tmp_path / "site" / "cards"
    report = build_cards(load_project(root), out, previous=first.out, jobs=2, progress=False, **kwargs)
    return report, out


def _in_place(first, tmp_path, edit=None, prepare=None):
    """Build a copy of the fixture into a copy of `first`'s output (as `sopbook cards` does)."""
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    out = tmp_path / "cards"
    shutil.copytree(first.out, out)
    root = _copy(first, tmp_path, edit)
    if prepare:
        prepare(root, out)
    return build_cards(load_project(root), out, jobs=1, progress=False), out


def test_rebuild_without_change_renders_no_card_and_imposes_no_sheet(first, tmp_path):
    report, out = _rebuild(first, tmp_path)
    assert report.rendered == []
    assert report.skipped == [c.id for c in first.project.cards]
    assert besides_placeholder(report.findings) == []
    for card in first.project.cards:  # reused byte for byte from the previous build
        assert (out / f"{card.id}.pdf").read_bytes() == (first.out / f"{card.id}.pdf").read_bytes()
    assert report.imposed == []
    assert [p.relative_to(out).as_posix() for p in report.sheets] == list(SHEETS)
    for sheet in SHEETS:
        assert os.path.samefile(out / sheet, first.out / sheet)  # a hard link to the previous build's


def test_changing_one_item_rerenders_exactly_the_cards_that_show_it_and_their_sheet(first, tmp_path):
    # An NPS strategy: on the nps card's front and on the recovery card's back, nowhere else;
    # both cards are defined in checklists/mobile.yml.
    report, out = _rebuild(first, tmp_path, ("content/mobile.yml", "升级引导", "升级引导服务"))
    assert sorted(report.rendered) == ["nps", "recovery"]
    assert sorted(report.skipped) == sorted({c.id for c in first.project.cards} - {"nps", "recovery"})
    assert "升级引导服务" in squash(pdf_text(out / "nps.pdf"))
    assert "升级引导服务" in squash(pdf_text(out / "recovery.pdf", 1))
    assert report.imposed == ["mobile"]
    assert "升级引导服务" in squash(pdf_text(out / "a4" / "mobile.pdf"))  # imposed again, with the change
    assert "升级引导服务" not in squash(pdf_text(first.out / "a4" / "mobile.pdf"))
    # The other file's sheet is the previous build's, untouched.
    assert os.path.samefile(out / "a4" / "delivery.pdf", first.out / "a4" / "delivery.pdf")


def test_reordering_a_files_cards_reimposes_its_sheet_in_the_new_order(first, tmp_path):
    nps = "  - id: nps\n    title: NPS分段处理\n    source: mobile.nps-segments\n    kind: read-do\n"

    def move_nps_last(root, _out):
        cards = root / "checklists" / "mobile.yml"
        text = cards.read_text(encoding="utf-8")
        assert text.count(nps) == 1
        cards.write_text(text.replace(nps, "") + nps, encoding="utf-8")

    report, out = _in_place(first, tmp_path, prepare=move_nps_last)
    assert report.rendered == [] and report.imposed == ["mobile"]  # no card changed, its sheet did
    title = squash(first.project.handbook.title)
    text = squash(pdf_text(out / "a4" / "mobile.pdf"))
    assert text.index(f"hostile{title}") < text.index(f"nps{title}")
    untouched = (first.out / "a4" / "delivery.pdf").stat().st_mtime_ns
    assert (out / "a4" / "delivery.pdf").stat().st_mtime_ns == untouched


def test_changing_the_handbook_version_rerenders_every_card_and_sheet(first, tmp_path):
    report, out = _rebuild(first, tmp_path, ("handbook.yml", 'version: "2.1.0"', 'version: "2.2.0"'))
    assert sorted(report.rendered) == sorted(c.id for c in first.project.cards)
    assert "手册2.2.0" in squash(pdf_text(out / "kpis.pdf"))
    assert report.imposed == ["delivery", "mobile"]
    assert "手册2.2.0" in squash(pdf_text(out / "a4" / "delivery.pdf"))


def test_force_renders_every_card_and_sheet(first, tmp_path):
    report, _ = _rebuild(first, tmp_path, force=True)
    assert sorted(report.rendered) == sorted(c.id for c in first.project.cards)
    assert report.imposed == ["delivery", "mobile"]


def test_in_place_build_drops_cards_that_are_no_longer_defined(first, tmp_path):
    def cut_hostile(root, _out):
        cards = root / "checklists" / "mobile.yml"
        text = cards.read_text(encoding="utf-8")
        cards.write_text(text[:text.index("  - id: hostile")], encoding="utf-8")

    report, out = _in_place(first, tmp_path, prepare=cut_hostile)
    assert report.rendered == [] and "hostile" not in report.skipped
    assert not (out / "hostile.pdf").exists()
    assert report.imposed == ["mobile"]
    assert "hostile" not in squash(pdf_text(out / "a4" / "mobile.pdf"))


def test_in_place_build_removes_the_sheet_of_a_file_that_no_longer_defines_cards(first, tmp_path):
    before = (first.out / "a4" / "mobile.pdf").stat().st_mtime_ns
    report, out = _in_place(first, tmp_path, prepare=lambda root,
                            _out: (root / "checklists" / "delivery.yml").unlink())
    assert besides_placeholder(report.findings) == [] and report.imposed == []
    assert [p.relative_to(out).as_posix() for p in report.sheets] == ["a4/mobile.pdf"]
    assert sorted(p.name for p in (out / "a4").iterdir()) == ["mobile.pdf"]
    assert (out / "a4" / "mobile.pdf").stat().st_mtime_ns == before  # not imposed again
    assert not (out / "delivery-sop.pdf").exists()
    assert list(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sheets"]) == ["mobile"]


def test_a_failed_card_leaves_no_sheet_at_all(first, tmp_path):
    # A card of mobile.yml loses its source: no sheet may silently lack it, and delivery's sheet
    # goes too, so that a half set never looks like the whole handbook.
    report, out = _in_place(first, tmp_path, ("checklists/mobile.yml", "source: mobile.mots",
                                              "source: mobile.motz"))
    assert [f.code for f in report.findings if f.level == "error"] == ["cards.unknown-source"]
    assert report.sheets == [] and report.imposed == []
    assert not list((out / "a4").glob("*.pdf"))
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sheets"] == {}
    assert not (out / "mots.pdf").exists()
    # Fixed again: both sheets come back; the cards that were fine are reused, not rendered.
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    fixed = build_cards(load_project(first.root), out, jobs=1, progress=False)
    assert fixed.rendered == ["mots"] and fixed.imposed == ["delivery", "mobile"]


def test_an_older_build_is_cleaned_up_in_place(first, tmp_path):
    def older(_root, out):
        (out / "all-cards-a4.pdf").write_bytes(b"%PDF-1.7 the single sheet of earlier versions")
        (out / "a4" / "gone.pdf").write_bytes(b"%PDF-1.7 a sheet of a file since deleted")
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        (out / "manifest.json").write_text(json.dumps({**manifest, "format": 1}), encoding="utf-8")

    report, out = _in_place(first, tmp_path, prepare=older)
    assert not (out / "all-cards-a4.pdf").exists()
    assert sorted(p.name for p in (out / "a4").iterdir()) == ["delivery.pdf", "mobile.pdf"]
    # A manifest of another format is not trusted: everything is built again.
    assert sorted(report.rendered) == sorted(c.id for c in first.project.cards)
    assert report.imposed == ["delivery", "mobile"]


def test_sheet_key_depends_on_its_cards_their_order_and_its_title():
    from sopbook.cards.cache import sheet_key

    base = sheet_key([("a", "1"), ("b", "2")], "t")
    assert sheet_key([("a", "1"), ("b", "2")], "t") == base
    assert sheet_key([("b", "2"), ("a", "1")], "t") != base
    assert sheet_key([("a", "1"), ("b", "3")], "t") != base
    assert sheet_key([("a", "1"), ("b", "2")], "u") != base


def test_a_sheet_that_cannot_be_imposed_is_a_located_error_not_a_traceback(first, tmp_path, monkeypatch):
    import sopbook.cards.impose as impose_module

    real = impose_module.impose

    def disk_full(cards, out, *args, **kwargs):
        if out.name == "mobile.pdf":
            out.write_bytes(b"%PDF-1.7 half")
            raise OSError(28, "No space left on device")
        return real(cards, out, *args, **kwargs)

    monkeypatch.setattr(impose_module, "impose", disk_full)
    report, out = _in_place(first, tmp_path, edit=("handbook.yml", "revised: 2026-10-15",
                                                   "revised: 2026-12-01"))
    said = besides_placeholder(report.findings)
    assert [f"{f.loc.file}: {f.level}: {f.message} [{f.code}]" for f in said] == [
        "checklists/mobile.yml: error: the A4 sheet a4/mobile.pdf could not be imposed: "
        "OSError: [Errno 28] No space left on device [cards.sheet-failed]"]
    assert not (out / "a4" / "mobile.pdf").exists()  # no half-written sheet left behind
    assert [p.name for p in report.sheets] == ["delivery.pdf"]
    assert "mobile" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sheets"]
