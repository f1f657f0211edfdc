"""Read one YAML file into plain data that remembers where every mapping, list and key came from.

PyYAML's safe loader follows YAML 1.1, which is wrong for SOP content in three ways we handle on
purpose: `9:00` becomes the base-60 integer 540, `no`/`on`/`off` become booleans, and a
duplicate key silently overwrites the first. Here times and yes/no stay strings (YAML 1.2 core
rules), duplicate keys are errors naming both lines, and aliases are bounded so a "billion laughs"
document cannot expand without limit.
"""
from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sopbook._util.positions import line_col
from sopbook.findings import Finding, LoadFailed, Loc
from sopbook.i18n import N_, SOURCE_LANGUAGE, say

if TYPE_CHECKING:
    from yaml._yaml import CParser

_CParser: type[CParser] | None
try:
    from yaml._yaml import CParser as _CParser  # libyaml, when PyYAML was built with it
except ImportError:
    _CParser = None

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

    source: str

    def __new__(cls, text: str):
        self = super().__new__(cls, text)
        self.source = text
        return self


class SourceFloat(float):
    """A float that remembers how it was written: a cell `1.50` must show 1.50, not 1.5."""

    source: str

    def __new__(cls, text: str):
        self = super().__new__(cls, text)
        self.source = text
        return self


