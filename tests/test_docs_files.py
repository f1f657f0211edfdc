"""docs/ follows content/'s file rules, and the site never goes where the sources are.

A handbook repository is shared: a link in docs/ to ~/.ssh/id_rsa would be published in the
site and its search index, a FIFO would hang the check, /dev/zero would be read until memory
runs out. And `--site content` would have the build replace content/ with the site.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sopbook.build import BuildFailed, build, build_web
from sopbook.checks import run_checks
from sopbook.cli import main
from sopbook.model.project import load_project

from projects import chapter, write_project

REPO = Path(__file__).resolve().parent.parent
MKDOCS = "site_name: t\ndocs_dir: docs\ntheme: {name: material, font: false}\nplugins: [search, sopbook]\n"


@pytest.fixture
def root(tmp_path) -> Path:
    root = write_project(tmp_path / "p", chapter("- 正文"), files={
        "mkdocs.yml": MKDOCS, "docs/index.md": "# 首页\n", "docs/trainers/lesson.md": "# 课\n"})
    os.symlink(REPO / "macros", root / "macros")
    return root


def errors(root: Path) -> list[tuple[str, str, str]]:
    return [(f.code, str(f.loc), f.message) for f in run_checks(load_project(root)) if f.level == "error"]


def build_errors(root: Path, out: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(BuildFailed) as info:
        build_web(load_project(root), out)
    return [(f.code, str(f.loc), f.message) for f in info.value.findings if f.level == "error"]


def test_a_docs_link_to_a_file_outside_the_project_is_refused_by_check_and_build(root, tmp_path):
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY 私钥\n", encoding="utf-8")
    os.symlink(secret, root / "docs" / "trainers" / "secret.md")
    os.symlink(secret, root / "docs" / "photo.png")
    expected = [("load.file", "docs/photo.png:1",
                 f"docs/photo.png links to a file outside the project ({secret})"),
                ("load.file", "docs/trainers/secret.md:1",
                 f"docs/trainers/secret.md links to a file outside the project ({secret})")]
    assert errors(root) == expected
    out = tmp_path / "out"
    assert sorted(build_errors(root, out)) == expected
    files = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    published = [p for p in files if "PRIVATE KEY" in p.read_text(errors="replace")]
    assert published == []  # neither the page, nor the search index, nor the copied file


def test_a_docs_folder_link_outside_the_project_is_refused(root, tmp_path):
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / "notes.md").write_text("# 私人笔记\n", encoding="utf-8")
    os.symlink(outside, root / "docs" / "home")
    assert errors(root) == [("load.file", "docs/home:1",
                             f"docs/home links to a file outside the project ({outside})")]


def test_a_fifo_in_docs_is_refused_and_check_returns(root):
    os.mkfifo(root / "docs" / "trainers" / "pipe.md")
    os.mkfifo(root / "docs" / "handout.pdf")
    # In a subprocess, so a check that opens the FIFO fails this test instead of hanging the suite.
    run = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(root), "check"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "docs/handout.pdf\n  1        error   docs/handout.pdf is not a regular file  [load.file]" \
        in run.stdout
    assert "docs/trainers/pipe.md is not a regular file  [load.file]" in run.stdout
    assert "hint: docs/ holds plain files: pages, images, handouts" in run.stdout


def _limited_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression fails, not the machine


def test_a_docs_link_to_dev_zero_is_a_located_error_not_memory_error(root):
    os.symlink("/dev/zero", root / "docs" / "zero.md")
    run = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(root), "check"],
                         capture_output=True, text=True, timeout=120, preexec_fn=_limited_memory)
    assert run.returncode == 1
    assert "docs/zero.md links to a file outside the project (/dev/zero)  [load.file]" in run.stdout
    assert "MemoryError" not in run.stdout + run.stderr and "error: \n" not in run.stderr + "\n"


def test_docs_files_over_the_size_limit_are_refused(root):
    (root / "docs" / "trainers" / "huge.md").write_text("# 课\n" + "很长的一行\n" * 400_000, encoding="utf-8")
    with open(root / "docs" / "video.mp4", "wb") as handle:
        handle.truncate(60_000_000)  # sparse: no 60 MB written to the test machine's disk
    assert errors(root) == [
        ("load.size", "docs/trainers/huge.md:1",
         "file is 6,400,006 bytes, more than the 5,000,000 bytes allowed"),
        ("load.size", "docs/video.mp4:1", "file is 60,000,000 bytes, more than the 50,000,000 bytes allowed")]


def test_a_link_inside_the_project_and_dot_files_are_fine(root):
    (root / "docs" / "img").mkdir()
    (root / "assets.png").write_bytes(b"\x89PNG\r\n")
    os.symlink(root / "assets.png", root / "docs" / "img" / "logo.png")
    os.symlink("/etc/hostname", root / "docs" / ".hidden")  # MkDocs leaves dot files out
    assert errors(root) == []


# ---- the output folder ---------------------------------------------------------------------------
def sources(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink() and "macros" not in p.parts}


@pytest.mark.parametrize("site, clash", [
    ("content", "is the project's content"), (".", "is the project folder itself"),
    ("..", "contains the project folder"), ("docs/out", "lies inside the project's docs"),
    ("checklists", "is the project's checklists"), ("handbook.yml", "is the project's handbook.yml"),
])
def test_site_in_the_sources_is_refused_before_anything_is_touched(root, capsys, monkeypatch, site, clash):
    before = sources(root)
    monkeypatch.chdir(root)
    assert main(["--root", str(root), "build", "--no-cards", "--site", site]) == 1
    out = capsys.readouterr().out
    assert f"the output folder (--site {site}) {clash}: building there would delete it  [build.site-dir]" \
        in out
    assert out.startswith(f"sopbook build --site {site}\n")  # the finding's place: the command line
    assert "hint: build into a folder of its own" in out
    assert sources(root) == before
    assert not any(p.name.startswith(("site.tmp-", "site.old-")) for p in root.parent.iterdir())


def test_site_in_a_folder_of_its_own_builds(root, tmp_path):
    result = build(root, site_dir=str(tmp_path / "elsewhere"), cards=False)
    assert (result.site / "index.html").is_file() and (root / "content" / "ch.yml").is_file()


def test_site_dir_in_mkdocs_yml_on_the_sources_is_refused_by_check_and_by_mkdocs_build(root):
    (root / "mkdocs.yml").write_text(MKDOCS + "site_dir: content\n", encoding="utf-8")
    before = sources(root)
    assert errors(root) == [("build.site-dir", "mkdocs.yml:5:11",
                             "the output folder site_dir: content is the project's content: "
                             "building there would delete it")]
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    config = load_config(str(root / "mkdocs.yml"))  # a bare `mkdocs build`, which empties site_dir
    with pytest.raises(Abort):
        mkdocs_build(config)
    assert config.plugins["sopbook"].result.failures[0].loc == ("mkdocs.yml", 5, 11)
    assert sources(root) == before


def test_a_mkdocs_yml_that_is_not_yaml_is_located_by_check_and_build(root, capsys):
    (root / "mkdocs.yml").write_text("site_name: t\nplugins: [search, sopbook\n", encoding="utf-8")
    [(code, loc, message)] = errors(root)
    assert (code, loc) == ("build.config", "mkdocs.yml:3:1")
    assert message.startswith("mkdocs.yml is not valid YAML: ") and "']'" in message
    assert main(["--root", str(root), "build", "--no-cards"]) == 1
    assert "mkdocs.yml\n  3:1      error   mkdocs.yml is not valid YAML" in capsys.readouterr().out


def test_a_docs_folder_outside_the_project_is_one_located_error(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.md").write_text("# a\n", encoding="utf-8")
    mkdocs = MKDOCS.replace("docs_dir: docs", f"docs_dir: {elsewhere}")
    (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    assert errors(root) == [("load.file", "mkdocs.yml:2:11",
                             f"the docs folder {elsewhere} is outside the project ({elsewhere})")]


def test_cards_out_in_the_sources_is_refused(root, capsys, monkeypatch):
    before = sources(root)
    monkeypatch.chdir(root)
    assert main(["--root", str(root), "cards", "--out", "content"]) == 1
    assert "the output folder (--out content) is the project's content" in capsys.readouterr().out
    assert sources(root) == before and not (root / "content" / "a4").exists()
