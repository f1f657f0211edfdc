"""Render one card's HTML to a PDF with WeasyPrint: confined fetching, fit check, write.

A Renderer is built once per worker process (WeasyPrint imported, fonts configured, the card
stylesheet parsed) and then renders many cards, so a card costs only its own layout and PDF
(set up once per worker, not per card).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sopbook._util.logs import collected
from sopbook.cards.fit import Overflow, measure
from sopbook.cards.fonts import find_cjk_font
from sopbook.cards.qr import fill_qr_slots
from sopbook.cards.structure import footer_in_place
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
    worker_failed: bool = False  # the worker process died (out of memory, killed), not the card
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
                    document.write_pdf(job.out, finisher=footer_in_place, **PDF_OPTIONS)
                    result.size = Path(job.out).stat().st_size
            except Exception as exc:  # reported as a finding with the card id, never a traceback
                result.error = f"{type(exc).__name__}: {exc}"
        result.warnings = warnings
        result.seconds = time.perf_counter() - start
        return result

    def render_each(self, jobs: list[CardJob]) -> list[CardResult]:
        """A worker's share of cards, each rendered as its own WeasyPrint document.

        Each card is a tagged PDF whose structure tree (headings, lists, tables in reading order)
        is the one WeasyPrint wrote for it, so a screen reader reads the card as the page shows
        it. Several cards to a document, split afterwards, broke that tree; now that each card
        is set in its own cut face, the batch saved nothing either: alone is faster and smaller
        (benchmarks/RESULTS.md).
        """
        return [self.render(job) for job in jobs]


# Tagged: the card's headings, lists and tables as a structure tree a screen reader follows,
# in the language (zh-Hans) and under the title of the card page's <html lang> and <title>.
PDF_OPTIONS = {"pdf_tags": True}


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
