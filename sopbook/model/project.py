"""Load a whole sopbook project (handbook.yml, content/*.yml, checklists/*.yml) into the model.

Every problem in every file is collected first and raised once as LoadFailed, each with
file:line:col, so an editor fixes them all in one pass.
"""
from __future__ import annotations

import datetime
import gc
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sopbook.findings import Finding, LoadFailed, Loc
from sopbook.i18n import N_
from sopbook.model.errors import got, validation_findings
from sopbook.model.ledger import EDITIONS_FILE, Ledger
from sopbook.model.nodes import Card, CardFile, Chapter, Handbook, Node
from sopbook.source.files import unsafe_file
from sopbook.source.language import handbook_language
from sopbook.source.templates import MACROS_DIR as MACROS_DIR  # a handbook's own templates
from sopbook.source.yaml_loader import LocDict, read_yaml

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


@dataclass
class Project:
    root: Path
    handbook: Handbook
    chapters: list[Chapter]
    cards: list[Card]
    index: dict[str, Entry] = field(default_factory=dict)
    ledger: Ledger = field(default_factory=Ledger)  # the cards' released editions (model/editions.py)
    language: str = "en"  # what sopbook says on pages, cards and in the terminal (source/language.py)

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


_PLAIN = (str, int, float, bool, type(None), datetime.date)


def _plain(annotation: Any) -> bool:
    """True when a field's values can never be or hold a node: text, numbers, dates, literals."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return True
    if origin is typing.Annotated:
        return _plain(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return all(_plain(a) for a in typing.get_args(annotation))
    return (isinstance(annotation, type) and issubclass(annotation, _PLAIN)
            and not issubclass(annotation, Node))


@cache
def _child_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that can hold nodes, in declaration order. walk() runs over
    every node for every check family; skipping the text fields halves the checks' time."""
    return tuple(name for name, f in cls.model_fields.items() if name != "at" and not _plain(f.annotation))


def iter_children(node: Any) -> Iterator[Node]:
    """Direct child nodes of a model object, in document order."""
    for name in _child_fields(node.__class__):
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
        yield from walk(child, (*parents, node))


def _display(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# A file that is one value, not `key: value` lines, by what YAML read (errors.got).
_NOT_A_MAPPING = {
    "list": N_("the file must be a mapping of fields, but it is a list"),
    "text": N_("the file must be a mapping of fields, but it is '{got}'"),
    "number": N_("the file must be a mapping of fields, but it is a number ({got})"),
    "bool": N_("the file must be a mapping of fields, but it is true/false ({got})"),
}


def load_model(model: type[BaseModel], path: Path, display: str, root: Path | None = None):
    if root is not None and (problem := unsafe_file(root, path, display)) is not None:
        raise LoadFailed([problem])
    data = read_yaml(path, display)
    if data is None:
        raise LoadFailed([Finding("error", "load.empty", N_("file is empty"), Loc(display, 1),
                                  N_("write the document or delete the file"))])
    if not isinstance(data, LocDict):
        required = [n for n, f in model.model_fields.items() if f.is_required()]
        kind, params = got(data)
        raise LoadFailed([Finding(
            "error", "load.schema", _NOT_A_MAPPING.get(kind, _NOT_A_MAPPING["text"]),
            getattr(data, "loc", None) or Loc(display, 1, 1),
            N_("start with {fields} at the beginning of lines"),
            params={**params, "fields": ", ".join(f"{n}:" for n in required)})])
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
                    N_("duplicate id '{id}' in chapter '{chapter}' (first at {first})"),
                    node.at or Loc(""), N_("ids must be unique within a chapter: rename one"), address,
                    params={"id": node_id, "chapter": chapter.id, "first": str(first)}))
                continue
            index[address] = Entry(address, chapter, node, parents)
    return index, problems


def load_project(root: Path | str, language: str | None = None) -> Project:
    """The whole project; `language` (`--lang`) overrides the handbook's own for what sopbook says."""
    # Loading makes hundreds of thousands of small objects and no garbage cycles worth finding;
    # the cyclic collector would walk them all again and again (a quarter of the load time at
    # 1000 chapters). It runs again as soon as the project is loaded.
    enabled = gc.isenabled()
    gc.disable()
    try:
        project = _load_project(root)
    finally:
        if enabled:
            gc.enable()
    project.language = handbook_language(project.root, language)
    return project


def _load_project(root: Path | str) -> Project:
    root = Path(root).resolve()
    errors: list[Finding] = []
    handbook = None
    handbook_path = root / HANDBOOK_FILE
    if not handbook_path.exists():
        errors.append(Finding("error", "load.missing", N_("no {file} in {root}"), Loc(HANDBOOK_FILE),
                              N_("run sopbook from the project folder, or pass --root"),
                              params={"file": HANDBOOK_FILE, "root": str(root)}))
    else:
        try:
            handbook = load_model(Handbook, handbook_path, HANDBOOK_FILE, root)
        except LoadFailed as exc:
            errors.extend(exc.findings)

    def load_folder(folder: str, model: type[BaseModel]) -> Iterator[tuple[Any, str]]:
        for path in sorted((root / folder).glob("*.yml")):
            if folder == CARDS_DIR and path.name == EDITIONS_FILE:
                continue  # the ledger of the cards' editions, read below
            display = _display(root, path)
            try:
                yield load_model(model, path, display, root), display
            except LoadFailed as exc:
                errors.extend(exc.findings)

    chapters: list[Chapter] = []
    chapter_files: dict[str, str] = {}
    for chapter, display in load_folder(CONTENT_DIR, Chapter):
        if chapter.id in chapter_files:
            errors.append(Finding("error", "references.duplicate-id",
                                  N_("chapter id '{id}' is also used by {file}"),
                                  chapter.at or Loc(display), N_("give each chapter its own id"),
                                  params={"id": chapter.id, "file": chapter_files[chapter.id]}))
            continue
        chapter_files[chapter.id] = display
        chapters.append(chapter)

    cards: list[Card] = []
    card_files: dict[str, Loc] = {}
    for card_file, display in load_folder(CARDS_DIR, CardFile):
        for card in card_file.cards:
            if card.id in card_files:
                errors.append(Finding("error", "references.duplicate-id",
                                      N_("card id '{id}' already defined at {first}"),
                                      card.at or Loc(display), N_("give each card its own id"),
                                      params={"id": card.id, "first": str(card_files[card.id])}))
                continue
            card_files[card.id] = card.at or Loc(display)
            cards.append(card)

    ledger = Ledger()
    ledger_path = root / CARDS_DIR / EDITIONS_FILE
    if ledger_path.exists():
        try:
            ledger = load_model(Ledger, ledger_path, _display(root, ledger_path), root)
        except LoadFailed as exc:
            errors.extend(exc.findings)

    index, problems = build_index(chapters)
    errors.extend(problems)
    if errors or handbook is None:
        raise LoadFailed(errors)
    # Chapters in syllabus order; chapters the syllabus does not list come last (the check says so).
    order = {entry.id: n for n, entry in enumerate(handbook.syllabus)}
    chapters.sort(key=lambda c: order.get(c.id, len(order)))
    return Project(root, handbook, chapters, cards, index, ledger)


def chapter_file(project: Project, chapter: Chapter) -> str:
    return chapter.at.file if chapter.at else f"{CONTENT_DIR}/{chapter.id}.yml"

