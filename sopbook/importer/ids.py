"""Readable, unique ids for a draft chapter, from its structure and the Latin words of its titles.

Sections are numbered by position (s1, s1-2, s1-2-3). A block, step, KPI or segment whose title
has Latin words takes them (峰终定律(Peak-End Rule) -> peak-end-rule, KPI体系 -> kpi, MOT 1 -> mot-1);
one without is named by where it stands (s2-procedure, s2-procedure-step3, s4-kpis-2). No pinyin is
guessed: an id is either the source's own Latin words or the draft's structure.
"""
from __future__ import annotations

import re

from sopbook.importer.draft import Node, Value
from sopbook.importer.lines import fold
from sopbook.model.nodes import ID_PATTERN

LATIN = re.compile(r"[A-Za-z][A-Za-z]*(?:[ -]?\d+)?")
MAX_WORDS = 3
MAX_LENGTH = 48
# Every node kind that has an id field, and the word that names one by its place.
NAMED = {"list": "list", "table": "table", "talk": "talk", "checklist": "checklist", "procedure": "procedure",
         "kpis": "kpis", "timeline": "timeline", "case": "case", "segments": "segments",
         "followups": "followups", "calculation": "calculation", "mots": "mots", "pending": "pending"}


def slug(text: str) -> str | None:
    """The Latin words of a title as an id, or None when it has none."""
    words = [re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in LATIN.findall(fold(text))][:MAX_WORDS]
    found = "-".join(w for w in words if w)[:MAX_LENGTH].strip("-")
    return found if found and re.match(ID_PATTERN, found) else None


def file_slug(name: str) -> str | None:
    """A chapter id from a file name: delivery.txt -> delivery, Day 19 模块4.txt -> day-19-4."""
    found = re.sub(r"[^a-z0-9]+", "-", fold(name).lower()).strip("-")[:MAX_LENGTH].strip("-")
    return found if found and re.match(ID_PATTERN, found) else None


def _heading(title: str) -> bool:
    return len(title) <= 40 and not any(c in ",。;!" for c in fold(title))


class Registry:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        found, n = wanted, 2
        while found in self.used:
            found, n = f"{wanted}-{n}", n + 1
        self.used.add(found)
        return found


def assign(chapter: Node) -> None:
    registry = Registry()
    sections = chapter.nodes("sections")
    _number_sections(sections, "s", registry)
    for section in sections:
        _section_blocks(section, registry)


def _number_sections(sections: list[Node], prefix: str, registry: Registry) -> None:
    for n, section in enumerate(sections, 1):
        section["id"] = registry.take(f"{prefix}{n}")
        _first(section)
        _number_sections(section.nodes("sections"), f"{section['id']}-", registry)


def _first(node: Node) -> None:
    """Put the id right after the type (or first): where a reader looks for it."""
    head: dict[str, Value] = {k: node.fields[k] for k in ("type", "id") if k in node.fields}
    node.fields = {**head, **{k: v for k, v in node.fields.items() if k not in head}}


def _section_blocks(section: Node, registry: Registry) -> None:
    _blocks(section.nodes("blocks"), str(section["id"]), registry)
    for child in section.nodes("sections"):
        _section_blocks(child, registry)


def _blocks(blocks: list[Node], scope: str, registry: Registry, counts: dict[str, int] | None = None) -> None:
    """Ids for a list of blocks; `counts` is shared by lists that one scope numbers together (the
    blocks of every event of a timeline)."""
    counts = {} if counts is None else counts
    for node in blocks:
        if node.kind not in NAMED:
            continue
        counts[node.kind] = counts.get(node.kind, 0) + 1
        n = counts[node.kind]
        place = f"{scope}-{NAMED[node.kind]}" + (str(n) if n > 1 else "")
        title = node.text("title")
        # Only a heading's Latin words name it: in a sentence they are incidental (在App将评分改为).
        wanted = slug(title) if title and _heading(title) else None
        # A title's Latin words name a block only once; a second block with them is named by place.
        node["id"] = registry.take(wanted if wanted and wanted not in registry.used else place)
        _first(node)
        _inside(node, registry)


def _inside(node: Node, registry: Registry) -> None:
    own = str(node["id"])
    if node.kind == "procedure":
        for n, step in enumerate(node.nodes("steps"), 1):
            wanted = slug(str(step.get("title")))
            step["id"] = registry.take(wanted if wanted and wanted not in registry.used else f"{own}-step{n}")
            _first(step)
            _blocks(step.nodes("blocks"), str(step["id"]), registry)
    elif node.kind == "kpis":
        for n, kpi in enumerate(node.nodes("kpis"), 1):
            wanted = slug(str(kpi.get("name")))
            kpi["id"] = registry.take(wanted if wanted and wanted not in registry.used else f"{own}-{n}")
            _first(kpi)
    elif node.kind == "segments":
        for n, segment in enumerate(node.nodes("segments"), 1):
            segment["id"] = registry.take(f"{own}-{n}")
            _first(segment)
    elif node.kind == "mots":
        for mot in node.nodes("mots"):
            mot["id"] = registry.take(f"mot-{mot['number']}")
            _first(mot)
    elif node.kind == "checklist":
        for n, group in enumerate(node.nodes("groups"), 1):
            group["id"] = registry.take(f"{own}-{n}")
            _first(group)
    elif node.kind == "case":
        _blocks(node.nodes("blocks"), own, registry)
    elif node.kind == "timeline":
        counts: dict[str, int] = {}
        for event in node.nodes("events"):
            _blocks(event.nodes("blocks"), own, registry, counts)
