"""A card as HTML: card/card.html around the same block macros the web handbook uses (each the
handbook's own in macros/ or the built-in one)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from sopbook.cards.fonts import CjkFont
from sopbook.cards.qr import qr_slot
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.model.cards import CardSources
from sopbook.model.editions import CardEdition, card_editions
from sopbook.model.project import Project
from sopbook.render.addresses import card_page
from sopbook.render.templating import environment, error_at, read
from sopbook.source import templates

CARD_TEMPLATE = "card/card.html"
CARD_CSS = "card/card.css"


def stylesheet(root: Path, font: CjkFont, lang: str = SOURCE_LANGUAGE) -> str:
    """card.css with the checked CJK family first, so no glyph falls back to a box, and the words
    card.css prints itself in the handbook's language (`var(--sb-checklist-label)`)."""
    css = read(root, CARD_CSS)
    family = font.family.replace('"', "")
    label = _css_string(say(N_("Checklist: "), lang))
    return f'html, body {{ font-family: "{family}", sans-serif; --sb-checklist-label: {label}; }}\n{css}'


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


# What reading card.css can raise: a missing or unreadable file, or text that is not UTF-8.
STYLESHEET_ERRORS = (OSError, UnicodeError, jinja2.TemplateNotFound, templates.TemplatesMissing)


def stylesheet_finding(root: Path, exc: Exception) -> Finding:
    if isinstance(exc, templates.TemplatesMissing):
        return Finding("error", "cards.template", exc.text, Loc(CARD_CSS), N_("reinstall sopbook"),
                       params=exc.params)
    found = templates.template_file(root, CARD_CSS)
    hint, params = templates.fix_hint(root, CARD_CSS)
    if isinstance(exc, jinja2.TemplateNotFound):
        text = N_("cannot read the card stylesheet {file}: there is no such file")
    elif isinstance(exc, UnicodeError):
        text = N_("cannot read the card stylesheet {file}: it is not UTF-8 text")
    else:
        text = N_("cannot read the card stylesheet {file}: {detail}")
    detail = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
    return Finding("error", "cards.template", text,
                   Loc(templates.shown(root, found) if found else f"{templates.MACROS_DIR}/{CARD_CSS}"),
                   hint, params={**params, "file": CARD_CSS, "detail": detail})


def template_finding(root: Path, sources: CardSources, exc: Exception) -> Finding:
    """A card whose templates fail: the template file and line, and whether it is the handbook's own."""
    at = error_at(root, exc)
    card = sources.card
    error = {"card": card.id, "error": type(exc).__name__, "detail": str(exc)}
    if at is None:
        hint, params = templates.fix_hint(root, CARD_TEMPLATE)
        return Finding("error", "cards.template", N_("card '{card}': {error}: {detail}"),
                       card.at or Loc("checklists"), hint, f"cards.{card.id}", params={**params, **error})
    path, line = at
    name = templates.name_of(root, path) or path.name
    hint, params = templates.fix_hint(root, name)
    return Finding("error", "cards.template",
                   N_("card '{card}': {error} in the template {template}: {detail}"),
                   Loc(templates.shown(root, path), line), hint, f"cards.{card.id}",
                   params={**params, **error})


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
