"""The build pipeline: MkDocs errors come back located; the site is swapped in only on success."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sopbook.build import BuildFailed, build, build_web
from sopbook.project import load_project

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "web"


@pytest.fixture
def project_dir(tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root, symlinks=False, ignore=shutil.ignore_patterns("site", "site.*"))
    return root


def test_broken_trainer_ref_in_mkdocs_comes_back_as_a_located_finding(project_dir, tmp_path):
    (project_dir / "docs" / "trainers").mkdir(parents=True, exist_ok=True)
    (project_dir / "docs" / "trainers" / "oops.md").write_text("# 课\n\n见 {{ ref('nope.nothing') }}\n",
                                                                encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        build_web(load_project(project_dir), tmp_path / "out")
    located = [f for f in info.value.findings if f.loc.file == "docs/trainers/oops.md"]
    assert [(f.loc.line, f.loc.col, f.message) for f in located] == [
        (3, 3, "ref('nope.nothing') points to an id that does not exist")]


def test_failed_check_leaves_the_previous_site_and_says_why(project_dir):
    site = project_dir / "site"
    site.mkdir()
    (site / "marker.txt").write_text("previous build")
    (project_dir / "docs" / "broken.md").write_text("{{ ref('x.y') }}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as info:
        build(project_dir, cards=False)
    assert info.value.stage == "check"
    assert (site / "marker.txt").read_text() == "previous build"
    assert not list(project_dir.glob("site.tmp-*"))


def test_successful_build_replaces_the_site(project_dir):
    site = project_dir / "site"
    site.mkdir()
    (site / "marker.txt").write_text("previous build")
    result = build(project_dir, cards=False)
    assert result.site == site
    assert not (site / "marker.txt").exists()
    assert (site / "index.html").exists() and (site / "search" / "search_index.json").exists()
    assert not list(project_dir.glob("site.old-*")) and not list(project_dir.glob("site.tmp-*"))
