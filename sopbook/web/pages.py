"""The web handbook's pages, rendered from the model through the templates in macros/.

One page per written chapter, plus the syllabus, a KPI overview, the card index and the
content-health page; and the expansion of `{{ ref() }}`, `{{ checklist() }}` and `{{ card() }}`
in trainers' hand-written pages. Nothing here knows about MkDocs events: the plugin
(mkdocs_plugin.py) decides when to call these functions, and tests call them directly.

Every string from YAML reaches HTML through a Jinja template with autoescape on, so `<script>`
in content is text on the page and in the search index.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from sopbook.render import addresses
from sopbook.findings import Finding, Loc
from sopbook.model.nodes import Chapter, KpiTable, Pending, Section, SyllabusEntry
from sopbook.model.cards import sheet_chapter, sheet_file, sheet_groups
from sopbook.model.completeness import chapter_completeness
from sopbook.model.project import Entry, Project, chapter_file, walk
from sopbook.render.templating import render
from sopbook.model.trainer_refs import MacroError, body_line_offset, macro_finding, resolve, scan

# Where the generated pages live (MkDocs src_uri). A chapter is `<id>/index.md`, so its URL is
# `<id>/` on any static server (addresses.page_url) and `<id>/index.html` from file://, where
# Material's offline plugin turns directory URLs off.
SYLLABUS = "syllabus/index.md"
KPIS = "kpis/index.md"
CARDS = "cards/index.md"
HEALTH = "health/index.md"


def chapter_src_uri(chapter_id: str) -> str:
    return addresses.page_path(chapter_id)


@lru_cache(maxsize=None)  # a File per call was a tenth of rendering the pages
def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page at src_uri (mirrors mkdocs.structure.files.File.url)."""
    from mkdocs.structure.files import File

    return File(src_uri, src_dir=None, dest_dir="", use_directory_urls=use_directory_urls).url


def relative(target: str, from_url: str) -> str:
    """`target` (site-relative, optionally with #anchor) as seen from the page at `from_url`."""
    from mkdocs.utils import get_relative_url

    path, _, anchor = target.partition("#")
    if anchor and path in ("", from_url):
        return f"#{anchor}"  # same page
    rel = get_relative_url(path or ".", from_url)
    return rel + (f"#{anchor}" if anchor else "")


def label_of(node: Any) -> str:
    """What a thing is called when something links to it."""
    for name in ("title", "name", "label"):
        value = getattr(node, name, None)
        if value:
            return f"MOT {node.number} {value}" if name == "title" and hasattr(node, "number") else value
    return getattr(node, "id", "") or ""


@dataclass
class Site:
    """The handbook as MkDocs will write it: which page has which URL."""

    project: Project
    use_directory_urls: bool = True
    site_url: str | None = None
    _card_sources: dict[str | None, list] | None = field(default=None, init=False, repr=False)

    def card_sources(self, chapter_id: str | None = None) -> list[tuple[Any, Entry | None]]:
        """(card, resolved source) in checklists/ order: all cards, or those of one chapter.
        Grouped once per site: filtering every card for every chapter page was quadratic."""
        if self._card_sources is None:
            grouped: dict[str | None, list] = {None: []}
            for card in self.project.cards:
                entry = self.project.resolve(card.source)
                grouped[None].append((card, entry))
                if entry is not None:
                    grouped.setdefault(entry.chapter.id, []).append((card, entry))
            self._card_sources = grouped
        return self._card_sources.get(chapter_id, [])

    def url(self, src_uri: str) -> str:
        return page_url(src_uri, self.use_directory_urls)

    def planned(self, chapter_id: str) -> SyllabusEntry | None:
        return next((e for e in self.project.handbook.syllabus if e.id == chapter_id and e.planned), None)

    def address_url(self, address: str) -> str | None:
        """Site-relative URL of a global id: the chapter page and the thing's anchor."""
        chapter_id, _, thing = address.partition(".")
        if self.project.chapter(chapter_id) is None:
            if self.planned(chapter_id) and not thing:
                return f"{self.url(SYLLABUS)}#{chapter_id}"
            return None
        return self.url(chapter_src_uri(chapter_id)) + (f"#{thing}" if thing else "")

    def links(self, src_uri: str, context: Chapter | None = None) -> "Links":
        return Links(self, self.url(src_uri), context)