_BREAK = "\0 \t\r\n\x85\u2028\u2029"
_FLOW_INDICATORS = ",[]{}"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core scalars: only true/false are booleans, no sexagesimals.

    The scanner methods below replace PyYAML's where it reads YAML 1.1, or accepts what YAML 1.2
    forbids, and would otherwise hand the SOP a value the file does not say."""

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
                        or (ch == ":"
                            and self.peek(length + 1) in _BREAK + (",[]{}" if self.flow_level else ""))
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
            spaces = self.scan_plain_spaces(indent, start_mark) or []
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return yaml.tokens.ScalarToken("".join(chunks), True, start_mark, end_mark)

    def check_key(self):
        # YAML 1.2: '?' starts a key only before a space, inside [] and {} too: `[?x]` is the text
        # "?x", not a mapping (PyYAML reads it as {x: null}).
        return self.peek(1) in _BREAK

    def check_plain(self):
        # YAML 1.2: '-', '?' and ':' start text when the next character could continue it; in []
        # and {} that excludes ',[]{}', so `[-]` is refused rather than read as the text "-".
        ch = self.peek()
        if ch in "-?:":
            following = self.peek(1)
            return following not in _BREAK and not (self.flow_level and following in _FLOW_INDICATORS)
        return ch not in "\0 \t\r\n\x85\u2028\u2029,[]{}#&*!|>'\"%@`"

    def scan_anchor(self, TokenClass):
        # YAML 1.2: an anchor's name runs to the next space or flow indicator (`&an:chor value` is
        # the anchor "an:chor" on "value"); PyYAML stops at ':' and keeps ":chor value" as text.
        start_mark = self.get_mark()
        name = "alias" if self.peek() == "*" else "anchor"
        self.forward()
        length = 0
        while self.peek(length) not in _BREAK + _FLOW_INDICATORS:
            length += 1
        if not length:
            if name == "alias":
                raise _Refused(N_("invalid YAML: an alias without a name"), start_mark,
                               N_("write a name right after the '*', e.g. *step"))
            raise _Refused(N_("invalid YAML: an anchor without a name"), start_mark,
                           N_("write a name right after the '&', e.g. &step"))
        value = self.prefix(length)
        self.forward(length)
        return TokenClass(value, start_mark, self.get_mark())

    def scan_to_next_token(self):
        # PyYAML's, plus two YAML 1.2 rules it skips: a comment's '#' follows a space
        # (`"value"# x` and `[a, b]#x` are errors, not comments), and inside [] or {} a new line
        # is indented more than the key the brackets belong to.
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        new_line = False
        while True:
            while self.peek() == " ":
                self.forward()
            if self.peek() == "#":
                if self.column and self.buffer[self.pointer - 1] not in " \t":
                    raise _Refused(N_("invalid YAML: a '#' right after a value (a comment needs a space "
                                      "before it)"), self.get_mark(),
                                   N_("type a space before the '#', or quote the text"))
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if self.scan_line_break():
                new_line = True
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                break
        if (new_line and self.flow_level and self.column <= self.indent
                and self.peek() not in "]}\0"):
            raise _Refused(N_("invalid YAML: a line inside [ ] or {{ }} is not indented more than their key"),
                           self.get_mark(), N_("indent this line with spaces, more than the key above"))

    def scan_flow_scalar_breaks(self, double, start_mark):
        # PyYAML's, plus YAML 1.2's rule that a quoted text continued on another line indents it
        # more than its key. Without it, a missing closing quote swallows the lines below and the
        # error appears wherever the next quote happens to be.
        chunks = []
        while True:
            prefix = self.prefix(3)
            if (prefix == "---" or prefix == "...") and self.peek(3) in _BREAK:
                raise yaml.scanner.ScannerError("while scanning a quoted scalar", start_mark,
                                                "found unexpected document separator", self.get_mark())
            while self.peek() == " ":
                self.forward()
            column = self.column
            while self.peek() in " \t":
                self.forward()
            if self.peek() in "\r\n\x85\u2028\u2029":
                chunks.append(self.scan_line_break())
            elif self.peek() == "\0":
                return chunks  # the caller reports the quote that is never closed
            else:
                if column <= self.indent:
                    raise _Refused(N_("invalid YAML: a quote opens here and is not closed on its line "
                                      "(line {line} is not indented under it)"), start_mark,
                                   N_("type the closing {quote} at the end of the text"),
                                   line=self.line + 1, quote='"' if double else "'")
                return chunks

    def scan_block_scalar_indentation(self):
        # PyYAML's, plus YAML 1.2's rule that the lines of spaces above a `|` or `>` text hold no
        # more spaces than its first line: editors do not show them, and PyYAML would end the
        # text there and report the line below as a mistake in the mapping.
        chunks, max_indent, widest = [], 0, None
        end_mark = self.get_mark()
        while self.peek() in " \r\n\x85\u2028\u2029":
            if self.peek() != " ":
                chunks.append(self.scan_line_break())
                end_mark = self.get_mark()
            else:
                self.forward()
                if self.column > max_indent:
                    max_indent = self.column
                    # PyYAML's own marks of text it did not read from a buffer carry no buffer and no
                    # pointer (Reader.get_mark); the stubs type the pointer as int regardless.
                    widest = yaml.error.Mark(self.name, self.index - self.column, self.line, 0,
                                             None, None)  # type: ignore[arg-type]
        if self.indent < self.column < max_indent and self.peek() != "\0" and chunks:
            raise _Refused(N_("invalid YAML: an empty line above the text holds {spaces} spaces, more than "
                              "the text's indentation ({indent})"), widest,
                           N_("delete the spaces on that empty line (editors do not show them)"),
                           spaces=max_indent, indent=self.column)
        return chunks, max_indent, end_mark

    def compose_scalar_node(self, anchor):
        # YAML 1.2: the non-specific tag '!' makes a scalar text (`! 12` is "12"); PyYAML reads it
        # as an untagged plain scalar, a number.
        if self.peek_event().tag == "!":
            node = super().compose_scalar_node(anchor)
            node.tag = _STR
            return node
        return super().compose_scalar_node(anchor)


def _loc(path: str, node: Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


class _TooBig(Exception):
    def __init__(self, node: Node, message: str, hint: str, **params: object):
        self.node, self.message, self.hint, self.params = node, message, hint, params


_NEST_EXPANDED = N_("lists and mappings nest more than {limit} deep once aliases are expanded")
_REPLACE_ALIASES = N_("replace the aliases (*name) with the text they stand for")


def _measure_expanded(node: Node, seen: dict[int, tuple[int, int]], open_: set[int],
                      depth: int = 1) -> tuple[int, int]:
    """(nodes, height) of the tree once aliases are expanded; memoised so measuring stays cheap.

    An alias shares its anchor's node, so expanding can both multiply the size (billion laughs)
    and stack one anchor inside another deeper than any single document nests; an anchor used
    inside itself (`a: &a [*a]`) would never end. All three are refused here, before anything
    walks the tree recursively.
    """
    key = id(node)
    if key in open_:
        raise _TooBig(node, N_("an anchor is used inside itself (recursive alias)"),
                      N_("replace the alias (*name) with the text it stands for"))
    if depth > MAX_DEPTH:  # checked on the way down, so this walk never recurses deeper than the limit
        raise _TooBig(node, _NEST_EXPANDED, _REPLACE_ALIASES, limit=MAX_DEPTH)
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
        raise _TooBig(node, N_("document expands to more than {limit} nodes"),
                      N_("replace the aliases (*name) with the text they stand for, or split the file"),
                      limit=f"{MAX_EXPANDED_NODES:,}")
    if depth + height - 1 > MAX_DEPTH:
        raise _TooBig(node, _NEST_EXPANDED, _REPLACE_ALIASES, limit=MAX_DEPTH)
    return size, height


_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_STR = "tag:yaml.org,2002:str"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"

_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
# tag -> (what its value must look like, the message when it does not, what to type instead)
_CORE_TAGS = {
    _INT: (_INT_RE, N_("'{value}' is not a whole number, as its tag {tag} says"),
           N_("delete '{tag}', or write a number like 15")),
    _FLOAT: (re.compile(f"{_INT_RE.pattern}|{_FLOAT_RE.pattern}"),
             N_("'{value}' is not a number, as its tag {tag} says"),
             N_("delete '{tag}', or write a number like 1.5")),
    _BOOL: (_BOOL_RE, N_("'{value}' is not true or false, as its tag {tag} says"),
            N_("delete '{tag}', or write true or false")),
    _NULL: (_NULL_RE, N_("'{value}' is not empty, as its tag {tag} says"),
            N_("delete '{tag}', or write ~ for an empty value")),
}

# C0 and C1 control characters (tab and line feed are text), DEL, lone surrogates (no UTF-8 can
# carry them) and the Unicode line separators the file itself may not contain. Only a
# double-quoted escape (\0, \e, \x07, \ud800) can put one in a value: the reader refuses raw ones.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def printable(text: str) -> str:
    """Text for a message: control characters and lone surrogates written as escapes, so a
    terminal, the JSON report and UTF-8 output show them instead of acting on them or failing."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF
                        else f"\\x{ord(m.group()):02x}", text)


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else printable(tag)


