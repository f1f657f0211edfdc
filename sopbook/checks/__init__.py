"""All checks: each family is a pure function Project -> list[Finding]; nothing here prints or exits."""
from __future__ import annotations

from ..findings import Finding
from ..project import Project
from . import arithmetic, cards, completeness, references, timings

FAMILIES = {
    "timings": timings.check,
    "completeness": completeness.check,
    "references": references.check,
    "arithmetic": arithmetic.check,
    "cards": cards.check,
}


def acknowledge(project: Project, findings: list[Finding]) -> list[Finding]:
    """Mark findings that the content acknowledges (the source itself has them) with the reason."""
    reasons: dict[tuple[str, str], str] = {}
    for chapter in project.chapters:
        for ack in chapter.acknowledged:
            address = ack.address if "." in ack.address else f"{chapter.id}.{ack.address}"
            reasons[(ack.code, address)] = ack.reason
    return [f.acknowledge(reasons[(f.code, f.address)]) if (f.code, f.address) in reasons else f for f in findings]


def unused_acknowledgements(project: Project, findings: list[Finding]) -> list[Finding]:
    """An acknowledgement that matches nothing is stale: the content changed, so say so."""
    present = {(f.code, f.address) for f in findings}
    out = []
    for chapter in project.chapters:
        for ack in chapter.acknowledged:
            address = ack.address if "." in ack.address else f"{chapter.id}.{ack.address}"
            if (ack.code, address) not in present:
                out.append(Finding("warning", "references.stale-acknowledgement",
                                   f"acknowledgement of {ack.code} at {address} matches no finding",
                                   ack.at, "remove it: the problem it excused is gone", address))
    return out


def run_checks(project: Project, families: list[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for name, family in FAMILIES.items():
        if families is None or name in families:
            findings.extend(family(project))
    if families is None:
        findings.extend(unused_acknowledgements(project, findings))
    findings = acknowledge(project, findings)
    return sorted(findings, key=lambda f: (f.loc.file, f.loc.line, f.loc.col, f.code))
