"""Load a whole sopbook project (handbook.yml, content/*.yml, checklists/*.yml) into the model.

Every problem in every file is collected first and raised once as LoadFailed, each with
file:line:col, so an editor fixes them all in one pass.
"""
from __future__ import annotations

import difflib

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from .findings import Finding, LoadFailed, Loc
from .model import Block, Card, CardFile, Case, Chapter, Handbook, Node, Section, Step
from .yaml_source import LocDict, LocList, read_yaml

HANDBOOK_FILE = "handbook.yml"
CONTENT_DIR = "content"
CARDS_DIR = "checklists"


@dataclass
class Entry:
    """One addressable thing: a chapter, section, step, block with an id, KPI, segment, MOT..."""

    address: str  # chapter.thing
    chapter: Chapter
    node: Node
    parents: tuple[Node, ...] = ()  # enclosing nodes, outermost first

    @property
    def kind(self) -> str:
        return getattr(self.node, "type", None) or type(self.node).__name__.lower()

    @property
    def section(self) -> Section | None:
        """The innermost section that holds this thing: its page anchor lives there."""
        for parent in reversed(self.parents):
            if isinstance(parent, Section):
                return parent
        return self.node if isinstance(self.node, Section) else None


@dataclass
class Project:
    root: Path
    handbook: Handbook
    chapters: list[Chapter]
    cards: list[Card]
    index: dict[str, Entry] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # display path -> file, for watchers and hashes

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)

    def resolve(self, ref: str, context: Chapter | None = None) -> Entry | None:
        """'chapter.thing', 'chapter', or (with a context chapter) a bare 'thing'."""
        if ref in self.index:
            return self.index[ref]
        if context is not None and f"{context.id}.{ref}" in self.index:
            return self.index[f"{context.id}.{ref}"]
        return None

    def nearest(self, ref: str, n: int = 3) -> list[str]:
        import difflib

        return difflib.get_close_matches(ref, list(self.index), n=n, cutoff=0.4)


def iter_children(node: Any) -> Iterator[Node]:
    """Direct child nodes of a model object, in document order."""
    for name in type(node).model_fields:
        if name == "at":
            continue
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Node):
                    yield item


