"""The checks' findings as a Chinese trainer reads them: the exact message and hint of each check's
acceptance case, at the same file:line and with the same code as in English; and `sopbook check`
speaking the handbook's language (mkdocs.yml theme.language, handbook.yml language:, --lang)."""
from __future__ import annotations

import json

from sopbook.checks import run_checks
from sopbook.cli import main
from sopbook.model.project import load_project

from projects import HANDBOOK, chapter, write_project


def said(root, code: str) -> list[tuple[str, str, str]]:
    """(place, Chinese message, Chinese hint) of the findings with `code`; the same findings in
    English have the same level, place and address."""
    zh = [f for f in run_checks(load_project(root, "zh")) if f.code == code]
    en = [f for f in run_checks(load_project(root, "en")) if f.code == code]
    assert [(f.level, f.loc, f.address) for f in zh] == [(f.level, f.loc, f.address) for f in en]
    assert all(f.message_in("zh") != f.message_in("en") for f in zh)
    return [(str(f.loc), f.message_in("zh"), f.hint_in("zh")) for f in zh]


SOP = """
- type: procedure
  id: sop
  title: 完美交付的黄金SOP
  total_minutes: 16
  steps:
    - {id: s1, title: 氛围营造, minutes: 2}
    - {id: s2, title: 成果展示, minutes: 5}
    - {id: s3, title: 功能验证, minutes: 3}
    - {id: s4, title: 惊喜制造, minutes: 3}
    - {id: s5, title: 情感连接, minutes: 2}
"""

KPIS = """
- type: kpis
  id: kpis
  title: KPI体系
  kpis:
    - {id: delivery-time, name: 交付时长, definition: 从通知取车到客户离开的时间, target: 15-20分钟}
"""


def test_steps_that_sum_to_15_while_the_procedure_states_16(tmp_path):
    write_project(tmp_path, chapter(SOP))
    assert said(tmp_path, "timings.step-sum") == [(
        "content/ch.yml:7:9",
        "流程“完美交付的黄金SOP”:各步骤合计 15 分钟(2 + 5 + 3 + 3 + 2),但流程写明 16 分钟",
        "更正某个步骤的分钟数或写明的总时长")]


def test_a_total_outside_the_kpi_that_governs_it(tmp_path):
    write_project(tmp_path, chapter(KPIS + """- type: procedure
  id: sop
  title: 交付SOP
  total_minutes: 25
  governed_by: delivery-time
  steps:
    - {id: a, title: 全部, minutes: 25}
"""))
    assert said(tmp_path, "timings.kpi-range") == [(
        "content/ch.yml:12:9",
        "流程“交付SOP”用时 25 分钟,超出指标“交付时长”的目标值 15-20分钟",
        "缩短流程,或重新审视这个指标")]


def test_a_count_claimed_in_a_title_that_the_items_do_not_match(tmp_path):
    write_project(tmp_path, """\
        id: ch
        title: 服务
        sections:
          - id: mission
            title: 服务的三大使命
            blocks:
              - {type: list, items: [让客户安心, 让客户省心]}
    """)
    assert said(tmp_path, "completeness.claimed-count") == [(
        "content/ch.yml:4:5",
        "“服务的三大使命”写明有 3 项,但列出了 2 项(写明 3,实际 2)",
        "列出标题所说的每一项;如果源文件没有正文,就把这个标题标为待补充")]


