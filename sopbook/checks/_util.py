"""Small helpers the check families share: locating a node and naming it."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sopbook.findings import Finding, Level, Loc
from sopbook.i18n import N_, Said
from sopbook.model.nodes import Chapter, Node


def where(node: Node, chapter: Chapter) -> Loc:
    return node.at or chapter.at or Loc(f"content/{chapter.id}.yml")


def address(chapter: Chapter, node: Node) -> str:
    node_id = getattr(node, "id", None)
    return f"{chapter.id}.{node_id}" if node_id and node is not chapter else chapter.id


def finding(level: Level, code: str, message: str, node: Node, chapter: Chapter, hint: str = "",
            about: Node | None = None, params: Mapping[str, object] | None = None) -> Finding:
    """A finding located at `node`, addressed to `about` (default: the node itself); `message` and
    `hint` are message ids that `params` fill."""
    return Finding(level, code, message, where(node, chapter), hint, address(chapter, about or node),
                   params=dict(params or {}))


def fmt_number(value: float | Decimal) -> str:
    """1500 -> '1,500', 0.5 -> '0.5', 25.0 -> '25'."""
    value = Decimal(str(value))
    if value.is_finite() and value and value.adjusted() > 30:  # beyond any real amount: no 4,000-digit int
        return f"{value:.6E}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():f}"


def fmt_clock(minute_of_timeline: int) -> str | Said:
    """08:30, or `08:30 (day +1)` on a later day of the timeline, said in the finding's language."""
    day, minute = divmod(minute_of_timeline, 24 * 60)
    text = f"{minute // 60:02d}:{minute % 60:02d}"
    return Said(N_("{clock} (day +{day})"), {"clock": text, "day": day}) if day else text
