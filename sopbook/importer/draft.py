"""The draft chapter as it is built: YAML mappings that remember their source lines and comments.

A draft is not the model: it is what the YAML file will say, field by field, so that a comment can
stand beside the node it is about (the source lines, a line that could not be placed, how a table
was rebuilt). yaml_text.py writes it; the model then reads it like any hand-written chapter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from sopbook.i18n import Said  # sopbook's own words in the draft, said in the handbook's language


@dataclass
class Note:
    """A comment line in a list of the draft (a source line that has no place there)."""

    said: Said


@dataclass
class Node:
    """A YAML mapping: its fields in order, comments written above it, the source lines it holds."""

    kind: str  # "chapter", "section", "step", "event", "kpi"... or a block's type
    fields: dict[str, Value] = field(default_factory=dict)
    comments: list[Said] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def __getitem__(self, key: str) -> Value:
        return self.fields[key]

    def __setitem__(self, key: str, value: Value) -> None:
        self.fields[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self.fields

    def get(self, key: str) -> Value | None:
        return self.fields.get(key)

    def items(self, key: str) -> list[Value]:
        """The list under `key`, created empty when missing."""
        value = self.fields.setdefault(key, [])
        assert isinstance(value, list)
        return value

    def nodes(self, key: str) -> list[Node]:
        value = self.fields.get(key)
        return [v for v in value if isinstance(v, Node)] if isinstance(value, list) else []

    def text(self, key: str) -> str | None:
        value = self.fields.get(key)
        return value if isinstance(value, str) else None


Value = Union[str, int, float, bool, Said, Note, Node, list["Value"]]  # noqa: UP007 (a recursive alias)


def walk(node: Node):
    """Every node under `node` (included), in document order."""
    yield node
    for value in node.fields.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Node):
                yield from walk(item)


def kind_of_lines(node: Node, block: str = "") -> dict[int, str]:
    """Source line -> the type of the innermost block (or section/chapter) that holds it."""
    mine = node.kind if node.kind in BLOCK_TYPES or node.kind in ("section", "chapter") else block
    out = {line: mine for line in node.lines}
    for value in node.fields.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Node):
                out.update(kind_of_lines(item, mine))
    return out


BLOCK_TYPES = ("prose", "list", "table", "quote", "talk", "checklist", "procedure", "kpis", "timeline",
               "case", "segments", "followups", "calculation", "mots", "pending")
