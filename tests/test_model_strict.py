"""Values YAML reads differently from what the author meant are refused at their line, with the
text to type: `pending: y`, `low: "5"`, `- 注意: ...` in a list of texts, minutes of 1e308,
a revision date in the future."""
from __future__ import annotations

import datetime

import pytest

from sopbook.checks import run_checks
from sopbook.findings import LoadFailed
from sopbook.model.project import load_project

from projects import HANDBOOK, chapter, write_project


def errors(root) -> list[str]:
    with pytest.raises(LoadFailed) as failed:
        load_project(root)
    return [str(f) for f in failed.value.findings]


# ---- true/false, whole numbers and numbers mean what they say -------------------------------------
@pytest.mark.parametrize("written, described", [
    ("y", "'y'"), ("yes", "'yes'"), ("on", "'on'"), ("'true'", "'true'"), ("1", "a number (1)"),
    ("0", "a number (0)"), ("no", "'no'"),
])
def test_a_flag_is_true_or_false_only(tmp_path, written, described):
    write_project(tmp_path, f"id: ch\ntitle: 章\nsections:\n  - id: s\n    title: "
                  f"节\n    pending: {written}\n")
    assert errors(tmp_path) == [f"content/ch.yml:6:5: error: sections[0].pending: expected true or false, "
                                f"got {described}\n    hint: write true or false"]


def test_every_flag_of_the_model_is_strict(tmp_path):
    write_project(tmp_path, chapter("""
        - {type: list, ordered: y, items: [a]}
    """).replace("    title: 小节\n", "    title: 小节\n    count: off\n"),
        handbook=HANDBOOK + "  - {id: later, planned: yes, title: 以后}\n")
    assert [e.splitlines()[0] for e in errors(tmp_path)] == [
        "handbook.yml:6:17: error: syllabus[1].planned: expected true or false, got 'yes'",
        "content/ch.yml:6:5: error: sections[0].count: expected true or false, got 'off'",
        "content/ch.yml:8:22: error: sections[0].blocks[0].ordered: expected true or false, got 'y'",
    ]


def test_quoted_numbers_and_fractions_are_not_coerced(tmp_path):
    write_project(tmp_path, chapter("""
        - type: segments
          id: nps
          title: NPS
          segments:
            - {id: x, label: 贬损者, low: 0, high: "6", strategy: [挽回], deadline: 24小时内}
            - {id: y, label: 被动者, low: 7.0, high: 8, strategy: [提升], deadline: 3天内}
        - type: procedure
          id: p
          title: 流程
          steps:
            - {id: a, title: 一, minutes: "5"}
    """))
    assert errors(tmp_path) == [
        "content/ch.yml:11:41: error: sections[0].blocks[0].segments[0].high: expected a whole number, "
        "got the text '6'\n    hint: write it without quotes: 6",
        "content/ch.yml:12:33: error: sections[0].blocks[0].segments[1].low: expected a whole number, "
        "got a number (7.0)\n    hint: write a whole number, e.g. 5",
        "content/ch.yml:17:31: error: sections[0].blocks[1].steps[0].minutes: expected a number, "
        "got the text '5'\n    hint: write it without quotes: 5",
    ]


# ---- minutes: finite and at most a day ---------------------------------------------------------------
def test_minutes_whose_sum_would_overflow_are_located_errors(tmp_path):
    write_project(tmp_path, chapter("""
        - type: procedure
          id: p
          title: 流程
          total_minutes: 15
          steps:
            - {id: a, title: 一, minutes: 1.0e308}
            - {id: b, title: 二, minutes: 1.0e308}
    """))
    assert errors(tmp_path) == [
        f"content/ch.yml:{line}:31: error: sections[0].blocks[0].steps[{n}].minutes: "
        f"expected a number at most "
        f"1440, got 1.0e308\n    hint: write a number at most 1440" for n, line in ((0, 12), (1, 13))]


@pytest.mark.parametrize("field, value, message", [
    ("total_minutes", "1441", "expected a number at most 1440, got 1441"),
    ("total_minutes", "-1", "expected a number at least 0, got -1"),
    ("total_minutes", "1.0e400", "expected a finite number, got a number (1.0e400)"),
])
def test_a_procedure_total_is_bounded(tmp_path, field, value, message):
    write_project(tmp_path, chapter(f"""
        - type: procedure
          id: p
          title: 流程
          {field}: {value}
          steps: [{{id: a, title: 一, minutes: 2}}]
    """))
    assert [e.splitlines()[0] for e in errors(tmp_path)] == [
        f"content/ch.yml:10:9: error: sections[0].blocks[0].{field}: {message}"]


def test_a_deadline_of_absurd_length_is_a_located_error(tmp_path):
    write_project(tmp_path, chapter(f"""
        - type: procedure
          id: p
          title: 流程
          steps: [{{id: a, title: 一, deadline: {"9" * 400}分钟内}}]
    """))
    (error,) = errors(tmp_path)
    assert error.startswith("content/ch.yml:10:35: error: sections[0].blocks[0].steps[0].deadline: "
                            "cannot read")


# ---- text that YAML read as something else: say what to type ---------------------------------------
def test_a_colon_in_a_checklist_item_says_to_quote_it(tmp_path):
    write_project(tmp_path, chapter("""
        - type: checklist
          id: c
          title: 安全
          items:
            - 停稳车辆
            - 注意: 对角车轮放置轮挡
            - 1.0
    """))
    assert errors(tmp_path) == [
        "content/ch.yml:12:13: error: sections[0].blocks[0].items[1]: '注意: 对角车轮放置轮挡' is read as a "
        "mapping (the ': ' after '注意' makes a key)\n    hint: quote it: \"注意: 对角车轮放置轮挡\"",
        "content/ch.yml:13:13: error: sections[0].blocks[0].items[2]: expected text, got a number (1.0)\n"
        "    hint: quote it: \"1.0\"",
    ]


