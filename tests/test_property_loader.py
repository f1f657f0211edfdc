"""Property-based tests (hypothesis) for the loader: whatever an editor writes, it loads or fails
with a located error, and never with a Python exception.

- generated well-formed chapters load through load_project into exactly the model that the same
  data validates to, and survive a dump → YAML → load round trip;
- random edits of a valid chapter (a deleted character, a duplicated line, a tab, `: `, an anchor,
  a non-UTF-8 byte...) either load (and then the checks run) or raise LoadFailed whose every
  finding names the file and a line >= 1.

Every input tried is counted in INPUTS; test_property_zz_report.py prints the counts (`pytest -s`).
"""
from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sopbook.source.yaml_loader as yaml_source
from sopbook.checks import run_checks
from sopbook.findings import LoadFailed
from sopbook.model.nodes import Chapter
from sopbook.model.project import load_project
from sopbook.source.yaml_loader import parse_yaml

from projects import HANDBOOK, write_project

INPUTS: Counter = Counter()  # kind of input -> how many were tried (reported by the last test)

BOUNDED = settings(max_examples=200, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- well-formed chapters ---------------------------------------------------------------------
ids = st.from_regex(r"\A[a-z0-9]{1,8}(?:-[a-z0-9]{1,6}){0,2}\Z")
CHINESE = "交付管理客户服务刹车确认满意口碑微笑检查车辆流程环节到店离店预约回访异响电池"
# characters YAML gives a meaning to, and words YAML 1.1 would turn into booleans or numbers
TRICKY = [":", ": ", "#", " #", "- ", "?", "!", "&", "*", "|", ">", "'", '"', "%", "@", "`", "{", "}",
          "[", "]", ",", "，", "：", "９：００", "9:00", "no", "yes", "on", "null", "~", "1.50", "0x1F",
          "<script>", "{{ 7*7 }}", "\\", "\t", "\n"]
cn_text = st.lists(st.one_of(st.sampled_from(list(CHINESE)), st.sampled_from(TRICKY)), min_size=1,
                   max_size=12).map("".join)
# NEL, LS and PS are refused by the loader with a located error (see test_hostile_loader), and so
# are control characters (Cc) other than tab and line feed, which TRICKY holds: they are no part of
# a well-formed document; surrogates cannot be written in UTF-8 at all.
any_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"),
                   min_size=1, max_size=20)
text = st.one_of(cn_text, cn_text, any_text).map(str.strip).filter(bool)
times = st.builds(lambda h, m, pad: f"{h:02d}:{m:02d}" if pad else f"{h}:{m:02d}",
                  st.integers(0, 23), st.integers(0, 59), st.booleans())
minutes = st.one_of(st.integers(0, 60), st.integers(0, 120).map(lambda n: n / 2))


@st.composite
def procedure(draw):
    steps = draw(st.lists(st.fixed_dictionaries(
        {"id": ids, "title": text, "minutes": minutes},
        optional={"label": text, "actions": st.lists(text, max_size=3), "key": text}),
        min_size=1, max_size=6, unique_by=lambda s: s["id"]))
    block = {"type": "procedure", "id": draw(ids), "title": draw(text), "steps": steps}
    if draw(st.booleans()):
        block["total_minutes"] = sum(s["minutes"] for s in steps)
    return block


@st.composite
def timeline(draw):
    events = draw(st.lists(st.fixed_dictionaries(
        {"time": times, "text": text}, optional={"actor": text, "day": st.integers(0, 3)}),
        min_size=1, max_size=6))
    return {"type": "timeline", "id": draw(ids), "title": draw(text), "events": events}


checklist = st.fixed_dictionaries(
    {"type": st.just("checklist"), "id": ids, "title": text, "items": st.lists(text, min_size=1, max_size=5)},
    optional={"kind": st.sampled_from(["read-do", "do-confirm"]),
              "confirmation": st.fixed_dictionaries({"question": text, "expected": text})})
kpis = st.fixed_dictionaries({
    "type": st.just("kpis"), "id": ids, "title": text,
    "kpis": st.lists(st.fixed_dictionaries({
        "id": ids, "name": text, "definition": text,
        "target": st.sampled_from(["≥9分", "≤1%", "15-20分钟", "10-15%", "≥ 90%", "３０分钟"])}),
        min_size=1, max_size=3, unique_by=lambda k: k["id"])})
table = st.integers(1, 4).flatmap(lambda n: st.fixed_dictionaries({
    "type": st.just("table"), "columns": st.lists(text, min_size=n, max_size=n),
    "rows": st.lists(st.lists(st.one_of(text, st.integers(0, 10**6)), min_size=n, max_size=n), max_size=4)}))
