"""The QR code on each card: it opens the card's section in the web handbook.

Encoding a QR code (segno tries all eight masks) costs about as much as rendering the rest of a
card's HTML, so the template gets a slot holding only the URL, and the worker that renders the
PDF fills it in: unchanged cards never pay for it, and changed ones pay in parallel. The slot
is a made-up element that escaped content can never produce (content's `<` is `&lt;`).
"""
from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from sopbook._util.logs import collected
from sopbook.i18n import N_

MKDOCS_FILE = "mkdocs.yml"
_SLOT = re.compile(r'<sopbook-qr data-url="([^"]*)"></sopbook-qr>')
# Names reserved for examples and tests (RFC 2606, RFC 6761): nobody can publish a handbook there.
_PLACEHOLDER_TLDS = (".invalid", ".example", ".test", ".localhost")
_PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org", "localhost")


@dataclass(frozen=True)
class SiteUrl:
    """The site_url the web handbook is built with, as the cards' QR codes use it."""

    url: str | None  # None: the cards print no QR code
    problem: str = ""  # why the codes would lead nowhere, a message id ('' when they lead to the handbook)
    code: str = ""  # the finding's code for the problem
    hint: str = ""  # a message id
    line: int = 0  # where mkdocs.yml sets site_url (its first line when it does not)
    params: Mapping[str, object] = field(default_factory=dict, compare=False)  # fill problem and hint


def _placeholder(host: str) -> bool:
    host = host.lower().rstrip(".")
    return (host.endswith(_PLACEHOLDER_TLDS) or host in _PLACEHOLDER_DOMAINS
            or host.endswith(tuple("." + domain for domain in _PLACEHOLDER_DOMAINS))
            or re.fullmatch(r"127(\.\d+){3}|\[?::1\]?|0\.0\.0\.0", host) is not None)


def resolve_site_url(root: Path) -> SiteUrl:
    """mkdocs.yml's site_url as MkDocs resolves it (`!ENV [SITE_URL, ...]`, INHERIT, its own
    checks), so a card's QR code opens the address the web build was made for."""
    path = Path(root) / MKDOCS_FILE
    if not path.is_file():
        return SiteUrl(None, N_("there is no mkdocs.yml, so no site_url: the cards are printed without a "
                                "QR code"), "cards.no-site-url",
                       N_("copy mkdocs.yml from the sopbook repository"))
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material 9.8's banner when its theme loads
    from mkdocs.config import load_config

    # What MkDocs logs about mkdocs.yml is the web build's to print; here its errors only say
    # why there is no site_url (its exception says just "Aborted with a configuration error!").
    with collected("mkdocs", logging.ERROR, quiet=True, tidy=lambda text: " ".join(text.split())) as errors:
        try:
            url = load_config(str(path)).site_url
        except Exception as exc:  # MkDocs refuses mkdocs.yml: no site_url to print
            reason = "; ".join(errors) or " ".join(str(exc).split()) or type(exc).__name__
            return SiteUrl(None, N_("MkDocs cannot read mkdocs.yml ({reason}): the cards are printed "
                                    "without a QR code"), "cards.no-site-url",
                           N_("fix mkdocs.yml; `mkdocs build` names the same"), params={"reason": reason})
    if not url or not url.strip():
        return _problem(path, None, N_("mkdocs.yml has no site_url: the cards are printed without a QR code"),
                        "cards.no-site-url")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return _problem(path, None, N_("site_url in mkdocs.yml is {url}, not an http(s) address a phone "
                                       "can open: the cards are printed without a QR code"),
                        "cards.no-site-url", url)
    if _placeholder(parts.hostname or ""):
        return _problem(path, url, N_("site_url in mkdocs.yml is {url}, a placeholder: the QR codes on the "
                                      "cards lead nowhere"), "cards.placeholder-site-url", url)
    return SiteUrl(url)


def _problem(path: Path, url: str | None, message: str, code: str, written: str = "") -> SiteUrl:
    """A site_url the cards cannot use well, located where mkdocs.yml sets it (its first line when it
    does not), with what to type: this project's mkdocs.yml may take site_url from SITE_URL (`!ENV`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    line = next((n for n, written in enumerate(text.splitlines(), 1) if written.startswith("site_url:")), 1)
    if re.search(r"^site_url:\s*!ENV\b.*\bSITE_URL\b", text, re.M):
        hint = N_("build with the handbook's address: SITE_URL=https://<the handbook's address>/ "
                  "sopbook build")
    else:
        hint = N_("set the handbook's public address in mkdocs.yml: "
                  "site_url: https://<the handbook's address>/")
    return SiteUrl(url, message, code, hint, line, {"url": written})


def site_url(root: Path) -> str | None:
    """The URL the cards' QR codes start from (None: no QR code)."""
    return resolve_site_url(root).url


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
