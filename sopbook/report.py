"""Print findings for people (grouped by file) and for tools (JSON). The checks never print."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import IO

from sopbook._util.columns import columns
from sopbook.findings import ACKNOWLEDGED, BIDI_CONTROLS, HINT, LEVELS, Finding, shown
from sopbook.i18n import N_, say

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


def _grouped(findings: list[Finding], out: IO[str], lang: str) -> None:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.loc.file].append(f)
    for file, items in by_file.items():
        out.write(f"{shown(file)}\n")
        for f in items:
            pos = (f"{f.loc.line}:{f.loc.col}" if f.loc.col else str(f.loc.line)) if f.loc.line else "-"
            level = say(LEVELS[f.level], lang)
            out.write(f"  {pos:<8} {_pad(level, 7)} {shown(f.message_in(lang))}  [{shown(f.code)}]\n")
            if f.hint_text:
                out.write(f"  {'':<8} {'':<7} {say(HINT, lang)} {shown(f.hint_in(lang))}\n")
            if f.acknowledged:
                out.write(f"  {'':<8} {'':<7} {say(ACKNOWLEDGED, lang)} {shown(f.acknowledged)}\n")
        out.write("\n")


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns: a Chinese character takes two."""
    return text + " " * max(0, width - columns(text))


def summary_line(findings: list[Finding], lang: str) -> str:
    return say(N_("{errors} errors, {warnings} warnings, {acknowledged} acknowledged, "
                  "{pending} pending, {planned} planned chapters"), lang, summary(findings))


def _problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.level in ("error", "warning") and not f.acknowledged]


def write_problems(findings: list[Finding], out: IO[str], lang: str) -> None:
    """Only what needs the editor's attention: a successful build shows its warnings this way."""
    if problems := _problems(findings):
        _grouped(problems, out, lang)


def write_text(findings: list[Finding], out: IO[str], lang: str) -> None:
    problems = _problems(findings)
    acknowledged = [f for f in findings if f.acknowledged]
    pending = [f for f in findings if f.code == "completeness.pending"]
    planned = [f for f in findings if f.code == "completeness.planned-chapter"]
    if problems:
        _grouped(problems, out, lang)
    if acknowledged:
        out.write(say(N_("Acknowledged (the source itself has these; they do not fail the check):"), lang)
                  + "\n\n")
        _grouped(acknowledged, out, lang)
    if pending:
        out.write(say(N_("Pending headings ({count}): the source has the heading but no body"), lang,
                      {"count": len(pending)}) + "\n")
        for f in pending:
            out.write(f"  {shown(f.loc)}  {shown(f.params.get('title', f.message_in(lang)))}\n")
        out.write("\n")
    if planned:
        out.write(say(N_("Planned chapters ({count}):"), lang, {"count": len(planned)}) + "\n")
        for f in planned:
            listed = (N_("Day {day} {title} (not written yet)") if f.params.get("day")
                      else N_("{title} (not written yet)"))
            out.write(f"  {shown(say(listed, lang, f.params))}\n")
        out.write("\n")
    out.write(summary_line(findings, lang) + "\n")


def write_json(findings: list[Finding], out: IO[str], lang: str) -> None:
    """Codes, levels and places are the same in every language; message and hint are in `lang`."""
    text = json.dumps({"summary": summary(findings), "language": lang,
                       "findings": [f.as_dict(lang) for f in findings]},
                      ensure_ascii=False, indent=2)
    out.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")
