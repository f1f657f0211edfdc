"""The catalogs, judged by Babel's own extractor (what `make messages` runs): every message sopbook
can say is translated in every catalog, keeps its placeholders, and nothing is left over."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sopbook import i18n

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("sopbook/**.py", "python"), ("macros/**.html", "jinja2")]
OPTIONS = {"macros/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"N_": None, "_": None}
TRANSLATED = [lang for lang in i18n.languages() if lang != i18n.SOURCE_LANGUAGE]


def _extracted() -> list[tuple[str, int, str]]:
    return [(file, line, message) for file, line, message, _, _ in
            extract_from_dir(str(ROOT), METHODS, options_map=OPTIONS, keywords=KEYWORDS)]


EXTRACTED = _extracted()


def _entries(lang: str):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as handle:
        return [m for m in read_po(handle, locale=lang) if m.id]


def test_the_extractor_finds_the_messages():
    # A sanity floor: the findings, the reports, the pages and the cards.
    assert len({m for _, _, m in EXTRACTED}) > 300


def test_every_marked_message_is_extracted():
    """`N_(f"...")` or `N_(name)` would be said untranslated: the extractor skips what is not a
    literal, and Python's tokenizer hides N_ inside an f-string's braces."""
    marked = Counter()
    for path in (ROOT / "sopbook").rglob("*.py"):
        if path.name == "i18n.py":
            continue  # defines N_ and shows it in its docstring
        text = path.read_text(encoding="utf-8")
        marked[path.relative_to(ROOT).as_posix()] = len(re.findall(r"(?<![\w.])N_\(", text)) - text.count(
            "def N_(")
    found = Counter(file for file, _, _ in EXTRACTED if file.endswith(".py"))
    assert {f: n for f, n in marked.items() if n != found[f]} == {}


def test_message_ids_are_format_strings():
    """Every message is formatted (i18n.say): a literal brace must be doubled."""
    assert [(f, line, m) for f, line, m in EXTRACTED if i18n.fields(m) is None] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang):
    catalog = i18n.catalog(lang)
    missing = sorted({(m, f"{f}:{line}") for f, line, m in EXTRACTED if m not in catalog})
    assert missing == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_their_placeholders(lang):
    broken = [(m.id, m.string) for m in _entries(lang)
              if m.string and i18n.fields(m.string) != i18n.fields(m.id)]
    assert broken == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_left_over(lang):
    """A catalog entry the code no longer says misleads its translator."""
    said = {m for _, _, m in EXTRACTED}
    assert sorted(m.id for m in _entries(lang) if m.id not in said) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_fuzzy(lang):
    """A fuzzy entry is said in English: it waits for a translator."""
    assert [m.id for m in _entries(lang) if m.fuzzy] == []
