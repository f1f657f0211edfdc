"""The search entries of chapter pages: one per thing staff look up, landing on its anchor.

Material's search plugin cuts a page at its headings, so a KPI hit opened the whole KPI table
and a hit in a case showed the case's every paragraph. Here each addressable thing of a chapter
(section, procedure, step, checklist and each of its items, KPI, NPS segment, moment of truth,
case, timeline, calculation, talk track, ...) is its own entry: its location is the page and
its anchor, its title its heading, its text only its own words (not the things inside it), one
sentence or line per paragraph. Material's result shows the (at most two) paragraphs a query
matched, so a hit on a phone reads as a line or two.

Equal matches are ordered by kind: lunr multiplies a document's score by its `boost`, which
Material's search worker passes on from the index (`this.add(doc, {boost: doc.boost})`). A
title match still outweighs any text match (the title field's boost is 1000), so the kind only
decides between matches of the same strength.

Text is escaped (Material shows it as HTML) and Chinese is cut into words by Material's own jieba
segmentation, so a query is split against the index exactly as for Material's entries.
The plugin hands the entries to Material's search plugin as it reads each chapter page
(`index_chapter_page`), in page order, and Material skips the page itself: search_index.json
and the file:// copy the offline plugin makes of it (search_index.js) are Material's as ever.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from material.plugins.search.plugin import SearchIndex
from material.plugins.search.plugin import jieba as _jieba
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page as MkPage

from sopbook import i18n
from sopbook.i18n import N_
from sopbook.model import quantities as q
from sopbook.model.nodes import (
    Calculation,
    Case,
    Chapter,
    Checklist,
    ChecklistGroup,
    ChecklistItem,
    Kpi,
    KpiTable,
    Mot,
    MotSet,
    Node,
    Procedure,
    Segment,
    SegmentTable,
    Step,
)
from sopbook.model.project import walk
from sopbook.render.addresses import item_anchor
from sopbook.web.toc import anchor_ids

# What staff act on comes first, then the numbers they are measured by, then the text around.
ACT, MEASURE, READ = 4.0, 2.0, 1.0
BOOST: dict[type, float] = {
    Checklist: ACT, ChecklistGroup: ACT, Procedure: ACT, Step: ACT,
    ChecklistItem: ACT - 1,  # the checklist itself first when its title matches as well
    KpiTable: MEASURE, Kpi: MEASURE, SegmentTable: MEASURE, Segment: MEASURE,
    MotSet: MEASURE, Mot: MEASURE, Calculation: MEASURE,
}

# Fields that hold ids, rule names or data for the checks, never words a reader looks for.
_NOT_TEXT = {"at", "id", "type", "kind", "op", "governed_by", "responds_to", "marks", "mot",
             "window", "reconstructed", "next", "acknowledged", "day", "tolerance"}
# Lists read as one line: a table's column headings (a row is one line too).
_ONE_LINE = {"columns"}
# The field that is an entry's title, by class (the rest are "title").
_TITLE_FIELD = {Kpi: "name", Segment: "label", ChecklistItem: "text"}
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# A paragraph ends after a sentence's closing mark (and the quote it closes) or at a line break.
_CLOSE = "”\"」』\uff09)"  # \uff09: the fullwidth closing parenthesis
_SENTENCE = re.compile(rf"(?<=[。！？!?；;][{_CLOSE}])|(?<=[。！？!?；;])(?![{_CLOSE}])|\n")


def _heading(node: Node, lang: str) -> str:
    """The entry's title, as the page's heading shows it (its labels in `lang`, as the page's)."""
    if isinstance(node, Step):
        minutes = i18n.say(N_("{minutes} min"), lang, {"minutes": f"{node.minutes:g}"}) \
            if node.minutes is not None else ""
        return " ".join(part for part in (node.label, node.title, minutes) if part)
    if isinstance(node, Mot):
        return f"MOT {node.number} {node.title}"
    if isinstance(node, Segment):
        points = i18n.say(N_("{low}–{high} points"), lang, {"low": node.low, "high": node.high})
        return f"{points} {node.label}"
    if isinstance(node, Case):
        return i18n.say(N_("Case {title}"), lang, {"title": node.title})
    return str(getattr(node, _TITLE_FIELD.get(type(node), "title"), None) or "")


def _pieces(node: Node, anchors: dict[int, str], title_field: str | None) -> list[tuple[bool, str]]:
    """The node's words in field order, each marked True when it is a field's single value (the
    time, actor and text of an event read as one line). Each list element and each child
    without an anchor of its own is a line of its own; a table's headings are one line."""
    out: list[tuple[bool, str]] = []
    for name in type(node).model_fields:
        if name in _NOT_TEXT or name == title_field or (isinstance(node, Step) and name == "label"):
            continue
        value = getattr(node, name)
        if name in _ONE_LINE and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = " ".join(value)
        single = not isinstance(value, list)
        for v in [value] if single else value:
            if isinstance(v, Node):
                if id(v) not in anchors:
                    out.extend((False, words) for words in _child(v, anchors))
            elif isinstance(v, list):  # a table row
                out.append((False, " ".join(str(cell) for cell in v)))
            elif isinstance(v, (q.Target, q.Amount)):
                out.append((single, v.text))
            elif isinstance(v, str):
                out.append((single, v))
    return out


def _child(node: Node, anchors: dict[int, str]) -> list[str]:
    """A thing without an anchor of its own (a paragraph, an event, a talk line) is part of its
    parent's text: its single fields on one line, then its lists and what it holds."""
    pieces = _pieces(node, anchors, None)
    line = " ".join(words for single, words in pieces if single)
    return [line] * bool(line) + [words for single, words in pieces if not single]


def _text(node: Node, anchors: dict[int, str]) -> list[str]:
    pieces = _pieces(node, anchors, _TITLE_FIELD.get(type(node), "title"))
    return _paragraphs([words for _own, words in pieces])


def _paragraphs(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        for part in _SENTENCE.split(_BOLD.sub(r"\1", text)):
            part = " ".join(part.split())
            if part:
                out.append(part)
    return out


def anchors_of(chapter: Chapter, present: set[str]) -> dict[int, str]:
    """Every thing of the chapter that has an anchor on its page (by object id): the nodes with
    an id, and each checklist item. Only anchors the page really has count."""
    out: dict[int, str] = {}
    for node, _parents in walk(chapter):
        node_id = getattr(node, "id", None)
        if node is not chapter and node_id and node_id in present:
            out[id(node)] = node_id
        if isinstance(node, Checklist):
            for n, item in enumerate(node.all_items(), 1):
                if (anchor := item_anchor(node.id, n)) in present:
                    out[id(item)] = anchor
    return out


def things(chapter: Chapter, present: set[str],
           lang: str = i18n.SOURCE_LANGUAGE) -> Iterator[tuple[str | None, Node, str, list[str]]]:
    """(anchor, node, title, paragraphs) for the chapter (anchor None: the page itself) and for
    every thing in it that has an anchor, in page order; titles in the page's language `lang`."""
    anchors = anchors_of(chapter, present)
    yield None, chapter, chapter.title, _text(chapter, anchors)
    for node, parents in walk(chapter):
        anchor = anchors.get(id(node))
        if anchor is None:
            continue
        # A list, table or talk track without a title is called by what holds it.
        title = _heading(node, lang) or next((h for p in reversed(parents) if (h := _heading(p, lang))), "")
        yield anchor, node, " ".join(_BOLD.sub(r"\1", title).split()), _text(node, anchors)


_SEGMENTER = SearchIndex()
# Each text's cut, kept for the process: in the live preview an edit changes a few texts of a
# page, and cutting the rest again was a quarter of the wait for the reload.
_CUT: dict[str, str] = {}
_CUT_LIMIT = 200_000


def _indexed(texts: list[str]) -> list[str]:
    """Each text escaped, and its Chinese cut into words with U+200B between them, as Material
    does it: one call for a whole page (per call, Material compiles its pattern again)."""
    escaped = [html.escape(text, quote=False) for text in texts]
    if not _jieba:
        return escaped
    new = [text for text in dict.fromkeys(escaped) if text not in _CUT]
    if new:
        if len(_CUT) > _CUT_LIMIT:
            _CUT.clear()
        # Texts are single lines (_paragraphs), so a line break keeps them apart through the cut.
        cut = _SEGMENTER._segment_chinese("\n".join(new)).split("\n")
        _CUT.update(zip(new, (text.strip("\u200b") for text in cut), strict=True))
    return [_CUT[text] for text in escaped]


def page_docs(chapter: Chapter, page_url: str, present: set[str],
              lang: str = i18n.SOURCE_LANGUAGE) -> list[dict]:
    """The search index documents of a chapter page: the page first (Material's worker takes the
    first document of a page as the page), then its things in page order."""
    found = list(things(chapter, present, lang))
    texts = _indexed([line for _anchor, _node, title, paragraphs in found for line in (title, *paragraphs)])
    docs = []
    at = 0
    for anchor, node, _title, paragraphs in found:
        title, lines = texts[at], texts[at + 1:at + 1 + len(paragraphs)]
        at += 1 + len(paragraphs)
        doc: dict[str, Any] = {
            "location": f"{page_url}#{anchor}" if anchor else page_url,
            "title": title,
            "text": "".join(f"<p>{line}</p>" for line in lines),
        }
        boost = BOOST.get(type(node), READ)
        if boost != READ:
            doc["boost"] = boost
        docs.append(doc)
    return docs


def material_entries(config: MkDocsConfig) -> list[dict] | None:
    """The list Material's search plugin collects the index's documents in while it reads the
    pages; None when search is off, or when a Material release keeps them elsewhere (then it
    indexes chapter pages by their headings, as before)."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None or not getattr(getattr(plugin, "config", None), "enabled", True):
        return None
    entries = getattr(getattr(plugin, "search_index", None), "entries", None)
    return entries if isinstance(entries, list) else None


def index_chapter_page(config: MkDocsConfig, page: MkPage, chapter: Chapter, page_html: str,
                       lang: str = i18n.SOURCE_LANGUAGE) -> None:
    """Give Material's search index the page's documents and have Material skip the page: it
    would cut it at its headings (and segment its Chinese a second time). `lang`: the page's."""
    entries = material_entries(config)
    if entries is None:
        return
    entries.extend(page_docs(chapter, page.url, anchor_ids(page_html), lang))
    page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
