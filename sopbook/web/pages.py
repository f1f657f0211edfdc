"""The web handbook's pages, rendered from the model through the templates in macros/.

One page per written chapter, plus the syllabus, a KPI overview, the card index and the
content-health page; and the expansion of `{{ ref() }}`, `{{ checklist() }}` and `{{ card() }}`
in trainers' hand-written pages. Nothing here knows about MkDocs events: the plugin
(web/plugin.py) decides when to call these functions, and tests call them directly.

Every string from YAML reaches HTML through a Jinja template with autoescape on, so `<script>`
in content is text on the page and in the search index.

The pages link through site.py; trainer pages are expanded by trainer.py, tables of contents
read by toc.py and the navigation made by nav.py. Their public names are re-exported here: the
plugin, `sopbook export` and the tests see the web handbook through this one module.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sopbook.findings import Finding
from sopbook.i18n import N_, say
from sopbook.model.cards import sheet_chapter, sheet_file, sheet_groups
from sopbook.model.completeness import chapter_completeness
from sopbook.model.editions import REPRINT_PREFIX, reprint, reprint_name, since_previous
from sopbook.model.nodes import Chapter, KpiTable, Pending, Section
from sopbook.model.project import Project, chapter_file, walk
from sopbook.model.trainer_refs import body_line_offset
from sopbook.render.templating import render
from sopbook.web.card_pages import card_src_uri, render_card_pages
from sopbook.web.nav import nav
from sopbook.web.page import Page
from sopbook.web.site import (
    CARDS,
    HEALTH,
    KPIS,
    SYLLABUS,
    Links,
    Site,
    asset,
    cards_for,
    chapter_src_uri,
    label_of,
    page_url,
    relative,
)
from sopbook.web.toc import anchor_ids, toc_tokens
from sopbook.web.trainer import Expanded, expand_trainer_page, inline_text


# ---- completeness ---------------------------------------------------------------------------
@dataclass
class Completeness:
    chapter: Chapter
    total: int  # headings: sections plus pending blocks
    pending: int
    percent: float


def completeness_rows(project: Project) -> list[Completeness]:
    """Per chapter, how many of its headings have their body."""
    chapters = {chapter.id: chapter for chapter in project.chapters}
    return [Completeness(chapters[c.chapter_id], c.sections, c.pending, c.percent)
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
            if (isinstance(node, Section) and node.pending) or isinstance(node, Pending):
                named = (getattr(p, "id", None) for p in reversed(parents))
                anchor = node.id or next((a for a in named if a), "")
                address = f"{chapter.id}.{anchor}" if anchor and anchor != chapter.id else chapter.id
                where = str(node.at or chapter_file(project, chapter))
                items.append(PendingItem(chapter, address, node.title, where, getattr(node, "note", None)))
    return items


# ---- pages --------------------------------------------------------------------------------------
def render_chapter(site: Site, chapter: Chapter) -> Page:
    src = chapter_src_uri(chapter.id)
    links = site.links(src, chapter)
    next_link = None
    if chapter.next or chapter.next_text:
        next_link = {
            "text": chapter.next_text or links.label(chapter.next or ""),
            "label": links.label(chapter.next) if chapter.next else None,
            "href": links.href(chapter.next) if chapter.next else None,
            "planned": bool(chapter.next and site.planned(chapter.next)),
        }
    body = render(site.project, "page/chapter.html", chapter=chapter, links=links,
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
    body = render(site.project, "page/syllabus.html", handbook=site.project.handbook, days=days)
    return Page(SYLLABUS, say(N_("Syllabus"), site.project.language), body)


def render_kpis(site: Site) -> Page:
    links = site.links(KPIS)
    tables = []
    for chapter in site.project.chapters:
        for node, _parents in walk(chapter):
            if isinstance(node, KpiTable):
                rows = [{"kpi": k, "href": links.href(f"{chapter.id}.{k.id}")} for k in node.kpis]
                href = links.href(f"{chapter.id}.{node.id}")
                tables.append({"chapter": chapter, "table": node, "href": href, "rows": rows})
    body = render(site.project, "page/kpis.html", tables=tables)
    return Page(KPIS, say(N_("KPI overview"), site.project.language), body, search=False)


def card_groups(site: Site, links: Links) -> list[dict]:
    """The card index's sections: one per file in checklists/, each with its A4 sheet.

    A section is named after its cards' chapter when they all come from one (what a trainer
    looks for), else after its file.
    """
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


def reprint_group(site: Site, links: Links) -> dict | None:
    """The sheet of the cards the last release changed, each with what changed on it."""
    ledger = site.project.ledger
    name = reprint_name(ledger)
    editions = reprint(ledger, site.card_editions())
    if name is None or not editions:
        return None
    resolved = site.card_resolved()
    return {
        "date": name.removeprefix(REPRINT_PREFIX),
        "sheet": links.to(f"cards/{quote(sheet_file(name))}"),
        "cards": [{"id": e.card_id, "title": resolved[e.card_id].title,
                   "label": e.label(site.project.language),
                   "page": links.to(site.url(card_src_uri(e.card_id))),
                   "first": e.history is not None and len(e.history.editions) == 1,
                   "changes": since_previous(e.history) if e.history is not None else []}
                  for e in editions],
    }


def render_cards(site: Site) -> Page:
    links = site.links(CARDS)
    groups = card_groups(site, links)
    body = render(site.project, "page/cards.html", groups=groups, handbook=site.project.handbook,
                  count=sum(len(g["cards"]) for g in groups), reprint=reprint_group(site, links))
    return Page(CARDS, say(N_("Checklist cards"), site.project.language), body)


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
    body = render(project, "page/health.html", open_findings=open_findings, acknowledged=acknowledged,
                  pending=pending, planned=planned, completeness=completeness, handbook=project.handbook)
    return Page(HEALTH, say(N_("Content health"), project.language), body, search=False)


def render_site(site: Site, findings: list[Finding]) -> list[Page]:
    pages = [render_chapter(site, chapter) for chapter in site.project.chapters]
    pages += [render_syllabus(site), render_kpis(site), render_cards(site), render_health(site, findings)]
    return pages + render_card_pages(site)


__all__ = ["CARDS", "HEALTH", "KPIS", "SYLLABUS", "Expanded", "Links", "Page", "Site", "anchor_ids", "asset",
           "body_line_offset", "cards_for", "chapter_src_uri", "completeness_rows", "expand_trainer_page",
           "inline_text", "label_of", "nav", "page_url", "pending_items", "relative", "render_site",
           "toc_tokens"]
