"""A card as HTML: macros/card/card.html around the same block macros the web handbook uses."""
from __future__ import annotations

from pathlib import Path

from sopbook.cards.fonts import CjkFont
from sopbook.cards.qr import qr_slot
from sopbook.model.cards import CardSources
from sopbook.model.editions import CardEdition, card_editions
from sopbook.model.project import Project
from sopbook.render.addresses import card_page
from sopbook.render.templating import MACROS_DIR, environment

CARD_TEMPLATE = "card/card.html"
CARD_CSS = "card/card.css"


def stylesheet(root: Path, font: CjkFont) -> str:
    """card.css with the checked CJK family first, so no glyph falls back to a box."""
    css = (Path(root) / MACROS_DIR / CARD_CSS).read_text(encoding="utf-8")
    family = font.family.replace('"', "")
    return f'html, body {{ font-family: "{family}", sans-serif; }}\n{css}'


def edition_of(project: Project, sources: CardSources) -> CardEdition:
    return card_editions(project.ledger, {sources.card.id: sources})[0]


def card_url(project: Project, sources: CardSources, site_url: str | None,
             edition: CardEdition | None = None) -> str | None:
    """Where the QR code points: the card's own page, absolute (a phone cannot open a relative
    URL), with the revision printed on the card, so the page can say whether it is still current.
    A draft carries no revision: it was never released."""
    if not site_url:
        return None
    edition = edition if edition is not None else edition_of(project, sources)
    rev = f"?rev={edition.revision}" if edition.revision is not None else ""
    return f"{site_url.rstrip('/')}/{card_page(sources.card.id)}{rev}"


def card_html(project: Project, sources: CardSources, site_url: str | None,
              edition: CardEdition | None = None) -> str:
    edition = edition if edition is not None else edition_of(project, sources)
    url = card_url(project, sources, site_url, edition)
    template = environment(project.root).get_template(CARD_TEMPLATE)
    return template.render(
        card=sources.card,
        title=sources.title,
        kind=sources.kind,
        front=sources.front,
        fronts=sources.fronts,
        backs=sources.backs,
        handbook=project.handbook,
        edition=edition,
        qr=qr_slot(url) if url else None,
        url=url,
    )
