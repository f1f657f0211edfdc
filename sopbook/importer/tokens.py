"""Group a document's lines into the things they make together: a table pasted one cell per line,
an utterance that runs over several lines, a box diagram, a tree list, a checklist and its
confirmation. Each token keeps the numbers of the lines it covers; structure.py decides where it
goes in the chapter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sopbook.importer import lines as ln
from sopbook.importer.lines import Line
from sopbook.importer.tables import TableRows, read_table


@dataclass
class Token:
    lines: list[int]


@dataclass
class Heading(Token):
    level: str  # "title", "part" or "family:<word>" (原则, 陷阱...: one family per word)
    text: str


@dataclass
class CaseHead(Token):
    text: str


@dataclass
class StepHead(Token):
    style: str  # "step" (Step 1:) or "ordinal" (第一步:)
    label: str
    title: str
    minutes: int | None


@dataclass
class Plain(Token):
    text: str
    title_like: bool = False
    question: bool = False


@dataclass
class Labelled(Token):
    label: str
    text: str
    full: str
    title_like: bool = False


@dataclass
class LeadIn(Token):
    text: str  # without its colon
    full: str


@dataclass
class Bracket(Token):
    text: str


@dataclass
class EventLine(Token):
    text: str | None
    time: str | None = None
    time_label: str | None = None
    day: int | None = None  # None: the day of the event before
    day_label: str | None = None
    minutes: int | None = None
    relative: bool = False  # 3个月后, 【1年后】: the day is approximate


@dataclass
class Item:
    text: str
    lines: list[int]  # its own lines (an item may run over two)
    children: list[Item] = field(default_factory=list)


@dataclass
class ListRun(Token):
    items: list[Item]
    ordered: bool = False


@dataclass
class Outline(Token):
    """A tree list (├─ └─), with the plain lines it hangs from as its top items."""

    items: list[Item]


@dataclass
class Box(Token):
    """A box diagram: its content lines (borders removed), in sections split by its dividers."""

    sections: list[list[tuple[int, str]]]


@dataclass
class Table(Token):
    table: TableRows


@dataclass
class Checks(Token):
    items: list[tuple[int, str]]
    confirmation: dict[str, str] | None = None
    confirmation_line: int | None = None


@dataclass
class Utterance:
    speaker: str | None
    action: str | None
    text: str
    lines: list[int]


@dataclass
class Talk(Token):
    utterances: list[Utterance]


@dataclass
class NextLine(Token):
    text: str


@dataclass
class Unplaceable(Token):
    text: str


QUOTE_OPEN = "\"“"
TALK_START = re.compile(r"^(?:[-–]\s+)?(?:(?P<speaker>[^\"“”\[\]:【】「」]{1,12}?)\s*:\s*)?"
                        r"(?:\[(?P<action>[^\]]+)\]\s*)?[\"“](?P<rest>.*)$")
SPEAKER_ACTION = re.compile(r"^(?P<speaker>[^:\"“”\[\]【】]{1,8})\s*:\s*\[(?P<action>[^\]]+)\]$")
STAGE = re.compile(r"^\[(?P<action>[^\]]+)\]$")
AFTER_QUOTE_ACTION = re.compile(r"^\((?P<action>[^)]+)\)$")
MAX_SPAN = 60  # lines one utterance may run over; an unclosed quote beyond is a typo, not a speech


def _close(text: str) -> int:
    """Index of the quote that closes an utterance, or -1."""
    folded = ln.fold(text)
    return min((i for i in (folded.find('"'), folded.find("”")) if i >= 0), default=-1)


class Reader:
    def __init__(self, source: list[Line]):
        self.src = source
        self.i = 0
        self.out: list[Token] = []

    def peek(self, ahead: int = 0) -> Line | None:
        j = self.i + ahead
        return self.src[j] if j < len(self.src) else None

    # -- the whole document ---------------------------------------------------------------------
    def run(self) -> list[Token]:
        while self.i < len(self.src):
            line = self.src[self.i]
            if ln.unreadable(line.text):
                self.emit(Unplaceable([line.number], line.text))
                self.i += 1
            elif not any(isinstance(t, Heading) for t in self.out):
                self.emit(Heading([line.number], "title", line.text))
                self.i += 1
            else:
                self.one(line)
        return self.out

    def emit(self, token: Token) -> None:
        self.out.append(token)

    def one(self, line: Line) -> None:
        text = line.text
        if ln.match(ln.NEXT, text):
            self.emit(NextLine([line.number], text))
        elif ln.match(ln.BOX_TOP, text):
            self.box()
            return
        elif ln.starts(text, "|"):
            rows, self.i = read_table([(x.number, x.text) for x in self.src], self.i)
            self.emit(Table(rows.lines, rows))
            return
        elif ln.match(ln.CHECK, text):
            self.checks()
            return
        elif ln.match(ln.PART, text):
            self.emit(Heading([line.number], "part", text))
        elif ln.match(ln.PAREN, text) and len(text) <= 40:
            self.emit(Heading([line.number], "family:(n)", text))
        elif (m := ln.match(ln.STEP, text) or ln.match(ln.ORDINAL_STEP, text)) and len(text) <= 60:
            style = "ordinal" if text.startswith("第") else "step"
            minutes = int(m["minutes"]) if m["minutes"] else None
            self.emit(StepHead([line.number], style, m["label"], m["title"], minutes))
        elif (m := ln.match(ln.CASE, text)) and len(text) <= 40:
            self.emit(CaseHead([line.number], text))
        elif self.event(line):
            pass
        elif ln.match(ln.BRACKET, text):
            self.emit(Bracket([line.number], text))
        elif ln.match(ln.TREE, text) or text == "│":
            self.tree()
            return
        elif self.talk():
            return
        elif ((m := ln.match(ln.FAMILY, text)) and len(text) <= 40
              and not any(c in ln.fold(text) for c in "\"“”「")):
            self.emit(Heading([line.number], f"family:{m['word']}", text))
        elif self.list_run():
            return
        else:
            self.paragraph()
            return
        self.i += 1

    # -- timelines ------------------------------------------------------------------------------
    def event(self, line: Line) -> bool:
        text = line.text
        if m := ln.match(ln.DAY_MARK, text):
            time = ln.clock(int(m["h"]), int(m["m"]), None) if m["h"] else None
            self.emit(EventLine([line.number], m["text"] or None, time=time, day=int(m["day"]),
                                day_label=m["label"]))
            return True
        if m := ln.match(ln.RELATIVE, text):
            self.emit(EventLine([line.number], None, day=ln.relative_days(m["n"], m["unit"]),
                                day_label=m["label"], relative=True))
            return True
        if m := ln.match(ln.CLOCK, text):
            time = ln.clock(int(m["h"]), int(m["m"]), m["part"])
            if time is None:
                return False
            written = text[:m.start("text")].strip() if m["text"] else text
            body = m["text"] or None
            minutes = None
            if body and (suffix := ln.search(ln.MINUTES_SUFFIX, body)) and suffix.start() > 0:
                minutes = int(suffix["minutes"])
                body = body[:suffix.start()]
            day = 1 if m["day"] in ("次日", "翌日") else (0 if m["day"] else None)
            clock_written = written.removeprefix(m["day"] or "").strip()
            if m["eh"]:  # 9:00-9:30: the event lasts until the second time
                end = ln.clock(int(m["eh"]), int(m["em"]), m["part"])
                if end is not None and minutes is None:
                    span = ln.minutes(end) - ln.minutes(time)
                    minutes = span if span >= 0 else None
            self.emit(EventLine([line.number], body, time=time,
                                time_label=clock_written if m["part"] or m["eh"] else None, day=day,
                                day_label=m["day"], minutes=minutes))
            return True
        return False

    # -- boxes, trees, checklists ---------------------------------------------------------------
    def box(self) -> None:
        start = self.src[self.i]
        numbers = [start.number]
        sections: list[list[tuple[int, str]]] = [[]]
        self.i += 1
        while (line := self.peek()) is not None:
            text = line.text
            if not text.startswith(("│", "├", "└", "┃")):
                break  # a box left open: what follows is not inside it
            numbers.append(line.number)
            self.i += 1
            if ln.match(ln.BOX_BOTTOM, text):
                break
            if ln.match(ln.BOX_DIVIDER, text):
                sections.append([])
                continue
            content = text[1:] if text.startswith(("│", "┃")) else text
            content = content[:-1] if content.endswith(("│", "┃")) and len(content) > 1 else content
            content = content.strip()
            if content and not ln.match(ln.RULE, content):
                sections[-1].append((line.number, content))
        self.emit(Box(numbers, [s for s in sections if s]))

    def tree(self) -> None:
        entries: list[tuple[int, int, str, bool]] = []  # line, depth, text, was └
        numbers = []
        while (line := self.peek()) is not None:
            m = ln.match(ln.TREE, line.text)
            if m and m["text"]:
                entries.append((line.number, m["bars"].count("│"), m["text"], m["mark"].startswith("└")))
            elif not m and line.text != "│":
                break
            numbers.append(line.number)
            self.i += 1
        items = tree_items(entries)
        last = self.out[-1] if self.out else None
        # A plain line right above a tree is the item the tree hangs from (低级服务:完成任务 └─ ...).
        if isinstance(last, (Plain, Labelled)) and len(last.lines) == 1:
            self.out.pop()
            root = Item(last.text if isinstance(last, Plain) else last.full, list(last.lines), items)
            before = self.out[-1] if self.out else None
            if isinstance(before, Outline) and all(it.children for it in before.items):
                before.items.append(root)
                before.lines += last.lines + numbers
                return
            self.emit(Outline(last.lines + numbers, [root]))
            return
        self.emit(Outline(numbers, items))

    def checks(self) -> None:
        run: list[tuple[int, str]] = []
        while (line := self.peek()) is not None and (m := ln.match(ln.CHECK, line.text)):
            run.append((line.number, m["text"]))
            self.i += 1
        token = Checks([n for n, _ in run], run)
        number, last = run[-1]
        confirm = ln.match(ln.CONFIRM, last)
        if confirm and len(run) > 1:
            said, then = confirm["said"], confirm["then"]
            found = {"label": confirm["label"]}
            if ln.ends(said, "?"):
                found["question"] = said
                if then:
                    found["expected"] = then
            elif then:
                found["question"], found["expected"] = said, then
            else:
                found["expected"] = said
            token.confirmation, token.confirmation_line, token.items = found, number, run[:-1]
        elif ln.match(ln.SIGNED, last) and len(run) > 1:
            token.confirmation, token.confirmation_line, token.items = {"text": last}, number, run[:-1]
        self.emit(token)

    # -- talk -----------------------------------------------------------------------------------
    def talk(self) -> bool:
        """Consecutive utterances, stage directions and speaker lines: one talk track."""
        said: list[Utterance] = []
        while self.peek() is not None:
            utterance = self.utterance()
            if utterance is None:
                break
            said.append(utterance)
        if not said:
            return False
        self.emit(Talk([n for u in said for n in u.lines], said))
        return True

    def utterance(self) -> Utterance | None:
        line = self.peek()
        if line is None:
            return None
        if (m := ln.match(SPEAKER_ACTION, line.text)) or (m := ln.match(STAGE, line.text)):
            speaker = m.get("speaker")
            nxt = self.peek(1)
            if nxt is not None and ln.starts(nxt.text, *QUOTE_OPEN):
                save = self.i
                self.i += 1
                spoken = self.quoted(nxt, nxt.text[1:], None, None)
                if spoken is not None:
                    spoken.speaker, spoken.action = speaker, m["action"]
                    spoken.lines.insert(0, line.number)
                    return spoken
                self.i = save
            self.i += 1
            return Utterance(speaker, m["action"], "", [line.number])
        m = ln.match(TALK_START, line.text)
        if m is None:
            return None
        return self.quoted(line, m["rest"], m["speaker"], m["action"])

    def quoted(self, first: Line, rest: str, speaker: str | None, action: str | None) -> Utterance | None:
        """The utterance opened on `first`: to its closing quote, over several lines if need be."""
        parts, numbers = [], [first.number]
        current, j = rest, self.i
        while True:
            close = _close(current)
            if close >= 0:
                parts.append(current[:close])
                after = current[close + 1:].strip()
                break
            parts.append(current)
            j += 1
            if j >= len(self.src) or j - self.i > MAX_SPAN or ln.unreadable(self.src[j].text):
                return None
            current = self.src[j].text
            numbers.append(self.src[j].number)
        m = ln.match(AFTER_QUOTE_ACTION, after)
        if after and m is None:
            return None  # text after the quote: a sentence that quotes, not an utterance
        text = "\n".join(p.strip() for p in parts).strip()
        if not text:
            return None
        if m is not None:
            action = f"{action},{m['action']}" if action else m["action"]
        self.i = j + 1
        return Utterance(speaker.strip() if speaker else None, action, text, numbers)

    # -- lists and paragraphs -------------------------------------------------------------------
    def list_run(self) -> bool:
        items: list[Item] = []
        ordered = None
        while (line := self.peek()) is not None:
            text = line.text
            m = ln.match(ln.NUMBERED_ITEM, text)
            kind = True if m else None
            if m is None:
                m = (ln.match(ln.DASH_ITEM, text) or ln.match(ln.MARKED_ITEM, text)
                     or ln.match(ln.BULLET_ITEM, text))
                kind = False if m else None
            if m is None or kind is None:
                if items and ln.starts(text, "(") and not ln.lead_in(text):
                    items[-1].text += "\n" + text  # the item's own second line: (CLV从¥30万提升至¥80万)
                    items[-1].lines.append(line.number)
                    self.i += 1
                    continue
                break
            if ordered is not None and kind != ordered:
                break
            if ln.match(TALK_START, text) and not kind and self.talk_line_ahead():
                break
            ordered = kind
            items.append(Item(m["text"], [line.number]))
            self.i += 1
        if not items:
            return False
        self.emit(ListRun([n for item in items for n in item.lines], items, bool(ordered)))
        return True

    def talk_line_ahead(self) -> bool:
        save, out = self.i, len(self.out)
        found = self.utterance() is not None
        self.i = save
        del self.out[out:]
        return found

    def paragraph(self) -> None:
        line = self.src[self.i]
        text, numbers = line.text, [line.number]
        self.i += 1
        # 「...」 and (...) that run over lines belong to one paragraph.
        while (text.count("「") > text.count("」") and (nxt := self.peek()) is not None
               and len(numbers) < MAX_SPAN and not ln.unreadable(nxt.text)):
            text += "\n" + nxt.text
            numbers.append(nxt.number)
            self.i += 1
        if ln.lead_in(text) and "\n" not in text:
            self.emit(LeadIn(numbers, ln.without_colon(text), text))
            return
        m = ln.match(ln.LABELLED, text)
        if m and not ln.lead_in(text):
            value = m["text"]
            self.emit(Labelled(numbers, m["label"], value, text,
                               title_like="\n" not in text and ln.title_like(text)))
            return
        single = "\n" not in text
        self.emit(Plain(numbers, text, title_like=single and ln.title_like(text),
                        question=single and ln.question(text)))


def tree_items(entries: list[tuple[int, int, str, bool]]) -> list[Item]:
    """A tree from (line, depth, text, drawn with └) entries. Pasting loses the spaces that indent
    the children of a last item (└─), so an item at the depth of a └ item before it is its child."""
    top: list[Item] = []
    path: list[tuple[Item, bool]] = []  # the open item at each depth, and whether it was └
    for number, depth, text, last in entries:
        depth = min(depth, len(path))
        while depth < len(path) and path[depth][1]:
            depth += 1  # nothing follows a └ item at its own depth: this is its child
        item = Item(text, [number])
        del path[depth:]
        (path[-1][0].children if path else top).append(item)
        path.append((item, last))
    return top


def tokenize(source: list[Line]) -> list[Token]:
    return Reader(source).run()
