"""The committed JSON Schemas match the model, so editors autocomplete what the loader accepts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker

from sopbook.findings import LoadFailed
from sopbook.model.ledger import EDITIONS_FILE
from sopbook.model.project import load_project
from sopbook.model.schema import SCHEMAS, schema_text
from sopbook.source.yaml_loader import read_yaml

from projects import HANDBOOK, chapter, plain, write_project

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schemas_are_current():
    for name in SCHEMAS:
        committed = (ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name), f"schema/{name}.schema.json is stale: run `sopbook schema`"


def test_chapter_schema_describes_ids_and_blocks():
    text = schema_text("chapter")
    assert "^[a-z0-9]+(?:-[a-z0-9]+)*$" in text
    for block in ("procedure", "checklist", "kpis", "timeline", "segments", "calculation", "mots", "pending"):
        assert f'"const": "{block}"' in text


# ---- the schemas against a real JSON Schema validator ------------------------------------------------
KIND_OF = {"content": "chapter", "checklists": "cards"}


def validator(name: str, cls=Draft202012Validator):
    schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    cls.check_schema(schema)
    return cls(schema, format_checker=FormatChecker())


def instance(path: Path):
    """The file as sopbook's loader reads it, as plain JSON types."""
    return plain(read_yaml(path))


def schema_errors(path: Path, name: str, cls=Draft202012Validator) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name, cls).iter_errors(instance(path))]


def project_files(root: Path) -> list[tuple[Path, str]]:
    files = [(root / "handbook.yml", "handbook")]
    for folder, name in KIND_OF.items():
        files += [(p, "editions" if p.name == EDITIONS_FILE else name)
                  for p in sorted((root / folder).glob("*.yml"))]
    return files


def accepted_fixtures() -> list[Path]:
    out = []
    for root in sorted(p for p in (ROOT / "tests" / "fixtures").iterdir() if (p / "handbook.yml").exists()):
        try:
            load_project(root)
        except LoadFailed:
            continue
        out.append(root)
    return out


FIXTURES = accepted_fixtures()


def test_fixtures_the_loader_accepts_are_found():
    assert {p.name for p in FIXTURES} >= {"web", "cards", "cards-overflow"}


@pytest.mark.parametrize("cls", [Draft202012Validator, Draft7Validator], ids=["draft2020-12", "draft-07"])
@pytest.mark.parametrize("root", [ROOT, *FIXTURES], ids=["the handbook", *(p.name for p in FIXTURES)])
def test_every_file_the_loader_accepts_is_valid_against_its_schema(root, cls):
    # draft-07 too: the YAML language server validates with draft-07 rules
    load_project(root)
    for path, name in project_files(root):
        assert schema_errors(path, name, cls) == [], path.relative_to(ROOT)


def test_the_readme_chapter_example_is_valid_against_the_schema(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S)
                  if b.startswith("# yaml-language-server")]
    write_project(tmp_path, handbook="title: t\nversion: '1'\nrevised: 2026-01-01\nsyllabus: [{id: demo}]\n",
                  files={"content/demo.yml": example})
    load_project(tmp_path)
    assert schema_errors(tmp_path / "content" / "demo.yml", "chapter") == []


def test_short_forms_are_valid_against_the_schema(tmp_path):
    write_project(tmp_path, chapter("""
        - 一段文字,写成一个字符串
        - type: checklist
          id: c
          title: 刹车
          items: [踩刹车, {text: 试车, note: 低速}]
          groups: [{title: 交车前, items: [检查外观]}]
        - type: table
          columns: [指标, 目标]
          rows: [[NPS, 1.50], [时长, 15]]
        - type: timeline
          id: t
          title: 李女士
          events: [{time: 9:00, text: 到店}, {time: ９：１５, text: 离开}]
    """))
    load_project(tmp_path)
    assert schema_errors(tmp_path / "content" / "ch.yml", "chapter") == []


