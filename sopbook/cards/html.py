"""A card as HTML: card/card.html around the same block macros the web handbook uses (each the
handbook's own in macros/ or the built-in one)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from sopbook.cards.fonts import CjkFont
from sopbook.cards.qr import qr_slot
from sopbook.findings import Finding, Loc
from sopbook.model.cards import CardSources
from sopbook.model.editions import CardEdition, card_editions
from sopbook.model.project import Project
from sopbook.render.addresses import card_page
from sopbook.render.templating import environment, error_at, read
from sopbook.source import templates

CARD_TEMPLATE = "card/card.html"
CARD_CSS = "card/card.css"


def stylesheet(root: Path, font: CjkFont) -> str:
    """card.css with the checked CJK family first, so no glyph falls back to a box."""
    css = read(root, CARD_CSS)
    family = font.family.replace('"', "")
    return f'html, body {{ font-family: "{family}", sans-serif; }}\n{css}'


# What reading card.css can raise: a missing or unreadable file, or text that is not UTF-8.
STYLESHEET_ERRORS = (OSError, UnicodeError, jinja2.TemplateNotFound, templates.TemplatesMissing)


def stylesheet_finding(root: Path, exc: Exception) -> Finding:
    if isinstance(exc, templates.TemplatesMissing):
        return Finding("error", "cards.template", str(exc), Loc(CARD_CSS), "reinstall sopbook")
    found = templates.template_file(root, CARD_CSS)
    return Finding("error", "cards.template", f"cannot read the card stylesheet {CARD_CSS}: {exc}",
                   Loc(templates.shown(root, found) if found else f"{templates.MACROS_DIR}/{CARD_CSS}"),
                   templates.fix_hint(root, CARD_CSS))


def template_finding(root: Path, sources: CardSources, exc: Exception) -> Finding:
    """A card whose templates fail: the template file and line, and whether it is the handbook's own."""
    at = error_at(root, exc)
    card = sources.card
    if at is None:
        return Finding("error", "cards.template", f"card '{card.id}': {type(exc).__name__}: {exc}",
                       card.at or Loc("checklists"), templates.fix_hint(root, CARD_TEMPLATE),
                       f"cards.{card.id}")
    path, line = at
    name = templates.name_of(root, path) or path.name
    return Finding("error", "cards.template",
                   f"card '{card.id}': {type(exc).__name__} in the template {name}: {exc}",
                   Loc(templates.shown(root, path), line), templates.fix_hint(root, name), f"cards.{card.id}")


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
    template = environment(project.root, project.language).get_template(CARD_TEMPLATE)
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
