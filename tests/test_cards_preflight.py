"""`sopbook check` knows whether each card fits before anything is built: measured as the build
lays the card out, and kept by the card's key, so a second check (or one after a build) lays
out only the cards that changed."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cards_support import make_project

pytestmark = pytest.mark.slow

OVERFLOW = re.compile(r"^  4:5 +error +card 'too-long' does not fit its A6 page: front overflows by "
                      r"(\d+\.\d) mm \(\d pages instead of 1\)  \[cards\.overflow\]$", re.M)


def sopbook(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("sopbook")), *args, "--root", str(root)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def test_check_reports_an_overflowing_card_before_any_build(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    first = sopbook(root, "check")
    assert first.returncode == 1
    assert first.stdout.startswith("checklists/cards.yml\n")
    found = OVERFLOW.search(first.stdout)
    assert found and float(found.group(1)) > 10, first.stdout
    assert "hint: shorten the items, move content to the back (back: [...]), or split the card in two" \
        in first.stdout
    assert "measuring the fit of 2 cards (kept for the next check)" in first.stderr
    assert not (root / "site").exists()  # nothing built, nothing written but the cache

    again = sopbook(root, "check")
    findings = first.stdout.rsplit("checked ", 1)[0]  # the last line says how long it took
    assert again.stdout.startswith(findings) and "measuring" not in again.stderr

    # The same measure the build takes: the build's finding says the same millimetres.
    built = sopbook(root, "build", "--jobs", "1")
    assert built.returncode == 1
    assert f"front overflows by {found.group(1)} mm" in built.stdout


def test_an_edit_measures_only_the_card_it_changed(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    assert "measuring the fit of 2 cards" in sopbook(root, "check").stderr
    content = next((root / "content").glob("*.yml"))
    text = content.read_text(encoding="utf-8")
    quick = text.index("id: quick\n")
    title = text.index("title: ", quick)
    content.write_text(text[:title] + "title: 改过的" + text[title + len("title: "):], encoding="utf-8")
    assert "measuring the fit of 1 card (kept" in sopbook(root, "check").stderr


def test_check_json_carries_the_overflow_and_no_cards_skips_it(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    data = json.loads(sopbook(root, "check", "--format", "json").stdout)
    codes = [f["code"] for f in data["findings"]]
    assert "cards.overflow" in codes
    skipped = sopbook(root, "check", "--no-cards")
    assert "cards.overflow" not in skipped.stdout and "measuring" not in skipped.stderr


def test_a_planted_cache_link_is_never_written_through(tmp_path):
    root = make_project("cards-overflow", tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".sopbook-cache").symlink_to(elsewhere, target_is_directory=True)
    assert OVERFLOW.search(sopbook(root, "check").stdout)
    assert list(elsewhere.iterdir()) == []
