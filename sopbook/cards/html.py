"""A card as HTML: macros/card/card.html around the same block macros the web handbook uses."""
from __future__ import annotations

from pathlib import Path

from sopbook.cards.fonts import CjkFont
from sopbook.cards.qr import qr_slot
from sopbook.model.cards import CardSources
from sopbook.model.project import Project
from sopbook.render.addresses import permalink
from sopbook.render.templating import MACROS_DIR, environment

CARD_TEMPLATE = "card/card.html"
CARD_CSS = "card/card.css"


def stylesheet(root: Path, font: CjkFont) -> str:
    """card.css with the checked CJK family first, so no glyph falls back to a box."""
    css = (Path(root) / MACROS_DIR / CARD_CSS).read_text(encoding="utf-8")
    family = font.family.replace('"', "")
    return f'html, body {{ font-family: "{family}", sans-serif; }}\n{css}'


def card_url(project: Project, sources: CardSources, site_url: str | None) -> str | None:
    """Where the QR code points: the card's source section, absolute (a phone cannot open a relative URL)."""
    return permalink(project, sources.front.address, site_url) if site_url else None


def card_html(project: Project, sources: CardSources, site_url: str | None) -> str:
    url = card_url(project, sources, site_url)
    template = environment(project.root).get_template(CARD_TEMPLATE)
    return template.render(
        card=sources.card,
        title=sources.title,
        kind=sources.kind,
        front=sources.front,
        fronts=sources.fronts,
        backs=sources.backs,
        handbook=project.handbook,
        qr=qr_slot(url) if url else None,
        url=url,
    )
