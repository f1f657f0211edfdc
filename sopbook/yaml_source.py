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

try:
    from yaml.cyaml import CParser as _CParser  # libyaml, when PyYAML was built with it
except ImportError:
    _CParser = None

from .findings import Finding, LoadFailed, Loc

MAX_ALIASES = 100
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64  # mappings and lists inside each other; real chapters nest about 15 deep
MAX_FILE_BYTES = 5_000_000


class LocDict(dict):
    """A mapping that knows its own location and the location of each key."""

    loc: Loc
    key_locs: dict[str, Loc]


class LocList(list):
    loc: Loc
    item_locs: list[Loc]


class SourceInt(int):
    """An int that remembers how it was written, so a table cell `007`-style value or `+5` reads as typed."""

    def __new__(cls, text: str):
        self = super().__new__(cls, text)
        self.source = text
        return self


class SourceFloat(float):
    """A float that remembers how it was written: a cell `1.50` must show 1.50, not 1.5."""

    def __new__(cls, text: str):
        self = super().__new__(cls, text)
        self.source = text
        return self


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


class _TooBig(Exception):
    def __init__(self, node: Node, message: str, hint: str):
        self.node, self.message, self.hint = node, message, hint


def _measure_expanded(node: Node, seen: dict[int, tuple[int, int]], open_: set[int], depth: int = 1) -> tuple[int, int]:
    """(nodes, height) of the tree once aliases are expanded; memoised so measuring stays cheap.

    An alias shares its anchor's node, so expanding can both multiply the size (billion laughs)
    and stack one anchor inside another deeper than any single document nests; an anchor used
    inside itself (`a: &a [*a]`) would never end. All three are refused here, before anything
    walks the tree recursively.
    """
    key = id(node)
    if key in open_:
        raise _TooBig(node, "an anchor is used inside itself (recursive alias)", "write the content out")
    if depth > MAX_DEPTH:  # checked on the way down, so this walk never recurses deeper than the limit
        raise _TooBig(node, f"lists and mappings nest more than {MAX_DEPTH} deep once aliases are expanded",
                      "write the content out instead of nesting anchors")
    if key in seen:
        size, height = seen[key]
    else:
        size, height = 1, 1
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        open_.add(key)
        for child in children:
            child_size, child_height = _measure_expanded(child, seen, open_, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > MAX_EXPANDED_NODES:
                break
        open_.discard(key)
        seen[key] = (size, height)
    if size > MAX_EXPANDED_NODES:
        raise _TooBig(node, f"document expands to more than {MAX_EXPANDED_NODES:,} nodes",
                      "aliases multiply content; write it out or split the file")
    if depth + height - 1 > MAX_DEPTH:
        raise _TooBig(node, f"lists and mappings nest more than {MAX_DEPTH} deep once aliases are expanded",
                      "write the content out instead of nesting anchors")
    return size, height


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[Finding] = []

    def error(self, node: Node | None, message: str, hint: str = "", loc: Loc | None = None) -> None:
        where = loc or (_loc(self.path, node) if node is not None else Loc(self.path))
        self.errors.append(Finding("error", "load.yaml", message, where, hint))

    def build(self, node: Node):
        if isinstance(node, (MappingNode, SequenceNode)) and node.tag not in _PLAIN_COLLECTIONS:
            # !!python/object/apply, !!set, !!omap, !custom on a list or mapping: never constructed,
            # and not silently read as a plain list either
            self.error(node, f"unsupported YAML tag {node.tag}", "content is plain data: remove the tag")
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
            try:
                return SourceInt(node.value)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                self.error(node, f"number with {len(node.value):,} digits is too long",
                           "quote it if it is text")
                return node.value
        if tag == "tag:yaml.org,2002:float":
            return SourceFloat(node.value)
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


class _Refused(yaml.MarkedYAMLError):
    """A budget the composer enforces (aliases, values, nesting): not a YAML syntax error."""

    def __init__(self, problem: str, mark, hint: str):
        super().__init__(None, None, problem, mark)
        self.hint = hint


class _AliasCountingLoader(_Loader):
    """Composes with budgets, so a hostile file is refused while it is read, not after: aliases,
    nodes (a 5 MB flow list `[a,a,a,...]` would otherwise take a minute and gigabytes) and nesting
    (PyYAML's composer recurses once per level)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.alias_count = 0
        self.node_count = 0
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise _Refused(f"more than {MAX_ALIASES} aliases; anchors and aliases are for small reuse only",
                               event.start_mark, "write the content out")
            return super().compose_node(parent, index)
        self.node_count += 1
        if self.node_count > MAX_EXPANDED_NODES:
            raise _Refused(f"more than {MAX_EXPANDED_NODES:,} values in one file", event.start_mark,
                           "split the chapter into several files")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(f"lists and mappings nest more than {MAX_DEPTH} deep", event.start_mark,
                               "content never nests this deep: check the brackets and indentation")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def decode(path: Path, display: str) -> str:
    try:
        with open(path, "rb") as handle:  # never more than the limit in memory, whatever the file is
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise LoadFailed([Finding("error", "load.file", f"cannot read the file: {exc.strerror or exc}",
                                  Loc(display, 1), "check that it exists and that you may read it")]) from exc
    if len(data) > MAX_FILE_BYTES:
        size = path.stat().st_size if path.is_file() else 0
        shown = f"{size:,} bytes" if size > MAX_FILE_BYTES else "endless"
        raise LoadFailed([Finding(
            "error", "load.size", f"file is {shown}, more than the {MAX_FILE_BYTES:,} bytes allowed",
            Loc(display, 1), "split the chapter into several files")])
    try:
        text = data.decode("utf-8-sig")  # a BOM from a Windows editor is harmless: drop it
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "save the file as UTF-8"
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = "the file is UTF-16: save it as UTF-8"
        raise LoadFailed([Finding(
            "error", "load.encoding", f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            Loc(display, line), hint)]) from exc
    text = text.replace("\r\n", "\n")
    odd = _ODD_BREAK.search(text)
    if odd:
        # PyYAML (YAML 1.1) ends a line at NEL, LS and PS, YAML 1.2 and editors do not: the text
        # would silently lose them (folded to a space) and every line number after would be off.
        at = odd.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise LoadFailed([Finding(
            "error", "load.encoding", f"invisible line separator U+{ord(odd.group()):04X} in the text",
            Loc(display, line, col), "delete it (pasted from a word processor?); use an ordinary line break")])
    return text


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def _reader_error(exc: yaml.reader.ReaderError, text: str, display: str) -> Finding:
    """PyYAML refuses control characters (NUL, BEL, ...) with an offset, not a line: locate it."""
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Finding("error", "load.yaml", f"invalid character U+{ord(char):04X} (a control character)",
                   Loc(display, line, col), "delete it; it is invisible in most editors")


_UNREAD = object()
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_STR = "tag:yaml.org,2002:str"


class _Unusual(Exception):
    """Something the fast reader leaves to the Python loader."""


def _resolve_plain(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag _Loader's resolver gives an untagged scalar (PyYAML's Resolver.resolve, no paths)."""
    if implicit[0]:
        table = _Loader.yaml_implicit_resolvers
        for tag, regexp in table.get(value[0] if value else "", []) + table.get(None, []):
            if regexp.match(value):
                return tag
    return _STR


def _read_libyaml(text: str, display: str):
    """A plain document read by libyaml's C parser straight into LocDict/LocList, or _UNREAD.

    PyYAML's pure-Python scanner, parser and composer were 90% of `sopbook check` on a large
    handbook; this reads the same events in C and builds the same data in one pass. It takes only
    what needs no judgement: anything else (an anchor, alias or tag, a duplicate or non-scalar key,
    a tab, a character the Python reader refuses, a second document, any syntax error) returns
    _UNREAD, and the Python loader reads the file and reports it exactly as it always has. libyaml
    already reads '?' inside [] and {} as YAML 1.2 does (what _Loader.scan_plain adds); it would
    accept a tab after `key:` that PyYAML refuses, hence tabs go to Python. The budgets are the
    composer's, with its messages.
    """
    if _CParser is None or "\t" in text or _NON_PRINTABLE.search(text) or _Loader.yaml_path_resolvers:
        return _UNREAD
    parser = _CParser(text)
    try:
        return _events_to_data(parser.get_event, display)
    except (_Unusual, yaml.YAMLError):
        return _UNREAD
    finally:
        parser.dispose()


def _events_to_data(get, display: str):
    events = yaml.events
    get()  # StreamStartEvent
    event = get()
    if type(event) is events.StreamEndEvent:
        return None
    builder = _Builder(display)
    stack: list[list] = []  # per open collection: [container, pending key, its Loc]
    nodes = 0
    root = None
    while True:
        event = get()
        kind = type(event)
        if kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            value = stack.pop()[0]
            loc = value.loc
        elif kind is events.ScalarEvent or kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            mark = event.start_mark
            nodes += 1
            if nodes > MAX_EXPANDED_NODES:
                raise LoadFailed([Finding("error", "load.yaml", f"more than {MAX_EXPANDED_NODES:,} values in one file",
                                          _mark_loc(display, mark), "split the chapter into several files")])
            if len(stack) >= MAX_DEPTH:
                raise LoadFailed([Finding("error", "load.yaml", f"lists and mappings nest more than {MAX_DEPTH} deep",
                                          _mark_loc(display, mark),
                                          "content never nests this deep: check the brackets and indentation")])
            loc = Loc(display, mark.line + 1, mark.column + 1)
            top = stack[-1] if stack else None
            wants_key = top is not None and top[1] is None and type(top[0]) is LocDict
            if kind is not events.ScalarEvent:
                if wants_key:
                    raise _Unusual  # a list or mapping as a key
                value = LocDict() if kind is events.MappingStartEvent else LocList()
                if kind is events.MappingStartEvent:
                    value.key_locs = {}
                else:
                    value.item_locs = []
                value.loc = loc
                stack.append([value, None, None])
                continue
            if wants_key:
                if event.value in top[0].key_locs:
                    raise _Unusual  # a duplicate key: the Python loader names both lines
                top[1], top[2] = event.value, loc
                continue
            value = builder.scalar(ScalarNode(_resolve_plain(event.value, event.implicit), event.value, mark,
                                              event.end_mark, event.style))
            if builder.errors:
                raise _Unusual
        elif kind is events.DocumentEndEvent:
            if type(get()) is not events.StreamEndEvent:
                raise _Unusual  # a second document
            return root
        else:  # an alias
            raise _Unusual
        if not stack:
            root = value
            continue
        top = stack[-1]
        container = top[0]
        if type(container) is LocDict:
            container.key_locs[top[1]] = top[2]
            dict.__setitem__(container, top[1], value)
            top[1] = None
        else:
            list.append(container, value)
            container.item_locs.append(loc)


def parse_yaml(text: str, display: str):
    """Parse YAML text; returns LocDict/LocList/scalars or raises LoadFailed with located errors."""
    data = _read_libyaml(text, display)
    if data is not _UNREAD:
        return data
    node = _compose(text, display)
    if node is None:
        return None
    try:
        # Without an alias ('*') the expanded tree is the composed one, whose size and depth the
        # composer's budgets already bounded: measuring again would only cost time.
        if "*" in text:
            _measure_expanded(node, {}, set())
    except _TooBig as too_big:
        raise LoadFailed([Finding("error", "load.yaml", too_big.message, _loc(display, too_big.node),
                                  too_big.hint)]) from None
    builder = _Builder(display)
    data = builder.build(node)
    if builder.errors:
        raise LoadFailed(builder.errors)
    return data


def _compose(text: str, display: str):
    """The node tree through PyYAML's Python scanner and parser, or LoadFailed, located."""
    try:
        loader = _AliasCountingLoader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as exc:
        raise LoadFailed([_reader_error(exc, text, display)]) from exc
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        raise LoadFailed([_reader_error(exc, text, display)]) from exc
    except _Refused as exc:
        raise LoadFailed([Finding("error", "load.yaml", exc.problem, _mark_loc(display, exc.problem_mark),
                                  exc.hint)]) from exc
    except yaml.MarkedYAMLError as exc:
        raise LoadFailed([_syntax_error(exc, display)]) from exc
    except yaml.YAMLError as exc:
        raise LoadFailed([Finding("error", "load.yaml", f"invalid YAML: {exc}", Loc(display))]) from exc
    finally:
        loader.dispose()
    return node


def _mark_loc(display: str, mark) -> Loc:
    return Loc(display, mark.line + 1, mark.column + 1) if mark else Loc(display, 1)


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> Finding:
    """PyYAML's words for the mistakes editors make most, said plainly and placed where the
    mistake is: an unclosed quote or bracket is reported where it opens, not at the end of the file."""
    context, problem = exc.context or "", exc.problem or ""
    raw = " ".join(filter(None, [context, problem])) or "invalid YAML"
    at = exc.problem_mark or exc.context_mark
    if "'\\t'" in problem or "tab" in problem:
        message, hint = "a tab character: YAML indents with spaces only", "replace the tab with spaces"
    elif "quoted scalar" in context and "end of stream" in problem:
        message, hint, at = "a quote opens here and is never closed", "add the closing quote", exc.context_mark
    elif "flow" in context and ("<stream end>" in problem or "end of stream" in problem):
        bracket = "{" if "mapping" in context else "["
        message, hint, at = (f"a '{bracket}' opens here and is never closed",
                             f"add the closing '{'}' if bracket == '{' else ']'}'", exc.context_mark)
    elif "simple key" in context and "could not find expected ':'" in problem:
        message, hint, at = ("this line has no ':' after its key", "write key: value (a space after the colon)",
                             exc.context_mark)
    elif "mapping values are not allowed here" in problem:
        message, hint = ("a ':' that cannot start a key here (is the line indented more than the one above?)",
                         "align the line with the keys beside it, or quote text that contains ': '")
    elif "expected a single document" in raw:
        message, hint = "a second document ('---') in one file", "one chapter per file: remove the second part"
    else:
        message, hint = raw, "check the indentation of this line and the one above, and quotes and colons"
    return Finding("error", "load.yaml", f"invalid YAML: {message}", _mark_loc(display, at or exc.context_mark), hint)


def read_yaml(path: Path, display: str | None = None):
    display = display or str(path)
    return parse_yaml(decode(path, display), display)
