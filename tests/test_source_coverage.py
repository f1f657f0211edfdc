"""The real content/ covers both source documents, and says nothing they do not say.

- every phrase of tests/source_phrases.txt (extracted mechanically from the sources by
  tests/extract_phrases.py: every checklist item, KPI cell, MOT title and rule, step title, case
  name, talk-track line, list and outline item, timeline entry, body line) appears in the model;
- every heading of tests/source_headings.txt maps to a chapter, section, block, step, event or
  pending title;
- the other way round, every line of every source-text field of the model is a piece of its
  source document, so transcription typos and invented words fail too;
- the committed lists are what the extractor produces today (they cannot be edited to pass).

Comparisons ignore whitespace only: punctuation is compared exactly (the sources write , : ( ) ?
! " in ASCII, 。、【】「」 full width).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sopbook.model.nodes import Chapter, Confirmation, Node, Pending, Prose, Segment, Step, Table
from sopbook.model.project import load_project, walk
from sopbook.model.quantities import Amount, Target

import extract_phrases

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

# Fields that hold ids, references, enums, numbers or editorial text, never source text.
NOT_SOURCE_TEXT = {
    "at", "id", "type", "kind", "marks", "anchor", "mot", "governed_by", "responds_to", "next",
    "reconstructed", "acknowledged", "time", "day", "module", "op", "scale",
}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def project():
    return load_project(ROOT)


def source_strings(node, skip=NOT_SOURCE_TEXT):
    """(field, text) for every string field of a model object, recursively."""
    if isinstance(node, Node):
        for name in type(node).model_fields:
            if name in skip:
                continue
            value = getattr(node, name)
            yield from ((f"{type(node).__name__}.{name}" if f == "" else f, t)
                        for f, t in source_strings(value, skip))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from source_strings(item, skip)
    elif isinstance(node, (Target, Amount)):
        yield "", node.text
    elif isinstance(node, str):
        yield "", node
    # numbers, dates, None: not text


def model_text(chapter: Chapter) -> str:
    """All text of a chapter, one string per field, plus the forms a reader sees rendered:
    a labelled paragraph reads 'label:text', an NPS segment 'low-high分', a confirmation
    'label:"question"'."""
    texts = [t for _, t in source_strings(chapter)]
    for node, _ in walk(chapter):
        if isinstance(node, Prose) and node.label:
            texts.append(f"{node.label}:{node.text}")
        elif isinstance(node, Segment):
            texts.append(f"{node.low}-{node.high}分")
        elif isinstance(node, Confirmation):
            texts += [f'{node.label}:"{said}"' for said in (node.question, node.expected) if said]
    return "\x00".join(squash(t) for t in texts)


def read_grouped(path: Path) -> list[tuple[str, str, str]]:
    """(chapter, group, line) for a generated list with '# == chapter / group' headers."""
    out, chapter, group = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# == "):
            chapter, _, group = line[5:].partition(" / ")
        elif line.startswith("#") or not line.strip():
            continue
        else:
            out.append((chapter, group, line))
    return out


def test_phrase_lists_are_the_extractors_output():
    phrases, headings = extract_phrases.render()
    assert (HERE / "source_phrases.txt").read_text(encoding="utf-8") == phrases, \
        "tests/source_phrases.txt is stale or hand-edited: run .venv/bin/python tests/extract_phrases.py"
    assert (HERE / "source_headings.txt").read_text(encoding="utf-8") == headings, \
        "tests/source_headings.txt is stale or hand-edited: run .venv/bin/python tests/extract_phrases.py"


def test_every_source_phrase_is_in_the_model(project):
    texts = {c.id: model_text(c) for c in project.chapters}
    phrases = read_grouped(HERE / "source_phrases.txt")
    assert len(phrases) > 900, "the phrase list is unexpectedly short"
    missing = [f"  [{chapter} / {group}] {phrase}" for chapter, group, phrase in phrases
               if squash(phrase) not in texts[chapter]]
    assert not missing, f"{len(missing)} source phrase(s) not found in content/:\n" + "\n".join(missing)


def heading_titles(chapter: Chapter) -> set[str]:
    """Every title a source heading can map to."""
    titles = {chapter.title}
    for node, _ in walk(chapter):
        title = getattr(node, "title", None)
        if not title:
            continue
        titles.add(title)
        titles.add(title.strip("【】"))
        if isinstance(node, Step) and node.label:
            titles.add(f"{node.label}:{title}")
        if isinstance(node, Prose) and node.label:
            titles.add(node.label)
    return {squash(t) for t in titles}


def test_every_source_heading_maps_to_a_title(project):
    titles = {c.id: heading_titles(c) for c in project.chapters}
    headings = read_grouped(HERE / "source_headings.txt")
    assert len(headings) >= 70
    unmapped = []
    for chapter, _, heading in headings:
        # A step heading's "(2分钟)" is its `minutes`; a lead-in's ":" is dropped from titles.
        wanted = squash(re.sub(r"\(\d+分钟\)$", "", heading.rstrip(":")))
        if wanted not in titles[chapter]:
            unmapped.append(f"  [{chapter}] {heading}")
    assert not unmapped, (f"{len(unmapped)} source heading(s) map to no section, block, step, event or "
                          f"pending title:\n" + "\n".join(unmapped))


def test_pending_headings_are_the_ones_the_source_leaves_empty(project):
    pending = sorted(
        node.title for chapter in project.chapters for node, _ in walk(chapter)
        if isinstance(node, Pending) or (getattr(node, "pending", False) is True)
    )
    assert pending == sorted([
        "峰终定律(Peak-End Rule)在交付中的体现", "为什么需要仪式感?", "展示的不是服务,而是价值",
        "验证的三大原则", "什么是真正的惊喜?", "特斯拉惊喜制造的六大招式", "为什么需要情感连接?",
        "正确做法", "正确做法", "升级方案", "五、经理必修课:交付管理的五大核心能力", "本章核心要点",
        "关键要点回顾",
    ])


def test_model_text_comes_from_the_source(project):
    """Each line of each text field is a piece of the chapter's source (whitespace ignored)."""
    invented = []
    for chapter in project.chapters:
        source = squash(extract_phrases.SOURCES[chapter.id].read_text(encoding="utf-8"))
        for field, text in source_strings(chapter):
            for line in text.split("\n"):
                piece = squash(line)
                if piece and piece not in source:
                    invented.append(f"  [{chapter.id}] {field}: {line}")
    assert not invented, (f"{len(invented)} line(s) of content/ are not in the source document "
                          f"(typo, changed punctuation or invented text):\n" + "\n".join(invented))


