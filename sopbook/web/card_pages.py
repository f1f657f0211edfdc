"""A page per card, where its QR code leads: is the card in my hand still the current one?

A laminated card stays on the wall for months. Its QR code carries the revision it printed
(`cards/<id>/?rev=3`); the page shows the card's content as the web has it, and says whether
revision 3 is the latest released edition (最新版) or outdated (已过期), and then what changed
since: items added, removed or reworded and timings changed, from the ledger's history.

Every answer is written into the page at build time, one hidden block per released revision;
card-page.js only shows the one the URL asks for, so the page works offline and with no
request of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from sopbook.i18n import N_, say
from sopbook.model.editions import Change, changes
from sopbook.model.ledger import CardHistory
from sopbook.render import addresses
from sopbook.render.templating import render
from sopbook.web.page import Page
from sopbook.web.site import Site


@dataclass
class RevisionNote:
    """What the page says to someone holding revision `revision` of the card."""

    revision: int
    released: str
    current: bool
    changes: list[Change]


def card_src_uri(card_id: str) -> str:
    return f"{addresses.card_page(card_id)}index.md"


def revision_notes(history: CardHistory | None) -> list[RevisionNote]:
    """One note per released revision: the latest is current, each older one lists what changed
    between it and the latest release."""
    if history is None:
        return []
    latest = history.latest
    return [RevisionNote(e.revision, e.released.isoformat(), e is latest,
                         [] if e is latest else changes(e.lines, latest.lines))
            for e in history.editions]


def render_card_pages(site: Site) -> list[Page]:
    pages = []
    for edition in site.card_editions():
        sources = site.card_resolved().get(edition.card_id)
        if sources is None:
            continue
        src = card_src_uri(edition.card_id)
        links = site.links(src, sources.front.chapter)
        body = render(site.project, "page/card.html", card=sources.card, sources=sources,
                      edition=edition, notes=revision_notes(edition.history), links=links,
                      source_href=links.href(sources.front.address),
                      pdf=links.to(addresses.card_pdf(edition.card_id)),
                      index=links.to(site.url("cards/index.md")))
        # The card's content is the chapters' own: searching it would list everything twice.
        title = say(N_("Checklist card · {title}"), site.project.language, {"title": sources.title})
        pages.append(Page(src, title, body, search=False, in_nav=False))
    return pages
