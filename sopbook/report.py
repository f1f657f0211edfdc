"""Print findings for people (grouped by file) and for tools (JSON). The checks never print."""
from __future__ import annotations

import json
from collections import defaultdict
from typing import IO

from .findings import Finding


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
        out.write(f"{file}\n")
        for f in items:
            pos = (f"{f.loc.line}:{f.loc.col}" if f.loc.col else str(f.loc.line)) if f.loc.line else "-"
            out.write(f"  {pos:<8} {f.level:<7} {f.message}  [{f.code}]\n")
            if f.hint:
                out.write(f"  {'':<8} {'':<7} hint: {f.hint}\n")
            if f.acknowledged:
                out.write(f"  {'':<8} {'':<7} acknowledged: {f.acknowledged}\n")
        out.write("\n")


def write_text(findings: list[Finding], out: IO[str]) -> None:
    problems = [f for f in findings if f.level in ("error", "warning") and not f.acknowledged]
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
            out.write(f"  {f.loc}  {f.message.removeprefix('pending: ').split(' (the source')[0]}\n")
        out.write("\n")
    if planned:
        out.write(f"Planned chapters ({len(planned)}):\n")
        for f in planned:
            out.write(f"  {f.message.removeprefix('planned chapter: ')}\n")
        out.write("\n")
    s = summary(findings)
    out.write(
        f"{s['errors']} errors, {s['warnings']} warnings, {s['acknowledged']} acknowledged, "
        f"{s['pending']} pending, {s['planned']} planned chapters\n"
    )


def write_json(findings: list[Finding], out: IO[str]) -> None:
    json.dump({"summary": summary(findings), "findings": [f.as_dict() for f in findings]}, out,
              ensure_ascii=False, indent=2)
    out.write("\n")
