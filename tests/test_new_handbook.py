"""A second handbook starts with `sopbook new` and sopbook's built-in templates; its own macros/
overrides them file by file."""
from __future__ import annotations

import datetime
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from sopbook.cards.html import card_html, template_finding
from sopbook.cli import main
from sopbook.model import nodes
from sopbook.model.cards import printable_types, resolve_card
from sopbook.model.project import load_project
from sopbook.new import new_handbook
from sopbook.render.templating import environment
from sopbook.source.templates import builtin_dir, search_path

REPO = Path(__file__).resolve().parents[1]


def sopbook(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sopbook.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def block_types() -> set[str]:
    """Every `type:` a section's blocks may have, from the model itself."""
    union = typing.get_args(nodes.Block)[0]
    return {typing.get_args(cls.model_fields["type"].annotation)[0] for cls in typing.get_args(union)}


def walk_types(value: object) -> set[str]:
    found: set[str] = set()
    if isinstance(value, nodes.Node):
        kind = value.__dict__.get("type")
        if isinstance(kind, str):
            found.add(kind)
        for field in type(value).model_fields:
            found |= walk_types(getattr(value, field))
    elif isinstance(value, list):
        for item in value:
            found |= walk_types(item)
    return found


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    new_handbook(root, datetime.date.today())
    return root


def test_the_built_in_templates_are_this_repositorys_macros():
    assert builtin_dir().resolve() == (REPO / "macros").resolve()


def test_a_new_handbook_has_no_macros_and_renders_with_the_built_in_templates(handbook: Path):
    assert not (handbook / "macros").exists()
    assert search_path(handbook) == [builtin_dir()]
    blocks = {p.stem for p in (REPO / "macros" / "blocks").glob("*.html")} - {"block", "_common"}
    assert printable_types(handbook) == blocks


def test_the_example_chapter_has_a_block_of_every_type(handbook: Path):
    project = load_project(handbook)
    (chapter,) = project.chapters
    assert block_types() - walk_types(chapter) == set()
    assert {card.id for card in project.cards} == {"intake-check", "reception-run"}


def test_new_prints_what_it_wrote_and_what_to_run(tmp_path: Path, capsys):
    assert main(["new", str(tmp_path / "course")]) == 0
    out = capsys.readouterr().out
    for line in ("handbook.yml", "mkdocs.yml", "content/reception.yml", "checklists/reception.yml",
                 "docs/index.md", "docs/trainers/lesson.md", "schema/chapter.schema.json",
                 "sopbook check", "sopbook build", "macros/blocks/"):
        assert line in out
    # In the language the new handbook is written in (its mkdocs.yml says zh), unless --lang says.
    assert out.startswith(f"sopbook: 已在 {tmp_path / 'course'} 写入新手册:\n")
    assert "\n接下来:\n" in out and "  sopbook check     # 找出对不上的地方,并给出文件和行号\n" in out
    assert main(["new", str(tmp_path / "english"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"sopbook: wrote a new handbook in {tmp_path / 'english'}:\n")
    assert "\nNext:\n" in out
    assert "  sopbook check     # finds what does not add up, with file and line\n" in out
    revised = f"revised: {datetime.date.today().isoformat()}"
    assert revised in (tmp_path / "course" / "handbook.yml").read_text(encoding="utf-8")


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"sopbook: {tmp_path} 已存在且不是空的;新手册需要一个新的或空的文件夹:"
                                       "sopbook new <文件夹>\n")
    assert main(["new", str(tmp_path), "--lang", "en"]) == 1
    assert "exists and is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    assert main(["new", str(tmp_path / "empty")]) == 0
    assert main(["new", str(tmp_path / "notes.txt")]) == 1


def test_an_override_replaces_only_its_own_block(handbook: Path):
    (handbook / "macros" / "blocks").mkdir(parents=True)
    (handbook / "macros" / "blocks" / "prose.html").write_text(
        "{% macro prose(p, medium='web', level=3, links=none) %}<p class=\"our-prose\">{{ p.text }}</p>"
        "{% endmacro %}", encoding="utf-8")
    environment.cache_clear()
    project = load_project(handbook)
    env = environment(handbook, "en")
    chapter = project.chapters[0]
    html = env.get_template("blocks/block.html").module.blocks(chapter.sections[0].blocks)  # type: ignore[attr-defined]
    assert 'class="our-prose"' in html and 'class="sb-prose"' not in html
    assert 'class="sb-quote"' in html and 'class="sb-list"' in html  # still the built-in ones
    assert "prose" in printable_types(handbook)


def broken_card(handbook: Path, checklist_html: str):
    (handbook / "macros" / "blocks").mkdir(parents=True)
    (handbook / "macros" / "blocks" / "checklist.html").write_text(checklist_html, encoding="utf-8")
    environment.cache_clear()
    project = load_project(handbook)
    card = next(c for c in project.cards if c.id == "intake-check")
    sources, _ = resolve_card(project, card)
    assert sources is not None
    with pytest.raises(Exception) as caught:
        card_html(project, sources, None)
    return template_finding(handbook, sources, caught.value)


def test_a_broken_override_is_named_with_its_line_and_what_to_do(handbook: Path):
    lines = (builtin_dir() / "blocks" / "checklist.html").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if "sb-checklist" in line) + 1
    lines.insert(at, "{{ c.nothing.here }}")
    finding = broken_card(handbook, "\n".join(lines) + "\n")
    assert (finding.loc.file, finding.loc.line) == ("macros/blocks/checklist.html", at + 1)
    assert "card 'intake-check'" in finding.message
    assert "overrides sopbook's built-in blocks/checklist.html" in finding.hint


def test_an_override_that_lacks_a_macro_the_built_in_ones_use_is_named(handbook: Path):
    finding = broken_card(handbook, "{% macro checklist(c, medium='web', level=3, links=none) %}"
                                    "<ul></ul>{% endmacro %}\n")
    assert finding.loc.file.endswith("card/card.html") and finding.loc.line > 0
    assert "macros/blocks/checklist.html" in finding.hint and "every macro" in finding.hint
    assert "reinstall" not in finding.hint


@pytest.mark.slow
def test_a_new_handbook_checks_clean_and_builds_with_its_cards(tmp_path: Path):
    made = sopbook("new", "course", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "course"
    checked = sopbook("check", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 个错误,0 个警告" in checked.stdout
    built = sopbook("build", "--root", str(root), cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    site = root / "site"
    chapter = (site / "reception" / "index.html").read_text(encoding="utf-8")
    assert "到店报修接待" in chapter and 'class="sb-mot' in chapter
    lesson = (site / "trainers" / "lesson.html").read_text(encoding="utf-8")
    assert "reception/index.html#intake-check" in lesson and "cards/intake-check.pdf" in lesson
    for pdf in ("cards/intake-check.pdf", "cards/reception-run.pdf", "cards/a4/reception.pdf"):
        assert (site / pdf).read_bytes().startswith(b"%PDF"), pdf
    assert (site / "index.html").is_file()


@pytest.mark.slow
def test_a_page_whose_override_fails_is_named_by_the_build_not_reported_as_a_bug(handbook: Path):
    (handbook / "macros" / "blocks").mkdir(parents=True)
    (handbook / "macros" / "blocks" / "prose.html").write_text(
        "{% macro prose(p, medium='web', level=3, links=none) %}\n<p>\n{{ p.nothing.here }}</p>"
        "{% endmacro %}\n", encoding="utf-8")
    built = sopbook("build", "--no-cards", cwd=handbook)
    assert built.returncode == 1
    assert "macros/blocks/prose.html\n  3 " in built.stdout and "[web.template]" in built.stdout
    assert "bug in sopbook" not in built.stderr
    assert not (handbook / "site").exists()
