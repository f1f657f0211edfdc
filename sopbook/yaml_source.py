"""Read one YAML file into plain data that remembers where every mapping, list and key came from.

PyYAML's safe loader follows YAML 1.1, which is wrong for SOP content in three ways we handle on
purpose: `9:00` becomes the base-60 integer 540, `no`/`on`/`off` become booleans, and a
duplicate key silently overwrites the first. Here times and yes/no stay strings (YAML 1.2 core
rules), duplicate keys are errors naming both lines, and aliases are bounded so a "billion laughs"
document cannot expand without limit.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .findings import Finding, LoadFailed, Loc

MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000
MAX_FILE_BYTES = 5_000_000


class LocDict(dict):
    """A mapping that knows its own location and the location of each key."""

    loc: Loc
    key_locs: dict[str, Loc]


class LocList(list):
    loc: Loc
    item_locs: list[Loc]


_BREAK = "\0 \t\r\n\x85\u2028\u2029"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars: only true/false are booleans, no sexagesimals."""

    def scan_plain(self):
        # PyYAML (YAML 1.1) ends a plain scalar at '?' inside [] and {}; YAML 1.2 does not, and
        # Chinese questions end in '?' ({question: 刹车正常了吗?}). Same as PyYAML's scan_plain
        # otherwise.
        chunks: list[str] = []
        start_mark = end_mark = self.get_mark()
        indent = self.indent + 1
        spaces: list[str] = []
        while True:
            length = 0
            if self.peek() == "#":
                break
            while True:
                ch = self.peek(length)
                if (ch in _BREAK
                        or (ch == ":" and self.peek(length + 1) in _BREAK + (",[]{}" if self.flow_level else ""))
                        or (self.flow_level and ch in ",[]{}")):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark)
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return yaml.tokens.ScalarToken("".join(chunks), True, start_mark, end_mark)


# Start from no implicit resolvers and add back the YAML 1.2 core schema ones.
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _loc(path: str, node: Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _count_expanded(node: Node, budget: list[int], seen: dict[int, int]) -> int:
    """Size of the tree once aliases are expanded; memoised so the count itself is cheap."""
    key = id(node)
    if key in seen:
        return seen[key]
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_count_expanded(n, budget, seen) for n in node.value)
    elif isinstance(node, MappingNode):
        size += sum(_count_expanded(k, budget, seen) + _count_expanded(v, budget, seen) for k, v in node.value)
    seen[key] = size
    return size


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[Finding] = []

    def error(self, node: Node | None, message: str, hint: str = "", loc: Loc | None = None) -> None:
        where = loc or (_loc(self.path, node) if node is not None else Loc(self.path))
        self.errors.append(Finding("error", "load.yaml", message, where, hint))

    def build(self, node: Node):
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            out = LocList(self.build(n) for n in node.value)
            out.loc = _loc(self.path, node)
            out.item_locs = [_loc(self.path, n) for n in node.value]
            return out
        return self.scalar(node)

    def scalar(self, node: ScalarNode):
        tag = node.tag
        if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return node.value
        if tag == "tag:yaml.org,2002:bool":
            return node.value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            return int(node.value)
        if tag == "tag:yaml.org,2002:float":
            return float(node.value)
        if tag == "tag:yaml.org,2002:null":
            return None
        self.error(node, f"unsupported YAML tag {tag}", "content is plain data: remove the tag")
        return node.value

    def mapping(self, node: MappingNode) -> LocDict:
        out = LocDict()
        out.loc = _loc(self.path, node)
        out.key_locs = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node, "merge keys (<<) are not supported", "write the fields out")
                continue
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, "a mapping key must be a plain word")
                continue
            key = key_node.value
            key_loc = _loc(self.path, key_node)
            if key in out.key_locs:
                first = out.key_locs[key]
                self.error(
                    key_node,
                    f"duplicate key '{key}' (first at line {first.line}, again at line {key_loc.line})",
                    "remove one of them; YAML would silently keep only the last",
                    loc=key_loc,
                )
                continue
            out.key_locs[key] = key_loc
            out[key] = self.build(value_node)
        return out


class _AliasCountingLoader(_Loader):
    def __init__(self, stream):
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.MarkedYAMLError(
                    None, None, f"more than {MAX_ALIASES} aliases; anchors and aliases are for small reuse only",
                    event.start_mark,
                )
        return super().compose_node(parent, index)


def decode(path: Path, display: str) -> str:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise LoadFailed([Finding(
            "error", "load.size", f"file is {len(data):,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
            Loc(display), "split the chapter into several files")])
    try:
        text = data.decode("utf-8-sig")  # a BOM from a Windows editor is harmless: drop it
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadFailed([Finding(
            "error", "load.encoding", f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            Loc(display, line), "save the file as UTF-8")]) from exc
    return text.replace("\r\n", "\n")


def parse_yaml(text: str, display: str):
    """Parse YAML text; returns LocDict/LocList/scalars or raises LoadFailed with located errors."""
    loader = _AliasCountingLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Loc(display, mark.line + 1, mark.column + 1) if mark else Loc(display)
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        hint = "indent with spaces, not tabs" if "\t" in message or "tab" in message else "check quotes, colons and indentation"
        raise LoadFailed([Finding("error", "load.yaml", f"invalid YAML: {message}", loc, hint)]) from exc
    except yaml.YAMLError as exc:
        raise LoadFailed([Finding("error", "load.yaml", f"invalid YAML: {exc}", Loc(display))]) from exc
    finally:
        loader.dispose()
    if node is None:
        return None
    if _count_expanded(node, [], {}) > MAX_EXPANDED_NODES:
        raise LoadFailed([Finding(
            "error", "load.yaml", f"document expands to more than {MAX_EXPANDED_NODES:,} nodes",
            _loc(display, node), "aliases multiply content; write it out or split the file")])
    builder = _Builder(display)
    data = builder.build(node)
    if builder.errors:
        raise LoadFailed(builder.errors)
    return data


def read_yaml(path: Path, display: str | None = None):
    display = display or str(path)
    return parse_yaml(decode(path, display), display)
