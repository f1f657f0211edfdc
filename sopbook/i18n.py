"""What sopbook says, in the handbook's language: standard gettext catalogs read with Babel.

The English text is the message id, written in the code with `{name}` placeholders; a catalog
(`sopbook/locale/<lang>/LC_MESSAGES/sopbook.po`) gives its translation. A third language is one
more .po file. Text is translated where it is said (a report, a page, a card), not where it is
made: a finding keeps its message id and parameters, so the same finding reads in Chinese in the
terminal and keeps its stable code in JSON.

`make messages` extracts every id (`N_("...")` in Python, `_("...")` in templates) into
sopbook/locale/sopbook.pot and merges it into each catalog.
"""
from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import NamedTuple

SOURCE_LANGUAGE = "en"  # the message ids' own language: needs no catalog
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "sopbook"


def N_(msgid: str) -> str:
    """Marks text to translate where it is said (the extractor's keyword); returns it unchanged."""
    return msgid


def languages() -> list[str]:
    """Every language sopbook speaks: English and each catalog's."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE)]


def match(requested: str | None) -> str | None:
    """The catalog for a language tag as handbooks write it (zh, zh-Hans, zh_CN): the exact one,
    else the one for its language; None when sopbook does not speak it."""
    if not requested:
        return None
    tag = requested.strip().replace("-", "_")
    have = {lang.lower(): lang for lang in languages()}
    for candidate in (tag, tag.split("_")[0]):
        if candidate.lower() in have:
            return have[candidate.lower()]
    return None


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """A language's translations, message id -> text (untranslated and fuzzy entries left out, so
    they are said in English rather than wrongly)."""
    if lang == SOURCE_LANGUAGE:
        return {}
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        entries = read_po(handle, locale=lang, domain=DOMAIN)
    # A translation that does not keep the English placeholders is not used (the catalog's test
    # names it): the English message still says everything.
    return {m.id: m.string for m in entries
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
            and not m.fuzzy and fields(m.string) == fields(m.id)}


def gettext(msgid: str, lang: str) -> str:
    return catalog(lang).get(msgid, msgid)


def fields(text: str) -> set[str] | None:
    """The `{name}` placeholders of a message (a translation must keep exactly these); None when
    the text is not a valid format string (a single brace)."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return None


class Said(NamedTuple):
    """A message inside a message's parameters (a clock that says "day +1"), said in the outer
    message's language when that is said."""

    msgid: str
    params: Mapping[str, object] = {}


def say(msgid: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """`msgid` in `lang`, with its placeholders filled. Every message is formatted, so a literal
    brace is always written doubled (`{{text: 客户签字确认}}`). Text that is not a format string
    (a parser's own message passed through) is said as it is, never as a traceback."""
    text = gettext(msgid, lang)
    values = {key: say(value.msgid, lang, value.params) if isinstance(value, Said) else value
              for key, value in (params or {}).items()}
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return text
