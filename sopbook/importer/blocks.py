"""One token into one draft block of the model: which block type fits what the source drew.

- a table whose column of targets all read as targets (≥9分, 15-20分钟) is a KPI table;
- a table whose first column holds score ranges and last column deadlines is an NPS segment table;
- a box whose sections each start `MOT n:` is a set of moments of truth;
- a tree list the source calls a 清单 (checklist) is a checklist, its branches pause points;
- any other table, box or tree is a table or a list, item for item.
Text is copied as written; only markup (**, •, ✓ before an item) is left out where a field holds
the item itself.
"""
from __future__ import annotations

import re

from sopbook.i18n import N_, Said
from sopbook.importer import lines as ln
from sopbook.importer import tokens as tk
from sopbook.importer.calculations import read_calculation
from sopbook.importer.draft import Node, Value
from sopbook.importer.lines import TREE
from sopbook.importer.tables import TableRows
from sopbook.model.quantities import parse_deadline_hours, parse_target

CHECKLIST_WORD = "清单"
RANGE = re.compile(r"^(?P<low>\d{1,2})\s*[-~–]\s*(?P<high>\d{1,2})\s*分?\s*(?P<label>\S.*)?$", re.S)
MOT = re.compile(r"^MOT\s*(?P<n>\d{1,3})\s*:\s*(?P<title>\S.*)$")
MOT_FIELDS = {"时间": "timing", "客户期望": "expectation", "痛点消除": "pain_points", "体验设计": "design"}
TICK = re.compile(r"^[✓✔√]\s*(?P<text>\S.*)$")


def block(kind: str, lines: list[int], **fields: Value | None) -> Node:
    node = Node(kind, {"type": kind}, lines=list(lines))
    node.fields.update({k: v for k, v in fields.items() if v is not None})
    return node


def item_value(item: tk.Item) -> Value:
    if not item.children:
        return item.text
    return Node("item", {"text": item.text, "children": [item_value(c) for c in item.children]},
                lines=list(item.lines))


def item_lines(items: list[tk.Item]) -> list[int]:
    return [n for it in items for n in (*it.lines, *item_lines(it.children))]


def flatten(items: list[tk.Item]) -> list[tk.Item]:
    return [x for it in items for x in (it, *flatten(it.children))]


# ---- lists and checklists -------------------------------------------------------------------------
def list_block(items: list[tk.Item], lines: list[int], title: str | None, ordered: bool = False) -> Node:
    node = block("list", lines, title=title)
    if ordered:
        node["ordered"] = True
    node["items"] = [item_value(it) for it in items]
    return node


def checklist_block(items: list[tk.Item], lines: list[int], title: str) -> Node:
    """A tree the source calls a checklist: each branch with items under it is a pause point."""
    node = block("checklist", lines, title=title)
    loose = [it for it in items if not it.children]
    groups = [it for it in items if it.children]
    if loose:
        node["items"] = [it.text for it in loose]
    if groups:
        node["groups"] = [Node("group", {"title": g.text, "items": [c.text for c in flatten(g.children)]},
                               lines=list(g.lines)) for g in groups]
    return node


def outline_block(items: list[tk.Item], lines: list[int], title: str | None) -> Node:
    if title and CHECKLIST_WORD in title:
        return checklist_block(items, lines, title)
    return list_block(items, lines, title)


def checks_block(token: tk.Checks, title: str) -> Node:
    node = block("checklist", token.lines, title=title)
    node["items"] = [text for _, text in token.items]
    if token.confirmation:
        node["confirmation"] = Node("confirmation", dict(token.confirmation))
    return node


# ---- talk -------------------------------------------------------------------------------------------
def talk_block(token: tk.Talk, title: str | None) -> Node:
    node = block("talk", token.lines, title=title)
    lines: list[Value] = []
    for u in token.utterances:
        line = Node("line", {})
        if u.speaker:
            line["speaker"] = u.speaker
        if u.action:
            line["action"] = u.action
        if u.text:
            line["text"] = u.text
        lines.append(line)
    node["lines"] = lines
    return node


# ---- calculations -----------------------------------------------------------------------------------
def calculation_block(text: str, lines: list[int]) -> Node | None:
    calc = read_calculation(text)
    if calc is None:
        return None
    node = block("calculation", [], title=calc.title, op=calc.op)
    node["inputs"] = [Node("quantity", {"label": label, "value": value}) for label, value in calc.inputs]
    node["result"] = calc.result
    if calc.result_label:
        node["result_label"] = calc.result_label
    node.comments.append(Said(N_("calculation read from line {line}: {text}"),
                              {"line": lines[0], "text": text}))
    return node


# ---- tables -----------------------------------------------------------------------------------------
def _target(cell: str) -> bool:
    try:
        parse_target(cell)
    except ValueError:
        return False
    return bool(cell)


def _deadline(cell: str) -> bool:
    try:
        parse_deadline_hours(cell)
    except ValueError:
        return False
    return True


def unmarked(cell: str) -> str:
    """A cell without its bold markers and bullets: `**9-10分` -> `9-10分`, `• 激活推荐` -> `激活推荐`."""
    parts = (re.sub(r"^[•·▪]\s*", "", part.replace("**", "").strip()) for part in cell.split("\n"))
    return "\n".join(parts).strip()


