"""Arithmetic checks: a calculation's stated result follows from its inputs (ROI, sums, CLV)."""
from __future__ import annotations

from decimal import Decimal, DecimalException, DivisionByZero, InvalidOperation, localcontext
from functools import reduce

from sopbook.checks._util import finding, fmt_number
from sopbook.findings import Finding
from sopbook.i18n import N_
from sopbook.model.nodes import Calculation
from sopbook.model.project import Project, walk

SYMBOL = {"sum": " + ", "product": " × ", "divide": " ÷ ", "difference": " − "}


def compute(calc: Calculation) -> Decimal:
    values = [q.value.value for q in calc.inputs]
    if calc.op == "sum":
        return sum(values, Decimal(0))
    if calc.op == "product":
        return reduce(lambda a, b: a * b, values, Decimal(1))
    if calc.op == "difference":
        return reduce(lambda a, b: a - b, values)
    return reduce(lambda a, b: a / b, values)


def _calculation(chapter, calc: Calculation) -> list[Finding]:
    expression = SYMBOL[calc.op].join(q.value.text for q in calc.inputs)
    try:
        actual = compute(calc)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return [finding("error", "arithmetic.calculation",
                        N_("calculation '{title}': {expression} divides by zero"),
                        calc, chapter, params={"title": calc.title, "expression": expression})]
    except DecimalException:  # Overflow: hundreds of huge inputs multiplied
        return [finding("error", "arithmetic.calculation",
                        N_("calculation '{title}': the result is too large to compute"), calc, chapter,
                        N_("check the inputs"), params={"title": calc.title})]
    stated = calc.result.value
    scale = max(abs(actual), abs(stated), Decimal(1))
    if abs(actual - stated) / scale > Decimal(str(calc.tolerance)):
        with localcontext() as ctx:  # rounding to cents must not fail for a number with many digits
            ctx.prec = max(ctx.prec, len(actual.as_tuple().digits) + 4)
            shown = fmt_number(actual.quantize(Decimal("0.01")) if actual != actual.to_integral_value()
                               else actual)
        return [finding(
            "error", "arithmetic.calculation",
            N_("calculation '{title}': {expression} = {actual}, but the result is stated as {stated}"),
            calc, chapter, N_("correct the inputs or the stated result"),
            params={"title": calc.title, "expression": expression, "actual": shown,
                    "stated": calc.result.text})]
    return []


def check(project: Project) -> list[Finding]:
    out: list[Finding] = []
    for chapter in project.chapters:
        for node, _ in walk(chapter):
            if isinstance(node, Calculation):
                out.extend(_calculation(chapter, node))
    return out