@dataclass
class Links:
    """What templates call to link a reference from one page: href(ref) and label(ref)."""

    site: Site
    from_url: str
    context: Chapter | None = None

    def entry(self, ref: str) -> Entry | None:
        return self.site.project.resolve(ref, self.context)

    def href(self, ref: str) -> str | None:
        entry = self.entry(ref)
        address = entry.address if entry else ref
        target = self.site.address_url(address)
        return relative(target, self.from_url) if target else None

    def label(self, ref: str) -> str:
        entry = self.entry(ref)
        if entry:
            return label_of(entry.node)
        planned = self.site.planned(ref)
        return planned.title if planned and planned.title else ref

    def to(self, target: str) -> str:
        """A site-relative path (e.g. a card's PDF) from this page."""
        return relative(target, self.from_url)


# ---- table of contents --------------------------------------------------------------------------
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


# ---- completeness ---------------------------------------------------------------------------
@dataclass
class Completeness:
    chapter: Chapter
    total: int  # headings: sections plus pending blocks
    pending: int
    percent: float


def completeness_rows(project: Project) -> list[Completeness]:
    """Per chapter, how many of its headings have their body."""
    return [Completeness(project.chapter(c.chapter_id), c.sections, c.pending, c.percent)
            for c in chapter_completeness(project)]


@dataclass
class PendingItem:
    chapter: Chapter
    address: str
    title: str
    where: str
    note: str | None = None


def pending_items(project: Project) -> list[PendingItem]:
    items = []
    for chapter in project.chapters:
        for node, parents in walk(chapter):
            if isinstance(node, Section) and node.pending or isinstance(node, Pending):
                anchor = node.id or next((p.id for p in reversed(parents) if getattr(p, "id", None)), "")
                address = f"{chapter.id}.{anchor}" if anchor and anchor != chapter.id else chapter.id
                items.append(PendingItem(chapter, address, node.title, str(node.at or chapter_file(project, chapter)),
                                         getattr(node, "note", None)))
    return items


# ---- pages --------------------------------------------------------------------------------------
@dataclass
class Page:
    src_uri: str
    title: str
    html: str
    search: bool = True  # overview pages repeat chapter content: keep them out of search results
    chapter: Chapter | None = None

    @property
    def markdown(self) -> str:
        # One raw HTML block: Python-Markdown passes it through untouched (no Markdown inside
        # content, so a `*` or `{{ }}` in YAML is just a character).
        return self.html.strip() + "\n"


def cards_for(site: Site, links: Links, chapter: Chapter | None = None) -> list[dict]:
    out = []
    for card, entry in site.card_sources(chapter.id if chapter is not None else None):
        out.append({
            "card": card,
            "title": card.title or (label_of(entry.node) if entry else card.source),
            "source_label": label_of(entry.node) if entry else card.source,
            "source_href": links.href(card.source),
            "chapter": entry.chapter if entry else None,
            "pdf": links.to(addresses.card_pdf(card.id)),
            "back": [{"label": links.label(ref), "href": links.href(ref)} for ref in card.back],
        })
    return out


def render_chapter(site: Site, chapter: Chapter) -> Page:
    src = chapter_src_uri(chapter.id)
    links = site.links(src, chapter)
    next_link = None
    if chapter.next or chapter.next_text:
        next_link = {
            "text": chapter.next_text or links.label(chapter.next),
            "label": links.label(chapter.next) if chapter.next else None,
            "href": links.href(chapter.next) if chapter.next else None,
            "planned": bool(chapter.next and site.planned(chapter.next)),
        }
    body = render(site.project.root, "page/chapter.html", chapter=chapter, links=links,
                  cards=cards_for(site, links, chapter), next_link=next_link)
    return Page(src, chapter.title, body, chapter=chapter)


