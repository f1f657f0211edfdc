"""`sopbook import` on small course documents: each test shows the pasted text next to what the
draft holds, read back with sopbook's own loader and model (import_text does that for every draft)."""
from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from sopbook.checks import run_checks
from sopbook.importer import NothingToImport, import_text
from sopbook.importer.report import report_lines
from sopbook.model.nodes import (
    BulletList,
    Calculation,
    Case,
    Checklist,
    KpiTable,
    MotSet,
    Pending,
    Procedure,
    Prose,
    Section,
    SegmentTable,
    Table,
    TalkTrack,
    Timeline,
)
from sopbook.model.project import load_project, walk

from projects import HANDBOOK, write_project

HERE = Path(__file__).resolve().parent


def draft(text: str, name: str = "ch.txt"):
    result = import_text(textwrap.dedent(text).strip("\n") + "\n", name)
    assert result.load_findings == [], [str(f) for f in result.load_findings]
    assert result.chapter is not None
    return result


def checked(result, root: Path) -> list:
    """What `sopbook check` says about the draft in a project of its own (its errors and warnings)."""
    write_project(root, result.yaml, handbook=HANDBOOK.replace("id: ch", f"id: {result.chapter_id}"))
    return [f for f in run_checks(load_project(root)) if f.level != "info"]


def blocks(result, kind):
    return [node for node, _ in walk(result.chapter) if isinstance(node, kind)]


def test_every_line_is_placed_and_its_text_copied_as_written():
    result = draft("""
        交付管理:最后一公里
        核心命题:交付不是服务的结束。
        一、交付的本质
        交付环节的三大使命
        | 使命 |
        具体目标 |
        | 确认满意 |
        确保客户对服务结果满意 |
        下一章预告:Day 18.6 | 回访管理
    """)
    assert result.unplaced == [] and sorted(result.placed) == list(range(1, 10))
    chapter = result.chapter
    assert chapter.title == "交付管理:最后一公里"
    assert (chapter.lead.label, chapter.lead.text) == ("核心命题", "交付不是服务的结束。")
    table = blocks(result, Table)[0]
    assert (table.title, table.columns, table.rows) == ("交付环节的三大使命", ["使命", "具体目标"],
                                                        [["确认满意", "确保客户对服务结果满意"]])
    assert chapter.next_text == "下一章预告:Day 18.6 | 回访管理"
    assert chapter.next is None  # the id of the chapter it names is the editor's to give


def test_timed_steps_make_a_procedure_whose_total_the_check_can_measure():
    result = draft("""
        交付
        二、完美交付的黄金SOP:15分钟创造终身价值
        Step 1:氛围营造 - 仪式感的力量(2分钟)
        为什么需要仪式感?
        Step 2:成果展示(13分钟)
        成果展示的标准两步法:
        第一步:展示问题(Before)
        - 出示旧件或问题照片
        - "您看,这就是我们发现的问题"
        第二步:展示解决(After)
        - 对比前后差异
        四、指标
        KPI体系
        | 指标 |
        定义 |
        目标值 |
        改善方向 |
        | 交付时长 |
        从通知取车到客户离开的时间 |
        15-20分钟 |
        流程优化 |
    """)
    sop, showcase = blocks(result, Procedure)
    assert (sop.title, sop.total_minutes) == ("二、完美交付的黄金SOP:15分钟创造终身价值", 15)
    assert [(s.label, s.title, s.minutes) for s in sop.steps] == [
        ("Step 1", "氛围营造 - 仪式感的力量", 2), ("Step 2", "成果展示", 13)]
    assert isinstance(sop.steps[0].blocks[0], Pending) and sop.steps[0].blocks[0].title == "为什么需要仪式感?"
    assert showcase.title == "成果展示的标准两步法" and showcase in sop.steps[1].blocks
    assert [(s.label, s.title, s.actions) for s in showcase.steps] == [
        ("第一步", "展示问题(Before)", ["出示旧件或问题照片"]),
        ("第二步", "展示解决(After)", ["对比前后差异"])]
    talk = showcase.steps[0].blocks[0]
    assert isinstance(talk, TalkTrack) and talk.lines[0].text == "您看,这就是我们发现的问题"
    kpis = blocks(result, KpiTable)[0]
    kpi = kpis.kpis[0]
    assert (kpi.name, kpi.target.op, kpi.target.low, kpi.target.high, kpi.target.unit) == (
        "交付时长", "range", 15, 20, "分钟")
    assert sop.governed_by == kpi.id  # the chapter's one KPI in minutes
    assert "# governed_by: the chapter's one KPI with a target in minutes (交付时长)" in result.yaml


