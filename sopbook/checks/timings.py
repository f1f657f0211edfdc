"""Timing checks: the minutes in a procedure, a timeline and the rules that govern them add up.

- a procedure's step minutes sum to the total it states;
- that total falls inside the KPI that governs it (交付时长 15-20分钟);
- timeline events run forwards, and an event's stated duration matches the gap to the next one;
- a summary table's restated duration agrees with the timeline it summarises;
- events tagged as a moment of truth happen inside that MOT's timing window;
- a recovery procedure's first deadline is no later than the segment's deadline it answers;
- follow-up days increase.
"""
from __future__ import annotations

from itertools import pairwise

from sopbook.checks._util import finding, fmt_clock, fmt_number
from sopbook.findings import Finding
from sopbook.model.nodes import Event, FollowUps, Kpi, Mot, Procedure, Segment, Timeline
from sopbook.model.project import Project, walk
from sopbook.model.quantities import minutes_of_day, parse_deadline_hours

MINUTES_PER_DAY = 24 * 60


def event_minute(event: Event) -> int | None:
    """Minutes since midnight of the timeline's first day, or None for an untimed event."""
    if event.time is None:
        return None
    return event.day * MINUTES_PER_DAY + minutes_of_day(event.time)


def _procedure(project: Project, chapter, proc: Procedure) -> list[Finding]:
    out: list[Finding] = []
    timed = [s.minutes for s in proc.steps if s.minutes is not None]
    if proc.total_minutes is not None and len(timed) == len(proc.steps) and proc.steps:
        total = sum(timed)
        if abs(total - proc.total_minutes) > 1e-9:
            parts = " + ".join(fmt_number(m) for m in timed)
            out.append(finding(
                "error", "timings.step-sum",
                f"procedure '{proc.title}': steps sum to {fmt_number(total)} minutes ({parts}), "
                f"but the procedure states {fmt_number(proc.total_minutes)}",
                proc, chapter, "correct a step's minutes or the stated total"))
    if proc.governed_by and proc.total_minutes is not None:
        entry = project.resolve(proc.governed_by, chapter)
        if entry is not None and isinstance(entry.node, Kpi):
            target = entry.node.target
            if target.unit and "分" not in target.unit:
                out.append(finding(
                    "warning", "timings.kpi-unit",
                    f"procedure '{proc.title}' is governed by KPI '{entry.node.name}' whose target "
                    f"'{target.text}' is not in minutes", proc, chapter))
            elif not target.contains(proc.total_minutes):
                out.append(finding(
                    "error", "timings.kpi-range",
                    f"procedure '{proc.title}' takes {fmt_number(proc.total_minutes)} minutes, outside "
                    f"the target {target.text} of KPI '{entry.node.name}'",
                    proc, chapter, "shorten the procedure or revisit the KPI"))
    if proc.responds_to:
        entry = project.resolve(proc.responds_to, chapter)
        first = next((s for s in proc.steps if s.deadline), None)
        if entry is not None and isinstance(entry.node, Segment) and first is not None and first.deadline:
            step_hours = parse_deadline_hours(first.deadline)
            segment_hours = parse_deadline_hours(entry.node.deadline)
            if step_hours > segment_hours:
                out.append(finding(
                    "error", "timings.deadline-mismatch",
                    f"procedure '{proc.title}' step '{first.title}' allows {first.deadline}, later than "
                    f"the {entry.node.deadline} that segment '{entry.node.label}' promises",
                    first, chapter, "make the deadlines agree", about=proc))
    return out


def _mot_windows(project: Project, chapter, timeline: Timeline) -> list[Finding]:
    out: list[Finding] = []
    anchors: dict[str, int] = {}
    for event in timeline.events:
        minute = event_minute(event)
        for mark in event.marks:
            if minute is not None:
                anchors.setdefault(mark, minute)
    checked: set[str] = set()
    for event in timeline.events:
        if not event.mot or event.mot in checked:
            continue
        checked.add(event.mot)
        entry = project.resolve(event.mot, chapter)
        if entry is None or not isinstance(entry.node, Mot) or entry.node.window is None:
            continue
        mot, window = entry.node, entry.node.window
        minute = event_minute(event)
        if minute is None:
            continue
        if window.anchor not in anchors:
            out.append(finding(
                "warning", "timings.mot-anchor", f"timeline '{timeline.title}' tags an event as {mot.title} "
                f"but has no '{window.anchor}' event with a clock time to measure its timing rule "
                f"({mot.timing}) from",
                event, chapter, f"add marks: [{window.anchor}] to the timed event it is measured from",
                about=timeline))
            continue
        offset = minute - anchors[window.anchor]
        if not (window.start - 1e-9 <= offset <= window.end + 1e-9):
            out.append(finding(
                "warning", "timings.mot-window",
                f"timeline '{timeline.title}': {mot.title} happens at {fmt_clock(minute)}, "
                f"{fmt_number(offset)} minutes from '{window.anchor}' ({fmt_clock(anchors[window.anchor])}); "
                f"its rule '{mot.timing}' allows {fmt_number(window.start)} to {fmt_number(window.end)}",
                event, chapter, "move the event or acknowledge that the case breaks the rule",
                about=timeline))
    return out


def _timeline(project: Project, chapter, timeline: Timeline) -> list[Finding]:
    out: list[Finding] = []
    timed = [(e, minute) for e in timeline.events if (minute := event_minute(e)) is not None]
    for (prev, prev_min), (nxt, next_min) in pairwise(timed):
        if next_min < prev_min:
            out.append(finding(
                "error", "timings.timeline-order",
                f"timeline '{timeline.title}' runs backwards: {fmt_clock(next_min)} is listed after "
                f"{fmt_clock(prev_min)}", nxt, chapter,
                "put the events in time order, or set day: for events on a later day", about=timeline))
        elif prev.minutes is not None and next_min - prev_min != prev.minutes:
            out.append(finding(
                "warning", "timings.event-duration",
                f"timeline '{timeline.title}': the event at {fmt_clock(prev_min)} states "
                f"{fmt_number(prev.minutes)} minutes, but the next event follows "
                f"{next_min - prev_min} minutes later at {fmt_clock(next_min)}", prev, chapter,
                "correct the stated duration or the next event's time", about=timeline))
    if timeline.stated_total_minutes is not None and len(timed) >= 2:
        span = timed[-1][1] - timed[0][1]
        if span != timeline.stated_total_minutes:
            where = f" in {timeline.stated_in}" if timeline.stated_in else ""
            out.append(finding(
                "error", "timings.timeline-total",
                f"timeline '{timeline.title}' runs {span} minutes ({fmt_clock(timed[0][1])}–"
                f"{fmt_clock(timed[-1][1])}), but{where} it is stated "
                f"as {fmt_number(timeline.stated_total_minutes)}",
                timeline, chapter, "the summary and the timeline must tell the same story"))
    out.extend(_mot_windows(project, chapter, timeline))
    return out


def _followups(chapter, block: FollowUps) -> list[Finding]:
    days = [e.day for e in block.entries]
    if days != sorted(days):
        return [finding("error", "timings.followup-order",
                        f"follow-up days are not in order: {', '.join(map(str, days))}", block, chapter,
                        "list follow-ups by day")]
    return []


def check(project: Project) -> list[Finding]:
    out: list[Finding] = []
    for chapter in project.chapters:
        for node, _parents in walk(chapter):
            if isinstance(node, Procedure):
                out.extend(_procedure(project, chapter, node))
            elif isinstance(node, Timeline):
                out.extend(_timeline(project, chapter, node))
            elif isinstance(node, FollowUps):
                out.extend(_followups(chapter, node))
    return out