STEP = "- {type: procedure, id: p, title: 流程, steps: [{id: a, title: 第一步, minutes: 2}]}"
MISTAKES = {
    "an unknown field": (STEP.replace("minutes", "minuts"), "unknown field 'minuts'",
                         "blocks/0/steps/0: Additional properties are not allowed ('minuts' was unexpected)"),
    "a wrong type": (STEP.replace("minutes: 2", "minutes: 五分钟"), "expected a number, got '五分钟'",
                     "blocks/0/steps/0/minutes: '五分钟' is not of type 'number', 'null'"),
    "a missing required field": (STEP.replace("title: 第一步, ", ""), "required field missing",
                                 "blocks/0/steps/0: 'title' is a required property"),
    "a bad id": (STEP.replace("id: a", "id: Step_1"), "invalid id 'Step_1'",
                 "blocks/0/steps/0/id: 'Step_1' does not match '^[a-z0-9]+(?:-[a-z0-9]+)*$'"),
    "yes for true": (STEP + "\n- {type: list, ordered: yes, items: [a]}", "expected true or false, got 'yes'",
                     "blocks/1/ordered: 'yes' is not of type 'boolean'"),
    "a quoted whole number": ("- type: segments\n  id: n\n  title: NPS\n  segments:\n"
                              "    - {id: x, label: 贬损者, low: 0, high: '6', strategy: [挽回],"
                              " deadline: 3天内}",
                              "expected a whole number, got the text '6'",
                              "blocks/0/segments/0/high: '6' is not of type 'integer'"),
    "a checklist item YAML reads as a mapping": (
        "- {type: checklist, id: c, title: 安全, items: [注意: 放置轮挡]}", "is read as a mapping",
        ("blocks/0/items/0: 'text' is a required property",
         "blocks/0/items/0: Additional properties are not allowed ('注意' was unexpected)")),
    "a number as a checklist item": ("- {type: checklist, id: c, title: 安全, items: [1.0]}",
                                     "expected text, got a number (1.0)",
                                     "blocks/0/items/0: 1.0 is not of type 'object'"),
    "an unknown block type": ("- {type: procedur, id: p, title: 流程, steps: []}",
                              "unknown block type 'procedur'",
                              "blocks/0/type: 'procedur' is not one of ['prose', 'list', 'table', 'quote', "
                              "'talk', "
                              "'checklist', 'procedure', 'kpis', 'timeline', 'case', 'segments', "
                              "'followups', "
                              "'calculation', 'mots', 'pending']"),
    "minutes of 1e308": (STEP.replace("minutes: 2", "minutes: 1.0e308"), "expected a number at most 1440",
                         "blocks/0/steps/0/minutes: 1e+308 is greater than the maximum of 1440"),
}


@pytest.mark.parametrize("blocks, loader_says, schema_says", MISTAKES.values(), ids=MISTAKES.keys())
def test_a_common_mistake_is_rejected_by_both_the_schema_and_the_loader(
        tmp_path, blocks, loader_says, schema_says):
    write_project(tmp_path, chapter(blocks))
    with pytest.raises(LoadFailed) as failed:
        load_project(tmp_path)
    assert [loader_says in f.message for f in failed.value.findings] == [True]
    # the errors name the block's own fields: a procedure is not judged against the other block types
    assert sorted(schema_errors(tmp_path / "content" / "ch.yml", "chapter")) == sorted(
        f"sections/0/{said}" for said in ((schema_says,) if isinstance(schema_says, str) else schema_says))


@pytest.mark.parametrize("revised, loader_says, schema_says", [
    ("2026-02-30", "2026-02-30 is not a real date", "revised: '2026-02-30' is not a 'date'"),
    ("yesterday", "expected a date like 2026-11-23, got yesterday", "revised: 'yesterday' is not a 'date'"),
])
def test_a_bad_revision_date_is_rejected_by_both(tmp_path, revised, loader_says, schema_says):
    write_project(tmp_path, chapter("- 文字"), handbook=HANDBOOK.replace("2026-11-01", revised))
    with pytest.raises(LoadFailed) as failed:
        load_project(tmp_path)
    assert [f.message for f in failed.value.findings] == [f"revised: {loader_says}"]
    assert schema_errors(tmp_path / "handbook.yml", "handbook")[:1] == [schema_says]
