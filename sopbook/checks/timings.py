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
from sopbook.i18n import N_
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
                N_("procedure '{title}': steps sum to {sum} minutes ({parts}), "
                   "but the procedure states {stated}"),
                proc, chapter, N_("correct a step's minutes or the stated total"),
                params={"title": proc.title, "sum": fmt_number(total), "parts": parts,
                        "stated": fmt_number(proc.total_minutes)}))
    if proc.governed_by and proc.total_minutes is not None:
        entry = project.resolve(proc.governed_by, chapter)
        if entry is not None and isinstance(entry.node, Kpi):
            target = entry.node.target
            if target.unit and "分" not in target.unit:
                out.append(finding(
                    "warning", "timings.kpi-unit",
                    N_("procedure '{title}' is governed by KPI '{kpi}' whose target "
                       "'{target}' is not in minutes"), proc, chapter,
                    params={"title": proc.title, "kpi": entry.node.name, "target": target.text}))
            elif not target.contains(proc.total_minutes):
                out.append(finding(
                    "error", "timings.kpi-range",
                    N_("procedure '{title}' takes {minutes} minutes, outside "
                       "the target {target} of KPI '{kpi}'"),
                    proc, chapter, N_("shorten the procedure or revisit the KPI"),
                    params={"title": proc.title, "minutes": fmt_number(proc.total_minutes),
                            "target": target.text, "kpi": entry.node.name}))
    if proc.responds_to:
        entry = project.resolve(proc.responds_to, chapter)
        first = next((s for s in proc.steps if s.deadline), None)
        if entry is not None and isinstance(entry.node, Segment) and first is not None and first.deadline:
            step_hours = parse_deadline_hours(first.deadline)
            segment_hours = parse_deadline_hours(entry.node.deadline)
            if step_hours > segment_hours:
                out.append(finding(
                    "error", "timings.deadline-mismatch",
                    N_("procedure '{title}' step '{step}' allows {deadline}, later than "
                       "the {promised} that segment '{segment}' promises"),
                    first, chapter, N_("make the deadlines agree"), about=proc,
                    params={"title": proc.title, "step": first.title, "deadline": first.deadline,
                            "promised": entry.node.deadline, "segment": entry.node.label}))
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
                "warning", "timings.mot-anchor",
                N_("timeline '{title}' tags an event as {mot} but has no '{anchor}' event with a "
                   "clock time to measure its timing rule ({rule}) from"),
                event, chapter, N_("add marks: [{anchor}] to the timed event it is measured from"),
                about=timeline,
                params={"title": timeline.title, "mot": mot.title, "anchor": window.anchor,
                        "rule": mot.timing}))
            continue
        offset = minute - anchors[window.anchor]
        if not (window.start - 1e-9 <= offset <= window.end + 1e-9):
            out.append(finding(
                "warning", "timings.mot-window",
                N_("timeline '{title}': {mot} happens at {at}, {offset} minutes from '{anchor}' "
                   "({anchor_at}); its rule '{rule}' allows {start} to {end}"),
                event, chapter, N_("move the event or acknowledge that the case breaks the rule"),
                about=timeline,
                params={"title": timeline.title, "mot": mot.title, "at": fmt_clock(minute),
                        "offset": fmt_number(offset), "anchor": window.anchor,
                        "anchor_at": fmt_clock(anchors[window.anchor]), "rule": mot.timing,
                        "start": fmt_number(window.start), "end": fmt_number(window.end)}))
    return out


def _timeline(project: Project, chapter, timeline: Timeline) -> list[Finding]:
    out: list[Finding] = []
    timed = [(e, minute) for e in timeline.events if (minute := event_minute(e)) is not None]
    for (prev, prev_min), (nxt, next_min) in pairwise(timed):
        if next_min < prev_min:
            out.append(finding(
                "error", "timings.timeline-order",
                N_("timeline '{title}' runs backwards: {at} is listed after {before}"), nxt, chapter,
                N_("put the events in time order, or set day: for events on a later day"), about=timeline,
                params={"title": timeline.title, "at": fmt_clock(next_min),
                        "before": fmt_clock(prev_min)}))
        elif prev.minutes is not None and next_min - prev_min != prev.minutes:
            out.append(finding(
                "warning", "timings.event-duration",
                N_("timeline '{title}': the event at {at} states {minutes} minutes, but the next event "
                   "follows {gap} minutes later at {next_at}"), prev, chapter,
                N_("correct the stated duration or the next event's time"), about=timeline,
                params={"title": timeline.title, "at": fmt_clock(prev_min),
                        "minutes": fmt_number(prev.minutes), "gap": next_min - prev_min,
                        "next_at": fmt_clock(next_min)}))
    if timeline.stated_total_minutes is not None and len(timed) >= 2:
        span = timed[-1][1] - timed[0][1]
        if span != timeline.stated_total_minutes:
            message = (N_("timeline '{title}' runs {span} minutes ({start}–{end}), but in {stated_in} "
                          "it is stated as {stated}") if timeline.stated_in else
                       N_("timeline '{title}' runs {span} minutes ({start}–{end}), but it is stated "
                          "as {stated}"))
            out.append(finding(
                "error", "timings.timeline-total", message,
                timeline, chapter, N_("the summary and the timeline must tell the same story"),
                params={"title": timeline.title, "span": span, "start": fmt_clock(timed[0][1]),
                        "end": fmt_clock(timed[-1][1]), "stated_in": timeline.stated_in or "",
                        "stated": fmt_number(timeline.stated_total_minutes)}))
    out.extend(_mot_windows(project, chapter, timeline))
    return out


def _followups(chapter, block: FollowUps) -> list[Finding]:
    days = [e.day for e in block.entries]
    if days != sorted(days):
        return [finding("error", "timings.followup-order",
                        N_("follow-up days are not in order: {days}"), block, chapter,
                        N_("list follow-ups by day"), params={"days": ", ".join(map(str, days))})]
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
