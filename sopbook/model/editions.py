"""Card editions: which revision of each card is on the wall, and what changed since.

A laminated card stays up for months. The ledger (checklists/editions.yml) is written by
`sopbook cards --release` and reviewed in git with the content. For each card it keeps every
released edition: its revision number, its date, the hash of what it prints and the printed
lines themselves, so that a scan of an old card can be told exactly what changed since.

What a card prints is read from the model, not from the PDF: its title, its kind and, for
every node on it, the node's own text (a step's title and minutes, a checklist item, a KPI
and its target...). Layout and the handbook's version are not part of it, so a template tweak
or a version bump raises no card's revision.
"""
from __future__ import annotations

import datetime
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sopbook._util.digest import digest
from sopbook.i18n import N_, SOURCE_LANGUAGE, say
from sopbook.model.cards import CardSources, printable_types, resolve_card
from sopbook.model.ledger import EDITIONS_FILE, CardHistory, Edition, Ledger, PrintedLine
from sopbook.model.nodes import Node
from sopbook.model.project import CARDS_DIR, Project, iter_children, walk

LEDGER_PATH = f"{CARDS_DIR}/{EDITIONS_FILE}"

# What kind of thing a printed line is (the ledger's `kind`).
_KINDS = {"Step": "step", "ChecklistItem": "item", "ChecklistGroup": "group", "Confirmation": "confirmation",
          "Kpi": "kpi", "Segment": "segment", "FollowUp": "followup", "Event": "event", "Line": "line",
          "Quantity": "quantity", "Mot": "mot", "ListItem": "item"}
# One line per change and kind, as `sopbook cards` and a card's page say it: (added, removed, reworded).
_CHANGE_LINES: dict[str, tuple[str, str, str]] = {
    "title": (N_("added title: {after}"), N_("removed title: {before}"),
              N_("reworded title: {before} → {after}")),
    "step": (N_("added step: {after}"), N_("removed step: {before}"),
             N_("reworded step: {before} → {after}")),
    "item": (N_("added item: {after}"), N_("removed item: {before}"),
             N_("reworded item: {before} → {after}")),
    "group": (N_("added pause point: {after}"), N_("removed pause point: {before}"),
              N_("reworded pause point: {before} → {after}")),
    "confirmation": (N_("added confirmation: {after}"), N_("removed confirmation: {before}"),
                     N_("reworded confirmation: {before} → {after}")),
    "kpi": (N_("added KPI: {after}"), N_("removed KPI: {before}"),
            N_("reworded KPI: {before} → {after}")),
    "segment": (N_("added segment: {after}"), N_("removed segment: {before}"),
                N_("reworded segment: {before} → {after}")),
    "followup": (N_("added follow-up: {after}"), N_("removed follow-up: {before}"),
                 N_("reworded follow-up: {before} → {after}")),
    "event": (N_("added event: {after}"), N_("removed event: {before}"),
              N_("reworded event: {before} → {after}")),
    "line": (N_("added talk line: {after}"), N_("removed talk line: {before}"),
             N_("reworded talk line: {before} → {after}")),
    "quantity": (N_("added value: {after}"), N_("removed value: {before}"),
                 N_("reworded value: {before} → {after}")),
    "mot": (N_("added MOT: {after}"), N_("removed MOT: {before}"),
            N_("reworded MOT: {before} → {after}")),
    "text": (N_("added text: {after}"), N_("removed text: {before}"),
             N_("reworded text: {before} → {after}")),
}
# Fields that say what a node is or how it is laid out, not what the card says.
_NOT_PRINTED = {"id", "type", "at", "pending", "count", "kind", "format", "reconstructed", "minutes",
                "marks", "day", "low", "high", "op"}


# ---- what a card prints ---------------------------------------------------------------------------
def _text(value: Any) -> str:
    return str(getattr(value, "raw", None) or getattr(value, "text", None) or value).strip()


def _node_lines(node: Node) -> list[PrintedLine]:
    """The node's own printed text (not its children's): one line, plus one per list entry."""
    kind = _KINDS.get(type(node).__name__, "text")
    own: list[str] = []
    extra: list[PrintedLine] = []
    children = {id(c) for c in iter_children(node)}
    for name in type(node).model_fields:
        if name in _NOT_PRINTED:
            continue
        value = getattr(node, name)
        if value is None or value == [] or isinstance(value, Node) or id(value) in children:
            continue
        if isinstance(value, list):
            extra += [PrintedLine(kind="item", text=_text(v)) for v in value
                      if not isinstance(v, Node) and _text(v)]
        elif not isinstance(value, bool):
            own.append(_text(value))
    minutes = getattr(node, "minutes", None)
    lines = []
    if own or minutes is not None:
        lines.append(PrintedLine(kind=kind, text=" ".join(t for t in own if t), id=getattr(node, "id", None),
                                 minutes=float(minutes) if isinstance(minutes, int | float) else None))
    return lines + extra