def test_tables_have_a_cell_for_every_column(project):
    # A flow sequence [a, b,c] silently splits "b,c": the row then has too many cells.
    bad = [f"  {chapter.id}.{node.id or node.title}: row {n} has {len(row)} cells for {len(node.columns)} "
           f"columns"
           for chapter in project.chapters for node, _ in walk(chapter) if isinstance(node, Table)
           for n, row in enumerate(node.rows, 1) if len(row) != len(node.columns)]
    assert not bad, "\n".join(bad)


def test_mangled_tables_say_how_they_were_rebuilt(project):
    rebuilt = {f"{c.id}.{node.id}" for c in project.chapters for node, _ in walk(c)
               if getattr(node, "reconstructed", None)}
    assert rebuilt == {
        "mobile-experience.li-comparison", "mobile-experience.personalization",
        "mobile-experience.nps-segments", "mobile-experience.recovery-results",
    }


def test_calculations_are_encoded_next_to_their_text(project):
    calcs = {node.id: node for c in project.chapters for node,
             _ in walk(c) if node.__class__.__name__ == "Calculation"}
    stated = {k: (c.op, [q.value.text for q in c.inputs], c.result.text) for k, c in calcs.items()}
    assert stated == {
        "li-roi": ("divide", ["¥30万", "¥15"], "20,000倍"),
        "wang-cost": ("sum", ["¥10", "¥30"], "¥40"),
        "wang-revenue": ("product", ["2人", "¥30万"], "¥60万"),
        "wang-margin": ("product", ["2人", "¥3万"], "¥6万"),
        "wang-roi": ("divide", ["¥6万", "¥40"], "1,500倍"),
        "hu-clv-first-car": ("product", ["¥2万", "5年"], "¥10万"),
        "hu-clv-second-car": ("sum", ["¥30万", "¥10万"], "¥40万"),
        "hu-clv-referrals": ("product", ["4人", "¥30万"], "¥120万"),
        "hu-clv-fleet": ("product", ["10台", "¥25万"], "¥250万"),
        "hu-clv-total": ("sum", ["¥10万", "¥40万", "¥120万", "¥250万"], "¥420万"),
        "hu-roi": ("divide", ["¥420万", "¥800"], "5,250倍"),
        "recovery-rate": ("sum", ["67%", "23%"], "90%"),
        "recovery-roi": ("divide", ["¥8.5万", "¥850"], "100倍"),
    }


def test_timing_rules_targets_and_deadlines_are_encoded(project):
    """The numbers the checks compare, as the sources state them."""
    sop = project.resolve("delivery.golden-sop").node
    assert [s.minutes for s in sop.steps] == [2, 5, 3, 3, 2] and sop.total_minutes == 15
    assert project.resolve(sop.governed_by, project.chapter("delivery")).node.name == "交付时长"
    kpis = {k.name: (k.target.op, k.target.low, k.target.high, k.target.unit)
            for k in project.resolve("delivery.delivery-kpis").node.kpis}
    assert kpis == {
        "交付环节NPS": (">=", 9, None, "分"), "交付时长": ("range", 15, 20, "分钟"),
        "二次确认率": ("<=", None, 1, "%"), "社交传播率": (">=", 20, None, "%"),
        "转介绍率": (">=", 30, None, "%"), "增值销售转化率": ("range", 10, 15, "%"),
    }
    windows = {m.number: m.window and (m.window.anchor, m.window.start, m.window.end)
               for m in project.resolve("mobile-experience.mots").node.mots}
    assert windows == {1: ("booking", 0, 5), 2: ("arrival", -15, -15), 3: ("meeting", 0, 0.5),
                       4: None, 5: None}
    segments = {s.label: (s.low, s.high, s.deadline)
                for s in project.resolve("mobile-experience.nps-segments").node.segments}
    assert segments == {"推荐者": (9, 10, "7天内"), "被动者": (7, 8, "3天内"), "贬损者": (0, 6, "24小时内")}
    recovery = project.resolve("mobile-experience.detractor-recovery").node
    assert recovery.responds_to == "detractors" and recovery.steps[0].deadline == "24小时内"
    assert [e.day for e in project.resolve("mobile-experience.recovery-followups").node.entries] == [3, 7, 30]
    wang = project.resolve("mobile-experience.wang-timeline").node
    tagged = [(e.day, e.time, e.marks, e.mot) for e in wang.events if e.marks]
    assert tagged == [(0, "11:30", ["booking"], "mot-1"), (1, "09:45", ["departure"], "mot-2"),
                      (1, "09:58", ["arrival"], "mot-3"), (1, None, ["meeting"], "mot-3"),
                      (1, "10:35", ["done"], "mot-5")]
