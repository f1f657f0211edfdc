"""Measure `sopbook import` on the two course documents against the hand-made chapters in content/.

    .venv/bin/python tests/import_support.py          # the numbers, and every phrase placed differently

- placed: the share of the source's phrases (tests/source_phrases.txt, from tests/extract_phrases.py,
  the list that holds content/ to its sources) that appear in some text of the imported draft;
- same block type: the share of phrases that the draft holds in a block of the same type as the
  hand-made chapter does (the innermost block around the text: a KPI's name is in `kpis`, a
  step's action in `procedure`, an event's text in `timeline`; text outside any block is in its
  `section` or the `chapter`);
- headings: the share of the source's headings (tests/source_headings.txt) that are a title in
  the draft, as tests/test_source_coverage.py asks of content/.
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from test_source_coverage import (  # noqa: E402
    heading_titles,
    model_text,
    read_grouped,
    squash,
)

from sopbook.importer import ImportResult, import_text  # noqa: E402
from sopbook.model.nodes import Chapter, Confirmation, Node, Prose, Segment  # noqa: E402
from sopbook.model.project import load_model  # noqa: E402
from sopbook.model.quantities import Amount, Target  # noqa: E402

import extract_phrases  # noqa: E402

ROOT = HERE.parent
NOT_SOURCE_TEXT = {"at", "id", "type", "kind", "marks", "anchor", "mot", "governed_by", "responds_to", "next",
                   "reconstructed", "acknowledged", "time", "day", "module", "op", "scale"}


def typed_texts(node: object, kind: str = "chapter") -> list[tuple[str, str]]:
    """(type of the innermost block, squashed text) for every text of a chapter, in order."""
    out: list[tuple[str, str]] = []
    if isinstance(node, Node):
        fields = type(node).model_fields
        if "type" in fields and isinstance(getattr(node, "type", None), str):
            kind = node.type  # type: ignore[attr-defined]
        elif type(node).__name__ == "Section":
            kind = "section"
        for name in fields:
            if name not in NOT_SOURCE_TEXT:
                out += typed_texts(getattr(node, name), kind)
        if isinstance(node, Prose) and node.label:
            out.append((kind, squash(f"{node.label}:{node.text}")))
        elif isinstance(node, Segment):
            out.append((kind, squash(f"{node.low}-{node.high}分")))
        elif isinstance(node, Confirmation):
            out += [(kind, squash(f'{node.label}:"{said}"'))
                    for said in (node.question, node.expected) if said]
    elif isinstance(node, (list, tuple)):
        for item in node:
            out += typed_texts(item, kind)
    elif isinstance(node, (Target, Amount)):
        out.append((kind, squash(node.text)))
    elif isinstance(node, str):
        out.append((kind, squash(node)))
    return out


def kinds_of(phrase: str, texts: list[tuple[str, str]]) -> list[str]:
    """The block types holding a phrase, in document order."""
    wanted = squash(phrase)
    return [kind for kind, text in texts if wanted in text]


@dataclass
class Measure:
    name: str
    result: ImportResult
    phrases: int
    placed: int
    same_type: int
    same_first: int  # the first place that holds the phrase is of the same type in both
    headings: int
    headings_mapped: int
    differ: Counter  # (hand-made type, draft types) -> phrases
    examples: dict
    missing: list


def measure(name: str) -> Measure:
    source = extract_phrases.SOURCES[name]
    result = import_text(source.read_text(encoding="utf-8"), source.name, name)
    assert result.chapter is not None, result.load_findings
    hand = load_model(Chapter, ROOT / "content" / f"{name}.yml", f"content/{name}.yml")
    draft_all = model_text(result.chapter)
    hand_texts, draft_texts = typed_texts(hand), typed_texts(result.chapter)
    phrases = [p for chapter, _, p in read_grouped(HERE / "source_phrases.txt") if chapter == name]
    placed = same = first = 0
    differ: Counter = Counter()
    examples: dict = {}
    missing = []
    for phrase in phrases:
        if squash(phrase) not in draft_all:
            missing.append(phrase)
            continue
        placed += 1
        theirs, ours = set(kinds_of(phrase, hand_texts)), set(kinds_of(phrase, draft_texts))
        if kinds_of(phrase, hand_texts)[0] == kinds_of(phrase, draft_texts)[0]:
            first += 1
        if theirs & ours:
            same += 1
        else:
            key = ("/".join(sorted(theirs)), "/".join(sorted(ours)))
            differ[key] += 1
            examples.setdefault(key, []).append(phrase)
    headings = [h for chapter, _, h in read_grouped(HERE / "source_headings.txt") if chapter == name]
    titles = heading_titles(result.chapter)
    import re

    mapped = sum(1 for h in headings if squash(re.sub(r"\(\d+分钟\)$", "", h.rstrip(":"))) in titles)
    return Measure(name, result, len(phrases), placed, same, first, len(headings), mapped, differ, examples,
                   missing)


def main() -> int:
    for name in extract_phrases.SOURCES:
        m = measure(name)
        r = m.result
        print(f"== {name}: {len(r.source_lines)} lines, {len(r.placed)} placed, "
              f"{len(r.unplaced)} not placed; blocks {dict(r.blocks.most_common())}")
        print(f"   phrases placed {m.placed}/{m.phrases} = {m.placed / m.phrases:.1%}; "
              f"same block type {m.same_type}/{m.phrases} = {m.same_type / m.phrases:.1%} "
              f"(first place {m.same_first / m.phrases:.1%}); "
              f"headings as titles {m.headings_mapped}/{m.headings}")
        for phrase in m.missing:
            print(f"   missing: {phrase}")
        for (theirs, ours), n in m.differ.most_common():
            shown = " | ".join(m.examples[(theirs, ours)][:4])
            print(f"   {n:3d} hand-made {theirs or '-'} / draft {ours or '-'}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
