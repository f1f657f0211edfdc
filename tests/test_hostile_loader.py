"""Broken and hostile input to the loader: every mistake an editor makes, and every trick
a shared repository can play, ends in one clear error with file:line:col, never in a traceback,
a hang, a silently wrong value, or anything run from content.
"""
from __future__ import annotations

import os
import textwrap
import tracemalloc

import pytest

from sopbook.checks import run_checks
from sopbook.findings import LoadFailed
from sopbook.model.project import load_project

from projects import HANDBOOK, chapter, write_project


def findings_of(root):
    with pytest.raises(LoadFailed) as info:
        load_project(root)
    for f in info.value.findings:  # whatever went wrong, the editor is told where
        assert f.loc.file and f.loc.line >= 1, f"unlocated: {f}"
    return info.value.findings


def errors_of(root) -> list[str]:
    return [str(f) for f in findings_of(root)]


def write_chapter(root, text: str | bytes, name: str = "ch.yml"):
    write_project(root)
    path = root / "content" / name
    path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8"))
    return root


# ---- malformed YAML: one error each, where the mistake is ---------------------------------------
MALFORMED = {
    "tab indentation": (
        "id: ch\ntitle: 交付\nsections:\n\t- id: s\n",
        "content/ch.yml:4:1: error: invalid YAML: a tab character: YAML indents with spaces only\n"
        "    hint: replace the tab with spaces"),
    "tab inside a block": (
        "id: ch\ntitle: 交付\nsections:\n  - id: s\n    title: 小节\n\t  blocks: [文字]\n",
        "content/ch.yml:6:1: error: invalid YAML: a tab character: YAML indents with spaces only\n"
        "    hint: replace the tab with spaces"),
    "unclosed double quote": (
        'id: ch\ntitle: "交付\nsections: []\n',
        "content/ch.yml:2:8: error: invalid YAML: a quote opens here and is not closed on its line "
        "(line 3 is not indented under it)\n"
        '    hint: type the closing " at the end of the text'),
    "unclosed single quote": (
        "id: ch\ntitle: '交付\nsections: []\n",
        "content/ch.yml:2:8: error: invalid YAML: a quote opens here and is not closed on its line "
        "(line 3 is not indented under it)\n"
        "    hint: type the closing ' at the end of the text"),
    "unclosed quote on the last line": (
        'id: ch\ntitle: 交付\nsections: []\nday: "18.5\n',
        "content/ch.yml:4:6: error: invalid YAML: a quote opens here and is never closed\n"
        '    hint: type the closing " at the end of the text'),
    "unclosed brace": (
        "id: ch\ntitle: 交付\nsections: [{id: s, title: 小节\n",
        "content/ch.yml:3:12: error: invalid YAML: a '{' opens here and is never closed\n"
        "    hint: type the closing '}' after the last item"),
    "line indented too far": (
        "id: ch\ntitle: 交付\n  sections: []\n",
        "content/ch.yml:3:11: error: invalid YAML: a ':' that cannot start a key here "
        "(is the line indented more than the one above?)\n"
        "    hint: align the line with the keys beside it, or quote text that contains ': '"),
    "key without colon": (
        "id: ch\ntitle 交付\nsections: []\n",
        "content/ch.yml:2:1: error: invalid YAML: this line has no ':' after its key\n"
        "    hint: write key: value (a space after the colon)"),
    "two documents": (
        "id: ch\ntitle: 交付\nsections: []\n---\nid: other\n",
        "content/ch.yml:4:1: error: invalid YAML: a second document ('---') in one file\n"
        "    hint: delete the '---' line and what follows it, or move that part to a file of its own"),
}


