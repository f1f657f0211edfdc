"""The authoring guide in README's "Writing a chapter" runs: every YAML example in it is loaded,
checked and validated against the JSON Schemas, and every finding it quotes is what `sopbook check`
prints for that example."""
from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker

from sopbook.checks import run_checks
from sopbook.findings import failing
from sopbook.model.cards import resolve_card
from sopbook.model.nodes import Node, node_classes
from sopbook.model.project import load_project, walk
from sopbook.report import write_text
from sopbook.source.yaml_loader import read_yaml

from projects import plain, write_project

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = README.split("\n## Writing a chapter\n", 1)[1].split("\n## ", 1)[0]
FENCES = re.findall(r"^```(\w*)\n(.*?)^```$", GUIDE, re.S | re.M)
YAML = [body for lang, body in FENCES if lang == "yaml"]

# What each kind of example is, by how it begins.
OVERVIEW = "# yaml-language-server: $schema=../schema/chapter.schema.json\n"  # test_readme.py runs it
BLOCKS = [b for b in YAML if b.startswith("- ")]  # blocks of one chapter 'demo', as in a section's list
CARD_FILES = [b for b in YAML if b.startswith("# checklists/")]
CHAPTER_FILES = [b for b in YAML if b.startswith("# content/")]  # whole files, with what check prints

HANDBOOK = "title: 售后手册\nversion: '1.0'\nrevised: 2026-11-01\nsyllabus: [{id: demo}]\n"


def outputs_after(example: str) -> list[str]:
    """The ```text blocks that follow a chapter file in the guide, up to the next YAML example."""
    out, seen = [], False
    for lang, body in FENCES:
        if lang == "yaml":
            if seen:
                break
            seen = body == example
        elif seen and lang == "text":
            out.append(body)
    return out


WRONG_TOTAL = next(b for b in CHAPTER_FILES if "acknowledged:" not in b)
ACKNOWLEDGED = next(b for b in CHAPTER_FILES if "acknowledged:" in b)


def demo_chapter(blocks: list[str]) -> str:
    """Chapter 'demo' with each example in a section of its own."""
    sections = "".join(f"  - id: example-{n}\n    title: 示例\n    blocks:\n{textwrap.indent(b, ' ' * 6)}"
                       for n, b in enumerate(blocks))
    return f"id: demo\ntitle: 示例章\nsections:\n{sections}"


def demo_project(root: Path, chapter: str, cards: str | None = None) -> Path:
    files = {"content/demo.yml": chapter}
    if cards is not None:
        files["checklists/demo.yml"] = cards
        shutil.copytree(ROOT / "macros", root / "macros")
    return write_project(root, handbook=HANDBOOK, files=files)


def chapter_file_project(root: Path, example: str) -> Path:
    name = example.splitlines()[0].removeprefix("# ")
    return write_project(root, handbook=HANDBOOK, files={name: example})


def report(findings) -> str:
    out = io.StringIO()
    write_text(findings, out, "en")
    return out.getvalue()


def problems(findings) -> list[str]:
    return [f"{f.code}: {f.message}" for f in findings if f.level != "info" and not f.acknowledged]


# ---- the JSON Schemas, as an editor's validator reads the files ----------------------------------


def schema_errors(path: Path, name: str) -> list[str]:
    schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    errors = []
    for cls in (Draft202012Validator, Draft7Validator):
        validator = cls(schema, format_checker=FormatChecker())
        errors += [f"{cls.__name__} {'/'.join(map(str, e.absolute_path))}: {e.message}"
                   for e in validator.iter_errors(plain(read_yaml(path)))]
    return errors


# ---- every example is one the tests run ---------------------------------------------------------
def test_every_yaml_example_in_the_guide_is_run():
    assert YAML and [b for b in YAML if b.startswith(OVERVIEW)] == [YAML[0]]
    assert len(YAML) == 1 + len(BLOCKS) + len(CARD_FILES) + len(CHAPTER_FILES), (
        "a YAML example in 'Writing a chapter' that this file does not run: begin it with '- ' "
        "(blocks), '# content/<id>.yml' or '# checklists/<file>.yml'")
    assert len(CARD_FILES) == 1 and len(CHAPTER_FILES) == 2


