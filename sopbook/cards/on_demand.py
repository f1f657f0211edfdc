"""Card PDFs for the live preview, rendered when the browser asks for one.

`mkdocs serve` writes pages, not cards; without this the card index and the cards' pages link
PDFs that answer 404 in the preview. The first request after an edit renders what the edit
changed (build_cards reuses every card whose key is unchanged, as `sopbook build` does) into
the project's cache folder; later requests read the files.
"""
from __future__ import annotations

import threading
from pathlib import PurePosixPath

from sopbook.cards import build_cards
from sopbook.cards.preflight import cache_folder
from sopbook.findings import Finding, failing
from sopbook.model.project import Project

PREVIEW_CARDS = "preview-cards"  # in the project's cache folder


class CardsOnDemand:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # the preview server answers requests in threads
        self._rendered: Project | None = None
        self._findings: list[Finding] = []


    def pdf(self, project: Project, path: str) -> tuple[bytes | None, list[Finding]]:
        """The PDF at `path` ("cards/<id>.pdf", "cards/a4/<file>.pdf"), rendered for this project
        if it was not yet; None with the findings when the cards cannot be printed."""
        parts = PurePosixPath(path).parts
        if not parts or parts[0] != "cards" or ".." in parts or not path.endswith(".pdf"):
            return None, []
        cache = cache_folder(project.root)
        if cache is None:
            return None, []
        folder = cache / PREVIEW_CARDS
        with self._lock:
            if self._rendered is not project:
                folder.mkdir(parents=True, exist_ok=True)
                report = build_cards(project, folder, previous=folder, progress=False)
                self._rendered, self._findings = project, report.findings
            if failing(self._findings):
                return None, failing(self._findings)
            file = folder.joinpath(*parts[1:])
            return (file.read_bytes() if file.is_file() else None), []
