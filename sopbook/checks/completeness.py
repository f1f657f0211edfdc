"""completeness checks."""
from __future__ import annotations

from ..findings import Finding
from ..project import Project


def check(project: Project) -> list[Finding]:
    return []
