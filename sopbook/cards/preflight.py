"""What printing would find, told by `sopbook check` before any build: a card that does not fit
its page ("verify-noise overflows by 40 mm"), and a character no installed font can draw.

Fit is measured, not guessed: a card is laid out by WeasyPrint exactly as the build lays it out.
The measurement is kept by the card's key (cards/cache.py: its HTML, stylesheet, font and
renderer), in the project's cache folder, and the build records every card it renders there
too; so after one build the check knows every card's fit at once, and an edit costs the
layout of the cards it changed (0.1–0.5 s each).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sopbook._util.manifest import read_manifest, write_manifest
from sopbook.cards.cache import card_key
from sopbook.cards.fit import Overflow
from sopbook.cards.fonts import find_cjk_font, harfbuzz_subset_available
from sopbook.cards.glyphs import page_chars, undrawable
from sopbook.cards.html import STYLESHEET_ERRORS, card_html, stylesheet, stylesheet_finding
from sopbook.cards.qr import resolve_site_url
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.i18n import say as said
from sopbook.model.cards import CardSources, card_address, card_loc, printable_types, resolve_card
from sopbook.model.nodes import Card
from sopbook.model.project import CARDS_DIR, Project

CACHE_DIR = ".sopbook-cache"
FIT_FILE = "fit.json"
FORMAT = 1


def cache_folder(root: Path) -> Path | None:
    """The project's cache folder, or None when it is not a plain folder of this project (a
    link planted there must not lead a write elsewhere)."""
    folder = Path(root) / CACHE_DIR
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return None
    return folder


def _cache_path(root: Path) -> Path | None:
    folder = cache_folder(root)
    return folder / FIT_FILE if folder is not None else None


class FitCache:
    """Measured overflows by card key; an empty list is a card that fits."""

    def __init__(self, root: Path) -> None:
        self.path = _cache_path(root)
        data = read_manifest(self.path, FORMAT) if self.path is not None else {}
        self.fits: dict[str, list[dict]] = dict(data.get("fits") or {})
        self.changed = False

    def get(self, key: str) -> list[Overflow] | None:
        found = self.fits.get(key)
        return None if found is None else [Overflow(**o) for o in found]

    def put(self, key: str, overflows: list[Overflow]) -> None:
        self.fits[key] = [{"side": o.side, "mm": round(o.mm, 2), "pages": o.pages, "direction": o.direction}
                          for o in overflows]
        self.changed = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write what changed; `keep` drops the measurements of cards that no longer exist."""
        if self.path is None or not self.changed:
            return
        fits = {k: v for k, v in self.fits.items() if keep is None or k in keep}
        try:
            self.path.parent.mkdir(exist_ok=True)
            write_manifest(self.path, FORMAT, {"fits": dict(sorted(fits.items()))})
        except OSError:
            pass  # a cache that cannot be written is measured again next time, nothing worse


# How a side runs over, by side and direction (a template's own side names: the generic one).
_OVERFLOWS = {
    ("front", "down"): N_("card '{card}' does not fit its {format} page: front overflows by {mm} mm "
                          "({pages} pages instead of 1)"),
    ("back", "down"): N_("card '{card}' does not fit its {format} page: back overflows by {mm} mm "
                         "({pages} pages instead of 1)"),
    ("card", "down"): N_("card '{card}' does not fit its {format} page: card overflows by {mm} mm "
                         "({pages} pages instead of 1)"),
    ("front", "right"): N_("card '{card}' does not fit its {format} page: front runs {mm} mm past its "
                           "right edge"),
    ("back", "right"): N_("card '{card}' does not fit its {format} page: back runs {mm} mm past its "
                          "right edge"),
}
_OVERFLOW_OTHER = {
    "down": N_("card '{card}' does not fit its {format} page: {side} overflows by {mm} mm "
               "({pages} pages instead of 1)"),
    "right": N_("card '{card}' does not fit its {format} page: {side} runs {mm} mm past its right edge"),
}


def overflow_findings(card: Card, overflows: list[Overflow]) -> list[Finding]:
    """The build's and the check's one wording of a card that does not fit."""
    return [Finding(
        "error", "cards.overflow",
        _OVERFLOWS.get((over.side, over.direction))
        or _OVERFLOW_OTHER.get(over.direction, _OVERFLOW_OTHER["down"]),
        card_loc(card),
        N_("shorten the items, move content to the back (back: [...]), or split the card in two"),
        card_address(card),
        params={"card": card.id, "format": card.format.upper(), "side": over.side, "mm": f"{over.mm:.1f}",
                "pages": over.pages}) for over in overflows]


def _not_measured() -> Finding:
    return Finding("info", "cards.fit-not-measured",
                   N_("the cards' fit is not measured: WeasyPrint has no CJK font or HarfBuzz subsetting "
                      "here"),
                   Loc(CARDS_DIR), N_("the build says what to install; it measures every card it renders"))


def preflight(project: Project, say: Callable[[str], None] = lambda _msg: None) -> list[Finding]:
    """Each card's undrawable characters, and its fit, from the cache or measured now (and cached)."""
    if not project.cards:
        return []
    font = find_cjk_font()
    if font is None:
        return [_not_measured()]
    root = project.root
    try:
        css = stylesheet(root, font, project.language)
    except STYLESHEET_ERRORS as exc:  # a broken card.css fails the check as it would fail the build
        return [stylesheet_finding(root, exc)]
    signature = font.signature()
    url = resolve_site_url(root).url
    cache = FitCache(root)
    printable = printable_types(root)
    todo: list[tuple[Card, str, str, tuple[str, ...]]] = []
    found: list[Finding] = []
    keys: set[str] = set()
    resolved: dict[str, CardSources] = {}
    chars: dict[str, frozenset[str]] = {}
    for card in project.cards:
        sources, _problems = resolve_card(project, card, printable)
        if sources is None:
            continue  # the references check reports it
        try:
            html = card_html(project, sources, url)
        except Exception:  # a template error is the build's finding (cards.template), with its card
            continue
        resolved[card.id], chars[card.id] = sources, page_chars(html)
        key = card_key(html, css, signature)
        keys.add(key)
        known = cache.get(key)
        if known is None:
            todo.append((card, key, html, sources.sides))
        else:
            found += overflow_findings(card, known)
    # A character no installed font draws would print as a box: said before the layout.
    found += undrawable(project, resolved, chars, font)
    if todo and not harfbuzz_subset_available():  # asked only when a card must be laid out
        return [*found, _not_measured()]
    if todo:
        from sopbook.cards.pdf import CardJob, Renderer

        measuring = (N_("measuring the fit of {n} cards (kept for the next check)") if len(todo) > 1
                     else N_("measuring the fit of {n} card (kept for the next check)"))
        say(said(measuring, project.language, {"n": len(todo)}))
        renderer = Renderer(root, css)
        for card, key, html, sides in todo:
            result = renderer.render(CardJob(card.id, html, sides, ""))
            if result.error:
                continue  # the build reports a card that cannot be rendered, with its reason
            cache.put(key, result.overflows)
            found += overflow_findings(card, result.overflows)
    cache.save(keys)
    return found
