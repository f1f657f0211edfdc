"""Reference checks: every id that content, trainers' pages and pointers name exists.

Broken references are errors that say which id was asked for and the closest ids that exist.
"""
from __future__ import annotations

from sopbook.checks._util import finding
from sopbook.findings import Finding, Loc
from sopbook.model.nodes import Event, Kpi, Mot, Procedure, Segment
from sopbook.model.project import Project, chapter_file, walk
from sopbook.model.trainer_refs import closest_hint, page_body, page_findings
from sopbook.source.files import reserved_page, trainer_pages
from sopbook.source.site_paths import docs_dir

# Folders of the site a chapter (`<id>/index.html`) must not take: the generated pages, the cards'
# PDFs, the theme's assets and search index, and the trainer pages.
RESERVED_IDS = {"syllabus", "kpis", "cards", "health", "trainers", "assets", "search", "stylesheets",
                "javascripts", "images", "sitemap", "404"}


def _expect(project, chapter, node, ref, kind, label, about=None) -> list[Finding]:
    entry = project.resolve(ref, chapter)
    if entry is None:
        return [finding("error", "references.missing", f"{label} '{ref}' does not exist", node, chapter,
                        closest_hint(project, ref), about=about)]
    if kind is not None and not isinstance(entry.node, kind):
        return [finding("error", "references.wrong-kind",
                        f"{label} '{ref}' is a {entry.kind}, not a {kind.__name__.lower()}", node, chapter,
                        about=about)]
    return []


def _content(project: Project) -> list[Finding]:
    out: list[Finding] = []
    planned = {e.id for e in project.handbook.syllabus}
    for chapter in project.chapters:
        if chapter.next and chapter.next not in planned and project.chapter(chapter.next) is None:
            out.append(finding("error", "references.missing",
                               f"next chapter '{chapter.next}' is neither written nor planned", chapter,
                               chapter,
                               "add it to the syllabus (planned: true) or fix the id; "
                               f"{closest_hint(project, chapter.next)}"))
        for node, _ in walk(chapter):
            if isinstance(node, Procedure):
                if node.governed_by:
                    out += _expect(project, chapter, node, node.governed_by, Kpi, "KPI")
                if node.responds_to:
                    out += _expect(project, chapter, node, node.responds_to, Segment, "segment")
            elif isinstance(node, Event) and node.mot:
                out += _expect(project, chapter, node, node.mot, Mot, "moment of truth")
    return out


def _trainer_pages(project: Project) -> list[Finding]:
    """The macros of every readable page in docs/ (docs_files reports the unreadable ones)."""
    out: list[Finding] = []
    for display, source in trainer_pages(project.root):
        body, offset = page_body(source)
        out += page_findings(project, body, display, offset)
    return out


GENERATED_PAGES = ("syllabus", "kpis", "cards", "health")  # web/pages.py writes <name>/index.md


def _docs_pages(root) -> dict[str, str]:
    """Top-level pages of docs/ that become a folder's index page of the site, by folder name:
    `docs/lessons/index.md` (or README.md) and, with directory URLs, `docs/lessons.md`."""
    folder = docs_dir(root)
    base = root / folder
    if not base.is_dir():
        return {}
    out = {}
    for path in sorted(base.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".md" and path.stem not in ("index", "README"):
            out[path.stem] = f"{folder}/{path.name}"
        for name in ("index.md", "README.md"):
            if (path / name).is_file():
                out[path.name] = f"{folder}/{path.name}/{name}"
    return out


def reserved_ids(project: Project) -> list[Finding]:
    """Chapter ids that would collide with the site's own folders or with pages of docs/, and
    docs/ pages where the handbook writes a page of its own."""
    pages = _docs_pages(project.root)
    out = [reserved_page(project.root, pages[name]) for name in GENERATED_PAGES if name in pages]
    for chapter in project.chapters:
        if chapter.id in RESERVED_IDS or chapter.id in pages:
            why = ("a folder the handbook site uses itself" if chapter.id in RESERVED_IDS
                   else f"also the page {pages[chapter.id]}")
            out.append(Finding("error", "references.reserved-id", f"chapter id '{chapter.id}' is {why}",
                               chapter.at or Loc(chapter_file(project, chapter)),
                               f"rename the chapter, e.g. id: {chapter.id}-sop; reserved: "
                               f"{', '.join(sorted(RESERVED_IDS))}", chapter.id))
    return out


def check(project: Project) -> list[Finding]:
    return _content(project) + _trainer_pages(project) + reserved_ids(project)
