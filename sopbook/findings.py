"""Findings: what every check and the loader report, with a location a person can open."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

from sopbook.i18n import N_, SOURCE_LANGUAGE, say

# Content is data, in the terminal too: a title with `\x1b[2J` must not clear the editor's screen,
# and a right-to-left override must not reorder the line. Bidi controls are format characters
# (Cf) that terminals obey; lone surrogates cannot be written to a UTF-8 terminal at all.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """`text` with control characters, bidi controls and lone surrogates written as escapes."""
    return "".join(_escape(c) if c in BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs") else c
                   for c in str(text))


Level = Literal["error", "warning", "info"]
LEVELS: dict[str, str] = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
HINT, ACKNOWLEDGED = N_("hint:"), N_("acknowledged:")  # the labels under a finding


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
    code: str  # family.rule, e.g. "timings.step-sum"; stable in every language; acknowledgements match on it
    text: str  # the message id: English, with {name} placeholders filled from params (i18n.say)
    loc: Loc
    hint_text: str = ""  # what to do, a message id like `text`
    address: str = ""  # global id (chapter.thing) of what the finding is about
    acknowledged: str = ""  # the content's reason, when the source itself has this problem
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def message_in(self, lang: str) -> str:
        return say(self.text, lang, self.params)

    def hint_in(self, lang: str) -> str:
        return say(self.hint_text, lang, self.params) if self.hint_text else ""

    @property
    def message(self) -> str:
        return self.message_in(SOURCE_LANGUAGE)

    @property
    def hint(self) -> str:
        return self.hint_in(SOURCE_LANGUAGE)

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = SOURCE_LANGUAGE) -> str:
        """One finding for a log line, escaped: MkDocs' own log prints findings this way
        (`mkdocs serve`)."""
        text = f"{shown(self.loc)}: {say(LEVELS[self.level], lang)}: {shown(self.message_in(lang))}"
        if self.hint_text:
            text += f"\n    {say(HINT, lang)} {shown(self.hint_in(lang))}"
        if self.acknowledged:
            text += f"\n    {say(ACKNOWLEDGED, lang)} {shown(self.acknowledged)}"
        return text

    def acknowledge(self, reason: str) -> Finding:
        return replace(self, acknowledged=reason)

    def as_dict(self, lang: str = SOURCE_LANGUAGE) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "message": self.message_in(lang),
            "hint": self.hint_in(lang),
            "address": self.address,
            "acknowledged": self.acknowledged or None,
        }


@dataclass
class LoadFailed(Exception):
    """Raised once, after every problem in the input was collected (collect, then abort once)."""

    findings: list[Finding] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.findings)


class StageFailed(Exception):
    """A build or export stopped at `stage` (load, check, web, cards ...) with these findings."""

    verb = "run"

    def __init__(self, findings: list[Finding], stage: str):
        super().__init__(f"{self.verb} failed at {stage}")
        self.findings = findings
        self.stage = stage


def in_order(findings: list[Finding]) -> list[Finding]:
    """Findings as every report lists them: by file, line, column, then code."""
    return sorted(findings, key=lambda f: (f.loc.file, f.loc.line, f.loc.col, f.code))


def failing(findings: list[Finding]) -> list[Finding]:
    """Errors that fail a run: acknowledged ones are reported but do not fail."""
    return [f for f in findings if f.level == "error" and not f.acknowledged]
