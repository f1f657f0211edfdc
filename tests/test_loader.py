"""The loader: YAML pitfalls handled on purpose, every error located as file:line:col."""
from __future__ import annotations

import pytest

from sopbook.findings import LoadFailed
from sopbook.model.project import load_project

from projects import chapter, write_project


def errors_of(root) -> list[str]:
    with pytest.raises(LoadFailed) as info:
        load_project(root)
    return [str(f).splitlines()[0] for f in info.value.findings]


def test_unquoted_time_loads_as_a_time_not_base60(tmp_path):
    write_project(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 时间线
          events:
            - {time: 9:00, text: 到达}
            - {time: 08:55, text: 提前}
            - {time: "20:30", text: 晚上}
    """))
    events = load_project(tmp_path).index["ch.t"].node.events
    assert [e.time for e in events] == ["09:00", "08:55", "20:30"]


def test_full_width_time_is_normalised(tmp_path):
    write_project(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 时间线
          events:
            - {time: ９：００, text: 到达}
    """))
    assert load_project(tmp_path).index["ch.t"].node.events[0].time == "09:00"


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 一\ntitle: 二\nsections: []\n")
    assert errors_of(tmp_path) == [
        "content/ch.yml:3:1: error: duplicate key 'title' (first at line 2, again at line 3)"
    ]


def test_no_stays_text_where_text_is_expected(tmp_path):
    write_project(tmp_path, chapter("""
        - type: list
          items: [no, yes, off, on]
    """))
    block = load_project(tmp_path).chapters[0].sections[0].blocks[0]
    assert block.items == ["no", "yes", "off", "on"]


def test_unknown_field_says_did_you_mean_at_the_key(tmp_path):
    write_project(tmp_path, chapter("""
        - type: procedure
          id: p
          title: 流程
          steps:
            - {id: a, title: 第一步, minuts: 2}
    """))
    assert errors_of(tmp_path) == [
        "content/ch.yml:11:33: error: sections[0].blocks[0].steps[0].minuts: unknown field 'minuts'"
    ]
    with pytest.raises(LoadFailed) as info:
        load_project(tmp_path)
    assert info.value.findings[0].hint == "did you mean 'minutes'?"


def test_every_error_in_every_file_is_reported_at_once(tmp_path):
    write_project(tmp_path, chapter("""
        - type: kpi
          id: k
        - type: checklist
          id: Bad_Id
          title: 清单
    """), files={"content/other.yml": "id: other\ntitle: x\nsections: [}\n"})
    messages = errors_of(tmp_path)
    assert len(messages) == 3, messages
    assert messages[0].startswith("content/ch.yml:7:9: error: sections[0].blocks[0]: "
                                  "unknown block type 'kpi'")
    assert messages[1] == "content/ch.yml:10:9: error: sections[0].blocks[1].id: invalid id 'Bad_Id'"
    assert messages[2].startswith("content/other.yml:3:12: error: invalid YAML")


def test_not_utf8_names_the_file(tmp_path):
    write_project(tmp_path)
    (tmp_path / "content" / "gbk.yml").write_bytes("id: ch\ntitle: 交付\n".encode("gbk"))
    assert errors_of(tmp_path) == ["content/gbk.yml:2: error: file is not UTF-8 (byte 0xbd at offset 14)"]


def test_bom_and_crlf_are_harmless(tmp_path):
    write_project(tmp_path)
    (tmp_path / "content" / "ch.yml").write_bytes(
        "\ufeffid: ch\r\ntitle: 交付\r\nsections:\r\n  - {id: s, title: 小节, blocks: [文字]}\r\n".encode())
    assert load_project(tmp_path).chapters[0].title == "交付"


def test_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    write_project(tmp_path, bomb)
    (message,) = errors_of(tmp_path)
    assert "document expands to more than 200,000 nodes" in message


def test_kpi_target_is_parsed(tmp_path):
    write_project(tmp_path, chapter("""
        - type: kpis
          id: k
          title: KPI体系
          kpis:
            - {id: nps, name: 交付环节NPS, definition: 推荐意愿, target: ≥9分}
            - {id: time, name: 交付时长, definition: 时间, target: 15-20分钟}
            - {id: back, name: 二次确认率, definition: 比例, target: ≤1%}
    """))
    kpis = load_project(tmp_path).index["ch.k"].node.kpis
    assert [(k.target.op, k.target.low, k.target.high, k.target.unit) for k in kpis] == [
        (">=", 9, None, "分"), ("range", 15, 20, "分钟"), ("<=", None, 1, "%")]


def test_unreadable_target_is_located(tmp_path):
    write_project(tmp_path, chapter("""
        - type: kpis
          id: k
          title: KPI
          kpis:
            - {id: nps, name: NPS, definition: d, target: 大约9分}
    """))
    assert errors_of(tmp_path) == [
        "content/ch.yml:11:49: error: sections[0].blocks[0].kpis[0].target: "
        "cannot read target '大约9分'; write it like ≥9分, ≤1%, 15-20分钟 or 10-15%"]


def test_duplicate_id_in_a_chapter(tmp_path):
    write_project(tmp_path, chapter("""
        - {type: checklist, id: x, title: 一, items: [a]}
        - {type: checklist, id: x, title: 二, items: [b]}
    """))
    assert errors_of(tmp_path) == [
        "content/ch.yml:8:9: error: duplicate id 'x' in chapter 'ch' (first at content/ch.yml:7:9)"]


def test_question_mark_inside_a_flow_mapping_is_text(tmp_path):
    write_project(tmp_path, chapter("""
        - {type: checklist, id: c, title: 刹车系统, items: [踩刹车],
           confirmation: {question: 刹车正常了吗?, expected: 点头确认}}
    """))
    assert load_project(tmp_path).index["ch.c"].node.confirmation.question == "刹车正常了吗?"


def test_bare_string_is_a_paragraph_inside_steps_too(tmp_path):
    write_project(tmp_path, chapter("""
        - type: procedure
          id: p
          title: 流程
          steps:
            - {id: a, title: 第一步, blocks: [先说明流程]}
    """))
    step = load_project(tmp_path).index["ch.a"].node
    assert [(b.type, b.text) for b in step.blocks] == [("prose", "先说明流程")]