def walk(node: Node, parents: tuple[Node, ...] = ()) -> Iterator[tuple[Node, tuple[Node, ...]]]:
    """Every node under `node` (included) with its ancestors."""
    yield node, parents
    for child in iter_children(node):
        yield from walk(child, parents + (node,))


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _locate(data: Any, loc: tuple, display: str) -> Loc:
    """Map pydantic's error loc (('sections', 0, 'blocks', 2, 'minutes')) to the deepest YAML node."""
    best = getattr(data, "loc", Loc(display))
    node = data
    for part in loc:
        if isinstance(node, LocDict) and part in node:
            best = node.key_locs.get(part, best)
            node = node[part]
            best = getattr(node, "loc", best)
        elif isinstance(node, LocList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_locs[part]
            node = node[part]
        # other parts (union tags like 'procedure', 'function-after[...]') do not move us
    return best


def _path_text(data: Any, loc: tuple) -> str:
    """pydantic's loc as a YAML path, keeping only the parts that exist in the document
    (union tags and validator names in loc are not keys the author wrote)."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            parts.append(("." if parts else "") + str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            parts.append(f"[{part}]")
            node = node[part] if 0 <= part < len(node) else None
        elif part == loc[-1] and isinstance(node, dict):
            parts.append(("." if parts else "") + str(part))  # a missing or unknown key
    return "".join(parts)


def _did_you_mean(holder: Any, key: str) -> str:
    """Guess which model a mapping was meant to be (most known keys, same 'type') and suggest."""
    from .model import node_classes

    keys = set(holder) if isinstance(holder, dict) else set()
    best, best_score = None, (-1, False)
    for cls in node_classes():
        fields = set(cls.model_fields) - {"at"}
        type_field = cls.model_fields.get("type")
        # a block says its type; a mapping without one is a step, section, KPI, event...
        if ("type" in keys) != (type_field is not None):
            continue
        if type_field is not None and type_field.default != holder.get("type"):
            continue
        score = (len(keys & fields), bool(difflib.get_close_matches(key, fields, n=1, cutoff=0.6)))
        if score > best_score:
            best, best_score = cls, score
    if best is None:
        return ""
    fields = sorted(set(best.model_fields) - {"at"})
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(fields)}"


def _message(err: dict, holder: Any) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        return f"unknown field '{key}'", _did_you_mean(holder, key)
    if kind == "missing":
        return "required field missing", "add it; `sopbook schema` writes the JSON Schema that lists every field"
    if kind == "union_tag_invalid":
        return f"unknown block type '{ctx.get('tag')}'", f"use one of: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "block has no 'type'", "add type: prose, list, table, checklist, procedure, ..."
    if kind == "string_pattern_mismatch":
        return (f"invalid id {err.get('input')!r}",
                "ids use lowercase a-z, digits and hyphens, e.g. golden-sop (global: chapter.thing)")
    if kind in ("bool_type", "bool_parsing"):
        return err["msg"], "yes/no are text here: quote it or write true/false"
    return err["msg"], ""


def _holder(data: Any, loc: tuple) -> Any:
    """The raw mapping that contains the last element of loc."""
    node = data
    for part in loc[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
    return node


def validation_findings(exc: ValidationError, data: Any, display: str) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        where = _locate(data, loc, display)
        holder = _holder(data, loc)
        message, hint = _message(err, holder)
        path = _path_text(data, loc)
        if path:
            message = f"{path}: {message}"
        key = (where, message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding("error", "load.schema", message, where, hint))
    return out


def load_model(model: type[BaseModel], path: Path, display: str):
    data = read_yaml(path, display)
    if data is None:
        raise LoadFailed([Finding("error", "load.empty", "file is empty", Loc(display),
                                  "write the document or delete the file")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise LoadFailed(validation_findings(exc, data, display)) from exc


def build_index(chapters: list[Chapter]) -> tuple[dict[str, Entry], list[Finding]]:
    index: dict[str, Entry] = {}
    problems: list[Finding] = []
    for chapter in chapters:
        index[chapter.id] = Entry(chapter.id, chapter, chapter)
        for node, parents in walk(chapter):
            node_id = getattr(node, "id", None)
            if node is chapter or not node_id:
                continue
            address = f"{chapter.id}.{node_id}"
            if address in index:
                first = index[address].node.at
                problems.append(Finding(
                    "error", "references.duplicate-id",
                    f"duplicate id '{node_id}' in chapter '{chapter.id}' (first at {first})",
                    node.at or Loc(""), "ids must be unique within a chapter: rename one", address))
                continue
            index[address] = Entry(address, chapter, node, parents)
    return index, problems


def load_project(root: Path | str) -> Project:
    root = Path(root).resolve()
    errors: list[Finding] = []
    handbook = None
    handbook_path = root / HANDBOOK_FILE
    files: dict[str, Path] = {}
    if not handbook_path.exists():
        errors.append(Finding("error", "load.missing", f"no {HANDBOOK_FILE} in {root}", Loc(HANDBOOK_FILE),
                              "run sopbook from the project folder, or pass --root"))
    else:
        files[HANDBOOK_FILE] = handbook_path
        try:
            handbook = load_model(Handbook, handbook_path, HANDBOOK_FILE)
        except LoadFailed as exc:
            errors.extend(exc.findings)

    chapters: list[Chapter] = []
    chapter_files: dict[str, str] = {}
    for path in sorted((root / CONTENT_DIR).glob("*.yml")):
        display = _display(root, path)
        files[display] = path
        try:
            chapter = load_model(Chapter, path, display)
        except LoadFailed as exc:
            errors.extend(exc.findings)
            continue
        if chapter.id in chapter_files:
            errors.append(Finding("error", "references.duplicate-id",
                                  f"chapter id '{chapter.id}' is also used by {chapter_files[chapter.id]}",
                                  chapter.at or Loc(display), "give each chapter its own id"))
            continue
        chapter_files[chapter.id] = display
        chapters.append(chapter)

    cards: list[Card] = []
    card_files: dict[str, Loc] = {}
    for path in sorted((root / CARDS_DIR).glob("*.yml")):
        display = _display(root, path)
        files[display] = path
        try:
            card_file = load_model(CardFile, path, display)
        except LoadFailed as exc:
            errors.extend(exc.findings)
            continue
        for card in card_file.cards:
            if card.id in card_files:
                errors.append(Finding("error", "references.duplicate-id",
                                      f"card id '{card.id}' already defined at {card_files[card.id]}",
                                      card.at or Loc(display), "give each card its own id"))
                continue
            card_files[card.id] = card.at or Loc(display)
            cards.append(card)

    index, problems = build_index(chapters)
    errors.extend(problems)
    if errors or handbook is None:
        raise LoadFailed(errors)
    # Chapters in syllabus order; chapters the syllabus does not list come last (the check says so).
    order = {entry.id: n for n, entry in enumerate(handbook.syllabus)}
    chapters.sort(key=lambda c: order.get(c.id, len(order)))
    return Project(root, handbook, chapters, cards, index, files)


def chapter_file(project: Project, chapter: Chapter) -> str:
    return chapter.at.file if chapter.at else f"{CONTENT_DIR}/{chapter.id}.yml"


__all__ = ["Entry", "Project", "load_project", "walk", "iter_children", "Block", "Case", "Step"]
