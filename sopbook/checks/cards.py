"""Checklist-design lint for the printable cards (warnings; thresholds in handbook.yml `lint:`).

The rules come from aviation and surgical checklist practice: Boorman's checklist design and
the WHO Surgical Safety Checklist keep 5-9 items per pause point, one page, short items, a
confirmation that closes the list, a revision date, and a declared kind: READ-DO (read an
item, do it) or DO-CONFIRM (do from memory, then confirm with the card). Whether a card fits
its page is measured when it is rendered (sopbook.cards.fit), not here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.cards import card_address, card_loc, printable_types, resolve_card
from sopbook.model.nodes import (
    BulletList,
    Checklist,
    FollowUps,
    KpiTable,
    ListItem,
    MotSet,
    Node,
    Procedure,
    SegmentTable,
)
from sopbook.model.project import HANDBOOK_FILE, Entry, Project


@dataclass
class PausePoint:
    """Items done or confirmed together, as the card prints them."""

    label: str  # its title; empty for a list or follow-ups without one
    node: Node  # where the pause point is written
    items: list[tuple[str, Node]]  # item text and the node that locates it


def _text(item) -> str:
    return item if isinstance(item, str) else item.text


def pause_points(node: Node) -> Iterator[PausePoint]:
    """Every pause point of a printable block, nested blocks (a checklist inside a step) included."""
    if isinstance(node, Checklist):
        if node.items:
            yield PausePoint(node.title, node, [(i.text, i) for i in node.items])
        for group in node.groups:
            yield PausePoint(group.title, group, [(i.text, i) for i in group.items])
    elif isinstance(node, Procedure):
        yield PausePoint(node.title, node, [(s.title, s) for s in node.steps])
        for step in node.steps:
            if step.actions:
                yield PausePoint(step.title, step, [(a, step) for a in step.actions])
            for block in step.blocks:
                yield from pause_points(block)
    elif isinstance(node, BulletList):
        yield PausePoint(node.title or "", node, [(_text(i), node) for i in node.items])
        for item in node.items:
            if isinstance(item, ListItem) and item.children:
                yield PausePoint(item.text, item, [(_text(c), item) for c in item.children])
    elif isinstance(node, SegmentTable):
        for segment in node.segments:
            yield PausePoint(segment.label, segment, [(s, segment) for s in segment.strategy])
    elif isinstance(node, FollowUps):
        yield PausePoint(node.title or "", node, [(e.text, e) for e in node.entries])
    elif isinstance(node, MotSet):
        yield PausePoint(node.title, node, [(m.title, m) for m in node.mots])
        for mot in node.mots:
            yield PausePoint(mot.title, mot, [(d, mot) for d in mot.design])
    elif isinstance(node, KpiTable):
        yield PausePoint(node.title, node, [(k.name, k) for k in node.kpis])


def _checklists(node: Node) -> Iterator[Checklist]:
    if isinstance(node, Checklist):
        yield node
    elif isinstance(node, Procedure):
        for step in node.steps:
            for block in step.blocks:
                yield from _checklists(block)


def _too_many_items(point: PausePoint) -> str:
    """The message for a pause point with too many items: named by its title, or by what it is."""
    if not point.label and isinstance(point.node, BulletList):
        return N_("pause point 'list' in {address} has {n} items (more than {max}) (card {cards})")
    if not point.label and isinstance(point.node, FollowUps):
        return N_("pause point 'follow-ups' in {address} has {n} items (more than {max}) (card {cards})")
    return N_("pause point '{label}' in {address} has {n} items (more than {max}) (card {cards})")


def _design(project: Project, entry: Entry) -> Iterator[tuple[str, str, dict[str, object], Node, str]]:
    """(code, message, params, node, hint) for the design rules one card source breaks; the
    message names the cards through `{cards}`, which the caller fills."""
    lint = project.handbook.lint
    for point in pause_points(entry.node):
        if len(point.items) > lint.max_items_per_pause:
            yield ("cards.too-many-items", _too_many_items(point),
                   {"label": point.label, "address": entry.address, "n": len(point.items),
                    "max": lint.max_items_per_pause},
                   point.node,
                   N_("5-9 items per pause point (Boorman; WHO Surgical Safety Checklist): "
                      "split it into groups or cards"))
        for text, node in point.items:
            length = len(" ".join(text.split()))
            if length > lint.max_item_chars:
                yield ("cards.item-too-long",
                       N_("item '{item}…' in {address} has {length} characters (more than {max}) "
                          "(card {cards})"),
                       {"item": text[:20], "address": entry.address, "length": length,
                        "max": lint.max_item_chars},
                       node,
                       N_("a card item is read at a glance: keep the action, "
                          "move the explanation to the handbook"))
    for checklist in _checklists(entry.node):
        if checklist.confirmation is None:
            yield ("cards.no-confirmation",
                   N_("checklist {checklist} has no confirmation line (card {cards})"),
                   {"checklist": f"{entry.chapter.id}.{checklist.id}"},
                   checklist,
                   N_("add confirmation: {{question: ..., expected: ...}} or {{text: 客户签字确认}}: "
                      "the act that closes the list"))


def check(project: Project) -> list[Finding]:
    out: list[Finding] = []
    printable = printable_types(project.root)
    # The same source on two cards is one problem: report it once and name the cards.
    design: dict[tuple, list[str]] = defaultdict(list)
    for card in project.cards:
        sources, problems = resolve_card(project, card, printable)
        out.extend(problems)
        if sources is None:
            continue
        if sources.kind is None:
            out.append(Finding("warning", "cards.no-kind", N_("card '{card}' does not declare its kind"),
                               card_loc(card),
                               N_("add kind: read-do (read an item, then do it) or do-confirm "
                                  "(do from memory, then confirm with the card)"), card_address(card),
                               params={"card": card.id}))
        for entry in sources.entries():
            for code, message, params, node, hint in _design(project, entry):
                loc = node.at or entry.node.at or Loc(f"content/{entry.chapter.id}.yml")
                key = (code, message, tuple(params.items()), loc, hint, entry.address)
                design[key].append(card.id)
    for (code, message, params, loc, hint, address), cards in design.items():
        named = ", ".join(dict.fromkeys(cards))
        out.append(Finding("warning", code, message, loc, hint, address,
                           params={**dict(params), "cards": named}))
    if project.cards and not project.handbook.revised:
        out.append(Finding("warning", "cards.no-revision-date",
                           N_("the handbook has no revision date for the cards' footer"),
                           project.handbook.at or Loc(HANDBOOK_FILE),
                           N_("set revised: YYYY-MM-DD in handbook.yml")))
    return out
