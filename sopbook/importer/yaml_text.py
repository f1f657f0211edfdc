"""Write a draft chapter as YAML text, with its comments beside the nodes they are about.

Every string is quoted: a double-quoted YAML scalar accepts JSON string syntax, so `json.dumps`
quotes safely whatever the source holds (`9:00`, `no`, `- 注意: x`, `#`, `"`). Text of several lines
is a `|-` block, as a person would write it, when every line can stand in one. Lists of cells
(table rows) are written on one line each, `- ["a", "b"]`.
"""
from __future__ import annotations

import json

from sopbook.i18n import Said, say
from sopbook.importer.draft import Node, Note, Value

INDENT = "  "
FLOW_MAX = 72
# Lists the model requires even when the source gives them nothing (a table of headings only).
REQUIRED_LISTS = {"sections", "items", "rows", "columns", "steps", "kpis", "events", "lines", "mots",
                  "segments", "entries"}
# Characters YAML readers take as line breaks or byte-order marks inside a scalar or comment, and
# so must be escaped: PyYAML breaks lines at NEL and the Unicode line and paragraph separators.
_BREAKING = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029", "\ufeff": "\\ufeff"}


def quoted(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    for char, escape in _BREAKING.items():
        out = out.replace(char, escape)
    return out


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    return (len(lines) > 1 and all(line and line == line.strip() for line in lines)
            and not any(c in text for c in _BREAKING) and "\t" not in text)


def comment(text: str) -> str:
    for char, escape in _BREAKING.items():
        text = text.replace(char, escape)
    return "# " + " ".join(text.split("\n"))


class Writer:
    def __init__(self, lang: str):
        self.lang = lang
        self.out: list[str] = []

    def said(self, value: Said) -> str:
        return say(value.msgid, self.lang, value.params)

    def scalar(self, value: Value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, Said):
            return quoted(self.said(value))
        assert isinstance(value, str), value
        return quoted(value)

    def string_lines(self, value: str, lead: str, pad: str) -> None:
        """`lead` is what stands before the value on its line (`key: ` or `- `)."""
        if _block_ok(value):
            self.out.append(f"{lead}|-")
            self.out += [f"{pad}{INDENT}{line}" for line in value.split("\n")]
        else:
            self.out.append(f"{lead}{quoted(value)}")

    def comments(self, node: Node, pad: str) -> None:
        self.out += [f"{pad}{comment(self.said(c))}" for c in node.comments]

    def mapping(self, node: Node, pad: str, first: str | None = None) -> None:
        """The fields of `node` at indentation `pad`; `first` replaces the pad of the first line
        (`- ` for a mapping in a list)."""
        lead = first if first is not None else pad
        for key, value in _ordered(node):
            if isinstance(value, list) and not value and key not in REQUIRED_LISTS:
                continue
            self.field(key, value, lead, pad)
            lead = pad

    def field(self, key: str, value: Value, lead: str, pad: str) -> None:
        if isinstance(value, Node):
            self.out.append(f"{lead}{key}:")
            self.comments(value, pad + INDENT)
            self.mapping(value, pad + INDENT)
        elif isinstance(value, list) and all(isinstance(v, Note) for v in value):
            self.out.append(f"{lead}{key}: []")  # nothing but comments: still a list
            self.sequence(value, pad + INDENT)
        elif isinstance(value, list) and (flow := self.flow(value)) is not None:
            self.out.append(f"{lead}{key}: {flow}")
        elif isinstance(value, list):
            self.out.append(f"{lead}{key}:")
            self.sequence(value, pad + INDENT)
        elif isinstance(value, str):
            self.string_lines(value, f"{lead}{key}: ", pad)
        else:
            self.out.append(f"{lead}{key}: {self.scalar(value)}")

    def flow(self, items: list[Value]) -> str | None:
        """A short list of one-line texts on one line, as column headings are written by hand."""
        if not all(isinstance(v, str) and "\n" not in v for v in items):
            return None
        text = f"[{', '.join(self.scalar(v) for v in items)}]"
        return text if len(text) <= FLOW_MAX else None

    def sequence(self, items: list[Value], pad: str) -> None:
        for item in items:
            if isinstance(item, Note):
                self.out.append(f"{pad}{comment(self.said(item.said))}")
            elif isinstance(item, Node):
                self.comments(item, pad)
                if _bare_paragraph(item):
                    self.string_lines(str(item["text"]), f"{pad}- ", pad)
                else:
                    self.mapping(item, pad + INDENT, first=f"{pad}- ")
            elif isinstance(item, list):
                self.out.append(f"{pad}- [{', '.join(self.scalar(v) for v in item)}]")
            elif isinstance(item, str):
                self.string_lines(item, f"{pad}- ", pad)
            else:
                self.out.append(f"{pad}- {self.scalar(item)}")


def _ordered(node: Node) -> list[tuple[str, Value]]:
    """Type and id first, then the node's own one-line fields, then what it holds (lists, nodes)."""
    fields = list(node.fields.items())
    flat = [(k, v) for k, v in fields if not isinstance(v, (list, Node))]
    return flat + [(k, v) for k, v in fields if isinstance(v, (list, Node))]


def _bare_paragraph(node: Node) -> bool:
    """A paragraph with nothing but its text: a bare string in a list of blocks."""
    return node.kind == "prose" and set(node.fields) == {"type", "text"} and not node.comments


def write(chapter: Node, header: list[Said], lang: str) -> str:
    writer = Writer(lang)
    writer.out.append("# yaml-language-server: $schema=../schema/chapter.schema.json")
    writer.out += [comment(writer.said(h)) for h in header]
    writer.comments(chapter, "")
    writer.mapping(chapter, "")
    return "\n".join(writer.out) + "\n"
