"""The QR code on each card: it opens the card's section in the web handbook.

Encoding a QR code (segno tries all eight masks) costs about as much as rendering the rest of a
card's HTML, so the template gets a slot holding only the URL, and the worker that renders the
PDF fills it in: unchanged cards never pay for it, and changed ones pay in parallel. The slot
is a made-up element that escaped content can never produce (content's `<` is `&lt;`).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from markupsafe import Markup, escape

MKDOCS_FILE = "mkdocs.yml"
_SLOT = re.compile(r'<sopbook-qr data-url="([^"]*)"></sopbook-qr>')


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading that reads past mkdocs.yml's own tags (!ENV, !!python/name:...) as plain None."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_url(root: Path) -> str | None:
    """mkdocs.yml's `site_url` (the web developer owns that file; only this key is read)."""
    path = Path(root) / MKDOCS_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (OSError, yaml.YAMLError):
        return None
    url = data.get("site_url") if isinstance(data, dict) else None
    return url.strip() if isinstance(url, str) and url.strip() else None


def qr_slot(url: str) -> Markup:
    """Where the template puts the QR code; fill_qr_slots() replaces it with the code."""
    return Markup(f'<sopbook-qr data-url="{escape(url)}"></sopbook-qr>')


def qr_svg(url: str) -> str:
    """The QR code as inline SVG: vector, so it stays sharp on the laminated card, and no fetch."""
    import segno

    # Error level M survives a scratched or glare-spotted laminate better than L.
    return segno.make(url, error="m", micro=False).svg_inline(scale=1, border=0, omitsize=True, dark="#000")


def fill_qr_slots(page: str) -> str:
    return _SLOT.sub(lambda m: qr_svg(html.unescape(m[1])), page)
