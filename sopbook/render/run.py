"""What run mode needs to walk a procedure or checklist step by step on a phone (web pages only).

The page carries it as an inert JSON island beside the block; run.js reads it and never the
rendered HTML. The island's hash keys the run's saved state in the browser, so a changed
procedure starts afresh instead of resuming a run of steps that no longer exist. The island
also carries run mode's own words in the page's language (`words`, left out of the hash: the
same procedure in another language resumes the same run); run.js fills their `{name}`
placeholders and sets them as text.
"""
from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup, escape

from sopbook import i18n
from sopbook._util.digest import digest
from sopbook.i18n import N_
from sopbook.model.nodes import Checklist, Kpi, Procedure, Step
from sopbook.render import addresses

# Units a KPI target may state a duration in: only these give the run a window in minutes.
_MINUTE_UNITS = {"分钟", "分", "min", "mins", "minutes", "分鐘"}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Inside <script> the HTML parser ends the island at "</script" and treats "<!--" specially:
# with <, > and & escaped no content can end it or open anything.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                ord("\u2028"): "\\u2028", ord("\u2029"): "\\u2029"}


# What run mode says, by the name run.js asks for (sopbook/web/assets/run.js).
WORDS: dict[str, str] = {
    "minutes": N_("{minutes} min"),
    "over_kpi": N_("over {kpi}"),
    "under_kpi": N_("under {kpi}"),
    "meets_kpi": N_("meets {kpi}"),
    "over_plan": N_("over the planned {minutes}"),
    "within_plan": N_("within the planned {minutes}"),
    "record": N_("{title} run record"),
    "record_step": N_("{step}: {time}"),
    "record_step_plan": N_("{step}: {time} / planned {planned}"),
    "record_step_over": N_("{step}: {time} / planned {planned} over time"),
    "total_time": N_("Total time {time}"),
    "total_time_verdict": N_("Total time {time}, {verdict}"),
    "unticked_lines": N_("{count} not ticked:"),
    "unticked_heading": N_("{count} not ticked"),
    "unticked_item": N_("{list}: {item}"),
    "all_ticked": N_("All ticked"),
    "close": N_("Close"),
    "position": N_("Step {n} of {count}"),
    "position_paused": N_("Step {n} of {count} · paused"),
    "over": N_("Over time"),
    "this_step": N_("This step"),
    "total": N_("Total {time}"),
    "total_plan": N_("Total {time} / {planned}"),
    "deadline": N_("Deadline: {deadline}"),
    "key": N_("Key: {key}"),
    "back": N_("Back"),
    "pause": N_("Pause"),
    "resume": N_("Resume"),
    "next": N_("Next"),
    "finish": N_("Finish"),
    "summary": N_("Run summary"),
    "col_step": N_("Step"),
    "col_spent": N_("Time taken"),
    "col_plan": N_("Plan"),
    "spent_over": N_("{time} over time"),
    "restart": N_("Start again"),
    "copy": N_("Copy"),
    "copied": N_("Copied: paste it into the service record"),
    "copy_failed": N_("Cannot copy: press and hold the text above to select it"),
    "confirm": N_("Confirm"),  # a confirmation line whose source names no one
}


def words(lang: str) -> dict[str, str]:
    """Run mode's words in `lang`, placeholders unfilled (run.js fills them)."""
    return {name: i18n.gettext(msgid, lang) for name, msgid in WORDS.items()}


def plain(text: object) -> str:
    """The text as a reader sees it: the source's **bold** without its markers."""
    return _BOLD.sub(r"\1", str(text))


def num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _confirmation(c) -> dict[str, str] | None:
    if c is None:
        return None
    return {"label": c.label, "question": c.question or "", "expected": c.expected or "",
            "text": c.text or ""}


def _list(c: Checklist, title: str, items, confirmation=None) -> dict[str, Any]:
    return {"title": title, "kind": c.kind or "",
            "items": [plain(i.text) + (f"({i.note})" if i.note else "") for i in items],
            "confirmation": _confirmation(confirmation)}