def test_a_checklist_is_closed_by_its_confirmation():
    result = draft("""
        交付
        验证清单:
        【刹车系统】
        □ 邀请客户踩刹车踏板,感受力度
        □ 试车测试刹车效果
        □ 客户确认:"刹车正常了吗?" → 点头确认
        【续航问题】
        □ 解释正常衰减范围
        □ 客户确认:"明白了,是正常的"
        【其他维修】
        □ 检查车辆外观和清洁度
        □ 客户签字确认
    """)
    brakes, battery, other = blocks(result, Checklist)
    assert brakes.title == "【刹车系统】"
    assert [i.text for i in brakes.items] == ["邀请客户踩刹车踏板,感受力度", "试车测试刹车效果"]
    confirm = brakes.confirmation
    assert (confirm.label, confirm.question, confirm.expected) == ("客户确认", "刹车正常了吗?", "点头确认")
    assert (battery.confirmation.question, battery.confirmation.expected) == (None, "明白了,是正常的")
    assert other.confirmation.text == "客户签字确认"
    assert [i.text for i in other.items] == ["检查车辆外观和清洁度"]


def test_split_table_rows_are_joined_back_and_the_draft_says_how():
    result = draft("""
        案例
        数据对比:
        | 维度 | 传统服务模式 | 峰终体验模式 | 差异 |
        |---|---|---|---|
        | 服务时长 | 20分钟 | 25分钟 | +5分钟 |
        | 额外成本 | ¥0 | ¥15 | |
        | (雨刮片+钥匙扣) | +¥15 | ||
        | 投资回报 | - | 1人购车=¥30万毛利 | |
        | ROI = 20,000倍 | 惊人 |
    """)
    table = blocks(result, Table)[0]
    assert table.rows == [["服务时长", "20分钟", "25分钟", "+5分钟"],
                          ["额外成本", "¥0", "¥15\n(雨刮片+钥匙扣)", "+¥15"],
                          ["投资回报", "-", "1人购车=¥30万毛利\nROI = 20,000倍", "惊人"]]
    assert table.reconstructed.startswith("The source split cells over 2 extra rows")
    assert result.rebuilt_tables == 1


def test_an_nps_table_split_over_rows_becomes_segments():
    result = draft("""
        体验
        NPS管理体系:
        | NPS区间 | 客户状态 | 处理策略 | 行动时限 |
        |---|---|---|---|
        | **9-10分 | |||
        | 推荐者** | 极度满意 | ||
        | 愿意推荐 | • 感谢回馈 | ||
        | • 激活推荐 | 7天内 | ||
        | **0-6分 | |||
        | 贬损者** | 不满意 | ||
        | 需要挽回 | • 24小时响应 | 24小时内 |
    """)
    segments = blocks(result, SegmentTable)[0]
    assert [(s.label, s.low, s.high, s.state, s.strategy, s.deadline) for s in segments.segments] == [
        ("推荐者", 9, 10, ["极度满意", "愿意推荐"], ["感谢回馈", "激活推荐"], "7天内"),
        ("贬损者", 0, 6, ["不满意", "需要挽回"], ["24小时响应"], "24小时内")]


