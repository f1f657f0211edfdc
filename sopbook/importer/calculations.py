"""Calculations written in a line: `ROI = ¥6万 ÷ ¥40 = 1,500倍`, `总成本:¥10 + 人工成本¥30 = ¥40`.

A line is a calculation when, after its last `=`, it states one amount (and maybe its label in
parentheses), and before it two or more amounts joined by one operator (+, ×, ÷ or /, or a spaced
-). Each input's label is the text written with its amount (人工成本¥30, ¥30万(新车)), else the
amount itself; the title is what the line writes before the expression (ROI =, 总成本:).
The line is read in its folded form (full-width signs as ASCII) and every piece is cut from the
line as written. Nothing is computed here: `sopbook check` compares the result with its inputs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sopbook.importer.lines import fold
from sopbook.model.quantities import parse_amount

AMOUNT = re.compile(r"[¥￥$]?\s*\d[\d,]*(?:\.\d+)?\s*[万亿千]?"
                    r"(?:倍|%|人|台|年|个|元|次|位|辆|天|月|小时|分钟|分)?")
RESULT = re.compile(rf"\s*(?P<amount>{AMOUNT.pattern})\s*(?:\((?P<label>[^)]+)\))?\s*$")
OPERATORS = {"+": "sum", "×": "product", "*": "product", "÷": "divide", "/": "divide", " - ": "difference",
             " − ": "difference"}


@dataclass(frozen=True)
class Calc:
    title: str
    op: str
    inputs: list[tuple[str, str]]  # (label, value as written)
    result: str
    result_label: str | None


def _readable(amount: str) -> bool:
    try:
        parse_amount(amount)
    except ValueError:
        return False
    return True


def _spans(folded: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]] | None:
    """The one operator of folded[start:end] and the spans of its operands."""
    part = folded[start:end]
    found = {op for op in OPERATORS if op in part}
    kinds = {OPERATORS[op] for op in found}
    if len(kinds) != 1:
        return None
    cuts = sorted((m.start() + start, m.end() + start)
                  for op in found for m in re.finditer(re.escape(op), part))
    edges = [(start, start), *cuts, (end, end)]
    return kinds.pop(), [(a[1], b[0]) for a, b in pairwise(edges)]


def _input(text: str, folded: str, start: int, end: int) -> tuple[str, str] | None:
    amounts = [m for m in AMOUNT.finditer(folded, start, end) if m.group().strip()]
    if len(amounts) != 1:
        return None
    a, b = amounts[0].span()
    amount = text[a:b].strip()
    if not _readable(amount):
        return None
    label = (text[start:a] + text[b:end]).strip(" ()\uff08\uff09")
    return (label or amount, amount)


def read_calculation(text: str) -> Calc | None:
    folded = fold(text)
    if "=" not in folded or "\n" in text:
        return None
    last = folded.rindex("=")
    result = RESULT.match(folded, last + 1)
    if result is None:
        return None
    amount = text[result.start("amount"):result.end("amount")].strip()
    if not _readable(amount):
        return None
    result_label = text[result.start("label"):result.end("label")] if result["label"] else None
    first = folded.find("=")
    colon = folded.find(":")
    if first < last:
        title_end, start = first, first + 1
    elif 0 <= colon < last:
        title_end, start = colon, colon + 1
    else:
        title_end, start = 0, 0
    split = _spans(folded, start, last)
    if split is None:
        return None
    op, spans = split
    inputs = [_input(text, folded, a, b) for a, b in spans]
    if len(inputs) < 2 or any(i is None for i in inputs):
        return None
    title = text[:title_end].strip() or text
    return Calc(title, op, [i for i in inputs if i is not None], amount, result_label)
