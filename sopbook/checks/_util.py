"""Small helpers the check families share: locating a node and naming it."""
from __future__ import annotations

from decimal import Decimal

from sopbook.findings import Finding, Level, Loc
from sopbook.model.nodes import Chapter, Node


def where(node: Node, chapter: Chapter) -> Loc:
    return node.at or chapter.at or Loc(f"content/{chapter.id}.yml")


def address(chapter: Chapter, node: Node) -> str:
    node_id = getattr(node, "id", None)
    return f"{chapter.id}.{node_id}" if node_id and node is not chapter else chapter.id


def finding(level: Level, code: str, message: str, node: Node, chapter: Chapter, hint: str = "",
            about: Node | None = None) -> Finding:
    """A finding located at `node`, addressed to `about` (default: the node itself)."""
    return Finding(level, code, message, where(node, chapter), hint, address(chapter, about or node))


def fmt_number(value: float | Decimal) -> str:
    """1500 -> '1,500', 0.5 -> '0.5', 25.0 -> '25'."""
    value = Decimal(str(value))
    if value.is_finite() and value and value.adjusted() > 30:  # beyond any real amount: no 4,000-digit int
        return f"{value:.6E}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():f}"


def fmt_clock(minute_of_timeline: int) -> str:
    day, minute = divmod(minute_of_timeline, 24 * 60)
    text = f"{minute // 60:02d}:{minute % 60:02d}"
    return f"{text} (day +{day})" if day else text
