"""A generated page's table of contents and anchors, read from its HTML.

Generated pages skip Python-Markdown, so the plugin gives MkDocs what Markdown's pass would
have: the headings as the table of contents, and the ids other pages' links are checked against.
"""
from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser

from markupsafe import escape


class _Headings(HTMLParser):
    """Collect h1-h6 that have an id, with their text but without the permalink sign."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._current: list | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and attrs.get("id"):
            self._current = [int(tag[1]), attrs["id"], []]
        elif self._current is not None and tag == "a" and "headerlink" in (attrs.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._current is not None and re.fullmatch(r"h[1-6]", tag):
            level, anchor, parts = self._current
            self.found.append((level, anchor, " ".join("".join(parts).split())))
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._skip:
            self._current[2].append(data)


_HEADING = re.compile(r"<h[1-6]\b.*?</h[1-6]\s*>", re.S | re.I)


def toc_tokens(page_html: str, max_level: int = 4) -> list[dict]:
    """The page's table of contents, nested by heading level (MkDocs toc token format)."""
    parser = _Headings()
    # Only the headings: the HTMLParser is slow, and template output has no <h1>-<h6> outside them.
    parser.feed("".join(_HEADING.findall(page_html)))
    parser.close()
    root: list[dict] = []
    stack: list[dict] = []
    for level, anchor, text in parser.found:
        if level > max_level:
            continue
        # Themes print toc ids into href="#..." unescaped: escape here too (ids are slugs anyway).
        token = {"level": level, "id": str(escape(anchor)), "name": str(escape(text)), "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


_ANCHOR = re.compile(r'<(?:[a-z][a-z0-9]*\s[^>]*?\bid|a\s[^>]*?\bname)="([^"]*)"', re.I)


def anchor_ids(page_html: str) -> set[str]:
    """The ids a link can point to in a generated page, as MkDocs collects them from raw HTML.

    Template output quotes every attribute with `"` and escapes values, so a pattern is exact
    here.
    """
    return {html_unescape(m) for m in _ANCHOR.findall(page_html)}
