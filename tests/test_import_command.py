"""`sopbook import FILE.txt [-o content/ID.yml]`: what it prints, what it writes and what it refuses.

Run as the editor runs it: `sopbook --root ROOT import ...` through the command line's own entry."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sopbook.cli import main
from sopbook.model.nodes import Chapter
from sopbook.model.project import load_model

from projects import write_project

DOC = "交付管理\n一、交付的本质\nStep 1:氛围营造(2分钟)\n- 出示旧件\n为什么需要仪式感?\n"


def run(*argv: str, root: Path) -> int:
    return main(["--root", str(root), *argv])


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = write_project(tmp_path / "course")
    (root / "delivery.txt").write_text(DOC, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_without_o_it_reports_and_says_where_it_would_write(project: Path, capsys):
    assert run("import", "delivery.txt", root=project) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "delivery.txt: 5 lines with text, 5 placed in the draft, 0 not placed",
        "blocks: pending 1, procedure 1",
        "would write content/delivery.yml; give -o content/delivery.yml to write the draft there",
    ]
    assert out.err == "" and list((project / "content").iterdir()) == []

    (project / "content" / "delivery.yml").write_text("# edited by hand\n", encoding="utf-8")
    assert run("import", "delivery.txt", root=project) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "content/delivery.yml already exists: give -o content/delivery.yml --force to replace it, or --id "
        "for another chapter")


def test_o_writes_a_draft_that_loads_and_refuses_to_overwrite_it(project: Path, capsys):
    assert run("import", "delivery.txt", "-o", "content/delivery.yml", root=project) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "wrote the draft to content/delivery.yml",
        "next: add '- id: delivery' to syllabus in handbook.yml, then run sopbook check"]
    chapter = load_model(Chapter, project / "content" / "delivery.yml", "content/delivery.yml", project)
    assert chapter.id == "delivery" and chapter.sections[0].blocks[0].steps[0].actions == ["出示旧件"]

    (project / "content" / "delivery.yml").write_text("# edited by hand\n", encoding="utf-8")
    assert run("import", "delivery.txt", "-o", "content/delivery.yml", root=project) == 1
    assert capsys.readouterr().err == ("sopbook: content/delivery.yml already exists: give --force to "
                                       "replace it\n")
    assert (project / "content" / "delivery.yml").read_text(encoding="utf-8") == "# edited by hand\n"

    assert run("import", "delivery.txt", "-o", "content/delivery.yml", "--force", root=project) == 0
    written = (project / "content" / "delivery.yml").read_text(encoding="utf-8")
    assert written.startswith("# yaml-language-server")
    assert [p.name for p in (project / "content").iterdir()] == ["delivery.yml"]  # no temporary file left


@pytest.mark.parametrize(("out", "message"), [
    ("../elsewhere.yml", "../elsewhere.yml is outside the project folder {root}: write the draft into its "
                         "content/ folder"),
    ("/tmp/x.yml", "/tmp/x.yml is outside the project folder {root}: write the draft into its content/ "
                   "folder"),
    ("handbook.yml", "handbook.yml is not in the project's content/ folder, where chapters are read: "
                     "give -o content/<id>.yml"),
    ("checklists/x.yml", "checklists/x.yml is not in the project's content/ folder, where chapters are read: "
                         "give -o content/<id>.yml"),
    ("content/x.yaml", "content/x.yaml: a chapter is a .yml file (sopbook reads content/*.yml)"),
])
def test_o_outside_the_projects_chapters_is_refused(project: Path, capsys, out: str, message: str):
    before = (project / "handbook.yml").read_text(encoding="utf-8")
    assert run("import", "delivery.txt", "-o", out, "--force", root=project) == 1
    assert capsys.readouterr().err == f"sopbook: {message.format(root=project.resolve())}\n"
    assert (project / "handbook.yml").read_text(encoding="utf-8") == before
    assert not (project.parent / "elsewhere.yml").exists()


def test_o_through_a_link_is_refused(project: Path, capsys, tmp_path: Path):
    outside = tmp_path / "outside.yml"
    outside.write_text("keep\n", encoding="utf-8")
    os.symlink(outside, project / "content" / "linked.yml")
    assert run("import", "delivery.txt", "-o", "content/linked.yml", "--force", root=project) == 1
    assert capsys.readouterr().err == ("sopbook: content/linked.yml is a link: write the draft to a plain "
                                       "file in content/\n")
    assert outside.read_text(encoding="utf-8") == "keep\n"


def test_o_dash_prints_the_draft_and_reports_on_stderr(project: Path, capsys):
    assert run("import", "delivery.txt", "-o", "-", "--id", "day-18", root=project) == 0
    out = capsys.readouterr()
    assert out.out.startswith("# yaml-language-server") and '\nid: "day-18"\n' in out.out
    assert out.err.splitlines()[0] == "delivery.txt: 5 lines with text, 5 placed in the draft, 0 not placed"


def test_a_document_that_cannot_be_read_is_named(project: Path, capsys):
    (project / "latin1.txt").write_bytes("交付".encode("gb18030"))
    assert run("import", "latin1.txt", root=project) == 1
    assert capsys.readouterr().err == ("sopbook: latin1.txt is not UTF-8 text (byte at offset 0): save it as "
                                       "UTF-8\n")
    assert run("import", "missing.txt", root=project) == 1
    assert capsys.readouterr().err == ("sopbook: missing.txt is not a file: give the course document, a "
                                       "UTF-8 text file\n")
    (project / "blank.txt").write_text("\n \n", encoding="utf-8")
    assert run("import", "blank.txt", root=project) == 1
    assert capsys.readouterr().err == "sopbook: the document blank.txt has no text to import\n"
    assert run("import", "delivery.txt", "--id", "Day_18", root=project) == 1
    assert capsys.readouterr().err == ("sopbook: --id Day_18: an id is lowercase letters, digits and "
                                       "hyphens, e.g. delivery\n")


def test_it_speaks_the_handbooks_language(project: Path, capsys):
    (project / "handbook.yml").write_text((project / "handbook.yml").read_text(encoding="utf-8")
                                          + "language: zh\n", encoding="utf-8")
    assert run("import", "delivery.txt", root=project) == 0
    assert capsys.readouterr().out.splitlines() == [
        "delivery.txt:5 行有文字,5 行已放入草稿,0 行未放入",
        "内容块:pending 1, procedure 1",
        "将写入 content/delivery.yml;加上 -o content/delivery.yml 即可把草稿写到那里",
    ]
    assert run("import", "delivery.txt", "-o", "content/delivery.yml", root=project) == 0
    text = (project / "content" / "delivery.yml").read_text(encoding="utf-8")
    assert "# 由 sopbook import 从 delivery.txt 导入的草稿" in text
