"""Tokens into a chapter: sections from the headings, and each block in the place that holds it.

Headings nest by their style, as reStructuredText nests its adornments: 一、 parts are the top;
a numbered family (原则1:, 陷阱1:, 层次1:) opens one level under the heading it first follows and
every later heading of that family is its sibling; a standalone heading and a lead-in heading
nest under the heading before them in the same way. A case (案例:) is a block of the section it is
in; Step n: and 第一步: lines are the steps of a procedure, nested when the styles differ; clock
lines (9:00, 【Day 1,10:00】, 3个月后:) are the events of a timeline.

A line that ends with a colon names what follows it: the table, list, talk, checklist, timeline or
procedure right after it takes it as its title; before a paragraph it is the paragraph's label;
before another heading it is a heading whose body the source leaves empty (pending).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from sopbook.i18n import N_, Said
from sopbook.importer import blocks as bk
from sopbook.importer import lines as ln
from sopbook.importer import tokens as tk
from sopbook.importer.draft import Node, Note, Value

STRUCTURES = (tk.Table, tk.ListRun, tk.Outline, tk.Box, tk.Checks, tk.Talk)
FLOWING = (tk.Plain, tk.Labelled, tk.EventLine, tk.Talk, tk.Bracket, tk.LeadIn, tk.NextLine)
MINUTES_IN_TITLE = re.compile(r"(\d{1,4})\s*分钟")  # in folded text
DATE = re.compile(r"^\d{4}年\d{1,2}月")
RESULTS_WORD = "结果"
BACKGROUND_WORD = "背景"
PEAK_WORD = "峰值"
FOLLOW_UP = re.compile(r"^(?P<day>\d{1,4})\s*天后")
TITLE_FROM_HEADING = Said(N_("title: the heading above (the source gives this block no title of its own)"))


class Builder:
    def __init__(self, tokens: list[tk.Token]):
        self.tokens = tokens
        self.k = 0
        self.chapter = Node("chapter", {})
        # Open headings, outermost first: (style, section).
        self.sections: list[tuple[str, Node]] = []
        # Open containers under the innermost section, outermost first: case, procedure, step,
        # timeline, event.
        self.open: list[Node] = []
        self.last_prose: Node | None = None  # a paragraph that a line ending in a comma continues
        self.unplaced: list[tuple[int, str]] = []
        self.given: tuple[str, list[int], str] | None = None  # a title for the next token
        self.heading_at = -1  # the last token that opened a section or a pending heading

    # -- where things go ------------------------------------------------------------------------
    def peek(self, ahead: int = 1) -> tk.Token | None:
        j = self.k + ahead
        return self.tokens[j] if 0 <= j < len(self.tokens) else None

    def innermost(self, *kinds: str) -> Node | None:
        return next((n for n in reversed(self.open) if n.kind in kinds), None)

    def section(self) -> Node:
        if not self.sections:
            # Text before the first heading beyond the lead: a section under the chapter's own title.
            title = self.chapter.text("title") or ""
            node = Node("section", {"title": title},
                        comments=[Said(N_("title: the chapter's (the source has text before its first "
                                          "heading)"))])
            self.chapter.items("sections").append(node)
            self.sections.append(("preface", node))
        return self.sections[-1][1]

    def target(self) -> list[Value]:
        for node in reversed(self.open):
            if node.kind in ("event", "step", "case"):
                return node.items("blocks")
        return self.section().items("blocks")

    def add(self, node: Node) -> Node:
        self.target().append(node)
        self.last_prose = None
        return node

    def context_title(self) -> str:
        """The nearest heading's title, for a block the source gives no title of its own."""
        for node in reversed(self.open):
            if node.kind in ("case", "step") and node.text("title"):
                return node.text("title") or ""
        return self.section().text("title") or ""

    def in_sections(self) -> bool:
        """Outside any case, procedure and timeline: a heading here opens a section."""
        return not self.open

    def close(self, *kinds: str) -> None:
        """Close the innermost open container of one of `kinds` and everything inside it."""
        for at in range(len(self.open) - 1, -1, -1):
            if self.open[at].kind in kinds:
                del self.open[at:]
                return

    # -- the whole chapter ----------------------------------------------------------------------
    def run(self) -> Node:
        while self.k < len(self.tokens):
            token = self.tokens[self.k]
            self.dispatch(token)
            self.k += 1
        return self.chapter

    def dispatch(self, token: tk.Token) -> None:
        handlers: dict[type, Callable] = {
            tk.Heading: self.heading, tk.CaseHead: self.case, tk.StepHead: self.step,
            tk.EventLine: self.event, tk.LeadIn: self.lead_in, tk.Plain: self.plain,
            tk.Labelled: self.labelled, tk.Bracket: self.bracket, tk.Talk: self.talk,
            tk.ListRun: self.list_run, tk.Outline: self.outline, tk.Box: self.box, tk.Table: self.table,
            tk.Checks: self.checks, tk.NextLine: self.next_line, tk.Unplaceable: self.unplaceable,
        }
        handlers[type(token)](token)

    # -- headings -------------------------------------------------------------------------------
    def heading(self, token: tk.Heading) -> None:
        if token.level == "title":
            self.chapter["title"] = token.text
            self.chapter.lines += token.lines
            self.lead()
            return
        self.open_section(token.level, token.text, token.lines)

    def lead(self) -> None:
        nxt = self.peek()
        if isinstance(nxt, tk.Labelled) and not nxt.title_like:
            self.chapter["lead"] = Node("prose", {"label": nxt.label, "text": nxt.text}, lines=nxt.lines)
            self.k += 1
        elif isinstance(nxt, tk.Plain) and not (nxt.title_like or nxt.question):
            self.chapter["lead"] = Node("prose", {"text": nxt.text}, lines=nxt.lines)
            self.k += 1

    def open_section(self, style: str, title: str, lines: list[int]) -> Node:
        self.open.clear()
        self.last_prose = None
        styles = [s for s, _ in self.sections]
        if style == "part":
            self.sections.clear()
        elif style in styles:
            del self.sections[styles.index(style):]
        node = Node("section", {"title": title}, lines=list(lines))
        self.heading_at = self.k
        parent = self.sections[-1][1].items("sections") if self.sections else self.chapter.items("sections")
        parent.append(node)
        self.sections.append((style, node))
        return node

    def heading_ahead(self, token: tk.Token | None) -> bool:
        """A heading of any style: what ends the body of the line before it."""
        if token is None:
            return False
        if isinstance(token, (tk.Heading, tk.CaseHead, tk.NextLine, tk.LeadIn, tk.StepHead)):
            return True
        if isinstance(token, tk.Plain):
            return token.title_like or token.question
        return isinstance(token, tk.Labelled) and token.title_like

    def stands_as_heading(self, token: tk.Plain | tk.Labelled) -> bool:
        """A short line without sentence punctuation is a heading unless it sits inside running
        text: after a paragraph, and with a paragraph (or nothing) after it."""
        before, after = self.peek(-1), self.peek()
        after_heading = self.heading_at == self.k - 1
        inside_text = isinstance(before, FLOWING) and not after_heading and not self.heading_ahead(after)
        return not inside_text

    def section_ends(self, token: tk.Token | None) -> bool:
        """What ends a heading's body at the level of sections (a pending heading before it)."""
        if token is None or isinstance(token, (tk.CaseHead, tk.NextLine)):
            return True
        if isinstance(token, tk.Heading):
            return True
        if isinstance(token, tk.StepHead):
            return any(n.kind == "procedure" and n.get("style") == token.style for n in self.open)
        return False

    def pending(self, title: str, lines: list[int]) -> None:
        self.add(bk.block("pending", lines, title=title))
        self.heading_at = self.k

    # -- cases ----------------------------------------------------------------------------------
    def case(self, token: tk.CaseHead) -> None:
        self.open.clear()
        node = self.add(bk.block("case", token.lines, title=token.text))
        self.open.append(node)
        background: list[str] = []
        lines: list[int] = []
        while isinstance(nxt := self.peek(), (tk.Plain, tk.Labelled, tk.LeadIn)):
            if isinstance(nxt, tk.LeadIn):
                if nxt.text != BACKGROUND_WORD or background:
                    break
                lines += nxt.lines
            elif isinstance(nxt, tk.Labelled) and nxt.label == BACKGROUND_WORD and not background:
                background.append(nxt.text)
                lines += nxt.lines
            else:
                text = nxt.full if isinstance(nxt, tk.Labelled) else nxt.text
                if not background and "when" not in node and ln.match(DATE, text) and ln.title_like(text):
                    node["when"] = text
                    node.lines += nxt.lines
                    self.k += 1
                    continue
                background.append(text)
                lines += nxt.lines
            self.k += 1
        if background:
            node["background"] = "\n".join(background)
            node.lines += lines
            if "when" not in node and (m := ln.match(DATE, background[0])):
                node["when"] = m.group()

    # -- procedures -----------------------------------------------------------------------------
    def step(self, token: tk.StepHead) -> None:
        procedure = next((n for n in reversed(self.open)
                          if n.kind == "procedure" and n.get("style") == token.style), None)
        if procedure is None:
            self.close("timeline")
            title, lines = self.take_title()
            stated_from = title
            if title is None:
                title = self.context_title()
                stated_from = title
            procedure = self.add(bk.block("procedure", lines, title=title))
            if lines == []:
                procedure.comments.append(TITLE_FROM_HEADING)
            procedure["style"] = token.style  # dropped when written
            found = MINUTES_IN_TITLE.findall(ln.fold(stated_from or ""))
            if len(found) == 1:
                procedure["total_minutes"] = int(found[0])
            self.open.append(procedure)
        else:
            del self.open[self.open.index(procedure) + 1:]
        step = Node("step", {"label": token.label, "title": token.title}, lines=list(token.lines))
        if token.minutes is not None:
            step["minutes"] = token.minutes
        if (m := ln.match(ln.DEADLINE_PREFIX, token.title)):
            step["deadline"] = m.group(1)
        procedure.items("steps").append(step)
        self.open.append(step)

    # -- timelines ------------------------------------------------------------------------------
    def event_minute(self, token: tk.EventLine, timeline: Node | None) -> int | None:
        if token.time is None or token.relative:
            return None
        day = token.day if token.day is not None else self.last_day(timeline)
        hour, minute = token.time.split(":")
        return day * 1440 + int(hour) * 60 + int(minute)

    def last_day(self, timeline: Node | None) -> int:
        for event in reversed(timeline.nodes("events") if timeline else []):
            day = event.get("day")
            if isinstance(day, int):
                return day
        return 0

    def last_minute(self, timeline: Node) -> int | None:
        for event in reversed(timeline.nodes("events")):
            minute = event.get("minute")
            if isinstance(minute, int):
                return minute
        return None

    def runs_on(self, token: tk.EventLine) -> bool:
        """Whether this event continues the open timeline (it does not go back in time)."""
        timeline = self.innermost("timeline")
        if timeline is None:
            return False
        minute, last = self.event_minute(token, timeline), self.last_minute(timeline)
        return minute is None or last is None or minute >= last

    def titles_events(self, at: int) -> bool:
        """Whether, in the timeline that starts with the event at `at`, a later event also has a
        line ending in a colon right before it (MOT 2 - 到达前通知:): then such lines title events."""
        last: int | None = None
        day = 0
        for j in range(at, len(self.tokens)):
            token = self.tokens[j]
            if isinstance(token, (tk.Heading, tk.CaseHead, tk.NextLine, tk.StepHead)):
                return False
            if isinstance(token, tk.EventLine):
                if token.day is not None:
                    day = token.day
                minute = None
                if token.time is not None and not token.relative:
                    hour, mins = token.time.split(":")
                    minute = day * 1440 + int(hour) * 60 + int(mins)
                if minute is not None and last is not None and minute < last:
                    return False  # a new timeline
                if j > at and isinstance(self.tokens[j - 1], tk.LeadIn):
                    return True
                last = minute if minute is not None else last
        return False

    def event(self, token: tk.EventLine, title: str | None = None, title_lines: list[int] | None = None,
              new_timeline: bool = False) -> None:
        timeline = None if new_timeline else self.innermost("timeline")
        if timeline is not None:
            del self.open[self.open.index(timeline) + 1:]
        else:
            self.close("timeline")
            own, lines = (title, title_lines or []) if new_timeline and title else self.take_title()
            if new_timeline:
                title = None
            timeline = self.add(bk.block("timeline", lines, title=own or self.context_title()))
            if own is None:
                timeline.comments.append(TITLE_FROM_HEADING)
            self.open.append(timeline)
        event = Node("event", {}, lines=list(token.lines))
        if title:
            event["title"] = title
            event.lines += title_lines or []
        day = token.day if token.day is not None else self.last_day(timeline)
        if day or token.day is not None:
            event["day"] = day
        if token.day_label:
            event["day_label"] = token.day_label
        if token.time:
            event["time"] = token.time
        if token.time_label:
            event["time_label"] = token.time_label
        minute = self.event_minute(token, timeline)
        if minute is not None:
            event["minute"] = minute  # dropped when written: orders the next event
        text = token.text
        if text is None:
            parts: list[str] = []
            takes = (tk.Plain, tk.LeadIn, tk.Labelled) if token.time is not None else (tk.Plain, tk.Labelled)
            while isinstance(nxt := self.peek(), takes):
                part = nxt.full if isinstance(nxt, (tk.LeadIn, tk.Labelled)) else nxt.text
                parts.append(part)
                event.lines += nxt.lines
                self.k += 1
                if token.time is not None or isinstance(nxt, tk.LeadIn):
                    break  # a clock line's text is the one line after it
            text = "\n".join(parts) or token.day_label or token.time_label or token.time or ""
        event["text"] = text
        if token.minutes is not None:
            event["minutes"] = token.minutes
        if token.relative:
            event.comments.append(Said(N_("day {day}: {label} counted as 30 days a month, 365 a year"),
                                       {"day": day, "label": token.day_label}))
        timeline.items("events").append(event)
        self.open.append(event)

    # -- titles ---------------------------------------------------------------------------------
    def take_title(self) -> tuple[str | None, list[int]]:
        """The title a lead-in, bracket or heading line just before this token gave it."""
        given, self.given = self.given, None
        return (given[0], given[1]) if given else (None, [])

    def titled(self, token: tk.Token, title: str, lines: list[int], full: str | None = None) -> None:
        """Handle the next token with `title` as its title (`full`: the line as written)."""
        self.given = (title, list(lines), full or title)
        self.k += 1
        self.dispatch(token)
        self.given = None

    # -- lines ending with a colon, headings without one, brackets ------------------------------
    def lead_in(self, token: tk.LeadIn) -> None:
        nxt = self.peek()
        case = self.innermost("case")
        if (case is not None and token.text == RESULTS_WORD and isinstance(nxt, tk.ListRun)
                and "results" not in case):
            del self.open[self.open.index(case) + 1:]
            case["results"] = [it.text for it in nxt.items]
            case.lines += token.lines + nxt.lines
            self.k += 1
            return
        if len(token.text) <= ln.BLOCK_TITLE_MAX:
            if isinstance(nxt, STRUCTURES):
                self.titled(nxt, token.text, token.lines, token.full)
                return
            if isinstance(nxt, tk.EventLine):
                self.k += 1
                if self.innermost("timeline") is not None and self.runs_on(nxt):
                    self.event(nxt, token.text, token.lines)
                elif self.titles_events(self.k):
                    # The source puts such a line before each event: this one titles the first.
                    self.close("timeline")
                    self.event(nxt, token.text, token.lines)
                else:
                    self.event(nxt, token.text, token.lines, new_timeline=True)
                return
            if isinstance(nxt, tk.StepHead):
                if self.section_ends(nxt):
                    self.pending(token.text, token.lines)
                else:
                    self.titled(nxt, token.text, token.lines)
                return
        if isinstance(nxt, tk.Plain) and not (nxt.title_like and self.stands_as_heading_at(self.k + 1)) \
                and ln.short_label(token.text):
            parts, lines = [], list(token.lines)
            while isinstance(nxt := self.peek(), tk.Plain):
                parts.append(nxt.text)
                lines += nxt.lines
                self.k += 1
                if not ln.continues(nxt.text):
                    break
            self.last_prose = self.add(bk.block("prose", lines, label=token.text, text="\n".join(parts)))
            return
        new_family = (isinstance(nxt, tk.Heading) and nxt.level.startswith("family:")
                      and nxt.level not in [s for s, _ in self.sections])
        subsection = (isinstance(nxt, tk.LeadIn) or new_family
                      or (isinstance(nxt, (tk.Plain, tk.Labelled)) and self.heading_ahead(nxt)))
        if subsection and self.in_sections() and len(token.text) <= ln.BLOCK_TITLE_MAX:
            self.open_section("leadin", token.text, token.lines)
            return
        if self.section_ends(nxt) and len(token.text) <= ln.BLOCK_TITLE_MAX:
            self.pending(token.text, token.lines)
            return
        self.prose(token.full, token.lines)

    def stands_as_heading_at(self, at: int) -> bool:
        save = self.k
        self.k = at
        token = self.tokens[at]
        found = isinstance(token, (tk.Plain, tk.Labelled)) and self.stands_as_heading(token)
        self.k = save
        return found

    def plain(self, token: tk.Plain) -> None:
        nxt = self.peek()
        heading_like = token.title_like or token.question
        if heading_like and isinstance(nxt, STRUCTURES) and not isinstance(nxt, tk.Box):
            self.titled(nxt, token.text, token.lines)
            return
        if (token.title_like or token.question) and self.stands_as_heading(token):
            self.short_heading(token.text, token.lines, token.question)
            return
        self.prose(token.text, token.lines)

    def short_heading(self, text: str, lines: list[int], is_question: bool) -> None:
        nxt = self.peek()
        if isinstance(nxt, STRUCTURES) and not isinstance(nxt, tk.Box):
            self.titled(nxt, text, lines)
            return
        if isinstance(nxt, tk.EventLine) and self.innermost("timeline") is None:
            self.titled(nxt, text, lines)
            return
        if self.innermost("procedure") is None:
            self.open_section("standalone", text, lines)
            return
        if is_question or self.heading_ahead(nxt) or nxt is None:
            self.pending(text, lines)
            return
        self.prose(text, lines)

    def labelled(self, token: tk.Labelled) -> None:
        case = self.innermost("case")
        if case is not None and token.label == BACKGROUND_WORD and "background" not in case:
            case["background"] = token.text
            case.lines += token.lines
            return
        if token.title_like and "?" not in ln.fold(token.text) and self.in_sections() \
                and self.stands_as_heading(token):
            self.short_heading(token.full, token.lines, False)
            return
        self.last_prose = self.add(bk.block("prose", token.lines, label=token.label, text=token.text))
        self.calculation(token.full, token.lines)

    def prose(self, text: str, lines: list[int]) -> None:
        previous = self.last_prose
        if previous is not None and "label" not in previous and ln.continues(str(previous.get("text"))):
            previous["text"] = f"{previous.get('text')}\n{text}"
            previous.lines += lines
        else:
            self.add(bk.block("prose", lines, text=text))
            self.last_prose = self.target()[-1]  # type: ignore[assignment]
        self.calculation(text, lines)
        if not ln.continues(text):
            self.last_prose = None

    def calculation(self, text: str, lines: list[int]) -> None:
        calc = bk.calculation_block(text, lines)
        if calc is not None:
            keep = self.last_prose
            self.add(calc)
            self.last_prose = keep

    def bracket(self, token: tk.Bracket) -> None:
        event = self.open[-1] if self.open and self.open[-1].kind == "event" else None
        if event is not None and PEAK_WORD in token.text and "peak" not in event:
            event["peak"] = token.text
            event.lines += token.lines
            return
        nxt = self.peek()
        if isinstance(nxt, STRUCTURES) and not isinstance(nxt, tk.Box):
            self.titled(nxt, token.text, token.lines)
            return
        if event is not None:
            self.event(tk.EventLine(token.lines, token.text))
            return
        self.prose(token.text, token.lines)

    # -- blocks ---------------------------------------------------------------------------------
    def talk(self, token: tk.Talk) -> None:
        title, lines = self.take_title()
        node = self.add(bk.talk_block(token, title))
        node.lines += lines

    def list_run(self, token: tk.ListRun) -> None:
        title, lines = self.take_title()
        step = self.open[-1] if self.open and self.open[-1].kind == "step" else None
        if step is not None and title is None and not token.ordered:
            step.items("actions").extend(it.text for it in token.items)
            step.lines += token.lines
            return
        node = self.add(bk.list_block(token.items, token.lines, title, token.ordered))
        node.lines += lines
        for item in token.items:
            self.calculation(item.text, item.lines)

    def outline(self, token: tk.Outline) -> None:
        title, lines = self.take_title()
        step = self.open[-1] if self.open and self.open[-1].kind == "step" else None
        if step is not None and title is None:
            self.step_outline(step, token)
            return
        self.leave_timeline()
        node = self.add(bk.outline_block(token.items, token.lines, title))
        node.lines += lines
        for item in bk.flatten(token.items):
            self.calculation(item.text, item.lines)

    def step_outline(self, step: Node, token: tk.Outline) -> None:
        """A step's ├─ lines are its actions, its 【关键】 line its key, dated lines its follow-ups."""
        items = bk.flatten(token.items)
        key = [it for it in items if ln.match(ln.KEY_LINE, it.text)]
        rest = [it for it in items if it not in key]
        if len(key) == 1 and "key" not in step:
            m = ln.match(ln.KEY_LINE, key[0].text)
            assert m is not None
            step["key"] = m["text"]
            step.lines += key[0].lines
        else:
            rest = items
        dated = [(m, it) for it in rest if (m := ln.match(FOLLOW_UP, it.text))]
        if rest and len(dated) == len(rest):
            entries: list[Value] = [Node("followup", {"day": int(m.group("day")), "text": it.text},
                                         lines=list(it.lines)) for m, it in dated]
            step.items("blocks").append(bk.block("followups", [], entries=entries))
        else:
            step.items("actions").extend(it.text for it in rest)
            step.lines += [n for it in rest for n in it.lines]
        step.lines += [n for n in token.lines if n not in bk.item_lines(items)]

    def leave_timeline(self) -> None:
        """A table, box, checklist or tree list after a timeline's events is no longer one of them."""
        self.close("timeline")

    def box(self, token: tk.Box) -> None:
        self.leave_timeline()
        full = self.given[2] if self.given else None
        title, lines = self.take_title()
        node, header = bk.box_block(token, title)
        if header is not None and title is not None:
            self.prose(full or title, lines)  # the box names itself; the line before it stays a paragraph
            lines = []
        self.add(node)
        node.lines += lines

    def table(self, token: tk.Table) -> None:
        self.leave_timeline()
        title, lines = self.take_title()
        node = self.add(bk.table_block(token.table, title))
        node.lines += lines

    def checks(self, token: tk.Checks) -> None:
        self.leave_timeline()
        title, lines = self.take_title()
        node = self.add(bk.checks_block(token, title or self.context_title()))
        if title is None:
            node.comments.append(TITLE_FROM_HEADING)
        node.lines += lines

    def next_line(self, token: tk.NextLine) -> None:
        if "next_text" in self.chapter:
            self.prose(token.text, token.lines)
            return
        self.chapter["next_text"] = token.text
        self.chapter.lines += token.lines

    def unplaceable(self, token: tk.Unplaceable) -> None:
        self.unplaced += [(n, token.text) for n in token.lines]
        said = Said(N_("line {line} not placed: it holds a control character"), {"line": token.lines[0]})
        if "title" not in self.chapter:
            self.chapter.comments.append(said)  # before the title: at the top of the file
        else:
            self.target().append(Note(said))


def build(tokens: list[tk.Token]) -> tuple[Node, list[tuple[int, str]]]:
    builder = Builder(tokens)
    chapter = builder.run()
    return chapter, builder.unplaced
