"""Reference checks: every id that content, trainers' pages and pointers name exists.

Broken references are errors that say which id was asked for and the closest ids that exist.
"""
from __future__ import annotations

from sopbook.checks._util import finding
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.nodes import Event, Kpi, Mot, Procedure, Segment
from sopbook.model.project import Project, chapter_file, walk
from sopbook.model.trainer_refs import closest_hint, page_body, page_findings
from sopbook.source.files import reserved_page, trainer_pages
from sopbook.source.site_paths import docs_dir

# Folders of the site a chapter (`<id>/index.html`) must not take: the generated pages, the cards'
# PDFs, the theme's assets and search index, and the trainer pages.
RESERVED_IDS = {"syllabus", "kpis", "cards", "health", "trainers", "assets", "search", "stylesheets",
                "javascripts", "images", "sitemap", "404"}


# What a procedure or an event names, with the messages for a name that does not exist and for
# one that names something else (`{kind}` is that thing's `type:`).
EXPECTED = {
    Kpi: (N_("KPI '{ref}' does not exist"), N_("KPI '{ref}' is a {kind}, not a kpi")),
    Segment: (N_("segment '{ref}' does not exist"), N_("segment '{ref}' is a {kind}, not a segment")),
    Mot: (N_("moment of truth '{ref}' does not exist"), N_("moment of truth '{ref}' is a {kind}, not a mot")),
}


def _expect(project, chapter, node, ref, kind, about=None) -> list[Finding]:
    missing, wrong_kind = EXPECTED[kind]
    entry = project.resolve(ref, chapter)
    if entry is None:
        hint, params = closest_hint(project, ref)
        return [finding("error", "references.missing", missing, node, chapter, hint, about=about,
                        params={"ref": ref, **params})]
    if not isinstance(entry.node, kind):
        return [finding("error", "references.wrong-kind", wrong_kind, node, chapter, about=about,
                        params={"ref": ref, "kind": entry.kind})]
    return []


def _content(project: Project) -> list[Finding]:
    out: list[Finding] = []
    planned = {e.id for e in project.handbook.syllabus}
    for chapter in project.chapters:
        if chapter.next and chapter.next not in planned and project.chapter(chapter.next) is None:
            _, closest = closest_hint(project, chapter.next)
            hint = (N_("add it to the syllabus (planned: true) or fix the id; "
                       "closest existing ids: {closest}") if closest else
                    N_("add it to the syllabus (planned: true) or fix the id; no similar id exists; "
                       "see the syllabus page for ids"))
            out.append(finding("error", "references.missing",
                               N_("next chapter '{id}' is neither written nor planned"), chapter, chapter,
                               hint, params={"id": chapter.next, **closest}))
        for node, _ in walk(chapter):
            if isinstance(node, Procedure):
                if node.governed_by:
                    out += _expect(project, chapter, node, node.governed_by, Kpi)
                if node.responds_to:
                    out += _expect(project, chapter, node, node.responds_to, Segment)
            elif isinstance(node, Event) and node.mot:
                out += _expect(project, chapter, node, node.mot, Mot)
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
            message = (N_("chapter id '{id}' is a folder the handbook site uses itself")
                       if chapter.id in RESERVED_IDS else N_("chapter id '{id}' is also the page {page}"))
            out.append(Finding("error", "references.reserved-id", message,
                               chapter.at or Loc(chapter_file(project, chapter)),
                               N_("rename the chapter, e.g. id: {id}-sop; reserved: {reserved}"), chapter.id,
                               params={"id": chapter.id, "page": pages.get(chapter.id, ""),
                                       "reserved": ", ".join(sorted(RESERVED_IDS))}))
    return out


def check(project: Project) -> list[Finding]:
    return _content(project) + _trainer_pages(project) + reserved_ids(project)