# Start from no implicit resolvers and add back the YAML 1.2 core schema ones (no merge key `<<`).
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(_BOOL, _BOOL_RE, list("tTfF"))
_Loader.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))
_Loader.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+0123456789."))
_Loader.add_implicit_resolver(_NULL, _NULL_RE, ["~", "n", "N", ""])


_UNSUPPORTED_TAG = N_("unsupported YAML tag {tag}")
_DELETE_TAG = N_("delete '{tag}' before the value: content is plain text, lists and mappings")


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.errors: list[Finding] = []

    def error(self, node: Node | None, message: str, hint: str = "", loc: Loc | None = None,
              **params: object) -> None:
        where = loc or (_loc(self.path, node) if node is not None else Loc(self.path))
        self.errors.append(Finding("error", "load.yaml", message, where, hint, params=params))

    def build(self, node: Node):
        if isinstance(node, (MappingNode, SequenceNode)) and node.tag not in _PLAIN_COLLECTIONS:
            # !!python/object/apply, !!set, !!omap, !custom on a list or mapping: never constructed,
            # and not silently read as a plain list either
            self.error(node, _UNSUPPORTED_TAG, _DELETE_TAG, tag=_shown_tag(node.tag))
        if isinstance(node, MappingNode):
            return self.mapping(node)
        if isinstance(node, SequenceNode):
            out = LocList(self.build(n) for n in node.value)
            out.loc = _loc(self.path, node)
            out.item_locs = [_loc(self.path, n) for n in node.value]
            return out
        return self.scalar(cast(ScalarNode, node))  # the kinds of node left are scalars

    def scalar(self, node: ScalarNode):
        # One rule whatever the style: the tag decides, so `!!int "12"` is 12 and `!custom "x"` is
        # refused exactly as `!custom x` is. Untagged quoted and block scalars carry the str tag.
        tag, value = node.tag, node.value
        if node.style == '"' and _CONTROL.search(value):
            self.control_character(node, value)
            return value
        if tag == _STR:
            return value
        core = _CORE_TAGS.get(tag)
        if core is None:
            self.error(node, _UNSUPPORTED_TAG, _DELETE_TAG, tag=_shown_tag(tag))
            return value
        pattern, message, hint = core
        if not pattern.match(value):
            self.error(node, message, hint, value=printable(value[:40]), tag=_shown_tag(tag))
            return value
        if tag == _INT:
            try:
                return SourceInt(value)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                self.error(node, N_("number with {digits} digits is too long"), N_("quote it if it is text"),
                           digits=f"{len(value):,}")
                return value
        if tag == _FLOAT:
            return SourceFloat(value)
        if tag == _BOOL:
            return value.lower() == "true"
        return None

    def control_character(self, node: ScalarNode, value: str) -> None:
        found = _CONTROL.search(value)
        assert found is not None, "called only for text that has a control character"
        char = found.group()
        self.error(node, N_("invisible control character U+{code} in the text (written as an escape "
                            "such as \\0, \\e or \\x07)"),
                   N_("delete the character or write it out in words"), code=f"{ord(char):04X}")

    def mapping(self, node: MappingNode) -> LocDict:
        out = LocDict()
        out.loc = _loc(self.path, node)
        out.key_locs = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, N_("a mapping key must be a plain word"),
                           N_("write the key as plain text before the ':', e.g. title:"))
                continue
            key = key_node.value
            if not key and key_node.style is None:  # `: x`, `? : x`, `{: x}`: YAML's null key
                self.error(key_node, N_("a ':' with no key before it"),
                           N_("type the key before the ':', e.g. title: 交付"))
                continue
            if key_node.tag == _MERGE or (key == "<<" and key_node.style is None):
                # YAML 1.1 merge keys: PyYAML would copy the anchor's fields in, YAML 1.2 has no
                # such key, and silently keeping a field named "<<" would be worse than either.
                self.error(key_node, N_("merge keys (<<) are not supported"),
                           N_("delete the '<<:' line and write the fields of the anchor here"))
                continue
            if key_node.tag != _STR or key_node.style == '"':
                self.scalar(key_node)  # a key follows the values' rules (tags, characters) and stays text
            key_loc = _loc(self.path, key_node)
            if key in out.key_locs:
                first = out.key_locs[key]
                self.error(
                    key_node,
                    N_("duplicate key '{key}' (first at line {first}, again at line {again})"),
                    N_("delete one of the two; YAML would silently keep only the last"),
                    loc=key_loc, key=printable(key), first=first.line, again=key_loc.line,
                )
                continue
            out.key_locs[key] = key_loc
            out[key] = self.build(value_node)
        return out


