"""The web handbook speaks the handbook's language: one small handbook built with mkdocs.yml's
`theme.language: en` and again with `zh` shows its chapter page, navigation, content-health page,
search entries, run mode and offline notice in that language; content stays as written."""
from __future__ import annotations

import json
import logging
import re
from html import unescape
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from projects import write_project
from web_support import FIXTURE, build_site, phone_context, serve

HANDBOOK = """\
title: 语言测试手册
version: "0.9"
revised: 2026-11-01
syllabus:
  - id: ch
  - id: later
    planned: true
    day: "4"
    title: 以后的章节
"""

CHAPTER = """\
id: ch
title: 测试章
day: "3"
sections:
  - id: s
    title: 小节
    blocks:
      - type: procedure
        id: p
        title: 流程
        total_minutes: 5
        steps:
          - id: a
            label: Step 1
            title: 第一步
            minutes: 1
            deadline: 24小时内
            key: 要点
          - id: b
            title: 第二步
            minutes: 2
      - type: checklist
        id: c
        title: 清单
        kind: read-do
        items: [条目一, 条目二]
  - id: empty
    title: 空小节
    pending: true
"""


def project(root: Path, lang: str, chapter: str = CHAPTER) -> Path:
    write_project(root, chapter, handbook=HANDBOOK, files={
        "docs/index.md": "# 首页\n",
        "docs/trainers/lesson.md": "# 课\n",
    })
    config = (FIXTURE / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  language: zh\n" in config
    (root / "mkdocs.yml").write_text(config.replace("  language: zh\n", f"  language: {lang}\n"),
                                     encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    out = {}
    for lang in ("en", "zh"):
        base = tmp_path_factory.mktemp(f"site-{lang}")
        root = project(base / "p", lang)
        build_site(root, base / "site")
        out[lang] = base / "site"
    return out


def text(html: str) -> str:
    """The page's text with tags dropped and spaces collapsed (nav labels sit between tags)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def island(html: str) -> dict:
    found = re.search(r'<script type="application/json" class="sb-run-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


CHAPTER_LABELS = {
    "en": ['<span class="sb-day-badge">Day 3</span>',
           '<p class="sb-timebar-total">Steps total 3 min · standard total 5 min</p>',
           'aria-label="Time per step: Step 1 1 min; 第二步 2 min"',
           '<span class="sb-minutes" data-minutes="1">1 min</span>',
           '<p class="sb-deadline">Deadline: 24小时内</p>',
           '<p class="sb-key"><strong>Key: </strong>要点</p>',
           '<p class="sb-kind">READ-DO: read each item, then do it</p>',
           '<p class="admonition-title">Pending</p>',
           '<p>The source has only this heading here, no content yet.</p>',
           'class="sb-run-start" data-search-exclude hidden>Start run</button>',
           'title="Link to this section"'],
    "zh": ['<span class="sb-day-badge">第 3 天</span>',
           '<p class="sb-timebar-total">步骤合计 3 分钟 · 标准总时长 5 分钟</p>',
           'aria-label="各步骤用时:Step 1 1分钟;第二步 2分钟"',
           '<span class="sb-minutes" data-minutes="1">1分钟</span>',
           '<p class="sb-deadline">时限:24小时内</p>',
           '<p class="sb-key"><strong>【关键】</strong>要点</p>',
           '<p class="sb-kind">READ-DO 逐项执行</p>',
           '<p class="admonition-title">待补充</p>',
           '<p>源文件在此只有标题,尚无内容。</p>',
           'class="sb-run-start" data-search-exclude hidden>开始执行</button>',
           'title="本节链接"'],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_chapter_page_speaks_the_handbooks_language(sites, lang):
    html = page(sites[lang], "ch/index.html")
    assert [label for label in CHAPTER_LABELS[lang] if label not in html] == []
    other = "zh" if lang == "en" else "en"
    assert [label for label in CHAPTER_LABELS[other] if label in html] == []
    # Content is as written in either language.
    assert "第一步" in html and "条目一" in html and "空小节" in html


RUN_WORDS = {
    "en": {"close": "Close", "position": "Step {n} of {count}", "minutes": "{minutes} min",
           "total_time_verdict": "Total time {time}, {verdict}",
           "copied": "Copied: paste it into the service record"},
    "zh": {"close": "关闭", "position": "第 {n} / {count} 步", "minutes": "{minutes}分钟",
           "total_time_verdict": "总用时 {time},{verdict}", "copied": "已复制,可粘贴到服务记录"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_mode_gets_its_words_from_the_page(sites, lang):
    data = island(page(sites[lang], "ch/index.html"))
    assert {k: data["words"][k] for k in RUN_WORDS[lang]} == RUN_WORDS[lang]
    # The words are not part of the run: the same procedure keeps its saved run in either language.
    assert data["steps"][0]["title"] == "第一步"
    assert data["hash"] == island(page(sites["zh" if lang == "en" else "en"], "ch/index.html"))["hash"]
    # No Chinese is left in run mode's script: every word comes from the page.
    script = page(sites[lang], "assets/sopbook/run.js")
    assert re.findall(r"[\u4e00-\u9fff]", script) == []


NAV = {
    "en": ["Home", "Syllabus", "Day 3", "Trainers", "Handbook tools", "KPI overview", "Checklist cards",
           "Content health"],
    "zh": ["首页", "课程大纲", "第 3 天", "培训师", "手册工具", "KPI 总览", "检查卡", "内容健康"],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_navigation_and_page_titles_speak_the_handbooks_language(sites, lang):
    html = page(sites[lang], "ch/index.html")
    nav = text(html[html.index('<nav class="md-nav md-nav--primary"'):])
    positions = [nav.find(f" {label} ") for label in NAV[lang]]
    assert -1 not in positions and positions == sorted(positions), (nav[:400], positions)
    titles = {rel: re.search(r"<title>(.*?)</title>", page(sites[lang], rel)).group(1)
              for rel in ("syllabus/index.html", "kpis/index.html", "health/index.html")}
    assert [t.split(" - ")[0] for t in titles.values()] == NAV[lang][1:2] + NAV[lang][5:6] + NAV[lang][7:8]


HEALTH = {
    "en": ["<h1", ">Content health<", "Version 0.9 · revised 2026-11-01 · open findings ",
           ">Completeness by chapter<",
           "<th>Chapter</th><th>Complete</th><th>Headings</th><th>Pending</th>", ">Open findings<",
           "<th>Level</th><th>Rule</th><th>Description</th><th>Location</th>", ">Pending content<",
           '<p class="sb-caption">Planned chapters</p>', '<span class="sb-note">Day 4</span>',
           "<td>Whole chapter</td>"],
    "zh": ["<h1", ">内容健康<", "版本 0.9 · 修订 2026-11-01 · 待处理问题 ", ">各章完成度<",
           "<th>章节</th><th>完成度</th><th>标题数</th><th>待补充</th>", ">待处理问题<",
           "<th>级别</th><th>规则</th><th>说明</th><th>位置</th>", ">待补充内容<",
           '<p class="sb-caption">计划中的章节</p>', '<span class="sb-note">第 4 天</span>',
           "<td>整章</td>"],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_health_page_and_its_findings_speak_the_handbooks_language(sites, lang):
    from sopbook.checks import run_checks
    from sopbook.model.project import load_project

    html = page(sites[lang], "health/index.html")
    assert [label for label in HEALTH[lang] if label not in html] == []
    # The procedure's steps (3 minutes) fall short of its total (5): a finding, said in the language.
    root = sites[lang].parent / "p"
    findings = [f for f in run_checks(load_project(root)) if f.level != "info" and not f.acknowledged]
    assert findings
    for f in findings:
        assert f.message_in(lang) in unescape(html)
        if f.hint_text:
            assert f.hint_in(lang) in unescape(html)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_entries_and_the_offline_notice_speak_the_handbooks_language(sites, lang):
    docs = json.loads(page(sites[lang], "search/search_index.json"))["docs"]
    titles = [d["title"].replace("\u200b", "") for d in docs if d["location"].startswith("ch/")]
    assert ("Step 1 第一步 1 min" if lang == "en" else "Step 1 第一步 1分钟") in titles
    manifest = json.loads(page(sites[lang], "manifest.webmanifest"))
    assert manifest["lang"] == lang and manifest["name"] == "语言测试手册"
    words = {"en": ["The handbook has been updated", "Load the new version"],
             "zh": ["手册已更新", "载入新版"]}
    script = page(sites[lang], "assets/sopbook/offline.js")
    assert all(json.dumps(w, ensure_ascii=False) in script for w in words[lang])


@pytest.mark.parametrize("lang, said", [("en", "sopbook: the content does not load:"),
                                        ("zh", "sopbook: 内容无法读入:")])
def test_a_failed_build_says_what_failed_in_the_handbooks_language(tmp_path, caplog, lang, said):
    root = project(tmp_path / "p", lang, chapter="id: ch\ntitle: [不是标题\n")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build_site(root, tmp_path / "site")
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith(said)]


def test_the_handbooks_own_language_setting_and_lang_override_the_theme(tmp_path):
    from sopbook.model.project import load_project
    from sopbook.web import pages as web_pages

    root = project(tmp_path / "p", "zh")
    (root / "handbook.yml").write_text(HANDBOOK + "language: en\n", encoding="utf-8")
    chapter = web_pages.render_chapter(web_pages.Site(load_project(root)), load_project(root).chapters[0])
    assert '<span class="sb-day-badge">Day 3</span>' in chapter.html
    zh = load_project(root, language="zh")  # sopbook build --lang zh
    html = web_pages.render_chapter(web_pages.Site(zh), zh.chapters[0]).html
    assert '<span class="sb-day-badge">第 3 天</span>' in html


@pytest.mark.browser
def test_run_mode_in_english_on_a_phone(sites):
    base = serve(sites["en"])
    context = phone_context(service_workers="block", locale="en-US")
    browser_page = context.new_page()
    browser_page.clock.install()
    browser_page.clock.pause_at(1_800_000_000_000)
    browser_page.goto(base + "ch/index.html")
    browser_page.locator(".sb-procedure .sb-run-start").click()
    dialog = browser_page.locator("[role=dialog].sb-run")
    assert browser_page.inner_text(".sb-run .sb-run-pos") == "Step 1 of 2"
    buttons = (".sb-run-close", ".sb-run-prev", ".sb-run-pause", ".sb-run-next")
    assert [browser_page.inner_text(f".sb-run {b}") for b in buttons] == ["Close", "Back", "Pause", "Next"]
    assert "Deadline: 24小时内" in dialog.inner_text() and "Key: 要点" in dialog.inner_text()
    assert browser_page.inner_text(".sb-run .sb-run-step-clock") == "00:00 / 1 min"
    assert browser_page.inner_text(".sb-run .sb-run-total") == "Total 00:00 / 5 min"
    browser_page.locator(".sb-run .sb-run-next").click()
    assert browser_page.inner_text(".sb-run .sb-run-next") == "Finish"
    browser_page.locator(".sb-run .sb-run-next").click()
    assert browser_page.inner_text(".sb-run .sb-run-step-title") == "Run summary"
    assert browser_page.inner_text(".sb-run .sb-run-verdict") == "Total time 00:00, within the planned 5 min"
    assert browser_page.inner_text(".sb-run .sb-run-restart") == "Start again"
    assert context.outside == []
    context.close()
