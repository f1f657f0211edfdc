"""How much of each chapter is written: the content-health page's figures.

A heading counts as written unless it is marked pending; a `pending` block is a heading of the
source whose body is still to come.
"""
from __future__ import annotations

from dataclasses import dataclass

from sopbook.model.nodes import Pending, Section
from sopbook.model.project import Project, walk


@dataclass(frozen=True)
class ChapterCompleteness:
    chapter_id: str
    sections: int  # headings of the source: sections plus pending blocks
    pending: int

    @property
    def percent(self) -> float:
        return 100.0 * (self.sections - self.pending) / self.sections if self.sections else 100.0


def chapter_completeness(project: Project) -> list[ChapterCompleteness]:
    """Share of a chapter's headings that have their body (pending ones do not)."""
    out = []
    for chapter in project.chapters:
        total = pending = 0
        for node, _ in walk(chapter):
            if isinstance(node, Section):
                total += 1
                pending += node.pending
            elif isinstance(node, Pending):
                total += 1
                pending += 1
        out.append(ChapterCompleteness(chapter.id, total, pending))
    return out
