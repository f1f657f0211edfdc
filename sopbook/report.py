"""Print findings for people (grouped by file) and for tools (JSON). The checks never print."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import IO

from sopbook.findings import BIDI_CONTROLS, Finding, shown

# JSON escapes C0 controls itself; these it would write raw (ensure_ascii=False keeps Chinese readable).
_JSON_RAW = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def summary(findings: list[Finding]) -> dict[str, int]:
    active = [f for f in findings if not f.acknowledged]
    return {
        "errors": sum(f.level == "error" for f in active),
        "warnings": sum(f.level == "warning" for f in active),
        "acknowledged": sum(bool(f.acknowledged) for f in findings),
        "pending": sum(f.code == "completeness.pending" for f in findings),
        "planned": sum(f.code == "completeness.planned-chapter" for f in findings),
    }


def _grouped(findings: list[Finding], out: IO[str]) -> None:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.loc.file].append(f)
    for file, items in by_file.items():
        out.write(f"{shown(file)}\n")
        for f in items:
            pos = (f"{f.loc.line}:{f.loc.col}" if f.loc.col else str(f.loc.line)) if f.loc.line else "-"
            out.write(f"  {pos:<8} {f.level:<7} {shown(f.message)}  [{shown(f.code)}]\n")
            if f.hint:
                out.write(f"  {'':<8} {'':<7} hint: {shown(f.hint)}\n")
            if f.acknowledged:
                out.write(f"  {'':<8} {'':<7} acknowledged: {shown(f.acknowledged)}\n")
        out.write("\n")


def summary_line(findings: list[Finding]) -> str:
    s = summary(findings)
    return (f"{s['errors']} errors, {s['warnings']} warnings, {s['acknowledged']} acknowledged, "
            f"{s['pending']} pending, {s['planned']} planned chapters")


def _problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level in ("error", "warning") and not f.acknowledged]


def write_problems(findings: list[Finding], out: IO[str]) -> None:
    """Only what needs the editor's attention: a successful build shows its warnings this way."""
    if problems := _problems(findings):
        _grouped(problems, out)


def write_text(findings: list[Finding], out: IO[str]) -> None:
    problems = _problems(findings)
    acknowledged = [f for f in findings if f.acknowledged]
    pending = [f for f in findings if f.code == "completeness.pending"]
    planned = [f for f in findings if f.code == "completeness.planned-chapter"]
    if problems:
        _grouped(problems, out)
    if acknowledged:
        out.write("Acknowledged (the source itself has these; they do not fail the check):\n\n")
        _grouped(acknowledged, out)
    if pending:
        out.write(f"Pending headings ({len(pending)}): the source has the heading but no body\n")
        for f in pending:
            title = f.message.removeprefix("pending: ").split(" (the source")[0]
            out.write(f"  {shown(f.loc)}  {shown(title)}\n")
        out.write("\n")
    if planned:
        out.write(f"Planned chapters ({len(planned)}):\n")
        for f in planned:
            out.write(f"  {shown(f.message.removeprefix('planned chapter: '))}\n")
        out.write("\n")
    out.write(summary_line(findings) + "\n")


def write_json(findings: list[Finding], out: IO[str]) -> None:
    text = json.dumps({"summary": summary(findings), "findings": [f.as_dict() for f in findings]},
                      ensure_ascii=False, indent=2)
    out.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
