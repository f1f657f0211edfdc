"""Where an offset into a file's text is, as the line:col every finding names (both from 1)."""
from __future__ import annotations


def line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
