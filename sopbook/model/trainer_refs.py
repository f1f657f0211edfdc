"""The macros of trainers' hand-written Markdown pages: `{{ ref('chapter.thing') }}`,
`{{ checklist('chapter.thing') }}` and `{{ card('card-id') }}`.

`scan` reads a page once and `resolve` says what each macro points to; `sopbook check` and the
MkDocs plugin (which expands the macros) both use them, so the check accepts exactly what the
build renders. Anything between `{{ }}` that is not one of these three calls is an error with
the page's line and column and the text to type instead: a reader must never see a raw
`{{ ref(‘x’) }}` because an input method typed full-width quotes. Code (inline spans, fenced
and indented blocks) is left alone, so a trainer can show the syntax itself.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sopbook._util.positions import line_col
from sopbook.findings import Finding, Loc
from sopbook.i18n import N_
from sopbook.model.nodes import Card, Checklist
from sopbook.model.project import Entry, Project

# The functions a trainer page may call.
FUNCTIONS = ("ref", "checklist", "card")
EXAMPLE = {"ref": "delivery.golden-sop", "checklist": "delivery.verify-brakes", "card": "delivery-run"}
_CALL = re.compile(r"\s*(?P<func>[A-Za-z_]\w*)\s*\(\s*(?P<q>['\"])(?P<ref>[^'\"\n]*)(?P=q)\s*\)\s*")
_NAME = re.compile(r"\s*(?P<name>[^\W\d]\w*)")
# What a Chinese (or Japanese) input method types in place of ' and ".
_WIDE_QUOTES = "‘’‚‛“”„‟＇＂「」『』′″"
_ALL_QUOTES = _WIDE_QUOTES + "'\"`"


@dataclass(frozen=True)
class Macro:
    func: str
    ref: str
    line: int
    col: int
    start: int  # offsets in the text, for replacement
    end: int


@dataclass(frozen=True)
class MacroError:
    message: str  # a message id, like the hint; params fill both
    hint: str
    line: int
    col: int
    start: int
    end: int
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


# ---- where code is: Markdown shows it literally, so macros there are not macros ----------------
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")


def _code_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks (``` and ~~~) and of indented code blocks that
    follow a blank line outside a list, as Python-Markdown reads them."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    fence: str | None = None
    fence_start = 0
    indented_start: int | None = None
    previous_blank, context_text = True, False  # context: the last paragraph line was a list or indented
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        body = line.rstrip("\n")
        if fence is not None:
            closing = _FENCE.match(body)
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence) \
                    and not body[closing.end():].strip():
                blocks.append((fence_start, pos))
                fence = None
            continue
        blank = not body.strip()
        indented = body.startswith(("    ", "\t"))
        if indented_start is not None:
            if blank or indented:
                continue
            blocks.append((indented_start, start))
            indented_start = None
        opening = _FENCE.match(body)
        if opening and not (opening["fence"][0] == "`" and "`" in body[opening.end():]):
            fence, fence_start = opening["fence"], start
        elif indented and not blank and previous_blank and not context_text:
            indented_start = start
        if not blank:
            context_text = bool(_LIST_ITEM.match(body)) or indented
        previous_blank = blank
    if fence is not None:
        blocks.append((fence_start, len(text)))  # an unclosed fence runs to the end of the page
    if indented_start is not None:
        blocks.append((indented_start, len(text)))
    return blocks


_BACKTICKS = re.compile(r"(?<!\\)`+")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code between start and end: a run of n backticks up to the next run of exactly n,
    within one paragraph."""
    spans: list[tuple[int, int]] = []
    pos = start
    while (opening := _BACKTICKS.search(text, pos, end)) is not None:
        run = opening.group()
        stop = _PARAGRAPH_END.search(text, opening.end(), end)
        limit = stop.start() if stop else end
        closing = re.compile(r"(?<!`)" + run + r"(?!`)").search(text, opening.end(), limit)
        if closing is None:
            pos = opening.end()  # a lone backtick is text
            continue
        spans.append((opening.start(), closing.end()))
        pos = closing.end()
    return spans


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of every part of a Markdown page that renders as code, in order."""
    ranges: list[tuple[int, int]] = []
    pos = 0
    for block_start, block_end in [*_code_blocks(text), (len(text), len(text))]:
        ranges += _code_spans(text, pos, block_start)
        if block_end > block_start:
            ranges.append((block_start, block_end))
        pos = block_end
    return ranges


# ---- the macros ---------------------------------------------------------------------------------
def _suggestion(func: str, inner: str) -> str:
    """The macro as it should be typed: `{{ ref('x.y') }}` from whatever was there."""
    _, _, args = inner.partition("(")
    args = args.rsplit(")", 1)[0] if ")" in args else args
    ref = args.strip().strip(_ALL_QUOTES).strip() or EXAMPLE.get(func, "chapter.thing")
    return "{{ " + f"{func}('{ref}')" + " }}"


EXAMPLE_CALL = "{{ ref('delivery.golden-sop') }}"
_WRITE_FIX = N_("write {fix}")


def _diagnose(inner: str) -> tuple[str, str, dict[str, object]]:
    """(message id, hint id, their parameters) for the text between {{ and }} that is not a valid
    macro."""
    shown = "{{" + inner + "}}"
    name = _NAME.match(inner)
    if name is None or not inner[name.end():].lstrip().startswith("("):
        return (N_("{shown} is not a macro a trainer page can use"),
                N_("trainer pages call ref(), checklist() or card(), e.g. {example}; "
                   "to show braces as text, put them in `code`"),
                {"shown": shown, "example": EXAMPLE_CALL})
    func = name["name"]
    if func not in FUNCTIONS:
        close = difflib.get_close_matches(func, FUNCTIONS, n=1, cutoff=0.5)
        if close:
            return (N_("unknown macro '{func}' in {shown}"), N_("did you mean {close}? write {fix}"),
                    {"func": func, "shown": shown, "close": close[0], "fix": _suggestion(close[0], inner)})
        return (N_("unknown macro '{func}' in {shown}"),
                N_("trainer pages call ref(), checklist() or card(), e.g. {fix}"),
                {"func": func, "shown": shown, "fix": _suggestion("ref", inner)})
    params: dict[str, object] = {"shown": shown, "func": func, "fix": _suggestion(func, inner)}
    wide = sorted({c for c in inner if c in _WIDE_QUOTES}, key=inner.index)
    if wide:
        return (N_("full-width quotes {quotes} in {shown}"), N_("write {fix} with ASCII quotes '"),
                {**params, "quotes": " ".join(wide)})
    args = inner[name.end():].lstrip()[1:]
    if ")" not in args:
        return N_("unclosed macro {shown}: the ')' is missing"), _WRITE_FIX, params
    quotes = [c for c in args if c in "'\""]
    if not quotes:
        return N_("the id in {shown} is not quoted"), _WRITE_FIX, params
    if len(quotes) != 2 or quotes[0] != quotes[1]:
        return N_("the quotes in {shown} do not match"), _WRITE_FIX, params
    return N_("{shown} is not a valid {func}() macro"), N_("write {fix}: one quoted id, nothing else"), params


_OPENING = re.compile(r"\{[{%]")


def scan(text: str) -> list[Macro | MacroError]:
    """Every `{{ … }}` (and `{% … %}`) of a Markdown page outside code, in order: a Macro, or a
    MacroError that says what is wrong with it. `\\{{` is an escaped brace (Markdown prints it)."""
    found: list[Macro | MacroError] = []
    code = code_ranges(text)
    spans = iter(code)
    current = next(spans, None)
    pos = 0
    while (opening := _OPENING.search(text, pos)) is not None:
        start = opening.start()
        while current is not None and current[1] <= start:
            current = next(spans, None)
        if current is not None and current[0] <= start:
            pos = current[1]  # inside code: shown literally
            continue
        if start > 0 and text[start - 1] == "\\":
            pos = start + 2
            continue
        line, col = line_col(text, start)
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        if opening.group() == "{%":  # a Jinja statement: nothing runs it, readers would see it raw
            close = text.find("%}", start + 2, line_end)
            end = close + 2 if close != -1 else line_end
            statement = text[start:end].rstrip()
            found.append(MacroError(N_("{statement} is a template statement; trainer pages run none"),
                                    N_("trainer pages call only ref(), checklist() and card(), e.g. "
                                       "{example}; to show it as text, put it in `code`"),
                                    line, col, start, end, {"statement": statement, "example": EXAMPLE_CALL}))
            pos = end
            continue
        close = text.find("}}", start + 2, line_end)
        if current is not None and close != -1 and current[0] < close:
            close = -1  # the braces close inside code that starts later on the line
        if close == -1:
            end = min(line_end, current[0]) if current is not None else line_end
            paren = text.find(")", start, end)
            end = paren + 1 if paren != -1 else end  # the call itself, not the rest of the line
            snippet = text[start:end].rstrip()
            name = _NAME.match(text, start + 2, end)
            func = name["name"] if name and name["name"] in FUNCTIONS else "ref"
            found.append(MacroError(N_("unclosed macro {shown}: the '}}}}' is missing"),
                                    N_("write {fix} on one line"), line, col, start, end,
                                    {"shown": snippet, "fix": _suggestion(func, text[start + 2:end])}))
            pos = end
            continue
        end = close + 2
        inner = text[start + 2:close]
        call = _CALL.fullmatch(inner)
        if call and call["func"] in FUNCTIONS:
            found.append(Macro(call["func"], call["ref"], line, col, start, end))
        else:
            message, hint, params = _diagnose(inner)
            found.append(MacroError(message, hint, line, col, start, end, params))
        pos = end
    return found


def find_refs(text: str) -> list[Macro]:
    """The valid macros of a page (see scan for the rest)."""
    return [m for m in scan(text) if isinstance(m, Macro)]


# ---- what a macro points to -----------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    func: str
    entry: Entry | None  # the thing linked or embedded; for a card, its source
    card: Card | None = None


def closest_hint(project: Project, ref: str) -> tuple[str, dict[str, object]]:
    """The hint for an id that does not exist (message id, parameters): the closest ids."""
    near = project.nearest(ref)
    if near:
        return N_("closest existing ids: {closest}"), {"closest": ", ".join(near)}
    return N_("no similar id exists; see the syllabus page for ids"), {}


def _nearest(candidates: list[str], wanted: str) -> tuple[str, dict[str, object]]:
    close = difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.4)
    return (N_("did you mean: {close}?"), {"close": ", ".join(close)}) if close else ("", {})


def macro_finding(error: MacroError, display: str, line_offset: int = 0) -> Finding:
    return Finding("error", "references.trainer-macro", error.message,
                   Loc(display, error.line + line_offset, error.col), error.hint, params=error.params)


def resolve(project: Project, macro: Macro, display: str, line_offset: int = 0) -> Target | Finding:
    """What the macro links, embeds or prints; or the located error that says why it cannot."""
    where = Loc(display, macro.line + line_offset, macro.col)
    said: dict[str, object] = {"ref": macro.ref, "call": f"{macro.func}('{macro.ref}')"}
    entry = project.resolve(macro.ref)
    if macro.func == "card":
        # card('verify-card') names the card; card('delivery.verify-checklist') names its source.
        card = next((c for c in project.cards if c.id == macro.ref), None) or next(
            (c for c in project.cards if entry and project.resolve(c.source) is entry), None)
        if card is None:
            candidates = [c.id for c in project.cards] + [c.source for c in project.cards]
            hint, params = _nearest(candidates, macro.ref)
            message = (N_("'{ref}' has no card: {call}") if entry is not None
                       else N_("no card is '{ref}': {call}"))
            return Finding("error", "references.trainer-card", message, where,
                           hint or N_("checklists/ defines the cards; "
                                      "card() takes a card id or a card's source"),
                           macro.ref, params={**said, **params})
        return Target("card", project.resolve(card.source), card)
    if entry is None:
        hint, params = closest_hint(project, macro.ref)
        return Finding("error", "references.trainer-page", N_("{call} points to an id that does not exist"),
                       where, hint, macro.ref, params={**said, **params})
    if macro.func == "checklist" and not isinstance(entry.node, Checklist):
        checklists = [a for a, e in project.index.items() if isinstance(e.node, Checklist)]
        hint, params = _nearest(checklists, macro.ref)
        return Finding("error", "references.trainer-page", N_("{call} is a {kind}, not a checklist"),
                       where, hint or N_("checklists: {checklists}"), macro.ref,
                       params={**said, **params, "kind": entry.kind, "checklists": ", ".join(checklists[:5])})
    return Target(macro.func, entry)


def page_findings(project: Project, text: str, display: str, line_offset: int = 0) -> list[Finding]:
    """Every broken macro of a trainer page, located in its file."""
    out: list[Finding] = []
    for item in scan(text):
        if isinstance(item, MacroError):
            out.append(macro_finding(item, display, line_offset))
        elif isinstance(result := resolve(project, item, display, line_offset), Finding):
            out.append(result)
    return out


def body_line_offset(source: str, markdown: str) -> int:
    """Lines of front matter MkDocs removed before handing the Markdown to plugins, so that
    errors name the line of the file as the trainer sees it."""
    body = markdown.lstrip("\n")
    index = source.find(body[:200]) if body.strip() else -1
    if index <= 0:
        return 0
    return source.count("\n", 0, index) - (len(markdown) - len(body))


def page_body(source: str) -> tuple[str, int]:
    """The Markdown of a page as MkDocs hands it to plugins (front matter removed, by MkDocs' own
    function) and the lines removed before it."""
    from mkdocs.utils.meta import get_data

    body, _meta = get_data(source)
    return body, body_line_offset(source, body)