block = st.one_of(text, procedure(), timeline(), checklist, kpis, table)


@st.composite
def chapters(draw):
    sections = []
    for section_id in draw(st.lists(ids, min_size=1, max_size=3, unique=True)):
        sections.append({"id": section_id, "title": draw(text),
                         "blocks": draw(st.lists(block, min_size=1, max_size=3))})
    chapter = {"id": draw(ids), "title": draw(text), "sections": sections}
    if draw(st.booleans()):
        chapter["day"] = draw(st.sampled_from(["18.5", "19", "第一天"]))
    return chapter


def _unique_ids(chapter: dict) -> bool:
    """Ids are unique in a chapter (the loader rightly refuses duplicates): keep such chapters."""
    seen: list[str] = []

    def visit(node):
        if isinstance(node, dict):
            if "id" in node and node is not chapter:
                seen.append(node["id"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(chapter)
    return len(seen) == len(set(seen))


class _Dumper(yaml.SafeDumper):
    """PyYAML dumps for YAML 1.1; our loader reads YAML 1.2, where `1.5e3` (no exponent sign) is
    a number. Quote what 1.2 would read as a number so the text is the one generated."""


_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(
    r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"), list("-+0123456789."))


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=80)


def _write_chapter(root: Path, text: str | bytes) -> None:
    path = root / "content" / "ch.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


@pytest.fixture(scope="module")
def project_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("property")
    write_project(root)
    return root


@BOUNDED
@given(chapter=chapters().filter(_unique_ids))
def test_generated_chapters_load_into_the_model_and_round_trip(project_root, chapter):
    INPUTS["generated chapter"] += 1
    _write_chapter(project_root, dump(chapter))
    loaded = load_project(project_root).chapters[0]
    assert loaded.model_dump() == Chapter.model_validate(chapter).model_dump()
    assert loaded.title == chapter["title"]  # text comes back verbatim (it was stripped when generated)
    for section, raw in zip(loaded.sections, chapter["sections"], strict=True):
        for blk, raw_block in zip(section.blocks, raw["blocks"], strict=True):
            if isinstance(raw_block, str):
                assert blk.text == raw_block
            elif raw_block["type"] == "timeline":
                assert [e.time for e in blk.events] == [
                    f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}"
                    for t in (e["time"] for e in raw_block["events"])]
            elif raw_block["type"] == "table":
                assert blk.rows == [[str(c) for c in row] for row in raw_block["rows"]]

    # and what the model holds, written back out as YAML, loads to the same model again
    _write_chapter(project_root, dump(loaded.model_dump(mode="json", exclude_none=True)))
    INPUTS["round trip"] += 1
    assert load_project(project_root).chapters[0].model_dump() == loaded.model_dump()


@BOUNDED
@given(h=st.integers(0, 23), m=st.integers(0, 59), full_width=st.booleans())
def test_unquoted_times_are_clock_times_never_base60(project_root, h, m, full_width):
    INPUTS["unquoted time"] += 1
    written = f"{h}:{m:02d}"
    if full_width:  # what a Chinese input method types: ９：００
        written = written.translate(str.maketrans("0123456789:", "０１２３４５６７８９："))
    _write_chapter(project_root, textwrap.dedent(f"""\
        id: ch
        title: 时间
        sections:
          - id: s
            title: 小节
            blocks:
              - type: timeline
                id: t
                title: 时间线
                events:
                  - time: {written}
                    text: 到达
        """))
    (event,) = load_project(project_root).chapters[0].sections[0].blocks[0].events
    assert event.time == f"{h:02d}:{m:02d}"


# ---- random edits of a valid chapter --------------------------------------------------------------
VALID = """\
# yaml-language-server: $schema=../schema/chapter.schema.json
id: ch
title: 交付管理
day: "18.5"
lead: {label: 核心命题, text: 交付不是服务的结束}
sections:
  - id: golden-sop
    title: 完美交付的黄金SOP
    blocks:
      - type: procedure
        id: delivery-sop
        title: 黄金SOP
        total_minutes: 15
        governed_by: delivery-time
        steps:
          - {id: atmosphere, label: Step 1, title: 氛围营造, minutes: 2}
          - {id: showcase, label: Step 2, title: 成果展示, minutes: 5, actions: [出示旧件, 对比前后]}
          - id: verify
            label: Step 3
            title: 功能验证
            minutes: 3
            blocks:
              - type: checklist
                id: verify-brakes
                title: 刹车系统
                kind: do-confirm
                items: [邀请客户踩刹车踏板,感受力度, 试车测试刹车效果]
                confirmation: {question: 刹车正常了吗?, expected: 点头确认}
          - {id: surprise, label: Step 4, title: 惊喜制造, minutes: 3}
          - {id: connect, label: Step 5, title: 情感连接, minutes: 2}
      - 一段普通的文字
  - id: kpi
    title: 核心指标
    blocks:
      - type: kpis
        id: kpis
        title: KPI体系
        kpis:
          - {id: delivery-time, name: 交付时长, definition: 从通知取车到客户离开的时间, target: 15-20分钟}
          - id: nps
            name: 交付NPS
            definition: 推荐意愿
            target: ≥9分
            levers: [提前准备, 流程标准化]
  - id: day
    title: 一天的时间线
    blocks:
      - type: timeline
        id: li
        title: 李先生的一天
        stated_total_minutes: 22
        events:
          - {time: 9:00, actor: 顾问, text: 客户到店, minutes: 2, marks: [arrival]}
          - {time: "09:02", text: 接车}
          - {day: 1, time: ９：００, text: 次日回访}
      - type: table
        columns: [项目, 传统, 新]
        rows:
          - [时长, 20分钟, 1.50]
          - [评分, 7, 9]
      - type: segments
        id: nps-segments
        title: NPS客户分层
        segments:
          - {id: detractor, label: 贬损者, low: 0, high: 6, strategy: [立即回访], deadline: 24小时内}
          - {id: promoter, label: 推荐者, low: 9, high: 10, strategy: [邀请推荐], deadline: 7天内}
      - type: calculation
        id: roi
        title: 投入产出
        op: divide
        inputs:
          - {label: 毛利, value: "¥30万"}
          - {label: 投入, value: ¥15}
        result: 20,000倍
      - type: followups
        entries:
          - {day: 0, text: 发送感谢短信}
          - {day: 3, text: 电话回访}
      - type: talk
        lines:
          - {speaker: 顾问, action: 微笑, text: 您好}
  - id: ritual-why
    title: 为什么需要仪式感?
    pending: true
acknowledged:
  - code: timings.timeline-total
    address: li
    reason: 源文件如此
"""

# byte strings an editor (or a hostile contributor) might put anywhere
TOKENS = [b"\t", b": ", b"- ", b"&a ", b"*a", b"&a [x] ", b'"', b"'", b"{", b"}", b"[", b"]", b"#", b"\n",
          b"  ", b"    ", b"? ", b"|", b">", b"%", b"@", b"`", b"!", b"!!python/object/apply:os.system ",
          b"!!binary ", b"<<: *a\n", b"---\n", b"...\n", b"\\", b",", b"\x00", b"\x07", b"\xff", b"\xc3",
          b"\xef\xbb\xbf", "９：００".encode(), "：".encode(), "\u3000".encode(), "\u00a0".encode(),
          b"\r", b"\r\n", b"9:00", b"1e400", b"99999999999999999999", b".nan", b"-1", b"0", b"null",
          b"no", b"true", b"id: x\n", b"type: pending\n", b"{{ 7*7 }}", b"<script>", b"..", b"/"]


@st.composite
def mutated(draw, source: bytes):
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 4))):
        lines = bytes(data).split(b"\n")
        op = draw(st.sampled_from(["delete", "insert", "dup-line", "del-line", "indent", "dedent", "swap",
                                   "replace"]))
        if op in ("delete", "insert", "replace"):
            at = draw(st.integers(0, max(0, len(data) - 1)))
            if op == "delete":
                del data[at:at + draw(st.integers(1, 3))]
            elif op == "insert":
                data[at:at] = draw(st.sampled_from(TOKENS))
            else:
                data[at:at + 1] = draw(st.sampled_from(TOKENS))
            continue
        n = draw(st.integers(0, len(lines) - 1))
        if op == "dup-line":
            lines.insert(n, lines[n])
        elif op == "del-line":
            del lines[n]
        elif op == "indent":
            lines[n] = b" " * draw(st.integers(1, 4)) + lines[n]
        elif op == "dedent":
            lines[n] = lines[n][draw(st.integers(1, 4)):] if lines[n].startswith(b" ") else lines[n]
        else:
            m = draw(st.integers(0, len(lines) - 1))
            lines[n], lines[m] = lines[m], lines[n]
        data = bytearray(b"\n".join(lines))
    return bytes(data)


