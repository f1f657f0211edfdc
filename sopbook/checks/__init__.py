"""All checks: each family is a pure function Project -> list[Finding]; nothing here prints or exits."""
from __future__ import annotations

from sopbook.checks import arithmetic, cards, completeness, files, references, timings
from sopbook.findings import Finding, in_order
from sopbook.i18n import N_
from sopbook.model.project import Project

FAMILIES = {
    "timings": timings.check,
    "completeness": completeness.check,
    "references": references.check,
    "arithmetic": arithmetic.check,
    "cards": cards.check,
    "files": files.check,
}


def _acknowledgements(project: Project):
    """(code, global address, acknowledgement) for every acknowledgement in the content."""
    for chapter in project.chapters:
        for ack in chapter.acknowledged:
            yield ack.code, ack.address if "." in ack.address else f"{chapter.id}.{ack.address}", ack


def acknowledge(project: Project, findings: list[Finding]) -> list[Finding]:
    """Mark findings that the content acknowledges (the source itself has them) with the reason."""
    reasons = {(code, address): ack.reason for code, address, ack in _acknowledgements(project)}
    return [f.acknowledge(reasons[(f.code, f.address)]) if (f.code, f.address) in reasons else f
            for f in findings]


def unused_acknowledgements(project: Project, findings: list[Finding]) -> list[Finding]:
    """An acknowledgement that matches nothing is stale: the content changed, so say so."""
    present = {(f.code, f.address) for f in findings}
    return [Finding("warning", "references.stale-acknowledgement",
                    N_("acknowledgement of {code} at {address} matches no finding"),
                    ack.at, N_("remove it: the problem it excused is gone"), address,
                    params={"code": code, "address": address})
            for code, address, ack in _acknowledgements(project) if (code, address) not in present]


def run_checks(project: Project, families: list[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for name, family in FAMILIES.items():
        if families is None or name in families:
            findings.extend(family(project))
    if families is None:
        findings.extend(unused_acknowledgements(project, findings))
    findings = acknowledge(project, findings)
    return in_order(findings)
