"""Completeness checks: what a heading promises is there, and what the source left empty is listed.

- a count claimed in a title ("三大使命", "六步法", "五个技巧") matches what is listed under it;
- a section is never silently empty: it has content or is marked pending (source heading kept);
- every checklist has items, every procedure has steps, every step of a timed procedure has minutes;
- pending headings and planned chapters are reported (level info) so the health page lists them.
"""
from __future__ import annotations

from sopbook.checks._util import finding
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.nodes import (
    BulletList,
    Calculation,
    Chapter,
    Checklist,
    FollowUps,
    KpiTable,
    MotSet,
    Node,
    Pending,
    Procedure,
    Section,
    SegmentTable,
    Table,
    TalkTrack,
    Timeline,
)
from sopbook.model.project import HANDBOOK_FILE, Project, walk
from sopbook.model.quantities import claimed_count

# What each kind of block lists, by the field that holds the list.
_LISTED = {
    Procedure: "steps", Table: "rows", BulletList: "items", KpiTable: "kpis", MotSet: "mots",
    SegmentTable: "segments", FollowUps: "entries", TalkTrack: "lines", Timeline: "events",
    Calculation: "inputs",
}


def listed_count(block: Node) -> int | None:
    """How many things a titled block lists, or None when it lists nothing countable."""
    if isinstance(block, Checklist):  # a checklist of pause points lists its groups
        return len(block.groups) if block.groups and not block.items else len(block.all_items())
    field = _LISTED.get(type(block))
    return len(getattr(block, field)) if field else None


def _section_counts(section: Section) -> list[int]:
    """Everything a section could be said to list: its subsections, or the items of one block."""
    counts = [len(section.sections)] if section.sections else []
    counts += [n for b in section.blocks if (n := listed_count(b)) is not None]
    return counts or [0]


def _claims(chapter: Chapter) -> list[Finding]:
    out: list[Finding] = []
    for node, _ in walk(chapter):
        title = getattr(node, "title", None)
        if not title or isinstance(node, Pending) or node is chapter:
            continue
        claimed = claimed_count(title)
        if claimed is None:
            continue
        if isinstance(node, Section):
            if node.pending or not node.count:
                continue
            found = _section_counts(node)
        else:
            n = listed_count(node)
            if n is None:
                continue
            found = [n]
        if claimed not in found:
            counts = [str(n) for n in sorted(set(found))]
            if len(counts) > 1:  # a section's subsections, or the items of one of its blocks
                message = N_("'{title}' claims {claimed}, but {found} or {last} are listed "
                             "(claimed {claimed}, found {found} or {last})")
            elif found == [1]:
                message = N_("'{title}' claims {claimed}, but {found} is listed "
                             "(claimed {claimed}, found {found})")
            else:
                message = N_("'{title}' claims {claimed}, but {found} are listed "
                             "(claimed {claimed}, found {found})")
            out.append(finding(
                "error", "completeness.claimed-count", message, node, chapter,
                N_("list every item the title promises, or mark the heading pending if the source "
                   "has no body"),
                params={"title": title, "claimed": claimed, "found": ", ".join(counts[:-1] or counts),
                        "last": counts[-1]}))
    return out


def _sections(chapter: Chapter) -> list[Finding]:
    out: list[Finding] = []
    for node, _ in walk(chapter):
        if isinstance(node, Section):
            if node.pending and (node.blocks or node.sections):
                out.append(finding("error", "completeness.pending-with-body",
                                   N_("section '{title}' is marked pending but has content"), node, chapter,
                                   N_("remove pending: true now that the body is written"),
                                   params={"title": node.title}))
            elif node.pending:
                out.append(_pending(node, chapter))
            elif not node.blocks and not node.sections:
                out.append(finding("error", "completeness.empty-section",
                                   N_("section '{title}' is empty"), node, chapter,
                                   N_("write its content, or set pending: true if the source leaves "
                                      "it empty"),
                                   params={"title": node.title}))
        elif isinstance(node, Pending):
            out.append(_pending(node, chapter))
        elif isinstance(node, Checklist) and not node.all_items():
            out.append(finding("error", "completeness.empty-checklist",
                               N_("checklist '{title}' has no items"), node, chapter,
                               N_("add its items"), params={"title": node.title}))
        elif isinstance(node, Procedure) and not node.steps:
            out.append(finding("error", "completeness.empty-procedure",
                               N_("procedure '{title}' has no steps"), node, chapter,
                               N_("add its steps"), params={"title": node.title}))
        elif isinstance(node, Procedure) and node.total_minutes is not None:
            for step in node.steps:
                if step.minutes is None:
                    out.append(finding("error", "completeness.step-minutes",
                                       N_("step '{step}' of timed procedure '{title}' has no minutes"),
                                       step, chapter, N_("give every step of a timed procedure its minutes"),
                                       params={"step": step.title, "title": node.title}))
    return out


def _pending(node: Section | Pending, chapter: Chapter) -> Finding:
    """A heading the source has without a body; the report lists it by `title`."""
    return finding("info", "completeness.pending",
                   N_("pending: '{title}' (the source has this heading but no body)"), node, chapter,
                   params={"title": node.title})


def _syllabus(project: Project) -> list[Finding]:
    out: list[Finding] = []
    written = {c.id for c in project.chapters}
    listed = set()
    for entry in project.handbook.syllabus:
        listed.add(entry.id)
        loc = entry.at or Loc(HANDBOOK_FILE)
        if entry.planned:
            if entry.id in written:
                out.append(Finding("warning", "completeness.planned-written",
                                   N_("syllabus marks '{id}' planned, but content/ has that chapter"), loc,
                                   N_("remove planned: true"), entry.id, params={"id": entry.id}))
            elif not entry.title:
                out.append(Finding("error", "completeness.planned-title",
                                   N_("planned chapter '{id}' has no title"), loc,
                                   N_("add title:"), entry.id, params={"id": entry.id}))
            else:
                message = (N_("planned chapter: Day {day} {title} (not written yet)") if entry.day else
                           N_("planned chapter: {title} (not written yet)"))
                out.append(Finding("info", "completeness.planned-chapter", message, loc, "", entry.id,
                                   params={"day": entry.day, "title": entry.title}))
        elif entry.id not in written:
            out.append(Finding("error", "references.syllabus-chapter",
                               N_("syllabus lists chapter '{id}' but content/ has no such chapter"), loc,
                               N_("create content/{id}.yml or mark the entry planned: true"), entry.id,
                               params={"id": entry.id}))
    for chapter in project.chapters:
        if chapter.id not in listed:
            out.append(Finding("warning", "completeness.not-in-syllabus",
                               N_("chapter '{id}' is not in the syllabus"),
                               chapter.at or Loc(HANDBOOK_FILE),
                               N_("add '- id: {id}' to syllabus in {file}"), chapter.id,
                               params={"id": chapter.id, "file": HANDBOOK_FILE}))
    return out


def check(project: Project) -> list[Finding]:
    out: list[Finding] = []
    for chapter in project.chapters:
        out.extend(_claims(chapter))
        out.extend(_sections(chapter))
    out.extend(_syllabus(project))
    return out
