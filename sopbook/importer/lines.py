"""A course document, line by line: what each single line looks like on its own.

The documents are pasted text: one paragraph, heading, table cell or utterance per line, with
the structure in the wording (一、, Step 1:, 第一步:, □, 【...】, 9:00, ├─) rather than in markup.
These patterns read one line; tokens.py groups lines into the things they make together.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sopbook.model.quantities import chinese_number

# Chinese input methods write full-width colons, commas, brackets, question marks and digits; the
# rules read both widths. The
# folding is one character for one, so a match on the folded text has the same spans in
# the text itself, and what is copied keeps the source's own characters.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    return text.translate(_FOLD)


class Found:
    """A match on the folded text that reads its groups from the text as written."""

    def __init__(self, match: re.Match[str], text: str):
        self.match, self.text = match, text

    def __getitem__(self, name: str | int) -> str:
        """The group as written; empty when it took no part in the match."""
        start = self.match.start(name)
        return "" if start < 0 else self.text[start:self.match.end(name)]

    def get(self, name: str) -> str | None:
        """A group the pattern may not have: None then, or when it took no part in the match."""
        if name not in self.match.re.groupindex or self.match.start(name) < 0:
            return None
        return self[name]

    def group(self, name: str | int = 0) -> str:
        return self[name]

    def start(self, name: str | int = 0) -> int:
        return self.match.start(name)

    def end(self, name: str | int = 0) -> int:
        return self.match.end(name)


def match(pattern: re.Pattern[str], text: str) -> Found | None:
    m = pattern.match(fold(text))
    return Found(m, text) if m else None


def search(pattern: re.Pattern[str], text: str) -> Found | None:
    m = pattern.search(fold(text))
    return Found(m, text) if m else None


def ends(text: str, *endings: str) -> bool:
    return fold(text).endswith(endings)


def starts(text: str, *beginnings: str) -> bool:
    return fold(text).startswith(beginnings)


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor shows it
    text: str  # without surrounding whitespace


def read_lines(text: str) -> list[Line]:
    """Every line with its number, blank ones left out. Lines are split on line feeds only: str's
    own splitlines() also breaks on U+2028 and form feeds, which would shift every number after."""
    text = text.removeprefix("\ufeff")
    out = []
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if stripped:
            out.append(Line(number, stripped))
    return out


def unreadable(text: str) -> bool:
    """A control character (other than a tab), a lone surrogate or a Unicode line separator: the
    loader refuses each in content (a terminal would obey it, an editor hides it); such a line is
    reported, never copied."""
    return any((unicodedata.category(c) in ("Cc", "Cs") and c != "\t") or c in "\u2028\u2029" for c in text)


# ---- headings ---------------------------------------------------------------------------------
# Every pattern reads the folded text (fold()): an ASCII ':' there is ':' or '：' in the source.
PART = re.compile(r"^[一二三四五六七八九十]+、\s*\S")
# A numbered heading of one family: 原则1:, 陷阱2:, 层次3:, 场景4: (the word says which family).
FAMILY = re.compile(r"^(?P<word>[\u4e00-\u9fff]{1,4})(?P<n>\d{1,2})\s*:\s*(?P<title>\S.*)$")
# (一) 客户分类: a numbered heading one level under the parts.
PAREN = re.compile(r"^\((?P<n>[一二三四五六七八九十]{1,3})\)\s*\S")
STEP = re.compile(r"^(?P<label>(?:Step|STEP|step|步骤)\s*\d{1,2})\s*:\s*(?P<title>\S.*?)"
                  r"\s*(?:\((?P<minutes>\d{1,4})\s*分钟\))?$")
ORDINAL_STEP = re.compile(r"^(?P<label>第[一二三四五六七八九十\d]{1,3}步)\s*:\s*(?P<title>\S.*?)"
                          r"\s*(?:\((?P<minutes>\d{1,4})\s*分钟\))?$")
CASE = re.compile(r"^(?P<prefix>[^\s:\"“”]{0,8}?)案例\s*:\s*(?P<title>\S.*)$")
NEXT = re.compile(r"^下一[章节课]预告\s*:")
DEADLINE_PREFIX = re.compile(r"^(\d{1,4}\s*(?:分钟|小时|天|日|周)(?:内|以内))")

# ---- timelines --------------------------------------------------------------------------------
CLOCK = re.compile(r"^(?P<day>次日|翌日|当天|当日)?\s*(?P<part>上午|下午|晚上|早上|凌晨|中午|傍晚)?\s*"
                   r"(?P<h>\d{1,2}):(?P<m>\d{2})(?:\s*[-~–至]\s*(?P<eh>\d{1,2}):(?P<em>\d{2}))?"
                   r"(?:\s+(?P<text>\S.*))?$")
DAY_MARK = re.compile(r"^【(?P<label>Day\s*(?P<day>\d{1,4}))(?:\s*[,，]\s*(?P<h>\d{1,2}):(?P<m>\d{2}))?】"
                      r"\s*(?P<text>.*)$")
RELATIVE = re.compile(r"^【?(?P<label>(?P<n>\d{1,3}|[一二两三四五六七八九十半]{1,3})\s*个?"
                      r"(?P<unit>天|周|星期|月|年)后)】?\s*:?$")
MINUTES_SUFFIX = re.compile(r"\s*\((?P<minutes>\d{1,4})\s*分钟\)$")
AFTERNOON = {"下午", "晚上", "傍晚"}
DAYS_PER = {"天": 1, "周": 7, "星期": 7, "月": 30, "年": 365}

# ---- blocks -----------------------------------------------------------------------------------
BRACKET = re.compile(r"^【[^【】]+】$")
CHECK = re.compile(r"^[□☐]\s*(?P<text>\S.*)$")
CONFIRM = re.compile(r"^(?P<label>\S{0,8}?确认)\s*:\s*[\"“](?P<said>[^\"“”]+)[\"”]"
                     r"\s*(?:→\s*(?P<then>\S.*))?$")
SIGNED = re.compile(r"^\S{0,8}签字确认$|^\S{0,6}确认$")
DASH_ITEM = re.compile(r"^[-–]\s+(?P<text>\S.*)$")
NUMBERED_ITEM = re.compile(r"^(?P<n>\d{1,2})[.、]\s*(?P<text>\S.*)$")
MARKED_ITEM = re.compile(r"^(?P<text>[❌✅✔✗✘]\s*\S.*)$")
BULLET_ITEM = re.compile(r"^[•·▪]\s*(?P<text>\S.*)$")
# A tree line, not a box's own border (┌────┐, ├────┤, └────┘).
TREE = re.compile(r"^(?P<bars>(?:│\s*)*)(?P<mark>├─+|└─+|┌─+)(?![─━]*[┐┤┘]\s*$)\s*(?P<text>.*?)\s*│?$")
BOX_TOP = re.compile(r"^┌[─━]+┐$")
BOX_BOTTOM = re.compile(r"^└[─━]+┘$")
BOX_DIVIDER = re.compile(r"^├[─━]+┤$")
RULE = re.compile(r"^[━─═]{3,}$")
TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
KEY_LINE = re.compile(r"^【关键】\s*:\s*(?P<text>\S.*)$")

# ---- paragraphs -------------------------------------------------------------------------------
LABELLED = re.compile(r"^(?P<label>[^:\"“”「」\[\]【】,。!?、\s][^:\"“”「」\[\]【】,。!?、]{0,11}):"
                      r"(?P<text>\S.*)$")
SENTENCE_MARKS = set(",。;!、\"“”「」→=")  # in folded text
TITLE_MAX = 30  # a heading, a block's title: longer lines are sentences
BLOCK_TITLE_MAX = 40
LABEL_MAX = 12


def title_like(text: str) -> bool:
    """Short and without sentence punctuation: reads as a heading, not as a sentence."""
    folded = fold(text)
    return (len(text) <= TITLE_MAX and not any(c in SENTENCE_MARKS for c in folded)
            and not folded.endswith(":") and not folded.startswith("("))


def question(text: str) -> bool:
    folded = fold(text)
    return (folded.endswith("?") and ":" not in folded and len(text) <= 40
            and not any(c in "\"“”「」" for c in folded))


def lead_in(text: str) -> bool:
    return ends(text, ":") and len(text) > 1


def without_colon(text: str) -> str:
    return text[:-1].rstrip() if ends(text, ":") else text


def continues(text: str) -> bool:
    """A line that ends in a comma goes on in the next line."""
    return ends(text, ",")


def short_label(text: str) -> bool:
    """A lead-in that can stand as a paragraph's label (核心命题, 战略洞察)."""
    return len(text) <= LABEL_MAX and not any(c in SENTENCE_MARKS or c in "()" for c in fold(text))


def count(text: str) -> int | None:
    """一 -> 1, 12 -> 12, 半 -> None (half a unit has no whole count)."""
    return chinese_number(text)


def relative_days(n_text: str, unit: str) -> int:
    """Approximate days of 3个月后 / 1年后 / 半年后: 30 days a month, 365 a year; the text keeps the
    source's wording, the number only orders the events."""
    per = DAYS_PER[unit]
    if n_text == "半":
        return per // 2
    n = count(n_text)
    return (n or 0) * per


def minutes(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def clock(hour: int, minute: int, part: str | None) -> str | None:
    """'下午3:00' -> '15:00'; None when it is no time of day."""
    if part in AFTERNOON and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return f"{hour}:{minute:02d}"
