"""The cards' CJK font is subset by HarfBuzz, as WeasyPrint decides it; a machine without
HarfBuzz-Subset stops before rendering with what to install; WeasyPrint's warnings are
reported once per kind, with a count."""
from __future__ import annotations

import re
import subprocess

import pytest

from cards_support import make_project

pytestmark = pytest.mark.slow

FALLBACK = re.compile(r"Using fontTools instead of HarfBuzz-Subset")


def _project(tmp_path, cards: str):
    from sopbook.model.project import load_project

    root = make_project("cards-overflow", tmp_path)
    (root / "checklists" / "cards.yml").write_text(cards, encoding="utf-8")
    return load_project(root)


QUICK3 = """\
cards:
  - id: quick
    source: long.quick
  - id: quick-2
    source: long.quick
  - id: quick-3
    source: long.quick
"""


def test_a_real_card_is_subset_by_harfbuzz_and_the_detection_agrees(tmp_path):
    from sopbook.cards import fonts
    from sopbook.cards.html import card_html, stylesheet
    from sopbook.cards.pdf import CardJob, Renderer
    from sopbook.model.cards import resolve_card

    project = _project(tmp_path, "cards:\n  - id: quick\n    source: long.quick\n")
    sources, _ = resolve_card(project, project.cards[0])
    renderer = Renderer(project.root, stylesheet(project.root, fonts.require_cjk_font()))
    result = renderer.render(CardJob("quick", card_html(project, sources, None), sources.sides,
                                     str(tmp_path / "quick.pdf")))
    assert result.ok and (tmp_path / "quick.pdf").stat().st_size > 0
    fell_back = [w for w in result.warnings if FALLBACK.search(w)]
    assert fonts.harfbuzz_subset_available() == (not fell_back)
    assert fell_back == [], "WeasyPrint fell back to fontTools: sudo apt-get install libharfbuzz-subset0"


def test_the_detection_is_weasyprints_own_and_agrees_with_the_dynamic_linker(monkeypatch):
    from weasyprint.text import ffi

    from sopbook.cards import fonts

    listed = "libharfbuzz-subset.so.0" in subprocess.run(["ldconfig", "-p"], capture_output=True,
                                                          text=True, check=True).stdout
    assert fonts.harfbuzz_subset_available() == listed
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)  # what WeasyPrint's ffi holds when dlopen failed
    assert fonts.harfbuzz_subset_available() is False


def test_without_harfbuzz_subset_the_build_stops_before_rendering_saying_what_to_install(
        tmp_path, monkeypatch):
    import sopbook.cards as cards

    monkeypatch.setattr(cards, "harfbuzz_subset_available", lambda: False)
    project = _project(tmp_path, QUICK3)
    out = tmp_path / "out"
    report = cards.build_cards(project, out, jobs=1, progress=False)
    errors = [f for f in report.findings if f.level == "error"]
    assert [f"{f.loc}: {f.level}: {f.message} [{f.code}] hint: {f.hint}" for f in errors] == [
        "checklists: error: WeasyPrint cannot load HarfBuzz-Subset (libharfbuzz-subset.so.0): it would "
        "subset the CJK font with fontTools, 15-20 s a card instead of under one [cards.fonttools-fallback] "
        "hint: sudo apt-get install libharfbuzz-subset0"]
    assert report.rendered == [] and list(out.glob("*.pdf")) == []


def test_unchanged_cards_need_no_harfbuzz_subset(tmp_path, monkeypatch):
    import sopbook.cards as cards

    project = _project(tmp_path, QUICK3)
    out = tmp_path / "out"
    first = cards.build_cards(project, out, jobs=1, progress=False)
    assert first.rendered == ["quick", "quick-2", "quick-3"]
    monkeypatch.setattr(cards, "harfbuzz_subset_available", lambda: False)
    again = cards.build_cards(project, out, jobs=1, progress=False)
    assert again.skipped == ["quick", "quick-2", "quick-3"] and again.findings == first.findings


def test_weasyprint_warnings_are_one_finding_per_kind_with_a_count_and_no_terminal_lines(
        tmp_path, monkeypatch, caplog):
    """WeasyPrint logs its fontTools warning once per font and document; three cards with two
    faces each made six terminal lines and three findings. Here the warning is logged where
    WeasyPrint logs it, before it subsets as usual."""
    from weasyprint.pdf import fonts as pdf_fonts

    import sopbook.cards as cards

    subset = pdf_fonts.Font.subset

    def warn_then_subset(self, to_unicode, hinting):
        pdf_fonts.LOGGER.warning('Using fontTools instead of HarfBuzz-Subset for font "%s".', self.family)
        return subset(self, to_unicode, hinting)

    monkeypatch.setattr(pdf_fonts.Font, "subset", warn_then_subset)
    project = _project(tmp_path, QUICK3)
    with caplog.at_level("WARNING"):
        report = cards.build_cards(project, tmp_path / "out", jobs=1, progress=False)  # in this process
    assert report.rendered == ["quick", "quick-2", "quick-3"]
    warnings = [f for f in report.findings if f.code == "cards.render-warning"]
    assert len(warnings) == 1, [f.message for f in warnings]
    (warning,) = warnings
    assert re.fullmatch(r'weasyprint: Using fontTools instead of HarfBuzz-Subset for font "[^"]+"\. '
                        r"\(×(\d+), cards 'quick', 'quick-2', 'quick-3'\)", warning.message), warning.message
    assert int(re.search(r"×(\d+)", warning.message)[1]) >= 3
    assert str(warning.loc) == "checklists/cards.yml:2:5" and warning.level == "warning"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
