"""The README's examples run, so the docs cannot rot."""
from __future__ import annotations

import re
from pathlib import Path

from sopbook.checks import run_checks
from sopbook.model.project import load_project
from sopbook.source.yaml_loader import parse_yaml

from projects import write_project

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", README, re.S)


def test_readme_chapter_example_loads_and_passes_the_check(tmp_path):
    (example,) = [b for b in YAML_BLOCKS if b.startswith("# yaml-language-server")]
    write_project(tmp_path, handbook="title: t\nversion: '1'\nrevised: 2026-01-01\nsyllabus: [{id: demo}]\n",
                  files={"content/demo.yml": example})
    project = load_project(tmp_path)
    findings = run_checks(project)
    assert [f.code for f in findings if f.level != "info"] == []
    assert [f.message for f in findings if f.level == "info"] == [
        "pending: '为什么需要仪式感?' (the source has this heading but no body)"]
    assert project.index["demo.verify-brakes"].node.confirmation.question == "刹车正常了吗?"


def test_readme_acknowledgement_example_is_valid_yaml():
    (ack,) = [b for b in YAML_BLOCKS if b.startswith("acknowledged:")]
    data = parse_yaml(ack, "README.md")
    assert data["acknowledged"][0]["code"] == "timings.timeline-total"


def test_readme_trainer_example_resolves_against_the_real_handbook(tmp_path):
    from sopbook.model.trainer_refs import find_refs

    (example,) = re.findall(r"```markdown\n(.*?)```", README, re.S)
    root = Path(__file__).resolve().parents[1]
    project = load_project(root)
    refs = find_refs(example)
    assert [r.func for r in refs] == ["ref", "card"]
    assert project.resolve(refs[0].ref) is not None
    assert refs[1].ref in {c.id for c in project.cards}


def test_readme_languages_example_is_what_sopbook_check_prints(tmp_path, capsys):
    """The Chinese finding the README shows is the one an editor gets for the same edit, and
    `--lang en` says it in English with the same place and code."""
    from sopbook.cli import main

    from cards_support import copy_real

    (shown,) = re.findall(r"```text\n(content/delivery\.yml\n.*?)```", README, re.S)
    root = copy_real(tmp_path / "hb", ("content", "checklists"))
    chapter = root / "content" / "delivery.yml"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("total_minutes: 15", "total_minutes: 16", 1), encoding="utf-8")
    assert main(["--root", str(root), "check", "--no-cards"]) == 1
    assert capsys.readouterr().out.startswith(shown)
    assert main(["--root", str(root), "--lang", "en", "check", "--no-cards"]) == 1
    assert capsys.readouterr().out.splitlines()[1] == (
        "  35:9     error   procedure '完美交付的黄金SOP': steps sum to 15 minutes (2 + 5 + 3 + 3 + 2), "
        "but the procedure states 16  [timings.step-sum]")
