"""Each check on a minimal fixture: the exact finding an editor reads, with file and line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sopbook.checks import run_checks
from sopbook.model.project import load_project

from projects import chapter, write_project

ROOT = Path(__file__).resolve().parents[1]


def findings(root, code_prefix=""):
    return [f for f in run_checks(load_project(root)) if f.code.startswith(code_prefix)]


def lines(root, code_prefix=""):
    return [str(f).splitlines()[0] for f in findings(root, code_prefix)]


SOP = """
- type: procedure
  id: sop
  title: 完美交付的黄金SOP
  total_minutes: 15
  steps:
    - {id: s1, title: 氛围营造, minutes: 2}
    - {id: s2, title: 成果展示, minutes: 5}
    - {id: s3, title: 功能验证, minutes: 3}
    - {id: s4, title: 惊喜制造, minutes: 2}
    - {id: s5, title: 情感连接, minutes: 2}
"""


def test_step_minutes_that_do_not_add_up_name_the_procedure(tmp_path):
    write_project(tmp_path, chapter(SOP))
    assert lines(tmp_path, "timings") == [
        "content/ch.yml:7:9: error: procedure '完美交付的黄金SOP': steps sum to 14 minutes "
        "(2 + 5 + 3 + 2 + 2), but the procedure states 15"]


def test_steps_that_add_up_are_silent(tmp_path):
    write_project(tmp_path, chapter(SOP.replace("s4, title: 惊喜制造, minutes: 2",
                                                "s4, title: 惊喜制造, minutes: 3")))
    assert lines(tmp_path, "timings") == []


def test_timeline_running_backwards(tmp_path):
    write_project(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 李女士
          events:
            - {time: 9:20, text: 签字}
            - {time: 9:15, text: 测试}
    """))
    assert lines(tmp_path, "timings") == [
        "content/ch.yml:12:13: error: timeline '李女士' runs backwards: 09:15 is listed after 09:20"]