def block_types() -> set[str]:
    return {c.model_fields["type"].default for c in node_classes() if "type" in c.model_fields}


def test_the_guide_shows_every_block_type_with_an_example(tmp_path):
    demo_project(tmp_path, demo_chapter(BLOCKS))
    (chapter,) = load_project(tmp_path).chapters
    shown = {node.type for node, _ in walk(chapter)
             if isinstance(node, Node) and "type" in type(node).model_fields}
    assert shown == block_types() == set(re.findall(r"^\*\*([a-z]+)\*\*: ", GUIDE, re.M))


@pytest.mark.parametrize("example", BLOCKS, ids=[re.search(r"type: (\w+)", b)[1] for b in BLOCKS])
def test_each_block_example_loads_and_is_valid_against_the_schema(tmp_path, example):
    demo_project(tmp_path, demo_chapter([example]))
    load_project(tmp_path)  # raises LoadFailed, with the line, on any error
    assert schema_errors(tmp_path / "content" / "demo.yml", "chapter") == []


def test_the_block_examples_and_the_card_file_together_pass_the_check(tmp_path):
    (cards,) = CARD_FILES
    demo_project(tmp_path, demo_chapter(BLOCKS), cards)
    findings = run_checks(load_project(tmp_path))
    assert problems(findings) == []
    assert [f.message for f in findings if f.level == "info"] == [
        "pending: '为什么需要仪式感?' (the source has this heading but no body)"]
    assert schema_errors(tmp_path / "content" / "demo.yml", "chapter") == []


def test_the_card_file_example_resolves_and_is_valid_against_the_schema(tmp_path):
    (cards,) = CARD_FILES
    demo_project(tmp_path, demo_chapter(BLOCKS), cards)
    project = load_project(tmp_path)
    assert [c.id for c in project.cards] == [
        "verify-brakes", "delivery-run", "proactive-discovery", "two-mots"]
    resolved = {}
    for card in project.cards:
        sources, found = resolve_card(project, card)
        assert found == [], card.id
        resolved[card.id] = sources
    # as the guide says: title and kind default to the source's, front and back print parts
    assert resolved["verify-brakes"].kind == "read-do" and resolved["verify-brakes"].title == "刹车系统"
    assert resolved["proactive-discovery"].kind == "do-confirm"
    assert [e.address for e in resolved["two-mots"].fronts] == ["demo.mot-1"]
    assert [e.address for e in resolved["two-mots"].backs] == ["demo.mot-2"]
    assert schema_errors(tmp_path / "checklists" / "demo.yml", "cards") == []


def test_the_chapter_file_examples_are_valid_against_the_schema(tmp_path):
    for n, example in enumerate(CHAPTER_FILES):
        root = chapter_file_project(tmp_path / str(n), example)
        assert schema_errors(root / "content" / "demo.yml", "chapter") == []


# ---- the findings the guide quotes ---------------------------------------------------------------
def check_output(root: Path) -> tuple[str, bool]:
    findings = run_checks(load_project(root))
    return report(findings), bool(failing(findings))


def test_a_wrong_total_gives_exactly_the_finding_the_guide_quotes(tmp_path):
    (quoted,) = outputs_after(WRONG_TOTAL)
    text, fails = check_output(chapter_file_project(tmp_path, WRONG_TOTAL))
    assert text == quoted
    assert fails  # exit 1


STEP_5 = "{id: step-connect, title: 情感连接, minutes: %d}"


@pytest.mark.parametrize("edit, codes", [
    (((STEP_5 % 3, STEP_5 % 2),), []),
    ((("total_minutes: 15", "total_minutes: 16"),), []),
    ((("total_minutes: 15", "total_minutes: 22"), (STEP_5 % 3, STEP_5 % 9)), ["timings.kpi-range"]),
], ids=["step 5 at 2 minutes", "a total of 16", "steps and total of 22"])
def test_the_wrong_total_example_as_corrected_in_the_guide(tmp_path, edit, codes):
    example = WRONG_TOTAL
    for old, new in edit:
        assert example.count(old) == 1, old
        example = example.replace(old, new)
    findings = run_checks(load_project(chapter_file_project(tmp_path, example)))
    assert [f.code for f in findings if f.level != "info"] == codes