@pytest.mark.parametrize("text, expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_yaml_is_one_located_error(tmp_path, text, expected):
    assert errors_of(write_chapter(tmp_path, text)) == [expected]


# ---- wrong types, missing and unknown fields ---------------------------------------------------------
SCHEMA = {
    "list expected": (
        "id: ch\ntitle: 交付\nsections: 五个\n",
        "content/ch.yml:3:1: error: sections: expected a list, got '五个'\n"
        "    hint: write each entry on its own '- ' line, or [a, b]"),
    "number expected": (
        chapter("- {type: procedure, id: p, title: 流程, steps: [{id: a, title: 第一步, minutes: 五分钟}]}"),
        "content/ch.yml:7:73: error: sections[0].blocks[0].steps[0].minutes: expected a number, "
        "got '五分钟'\n"
        "    hint: write a plain number, e.g. 5 or 2.5"),
    "text expected, got a number": (
        "id: ch\ntitle: 2024\nsections: []\n",
        "content/ch.yml:2:1: error: title: expected text, got a number (2024)\n"
        '    hint: quote it: "2024"'),
    "text expected, got a list": (
        "id: ch\ntitle: [交付]\nsections: []\n",
        "content/ch.yml:2:8: error: title: expected text, got a list\n"
        '    hint: quote it if it is text, e.g. "2024"'),
    "mapping expected": (
        chapter("- {type: checklist, id: c, title: 清单, items: [a], confirmation: 点头}"),
        "content/ch.yml:7:57: error: sections[0].blocks[0].confirmation: expected a mapping of fields, "
        "got '点头'\n"
        "    hint: write it as key: value lines"),
    "text or mapping expected (a union): one error, not one per shape": (
        chapter("- {type: list, items: [[a]]}"),
        "content/ch.yml:7:30: error: sections[0].blocks[0].items[0]: expected a mapping of fields or text, "
        "got a list"),
    "missing required field": (
        chapter("- type: procedure\n  id: p\n  title: 流程\n  steps:\n    - title: 第一步\n      minutes: "
                "2\n"),
        "content/ch.yml:11:13: error: sections[0].blocks[0].steps[0].id: required field missing\n"
        "    hint: add it; `sopbook schema` writes the JSON Schema that lists every field"),
    "misspelt field is one error, not also 'missing'": (
        "id: ch\ntittle: 交付\nsections: []\n",
        "content/ch.yml:2:1: error: tittle: unknown field 'tittle'\n    hint: did you mean 'title'?"),
    "unknown field with a list value is located at its key": (
        "id: ch\ntitle: 交付\nsections: []\nextras:\n  - a\n",
        "content/ch.yml:4:1: error: extras: unknown field 'extras'\n    hint: did you mean 'next'?"),
    "a list where the chapter should be": (
        "- id: ch\n- title: 交付\n",
        "content/ch.yml:1:1: error: the file must be a mapping of fields, but it is a list\n"
        "    hint: start with id:, title:, sections: at the beginning of lines"),
    "a single word for a chapter": (
        "交付\n",
        "content/ch.yml:1:1: error: the file must be a mapping of fields, but it is '交付'\n"
        "    hint: start with id:, title:, sections: at the beginning of lines"),
    "an empty file": (
        "# only a comment\n",
        "content/ch.yml:1: error: file is empty\n    hint: write the document or delete the file"),
    "'at' is the loader's": (
        "id: ch\ntitle: 交付\nat: x\nsections: []\n",
        "content/ch.yml:1:1: error: 'at' is reserved for the loader's locations"),
}


@pytest.mark.parametrize("text, expected", SCHEMA.values(), ids=SCHEMA.keys())
def test_schema_mistakes_are_one_located_error(tmp_path, text, expected):
    assert errors_of(write_chapter(tmp_path, text)) == [expected]


def test_load_error_in_the_handbook_and_a_card_file_are_located_too(tmp_path):
    write_project(tmp_path, chapter("- 文字"),
                  handbook=HANDBOOK.replace("revised: 2026-11-01", "revised: 上个月"),
                  files={"checklists/cards.yml": "cards:\n  - {id: c, sorce: ch.x}\n"})
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "handbook.yml:3:1: error: revised: expected a date like 2026-11-23, got 上个月",
        "checklists/cards.yml:2:13: error: cards[0].sorce: unknown field 'sorce'",
    ]


# ---- duplicate keys and ids ----------------------------------------------------------------------------
def test_duplicate_key_deep_in_a_step(tmp_path):
    write_chapter(tmp_path, chapter("""
        - type: procedure
          id: p
          title: 流程
          steps:
            - id: a
              title: 第一步
              minutes: 2
              minutes: 3
    """))
    assert errors_of(tmp_path) == [
        "content/ch.yml:14:13: error: duplicate key 'minutes' (first at line 13, again at line 14)\n"
        "    hint: delete one of the two; YAML would silently keep only the last"]


def test_duplicate_key_in_one_flow_mapping(tmp_path):
    write_chapter(tmp_path, chapter("- {type: checklist, id: c, title: 清单, items: [a], id: d}"))
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/ch.yml:7:57: error: duplicate key 'id' (first at line 7, again at line 7)"]


def test_duplicate_id_between_a_section_and_a_step(tmp_path):
    write_chapter(tmp_path, chapter("""
        - type: procedure
          id: p
          title: 流程
          steps:
            - {id: s, title: 第一步}
    """))
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/ch.yml:11:13: error: duplicate id 's' in chapter 'ch' (first at content/ch.yml:4:5)"]