def printed_lines(sources: CardSources) -> list[PrintedLine]:
    """Everything the card says, in print order: its title and kind, then front and back."""
    lines = [PrintedLine(kind="title", text=sources.title + (f" ({sources.kind})" if sources.kind else ""))]
    for entry in sources.entries():
        for node, _parents in walk(entry.node):
            lines += _node_lines(node)
    return lines


def printed_hash(lines: list[PrintedLine]) -> str:
    return digest([line.model_dump() for line in lines])[:16]


# ---- what changed between two editions ------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    what: Literal["added", "removed", "reworded", "timing"]
    kind: str
    before: str = ""  # the line's text before (a timing change: the line's text)
    after: str = ""
    was: float | None = None  # a timing change: the minutes before and after (None: not stated)
    now: float | None = None

    def describe(self, lang: str) -> str:
        """One line for a person in `lang`: added item: …, reworded item: … → …, timing changed: … 2 → 3
        minutes (新增条目:…, 改写条目:… → …, 时长变更:… 2分钟 → 3分钟)."""
        if self.what == "timing":
            if self.was is None:
                text = N_("timing changed: {text} not stated → {now} minutes")
            elif self.now is None:
                text = N_("timing changed: {text} {was} minutes → not stated")
            else:
                text = N_("timing changed: {text} {was} minutes → {now} minutes")
            return say(text, lang, {"text": self.before, "was": _minutes(self.was),
                                    "now": _minutes(self.now)})
        added, removed, reworded = _CHANGE_LINES.get(self.kind, _CHANGE_LINES["text"])
        text = {"added": added, "removed": removed}.get(self.what, reworded)
        return say(text, lang, {"before": self.before, "after": self.after})