def test_clock_lines_make_a_timeline_and_day_marks_count_days():
    result = draft("""
        案例
        挽回过程:
        【Day 0,18:00】收到3分评价+投诉
        【Day 0,18:30】服务经理致电
        服务经理:"周先生您好,
        我是经理李明。"
        【Day 1,10:00】服务经理上门
        次日下午3:00
        王师傅准时上门换胎
        【3个月后】
        周先生推荐2位朋友购买特斯拉
    """)
    timeline = blocks(result, Timeline)[0]
    events = [(e.day, e.day_label, e.time, e.time_label, e.text) for e in timeline.events]
    assert timeline.title == "挽回过程"
    assert events == [(0, "Day 0", "18:00", None, "收到3分评价+投诉"),
                      (0, "Day 0", "18:30", None, "服务经理致电"),
                      (1, "Day 1", "10:00", None, "服务经理上门"),
                      (1, "次日", "15:00", "下午3:00", "王师傅准时上门换胎"),
                      (90, "3个月后", None, None, "周先生推荐2位朋友购买特斯拉")]
    talk = timeline.events[1].blocks[0]
    assert (talk.lines[0].speaker, talk.lines[0].text) == ("服务经理", "周先生您好,\n我是经理李明。")
    assert "# day 90: 3个月后 counted as 30 days a month, 365 a year" in result.yaml


def test_talk_keeps_speakers_and_stage_directions():
    result = draft("""
        案例
        李明:[微笑,展示工牌]
        "王先生您好,我是特斯拉技师李明。"
        [扫描车辆VIN码确认]
        "我先简单说明一下流程。"
        王先生:"没有,你开始吧。"
        【提供价值】
        "我把我的微信给您。"(递名片)
    """)
    first, second = blocks(result, TalkTrack)
    assert [(x.speaker, x.action, x.text) for x in first.lines] == [
        ("李明", "微笑,展示工牌", "王先生您好,我是特斯拉技师李明。"),
        (None, "扫描车辆VIN码确认", "我先简单说明一下流程。"),
        ("王先生", None, "没有,你开始吧。")]
    assert (second.title, second.lines[0].action) == ("【提供价值】", "递名片")


def test_a_calculation_keeps_its_inputs_and_stated_result_and_the_check_measures_it(tmp_path):
    result = draft("""
        案例
        投入产出:
        ├─ 总成本:¥10 + 人工成本¥30 = ¥40
        └─ ROI = ¥6万 ÷ ¥40 = 1,600倍
    """)
    cost, roi = blocks(result, Calculation)
    assert (cost.title, cost.op, [(q.label, q.value.text) for q in cost.inputs], cost.result.text) == (
        "总成本", "sum", [("¥10", "¥10"), ("人工成本", "¥30")], "¥40")
    assert (roi.op, [q.value.text for q in roi.inputs], roi.result.text) == (
        "divide", ["¥6万", "¥40"], "1,600倍")
    listed = blocks(result, BulletList)[0]
    # The line itself stays, word for word.
    assert listed.items == ["总成本:¥10 + 人工成本¥30 = ¥40", "ROI = ¥6万 ÷ ¥40 = 1,600倍"]
    found = checked(result, tmp_path)
    assert [(f.code, f.message) for f in found] == [
        ("arithmetic.calculation",
         "calculation 'ROI': ¥6万 ÷ ¥40 = 1,500, but the result is stated as 1,600倍")]


