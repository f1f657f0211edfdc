"""A checklist's confirmation line keeps the source's label: who confirms is part of the procedure
(the source writes 客户确认:"刹车正常了吗?" → 点头确认)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sopbook.cards.html import card_html
from sopbook.model.cards import resolve_card
from sopbook.model.project import load_project
from sopbook.web import pages as web_pages

from projects import chapter, write_project

REPO = Path(__file__).resolve().parents[1]

CHECKLISTS = """
- type: checklist
  id: brakes
  title: 刹车系统
  items: [试车测试刹车效果]
  confirmation: {label: 客户确认, question: 刹车正常了吗?, expected: 点头确认}
- type: checklist
  id: other
  title: 其他维修
  items: [测试维修相关功能]
  confirmation: {text: 客户签字确认}
"""


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "q":
            self.parts.append("“")

    def handle_endtag(self, tag):
        if tag == "q":
            self.parts.append("”")

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", "", "".join(parser.parts))


def _project(tmp_path):
    write_project(tmp_path, chapter(CHECKLISTS), files={
        "checklists/cards.yml": "cards:\n  - {id: brakes-card, source: ch.brakes}\n"})
    (tmp_path / "macros").symlink_to(REPO / "macros")
    return load_project(tmp_path)


def _confirmations(html: str) -> list[str]:
    return re.findall(r'<p class="sb-confirmation">(.*?)</p>', html, re.S)


def test_the_web_page_prints_the_sources_label(tmp_path):
    project = _project(tmp_path)
    html = web_pages.render_chapter(web_pages.Site(project), project.chapters[0]).html
    brakes, other = _confirmations(html)
    assert '<span class="sb-confirmation-label">客户确认</span>' in brakes
    assert text_of(brakes) == "客户确认“刹车正常了吗?”→点头确认"
    # where the content gives no label, the line keeps the generic one
    assert text_of(other) == "确认客户签字确认"


def test_the_card_prints_the_sources_label(tmp_path):
    project = _project(tmp_path)
    (card,) = project.cards
    sources, problems = resolve_card(project, card)
    assert problems == []
    html = card_html(project, sources, None)
    (line,) = _confirmations(html)
    assert text_of(line) == "客户确认“刹车正常了吗?”→点头确认"


def test_the_real_content_keeps_who_confirms():
    project = load_project(REPO)
    labels = {address.split(".")[1]: entry.node.confirmation.label for address, entry in project.index.items()
              if getattr(entry.node, "confirmation", None) is not None}
    assert labels["verify-brakes"] == labels["verify-noise"] == labels["verify-range"] == "客户确认"
    assert labels["verify-other"] == "确认"  # the source's line is 客户签字确认 itself, with no label