def test_stated_duration_contradicted_by_next_event_is_a_warning_with_both_numbers(tmp_path):
    write_project(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 传统服务
          events:
            - {time: 9:00, text: 技师到达，更换门把手, minutes: 15}
            - {time: 9:10, text: 测试功能正常}
    """))
    (f,) = findings(tmp_path, "timings")
    assert (f.level, f.loc.line) == ("warning", 11)
    assert f.message == ("timeline '传统服务': the event at 09:00 states 15 minutes, "
                         "but the next event follows 10 minutes later at 09:10")


def test_next_day_events_use_day_offsets(tmp_path):
    write_project(tmp_path, chapter("""
        - type: timeline
          id: t
          title: 雨夜救援
          events:
            - {time: 22:10, text: 到家}
            - {day: 1, day_label: 次日, time: 15:00, text: 换胎}
    """))
    assert lines(tmp_path, "timings") == []


def test_claimed_count_with_nothing_listed(tmp_path):
    write_project(tmp_path, """\
        id: ch
        title: 交付
        sections:
          - id: moves
            title: 特斯拉惊喜制造的六大招式
            blocks:
              - {type: list, items: []}
    """)
    (f,) = findings(tmp_path, "completeness.claimed")
    assert str(f).splitlines()[0] == (
        "content/ch.yml:4:5: error: '特斯拉惊喜制造的六大招式' claims 6, but 0 are listed "
        "(claimed 6, found 0)")


def test_pending_heading_is_listed_not_failed(tmp_path):
    write_project(tmp_path, """\
        id: ch
        title: 交付
        sections:
          - id: moves
            title: 特斯拉惊喜制造的六大招式
            pending: true
    """)
    result = findings(tmp_path, "completeness")
    assert [(f.level, f.message) for f in result] == [
        ("info", "pending: '特斯拉惊喜制造的六大招式' (the source has this heading but no body)")]


def test_empty_section_is_an_error(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n  - {id: e, title: 本章核心要点}\n")
    assert lines(tmp_path, "completeness") == ["content/ch.yml:4:5: error: section '本章核心要点' is empty"]


def test_procedure_total_outside_the_kpi_that_governs_it(tmp_path):
    write_project(tmp_path, chapter("""
        - type: kpis
          id: kpis
          title: KPI体系
          kpis:
            - {id: delivery-time, name: 交付时长, definition: 从通知取车到客户离开的时间, target: 15-20分钟}
        - type: procedure
          id: sop
          title: 交付SOP
          total_minutes: 25
          governed_by: delivery-time
          steps:
            - {id: a, title: 全部, minutes: 25}
    """))
    assert lines(tmp_path, "timings") == [
        "content/ch.yml:12:9: error: procedure '交付SOP' takes 25 minutes, outside the target 15-20分钟 "
        "of KPI '交付时长'"]


def test_stated_calculation_result_that_does_not_follow(tmp_path):
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
    assert lines(tmp_path, "arithmetic") == [
        "content/ch.yml:7:9: error: calculation '体验设计的ROI': ¥6万 ÷ ¥40 = 1,500, "
        "but the result is stated as 1,600倍"]


def test_correct_calculation_is_silent(tmp_path):
    write_project(tmp_path, chapter("""
        - type: calculation
          id: clv
          title: CLV
          op: sum
          inputs: [{label: a, value: ¥10万}, {label: b, value: ¥40万},
                   {label: c, value: ¥120万}, {label: d, value: ¥250万}]
          result: ¥420万
    """))
    assert lines(tmp_path, "arithmetic") == []


def test_reference_to_missing_id_names_it_and_the_closest(tmp_path):
    write_project(tmp_path, chapter("""
        - type: kpis
          id: kpis
          title: KPI
          kpis:
            - {id: delivery-time, name: 交付时长, definition: d, target: 15-20分钟}
        - type: procedure
          id: sop
          title: SOP
          governed_by: ch.delivery-tme
          steps: [{id: a, title: 一}]
    """))
    (f,) = findings(tmp_path, "references")
    assert str(f).splitlines() == [
        "content/ch.yml:12:9: error: KPI 'ch.delivery-tme' does not exist",
        "    hint: closest existing ids: ch.delivery-time"]


def test_trainer_page_reference_is_checked_with_file_and_line(tmp_path):
    write_project(tmp_path, chapter("- {type: checklist, id: brakes, title: 刹车系统, items: [踩刹车]}"),
                  files={"docs/trainers/day1.md": "# 第一课\n\n先看 {{ ref('ch.brakes') }}。\n"
                         "再看 {{ ref('ch.brake') }}。\n"})
    assert lines(tmp_path, "references") == [
        "docs/trainers/day1.md:4:4: error: ref('ch.brake') points to an id that does not exist"]


def test_mot_window_against_a_case_timeline(tmp_path):
    write_project(tmp_path, chapter("""
        - type: mots
          id: mots
          title: 移动服务的五大关键时刻
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
    """).replace("五大", "一个"))
    assert [f.message for f in findings(tmp_path, "timings")] == [
        "timeline '王先生': 到达前通知时刻 happens at 09:45, -13 minutes from 'arrival' (09:58); "
        "its rule '技师到达前15分钟' allows -15 to -15"]


def test_acknowledged_finding_is_reported_but_does_not_fail(tmp_path):
    text = chapter("""
        - type: timeline
          id: li
          title: 传统服务
          stated_total_minutes: 20
          events:
            - {time: 9:00, text: 到达}
            - {time: 9:22, text: 离开}
    """, extra="acknowledged:\n  - {code: timings.timeline-total, address: li, reason: 源文件如此}\n")
    write_project(tmp_path, text)
    (f,) = findings(tmp_path, "timings")
    assert f.acknowledged == "源文件如此"
    cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(tmp_path), "check"],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout
    assert "Acknowledged (the source itself has these; they do not fail the check):" in cli.stdout


def test_cli_exit_code_and_json(tmp_path):
    write_project(tmp_path, chapter(SOP))
    cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(tmp_path), "check", "--format",
                          "json"],
                         capture_output=True, text=True)
    assert cli.returncode == 1
    data = json.loads(cli.stdout)
    assert data["summary"]["errors"] == 1
    assert data["findings"][0]["code"] == "timings.step-sum"
    assert (data["findings"][0]["file"], data["findings"][0]["line"]) == ("content/ch.yml", 7)


def test_load_error_exits_1_without_traceback(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: [\n")
    cli = subprocess.run([sys.executable, "-m", "sopbook.cli", "--root", str(tmp_path), "check"],
                         capture_output=True, text=True)
    assert cli.returncode == 1
    assert "Traceback" not in cli.stdout + cli.stderr
    assert cli.stdout.startswith("content/ch.yml\n  3:1")


def test_the_real_content_checks_without_errors():
    if not list((ROOT / "content").glob("*.yml")):
        raise AssertionError("content/ has no chapters")
    assert [str(f) for f in run_checks(load_project(ROOT)) if f.level == "error" and not f.acknowledged] == []
