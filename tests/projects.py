"""Write small sopbook projects into a temporary folder: each test shows its YAML next to its assertion."""
from __future__ import annotations

import textwrap
from pathlib import Path

HANDBOOK = """\
title: 测试手册
version: "0.9"
revised: 2026-11-01
syllabus:
  - id: ch
"""


def write_project(root: Path, chapter: str | None = None, *, handbook: str = HANDBOOK,
                  files: dict[str, str] | None = None) -> Path:
    """A project with handbook.yml, content/ch.yml (when given) and any extra files."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "checklists").mkdir(exist_ok=True)
    (root / "handbook.yml").write_text(textwrap.dedent(handbook), encoding="utf-8")
    if chapter is not None:
        (root / "content" / "ch.yml").write_text(textwrap.dedent(chapter), encoding="utf-8")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def chapter(blocks: str, *, extra: str = "") -> str:
    """A chapter 'ch' with one section holding the given blocks (YAML, indented any way)."""
    body = textwrap.indent(textwrap.dedent(blocks).strip("\n"), " " * 6)
    return f"id: ch\ntitle: 测试章\n{extra}sections:\n  - id: s\n    title: 小节\n    blocks:\n{body}\n"


def plain(value):
    """What sopbook's loader read, as plain JSON types (what an editor's schema validator sees)."""
    from sopbook.source.yaml_loader import LocDict, LocList, SourceFloat, SourceInt

    if isinstance(value, LocDict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, LocList):
        return [plain(v) for v in value]
    if isinstance(value, SourceInt):
        return int(value)
    if isinstance(value, SourceFloat):
        return float(value)
    return value
