"""Tables as the documents paste them, back into rows and columns.

Two layouts arrive:
- one cell per line: a row starts with `| 使命 |`, its other cells follow as `具体目标 |`;
- markdown rows, `| a | b | c |`, where a cell of several lines was pasted as several rows, each
  padded with empty cells (`| 服务历史 | • 新客户:详细功能介绍 | |`, `| • 老客户:快速高效 | ||`).

Such continuation rows are merged back: a padded row's first cell continues the last filled cell
of the row above and its later cells fill that row's empty cells to the right, for as long as they
fit; a row that does not fit, or whose first cell opens bold (`**7-8分`), starts a new row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from sopbook.importer.lines import TABLE_SEPARATOR, ends, fold, match, starts


@dataclass
class TableRows:
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]  # every source line of the table, separators included
    row_lines: list[list[int]] = field(default_factory=list)
    merged: int = 0  # pasted rows merged into the row above


def cells(text: str) -> list[str]:
    """The cells of a pasted row, split at its bars, ASCII or full-width (the text between keeps its
    own characters)."""
    inner = text.strip()
    inner = inner[1:] if starts(inner, "|") else inner
    inner = inner[:-1] if ends(inner, "|") else inner
    bars = [i for i, c in enumerate(fold(inner)) if c == "|"]
    edges = [-1, *bars, len(inner)]
    return [inner[a + 1:b].strip() for a, b in pairwise(edges)]


def read_table(source: list[tuple[int, str]], i: int) -> tuple[TableRows, int]:
    """The table that starts at source[i]; returns it and the index after it."""
    first = cells(source[i][1])
    if len(first) == 1:
        return _one_cell_per_line(source, i)
    return _markdown(source, i)


def _one_cell_per_line(source: list[tuple[int, str]], i: int) -> tuple[TableRows, int]:
    rows: list[list[str]] = []
    row_lines: list[list[int]] = []
    numbers: list[int] = []
    while i < len(source):
        number, text = source[i]
        if starts(text, "|"):
            rows.append([cells(text)[0]])
            row_lines.append([number])
        elif ends(text, "|") and rows:
            rows[-1].append(text[:-1].strip())
            row_lines[-1].append(number)
        else:
            break
        numbers.append(number)
        i += 1
    columns, body = rows[0], rows[1:]
    return TableRows(columns, [_fit(r, len(columns)) for r in body], numbers, row_lines[1:]), i


def _fit(row: list[str], width: int) -> list[str]:
    """A row as wide as the header: padded with empty cells, or its padding beyond it dropped."""
    row = row + [""] * (width - len(row))
    while len(row) > width and not row[-1]:
        row.pop()
    return row


def _markdown(source: list[tuple[int, str]], i: int) -> tuple[TableRows, int]:
    physical: list[tuple[int, list[str]]] = []
    numbers: list[int] = []
    while i < len(source) and starts(source[i][1], "|"):
        number, text = source[i]
        numbers.append(number)
        i += 1
        if match(TABLE_SEPARATOR, text):
            continue
        physical.append((number, cells(text)))
    if not physical:  # separator lines only
        return TableRows([], [], numbers), i
    columns = physical[0][1]
    while columns and not columns[-1] and len(columns) > 1:
        columns.pop()
    width = len(columns)
    table = TableRows(columns, [], numbers)
    padded_before = False  # the pasted row above had empty cells: a continuation may follow
    for number, row in physical[1:]:
        filled = [c for c in row if c]
        if table.rows and padded_before and filled and not row[0].startswith("**") and _fits(table.rows[-1],
                                                                                             row):
            _merge(table.rows[-1], row)
            table.row_lines[-1].append(number)
            table.merged += 1
        else:
            table.rows.append(_fit(row, width))
            table.row_lines.append([number])
        padded_before = len(row) > len(filled) or len(row) < width
    return table, i


def _last_filled(row: list[str]) -> int:
    return max((n for n, c in enumerate(row) if c), default=0)


def _fits(above: list[str], row: list[str]) -> bool:
    filled = [c for c in row if c]
    if not row[0]:
        return False
    empty_after = len(above) - 1 - _last_filled(above)
    return len(filled) - 1 <= empty_after


def _merge(above: list[str], row: list[str]) -> None:
    filled = [c for c in row if c]
    at = _last_filled(above)
    above[at] = f"{above[at]}\n{filled[0]}" if above[at] else filled[0]
    for n, cell in enumerate(filled[1:], at + 1):
        above[n] = cell
