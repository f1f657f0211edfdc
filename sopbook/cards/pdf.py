"""Render one card's HTML to a PDF with WeasyPrint: confined fetching, fit check, write.

A Renderer is built once per worker process (WeasyPrint imported, fonts configured, the card
stylesheet parsed) and then renders many cards, so a card costs only its own layout and PDF
(issue 6: set up once per worker, not per card).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .fit import Overflow, measure
from .qr import fill_qr_slots


@dataclass(frozen=True)
class CardJob:
    card_id: str
    html: str
    sides: tuple[str, ...]  # ('front',) or ('front', 'back')
    out: str  # PDF path to write when the card fits


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

    class ProjectFetcher(URLFetcher):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self.blocked: list[str] = []  # what was refused, for the tests and the report

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            self.blocked.append(url)
            raise ValueError(f"sopbook cards read only files inside the project, not {url}")

    return ProjectFetcher(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # A back may repeat a checklist the front names (its heading ids twice): harmless in a PDF.
        if not message.startswith("Anchor defined twice"):
            self.messages.append(message)


class Renderer:
    def __init__(self, root: Path, css: str) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self._weasyprint = weasyprint
        self.root = Path(root).resolve()
        self.base_url = self.root.as_uri() + "/"
        self.fetcher = confined_fetcher(self.root)
        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(string=css, base_url=self.base_url, url_fetcher=self.fetcher,
                                         font_config=self.font_config)

    def render(self, job: CardJob) -> CardResult:
        start = time.perf_counter()
        result = CardResult(job.card_id)
        log = logging.getLogger("weasyprint")
        collect = _Collect()
        log.addHandler(collect)
        try:
            html = self._weasyprint.HTML(string=fill_qr_slots(job.html), base_url=self.base_url,
                                         url_fetcher=self.fetcher)
            document = html.render(stylesheets=[self.stylesheet], font_config=self.font_config)
            result.pages = len(document.pages)
            result.overflows = measure(document, job.sides)
            if not result.overflows:
                document.write_pdf(job.out)
                result.size = Path(job.out).stat().st_size
        except Exception as exc:  # reported as a finding with the card id, never a traceback
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            log.removeHandler(collect)
        result.warnings = collect.messages
        result.seconds = time.perf_counter() - start
        return result