def kpi_block(table: TableRows, title: str) -> Node | None:
    """name, definition, target and levers: the target column is the one whose every cell is a target."""
    width = len(table.columns)
    if width < 3 or not table.rows or any(len(r) != width for r in table.rows):
        return None
    at = next((j for j in range(2, width) if all(_target(r[j]) for r in table.rows)), None)
    if at != 2 or not all(r[0] and r[1] for r in table.rows):
        return None
    node = block("kpis", table.lines, title=title)
    node["columns"] = list(table.columns)
    kpis: list[Value] = []
    for row, lines in zip(table.rows, table.row_lines, strict=True):
        kpi = Node("kpi", {"name": row[0], "definition": row[1], "target": row[2]}, lines=list(lines))
        levers: list[Value] = [c for c in row[3:] if c]
        if levers:
            kpi["levers"] = levers
        kpis.append(kpi)
    node["kpis"] = kpis
    return node


def segment_block(table: TableRows, title: str) -> Node | None:
    """NPS segments: range and label, (state,) strategy, deadline."""
    width = len(table.columns)
    if width not in (3, 4) or not table.rows:
        return None
    segments: list[Value] = []
    for row, lines in zip(table.rows, table.row_lines, strict=True):
        first = ln.match(RANGE, unmarked(row[0]))
        if (len(row) != width or first is None or not first["label"] or not _deadline(unmarked(row[-1]))
                or not 0 <= int(first["low"]) <= int(first["high"]) <= 10):
            return None
        segment = Node("segment", {"label": first["label"].strip(), "low": int(first["low"]),
                                   "high": int(first["high"])}, lines=list(lines))
        if width == 4:
            segment["state"] = [p for p in unmarked(row[1]).split("\n") if p.strip()]
        segment["strategy"] = [p for p in unmarked(row[-2]).split("\n") if p.strip()]
        segment["deadline"] = unmarked(row[-1])
        segments.append(segment)
    node = block("segments", table.lines, title=title)
    node["columns"] = list(table.columns)
    node["segments"] = segments
    return node


def table_block(table: TableRows, title: str | None) -> Node:
    if title:
        found = kpi_block(table, title) or segment_block(table, title)
        if found is not None:
            return _rebuilt(found, table)
    node = block("table", table.lines, title=title)
    node["columns"] = list(table.columns)
    node["rows"] = [list(r) for r in table.rows]
    return _rebuilt(node, table)


def _rebuilt(node: Node, table: TableRows) -> Node:
    if table.merged:
        how = Said(N_("The source split cells over {rows} extra rows; each was joined to the row above: "
                      "its first cell continues the last filled cell, its others fill the empty cells to "
                      "the right."),
                   {"rows": table.merged})
        if node.kind in ("table", "segments"):
            node["reconstructed"] = how
        else:
            node.comments.append(how)
    return node


# ---- boxes ------------------------------------------------------------------------------------------
def box_block(token: tk.Box, title: str | None) -> tuple[Node, str | None]:
    """The block a box diagram draws, and the box's own header line when it has one."""
    sections = token.sections
    header = None
    if len(sections) > 1 and len(sections[0]) == 1:
        header = sections[0][0][1]
        sections = sections[1:]
    mots = mot_block(sections, token.lines, header or title)
    if mots is not None:
        return mots, header
    items = box_items([entry for s in sections for entry in s])
    return list_block(items, token.lines, header or title), header


def box_items(entries: list[tuple[int, str]]) -> list[tk.Item]:
    """Plain lines are items; tree lines and ✓ lines under one are its children."""
    items: list[tk.Item] = []
    tree: list[tuple[int, int, str, bool]] = []

    def hang() -> None:
        if tree:
            children = tk.tree_items(tree)
            (items[-1].children if items else items).extend(children)
            tree.clear()

    for number, text in entries:
        m = ln.match(TREE, text)
        tick = ln.match(TICK, text)
        if m:
            tree.append((number, m["bars"].count("│"), m["text"], m["mark"].startswith("└")))
        elif tick and items:
            hang()
            items[-1].children.append(tk.Item(text, [number]))
        else:
            hang()
            items.append(tk.Item(text, [number]))
    hang()
    return items


def mot_block(sections: list[list[tuple[int, str]]], lines: list[int], title: str | None) -> Node | None:
    if not title or not sections or not all(ln.match(MOT, s[0][1]) for s in sections):
        return None
    mots: list[Value] = []
    for section in sections:
        head = ln.match(MOT, section[0][1])
        assert head is not None
        mot = Node("mot", {"number": int(head.group("n")), "title": head.group("title")},
                   lines=[n for n, _ in section])
        design: list[Value] = []
        for _, text in section[1:]:
            at = ln.fold(text).find(":")
            label, value = (text[:at], text[at + 1:]) if at >= 0 else (text, "")
            field = MOT_FIELDS.get(label.strip()) if at >= 0 else None
            tick = ln.match(TICK, text)
            if field == "design" and not value.strip():
                continue
            if field == "pain_points":
                mot["pain_points"] = [p.strip() for p in value.split("、") if p.strip()]
            elif field in ("timing", "expectation"):
                mot[field] = value.strip()
            elif tick:
                design.append(tick["text"])
            elif text.startswith("【") and text.endswith("】") and "emphasis" not in mot:
                mot["emphasis"] = text
            else:
                return None  # a line no field of a moment of truth holds: keep the box as a list
        mot["design"] = design
        if not all(mot.get(f) for f in ("timing", "expectation", "design", "pain_points")):
            return None
        mots.append(mot)
    node = block("mots", lines, title=title)
    node["mots"] = mots
    return node