def test_box_diagrams_and_trees_become_lists_and_mot_boxes_moments_of_truth():
    result = draft("""
        体验
        传统服务思维:
        ┌──────────────┐
        │ 关注点:任务完成度 │
        │ ├─ 技术问题是否解决 │
        │ └─ 流程是否符合规范 │
        │ 结果:客户满意(但不会记住) │
        └──────────────┘
        客户分类:
        ├─ 推荐者:评分9-10分
        │ └─ 会主动推荐品牌给他人
        └─ 贬损者:评分0-6分
        └─ 不满意,可能负面传播
        ┌────────────┐
        │ 两大关键时刻 │
        ├────────────┤
        │ MOT 1: 预约确认时刻 │
        │ ━━━━━━━━━━ │
        │ 时间:客户提交预约后5分钟内 │
        │ 客户期望:确认预约、明确时间 │
        │ 体验设计: │
        │ ✓ 自动确认短信(30秒内) │
        │ 痛点消除:不确定性、等待焦虑 │
        ├────────────┤
        │ MOT 2: 到达前通知时刻 │
        │ 时间:技师到达前15分钟 │
        │ 客户期望:了解进度 │
        │ ✓ GPS实时位置分享 │
        │ 痛点消除:安全顾虑 │
        │ 【这是最重要的峰值时刻!】 │
        └────────────┘
    """)
    box, tree = blocks(result, BulletList)
    assert box.title == "传统服务思维"
    assert [(i.text, i.children) if hasattr(i, "children") else i for i in box.items] == [
        ("关注点:任务完成度", ["技术问题是否解决", "流程是否符合规范"]), "结果:客户满意(但不会记住)"]
    # A └ item's children lose their indentation when pasted: 不满意 belongs under 贬损者.
    assert [(i.text, i.children) for i in tree.items] == [("推荐者:评分9-10分", ["会主动推荐品牌给他人"]),
                                                           ("贬损者:评分0-6分", ["不满意,可能负面传播"])]
    mots = blocks(result, MotSet)[0]
    assert mots.title == "两大关键时刻" and [m.id for m in mots.mots] == ["mot-1", "mot-2"]
    one, two = mots.mots
    assert (one.timing, one.expectation, one.design, one.pain_points) == (
        "客户提交预约后5分钟内", "确认预约、明确时间", ["自动确认短信(30秒内)"], ["不确定性", "等待焦虑"])
    assert two.emphasis == "【这是最重要的峰值时刻!】"


def test_empty_headings_become_pending_and_nothing_is_filled_in():
    result = draft("""
        交付
        三、常见陷阱
        陷阱1:急于完成,忽略体验
        正确做法:
        陷阱2:过度推销
        正确做法:
        五、经理必修课:交付管理的五大核心能力
        本章核心要点
    """)
    sections = {s.title: s for s, _ in walk(result.chapter) if isinstance(s, Section)}
    trap = sections["陷阱1:急于完成,忽略体验"]
    assert [(type(b).__name__, b.title) for b in trap.blocks] == [("Pending", "正确做法")]
    assert sections["五、经理必修课:交付管理的五大核心能力"].pending
    assert sections["本章核心要点"].pending  # two empty headings in a row: neither holds the other
    assert [s.title for s in result.chapter.sections] == [
        "三、常见陷阱", "五、经理必修课:交付管理的五大核心能力", "本章核心要点"]


def test_a_case_keeps_when_background_and_results():
    result = draft("""
        体验
        案例:北京张先生的轮胎故事
        背景:2024年10月,北京张先生的Model 3右后门把手失灵。
        结果:
        - 张先生App给了5星+详细好评
        - 3个月后置换Model Y换Model S
        (CLV从¥30万提升至¥80万)
    """)
    case = blocks(result, Case)[0]
    assert (case.title, case.when, case.background) == ("案例:北京张先生的轮胎故事", "2024年10月",
                                                        "2024年10月,北京张先生的Model 3右后门把手失灵。")
    assert case.results == ["张先生App给了5星+详细好评",
                            "3个月后置换Model Y换Model S\n(CLV从¥30万提升至¥80万)"]


def test_ids_are_ascii_readable_and_unique():
    result = draft("""
        体验
        一、峰终定律
        峰终定律(Peak-End Rule)
        - 峰值(Peak)
        - 终点(End)
        二、其他
        峰终定律(Peak-End Rule)的应用:
        - 再说一遍
        案例:杭州李女士
        9:00 技师到达
        9:15 测试功能正常
    """)
    ids = [getattr(n, "id", None) for n, _ in walk(result.chapter) if getattr(n, "id", None)]
    assert ids == ["ch", "s1", "peak-end-rule", "s2", "s2-list", "s2-case", "s2-case-timeline"]
    assert len(ids) == len(set(ids))


