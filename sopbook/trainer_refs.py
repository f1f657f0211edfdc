"""Find `{{ ref('chapter.thing') }}`-style references in trainers' hand-written Markdown pages.

The check (sopbook check) and the MkDocs plugin (which expands them) read references with this
one function, so what the check accepts is exactly what the build renders.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The functions a trainer page may call; anything else inside {{ }} is left alone (and escaped).
FUNCTIONS = ("ref", "checklist", "card")
PATTERN = re.compile(r"\{\{\s*(?P<func>" + "|".join(FUNCTIONS) + r")\(\s*(?P<q>['\"])(?P<ref>[^'\"]*)(?P=q)\s*\)\s*\}\}")


@dataclass(frozen=True)
class TrainerRef:
    func: str
    ref: str
    line: int
    col: int
    start: int  # offsets in the text, for replacement
    end: int


def find_refs(text: str) -> list[TrainerRef]:
    out = []
    for match in PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        out.append(TrainerRef(match["func"], match["ref"], line, col, match.start(), match.end()))
    return out


def trainer_pages(root: Path, docs_dir: str = "docs") -> list[Path]:
    base = Path(root) / docs_dir
    return sorted(base.rglob("*.md")) if base.is_dir() else []
