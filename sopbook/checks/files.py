"""File checks: docs/ holds only files that may be published, and the site goes somewhere of its own.

The plugin refuses the same docs/ files (docs_files.file_problem) and the same site_dir
(site_paths.site_dir_problem), so `sopbook check` says in advance what would stop a build.
"""
from __future__ import annotations

from sopbook.findings import Finding
from sopbook.model.project import Project
from sopbook.source.files import docs_findings
from sopbook.source.site_paths import config_problem, site_dir_problem


def check(project: Project) -> list[Finding]:
    out = docs_findings(project.root)
    for problem in (config_problem(project.root), site_dir_problem(project.root)):
        if problem is not None:
            out.append(problem)
    return out
