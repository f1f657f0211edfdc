"""The handbook as MkDocs will write it: which page has which URL, and how one page links another.

Nothing here knows about MkDocs events; the generated pages (pages.py), the trainer pages'
macros (trainer.py) and the navigation (nav.py) all link through `Site` and `Links`, so a
reference reads the same on every page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sopbook.model.cards import CardSources, printable_types, resolve_card
from sopbook.model.editions import CardEdition, card_editions
from sopbook.model.nodes import Chapter, SyllabusEntry
from sopbook.model.project import Entry, Project
from sopbook.render import addresses

# Where the generated pages live (MkDocs src_uri). A chapter is `<id>/index.md`, so its URL is
# `<id>/` on any static server (addresses.page_url) and `<id>/index.html` from file://, where
# Material's offline plugin turns directory URLs off.
SYLLABUS = "syllabus/index.md"
KPIS = "kpis/index.md"
CARDS = "cards/index.md"
HEALTH = "health/index.md"


def chapter_src_uri(chapter_id: str) -> str:
    return addresses.page_path(chapter_id)


@cache  # a File per call was a tenth of rendering the pages
def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page at src_uri (mirrors mkdocs.structure.files.File.url)."""
    from mkdocs.structure.files import File

    return File(src_uri, src_dir=None, dest_dir="", use_directory_urls=use_directory_urls).url


def relative(target: str, from_url: str) -> str:
    """`target` (site-relative, optionally with #anchor) as seen from the page at `from_url`."""
    from mkdocs.utils import get_relative_url

    path, _, anchor = target.partition("#")
    if anchor and path in ("", from_url):
        return f"#{anchor}"  # same page
    rel = get_relative_url(path or ".", from_url)
    return rel + (f"#{anchor}" if anchor else "")


def label_of(node: Any) -> str:
    """What a thing is called when something links to it."""
    for name in ("title", "name", "label"):
        value = getattr(node, name, None)
        if value:
            return f"MOT {node.number} {value}" if name == "title" and hasattr(node, "number") else value
    return getattr(node, "id", "") or ""


@dataclass
class Site:
    """The handbook as MkDocs will write it: which page has which URL."""

    project: Project
    use_directory_urls: bool = True
    site_url: str | None = None
    _card_sources: dict[str | None, list] | None = field(default=None, init=False, repr=False)
    _resolved: dict[str, CardSources] | None = field(default=None, init=False, repr=False)
    _editions: dict[str, CardEdition] | None = field(default=None, init=False, repr=False)

    def card_resolved(self) -> dict[str, CardSources]:
        """Each card that resolves, by id, in checklists/ order (the check reports the others)."""
        if self._resolved is None:
            printable = printable_types(self.project.root)
            self._resolved = {card.id: sources for card in self.project.cards
                              if (sources := resolve_card(self.project, card, printable)[0]) is not None}
        return self._resolved

    def card_editions(self) -> list[CardEdition]:
        """Each card's edition against the ledger: released, a draft, or removed."""
        if self._editions is None:
            self._editions = {e.card_id: e for e in card_editions(self.project.ledger, self.card_resolved())}
        return list(self._editions.values())

    def card_edition(self, card_id: str) -> CardEdition | None:
        self.card_editions()
        assert self._editions is not None
        return self._editions.get(card_id)

    def card_sources(self, chapter_id: str | None = None) -> list[tuple[Any, Entry | None]]:
        """(card, resolved source) in checklists/ order: all cards, or those of one chapter.
        Grouped once per site: filtering every card for every chapter page was quadratic."""
        if self._card_sources is None:
            grouped: dict[str | None, list] = {None: []}
            for card in self.project.cards:
                entry = self.project.resolve(card.source)
                grouped[None].append((card, entry))
                if entry is not None:
                    grouped.setdefault(entry.chapter.id, []).append((card, entry))
            self._card_sources = grouped
        return self._card_sources.get(chapter_id, [])

    def url(self, src_uri: str) -> str:
        return page_url(src_uri, self.use_directory_urls)

    def planned(self, chapter_id: str) -> SyllabusEntry | None:
        return next((e for e in self.project.handbook.syllabus if e.id == chapter_id and e.planned), None)

    def address_url(self, address: str) -> str | None:
        """Site-relative URL of a global id: the chapter page and the thing's anchor."""
        chapter_id, _, thing = address.partition(".")
        if self.project.chapter(chapter_id) is None:
            if self.planned(chapter_id) and not thing:
                return f"{self.url(SYLLABUS)}#{chapter_id}"
            return None
        return self.url(chapter_src_uri(chapter_id)) + (f"#{thing}" if thing else "")

    def links(self, src_uri: str, context: Chapter | None = None) -> Links:
        return Links(self, self.url(src_uri), context)


@dataclass
class Links:
    """What templates call to link a reference from one page: href(ref) and label(ref)."""

    site: Site
    from_url: str
    context: Chapter | None = None

    def entry(self, ref: str) -> Entry | None:
        return self.site.project.resolve(ref, self.context)

    def href(self, ref: str) -> str | None:
        entry = self.entry(ref)
        address = entry.address if entry else ref
        target = self.site.address_url(address)
        return relative(target, self.from_url) if target else None

    def label(self, ref: str) -> str:
        entry = self.entry(ref)
        if entry:
            return label_of(entry.node)
        planned = self.site.planned(ref)
        return planned.title if planned and planned.title else ref

    def to(self, target: str) -> str:
        """A site-relative path (e.g. a card's PDF) from this page."""
        return relative(target, self.from_url)


def cards_for(site: Site, links: Links, chapter: Chapter | None = None) -> list[dict]:
    out = []
    for card, entry in site.card_sources(chapter.id if chapter is not None else None):
        out.append({
            "card": card,
            "title": card.title or (label_of(entry.node) if entry else card.source),
            "source_label": label_of(entry.node) if entry else card.source,
            "source_href": links.href(card.source),
            "chapter": entry.chapter if entry else None,
            "pdf": links.to(addresses.card_pdf(card.id)),
            "page": links.to(site.url(f"{addresses.card_page(card.id)}index.md")),
            "edition": site.card_edition(card.id),
            "back": [{"label": links.label(ref), "href": links.href(ref)} for ref in card.back],
        })
    return out


def asset(name: str) -> str:
    return (Path(__file__).parent / "assets" / name).read_text(encoding="utf-8")