def test_duplicate_chapter_id_across_files(tmp_path):
    write_project(tmp_path, chapter("- 文字"), files={"content/copy.yml": chapter("- 另一段")})
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/copy.yml:1:1: error: chapter id 'ch' is also used by content/ch.yml"]


def test_duplicate_card_id_across_card_files(tmp_path):
    write_project(tmp_path, chapter("- {type: checklist, id: c, title: 清单, items: [a]}"), files={
        "checklists/a.yml": "cards:\n  - {id: card, source: ch.c}\n",
        "checklists/b.yml": "cards:\n  - {id: other, source: ch.c}\n  - {id: card, source: ch.c}\n"})
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "checklists/b.yml:3:5: error: card id 'card' already defined at checklists/a.yml:2:5"]


BAD_IDS = ["a/b", "../../etc/passwd", "..", "a b", "Delivery", "交付", "a_b", "-a", "a--b", "a.b", "ch\u200b",
           "<script>", "", "con:"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_unsafe_ids_are_refused_everywhere_with_the_location(tmp_path, bad):
    quoted = '"' + bad.replace("\\", "\\\\").replace('"', '\\"') + '"'
    write_project(tmp_path, f"id: {quoted}\ntitle: 章\nsections:\n  - id: {quoted}\n    title: 节\n"
                  f"    blocks:\n      - {{type: checklist, id: {quoted}, title: 清单, items: [a]}}\n",
                  files={"checklists/cards.yml": f"cards:\n  - {{id: {quoted}, source: ch.c}}\n"})
    found = [(f.loc.file, f.loc.line, f.message) for f in findings_of(tmp_path)]
    expected_id = repr(bad)
    assert (("content/ch.yml", 1, f"id: invalid id {expected_id}") in found), found
    assert (("content/ch.yml", 4, f"sections[0].id: invalid id {expected_id}") in found), found
    assert (("content/ch.yml", 7, f"sections[0].blocks[0].id: invalid id {expected_id}") in found), found
    assert (("checklists/cards.yml", 2, f"cards[0].id: invalid id {expected_id}") in found), found


def test_an_overlong_id_says_how_long(tmp_path):
    write_chapter(tmp_path, f"id: {'x' * 65}\ntitle: 交付\nsections: []\n")
    assert errors_of(tmp_path) == ["content/ch.yml:1:1: error: id: too long: 65 characters, at most 64\n"
                                   "    hint: ids are short names, e.g. golden-sop"]


def test_an_unquoted_number_as_id_says_so(tmp_path):
    write_chapter(tmp_path, "id: 12\ntitle: 交付\nsections: []\n")
    assert errors_of(tmp_path) == [
        'content/ch.yml:1:1: error: id: expected text, got a number (12)\n    hint: quote it: "12"']


# ---- bombs, huge files, long lists: refused or handled in seconds and bounded memory -----------------
def _measured(root):
    """Load `root` and return the result and the peak memory Python allocated while loading.

    Memory, not time, is what these bounds promise: the loader stops at a limit instead of
    reading on. How fast that happens is measured by the benchmarks, not here.
    """
    tracemalloc.start()
    try:
        try:
            result = load_project(root)
        except LoadFailed as exc:
            result = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, peak


def test_billion_laughs_is_refused_within_bounded_memory(tmp_path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    write_chapter(tmp_path, "\n".join(lines) + "\n")
    result, peak = _measured(tmp_path)
    assert [str(f).splitlines()[0] for f in result.findings] == [
        "content/ch.yml:6:4: error: document expands to more than 200,000 nodes"]
    assert peak < 50_000_000


def test_an_anchor_inside_itself_is_refused(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: t\nsections: &s [{id: s, title: t, sections: *s}]\n")
    assert errors_of(tmp_path) == ["content/ch.yml:3:11: error: "
                                   "an anchor is used inside itself (recursive alias)\n"
                                   "    hint: replace the alias (*name) with the text it stands for"]


def test_anchors_stacked_deeper_than_any_document_are_refused(tmp_path):
    # 30 anchors, each 40 lists deep around the one before: 1,200 deep once expanded (RecursionError)
    nested = "[" * 40 + "{}" + "]" * 40
    lines = [f"a0: &a0 {nested.format('x')}"] + [f"a{n}: &a{n} {nested.format(f'*a{n - 1}')}"
                                                 for n in range(1, 30)]
    write_chapter(tmp_path, "\n".join(lines) + "\n")
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/ch.yml:1:5: error: lists and mappings nest more than 64 deep once aliases are expanded"]


def test_too_many_aliases_are_refused(tmp_path):
    write_chapter(tmp_path, "a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/ch.yml:2:405: error: more than 100 aliases; anchors and aliases are for small reuse only"]


def test_ten_thousand_brackets_deep_is_refused_not_a_recursion_error(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: t\nsections: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert errors_of(tmp_path) == [
        "content/ch.yml:3:74: error: lists and mappings nest more than 64 deep\n"
        "    hint: content never nests this deep: check the brackets and indentation"]


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path):
    write_project(tmp_path)
    with open(tmp_path / "content" / "big.yml", "wb") as handle:
        handle.write(b"id: big\ntitle: t\nsections: []\n")
        handle.truncate(50 * 1024 * 1024)
    result, peak = _measured(tmp_path)
    assert [str(f) for f in result.findings] == [
        "content/big.yml:1: error: file is 52,428,800 bytes, more than the 5,000,000 bytes allowed\n"
        "    hint: split the chapter into several files"]
    assert peak < 12_000_000  # at most the limit plus one byte is ever read


def test_a_dense_flow_list_is_refused_within_bounded_memory(tmp_path):
    # 4.8 MB of [a,a,a,...]: 2.4 million values; read to the end it took a minute and 1.6 GB
    write_chapter(tmp_path, "id: ch\ntitle: t\nsections: [" + "a," * 2_400_000 + "]\n")
    result, peak = _measured(tmp_path)
    (finding,) = result.findings
    assert (finding.loc.file, finding.loc.line, finding.message) == (
        "content/ch.yml", 3, "more than 200,000 values in one file")
    assert peak < 200_000_000


def test_a_checklist_of_ten_thousand_items_loads_and_checks(tmp_path):
    items = "".join(f"      - 第{i}项:确认无误\n" for i in range(10_000))
    write_chapter(tmp_path, f"id: ch\ntitle: 大清单\nsections:\n  - id: s\n    title: 小节\n    blocks:\n"
                            f"    - type: checklist\n      id: c\n      title: 清单\n      items:\n{items}")
    project, peak = _measured(tmp_path)
    assert peak < 200_000_000
    assert not [f for f in run_checks(project) if f.level == "error"]
    items = project.index["ch.c"].node.items
    assert len(items) == 10_000 and items[-1].text == "第9999项:确认无误"


def test_a_huge_number_is_an_error_not_a_crash(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: t\nmodule: " + "9" * 5000 + "\nsections: []\n")
    assert errors_of(tmp_path) == ["content/ch.yml:3:9: error: number with 5,000 digits is too long\n"
                                   "    hint: quote it if it is text"]


@pytest.mark.parametrize("value, message", [
    ("1e400", "expected a finite number, got '1e400'"),
    ("inf", "expected a finite number, got 'inf'"),
    ("nan", "expected a finite number, got 'nan'"),
    (".nan", "expected a number, got '.nan'"),
])
def test_infinite_or_nan_minutes_never_reach_the_checks(tmp_path, value, message):
    # inf minutes crashed the step-sum check (OverflowError); nan compared false and passed it silently
    write_chapter(tmp_path, chapter(
        f"- {{type: procedure, id: p, title: 流程, total_minutes: 15, steps: [{{id: a, title: 一, "
        f"minutes: {value}}}]}}"))
    messages = [f.message for f in findings_of(tmp_path)]
    assert messages == [f"sections[0].blocks[0].steps[0].minutes: {message}"]


def test_calculations_with_enormous_numbers_are_checked_not_crashed(tmp_path):
    big = "9" * 4000
    inputs = ", ".join(f'{{label: a, value: "{big}"}}' for _ in range(300))
    write_chapter(tmp_path, chapter(f"""
        - {{type: calculation, id: over, title: 溢出, op: product, inputs: [{inputs}], result: "1"}}
        - {{type: calculation, id: cents, title: 分, op: sum, result: "1",
            inputs: [{{label: a, value: "123456789012345678901234567.8"}}, {{label: b, value: "0"}}]}}
    """))
    messages = [f.message for f in run_checks(load_project(tmp_path)) if f.code == "arithmetic.calculation"]
    assert messages == [
        "calculation '溢出': the result is too large to compute",
        "calculation '分': 123456789012345678901234567.8 + 0 = 123456789012345678901234567.8, "
        "but the result is stated as 1"]


# ---- encodings, BOM, line endings, invisible characters -----------------------------------------------
def test_gbk_file_names_the_line(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: 交付\nsections: []\n".encode("gbk"))
    assert errors_of(tmp_path) == ["content/ch.yml:2: error: file is not UTF-8 (byte 0xbd at offset 14)\n"
                                   "    hint: save the file as UTF-8"]


def test_utf16_file_says_utf16(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: 交付\nsections: []\n".encode("utf-16"))
    assert errors_of(tmp_path) == ["content/ch.yml:1: error: file is not UTF-8 (byte 0xff at offset 0)\n"
                                   "    hint: the file is UTF-16: save it as UTF-8"]


def test_bom_and_crlf_keep_text_and_line_numbers(tmp_path):
    text = ("\ufeffid: ch\r\ntitle: 交付\r\nsections:\r\n  - id: s\r\n    title: 小节\r\n"
            "    blocks: [文字]\r\n  - id: Bad\r\n")
    write_chapter(tmp_path, text.encode("utf-8"))
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)] == [
        "content/ch.yml:7:5: error: sections[1].id: invalid id 'Bad'",
        "content/ch.yml:7:5: error: sections[1].title: required field missing"]
    (tmp_path / "content" / "ch.yml").write_bytes(text.replace("  - id: Bad\r\n", "").encode())
    assert load_project(tmp_path).chapters[0].title == "交付"


def test_control_characters_are_located(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: 交\x00付\nsections: []\n")
    assert errors_of(tmp_path) == ["content/ch.yml:2:9: error: "
                                   "invalid character U+0000 (a control character)\n"
                                   "    hint: delete it; it is invisible in most editors"]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_are_refused_not_folded_into_spaces(tmp_path, char):
    # PyYAML ends a line there (YAML 1.1): 交付<LS>管理 would load as 交付 管理 and every line
    # after would shift
    write_chapter(tmp_path, f"id: ch\ntitle: 交付{char}管理\nsections: []\n")
    assert errors_of(tmp_path) == [
        f"content/ch.yml:2:10: error: invisible line separator U+{ord(char):04X} in the text\n"
        "    hint: delete it (pasted from a word processor?); use an ordinary line break"]


def test_a_bom_in_the_middle_of_a_file_is_named(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: 交付\n\ufeffsections: []\n")
    assert errors_of(tmp_path) == [
        "content/ch.yml:3:1: error: \\ufeffsections: unknown field '\\ufeffsections': "
        "it contains an invisible "
        "character (U+FEFF ZERO WIDTH NO-BREAK SPACE)\n"
        "    hint: delete the invisible character; indent with ordinary spaces"]


def test_full_width_space_used_to_indent_is_named(tmp_path):
    write_chapter(tmp_path, "id: ch\ntitle: 交付\nsections:\n\u3000- id: s\n")
    assert [str(f).splitlines()[0] for f in findings_of(tmp_path)][-1] == (
        "content/ch.yml:4:1: error: \\u3000- id: unknown field '\\u3000- id': "
        "it contains an invisible character "
        "(U+3000 IDEOGRAPHIC SPACE)")


# ---- full-width digits and colons: correct value or a clear error, never a wrong value ----------------
def test_full_width_times_targets_deadlines_and_amounts_read_correctly(tmp_path):
    write_chapter(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 时间线
          events:
            - {time: ９：００, text: 全角}
            - {time: 9：30, text: 全角冒号}
            - {time: ９:45, text: 全角数字}
            - {time: １０：０５, text: 两位}
        - type: kpis
          id: k
          title: 指标
          kpis: [{id: n, name: 满意度, definition: 评分, target: ≥９分}]
        - type: segments
          id: seg
          title: 分层
          segments: [{id: d, label: 贬损者, low: 0, high: 6, strategy: [回访], deadline: ２４小时内}]
        - type: calculation
          id: c
          title: 计算
          op: sum
          inputs: [{label: a, value: ¥６万}, {label: b, value: ¥４万}]
          result: ¥１０万
    """))
    project = load_project(tmp_path)
    assert [e.time for e in project.index["ch.t"].node.events] == ["09:00", "09:30", "09:45", "10:05"]
    assert project.index["ch.n"].node.target.low == 9
    assert [f for f in run_checks(project) if f.code.startswith(("arithmetic", "timings"))] == []


@pytest.mark.parametrize("written, message", [
    ("２５：００", "'２５：００' is not a time of day (hours 0-23, minutes 0-59)"),
    ("９时", "expected a time like 9:00 or 20:30, got '９时'"),
    ("9.30", "expected a time like 9:00, got 9.30; write it as HH:MM"),
    ("930", "expected a time like 9:00, got the number 930; write it as HH:MM"),
    ("9:00:00", "expected a time like 9:00 or 20:30, got '9:00:00'"),
])
def test_times_that_are_not_times_are_located_errors(tmp_path, written, message):
    write_chapter(tmp_path,
                  chapter(f"- {{type: timeline, id: t, title: 线, events: [{{time: {written}, text: a}}]}}"))
    assert [str(f) for f in findings_of(tmp_path)] == [
        f"content/ch.yml:7:53: error: sections[0].blocks[0].events[0].time: {message}"]


def test_full_width_minutes_are_a_clear_error(tmp_path):
    write_chapter(tmp_path,
                  chapter("- {type: procedure, id: p, title: 流程, steps: [{id: a, title: 一, minutes: "
                          "１５}]}"))
    assert errors_of(tmp_path) == [
        "content/ch.yml:7:71: error: sections[0].blocks[0].steps[0].minutes: "
        "'１５' is written with full-width digits\n"
        "    hint: write it as 15"]


def test_numbers_in_text_cells_keep_their_written_form(tmp_path):
    # YAML reads 1.50 as the float 1.5; a price cell must still say 1.50
    write_chapter(tmp_path, chapter("- {type: table, columns: [项目, 值], rows: [[价格, 1.50], [倍数, "
                                    "1.5e3], [次数, 007], [整数, +5]]}"))
    rows = load_project(tmp_path).chapters[0].sections[0].blocks[0].rows
    assert rows == [["价格", "1.50"], ["倍数", "1.5e3"], ["次数", "007"], ["整数", "+5"]]


# ---- nothing in content is ever run, and nothing outside the project is read --------------------------
@pytest.mark.parametrize("tagged", [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/new:os.system ["touch {marker}"]',
    '!!python/name:os.system',
    '!!python/object/apply:subprocess.check_call [[touch, "{marker}"]]',
])
def test_python_tags_are_refused_and_never_run(tmp_path, tagged):
    marker = tmp_path / "pwned"
    write_chapter(tmp_path, f"id: ch\ntitle: {tagged.format(marker=marker)}\nsections: []\n")
    (message,) = [str(f).splitlines()[0] for f in findings_of(tmp_path)]
    assert message.startswith("content/ch.yml:2:8: error: unsupported YAML tag !!python/")
    assert not marker.exists()


def test_markup_and_template_syntax_load_verbatim(tmp_path):
    write_chapter(tmp_path, chapter("""
        - '{{ 7*7 }} <script>alert(1)</script> {% raw %} ${7*7} #{7*7}'
        - type: checklist
          id: c
          title: "<img src=x onerror=alert(1)>"
          items: ["[x](javascript:alert(1))", "{{ config.__class__ }}"]
    """))
    blocks = load_project(tmp_path).chapters[0].sections[0].blocks
    assert blocks[0].text == "{{ 7*7 }} <script>alert(1)</script> {% raw %} ${7*7} #{7*7}"
    assert blocks[1].title == "<img src=x onerror=alert(1)>"
    assert [i.text for i in blocks[1].items] == ["[x](javascript:alert(1))", "{{ config.__class__ }}"]


def test_a_content_file_linking_outside_the_project_is_refused(tmp_path):
    secret = tmp_path / "secret.yml"
    secret.write_text("id: secret\ntitle: 私密\nsections: [{id: s, title: t, blocks: [口令]}]\n",
                      encoding="utf-8")
    root = write_project(tmp_path / "project", chapter("- 文字"))
    os.symlink(secret, root / "content" / "leak.yml")
    assert [str(f) for f in findings_of(root)] == [
        f"content/leak.yml:1: error: content/leak.yml links to a file outside the project ({secret})\n"
        "    hint: copy the file into the project instead of linking it"]


def test_a_fifo_or_folder_named_like_content_is_refused_without_blocking(tmp_path):
    root = write_project(tmp_path, chapter("- 文字"))
    os.mkfifo(root / "content" / "pipe.yml")  # opening it to read would wait for ever
    (root / "content" / "folder.yml").mkdir()
    assert [str(f).splitlines()[0] for f in findings_of(root)] == [
        "content/folder.yml:1: error: content/folder.yml is not a regular file",
        "content/pipe.yml:1: error: content/pipe.yml is not a regular file"]