def test_a_colon_in_a_list_of_texts_says_to_quote_it(tmp_path):
    write_project(tmp_path, chapter("""
        - type: list
          items:
            - 注意: 对角车轮放置轮挡
        - type: procedure
          id: p
          title: 流程
          steps:
            - id: a
              title: 一
              actions:
                - 注意: 对角车轮放置轮挡
        - 注意: 这一段
    """))
    hint = '    hint: quote it: "注意: 对角车轮放置轮挡"'
    assert errors(tmp_path) == [
        "content/ch.yml:9:13: error: sections[0].blocks[0].items[0]: '注意: 对角车轮放置轮挡' is read as a "
        "mapping (the ': ' after '注意' makes a key)\n" + hint,
        "content/ch.yml:17:17: error: sections[0].blocks[1].steps[0].actions[0]: '注意: 对角车轮放置轮挡' is "
        "read as a mapping (the ': ' after '注意' makes a key)\n" + hint,
        "content/ch.yml:18:9: error: sections[0].blocks[2]: '注意: 这一段' is read as a mapping (the ': ' "
        "after '注意' makes a key)\n    hint: quote it: \"注意: 这一段\"",
    ]


def test_a_misspelt_item_field_is_still_a_misspelt_field(tmp_path):
    write_project(tmp_path, chapter("- {type: checklist, id: c, title: 安全, items: [{txt: 停稳车辆}]}"))
    assert [e.splitlines()[0] for e in errors(tmp_path)] == [
        "content/ch.yml:7:54: error: sections[0].blocks[0].items[0].txt: unknown field 'txt'"]


# ---- the revision date printed on every card ----------------------------------------------------------
def _handbook(revised: str) -> str:
    return HANDBOOK.replace("revised: 2026-11-01", f"revised: {revised}")


@pytest.mark.parametrize("revised", ["2099-01-01",
                                     (datetime.date.today() + datetime.timedelta(days=1)).isoformat()])
def test_a_revision_date_in_the_future_is_an_error(tmp_path, revised):
    write_project(tmp_path, chapter("- 文字"), handbook=_handbook(revised))
    today = datetime.date.today().isoformat()
    assert errors(tmp_path) == [
        f"handbook.yml:3:1: error: revised: {revised} is in the future (today is {today})\n"
        f"    hint: write the date of the last revision, at the latest today ({today})"]


@pytest.mark.parametrize("revised, message", [
    ("2026-02-30", "2026-02-30 is not a real date"),
    ("2026-13-01", "2026-13-01 is not a real date"),
    ("0", "expected a date like 2026-11-23, got 0"),
    ("2026-11-01T10:00:00", "expected a date like 2026-11-23, got 2026-11-01T10:00:00"),
])
def test_a_revision_date_that_is_no_date_is_an_error(tmp_path, revised, message):
    write_project(tmp_path, chapter("- 文字"), handbook=_handbook(revised))
    assert errors(tmp_path) == [f"handbook.yml:3:1: error: revised: {message}\n"
                                "    hint: write the date as YYYY-MM-DD, e.g. 2026-11-23"]


def test_today_is_a_valid_revision_date(tmp_path):
    write_project(tmp_path, chapter("- 文字"), handbook=_handbook(datetime.date.today().isoformat()))
    assert load_project(tmp_path).handbook.revised == datetime.date.today()


# ---- a procedure with no steps, like a checklist with no items ----------------------------------------
def test_a_procedure_without_steps_is_reported_like_an_empty_checklist(tmp_path):
    write_project(tmp_path, chapter("""
        - {type: checklist, id: c, title: 安全, items: []}
        - {type: procedure, id: p, title: 黄金SOP, steps: []}
    """))
    empty = [f for f in run_checks(load_project(tmp_path)) if f.code.startswith("completeness.empty")]
    assert [(f.code, str(f)) for f in empty] == [
        ("completeness.empty-checklist",
         "content/ch.yml:7:9: error: checklist '安全' has no items\n    hint: add its items"),
        ("completeness.empty-procedure",
         "content/ch.yml:8:9: error: procedure '黄金SOP' has no steps\n    hint: add its steps"),
    ]


def test_a_colon_in_a_nested_list_item_is_one_error(tmp_path):
    write_project(tmp_path, chapter("- {type: list, items: [{text: 安全, children: [注意: 放置轮挡]}]}"))
    assert errors(tmp_path) == [
        "content/ch.yml:7:52: error: sections[0].blocks[0].items[0].children[0]: '注意: "
        "放置轮挡' is read as a "
        "mapping (the ': ' after '注意' makes a key)\n    hint: quote it: \"注意: 放置轮挡\""]


def test_a_number_or_true_as_a_paragraph_says_to_quote_it(tmp_path):
    write_project(tmp_path, chapter("- 2024\n- true"))
    assert errors(tmp_path) == [
        'content/ch.yml:7:9: error: sections[0].blocks[0]: expected text, got a number (2024)\n'
        '    hint: quote it: "2024"',
        'content/ch.yml:8:9: error: sections[0].blocks[1]: expected text, got true/false (true)\n'
        '    hint: quote it: "true"']


def test_a_paragraph_written_as_a_string_knows_its_line(tmp_path):
    write_project(tmp_path, chapter("- 第一段\n- 第二段"))
    blocks = load_project(tmp_path).chapters[0].sections[0].blocks
    assert [(b.text, b.at.line) for b in blocks] == [("第一段", 7), ("第二段", 8)]
