"""Findings: what every check and the loader report, with a location a person can open."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

Level = Literal["error", "warning", "info"]


class Loc(NamedTuple):
    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    level: Level
    code: str  # family.rule, e.g. "timings.step-sum"; acknowledgements match on it
    message: str
    loc: Loc
    hint: str = ""
    address: str = ""  # global id (chapter.thing) of what the finding is about
    acknowledged: str = ""  # the content's reason, when the source itself has this problem

    def __str__(self) -> str:
        text = f"{self.loc}: {self.level}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        if self.acknowledged:
            text += f"\n    acknowledged: {self.acknowledged}"
        return text

    def acknowledge(self, reason: str) -> "Finding":
        return replace(self, acknowledged=reason)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "message": self.message,
            "hint": self.hint,
            "address": self.address,
            "acknowledged": self.acknowledged or None,
        }


@dataclass
class LoadFailed(Exception):
    """Raised once, after every problem in the input was collected (collect, then abort once)."""

    findings: list[Finding] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.findings)


def failing(findings: list[Finding]) -> list[Finding]:
    """Errors that fail a run: acknowledged ones are reported but do not fail."""
    return [f for f in findings if f.level == "error" and not f.acknowledged]
