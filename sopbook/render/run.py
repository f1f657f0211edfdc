"""What run mode needs to walk a procedure or checklist step by step on a phone (web pages only).

The page carries it as an inert JSON island beside the block; run.js reads it and never the
rendered HTML. The island's hash keys the run's saved state in the browser, so a changed
procedure starts afresh instead of resuming a run of steps that no longer exist.
"""
from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

from sopbook._util.digest import digest
from sopbook.model.nodes import Checklist, Kpi, Procedure, Step
from sopbook.render import addresses

# Units a KPI target may state a duration in: only these give the run a window in minutes.
_MINUTE_UNITS = {"分钟", "分", "min", "mins", "minutes", "分鐘"}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# Inside <script> the HTML parser ends the island at "</script" and treats "<!--" specially:
# with <, > and & escaped no content can end it or open anything.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                ord("\u2028"): "\\u2028", ord("\u2029"): "\\u2029"}


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


def run_island(node: Procedure | Checklist, links) -> Markup:
    """The 开始执行 button and the run's data as a JSON island (never executed, never raw text).
    The button stays hidden until run.js is there to answer it."""
    text = json.dumps(run_data(node, links), ensure_ascii=False, separators=(",", ":"))
    safe = text.translate(_SCRIPT_SAFE)
    return Markup('<button type="button" class="sb-run-start" data-search-exclude hidden>开始执行</button>\n'
                  f'<script type="application/json" class="sb-run-data">{safe}</script>')
