"""The handbook's pages as rendered from the model (no MkDocs build): fast checks of what each page says."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from sopbook.model.project import load_project
from sopbook.web import pages as web_pages

from projects import write_project
from web_support import FIXTURE, REPO, real_content_ready


def project_with(tmp_path: Path, chapter_yaml: str, **files: str):
    write_project(tmp_path, chapter_yaml, files=files)
    (tmp_path / "macros").symlink_to(REPO / "macros")
    return load_project(tmp_path, "zh")  # the handbook these pages are written for is Chinese


@pytest.fixture(scope="module")
def fixture_site():
    return web_pages.Site(load_project(FIXTURE), use_directory_urls=False)


@pytest.fixture(scope="module")
def fixture_pages(fixture_site):
    return {p.src_uri: p for p in web_pages.render_site(fixture_site, [])}


def test_content_is_escaped_never_executed(tmp_path):
    project = project_with(tmp_path, """\
        id: ch
        title: 标题<script>alert(1)</script>
        sections:
          - id: s
            title: "{{ 7*7 }} 小节"
            blocks:
              - 正文 <img src=x onerror=alert(2)> & {{ 7*7 }}
              - type: checklist
                id: c
                title: <b>清单</b>
                items: ["<script>alert(3)</script>"]
                confirmation: {question: "<i>好了吗</i>", expected: 点头}
        """)
    page = web_pages.render_chapter(web_pages.Site(project), project.chapters[0])
    assert "<script>" not in page.html and "<img" not in page.html and "<b>" not in page.html
    assert "标题&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; {{ 7*7 }}" in page.html
    assert "{{ 7*7 }} 小节" in page.html and "49" not in page.html
    assert "&lt;i&gt;好了吗&lt;/i&gt;" in page.html


def test_every_addressable_thing_has_an_anchor_on_its_chapter_page(fixture_site, fixture_pages):
    project = fixture_site.project
    for address in project.index:
        chapter_id, _, thing = address.partition(".")
        html = fixture_pages[web_pages.chapter_src_uri(chapter_id)].html
        assert f'id="{thing or chapter_id}"' in html, address
        # a visible link to itself: the heading's ¶ or a row's #
        assert f'href="#{thing or chapter_id}"' in html, address


@pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")
def test_every_address_of_the_real_handbook_has_an_anchor_and_a_link():
    site = web_pages.Site(load_project(REPO), use_directory_urls=False)
    pages = {p.src_uri: p.html for p in web_pages.render_site(site, [])}
    missing = []
    for address in site.project.index:
        chapter_id, _, thing = address.partition(".")
        html = pages[web_pages.chapter_src_uri(chapter_id)]
        if f'id="{thing or chapter_id}"' not in html or f'href="#{thing or chapter_id}"' not in html:
            missing.append(address)
    assert missing == []


def test_procedure_shows_minutes_and_a_time_bar(fixture_pages):
    html = fixture_pages["delivery/index.md"].html
    bar = re.search(r'<div class="sb-timebar".*?</div>', html, re.S).group(0)
    assert re.findall(r"flex-grow: (\d+)", bar) == ["2", "5", "3", "5"]
    assert "步骤合计 15 分钟 · 标准总时长 15 分钟" in html
    assert '<span class="sb-minutes" data-minutes="5">5分钟</span>' in html


def test_checklist_has_checkboxes_groups_and_confirmation(fixture_pages):
    html = fixture_pages["delivery/index.md"].html
    checklist = html[html.index('id="verify-checklist"'):]
    checklist = checklist[:checklist.index('<p class="sb-confirmation">') + 300]
    assert checklist.count('type="checkbox"') == 5
    assert re.search(r'<h6 id="brakes"[^>]*>刹车系统', checklist)
    assert re.search(r"<q>刹车正常了吗\?</q>.*→.*点头确认", checklist, re.S)
    assert "DO-CONFIRM" in checklist


def test_kpi_targets_are_shown_parsed(fixture_pages):
    html = fixture_pages["delivery/index.md"].html
    assert 'data-op="range" data-low="15" data-high="20" data-unit="分钟"' in html
    assert '<span class="sb-op">≥</span>9<span class="sb-unit">分</span>' in html
    assert '<span class="sb-op">≤</span>1<span class="sb-unit">%</span>' in html


def test_talk_case_timeline_segments_calculation(fixture_pages):
    delivery = fixture_pages["delivery/index.md"].html
    mobile = fixture_pages["mobile/index.md"].html
    assert re.search(r'<dt class="sb-speaker">顾问</dt>\s*<dd class="sb-said">\s*<span '
                     r'class="sb-action">\(微笑,展示工牌\)</span>', delivery)
    assert '<time class="sb-event-time">09:20</time>' in mobile
    assert '<p class="sb-peak">【峰值1:主动发现问题】</p>' in mobile
    assert 'href="#mot-meeting"' in mobile  # the event's moment of truth links to it
    assert re.search(r'<tr id="detractors" class="sb-segment">.*?0–6分.*?24小时内', mobile, re.S)
    calc = delivery[delivery.index('id="roi-calc"'):]
    assert re.search(r"毛利</th><td[^>]*>¥30万</td>.*÷</td><th scope=\"row\">投入</th><td[^>]*>¥15</td>.*"
                     r"=</td><th scope=\"row\">ROI</th><td[^>]*>20,000倍", calc, re.S)


def test_pending_heading_is_a_visible_admonition(fixture_pages):
    html = fixture_pages["delivery/index.md"].html
    section = html[html.index('id="delivery-extras"'):]
    assert '<p class="admonition-title">待补充</p>' in section[:600]
    assert '<p class="admonition-title">待补充</p>' in fixture_pages["mobile/index.md"].html  # pending block


def test_next_chapter_pointer_to_a_planned_chapter(fixture_pages):
    html = fixture_pages["delivery/index.md"].html
    assert re.search(r'<a href="\.\./syllabus/index\.html#follow-up">下一章:回访管理</a> <span '
                     r'class="sb-planned-badge">计划中', html)


def test_syllabus_in_course_order_with_planned_chapters(fixture_pages):
    html = fixture_pages[web_pages.SYLLABUS].html
    order = re.findall(r'<li id="([a-z-]+)" class="sb-syllabus-item', html)
    assert order == ["delivery", "follow-up", "mobile", "mobile-dispatch"]
    assert re.search(r'id="follow-up" class="sb-syllabus-item '
                     r'sb-syllabus-item--planned">.*?回访管理.*?计划中', html,
                     re.S)
    assert '<a href="../delivery/index.html">交付管理:最后一公里的完美收官</a>' in html


def test_kpi_overview_links_each_kpi_to_its_chapter(fixture_pages):
    html = fixture_pages[web_pages.KPIS].html
    assert '<a href="../delivery/index.html#delivery-time">交付时长</a>' in html
    assert not fixture_pages[web_pages.KPIS].search  # repeats chapter text: kept out of search


def test_card_index_links_each_pdf(fixture_pages):
    html = fixture_pages[web_pages.CARDS].html
    assert '<a class="sb-card-pdf" href="verify-card.pdf" type="application/pdf">现场验证卡</a>' in html
    assert '<a href="../delivery/index.html#verify-checklist">现场验证清单</a>' in html
    assert 'href="nps-card.pdf"' in html  # a card without its own title takes its source's
    # One file in checklists/ with cards from two chapters: one section, named after its file.
    assert re.search(r'<h2 class="sb-heading">cards</h2><p class="sb-card-sheet">'
                     r'<a href="a4/cards\.pdf" type="application/pdf">A4 拼版\(每页 4 张,带裁切线\)</a> · 2 '
                     r'张 · '
                     r'<code>checklists/cards\.yml</code></p>', html)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_card_index_has_a_section_and_a4_sheet_per_card_file(tmp_path, directory_urls):
    checklists = """\
              - type: checklist
                id: c1
                title: 清单一
                items: [甲]
              - type: checklist
                id: c2
                title: 清单二
                items: [乙]
        """
    project = project_with(tmp_path, f"""\
        id: ch
        title: 交付<b>章</b> & 验收
        sections:
          - id: s
            title: 小节
            blocks:
{checklists}""", **{
        "content/other.yml": ("id: other\ntitle: 别章\nsections:\n"
                              "  - id: s\n    title: 节\n    blocks: [正文]\n"),
        "checklists/交付 #1.yml": "cards:\n  - {id: two, source: ch.c2}\n  - {id: one, source: ch.c1}\n",
        "checklists/mixed.yml": "cards:\n  - {id: three, source: ch.c1}\n  - {id: four, source: other.s}\n"})
    html = web_pages.render_cards(web_pages.Site(project, use_directory_urls=directory_urls)).html
    sections = re.findall(r'<section class="sb-card-group">\s*<h2 class="sb-heading">(.*?)</h2>'
                          r'<p class="sb-card-sheet"><a href="([^"]*)" type="application/pdf">A4 拼版.*?</a> '
                          r'· (\d) 张 · '
                          r'<code>(.*?)</code></p>(.*?)</section>', html, re.S)
    assert [s[:4] for s in sections] == [
        ("mixed", "a4/mixed.pdf", "2", "checklists/mixed.yml"),  # two chapters: named after the file
        # one chapter: named after it (escaped); a file name is not a URL, so it is quoted
        ("交付&lt;b&gt;章&lt;/b&gt; &amp; 验收", "a4/%E4%BA%A4%E4%BB%98%20%231.pdf", "2",
         "checklists/交付 #1.yml")]
    # Each section lists its file's cards in the file's order.
    assert [re.findall(r'<li id="([a-z]+)"', s[4]) for s in sections] == [["three", "four"], ["two", "one"]]


def test_health_page_lists_findings_pending_and_completeness(fixture_site):
    from sopbook.findings import Finding, Loc

    findings = [Finding("error", "timings.step-sum", "steps add up to 14", Loc("content/delivery.yml", 23, 9),
                        "fix a step", "delivery.golden-procedure"),
                Finding("warning", "completeness.claim", "claims 5", Loc("content/mobile.yml", 6, 5),
                        address="mobile.mot", acknowledged="源文件只列出两个"),
                Finding("info", "completeness.pending",
                        "pending: '挽回话术' (the source has this heading but no body)",
                        Loc("content/mobile.yml", 30, 5), address="mobile.scripts")]
    html = web_pages.render_health(fixture_site, findings).html
    open_part = html[html.index('id="open-findings"'):html.index('id="acknowledged-findings"')]
    ack_part = html[html.index('id="acknowledged-findings"'):html.index('id="pending-items"')]
    assert "steps add up to 14" in open_part and "content/delivery.yml:23:9" in open_part
    assert '<a href="../delivery/index.html#golden-procedure">delivery.golden-procedure</a>' in open_part
    assert "源文件只列出两个" in ack_part and "steps add up to 14" not in ack_part
    assert "completeness.pending" not in open_part  # pending headings are listed in their own section
    # delivery: 7 sections, one pending -> 86%; mobile: 4 sections + 1 pending block -> 80%
    assert re.search(r"交付管理:最后一公里的完美收官</a></th>\s*<td>.*?data-percent=\"86\"", html, re.S)
    assert re.search(r"移动服务客户体验管理</a></th>\s*<td>.*?data-percent=\"80\"", html, re.S)
    assert "交付的延伸工作" in html and "挽回话术" in html  # pending items
    assert re.search(r"回访管理</th><td><span class=\"sb-planned-badge\">计划中", html)


def test_toc_follows_heading_levels():
    tokens = web_pages.toc_tokens('<h1 id="a">A<a class="headerlink" href="#a">¶</a></h1><h2 id="b">B '
                                  '&lt;</h2>'
                                  '<h3 id="c">C</h3><h2 id="d">D</h2><h5 id="e">too deep</h5>')
    assert [(t["id"], [(c["id"],
                        [g["id"] for g in c["children"]]) for c in t["children"]]) for t in tokens] == \
        [("a", [("b", ["c"]), ("d", [])])]
    assert tokens[0]["name"] == "A" and tokens[0]["children"][0]["name"] == "B &lt;"


def test_trainer_refs_expand_to_links_checklists_and_cards(fixture_site):
    markdown = textwrap.dedent("""\
        # 课

        读 {{ ref('delivery.golden-procedure') }} 和 {{ ref('mobile') }}。打印 {{ card('verify-card') }}。

        {{ checklist('delivery.verify-checklist') }}

        `{{ 7*7 }}` 原样保留。
        """)
    result = web_pages.expand_trainer_page(fixture_site, "trainers/x.md", markdown, "docs/trainers/x.md")
    assert result.errors == []
    md = result.markdown
    assert ('<a class="sb-ref sb-ref--procedure" href="../delivery/index.html#golden-procedure">'
            '交付四步法</a>') in md
    assert '<a class="sb-ref sb-ref--chapter" href="../mobile/index.html">移动服务客户体验管理</a>' in md
    assert 'href="../cards/verify-card.pdf"' in md
    assert "\n\n<div class=\"sb-embedded" in md and md.count('type="checkbox"') == 5
    assert "data-search-exclude" in md  # the chapter, not the lesson, is where search lands
    assert "`{{ 7*7 }}` 原样保留" in md


def test_broken_trainer_refs_name_file_line_and_closest_ids(fixture_site):
    source = ("---\ntitle: 课\n---\n\n# 课\n\n先读 {{ ref('delivery.golden-procedur') }}\n"
              "{{ checklist('delivery.atmosphere') }}\n")
    markdown = source.split("---\n", 2)[2]
    offset = web_pages.body_line_offset(source, markdown)
    result = web_pages.expand_trainer_page(fixture_site, "trainers/x.md", markdown, "docs/trainers/x.md",
                                           offset)
    messages = [str(f) for f in result.errors]
    assert messages[0].startswith("docs/trainers/x.md:7:4: error: ref('delivery.golden-procedur') "
                                  "points to an id")
    assert "delivery.golden-procedure" in messages[0]  # closest existing id
    assert messages[1].startswith("docs/trainers/x.md:8:1: error: checklist('delivery.atmosphere') is a step")


def test_chapter_ids_that_clash_with_site_folders_are_reported(tmp_path):
    project = project_with(tmp_path, "id: cards\ntitle: 卡\nsections: []\n", **{
        "handbook.yml": "title: t\nversion: '1'\nrevised: 2026-01-01\nsyllabus:\n  - id: cards\n"})
    from sopbook.checks.references import reserved_ids

    [finding] = reserved_ids(project)
    assert finding.loc.file == "content/ch.yml" and "cards" in finding.message


def test_source_bold_markers_render_as_bold_and_nothing_else():
    from sopbook.render.templating import strong

    assert str(strong("**NPS(净推荐值)**计算公式:")) == "<strong>NPS(净推荐值)</strong>计算公式:"
    assert str(strong("**<script>x</script>**")) == "<strong>&lt;script&gt;x&lt;/script&gt;</strong>"
    assert str(strong("单个*星号*不变")) == "单个*星号*不变"
