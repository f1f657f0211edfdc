"""Fit check: each side of a card is exactly one page, and nothing runs past its right edge.

The card is laid out by WeasyPrint with its real page size. A side that does not fit continues
on further pages (nothing in card.css keeps blocks together, so content breaks exactly where
the page ends); the overflow is the height that side's content takes on those extra pages,
read from the layout boxes. Text or an image wider than the side's content area is measured
the same way. No second page is ever written: the build fails instead.
"""
from __future__ import annotations

from dataclasses import dataclass

PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS px
_INK = ("TextBox", "InlineReplacedBox", "BlockReplacedBox")
_TOLERANCE_PX = 0.5


@dataclass(frozen=True)
class Overflow:
    side: str  # 'front' | 'back'
    mm: float  # how far the content runs past the side's page (down) or content area (right)
    pages: int  # pages the side took
    direction: str = "down"

    def describe(self) -> str:
        if self.direction == "right":
            return f"{self.side} runs {self.mm:.1f} mm past its right edge"
        return f"{self.side} overflows by {self.mm:.1f} mm ({self.pages} pages instead of 1)"


def _side_fragments(page_box):
    """(side name, fragment box) for each card side that has content on this page."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if (element is not None and getattr(box, "element_tag", None) == "section"
                and element.get("data-side")):
            yield element.get("data-side"), box
            continue  # a side's own descendants are not sides
        stack.extend(getattr(box, "children", ()))


def _too_wide(side_box) -> float:
    """How far (px) any text or image in the side reaches past the side's content area."""
    body = next((c for c in side_box.children if "side-body" in (c.element.get("class") or "").split()), None)
    if body is None:
        return 0.0
    right = body.content_box_x() + body.width
    worst = 0.0
    for box in side_box.descendants():
        if type(box).__name__ in _INK:
            worst = max(worst, box.position_x + box.margin_width() - right)
    return worst if worst > _TOLERANCE_PX else 0.0


def measure(pages, sides: tuple[str, ...]) -> list[Overflow]:
    """Overflows of one card, given its rendered weasyprint pages whose sections carry data-side."""
    used: dict[str, list[float]] = {side: [] for side in sides}
    wide: dict[str, float] = {}
    pages = list(pages)
    for page in pages:
        page_box = page._page_box
        top = page_box.content_box_y()
        for side, box in _side_fragments(page_box):
            used.setdefault(side, []).append(box.position_y + box.margin_height() - top)
            wide[side] = max(wide.get(side, 0.0), _too_wide(box))
    out = []
    for side, heights in used.items():
        if len(heights) > 1:
            out.append(Overflow(side, sum(heights[1:]) / PX_PER_MM, len(heights)))
        if wide.get(side):
            out.append(Overflow(side, wide[side] / PX_PER_MM, len(heights), "right"))
    if not out and len(pages) != len(sides):
        # Pages with no side on them (e.g. a forced break in a template): still never silent.
        out.append(Overflow("card", 0.0, len(pages)))
    return out