# values of every shape, for the places that expect another: wrong types anywhere in the tree
odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    text, st.sampled_from(["", "９", "1e400", ".inf", "9:00", "24:00", "Bad_Id", "a/b", "..", "交付",
                           "x" * 200, "0-6", "¥", "∞", "-1"]),
    st.lists(text, max_size=3), st.dictionaries(st.sampled_from(["id", "text", "title", "type", "x"]),
                                                text, max_size=3))


def _plain(node):
    """The loader's located containers and numbers as plain Python, for yaml.dump."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


@st.composite
def tree_mutated(draw, source: str):
    """The valid chapter as data, with one to three values (or keys) swapped for another shape."""
    data = _plain(parse_yaml(source, "ch.yml"))
    for _ in range(draw(st.integers(1, 3))):
        paths: list[tuple] = []

        def collect(node, path, paths=paths):
            paths.append(path)
            if isinstance(node, dict):
                for key, value in node.items():
                    collect(value, (*path, key))
            elif isinstance(node, list):
                for n, value in enumerate(node):
                    collect(value, (*path, n))

        collect(data, ())
        path = draw(st.sampled_from(paths[1:]))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "rename"]))
        if action == "replace":
            parent[path[-1]] = draw(odd_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["tittle", "minuts", "at", "type", "items", "id", "steps"]))] = (
                parent.pop(path[-1]))
    return dump(data)


def _lines(root: Path, display: str) -> int:
    return len(re.split(rb"\r\n|\r|\n", (root / display).read_bytes()))


def _load_or_located(root: Path, kind: str) -> None:
    """The property: a project loads (and every check runs), or LoadFailed names file and line."""
    INPUTS[kind] += 1
    try:
        project = load_project(root)
    except LoadFailed as exc:
        assert exc.findings, "LoadFailed without a finding"
        for finding in exc.findings:
            assert finding.loc.file and finding.loc.line >= 1, f"unlocated: {finding}"
            last = _lines(root, finding.loc.file)
            assert finding.loc.line <= last, f"beyond the end of the file: {finding}"
            assert finding.message and "Traceback" not in finding.message
        INPUTS[f"{kind}: located error"] += 1
        return
    for finding in run_checks(project):
        assert finding.loc.file, f"unlocated: {finding}"
    INPUTS[f"{kind}: loaded"] += 1


def test_the_unmutated_chapter_is_valid(project_root):
    _write_chapter(project_root, VALID)
    project = load_project(project_root)
    assert [f.code for f in run_checks(project) if f.level == "error" and not f.acknowledged] == []


@BOUNDED
@given(data=mutated(VALID.encode()))
def test_mutated_chapter_loads_or_fails_located(project_root, data):
    _write_chapter(project_root, data)
    _load_or_located(project_root, "mutated chapter")


@BOUNDED
@given(text=tree_mutated(VALID))
def test_values_of_the_wrong_shape_anywhere_fail_located(project_root, text):
    _write_chapter(project_root, text)
    _load_or_located(project_root, "wrong-shape chapter")


CARDS = """\
cards:
  - id: verify-card
    title: 现场验证卡
    source: ch.verify-brakes
    kind: do-confirm
    back: [ch.nps-segments]
  - {id: nps-card, source: ch.nps-segments}
