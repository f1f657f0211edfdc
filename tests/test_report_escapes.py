"""Content is data in the terminal too: a finding that quotes a title, a file name or a hint with
control characters prints them as escapes, and the JSON report stays valid JSON."""
from __future__ import annotations

import io
import json
import subprocess
import sys

from sopbook.findings import Finding, Loc
from sopbook.report import write_json, write_text

from projects import chapter, write_project

HOSTILE = Finding("error", "completeness.empty-section", "section '\x1b[2J标题\x07' is empty",
                  Loc("content/ch.yml", 4, 5), "write it\x9b31m, or set \u202epending: true",
                  "ch.s\x1b]0;x\x07")


def test_the_text_report_escapes_control_characters_exactly():
    out = io.StringIO()
    write_text([HOSTILE], out, "en")
    assert out.getvalue() == (
        "content/ch.yml\n"
        "  4:5      error   section '\\x1b[2J标题\\x07' is empty  [completeness.empty-section]\n"
        "                   hint: write it\\x9b31m, or set \\u202epending: true\n"
        "\n"
        "1 errors, 0 warnings, 0 acknowledged, 0 pending, 0 planned chapters\n")


def test_a_finding_printed_by_mkdocs_log_is_escaped_too():
    # `mkdocs serve` logs findings as str(finding): the same escapes as the report
    assert str(HOSTILE) == ("content/ch.yml:4:5: error: section '\\x1b[2J标题\\x07' is empty\n"
                            "    hint: write it\\x9b31m, or set \\u202epending: true")


def test_the_json_report_is_valid_json_with_no_raw_control_character():
    out = io.StringIO()
    surrogate = Finding("warning", "load.yaml", "key '\udc80'", Loc("content/\x1bx.yml", 1))
    write_json([HOSTILE, surrogate], out, "en")
    text = out.getvalue()
    assert not any(c in text for c in "\x1b\x07\x9b\u202e\udc80")
    data = json.loads(text)
    assert [(f["code"], f["message"], f["hint"], f["address"], f["file"]) for f in data["findings"]] == [
        ("completeness.empty-section", HOSTILE.message, HOSTILE.hint, HOSTILE.address, "content/ch.yml"),
        ("load.yaml", "key '\udc80'", "", "", "content/\x1bx.yml"),
    ]
    assert data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1


def test_sopbook_check_prints_a_hostile_file_name_escaped(tmp_path):
    # A chapter file whose name holds a terminal escape: it is not in the syllabus, so the check
    # names it. Clearing the editor's screen is not a way to report that.
    hostile = "id: other\ntitle: t\nsections: [{id: s, title: t, blocks: [x]}]\n"
    write_project(tmp_path, chapter("- 文字"), files={"content/a\x1b[2Jb.yml": hostile})
    cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(tmp_path), "check"],
                         capture_output=True, text=True, timeout=60)
    assert "\x1b" not in cli.stdout
    assert "content/a\\x1b[2Jb.yml\n  1:1      warning chapter 'other' is not in the syllabus" in cli.stdout
    cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(tmp_path), "check", "--format",
                          "json"], capture_output=True, text=True, timeout=60)
    (finding,) = [f for f in json.loads(cli.stdout)["findings"]
                  if f["code"] == "completeness.not-in-syllabus"]
    assert finding["file"] == "content/a\x1b[2Jb.yml" and "\x1b" not in cli.stdout
