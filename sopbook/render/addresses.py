"""Where things live on the web: one place that turns a global id into a page and an anchor.

A chapter is the page `<chapter-id>/`; everything inside it is the anchor `#<thing-id>` on that
page (ids are unique per chapter, so anchors are unique per page). Cards' QR codes, trainer
links and the card index all use these functions.
"""
from __future__ import annotations

from sopbook.model.project import Project


def page_path(chapter_id: str) -> str:
    """Source path of the generated page (mkdocs src_uri). `<id>/index.md`, not `<id>.md`: the
    offline plugin turns off directory URLs, and only a folder's index keeps `<id>/` working."""
    return f"{chapter_id}/index.md"


def page_url(chapter_id: str) -> str:
    """URL of the chapter page relative to the site root (mkdocs use_directory_urls)."""
    return f"{chapter_id}/"


def relative_url(address: str) -> str:
    chapter_id, _, thing = address.partition(".")
    return page_url(chapter_id) + (f"#{thing}" if thing else "")


def permalink(project: Project, address: str, site_url: str | None) -> str:
    """Absolute URL when the site has a site_url, relative otherwise."""
    base = (site_url or "").rstrip("/")
    url = relative_url(address)
    return f"{base}/{url}" if base else url


def item_anchor(checklist_id: str, number: int) -> str:
    """Anchor of a checklist's item, counted from 1 over its items and then its groups' items
    (`Checklist.all_items`). Ids never hold `--`, so it cannot clash with an author's id."""
    return f"{checklist_id}--{number}"


def card_page(card_id: str) -> str:
    """URL of a card's own page (what its QR code opens) relative to the site root."""
    return f"cards/{card_id}/"


def card_pdf(card_id: str) -> str:
    """Path of a card's PDF relative to the site root."""
    return f"cards/{card_id}.pdf"
