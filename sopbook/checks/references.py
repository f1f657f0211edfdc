"""Reference checks: every id that content, trainers' pages and pointers name exists.

Broken references are errors that say which id was asked for and the closest ids that exist.
"""
from __future__ import annotations


from ..findings import Finding, Loc
from ..model import Event, Kpi, Mot, Procedure, Segment
from ..project import Project, walk
from ..trainer_refs import find_refs, trainer_pages
from ._util import finding


def closest_hint(project: Project, ref: str) -> str:
    near = project.nearest(ref)
    return f"closest existing ids: {', '.join(near)}" if near else "no similar id exists; see the syllabus page for ids"


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
                               f"next chapter '{chapter.next}' is neither written nor planned", chapter, chapter,
                               f"add it to the syllabus (planned: true) or fix the id; {closest_hint(project, chapter.next)}"))
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
    out: list[Finding] = []
    for path in trainer_pages(project.root):
        display = str(path.relative_to(project.root))
        text = path.read_text(encoding="utf-8", errors="replace")
        cards = {card.id for card in project.cards}
        for ref in find_refs(text):
            if ref.func == "card" and ref.ref in cards:
                continue  # card('delivery-run') names a card; card('delivery.golden-sop') its source
            if project.resolve(ref.ref) is None:
                out.append(Finding("error", "references.trainer-page",
                                   f"{ref.func}('{ref.ref}') points to an id that does not exist",
                                   Loc(display, ref.line, ref.col), closest_hint(project, ref.ref), ref.ref))
    return out


def check(project: Project) -> list[Finding]:
    return _content(project) + _trainer_pages(project)
