"""What `sopbook build` and the MkDocs plugin hand each other, as data.

`sopbook build` has loaded and checked the project already: it hands the project, its findings
and the previous site to the plugin instead of the plugin reading the content again (1.5 s at
1000 chapters), and reads back how many generated pages were written from the previous site and,
when MkDocs aborts, the findings the plugin aborted with (code, place and hint intact, not
MkDocs' one-line message). `mkdocs build` and `mkdocs serve` hand nothing over: the plugin then
loads the content itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sopbook.findings import Finding
from sopbook.model.project import Project


@dataclass(frozen=True)
class Handoff:
    """For the next build only; `mkdocs serve` rebuilds read the files again."""

    project: Project
    findings: list[Finding]
    previous_site: Path | None = None  # generated pages nothing changed for are taken from here


@dataclass
class WebResult:
    """What the plugin's last build did."""

    reused: set[str] = field(default_factory=set)  # src_uri of pages written from the previous site
    failures: list[Finding] = field(default_factory=list)  # what the last abort was about
