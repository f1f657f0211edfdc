"""Load a whole sopbook project (handbook.yml, content/*.yml, checklists/*.yml) into the model.

Every problem in every file is collected first and raised once as LoadFailed, each with
file:line:col, so an editor fixes them all in one pass.
"""
from __future__ import annotations

import datetime
import difflib
import gc
import json
import math
import re
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from sopbook.findings import Finding, LoadFailed, Loc
from sopbook.source.files import unsafe_file
from sopbook.model.nodes import Card, CardFile, Chapter, Handbook, Node
from sopbook.source.yaml_loader import LocDict, LocList, read_yaml

HANDBOOK_FILE = "handbook.yml"
CONTENT_DIR = "content"
CARDS_DIR = "checklists"
MACROS_DIR = "macros"  # the templates web pages and cards share (render/templating.py)


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
    return isinstance(annotation, type) and issubclass(annotation, _PLAIN) and not issubclass(annotation, Node)


@lru_cache(maxsize=None)
def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that can hold nodes, in declaration order. walk() runs over
    every node for every check family; skipping the text fields halves the checks' time."""
    return tuple(name for name, f in cls.model_fields.items() if name != "at" and not _plain(f.annotation))


def iter_children(node: Any) -> Iterator[Node]:
    """Direct child nodes of a model object, in document order."""
    for name in _child_fields(type(node)):
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


def _visible(text: str) -> str:
    """Invisible characters (BOM, NBSP, zero-width space) escaped, so a path shows where they are."""
    return "".join(c if c == " " or unicodedata.category(c) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
                   else f"\\u{ord(c):04x}" for c in text)


def _path_text(data: Any, loc: tuple, key_error: bool = False) -> str:
    """pydantic's loc as a YAML path, keeping only the parts that exist in the document
    (union tags and validator names in loc are not keys the author wrote)."""
    parts: list[str] = []
    node = data
    for n, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            parts.append(("." if parts else "") + _visible(str(part)))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            parts.append(f"[{part}]")
            node = node[part] if 0 <= part < len(node) else None
        elif key_error and n == len(loc) - 1 and isinstance(node, dict):
            parts.append(("." if parts else "") + _visible(str(part)))  # a missing or unknown key
    return "".join(parts)


def _is_key_error(err: dict) -> bool:
    return err["type"] in ("missing", "extra_forbidden")


def _first_tag(data: Any, err: dict) -> int | None:
    """Index in err's loc of the first part that is not in the document: the name of a union
    member ('ListItem', 'function-before[...]', a block's type) that pydantic tried."""
    loc = err["loc"]
    node = data
    for n, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif n == len(loc) - 1 and _is_key_error(err):
            return None
        else:
            return n
    return None


_WANTED = {
    "string_type": "text", "list_type": "a list", "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields", "model_attributes_type": "a mapping of fields",
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
    "int_parsing": "a whole number", "bool_type": "true or false", "bool_parsing": "true or false",
}


def _resolve_unions(errors: list[dict], data: Any) -> list[dict]:
    """One finding per mistake. Where a field accepts several shapes (text or a mapping), pydantic
    reports every shape it tried; keep the shape the author evidently meant (the one that failed
    deeper inside), or, when none fits at all, say once which shapes are allowed.

    All groups are settled in one pass per level of unions inside unions, so a file with
    thousands of such mistakes is as fast as one with a few."""
    pending = [(n, dict(e, loc=tuple(e["loc"]))) for n, e in enumerate(errors)]
    done: list[tuple[int, dict]] = []
    while pending:
        groups: dict[tuple, list[tuple[int, dict]]] = {}
        for n, e in pending:
            at = _first_tag(data, e)
            if at is None:
                done.append((n, e))
            else:
                groups.setdefault((e["loc"][:at], at), []).append((n, e))
        pending = []
        for (prefix, at), group in groups.items():
            arms: dict[Any, list[tuple[int, dict]]] = {}
            for n, e in group:
                arms.setdefault(e["loc"][at], []).append((n, e))
            if len(arms) > 1:
                deep = {arm: errs for arm, errs in arms.items() if any(len(e["loc"]) > at + 1 for _, e in errs)}
                if not deep:
                    wanted = list(dict.fromkeys(_WANTED.get(e["type"], e["msg"]) for _, e in group))
                    done.append((group[0][0], {"type": "sopbook_shape", "loc": prefix, "msg": "",
                                               "input": group[0][1].get("input"), "ctx": {"wanted": wanted}}))
                    continue
                arms = dict([next(iter(deep.items()))])  # several shapes failed inside: the first listed wins
            # one arm left: its name is no part of the document, so drop it from the locations
            for errs in arms.values():
                pending += [(n, dict(e, loc=e["loc"][:at] + e["loc"][at + 1:])) for n, e in errs]
    return [e for _, e in sorted(done, key=lambda pair: pair[0])]


def _did_you_mean(holder: Any, key: str) -> str:
    """Guess which model a mapping was meant to be (most known keys, same 'type') and suggest."""
    from sopbook.model.nodes import node_classes

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


