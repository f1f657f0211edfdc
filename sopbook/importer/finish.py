"""The last pass over a draft: empty headings become pending, stated totals are kept only where the
check can measure them, ids are given, and the references the source makes plain are written.

The references are the ones the text names, never guessed from meaning:
- a procedure whose heading states its total (15分钟) is governed by the chapter's one KPI whose
  target is in minutes, when there is exactly one;
- a procedure whose title names an NPS segment (贬损者挽回六步法) responds to that segment;
- an event under a `MOT n - ...` sub-heading is that moment of truth.
`sopbook check` then measures each: the steps against the total, the total against the KPI's
range, the first deadline against the segment's, the event's time against the MOT's window.
"""
from __future__ import annotations

import re

from sopbook.i18n import N_, Said
from sopbook.importer import ids
from sopbook.importer import lines as ln
from sopbook.importer.draft import Node, walk
from sopbook.model.quantities import parse_target

INTERNAL = ("style", "minute")  # what the builder keeps for itself, never written
MOT_TITLE = re.compile(r"^MOT\s*(?P<n>\d{1,3})(?!\d)")


def finish(chapter: Node, chapter_id: str) -> None:
    chapter.fields = {"id": chapter_id, **chapter.fields}
    chapter.fields.setdefault("sections", [])
    _empty_headings(chapter)
    for node in walk(chapter):
        if node.kind == "section" and not node.nodes("blocks") and not node.nodes("sections") \
                and not node.get("blocks"):
            node["pending"] = True
        if node.kind == "procedure":
            _stated_total(node)
    ids.assign(chapter)
    _governed_by(chapter)
    _responds_to(chapter)
    _moments(chapter)
    if "next_text" in chapter:
        chapter.comments.append(Said(N_("next_text: add next: with the id of the chapter it names")))
    for node in walk(chapter):
        for key in INTERNAL:
            node.fields.pop(key, None)


def _empty(section: Node) -> bool:
    return not section.nodes("blocks") and not section.nodes("sections")


def _empty_headings(parent: Node) -> None:
    """Headings in a row with no text between them are each empty: a section that holds nothing
    but empty sections is not their parent, they follow it (五、…五大核心能力 then 本章核心要点)."""
    sections = parent.nodes("sections")
    out: list[Node] = []
    for section in sections:
        children = section.nodes("sections")
        if children and not section.nodes("blocks") and all(_empty(c) for c in children):
            section.fields.pop("sections")
            out += [section, *children]
        else:
            _empty_headings(section)
            out.append(section)
    if sections:
        parent["sections"] = list(out)


def _stated_total(procedure: Node) -> None:
    total = procedure.get("total_minutes")
    if total is None:
        return
    if any("minutes" not in step for step in procedure.nodes("steps")):
        del procedure.fields["total_minutes"]
        procedure.comments.append(Said(N_("the heading states {minutes} minutes, but not every step states "
                                          "its own: no total_minutes"), {"minutes": total}))


def _unit(target: object) -> str | None:
    try:
        return parse_target(str(target)).unit
    except ValueError:
        return None


def _governed_by(chapter: Node) -> None:
    in_minutes = [k for n in walk(chapter) if n.kind == "kpis" for k in n.nodes("kpis")
                  if _unit(k.get("target")) == "分钟"]
    if len(in_minutes) != 1:
        return
    for node in walk(chapter):
        if node.kind == "procedure" and "total_minutes" in node:
            node["governed_by"] = in_minutes[0]["id"]
            said = N_("governed_by: the chapter's one KPI with a target in minutes ({name})")
            node.comments.append(Said(said, {"name": in_minutes[0].get("name")}))


def _responds_to(chapter: Node) -> None:
    segments = [s for n in walk(chapter) if n.kind == "segments" for s in n.nodes("segments")]
    for node in walk(chapter):
        if node.kind != "procedure":
            continue
        named = [s for s in segments if str(s.get("label")) in str(node.get("title"))]
        if len(named) == 1:
            node["responds_to"] = named[0]["id"]
            node.comments.append(Said(N_("responds_to: the segment its title names ({label})"),
                                      {"label": named[0].get("label")}))


def _moments(chapter: Node) -> None:
    mots = {m.get("number"): m for n in walk(chapter) if n.kind == "mots" for m in n.nodes("mots")}
    for node in walk(chapter):
        if node.kind == "event" and (m := ln.match(MOT_TITLE, str(node.get("title") or ""))):
            found = mots.get(int(m.group("n")))
            if found is not None:
                node["mot"] = found["id"]
