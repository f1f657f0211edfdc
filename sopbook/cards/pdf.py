"""Render one card's HTML to a PDF with WeasyPrint: confined fetching, fit check, write.

A Renderer is built once per worker process (WeasyPrint imported, fonts configured, the card
stylesheet parsed) and then renders many cards, so a card costs only its own layout and PDF
(set up once per worker, not per card).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlsplit

from sopbook._util.logs import collected
from sopbook.cards.fit import Overflow, card_of, measure
from sopbook.cards.fonts import find_cjk_font
from sopbook.cards.qr import fill_qr_slots
from sopbook.cards.subset import SCHEME, CardFont, card_chars, card_font


@dataclass(frozen=True)
class CardJob:
    card_id: str
    html: str
    sides: tuple[str, ...]  # ('front',) or ('front', 'back')
    out: str  # PDF path to write when the card fits ("" to measure the fit alone)


@dataclass
class CardResult:
    card_id: str
    pages: int = 0
    overflows: list[Overflow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.overflows and not self.error


def confined_fetcher(root: Path):
    """A WeasyPrint URL fetcher that reads files inside `root` and data: URLs, nothing else.

    Content is escaped by the templates, so `<img src="file:///etc/passwd">` in a YAML string is
    text; this is the second wall, for a template that someday emits a URL it should not.
    """
    from weasyprint.urls import URLFetcher

    root = Path(root).resolve()

    from weasyprint.urls import URLFetcherResponse

    class ProjectFetcher(URLFetcher):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.blocked: list[str] = []  # what was refused, for the tests and the report
            self.fonts: dict[str, bytes] = {}  # the card faces of the document being rendered

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == SCHEME and url in self.fonts:
                return URLFetcherResponse(url, self.fonts[url])
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            self.blocked.append(url)
            raise ValueError(f"sopbook cards read only files inside the project, not {url}")

    return ProjectFetcher(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    """What WeasyPrint logs while the block runs: it warns (a refused URL, an unknown CSS
    property) and carries on, so its log is the only place a card's problems show.

    The records stop here: the build reports them as findings, one per kind with a count,
    not as a terminal line per card from each worker."""
    # A back may repeat a checklist the front names (its heading ids twice): harmless in a PDF.
    with collected("weasyprint", logging.WARNING, quiet=True,
                   keep=lambda message: not message.startswith("Anchor defined twice")) as messages:
        yield messages


class Renderer:
    def __init__(self, root: Path, css: str) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self._weasyprint = weasyprint
        self.root = Path(root).resolve()
        self.base_url = self.root.as_uri() + "/"
        self.fetcher = confined_fetcher(self.root)
        self._font_configuration = FontConfiguration
        self.font_config = FontConfiguration()
        self.css = css
        self.stylesheet = weasyprint.CSS(string=css, base_url=self.base_url, url_fetcher=self.fetcher,
                                         font_config=self.font_config)
        font = find_cjk_font()
        self.family = font.family if font else None

    def card_font(self, job: CardJob, warnings: list[str]) -> CardFont | None:
        """The CJK face cut to this card's characters (subset.py says why), or None: the card is
        then set in the whole face, as large as WeasyPrint makes it, and the build says so."""
        if self.family is None:
            return None
        try:
            return card_font(self.family, card_chars(job.html, self.css))
        except Exception as exc:  # an unreadable font file, a HarfBuzz without subsetting
            warnings.append(f"the CJK font could not be cut to the card's characters ({exc}): "
                            "the card embeds a much larger font")
            return None

    def _fonts_for(self, fonts: list[CardFont | None]):
        """The faces served to this document, and a fresh font configuration when it has any:
        each card face is registered with fontconfig, and a worker renders hundreds of cards."""
        self.fetcher.fonts = {url: data for font in fonts if font for url, data in font.files.items()}
        return self._font_configuration() if any(fonts) else self.font_config

    def render(self, job: CardJob) -> CardResult:
        start = time.perf_counter()
        result = CardResult(job.card_id)
        with _weasyprint_warnings() as warnings:
            try:
                font = self.card_font(job, warnings)
                html = self._weasyprint.HTML(string=_with_font(fill_qr_slots(job.html), font, self.family),
                                             base_url=self.base_url, url_fetcher=self.fetcher)
                document = html.render(stylesheets=[self.stylesheet], font_config=self._fonts_for([font]))
                result.pages = len(document.pages)
                result.overflows = measure(document.pages, job.sides)
                if not result.overflows and job.out:  # no path: measured for the fit only
                    document.write_pdf(job.out)
                    result.size = Path(job.out).stat().st_size
            except Exception as exc:  # reported as a finding with the card id, never a traceback
                result.error = f"{type(exc).__name__}: {exc}"
        result.warnings = warnings
        result.seconds = time.perf_counter() - start
        return result

    def render_batch(self, jobs: list[CardJob]) -> list[CardResult]:
        """Several cards as one WeasyPrint document, split into one PDF per card.

        Per card, a separate document costs WeasyPrint's set-up and font loading again; one
        document shares them across the batch (about half the time a card, measured on the
        benchmark's cards: benchmarks/RESULTS.md). Each card is set in its own cut face and its
        PDF keeps only that face (_own_fonts), so batching changes no card's bytes. Each card
        starts on a new page and is fit-checked on its own pages. A batch that fails or warns is
        rendered card by card instead, so every error and warning names its card.
        """
        batchable = len(jobs) > 1 and len({_body_attributes(job.html) for job in jobs}) == 1
        if not batchable:
            return [self.render(job) for job in jobs]
        start = time.perf_counter()
        failed = False
        with _weasyprint_warnings() as warnings:
            try:
                fonts = [self.card_font(job, warnings) for job in jobs]
                html = self._weasyprint.HTML(string=_batch_html(jobs, fonts, self.family),
                                             base_url=self.base_url, url_fetcher=self.fetcher)
                document = html.render(stylesheets=[self.stylesheet], font_config=self._fonts_for(fonts))
                pages = _pages_by_card(document, [job.card_id for job in jobs])
                results = []
                for job in jobs:
                    result = CardResult(job.card_id, pages=len(pages[job.card_id]))
                    result.overflows = measure([document.pages[i] for i in pages[job.card_id]], job.sides)
                    results.append(result)
                fitting = [(job, result) for job, result in zip(jobs, results, strict=True) if result.ok]
                if fitting:
                    _split(document.write_pdf(), [(job, pages[job.card_id]) for job, _ in fitting])
                    for job, result in fitting:
                        result.size = Path(job.out).stat().st_size
            except Exception:
                failed = True
        if failed or warnings:
            for job in jobs:
                Path(job.out).unlink(missing_ok=True)
            return [self.render(job) for job in jobs]
        seconds = (time.perf_counter() - start) / len(jobs)
        for result in results:
            result.seconds = seconds
        return results


_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.S)
_HTML_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
_META = re.compile(r'<meta name="([^"]+)" content="([^"]*)">')
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
# Each card starts a page; inside its wrapper, the first side breaks no further (card.css).
_BATCH_CSS = ".sb-batch-card { break-before: page; } .sb-batch-card:first-child { break-before: auto; }"


def _body_attributes(page: str) -> str:
    match = _BODY.search(page)
    return match[1] if match else ""


def _families(font: CardFont, family: str | None) -> str:
    """The card face first; the whole face after it draws anything the cut one lacks."""
    return ", ".join([f'"{font.family}"'] + ([f'"{family}"'] if family else []) + ["sans-serif"])


def _with_font(page: str, font: CardFont | None, family: str | None) -> str:
    """The card page with its cut face defined and its text set in it (card.css names the
    whole family on `html, body`; `html body` outranks it)."""
    if font is None:
        return page
    style = f"<style>{font.rules}\nhtml body {{ font-family: {_families(font, family)}; }}</style>"
    return page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page


def _batch_html(jobs: list[CardJob], fonts: list[CardFont | None] | None = None,
                family: str | None = None) -> str:
    """The cards' bodies, each in a wrapper that names its card (and sets it in its own cut
    face, so its PDF carries only its own glyphs), in one document."""
    fonts = fonts or [None] * len(jobs)
    first = jobs[0].html
    lang = _HTML_LANG.search(first)
    rules = "\n".join(font.rules for font in fonts if font is not None)
    parts = [f'<!DOCTYPE html><html lang="{lang[1] if lang else "zh-Hans"}"><head><meta charset="utf-8">'
             f"<style>{_BATCH_CSS}\n{rules}</style></head><body{_body_attributes(first)}>"]
    for job, font in zip(jobs, fonts, strict=True):
        body = _BODY.search(job.html)
        assert body is not None, "every card page is rendered from the card template, which has a <body>"
        style = f' style="font-family: {html_escape(_families(font, family))}"' if font else ""
        # The card id is an id (letters, digits, '-', '_', '.'), escaped all the same.
        parts.append(f'<div class="sb-batch-card" data-card="{html_escape(job.card_id)}"{style}>'
                     f"{fill_qr_slots(body[2])}</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _pages_by_card(document, card_ids: list[str]) -> dict[str, list[int]]:
    pages: dict[str, list[int]] = {card_id: [] for card_id in card_ids}
    current = None
    for index, page in enumerate(document.pages):
        current = card_of(page) or current  # a page with nothing of its own belongs to the card before
        if current not in pages:
            raise ValueError(f"page {index + 1} of the batch belongs to no card")
        pages[current].append(index)
    return pages


def _metadata(page: str) -> dict[str, str]:
    """The card's own PDF metadata, from its <head> as WeasyPrint would have written it alone."""
    meta = {name: html_unescape(value) for name, value in _META.findall(page)}
    title = _TITLE.search(page)
    out = {"/Producer": "sopbook (WeasyPrint, pypdf)"}
    if title:
        out["/Title"] = html_unescape(title[1])
    if meta.get("author"):
        out["/Author"] = meta["author"]
    if meta.get("keywords"):
        out["/Keywords"] = meta["keywords"]
    modified = meta.get("dcterms.modified", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", modified):
        out["/ModDate"] = "D:" + modified.replace("-", "") + "000000Z"
    return out


_SET_FONT = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+[-+.\d]+\s+Tf\b")


def _own_fonts(page):
    """The batch page with only the fonts it sets text in: WeasyPrint gives every page of a
    document one font dictionary, which would put all the batch's card faces in each card."""
    from pypdf.generic import DictionaryObject, NameObject

    resources = page.get("/Resources")
    fonts = resources.get_object().get("/Font") if resources is not None else None
    if fonts is None:
        return page
    used = {b"/" + name for name in _SET_FONT.findall(page.get_contents().get_data())} \
        if page.get_contents() is not None else set()
    own = DictionaryObject({NameObject(k): v for k, v in fonts.get_object().items() if k.encode() in used})
    if len(own) == len(fonts.get_object()):
        return page
    copy = DictionaryObject(resources.get_object())
    copy[NameObject("/Font")] = own
    page[NameObject("/Resources")] = copy
    return page


def _split(pdf: bytes, cards: list[tuple[CardJob, list[int]]]) -> None:
    """Write each card's pages of the batch PDF to its own file."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    reader = PdfReader(BytesIO(pdf))
    lang = cast(DictionaryObject, reader.trailer["/Root"]).get("/Lang")  # the catalog is a dictionary
    for job, indices in cards:
        writer = PdfWriter()
        for index in indices:
            writer.add_page(_own_fonts(reader.pages[index]))
        writer.add_metadata(_metadata(job.html))
        if lang is not None:  # screen readers and text extraction read Chinese as Chinese
            writer._root_object[NameObject("/Lang")] = TextStringObject(str(lang))
        with open(job.out, "wb") as handle:
            writer.write(handle)