"""


@settings(BOUNDED, max_examples=100)
@given(handbook=mutated(HANDBOOK.encode()), cards=mutated(CARDS.encode()))
def test_mutated_handbook_and_cards_load_or_fail_located(project_root, handbook, cards):
    _write_chapter(project_root, VALID)
    (project_root / "handbook.yml").write_bytes(handbook)
    (project_root / "checklists" / "cards.yml").write_bytes(cards)
    try:
        _load_or_located(project_root, "mutated handbook+cards")
    finally:
        (project_root / "handbook.yml").write_text(HANDBOOK, encoding="utf-8")
        (project_root / "checklists" / "cards.yml").unlink()


# ---- the two readers agree -------------------------------------------------------------------------
# parse_yaml reads an ordinary file with libyaml and leaves everything else to PyYAML's Python
# loader. Whatever a file holds, the fast reader must give exactly what the Python loader gives,
# the same values and the same file:line:col for every mapping, key and item, or leave the file
# to it: a finding's location must not depend on which reader took the file.
def _located(value):
    """A value with everything a finding can point at: types, written forms, locations."""
    if isinstance(value, dict):
        return ("map", value.loc, [(k, value.key_locs[k], _located(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", value.loc, value.item_locs, [_located(v) for v in value])
    return (type(value).__name__, getattr(value, "source", None), value)


def _read(text: str):
    try:
        return _located(parse_yaml(text, "ch.yml"))
    except LoadFailed as exc:
        return [str(f) for f in exc.findings]


def _both_readers_agree(text: str, kind: str) -> None:
    INPUTS[kind] += 1
    composed = []  # parse_yaml calls _compose when it leaves the file to the Python loader
    compose = yaml_source._compose
    yaml_source._compose = lambda *args: composed.append(True) or compose(*args)
    try:
        fast = _read(text)
    finally:
        yaml_source._compose = compose
    if composed:
        INPUTS[f"{kind}: left to the Python loader"] += 1
        return
    INPUTS[f"{kind}: read by libyaml"] += 1
    saved, yaml_source._CParser = yaml_source._CParser, None
    try:
        assert fast == _read(text)
    finally:
        yaml_source._CParser = saved


scalars = st.one_of(text, st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.sampled_from(["", " ", "-", "?", ":", "#", "<<", "- x", "? x", "a: b", "[x]", "*a",
                                     "&a", "!x", "%x", "@x", "`x`", "'", '"', "9:00", "no", "0x1F", "1e3",
                                     ".inf", "-.5", "+1", "00", "x\n", "\n\nx\n\n", "  x", "x  ", "x #y",
                                     "x# y"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(text, st.sampled_from(["<<", "?", "-", "a b", "9:00"])),
                                            inner, max_size=4)),
    max_leaves=25)


@st.composite
def written(draw):
    """A document as an editor or a YAML library writes it: block or flow, any quoting, any width."""
    return yaml.dump(draw(documents), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=draw(st.sampled_from([False, True, None])),
                     default_style=draw(st.sampled_from([None, None, '"', "'", "|", ">"])),
                     width=draw(st.sampled_from([20, 80, 1000])), indent=draw(st.sampled_from([2, 4])))


@BOUNDED
@given(text=written())
def test_libyaml_and_the_python_loader_read_generated_documents_alike(text):
    _both_readers_agree(text, "generated document, both readers")


# What editors type by hand, where libyaml and PyYAML part ways if anywhere: indicators glued to
# text or comments, block scalar headers, flow collections over lines, anchors, tags, escapes.
HAND_VALUES = ["x", "交付", "9:00", "no", "1.50", "~", '"x"', "'x'", '"a\\tb"', '"\\e"', '"\\ud800"',
               "x #c", "x#c", '"x"#c', '"x" #c', "[a, b]", "[a, b]#c", "[?x]", "[? x]", "[-]", "[-x]",
               "[a, -]", "{?k: v}", "{k: v?}", "{k: v, ?: w}", "[a:b]", "{a:b}", "[a,", "[\n  a,\n  b]",
               "[\na]", "{k:\nv}", '"a\nb"', '"a\n  b"', "'a\nb'", "|", "|\n  t", "|+\n  t\n\n", "|-\n  t",
               ">\n  t\n   u", "># c\n  t",
               "|# c\n  t", "| # c\n  t", ">2\n   t", "|\n   \n  t", "&a x", "&a:b x", "*a", "!x y",
               "!!str 1", "!!int x",
               "! 1", "<<", "? x", "- x", "@x", "`x`", "%x", "x: y", "-", "?", ":"]


@st.composite
def hand_written(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["%YAML 1.2\n---", "%YAML 1.1#x\n---", "---", "# c"])))
    for _ in range(draw(st.integers(1, 6))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
        head = draw(st.sampled_from(["k: ", "- ", "<<: ", "? ", '"k": ', "k:", "- k: "]))
        key = draw(st.sampled_from(["", "", "1", "2"]))
        value = draw(st.sampled_from(HAND_VALUES)).replace("\n", "\n" + indent)
        lines.append(indent + head.replace("k", "k" + key) + value)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n  ", "\n\n"]))


@settings(BOUNDED, max_examples=600)
@given(text=hand_written())
def test_libyaml_and_the_python_loader_read_hand_written_yaml_alike(text):
    _both_readers_agree(text, "hand-written document, both readers")


@BOUNDED
@given(data=mutated(VALID.encode()))
def test_libyaml_and_the_python_loader_read_mutated_chapters_alike(data):
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # the reader refuses what decode() would; both see the same text
    _both_readers_agree(text, "mutated chapter, both readers")


@pytest.mark.parametrize("text", ["block: ># comment\n  scalar\n", "- [-, -]\n", "[?x]\n", 'a: "x"#c\n',
                                  '# c\nk: "x"#c\n', "flow: [a,\nb]\n", 'q: "a\nb"\n',
                                  "%YAML 1.1#x\n---\na\n",
                                  "<<: {a: 1}\n"])
def test_the_readers_agree_where_libyaml_reads_yaml_differently(text):
    _both_readers_agree(text, "known difference, both readers")