def _nested(step: Step) -> tuple[list[dict], list[dict]]:
    """A step's checklists (every pause point flattened into one list to tick) and the steps of
    procedures inside it (shown as what to do, in order)."""
    lists: list[dict] = []
    substeps: list[dict] = []
    for block in step.blocks:
        if isinstance(block, Checklist):
            items = block.all_items()
            lists.append(_list(block, block.title, items, block.confirmation))
        elif isinstance(block, Procedure):
            for s in block.steps:
                substeps.append({"label": s.label or "", "title": s.title,
                                 "actions": [plain(a) for a in s.actions], "key": s.key or ""})
    return lists, substeps


def _kpi(node: Procedure, links) -> dict[str, Any] | None:
    entry = links.entry(node.governed_by) if node.governed_by and links is not None else None
    if entry is None or not isinstance(entry.node, Kpi):
        return None
    t = entry.node.target
    if t.op == "range":
        shown = f"{num(t.low)}–{num(t.high)}"
    elif t.op == ">=":
        shown = f"≥{num(t.low)}"
    elif t.op == "<=":
        shown = f"≤{num(t.high)}"
    else:
        shown = num(t.low)
    minutes = t.unit in _MINUTE_UNITS
    return {"label": entry.node.name, "target": shown + t.unit,
            "min": t.low if minutes else None, "max": t.high if minutes else None}


def procedure_run(node: Procedure, links) -> dict[str, Any]:
    steps = []
    start: float | None = 0
    for s in node.steps:
        lists, substeps = _nested(s)
        end = start + s.minutes if start is not None and s.minutes is not None else None
        steps.append({
            "title": s.title, "label": s.label or "", "minutes": s.minutes,
            "marks": f"{num(start)}–{num(end)}′" if start is not None and end is not None else "",
            "actions": [plain(a) for a in s.actions], "key": s.key or "",
            "deadline": s.deadline or "", "lists": lists, "substeps": substeps,
        })
        start = end
    planned = [s.minutes for s in node.steps if s.minutes is not None]
    return {"kind": "procedure", "title": node.title, "steps": steps, "kpi": _kpi(node, links),
            "total": node.total_minutes if node.total_minutes is not None
            else (sum(planned) if planned else None)}


def checklist_run(node: Checklist) -> dict[str, Any]:
    """One step per pause point (or one for a flat list); the confirmation closes the last."""
    parts = ([(node.title, node.items)] if node.items else []) + [(g.title, g.items) for g in node.groups]
    steps = []
    for n, (title, items) in enumerate(parts):
        last = n == len(parts) - 1
        steps.append({"title": title, "label": "", "minutes": None, "marks": "", "actions": [],
                      "key": "", "deadline": "", "substeps": [],
                      "lists": [_list(node, "", items, node.confirmation if last else None)]})
    return {"kind": node.kind or "checklist", "title": node.title, "steps": steps, "kpi": None,
            "total": None}


def run_data(node: Procedure | Checklist, links) -> dict[str, Any]:
    data = procedure_run(node, links) if isinstance(node, Procedure) else checklist_run(node)
    chapter = getattr(links, "context", None)
    address = f"{chapter.id}.{node.id}" if chapter is not None else node.id
    data["address"] = addresses.relative_url(address)
    data["hash"] = digest(data)[:16]
    return data


def run_island(node: Procedure | Checklist, links, lang: str | None = None) -> Markup:
    """The start button and the run's data as a JSON island (never executed, never raw text),
    both in `lang` (templates pass their `lang`; a handbook's older template that does not is
    given its project's). The button stays hidden until run.js is there to answer it."""
    if lang is None:
        project = getattr(getattr(links, "site", None), "project", None)
        lang = getattr(project, "language", None) or i18n.SOURCE_LANGUAGE
    data = {**run_data(node, links), "words": words(lang)}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    safe = text.translate(_SCRIPT_SAFE)
    start = escape(i18n.gettext(N_("Start run"), lang))
    return Markup(f'<button type="button" class="sb-run-start" data-search-exclude hidden>{start}</button>\n'
                  f'<script type="application/json" class="sb-run-data">{safe}</script>')