def test_an_empty_section_neither_written_nor_pending(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n  - {id: e, title: 本章核心要点}\n")
    assert said(tmp_path, "completeness.empty-section") == [(
        "content/ch.yml:4:5",
        "小节“本章核心要点”是空的",
        "写上内容;如果源文件这里本来就是空的,设置 pending: true")]


def test_a_pending_heading_is_listed_by_its_title(tmp_path):
    write_project(tmp_path, """\
        id: ch
        title: 交付
        sections:
          - id: moves
            title: 特斯拉惊喜制造的六大招式
            pending: true
    """)
    assert said(tmp_path, "completeness.pending") == [(
        "content/ch.yml:4:5", "待补充:“特斯拉惊喜制造的六大招式”(源文件有这个标题,但没有正文)", "")]
    (f,) = [f for f in run_checks(load_project(tmp_path, "zh")) if f.code == "completeness.pending"]
    assert f.params["title"] == "特斯拉惊喜制造的六大招式"  # the report lists pending headings by it


def test_a_broken_reference_with_its_did_you_mean(tmp_path):
    write_project(tmp_path, chapter(KPIS + """- type: procedure
  id: sop
  title: SOP
  governed_by: ch.delivery-tme
  steps: [{id: a, title: 一}]
"""))
    assert said(tmp_path, "references.missing") == [(
        "content/ch.yml:12:9", "指标“ch.delivery-tme”不存在", "最接近的现有 id:ch.delivery-time")]


def test_a_calculation_whose_stated_result_is_wrong(tmp_path):
    write_project(tmp_path, chapter("""
- type: calculation
  id: roi
  title: 体验设计的ROI
  op: divide
  inputs:
    - {label: 毛利, value: ¥6万}
    - {label: 总成本, value: ¥40}
  result: 1,600倍
"""))
    assert said(tmp_path, "arithmetic.calculation") == [(
        "content/ch.yml:7:9",
        "计算“体验设计的ROI”:¥6万 ÷ ¥40 = 1,500,但写明的结果是 1,600倍",
        "更正输入值或写明的结果")]


def test_a_checklist_without_confirmation_on_a_card(tmp_path):
    write_project(tmp_path, chapter("""
- type: checklist
  id: list
  title: 交车前检查
  kind: do-confirm
  items: [检查仪表盘, 测试功能]
"""), files={"checklists/cards.yml": "cards:\n  - id: card\n    source: ch.list\n"})
    assert said(tmp_path, "cards.no-confirmation") == [(
        "content/ch.yml:7:9",
        "检查单 ch.list 没有确认行(检查卡:card)",
        "添加 confirmation: {question: ..., expected: ...} 或 {text: 客户签字确认}:结束这张检查单的那个动作")]


def test_a_timeline_that_breaks_a_mot_window(tmp_path):
    write_project(tmp_path, chapter("""
- type: mots
  id: mots
  title: 移动服务的关键时刻
  mots:
    - {id: mot-2, number: 2, title: 到达前通知时刻, timing: 技师到达前15分钟, expectation: 了解进度,
       design: [GPS实时位置分享], pain_points: [等待不确定],
       window: {anchor: arrival, start: -15, end: -15}}
- type: timeline
  id: wang
  title: 王先生
  events:
    - {time: 9:45, text: 收到短信, mot: mot-2}
    - {time: 9:58, text: 准时到达, marks: [arrival]}
"""))
    assert said(tmp_path, "timings.mot-window") == [(
        "content/ch.yml:18:13",
        "时间线“王先生”:关键时刻“到达前通知时刻”发生在 09:45,相对“arrival”(09:58)为 -13 分钟;"
        "规则“技师到达前15分钟”允许 -15 到 -15 分钟",
        "调整事件时间,或写一条确认说明:这个案例本身就违反了规则")]


def test_a_clock_on_a_later_day_is_named_in_the_handbooks_language(tmp_path):
    write_project(tmp_path, chapter("""
- type: timeline
  id: rescue
  title: 雨夜救援
  stated_total_minutes: 60
  events:
    - {time: 22:10, text: 到家}
    - {day: 1, day_label: 次日, time: 15:00, text: 换胎}
"""))
    assert said(tmp_path, "timings.timeline-total") == [(
        "content/ch.yml:7:9",
        "时间线“雨夜救援”共 1010 分钟(22:10–1 天后 15:00),但写明为 60 分钟",
        "汇总与时间线必须说法一致")]
    (f,) = [f for f in run_checks(load_project(tmp_path, "en")) if f.code == "timings.timeline-total"]
    assert f.message == "timeline '雨夜救援' runs 1010 minutes (22:10–15:00 (day +1)), but it is stated as 60"


# `sopbook check` as an editor runs it in a Chinese handbook.
MKDOCS_ZH = "site_name: 测试手册\ntheme: {name: material, language: zh}\n"
STEP_SUM_ZH = "流程“完美交付的黄金SOP”:各步骤合计 15 分钟(2 + 5 + 3 + 3 + 2),但流程写明 16 分钟"
STEP_SUM_EN = ("procedure '完美交付的黄金SOP': steps sum to 15 minutes (2 + 5 + 3 + 3 + 2), "
               "but the procedure states 16")


def chinese_handbook(root, handbook: str = HANDBOOK):
    return write_project(root, chapter(SOP), handbook=handbook, files={"mkdocs.yml": MKDOCS_ZH})


def check(root, capsys, *extra: str) -> tuple[int, list[str]]:
    code = main(["--root", str(root), "check", *extra])
    return code, capsys.readouterr().out.splitlines()


def test_check_speaks_the_language_of_mkdocs_theme(tmp_path, capsys):
    code, out = check(chinese_handbook(tmp_path), capsys)
    assert code == 1
    assert out[:3] == ["content/ch.yml",
                       f"  7:9      错误    {STEP_SUM_ZH}  [timings.step-sum]",
                       "                   建议: 更正某个步骤的分钟数或写明的总时长"]


def test_lang_en_overrides_the_handbooks_language(tmp_path, capsys):
    code, out = check(chinese_handbook(tmp_path), capsys, "--lang", "en")
    assert code == 1
    assert out[:3] == ["content/ch.yml",
                       f"  7:9      error   {STEP_SUM_EN}  [timings.step-sum]",
                       "                   hint: correct a step's minutes or the stated total"]


def test_handbook_language_beats_mkdocs_theme_language(tmp_path, capsys):
    code, out = check(chinese_handbook(tmp_path, HANDBOOK + "language: en\n"), capsys)
    assert code == 1
    assert out[1] == f"  7:9      error   {STEP_SUM_EN}  [timings.step-sum]"


def test_json_keeps_codes_levels_and_places_in_both_languages(tmp_path, capsys):
    root = chinese_handbook(tmp_path)
    reports = {}
    for lang in ("zh", "en"):
        code, out = check(root, capsys, "--format", "json", "--lang", lang)
        assert code == 1
        reports[lang] = json.loads("\n".join(out))
    zh, en = reports["zh"], reports["en"]
    assert (zh["language"], en["language"]) == ("zh", "en")
    assert zh["summary"] == en["summary"]
    place = ("level", "code", "file", "line", "col", "address", "acknowledged")
    assert [[f[k] for k in place] for f in zh["findings"]] == [[f[k] for k in place] for f in en["findings"]]
    step_sum = [(z, e) for z, e in zip(zh["findings"], en["findings"], strict=True)
                if z["code"] == "timings.step-sum"]
    assert [(z["message"], e["message"]) for z, e in step_sum] == [(STEP_SUM_ZH, STEP_SUM_EN)]
    assert [(z["hint"], e["hint"]) for z, e in step_sum] == [
        ("更正某个步骤的分钟数或写明的总时长", "correct a step's minutes or the stated total")]
