"""A generated page of the web handbook, as the plugin hands it to MkDocs."""
from __future__ import annotations

from dataclasses import dataclass

from sopbook.model.nodes import Chapter


@dataclass
class Page:
    src_uri: str
    title: str
    html: str
    search: bool = True  # overview pages repeat chapter content: keep them out of search results
    chapter: Chapter | None = None
    in_nav: bool = True  # a card's page is reached by its QR code and the card index, not the menu

    @property
    def markdown(self) -> str:
        # One raw HTML block: Python-Markdown passes it through untouched (no Markdown inside
        # content, so a `*` or `{{ }}` in YAML is just a character).
        return self.html.strip() + "\n"
