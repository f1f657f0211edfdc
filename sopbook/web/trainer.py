"""Trainers' hand-written pages: `{{ ref() }}`, `{{ checklist() }}` and `{{ card() }}` expanded.

The macros are found and resolved by the one scanner `sopbook check` runs (model/trainer_refs.py),
so the page and the check agree on every error and its file, line and column.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from sopbook.findings import Finding
from sopbook.model.trainer_refs import MacroError, macro_finding, resolve, scan
from sopbook.render.templating import render
from sopbook.web.site import Site, cards_for, label_of

_MARKDOWN_SPECIAL = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~<>"}


def inline_text(text: str) -> Markup:
    """Text for inline HTML inside Markdown: escaped, and with Markdown's own punctuation as
    entities, because Python-Markdown still parses the text between inline tags."""
    return Markup("".join(_MARKDOWN_SPECIAL.get(c, str(escape(c))) for c in text))


@dataclass
class Expanded:
    markdown: str
    errors: list[Finding] = field(default_factory=list)


def expand_trainer_page(site: Site, src_uri: str, markdown: str, display: str,
                        line_offset: int = 0) -> Expanded:
    """Replace {{ ref('a.b') }}, {{ checklist('a.b') }} and {{ card('id') }} in a trainer page.

    The macros are the ones `sopbook check` reads (trainer_refs.scan) and resolve the same way,
    so every error here is one the check reports too, with the same file, line and column; the
    text of a broken macro is left as it was so the caller can collect all errors, then abort.
    """
    project = site.project
    links = site.links(src_uri)
    out: list[str] = []
    errors: list[Finding] = []
    pos = 0
    for item in scan(markdown):
        out.append(markdown[pos:item.start])
        pos = item.end
        original = markdown[item.start:item.end]
        target = (macro_finding(item, display, line_offset) if isinstance(item, MacroError)
                  else resolve(project, item, display, line_offset))
        if isinstance(target, Finding):
            errors.append(target)
            out.append(original)
        elif target.card is not None:
            info = cards_for(site, links)
            card_row = next(i for i in info if i["card"].id == target.card.id)
            out.append(render(project, "page/ref.html", kind="card", item=card_row,
                              label=inline_text(card_row["title"])).strip())
        elif target.func == "checklist":
            entry = target.entry
            assert entry is not None  # resolve() gives a ref or a checklist its entry, or a finding
            block = render(project, "page/ref.html", kind="checklist", checklist=entry.node,
                           links=site.links(src_uri, entry.chapter), source_href=links.href(entry.address),
                           source_label=entry.chapter.title)
            # A raw HTML block must stand alone between blank lines for Markdown to pass it on.
            out.append("\n\n" + block.strip() + "\n\n")
        else:
            entry = target.entry
            assert entry is not None
            out.append(render(project, "page/ref.html", kind="ref", href=links.href(entry.address),
                              label=inline_text(label_of(entry.node)), entry=entry).strip())
    out.append(markdown[pos:])
    return Expanded("".join(out), errors)