def _minutes(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def changes(old: list[PrintedLine], new: list[PrintedLine]) -> list[Change]:
    """Items added, removed or reworded, and timings changed, from `old` to `new`.

    Lines are paired by id where they have one, then by identical text, then by likeness
    (a reworded item keeps most of its words); what stays unpaired was added or removed."""
    out: list[Change] = []
    left, right = list(old), list(new)

    def pair(a: PrintedLine, b: PrintedLine) -> None:
        left.remove(a)
        right.remove(b)
        if a.text != b.text:
            out.append(Change("reworded", b.kind, a.text, b.text))
        if a.minutes != b.minutes:
            out.append(Change("timing", b.kind, b.text, was=a.minutes, now=b.minutes))

    for a in [x for x in left if x.id]:
        b = next((y for y in right if y.id == a.id and y.kind == a.kind), None)
        if b is not None:
            pair(a, b)
    for a in list(left):
        b = next((y for y in right if y.text == a.text and y.kind == a.kind), None)
        if b is not None:
            pair(a, b)
    for a in list(left):
        scored = [(difflib.SequenceMatcher(None, a.text, y.text).ratio(), n, y)
                  for n, y in enumerate(right) if y.kind == a.kind and not (a.id and y.id)]
        best = max(scored, default=None, key=lambda s: (s[0], -s[1]))
        if best is not None and best[0] >= 0.5:
            pair(a, best[2])
    out += [Change("removed", a.kind, before=a.text) for a in left]
    out += [Change("added", b.kind, after=b.text) for b in right]
    return out


# ---- the state of each card against the ledger ----------------------------------------------------
@dataclass
class CardEdition:
    """A card as this build prints it: its released edition, or a draft of the next one."""

    card_id: str
    state: Literal["new", "changed", "current", "removed"]
    lines: list[PrintedLine]
    hash: str
    history: CardHistory | None = None
    changes: list[Change] = field(default_factory=list)  # since the latest released edition

    @property
    def draft(self) -> bool:
        return self.state in ("new", "changed")

    @property
    def released(self) -> Edition | None:
        return self.history.latest if self.history is not None else None

    @property
    def revision(self) -> int | None:
        """The revision the card prints: its released one, or None for a draft."""
        return None if self.draft or self.released is None else self.released.revision

    def label(self, lang: str = SOURCE_LANGUAGE) -> str:
        """What the card prints beside the handbook's version, in `lang`."""
        if self.draft:
            return say(DRAFT, lang)
        assert self.released is not None
        return say(N_("Edition {revision} · {date}"), lang,
                   {"revision": self.released.revision, "date": self.released.released.isoformat()})


DRAFT = N_("draft · not released")  # a card printed before its release, in its band and footer


def card_editions(ledger: Ledger, cards: dict[str, CardSources]) -> list[CardEdition]:
    """Every card defined now, in order, then every card of the ledger that is no longer defined."""
    out = []
    for card_id, sources in cards.items():
        lines = printed_lines(sources)
        h = printed_hash(lines)
        history = ledger.cards.get(card_id)
        if history is None or history.removed is not None:
            out.append(CardEdition(card_id, "new", lines, h, history))
        elif history.latest.hash != h:
            out.append(CardEdition(card_id, "changed", lines, h, history,
                                   changes(history.latest.lines, lines)))
        else:
            out.append(CardEdition(card_id, "current", lines, h, history))
    for card_id, history in ledger.cards.items():
        if card_id not in cards and history.removed is None:
            out.append(CardEdition(card_id, "removed", [], "", history))
    return out


def project_editions(project: Project) -> list[CardEdition]:
    """Every card of the project that resolves (the check reports the others) against its ledger."""
    printable = printable_types(project.root)
    sources = {card.id: found for card in project.cards
               if (found := resolve_card(project, card, printable)[0]) is not None}
    return card_editions(project.ledger, sources)


REPRINT_PREFIX = "reprint--"  # no card id holds "--": a reprint sheet can never take a card's name


def reprint(ledger: Ledger, editions: list[CardEdition]) -> list[CardEdition]:
    """The cards to print again after the last release: those it released (new or changed), as
    released; a card changed again since is a draft and waits for the next release."""
    last = ledger.last_release_number()
    return [e for e in editions if e.state == "current" and e.released is not None
            and e.released.release == last]


def reprint_name(ledger: Ledger) -> str | None:
    last = ledger.last_release()
    return f"{REPRINT_PREFIX}{last.isoformat()}" if last is not None else None


def since_previous(history: CardHistory) -> list[Change]:
    """What the latest edition changed from the one before it (nothing for a first edition)."""
    if len(history.editions) < 2:
        return []
    return changes(history.editions[-2].lines, history.latest.lines)


def release(ledger: Ledger, editions: list[CardEdition], today: datetime.date) -> list[CardEdition]:
    """Record a new edition of every new or changed card, and the removal of every card that
    went; returns what was recorded. Unchanged cards keep their revision."""
    recorded = []
    number = ledger.last_release_number() + 1
    for e in editions:
        if e.state == "removed":
            assert e.history is not None
            e.history.removed = today
        elif e.draft:
            revision = e.history.latest.revision + 1 if e.history is not None else 1
            edition = Edition(revision=revision, release=number, released=today, hash=e.hash, lines=e.lines)
            if e.history is None:
                ledger.cards[e.card_id] = CardHistory(editions=[edition])
            else:
                e.history.editions.append(edition)
                e.history.removed = None
        else:
            continue
        recorded.append(e)
    return recorded


# ---- the file -------------------------------------------------------------------------------------
LEDGER_HEADER = """\
# Card editions: the revision and date each card prints, and what each edition printed.
# Written by `sopbook cards --release`; review it in git like the content, never edit by hand.
# yaml-language-server: $schema=../schema/editions.schema.json
"""


def dump_ledger(ledger: Ledger) -> str:
    """The ledger as YAML, one printed line per line of the file, so that git shows a reworded
    item as the one line it is. Scalars are written as JSON strings, which YAML 1.2 reads as is."""

    def q(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    out = [LEDGER_HEADER, "cards:"]
    for card_id, history in sorted(ledger.cards.items()):
        out.append(f"  {card_id}:")
        if history.removed is not None:
            out.append(f"    removed: {q(history.removed.isoformat())}")
        out.append("    editions:")
        for e in history.editions:
            out += [f"      - revision: {e.revision}", f"        release: {e.release}",
                    f"        released: {q(e.released.isoformat())}",
                    f"        hash: {q(e.hash)}", "        lines:" if e.lines else "        lines: []"]
            for line in e.lines:
                fields = {k: v for k, v in line.model_dump().items() if v is not None}
                out.append("          - {" + ", ".join(f"{k}: {q(v)}" for k, v in fields.items()) + "}")
    if not ledger.cards:
        out[-1] = "cards: {}"
    return "\n".join(out) + "\n"


def write_ledger(root: Path, ledger: Ledger) -> Path:
    """Write the ledger whole or not at all: a half-written ledger would lose the history."""
    path = Path(root) / LEDGER_PATH
    tmp = path.with_name(f".{EDITIONS_FILE}.tmp")
    tmp.write_text(dump_ledger(ledger), encoding="utf-8")
    tmp.replace(path)
    return path