def render_syllabus(site: Site) -> Page:
    links = site.links(SYLLABUS)
    days: list[dict] = []
    for entry in site.project.handbook.syllabus:
        chapter = site.project.chapter(entry.id)
        day = (chapter.day if chapter else None) or entry.day
        row = {
            "entry": entry,
            "chapter": chapter,
            "title": chapter.title if chapter else (entry.title or entry.id),
            "module": (chapter.module if chapter else None) or entry.module,
            "href": links.href(entry.id) if chapter else None,
            "planned": chapter is None,
        }
        if days and days[-1]["day"] == day:
            days[-1]["rows"].append(row)
        else:
            days.append({"day": day, "rows": [row]})
    body = render(site.project.root, "page/syllabus.html", handbook=site.project.handbook, days=days)
    return Page(SYLLABUS, "课程大纲", body)


def render_kpis(site: Site) -> Page:
    links = site.links(KPIS)
    tables = []
    for chapter in site.project.chapters:
        for node, _parents in walk(chapter):
            if isinstance(node, KpiTable):
                tables.append({"chapter": chapter, "table": node, "href": links.href(f"{chapter.id}.{node.id}"),
                               "rows": [{"kpi": k, "href": links.href(f"{chapter.id}.{k.id}")} for k in node.kpis]})
    body = render(site.project.root, "page/kpis.html", tables=tables)
    return Page(KPIS, "KPI 总览", body, search=False)


def card_groups(site: Site, links: Links) -> list[dict]:
    """The card index's sections: one per file in checklists/, each with its A4 sheet.

    A section is named after its cards' chapter when they all come from one (what a trainer
    looks for), else after its file.
    """
    from urllib.parse import quote

    rows = {row["card"].id: row for row in cards_for(site, links)}
    groups = []
    for name, cards in sheet_groups(site.project.cards).items():
        members = [rows[card.id] for card in cards]
        chapter = sheet_chapter([row["chapter"] for row in members])
        groups.append({
            "title": chapter.title if chapter is not None else name,
            "chapter": chapter,  # then the cards need not name it again
            "file": cards[0].at.file if cards[0].at else None,
            # The sheets lie beside the cards' PDFs; a file name is not an id, so it is quoted.
            "sheet": links.to(f"cards/{quote(sheet_file(name))}"),
            "cards": members,
        })
    return groups


def render_cards(site: Site) -> Page:
    links = site.links(CARDS)
    groups = card_groups(site, links)
    body = render(site.project.root, "page/cards.html", groups=groups, handbook=site.project.handbook,
                  count=sum(len(g["cards"]) for g in groups))
    return Page(CARDS, "检查卡", body)


def render_health(site: Site, findings: list[Finding]) -> Page:
    links = site.links(HEALTH)
    project = site.project

    def row(f: Finding) -> dict:
        return {"f": f, "href": links.href(f.address) if f.address else None}

    # Info findings (pending headings, planned chapters) have their own sections below.
    open_findings = [row(f) for f in findings if not f.acknowledged and f.level != "info"]
    acknowledged = [row(f) for f in findings if f.acknowledged]
    pending = [{"item": p, "href": links.href(p.address)} for p in pending_items(project)]
    planned = [e for e in project.handbook.syllabus if e.planned and project.chapter(e.id) is None]
    completeness = [{"c": c, "href": links.href(c.chapter.id)} for c in completeness_rows(project)]
    body = render(project.root, "page/health.html", open_findings=open_findings, acknowledged=acknowledged,
                  pending=pending, planned=planned, completeness=completeness, handbook=project.handbook)
    return Page(HEALTH, "内容健康", body, search=False)


def render_site(site: Site, findings: list[Finding]) -> list[Page]:
    pages = [render_chapter(site, chapter) for chapter in site.project.chapters]
    pages += [render_syllabus(site), render_kpis(site), render_cards(site), render_health(site, findings)]
    return pages


