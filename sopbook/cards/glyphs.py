"""Characters no installed font can draw: an error before any card is printed, not a box on it.

An emoji pasted into an item (👍, 🚗) or a private-use character copied from a word processor's
symbol font has no glyph in the CJK face, and usually in no other installed font: WeasyPrint then
prints an empty box, and the laminated card on the wall says nothing where the item meant
something. Each card's characters are checked against the CJK face's character map (read once
per process); the few it lacks are asked of fontconfig, which is where WeasyPrint finds a font
for them too. A character some installed font has is fine: it prints in that font.

`sopbook check` asks the same question through cards/preflight.py, with no PDF rendered.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from html import unescape

from sopbook.cards.fonts import CjkFont, fc_list, find_cjk_font
from sopbook.cards.subset import faces
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.cards import CardSources, card_address, card_loc
from sopbook.model.nodes import Node
from sopbook.model.project import Project, iter_children

CODE = "cards.undrawable-character"
HINT = N_("remove it or replace it with words (a symbol no font has prints as an empty box on the card)")
_TAG = re.compile(r"<[^>]*>")


@lru_cache(maxsize=4)
def _cmap(file: str, index: int) -> frozenset[int]:
    """The code points the face has a glyph for (fontTools reads just its cmap: ~0.2 s)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no types

    with TTFont(file, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


@lru_cache(maxsize=256)
def _some_font_has(code: int) -> bool:
    """Whether fontconfig knows any font with a glyph for the code point (as WeasyPrint's
    fallback finds one). Without fc-list nothing can be said: taken as drawable."""
    found = fc_list(f":charset={code:x}", "family")
    return True if found is None else bool(found.strip())


def _drawn(char: str) -> bool:
    """Whether the character is drawn at all (line breaks, joiners and variation selectors are not)."""
    code = ord(char)
    return not (unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs")
                or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def page_chars(html: str) -> frozenset[str]:
    """The characters a card's page prints: its text, not its markup."""
    return frozenset(unescape(_TAG.sub(" ", html)))


def missing(chars: frozenset[str], font: CjkFont) -> list[str]:
    """The characters no installed font can draw, in code point order."""
    found = faces(font.family)
    regular = found[0] if found else None
    have = _cmap(regular.file, regular.index) if regular else frozenset()
    return sorted((c for c in chars if _drawn(c) and ord(c) not in have and not _some_font_has(ord(c))),
                  key=ord)


# A character no font draws, said as '😀' (U+1F600 GRINNING FACE): the character, its code point and
# its Unicode name; by whether it has a name, is a symbol font's own, and is found in an item's text.
_UNDRAWABLE = {
    ("named", True): N_("card '{card}': '{char}' ({code} {name}) in \"{text}\" cannot be drawn by any "
                        "installed font: the card would print an empty box"),
    ("named", False): N_("card '{card}': '{char}' ({code} {name}) cannot be drawn by any installed font: "
                         "the card would print an empty box"),
    ("private", True): N_("card '{card}': '{char}' ({code} PRIVATE USE, a symbol font's own character) in "
                          "\"{text}\" cannot be drawn by any installed font: the card would print an empty "
                          "box"),
    ("private", False): N_("card '{card}': '{char}' ({code} PRIVATE USE, a symbol font's own character) "
                           "cannot be drawn by any installed font: the card would print an empty box"),
    ("unnamed", True): N_("card '{card}': '{char}' ({code}) in \"{text}\" cannot be drawn by any installed "
                          "font: the card would print an empty box"),
    ("unnamed", False): N_("card '{card}': '{char}' ({code}) cannot be drawn by any installed font: "
                           "the card would print an empty box"),
}


def _kind(char: str) -> str:
    if unicodedata.name(char, ""):
        return "named"
    return "private" if unicodedata.category(char) == "Co" else "unnamed"


def _texts(node: Node) -> Iterator[str]:
    """The node's own text fields (not its child nodes')."""
    for name in type(node).model_fields:
        value = getattr(node, name, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield item


def _where(sources: CardSources, char: str) -> tuple[Loc, str]:
    """The innermost content node the card prints that holds `char`, and its text."""
    best: tuple[Loc, str] | None = None

    def visit(node: Node) -> None:
        nonlocal best
        for text in _texts(node):
            if char in text and node.at is not None:
                best = (node.at, text)
        for child in iter_children(node):
            visit(child)

    for entry in sources.entries():
        visit(entry.node)
        if best is not None:
            return best
    card = sources.card
    if card.title and char in card.title:
        return card_loc(card), card.title
    return card_loc(card), ""


def _shortened(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def undrawable(project: Project, sources_by_id: Mapping[str, CardSources],
               chars_by_id: Mapping[str, frozenset[str]], font: CjkFont | None = None) -> list[Finding]:
    """One error per card and character that no installed font can draw, located at the item
    (the content node's file:line) that holds it. Cards in checklists/ order."""
    font = font or find_cjk_font()
    if font is None:
        return []  # the missing font is its own finding (cards.font-missing)
    # The characters of all cards at once: a handbook's cards share most of theirs.
    bad = frozenset(missing(frozenset().union(*chars_by_id.values()), font))
    out = []
    order = [card.id for card in project.cards]
    for card_id in sorted(chars_by_id, key=lambda cid: order.index(cid) if cid in order else len(order)):
        sources = sources_by_id.get(card_id)
        if sources is None:
            continue
        for char in sorted(chars_by_id[card_id] & bad, key=ord):
            loc, text = _where(sources, char)
            out.append(Finding("error", CODE, _UNDRAWABLE[_kind(char), bool(text)], loc, HINT,
                               card_address(sources.card),
                               params={"card": card_id, "char": char, "code": f"U+{ord(char):04X}",
                                       "name": unicodedata.name(char, ""), "text": _shortened(text)}))
    return out