def _describe(value: Any) -> str:
    """What YAML made of the author's text, in words: 'a number (12)', 'a list', 'true/false'."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({getattr(value, 'source', value)})"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(str(value)[:60])


def _written(value: Any) -> str:
    """A scalar as the author typed it: 1.50 stays 1.50, true stays true; a bound 1440.0 is 1440."""
    if isinstance(value, bool):
        return str(value).lower()
    if hasattr(value, "source"):
        return value.source
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's escaping is valid there)."""
    return json.dumps(text, ensure_ascii=False)


def _colon_text(value: Any) -> str | None:
    """`- 注意: 对角车轮放置轮挡` is text to its author; YAML reads `key: value` as a mapping.
    The text it was, when `value` is such a one-key mapping of a scalar."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if isinstance(key, str) and not isinstance(inner, (dict, list)):
            return f"{key}:" if inner is None else f"{key}: {_written(inner)}"
    return None


def _document_steps(data: Any, loc: tuple) -> Iterator[tuple[tuple, Any, tuple]]:
    """At each list item on pydantic's loc: its document path (union tags dropped), the item, and
    the loc up to it (tags kept, so the union arms above it are still told apart)."""
    node, path = data, ()
    for n, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node, path = node[part], path + (part,)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node, path = node[part], path + (part,)
            yield path, node, loc[:n + 1]


def _colon_items(errors: list[dict], data: Any) -> list[dict]:
    """One error per list item that YAML read as a mapping where text was expected, saying to
    quote it, instead of what pydantic tried (no 'text' field, unknown field '注意', ...)."""
    items: dict[tuple, str] = {}
    for e in errors:
        if e["type"] in ("string_type", "union_tag_not_found"):
            for path, node, _ in _document_steps(data, e["loc"]):
                if node is e.get("input") or (isinstance(node, dict) and node == e.get("input")):
                    if (text := _colon_text(node)) is not None:
                        items[path] = text
    if not items:
        return errors
    out, reported = [], set()
    for e in errors:
        hit = next(((path, loc) for path, _, loc in _document_steps(data, e["loc"]) if path in items), None)
        if hit is None:
            out.append(e)
        elif hit[1] not in reported:
            reported.add(hit[1])
            out.append({"type": "sopbook_colon_text", "loc": hit[1], "msg": "", "input": items[hit[0]], "ctx": {}})
    return out


def _full_width_number(value: Any) -> str | None:
    """'５' or '１５' typed by a Chinese input method: the number it means, to say so."""
    if not isinstance(value, str):
        return None
    plain = unicodedata.normalize("NFKC", value).strip()
    try:
        float(plain)
    except ValueError:
        return None
    return plain if plain != value.strip() else None


def _number_text(value: str, whole: bool) -> bool:
    """'5' or '2.5': text that is a plain number, which YAML reads as text only in quotes."""
    return re.fullmatch(r"[-+]?[0-9]+" if whole else r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", value.strip()) is not None


def _non_finite_text(value: str) -> bool:
    """'inf', 'nan', '1e400': text float() reads as no finite number."""
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False


def _message(err: dict, holder: Any) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    scalar = isinstance(value, (bool, int, float))
    if kind == "sopbook_colon_text":
        return (f"{value!r} is read as a mapping (the ': ' after {value.split(':')[0]!r} makes a key)",
                f"quote it: {_quoted(value)}")
    if kind == "sopbook_shape":
        text_wanted = "text" in ctx["wanted"]
        return (f"expected {' or '.join(ctx['wanted'])}, got {_describe(value)}",
                f"quote it: {_quoted(_written(value))}" if text_wanted and scalar else "")
    if kind == "string_type":
        if scalar:
            return f"expected text, got {_describe(value)}", f"quote it: {_quoted(_written(value))}"
        return f"expected text, got {_describe(value)}", "quote it if it is text, e.g. \"2024\""
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}", "write each entry on its own '- ' line, or [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {_describe(value)}", "write it as key: value lines"
    if kind in ("int_parsing", "float_parsing", "int_type", "float_type", "int_from_float"):
        plain = _full_width_number(value)
        if plain is not None:
            return f"{value!r} is written with full-width digits", f"write it as {plain}"
        whole = kind.startswith("int")
        wanted = "a whole number" if whole else "a number"
        if isinstance(value, str) and _non_finite_text(value):
            return f"expected a finite number, got {_describe(value)}", "write a plain number, e.g. 5 or 2.5"
        if isinstance(value, str) and _number_text(value, whole):
            return f"expected {wanted}, got the text {value!r}", f"write it without quotes: {value.strip()}"
        if whole and isinstance(value, float) and not isinstance(value, bool):
            return f"expected {wanted}, got {_describe(value)}", "write a whole number, e.g. 5"
        return (f"expected {wanted}, got {_describe(value)}",
                "write a whole number, e.g. 5" if whole else "write a plain number, e.g. 5 or 2.5")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
                 "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}[kind]
        limit = ctx.get(bound[1])
        return (f"expected a number {bound[0]} {_written(limit)}, got {_written(value)}",
                f"write a number {bound[0]} {_written(limit)}")
    if kind == "sopbook_date":
        return err["msg"], "write the date as YYYY-MM-DD, e.g. 2026-11-23"
    if kind == "sopbook_future_date":
        return (err["msg"], f"write the date of the last revision, at the latest today "
                            f"({ctx.get('today')})")
    if kind == "string_too_long":
        return (f"too long: {len(str(value))} characters, at most {ctx.get('max_length')}",
                "ids are short names, e.g. golden-sop" if str(err["loc"][-1]) == "id" else "")
    if kind == "finite_number":
        return f"expected a finite number, got {_describe(value)}", "write a plain number, e.g. 5 or 2.5"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        hidden = [c for c in key if unicodedata.category(c) in ("Cf", "Cc", "Zs", "Zl", "Zp") and c != " "]
        if hidden:  # a BOM pasted mid-file, a full-width space used to indent: invisible in editors
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in dict.fromkeys(hidden))
            return (f"unknown field {key!r}: it contains an invisible character ({names})",
                    "delete the invisible character; indent with ordinary spaces")
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
        return f"expected true or false, got {_describe(value)}", "write true or false"
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


def _typos_for_missing(errors: list[dict]) -> list[dict]:
    """`tittle:` is one mistake: report the unknown field (with "did you mean 'title'?"), not also
    a missing 'title'."""
    missing = {(e["loc"][:-1], e["loc"][-1]): e for e in errors if e["type"] == "missing"}
    if not missing:
        return errors
    covered = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            parent = e["loc"][:-1]
            names = [name for (where, name) in missing if where == parent and isinstance(name, str)]
            close = difflib.get_close_matches(str(e["loc"][-1]), names, n=1, cutoff=0.6)
            if close:
                covered.add((parent, close[0]))
    return [e for e in errors if not (e["type"] == "missing" and (e["loc"][:-1], e["loc"][-1]) in covered)]


def validation_findings(exc: ValidationError, data: Any, display: str) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple] = set()
    errors = _colon_items(exc.errors(include_url=False), data)
    for err in _typos_for_missing(_resolve_unions(errors, data)):
        loc = err["loc"]
        where = _locate(data, loc, display)
        holder = _holder(data, loc)
        if err["type"] == "extra_forbidden" and isinstance(holder, LocDict) and loc[-1] in holder.key_locs:
            where = holder.key_locs[loc[-1]]  # the key itself, even when its value is a list below it
        message, hint = _message(err, holder)
        path = _path_text(data, loc, _is_key_error(err))
        if path:
            message = f"{path}: {message}"
        key = (where, message)
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding("error", "load.schema", message, where, hint))
    return out


def load_model(model: type[BaseModel], path: Path, display: str, root: Path | None = None):
    if root is not None and (problem := unsafe_file(root, path, display)) is not None:
        raise LoadFailed([problem])
    data = read_yaml(path, display)
    if data is None:
        raise LoadFailed([Finding("error", "load.empty", "file is empty", Loc(display, 1),
                                  "write the document or delete the file")])
    if not isinstance(data, LocDict):
        required = [n for n, f in model.model_fields.items() if f.is_required()]
        raise LoadFailed([Finding(
            "error", "load.schema", f"the file must be a mapping of fields, but it is {_describe(data)}",
            getattr(data, "loc", None) or Loc(display, 1, 1),
            f"start with {', '.join(f'{n}:' for n in required)} at the beginning of lines")])
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
    # Loading makes hundreds of thousands of small objects and no garbage cycles worth finding;
    # the cyclic collector would walk them all again and again (a quarter of the load time at
    # 1000 chapters). It runs again as soon as the project is loaded.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_project(root)
    finally:
        if enabled:
            gc.enable()


def _load_project(root: Path | str) -> Project:
    root = Path(root).resolve()
    errors: list[Finding] = []
    handbook = None
    handbook_path = root / HANDBOOK_FILE
    if not handbook_path.exists():
        errors.append(Finding("error", "load.missing", f"no {HANDBOOK_FILE} in {root}", Loc(HANDBOOK_FILE),
                              "run sopbook from the project folder, or pass --root"))
    else:
        try:
            handbook = load_model(Handbook, handbook_path, HANDBOOK_FILE, root)
        except LoadFailed as exc:
            errors.extend(exc.findings)

    def load_folder(folder: str, model: type[BaseModel]) -> Iterator[tuple[Any, str]]:
        for path in sorted((root / folder).glob("*.yml")):
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
                                  f"chapter id '{chapter.id}' is also used by {chapter_files[chapter.id]}",
                                  chapter.at or Loc(display), "give each chapter its own id"))
            continue
        chapter_files[chapter.id] = display
        chapters.append(chapter)

    cards: list[Card] = []
    card_files: dict[str, Loc] = {}
    for card_file, display in load_folder(CARDS_DIR, CardFile):
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
    return Project(root, handbook, chapters, cards, index)


def chapter_file(project: Project, chapter: Chapter) -> str:
    return chapter.at.file if chapter.at else f"{CONTENT_DIR}/{chapter.id}.yml"