def nav(site: Site, pages: list[Page], other_pages: list[tuple[str, str | None]]) -> list:
    """Navigation by course day: home, syllabus, one section per day, trainer pages, overviews.

    `other_pages` are the hand-written pages (src_uri, title or None) from docs/.
    """
    def title(text: str) -> str:
        return escape(text)  # nav titles are HTML in themes; Markup so |e does not escape twice

    items: list = []
    handwritten = dict(other_pages)
    if "index.md" in handwritten:
        items.append({"首页": "index.md"})
    items.append({"课程大纲": SYLLABUS})
    days: list[tuple[str, list]] = []
    for page in pages:
        if page.chapter is None:
            continue
        day = page.chapter.day
        label = title(f"第 {day} 天") if day else "其他章节"
        if not days or days[-1][0] != label:
            days.append((label, []))
        days[-1][1].append({title(page.title): page.src_uri})
    items += [{label: chapters} for label, chapters in days]
    trainers = [src for src in handwritten if src.startswith("trainers/")]
    if trainers:
        items.append({"培训师": sorted(trainers)})
    items.append({"手册工具": [{"KPI 总览": KPIS}, {"检查卡": CARDS}, {"内容健康": HEALTH}]})
    rest = sorted(src for src in handwritten if src != "index.md" and not src.startswith("trainers/"))
    items += rest
    return items


# ---- trainer pages ------------------------------------------------------------------------------
_MARKDOWN_SPECIAL = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~<>"}


def inline_text(text: str) -> Markup:
    """Text for inline HTML inside Markdown: escaped, and with Markdown's own punctuation as
    entities, because Python-Markdown still parses the text between inline tags."""
    return Markup("".join(_MARKDOWN_SPECIAL.get(c, str(escape(c))) for c in text))


@dataclass
class Expanded:
    markdown: str
    errors: list[Finding] = field(default_factory=list)


def expand_trainer_page(site: Site, src_uri: str, markdown: str, display: str, line_offset: int = 0) -> Expanded:
    """Replace {{ ref('a.b') }}, {{ checklist('a.b') }} and {{ card('id') }} in a trainer page.

    The macros are the ones `sopbook check` reads (trainer_refs.scan) and resolve the same way,
    so every error here is one the check reports too, with the same file, line and column; the
    text of a broken macro is left as it was so the caller can collect all errors, then abort.
    """
    project = site.project
    links = site.links(src_uri)
    out: list[str] = []
    errors: list[Finding] = []
    pos = 0
    for item in scan(markdown):
        out.append(markdown[pos:item.start])
        pos = item.end
        original = markdown[item.start:item.end]
        target = (macro_finding(item, display, line_offset) if isinstance(item, MacroError)
                  else resolve(project, item, display, line_offset))
        if isinstance(target, Finding):
            errors.append(target)
            out.append(original)
        elif target.card is not None:
            info = cards_for(site, links)
            card_row = next(i for i in info if i["card"].id == target.card.id)
            out.append(render(project.root, "page/ref.html", kind="card", item=card_row,
                              label=inline_text(card_row["title"])).strip())
        elif target.func == "checklist":
            entry = target.entry
            block = render(project.root, "page/ref.html", kind="checklist", checklist=entry.node,
                           links=site.links(src_uri, entry.chapter), source_href=links.href(entry.address),
                           source_label=entry.chapter.title)
            # A raw HTML block must stand alone between blank lines for Markdown to pass it on.
            out.append("\n\n" + block.strip() + "\n\n")
        else:
            entry = target.entry
            out.append(render(project.root, "page/ref.html", kind="ref", href=links.href(entry.address),
                              label=inline_text(label_of(entry.node)), entry=entry).strip())
    out.append(markdown[pos:])
    return Expanded("".join(out), errors)


def asset(name: str) -> str:
    return (Path(__file__).parent / "assets" / name).read_text(encoding="utf-8")


__all__ = ["Site", "Links", "Page", "render_site", "nav", "toc_tokens", "expand_trainer_page",
           "completeness_rows", "pending_items"]
