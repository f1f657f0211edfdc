"""`python build_pdf.py`: located findings, exit codes, progress lines when not on a terminal."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from cards_support import REPO, make_project, pdf_text

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build_pdf.py"), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def test_build_pdf_renders_then_skips_unchanged_cards(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    (root / "checklists" / "cards.yml").write_text("cards:\n  - id: quick\n    source: long.quick\n",
                                                   encoding="utf-8")
    first = run("--root", str(root), "--jobs", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    # Not a terminal: one plain line per card instead of a progress bar.
    assert "cards: [1/1] quick ok (" in first.stderr
    assert "cards: rendered 1, unchanged 0; A4 sheets imposed 1 of 1 -> " in first.stderr
    assert (root / "site" / "cards" / "quick.pdf").exists()
    assert (root / "site" / "cards" / "a4" / "cards.pdf").exists()  # the sheet of checklists/cards.yml
    second = run("--root", str(root))
    assert second.returncode == 0
    assert "cards: rendered 0, unchanged 1; A4 sheets imposed 0 of 1 -> " in second.stderr


def test_build_pdf_fails_with_located_overflow(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    out = tmp_path / "out"
    done = run("--root", str(root), "--out", str(out), "--jobs", "2")
    assert done.returncode == 1
    first_line = next(line for line in done.stdout.splitlines() if ": error: " in line)
    assert first_line.startswith("checklists/cards.yml:4:5: error: card 'too-long' does not fit its A6 page: "
                                 "front overflows by ")


def test_progress_bar_on_a_terminal_plain_lines_otherwise():
    from sopbook.cards.parallel import Progress
    from sopbook.cards.pdf import CardResult

    plain = io.StringIO()
    with Progress(2, None, plain) as bar:
        bar.advance(CardResult("a", pages=1, seconds=0.1))
        bar.advance(CardResult("b", error="boom", seconds=0.2))
    assert plain.getvalue() == "cards: [1/2] a ok (0.10 s)\ncards: [2/2] b FAILED (0.20 s)\n"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with Progress(2, None, screen) as bar:
        bar.advance(CardResult("a", pages=1))
    assert "cards" in screen.getvalue() and "1/2" in screen.getvalue()
    assert "cards: [1/2]" not in screen.getvalue()

    quiet = io.StringIO()
    with Progress(2, False, quiet) as bar:
        bar.advance(CardResult("a", pages=1))
    assert quiet.getvalue() == ""


def test_without_site_url_cards_print_without_qr_and_say_so(tmp_path):
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    root = make_project("cards-overflow", tmp_path)
    (root / "mkdocs.yml").write_text("site_name: 无地址\n", encoding="utf-8")
    (root / "checklists" / "cards.yml").write_text("cards:\n  - id: quick\n    source: long.quick\n",
                                                   encoding="utf-8")
    report = build_cards(load_project(root), tmp_path / "out", jobs=1, progress=False)
    found = [(f.level, f.code, str(f.loc)) for f in report.findings]
    assert found == [("warning", "cards.no-site-url", "mkdocs.yml:1")]
    assert report.rendered == ["quick"]
    assert "扫码" not in pdf_text(tmp_path / "out" / "quick.pdf")
