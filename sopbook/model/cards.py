"""What a card shows: its definition in checklists/ resolved against the model.

A card names its front and back by global id; nothing on a card is typed twice. The lint
(sopbook.checks.cards) and the renderer resolve cards through this one function.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_, say
from sopbook.model.nodes import Card
from sopbook.model.project import Entry, Project
from sopbook.source import templates


@dataclass
class CardSources:
    card: Card
    front: Entry  # the source: title, kind and the QR code's web section
    backs: list[Entry]
    parts: list[Entry] = field(default_factory=list)  # printed on the front instead of the whole source

    @property
    def fronts(self) -> list[Entry]:
        return self.parts or [self.front]

    @property
    def title(self) -> str:
        return self.card.title or getattr(self.front.node, "title", None) or self.card.id

    @property
    def kind(self) -> str | None:
        """The card's own kind, else its checklist's."""
        return self.card.kind or getattr(self.front.node, "kind", None)

    @property
    def sides(self) -> tuple[str, ...]:
        return ("front", "back") if self.backs else ("front",)

    def entries(self) -> list[Entry]:
        """What the card prints (the lint checks these)."""
        return [*self.fronts, *self.backs]


def card_loc(card: Card) -> Loc:
    return card.at or Loc("checklists")


def card_address(card: Card) -> str:
    return f"cards.{card.id}"


def printable_types(root: Path) -> set[str]:
    """Block types that have a macro (blocks/<type>.html, the handbook's own or built-in) and so
    can be put on a card."""
    names = [n.split("/")[1] for n in templates.loader(Path(root)).list_templates()
             if n.startswith("blocks/") and n.count("/") == 1 and n.endswith(".html")]
    return {n.removesuffix(".html") for n in names if not n.startswith("_")} - {"block"}


# What a card names, by its role (source:, front:, back:), when it does not exist or has no card layout.
_UNKNOWN = {
    "source": N_("card '{card}': source '{ref}' does not exist"),
    "front": N_("card '{card}': front '{ref}' does not exist"),
    "back": N_("card '{card}': back '{ref}' does not exist"),
}
_NO_LAYOUT = {
    "source": N_("card '{card}': source '{ref}' is a {kind}, which has no card layout"),
    "front": N_("card '{card}': front '{ref}' is a {kind}, which has no card layout"),
    "back": N_("card '{card}': back '{ref}' is a {kind}, which has no card layout"),
}


def resolve_card(project: Project, card: Card,
                 printable: set[str] | None = None) -> tuple[CardSources | None, list[Finding]]:
    printable = printable_types(project.root) if printable is None else printable
    problems: list[Finding] = []
    entries: list[Entry] = []
    roles = [("source", card.source), *(("front", r) for r in card.front), *(("back", r) for r in card.back)]
    for role, ref in roles:
        entry = project.resolve(ref)
        if entry is None:
            near = project.nearest(ref)
            problems.append(Finding(
                "error", "cards.unknown-source", _UNKNOWN[role], card_loc(card),
                N_("closest existing ids: {closest}") if near
                else N_("use a global id chapter.thing from content/"),
                card_address(card), params={"card": card.id, "ref": ref, "closest": ", ".join(near)}))
        elif getattr(entry.node, "type", None) not in printable:
            problems.append(Finding(
                "error", "cards.unsupported-source", _NO_LAYOUT[role], card_loc(card),
                N_("point the card at one of: {types}") if printable
                else N_("sopbook's built-in block templates (blocks/*.html) are missing: reinstall sopbook"),
                card_address(card),
                params={"card": card.id, "ref": ref, "kind": entry.kind,
                        "types": ", ".join(sorted(printable))}))
        else:
            entries.append(entry)
    if problems:
        return None, problems
    parts = entries[1:1 + len(card.front)]
    outside = [e.address for e in parts if e.address != entries[0].address
               and not any(p is entries[0].node for p in e.parents)]
    if outside:
        return None, [Finding(
            "error", "cards.front-outside-source",
            N_("card '{card}': front {fronts} is not part of its source '{source}'"),
            card_loc(card), N_("front: lists parts of the source; put other content on the back"),
            card_address(card),
            params={"card": card.id, "fronts": ", ".join(outside), "source": card.source})]
    return CardSources(card, entries[0], entries[1 + len(card.front):], parts), []


# In a subfolder, so that no sheet name can ever collide with a card id's PDF.
SHEET_DIR = "a4"


def sheet_name(card: Card) -> str:
    """The sheet a card is printed on: the name of its file in checklists/ without .yml.

    The loader reads checklists/*.yml only, not subfolders, so the stem names one file.
    """
    return Path(card.at.file).stem if card.at else "cards"


def sheet_file(name: str) -> str:
    """A sheet's path relative to the cards folder (the web page links it from beside the cards)."""
    return f"{SHEET_DIR}/{name}.pdf"


def sheet_chapter(chapters: list):
    """The chapter all of a sheet's cards come from, if there is one: what the sheet is called
    (on the card index and in the PDF's title), else it is called by its file's name."""
    ids = {chapter.id if chapter is not None else None for chapter in chapters}
    return chapters[0] if len(ids) == 1 and chapters[0] is not None else None


def sheet_title(handbook_title: str, name: str, chapters: list, lang: str) -> str:
    """An A4 sheet's title (its PDF's), in the handbook's language."""
    chapter = sheet_chapter(chapters)
    return say(N_("{handbook_title} · {chapter} · checklist cards A4"), lang,
               {"handbook_title": handbook_title, "chapter": chapter.title if chapter is not None else name})


def sheet_groups(cards: list[Card]) -> dict[str, list[Card]]:
    """Cards by sheet, in checklists/ order: files by name, cards as their file lists them."""
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(sheet_name(card), []).append(card)
    return groups