def test_a_line_that_cannot_be_placed_is_reported_and_commented_never_dropped():
    result = draft("交付\n一、本质\n正文一行。\n坏\x07行\n")
    assert result.unplaced == [(4, "坏\x07行")]
    assert "      # line 4 not placed: it holds a control character" in result.yaml
    assert report_lines(result, "en") == [
        "ch.txt: 4 lines with text, 3 placed in the draft, 1 not placed",
        "blocks: prose 1",
        "line 4 not placed: 坏\\x07行",
    ]
    assert report_lines(result, "zh")[0] == "ch.txt:4 行有文字,3 行已放入草稿,1 行未放入"


def test_text_that_yaml_would_read_otherwise_stays_text():
    result = draft("""
        no
        一、9:00
        - 注意: 对角车轮放置轮挡
        - #不是注释 {{x}} & *y
        - "引号里的话"前后
        - yes
    """)
    listed = blocks(result, BulletList)[0]
    assert result.chapter.title == "no" and result.chapter.sections[0].title == "一、9:00"
    assert listed.items == ["注意: 对角车轮放置轮挡", "#不是注释 {{x}} & *y", '"引号里的话"前后', "yes"]


def test_full_width_punctuation_reads_as_ascii_does_and_is_kept():
    ascii_doc = "交付\n二、流程:15分钟\nStep 1:接车(5分钟)\n- 记录里程\nStep 2:交车(10分钟)\n客户感受:很好\n"
    wide = ascii_doc.replace(":", "\uff1a").replace("(", "\uff08").replace(")", "\uff09")
    narrow, full = import_text(ascii_doc, "a.txt"), import_text(wide, "a.txt")
    assert full.load_findings == []
    assert dict(full.blocks) == dict(narrow.blocks) and full.placed == narrow.placed
    sop = blocks(full, Procedure)[0]
    assert [(s.title, s.minutes) for s in sop.steps] == [("接车", 5), ("交车", 10)]
    assert sop.total_minutes == 15
    prose = blocks(full, Prose)[0]
    assert (prose.label, prose.text) == ("客户感受", "很好")  # the label, cut from the line as written
    assert "二、流程\uff1a15分钟" in full.yaml


def test_a_document_without_text_is_refused():
    with pytest.raises(NothingToImport):
        import_text("\n  \n\x07\n", "empty.txt")


def test_random_documents_in_the_course_style_always_load(tmp_path):
    """Lines of the three documents shuffled, cut and mixed with odd ones: every draft reads back, and
    every line is either placed or reported."""
    pool = []
    for path in (HERE / "sources" / "delivery.txt", HERE / "sources" / "mobile-experience.txt",
                 HERE / "fixtures" / "import" / "tyre-service.txt"):
        pool += path.read_text(encoding="utf-8").split("\n")
    pool += ["|", "| |", "|---|", "┌──┐", "│", "├─", "□", '"', "“未闭合", "【】", "【Day 3】", "9:99 x",
             "Step 1:",
             "一、", "案例:", ":", "- ", "a\u2028b", "\ufeffbom", "\t\tx", "ROI = ¥1 ÷ ¥0 = 1倍", "= = =",
             "下一章预告:x", "下一章预告:y", "【关键】:x", "└─ 3天后回访", "原则1:x", "结果:", "背景:"]
    rng = random.Random(20)
    for _ in range(300):
        text = "\n".join(rng.choice(pool) for _ in range(rng.randint(1, 50)))
        try:
            result = import_text(text, "x.txt")
        except NothingToImport:
            continue
        assert result.load_findings == [], (text, [str(f) for f in result.load_findings])
        with_text = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
        assert set(result.placed) | {n for n, _ in result.unplaced} == with_text


def test_sub_headings_in_brackets_and_clock_ranges():
    result = draft("""
        服务
        一、流程
        (一)接车
        9:00-9:20 接车检查
        9:20 开始作业
        (二)交车
        交车说明。
    """)
    part = result.chapter.sections[0]
    assert [s.title for s in part.sections] == ["(一)接车", "(二)交车"]
    timeline = part.sections[0].blocks[0]
    assert [(e.time, e.time_label, e.minutes, e.text) for e in timeline.events] == [
        ("09:00", "9:00-9:20", 20, "接车检查"), ("09:20", None, None, "开始作业")]