class _Refused(yaml.MarkedYAMLError):
    """What _Loader refuses where PyYAML would read on, or a budget the composer enforces (aliases,
    values, nesting): a message id, its hint and their parameters."""

    def __init__(self, problem: str, mark, hint: str, **params: object):
        super().__init__(None, None, say(problem, SOURCE_LANGUAGE, params), mark)
        self.message, self.hint, self.params = problem, hint, params


_TOO_MANY_VALUES = N_("more than {limit} values in one file")
_SPLIT_CHAPTER = N_("split the chapter into several files")
_TOO_DEEP = N_("lists and mappings nest more than {limit} deep")
_NEVER_THIS_DEEP = N_("content never nests this deep: check the brackets and indentation")


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
                raise _Refused(N_("more than {limit} aliases; anchors and aliases are for small reuse only"),
                               event.start_mark,
                               N_("replace some aliases (*name) with the text they stand for"),
                               limit=MAX_ALIASES)
            return super().compose_node(parent, index)
        self.node_count += 1
        if self.node_count > MAX_EXPANDED_NODES:
            raise _Refused(_TOO_MANY_VALUES, event.start_mark, _SPLIT_CHAPTER,
                           limit=f"{MAX_EXPANDED_NODES:,}")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(_TOO_DEEP, event.start_mark, _NEVER_THIS_DEEP, limit=MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def unreadable(exc: OSError) -> tuple[str, dict[str, object]]:
    """Why a file cannot be read, as a message id and its parameters: the common reasons in the
    handbook's language, any other in the system's words."""
    if isinstance(exc, PermissionError):
        return N_("cannot read the file: Permission denied"), {}
    if isinstance(exc, FileNotFoundError):
        return N_("cannot read the file: No such file or directory"), {}
    if isinstance(exc, IsADirectoryError):
        return N_("cannot read the file: Is a directory"), {}
    return N_("cannot read the file: {reason}"), {"reason": exc.strerror or str(exc)}


CHECK_READABLE = N_("check that it exists and that you may read it")
TOO_BIG = N_("file is {size} bytes, more than the {limit} bytes allowed")
UTF16 = N_("the file is UTF-16: save it as UTF-8")


def decode(path: Path, display: str) -> str:
    try:
        with open(path, "rb") as handle:  # never more than the limit in memory, whatever the file is
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        message, params = unreadable(exc)
        raise LoadFailed([Finding("error", "load.file", message, Loc(display, 1), CHECK_READABLE,
                                  params=params)]) from exc
    if len(data) > MAX_FILE_BYTES:
        size = path.stat().st_size if path.is_file() else 0
        raise LoadFailed([Finding(
            "error", "load.size",
            TOO_BIG if size > MAX_FILE_BYTES else N_("file is endless, more than the {limit} bytes allowed"),
            Loc(display, 1), _SPLIT_CHAPTER, params={"size": f"{size:,}", "limit": f"{MAX_FILE_BYTES:,}"})])
    try:
        text = data.decode("utf-8-sig")  # a BOM from a Windows editor is harmless: drop it
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise LoadFailed([Finding(
            "error", "load.encoding", N_("file is not UTF-8 (byte 0x{byte} at offset {offset})"),
            Loc(display, line), UTF16 if utf16 else N_("save the file as UTF-8"),
            params={"byte": f"{data[exc.start]:02x}", "offset": exc.start})]) from exc
    text = text.replace("\r\n", "\n")
    odd = _ODD_BREAK.search(text)
    if odd:
        # PyYAML (YAML 1.1) ends a line at NEL, LS and PS, YAML 1.2 and editors do not: the text
        # would silently lose them (folded to a space) and every line number after would be off.
        at = odd.start()
        line, col = line_col(text, at)
        raise LoadFailed([Finding(
            "error", "load.encoding", N_("invisible line separator U+{code} in the text"),
            Loc(display, line, col),
            N_("delete it (pasted from a word processor?); use an ordinary line break"),
            params={"code": f"{ord(odd.group()):04X}"})])
    return text


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def _reader_error(exc: yaml.reader.ReaderError, text: str, display: str) -> Finding:
    """PyYAML refuses control characters (NUL, BEL, ...) with an offset, not a line: locate it."""
    position = max(0, min(exc.position, len(text)))
    line, col = line_col(text, position)
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Finding("error", "load.yaml", N_("invalid character U+{code} (a control character)"),
                   Loc(display, line, col), N_("delete it; it is invisible in most editors"),
                   params={"code": f"{ord(char):04X}"})


_UNREAD = object()
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
# Inside [ ] or { }: a '?' that libyaml takes for a key (`[?x]`), a lone '-' it takes for text.
_FLOW_DIFFERS = re.compile(r"[\[{,\s]\?|[\[{,]\s*-[\s,\]}]")


_SPACES_FIRST = re.compile(" +\n")
# A line, within a quoted text or within [ ] or { }, that starts at or left of a column (its key's),
# which _Loader refuses (scan_flow_scalar_breaks, scan_to_next_token). Blank lines do not count, nor,
# inside brackets, comments and the closing bracket.
_QUOTED_LINE, _FLOW_LINE = "\n {0,%d}[^ \n]", "\n {0,%d}[^ \n#\\]}]"


@functools.lru_cache(maxsize=256)
def _line_pattern(kind: str, indent: int) -> re.Pattern:
    return re.compile(kind % indent)


def _outdented(kind: str, indent: int, text: str, start: int, end: int) -> bool:
    return indent >= 0 and _line_pattern(kind, indent).search(text, start, end) is not None


def _hash_after_value(text: str) -> bool:
    """A '#' straight after a quote, bracket, comma or block scalar indicator (`"x"# c`, `># c`):
    libyaml takes it for a comment, YAML 1.2 and _Loader refuse it. A loop over the few '#'
    costs nothing next to a regular expression over every character."""
    at = text.find("#")
    while at >= 0:
        if at and text[at - 1] in "\"']},|>+-0123456789":
            return True
        at = text.find("#", at + 1)
    return False


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
    already reads '?' inside [] and {} as YAML 1.2 does (what _Loader.scan_plain adds). Where
    libyaml accepts what _Loader refuses or reads differently (a tab after `key:`, `[?x]`, `[-]`,
    `"x"# comment`, `># comment`, a directive, a quoted text or [ ] / { } over several lines, whose
    indentation _Loader checks), the Python loader reads the file. The budgets are the composer's,
    with its messages.
    """
    if (_CParser is None or "\t" in text or _NON_PRINTABLE.search(text) or _hash_after_value(text)
            or _Loader.yaml_path_resolvers):
        return _UNREAD
    parser = _CParser(text)
    try:
        return _events_to_data(parser.get_event, text, display)
    except (_Unusual, yaml.YAMLError):
        return _UNREAD
    finally:
        parser.dispose()


def _events_to_data(get, text: str, display: str):
    events = yaml.events
    get()  # StreamStartEvent
    event = get()
    if type(event) is events.StreamEndEvent:
        return None
    if event.version is not None or event.tags is not None:
        raise _Unusual  # a %YAML or %TAG directive
    builder = _Builder(display)
    stack: list[list] = []  # per open collection: [container, pending key, its Loc, offset if [ ] or { }]
    indents = [-1]  # the column of each open block mapping or list: what _Loader calls its indent
    nodes = 0
    root = None
    while True:
        event = get()
        kind = type(event)
        if kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            value, _, _, flow = stack.pop()
            loc = value.loc
            if flow < 0:
                indents.pop()
            elif _FLOW_DIFFERS.search(text, flow, event.end_mark.index) or (
                    loc.line != event.start_mark.line + 1
                    and _outdented(_FLOW_LINE, indents[-1], text, flow, event.end_mark.index)):
                raise _Unusual  # _Loader reads it otherwise, or refuses it
        elif kind in (events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent):
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            mark = event.start_mark
            nodes += 1
            if nodes > MAX_EXPANDED_NODES:
                raise LoadFailed([Finding("error", "load.yaml", _TOO_MANY_VALUES, _mark_loc(display, mark),
                                          _SPLIT_CHAPTER, params={"limit": f"{MAX_EXPANDED_NODES:,}"})])
            if len(stack) >= MAX_DEPTH:
                raise LoadFailed([Finding("error", "load.yaml", _TOO_DEEP, _mark_loc(display, mark),
                                          _NEVER_THIS_DEEP, params={"limit": MAX_DEPTH})])
            loc = Loc(display, mark.line + 1, mark.column + 1)
            top = stack[-1] if stack else None
            wants_key = top is not None and top[1] is None and type(top[0]) is LocDict
            if kind is not events.ScalarEvent:
                if wants_key:
                    raise _Unusual  # a list or mapping as a key
                if kind is events.MappingStartEvent:
                    mapping = LocDict()
                    mapping.key_locs = {}
                    value = mapping
                else:
                    sequence = LocList()
                    sequence.item_locs = []
                    value = sequence
                value.loc = loc
                if event.flow_style:
                    stack.append([value, None, None, mark.index])
                else:
                    stack.append([value, None, None, -1])
                    indents.append(mark.column)
                continue
            style = event.style
            if style and style in "|>" and _SPACES_FIRST.match(text, text.find("\n", mark.index) + 1):
                raise _Unusual  # a line of spaces first: _Loader checks it against the text's indentation
            if (style and style in "'\"" and event.end_mark.line != mark.line
                    and _outdented(_QUOTED_LINE, indents[-1], text, mark.index, event.end_mark.index)):
                raise _Unusual  # a quoted text whose next line is not indented: _Loader says where it opens
            if wants_key and top is not None:
                if event.value in top[0].key_locs or (style == '"' and _CONTROL.search(event.value)) or (
                        not style and event.value in ("<<", "")):
                    raise _Unusual  # a duplicate, control character, merge or missing key: _Loader reports it
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
    if text.endswith(" ") and text.rstrip(" ").endswith("\n"):
        # A last line of spaces with no line break: both PyYAML and libyaml drop it from a block
        # scalar (`|+` loses its trailing lines); YAML reads the end of the file as a line break.
        try:
            return _parse(text + "\n", display)
        except LoadFailed as failed:
            last = text.count("\n") + 1  # an error at the added line break is on the last real line
            raise LoadFailed([replace(f, loc=Loc(f.loc.file, last, 1)) if f.loc.line > last else f
                              for f in failed.findings]) from None
    return _parse(text, display)


def _parse(text: str, display: str):
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
                                  too_big.hint, params=too_big.params)]) from None
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
        raise LoadFailed([Finding("error", "load.yaml", exc.message, _mark_loc(display, exc.problem_mark),
                                  exc.hint, params=exc.params)]) from exc
    except yaml.MarkedYAMLError as exc:
        raise LoadFailed([_syntax_error(exc, display)]) from exc
    except yaml.YAMLError as exc:
        raise LoadFailed([Finding("error", "load.yaml", N_("invalid YAML: {detail}"), Loc(display),
                                  params={"detail": str(exc)})]) from exc
    finally:
        loader.dispose()
    return node


def _mark_loc(display: str, mark) -> Loc:
    return Loc(display, mark.line + 1, mark.column + 1) if mark else Loc(display, 1)


_WORD = re.compile(r"[^\s,\[\]{}\0]{1,30}")


def _char_at(mark) -> str:
    buffer = getattr(mark, "buffer", None)
    return buffer[mark.pointer] if buffer and 0 <= mark.pointer < len(buffer) else ""


_INDENT_HINT = N_("indent this line with spaces like the lines around it, and put quotes around text that "
                  "starts with a symbol or contains ': ' or ' #'")
_ALIAS = re.compile(r"found undefined alias '([^']*)'")


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> Finding:
    """PyYAML's words for the mistakes editors make most, said plainly and placed where the
    mistake is: an unclosed quote or bracket is reported where it opens, not at the end of the file."""
    context, problem = exc.context or "", exc.problem or ""
    raw = " ".join(filter(None, [context, problem])) or "invalid YAML"
    at = exc.problem_mark or exc.context_mark
    params: dict[str, object] = {}
    if "'\\t'" in problem or "tab" in problem:
        message, hint = (N_("invalid YAML: a tab character: YAML indents with spaces only"),
                         N_("replace the tab with spaces"))
    elif "quoted scalar" in context and "end of stream" in problem:
        message, hint, at = (N_("invalid YAML: a quote opens here and is never closed"),
                             N_("type the closing {quote} at the end of the text"), exc.context_mark)
        params["quote"] = "'" if _char_at(exc.context_mark) == "'" else '"'
    elif "flow" in context and ("<stream end>" in problem or "end of stream" in problem):
        if "mapping" in context:
            message, hint = (N_("invalid YAML: a '{{' opens here and is never closed"),
                             N_("type the closing '}}' after the last item"))
        else:
            message, hint = (N_("invalid YAML: a '[' opens here and is never closed"),
                             N_("type the closing ']' after the last item"))
        at = exc.context_mark
    elif "simple key" in context and "could not find expected ':'" in problem:
        message, hint, at = (N_("invalid YAML: this line has no ':' after its key"),
                             N_("write key: value (a space after the colon)"),
                             exc.context_mark)
    elif "mapping values are not allowed here" in problem:
        message, hint = (N_("invalid YAML: a ':' that cannot start a key here "
                            "(is the line indented more than the one above?)"),
                         N_("align the line with the keys beside it, or quote text that contains ': '"))
    elif "cannot start any token" in problem:
        char = printable(_char_at(exc.problem_mark) or "?")
        mark = exc.problem_mark
        word = _WORD.match(mark.buffer, mark.pointer) if mark is not None and mark.buffer else None
        message, hint = (N_("invalid YAML: a '{char}' cannot start a value here"),
                         N_("put the text in quotes, e.g. \"{written}\""))
        params.update(char=char, written=printable(word.group()) if word else char)
    elif "block scalar" in context and ("indicators" in problem or "comment or a line break" in problem):
        message, hint = (N_("invalid YAML: text on the line of a '|' or '>' "
                            "(only a comment may follow it there)"),
                         N_("start the text on the next line, indented; type a space before a '#' comment"))
    elif "double-quoted" in context and "escape" in problem:
        mark = exc.problem_mark
        back = mark.buffer.rfind("\\", 0, mark.pointer) if mark is not None and mark.buffer else -1
        if mark is not None and 0 <= mark.pointer - back <= mark.column:
            # point at the backslash, not the letter after it; a mark of no buffer has no pointer
            # either, as PyYAML's own (the stubs type the pointer as int)
            at = yaml.error.Mark(mark.name, back, mark.line, mark.column - (mark.pointer - back),
                                 None, None)  # type: ignore[arg-type]
        message, hint = (N_("invalid YAML: a '\\' in double quotes that starts no YAML escape "
                            "(such as \\n or \\u4e2d)"),
                         N_("type \\\\ for a backslash, or put the text in single quotes"))
    elif "expected a single document" in raw:
        message, hint = (N_("invalid YAML: a second document ('---') in one file"),
                         N_("delete the '---' line and what follows it, "
                            "or move that part to a file of its own"))
    elif "expected <block end>" in problem and problem.endswith(("start>'", "'-'", "'?'")):
        # a line further in or out than the keys or list items it belongs with
        message, hint = N_("invalid YAML: this line is not indented like the lines around it"), _INDENT_HINT
    elif "sequence entries are not allowed here" in problem:
        message, hint = (N_("invalid YAML: a list item ('- ') cannot start on this line"),
                         N_("start the list on the next line, indented under its key"))
    elif (alias := _ALIAS.search(problem)) is not None:
        message, hint = (N_("invalid YAML: the alias *{name} has no anchor &{name} above it"),
                         N_("write the anchor (&{name}) before its first use, or write the text itself"))
        params["name"] = printable(alias.group(1))
    elif "while parsing a flow" in context and "expected ','" in problem:
        if "mapping" in context:
            message = N_("invalid YAML: a ',' or '}}' is missing here (the '{{' opens on line {line})")
        else:
            message = N_("invalid YAML: a ',' or ']' is missing here (the '[' opens on line {line})")
        hint = N_("separate the items with ', ', close the brackets, and quote text that contains ': '")
        params["line"] = exc.context_mark.line + 1 if exc.context_mark else "?"
    else:
        message, hint = N_("invalid YAML: {detail}"), _INDENT_HINT
        params["detail"] = raw
    return Finding("error", "load.yaml", message, _mark_loc(display, at or exc.context_mark), hint,
                   params=params)


def read_yaml(path: Path, display: str | None = None):
    display = display or str(path)
    return parse_yaml(decode(path, display), display)
