"""Extract the coverage lists for tests/test_source_coverage.py from the two source documents.

    .venv/bin/python tests/extract_phrases.py
    # rewrites tests/source_phrases.txt and tests/source_headings.txt

The sources are copied verbatim into tests/sources/ (delivery.txt = 000_efaf3235daca82b9.txt,
Day 18.5 交付管理; mobile-experience.txt = 001_a9efff8d82c92a84.txt, Day 19 模块4).

Every line of each document is classified by the rules below, in this order, and turned into
zero or more phrases; nothing is picked by hand except the few sub-headings the source marks only by
standing alone on their line (STANDALONE_HEADINGS, each asserted to be a whole source line):

  skip        blank lines, table separators (|---|), box borders (┌──┐ ├──┤ └──┘ ━━━), box spacers.
  talk        text inside "..." that spans lines or follows a speaker ("李明:"...", "- "...",
              a whole-line quote): each physical line of the utterance, quotes removed; the speaker
              or lead-in before the quote and a trailing (递名片) are phrases too.
  table       every non-empty cell of every table row (both the one-cell-per-line layout of the
              delivery document and markdown rows); ** and leading • are markup and dropped.
  checklist   lines starting with □; a 客户确认:"question" → answer line gives the question and
              the answer as two phrases, and 客户确认:"question" as a third (the label is the source's).
  mot         lines inside the MOT journey box: "MOT n: title" → title; 时间:/客户期望: → the value;
              痛点消除: → each 、-separated pain point; ✓ items → the item; 【...】 → as written.
  tree        ├─ └─ ┌─ outline lines (also inside boxes): the item text; "【关键】:X" → X.
  list        "- item", "1. item" (outside quotes), ❌/✅ lines: the item text.
  timeline    "9:00 text", "【Day 0,18:00】text", "【Day 3】text", "【3个月后】": the text / label;
              a duration "(15分钟)" at the end of a line is dropped (it is the event's `minutes`).
  action      a bracketed stage direction outside quotes ("李明:[微笑,展示工牌]", "[扫描车辆VIN码确认]").
  step        "Step n: title(n分钟)" and "第一步:title": the title (also listed as a heading).
  heading     see HEADING rules below; written to source_headings.txt, not to the phrase list.
  body        any other line: the whole line (trailing ":" of a lead-in dropped).

HEADING rules: the chapter title (line 1); 一、…五、 parts; Step n / 第X步 / 原则n / 陷阱n lines;
case lines (案例:..., MOT实战案例:...); the Wang case's "MOT n - ...:" sub-headings; question
lines ending in "?" that stand alone outside quotes; a short lead-in (at most 20 characters, no
comma) ending in ":" whose next line is itself a heading or another such lead-in (it has no body
of its own: either an empty heading such as
验证的三大原则 / 正确做法, or a heading over sub-headings such as 贬损者挽回六步法); and
STANDALONE_HEADINGS.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {
    "delivery": HERE / "sources" / "delivery.txt",
    "mobile-experience": HERE / "sources" / "mobile-experience.txt",
}
PHRASES_FILE = HERE / "source_phrases.txt"
HEADINGS_FILE = HERE / "source_headings.txt"

# Sub-headings with no marker at all: a reader sees them as headings because they stand alone
# between blocks; no rule tells them from a one-line paragraph, so they are listed (and each must
# be a whole line of the source).
STANDALONE_HEADINGS = {
    "delivery": [
        "峰终定律(Peak-End Rule)在交付中的体现",
        "交付环节的三大使命",
        "展示的不是服务,而是价值",
        "KPI体系",
        "本章核心要点",
    ],
    "mobile-experience": [
        "移动服务中的峰终定律应用",
        "一个改变认知的真实案例",
        "MOT(Moment of Truth)关键时刻理论",
        "NPS(净推荐值)的深度应用",
        "关键要点回顾",
        "结语:移动服务的未来",
    ],
}

BOX_BORDER = re.compile(r"^[┌┐└┘├┤─━│\s]*$")
TREE = re.compile(r"^(?:│\s*)*(?:├─|└─|┌─)\s*(.*?)\s*(?:│)?$")
PART = re.compile(r"^[一二三四五六七八九十]+、")
STEP = re.compile(r"^Step\s*\d+\s*:\s*(.+?)$")
ORDINAL_STEP = re.compile(r"^第[一二三四五六七八九十]步:(.+)$")
NUMBERED_HEADING = re.compile(r"^(?:原则|陷阱)\d+:")
CASE = re.compile(r"^(?:MOT实战)?案例:(.+)$")
WANG_MOT = re.compile(r"^MOT \d+ - .+:$")
CLOCK = re.compile(r"^(\d{1,2}:\d{2})\s+(.+)$")
BARE_TIME = re.compile(r"^(次日)?\s*(?:下午)?\d{1,2}:\d{2}$")
DAY_MARK = re.compile(r"^【(Day \d+)(?:,(\d{1,2}:\d{2}))?】(.*)$")
BRACKET_LINE = re.compile(r"^【(.+?)】(?::(.*))?$")
MINUTES_SUFFIX = re.compile(r"\(\d+分钟\)$")
ACTION = re.compile(r"\[([^\]]+)\]")
SPEAKER_QUOTE = re.compile(r'^(?:- )?([^"\[\]]{0,12}?):?(\[[^\]]+\])?\s*"')
WHOLE_QUOTE = re.compile(r'"[^"]*"(?:\([^)]*\))?$')  # the line ends with the quote (or a (direction))
SPEAKER_ACTION = re.compile(r'^([^:"\[\]]{1,8}):\[([^\]]+)\]$')  # 李明:[微笑,展示工牌]
CONFIRM = re.compile(r'^客户确认:"(.+?)"\s*(?:→\s*(.+))?$')


def _clean(text: str) -> str:
    text = text.strip()
    text = MINUTES_SUFFIX.sub("", text).strip()
    return text


def _lead_in(text: str) -> str:
    return text[:-1].strip() if text.endswith(":") else text


class Extractor:
    def __init__(self, name: str, lines: list[str]):
        self.name = name
        self.lines = [line.rstrip("\n") for line in lines]
        self.phrases: list[tuple[str, str]] = []  # (group, phrase)
        self.headings: list[str] = []
        self.in_quote = False
        self.in_mot_box = False

    # -- helpers -------------------------------------------------------------------------------
    def add(self, group: str, text: str) -> None:
        text = _clean(text)
        if text and text not in {"-", ":"}:
            self.phrases.append((group, text))

    def heading(self, text: str) -> None:
        self.headings.append(_lead_in(text.strip()))

    def is_heading_line(self, line: str) -> bool:
        s = line.strip()
        return bool(
            PART.match(s) or STEP.match(s) or ORDINAL_STEP.match(s) or NUMBERED_HEADING.match(s)
            or CASE.match(s) or WANG_MOT.match(s)
            or (s.endswith("?") and ":" not in s and not s.startswith(("-", '"', "│", "├", "└")))
            or s in STANDALONE_HEADINGS[self.name]
        )

    def is_lead_in(self, line: str) -> bool:
        s = line.strip()
        return (s.endswith(":") and len(s) <= 20 and '"' not in s and "," not in s
                and not s.startswith(("│", "├", "└", "┌", "-", "|", "【"))
                and not CLOCK.match(s))

    def next_line(self, index: int) -> str:
        for line in self.lines[index + 1:]:
            if line.strip():
                return line
        return ""

    # -- the rules -----------------------------------------------------------------------------
    def run(self) -> None:
        for index, raw in enumerate(self.lines):
            line = raw.strip()
            if index == 0:
                self.heading(line)
                continue
            if not self.in_quote and line.startswith("□"):
                self.checklist(line[1:].strip())
                continue
            if not self.in_quote and self.is_heading_line(line):
                self.other(index, line)
                continue
            if self.in_quote or line.count('"') % 2 == 1 or (SPEAKER_QUOTE.match(line)
                                                             and WHOLE_QUOTE.search(line)):
                self.talk(line)
                continue
            if not line or set(line) <= set("|-") or BOX_BORDER.match(line):
                continue
            if self.table(line):
                continue
            self.other(index, line)

    def talk(self, line: str) -> None:
        """A line that is (partly) inside a "..." utterance."""
        rest = line
        if not self.in_quote:
            head, _, rest = line.partition('"')
            head = head.strip()
            if head.startswith("- "):
                head = head[2:]
            for action in ACTION.findall(head):
                self.add("talk: stage directions", action)
            head = ACTION.sub("", head).strip()
            if head.startswith("客户确认:"):
                head = ""
            if head:
                self.add("talk: speakers and lead-ins", _lead_in(head))
            self.in_quote = True
        speech, closed, after = rest.partition('"')
        self.add("talk: utterances (every line)", speech)
        if closed:
            self.in_quote = False
            after = after.strip()
            if after.startswith("→"):
                self.add("checklist: confirmations", after[1:])
            elif after.startswith("(") and after.endswith(")"):
                self.add("talk: stage directions", after[1:-1])
            elif after:
                self.talk(after) if '"' in after else self.add("talk: utterances (every line)", after)

    def checklist(self, text: str) -> None:
        confirm = CONFIRM.match(text)
        if confirm:
            self.add("checklist: confirmations", f'客户确认:"{confirm.group(1)}"')  # who confirms, too
            self.add("checklist: confirmations", confirm.group(1))
            if confirm.group(2):
                self.add("checklist: confirmations", confirm.group(2))
        else:
            self.add("checklist items", text)

    def table(self, line: str) -> bool:
        if self.name == "delivery":
            if not (line.startswith("| ") or line.endswith(" |")):
                return False
            cells = [line.strip("|").strip()]
        else:
            if not line.startswith("|"):
                return False
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for cell in cells:
            cell = cell.replace("**", "").strip()
            if cell.startswith("•"):
                cell = cell[1:].strip()
            if cell and not set(cell) <= set("-"):
                self.add("table cells", cell)
        return True

    def other(self, index: int, line: str) -> None:
        # boxes: strip the frame, then treat the content
        boxed = line.startswith("│") and line.endswith("│") and not TREE.match(line)
        if boxed:
            content = line.strip("│").strip()
            if not content or BOX_BORDER.match(content):
                return
            self.boxed(content)
            return
        tree = TREE.match(line)
        if tree:
            item = tree.group(1)
            if item.startswith("【关键】:"):
                self.add("recovery: 【关键】 lines", item[len("【关键】:"):])
            elif item:
                self.add("tree and outline items", item)
            return
        if line == "│":
            return
        speaker_action = SPEAKER_ACTION.match(line)
        if speaker_action:
            self.add("talk: speakers and lead-ins", speaker_action.group(1))
            self.add("talk: stage directions", speaker_action.group(2))
            return
        if line.startswith(("❌", "✅")):
            self.add("list items", line)
            return
        if line.startswith("- "):
            self.add("list items", line[2:])
            return
        numbered = re.match(r"^\d+\.\s+(.+)$", line)
        if numbered:
            self.add("list items", numbered.group(1))
            return
        clock = CLOCK.match(line)
        if clock:
            self.add("timeline events", _lead_in(clock.group(2)))
            return
        if BARE_TIME.match(line):
            if line.startswith("次日"):
                self.add("timeline events", "次日")
            return
        day = DAY_MARK.match(line)
        if day:
            self.add("timeline events", day.group(1))
            if day.group(3):
                self.add("timeline events", day.group(3))
            return
        step = STEP.match(line)
        if step:
            self.heading(line)
            self.add("step titles", step.group(1))
            return
        ordinal = ORDINAL_STEP.match(line)
        if ordinal:
            self.heading(line)
            self.add("step titles", ordinal.group(1))
            return
        case = CASE.match(line)
        if case:
            self.heading(line)
            self.add("case names", case.group(1))
            return
        if line.startswith("[") and line.endswith("]"):
            self.add("talk: stage directions", line[1:-1])
            return
        bracket = BRACKET_LINE.match(line)
        if bracket:
            self.add("bracketed labels", bracket.group(1))
            return
        if self.is_heading_line(line):
            self.heading(line)
            return
        if self.is_lead_in(line) and (self.is_heading_line(self.next_line(index))
                                      or self.is_lead_in(self.next_line(index))):
            self.heading(line)
            return
        if line.startswith("背景:") and len(line) > 3:
            line = line[3:]
        self.add("body lines", _lead_in(line))

    def boxed(self, content: str) -> None:
        mot = re.match(r"^MOT (\d+): (.+)$", content)
        if mot:
            self.in_mot_box = True
            self.add("MOT titles", mot.group(2))
            return
        if self.in_mot_box:
            if content.startswith("时间:"):
                self.add("MOT timing rules", content[3:])
                return
            if content.startswith("客户期望:"):
                self.add("MOT expectations", content[5:])
                return
            if content.startswith("痛点消除:"):
                for point in content[5:].split("、"):
                    self.add("MOT pain points", point)
                return
            if content.startswith("✓"):
                self.add("MOT design items", content[1:])
                return
            if content == "体验设计:":
                return
        self.add("box text", _lead_in(content))


def extract(name: str, path: Path) -> Extractor:
    extractor = Extractor(name, path.read_text(encoding="utf-8").splitlines())
    whole_lines = {line.strip() for line in extractor.lines}
    for heading in STANDALONE_HEADINGS[name]:
        assert heading in whole_lines, f"{heading!r} is not a whole line of {path.name}"
    extractor.run()
    assert not extractor.in_quote, f"unbalanced quotes in {path.name}"
    return extractor


def render() -> tuple[str, str]:
    phrases = [
        "# Coverage phrases: each must appear (whitespace ignored) in some string of the loaded model.",
        "# GENERATED by tests/extract_phrases.py from tests/sources/*.txt; rerun it, do not edit.",
        "# Every source line is classified (talk, table, checklist, MOT, tree, list, timeline, action,",
        "# step, heading, body) and reduced to its text; see the script's docstring for the rules.",
        "# Headers: '# == <chapter> / <group>'. Headings are in tests/source_headings.txt.",
    ]
    headings = [
        "# Source headings: each must map to a chapter, section, block, step, event or pending title.",
        "# GENERATED by tests/extract_phrases.py from tests/sources/*.txt; rerun it, do not edit.",
        "# Trailing ':' of a lead-in is dropped; see the script's docstring for the HEADING rules.",
    ]
    for name, path in SOURCES.items():
        ex = extract(name, path)
        groups: dict[str, list[str]] = {}
        for group, phrase in ex.phrases:
            if phrase not in groups.setdefault(group, []):
                groups[group].append(phrase)
        for group, items in groups.items():
            phrases.append(f"# == {name} / {group}")
            phrases.extend(items)
        headings.append(f"# == {name}")
        headings.extend(ex.headings)
    return "\n".join(phrases) + "\n", "\n".join(headings) + "\n"


def main() -> int:
    phrases, headings = render()
    PHRASES_FILE.write_text(phrases, encoding="utf-8")
    HEADINGS_FILE.write_text(headings, encoding="utf-8")
    print(f"wrote {PHRASES_FILE.name} ({phrases.count(chr(10))} lines), {HEADINGS_FILE.name} "
          f"({headings.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