def test_an_acknowledged_finding_and_a_stale_acknowledgement_print_as_the_guide_quotes(tmp_path):
    acknowledged, stale = outputs_after(ACKNOWLEDGED)
    text, fails = check_output(chapter_file_project(tmp_path / "as-is", ACKNOWLEDGED))
    assert (text, fails) == (acknowledged, False)
    assert ACKNOWLEDGED.count("time: 9:22") == 1
    corrected = ACKNOWLEDGED.replace("time: 9:22", "time: 9:20")
    text, fails = check_output(chapter_file_project(tmp_path / "corrected", corrected))
    assert (text, fails) == (stale, False)  # a warning: it fails only with --strict


# ---- what the guide says each mismatch gives -----------------------------------------------------
FINDING_CODE = re.compile(r"`((?:timings|completeness|references|arithmetic|cards|files)\.[a-z-]+)`")


def test_every_finding_code_the_guide_names_exists():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sopbook").rglob("*.py"))
    named = set(FINDING_CODE.findall(GUIDE))
    assert len(named) >= 15
    assert [c for c in sorted(named) if f'"{c}"' not in source] == []


# An edit to the block examples (in the chapter or the card file) and the code it must give.
MISMATCHES = {
    "timings.step-sum": ("chapter", "title: 情感连接, minutes: 2}", "title: 情感连接, minutes: 4}"),
    "completeness.step-minutes": ("chapter", "title: 氛围营造, minutes: 2}", "title: 氛围营造}"),
    "timings.kpi-range": ("chapter", "target: 15-20分钟", "target: 10-12分钟"),
    "timings.kpi-unit": ("chapter", "target: 15-20分钟", "target: 15-20%"),
    "references.missing": ("chapter", "governed_by: kpi-delivery-time", "governed_by: kpi-delivery"),
    "references.wrong-kind": ("chapter", "governed_by: kpi-delivery-time", "governed_by: nps-segments"),
    "timings.timeline-order": ("chapter", "{day: 1, time: 10:35,", "{day: 1, time: 9:35,"),
    "timings.event-duration": ("chapter", "minutes: 15, marks: [start]", "minutes: 14, marks: [start]"),
    "timings.timeline-total": ("chapter", "stated_total_minutes: 25", "stated_total_minutes: 20"),
    "timings.mot-window": ("chapter", "time: 9:43", "time: 9:45"),
    "timings.mot-anchor": ("chapter", "text: 李明准时到达, marks: [arrival]", "text: 李明准时到达"),
    "timings.deadline-mismatch": ("chapter", "deadline: 24小时内\n      actions:",
                                  "deadline: 3天内\n      actions:"),
    "timings.followup-order": ("chapter", "{day: 30, text: 30天后关怀}", "{day: 5, text: 30天后关怀}"),
    "completeness.claimed-count": ("chapter", "title: 记忆主要由两个因素决定",
                                   "title: 记忆主要由三个因素决定"),
    "arithmetic.calculation": ("chapter", "result: 1,500倍", "result: 150倍"),
    "cards.no-kind": ("chapter", "  kind: do-confirm\n  groups:", "  groups:"),
    "cards.no-confirmation": ("chapter", "  confirmation:\n    text: 客户签字确认\n", ""),
    "cards.unknown-source": ("cards", "source: demo.mots", "source: demo.motz"),
    "cards.front-outside-source": ("cards", "front: [demo.mot-1]", "front: [demo.roi]"),
    "cards.unsupported-source": ("cards", "source: demo.verify-brakes", "source: demo.recovery-call"),
}


@pytest.mark.parametrize("code, edit", MISMATCHES.items(), ids=MISMATCHES.keys())
def test_a_mismatch_in_the_examples_gives_the_code_the_guide_names(tmp_path, code, edit):
    assert f"`{code}`" in GUIDE
    where, old, new = edit
    chapter, (cards,) = "\n".join(BLOCKS), CARD_FILES
    text = chapter if where == "chapter" else cards
    assert text.count(old) == 1, f"the guide's examples changed: update the edit for {code}"
    text = text.replace(old, new)
    chapter, cards = (text, cards) if where == "chapter" else (chapter, text)
    demo_project(tmp_path, demo_chapter([chapter]), cards)
    assert code in {f.code for f in run_checks(load_project(tmp_path)) if f.level != "info"}
