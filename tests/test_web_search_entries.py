"""Search lands on the thing it matched: each step, checklist item, KPI row ... is its own entry at
its own anchor, with only its own words as the snippet, and equal matches go to a checklist or a
step before a KPI before prose. Queried through Material's search box in chromium, from a server
and from file://."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from projects import write_project
from web_support import (
    FIXTURE,
    REPO,
    browser,
    build_site,
    built,
    first_hit,
    first_hit_text,
    real_content_ready,
    search,
    serve,
)

# ---- the index itself (tests/fixtures/web) -----------------------------------------------------


@pytest.fixture(scope="module")
def site():
    return built(FIXTURE)


def chapter_docs(site) -> list[dict]:
    return [d for d in site.search_index()["docs"] if d["location"].startswith(("delivery/", "mobile/"))]


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text).replace("\u200b", "")


def test_every_entry_opens_at_an_anchor_its_page_has(site):
    docs = chapter_docs(site)
    assert len({d["location"] for d in docs}) == len(docs)  # lunr's ref: one entry per location
    for doc in docs:
        path, _, anchor = doc["location"].partition("#")
        if anchor:
            assert f' id="{anchor}"' in (site.site / path).read_text(encoding="utf-8"), doc["location"]
    locations = {d["location"] for d in docs}
    # a KPI row, a segment row and a checklist item each have an entry and an anchor
    assert {"delivery/index.html#delivery-time", "mobile/index.html#detractors",
            "delivery/index.html#verify-checklist--1"} <= locations
    delivery = (site.site / "delivery" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<tr id="delivery-time" class="sb-kpi">', delivery)
    assert re.search(r'<li class="sb-item" id="verify-checklist--1">.*?刹车踏板', delivery, re.S)


def test_an_entry_holds_its_own_words_not_those_of_the_things_inside_it(site):
    docs = {d["location"]: d for d in chapter_docs(site)}
    kpis = docs["delivery/index.html#delivery-kpis"]
    assert "用时" not in plain(kpis["text"])  # the table's entry is not every KPI at once
    assert "从客户到店到离店的交付环节用时" in plain(docs["delivery/index.html#delivery-time"]["text"])
    assert "刹车踏板" not in plain(docs["delivery/index.html#brakes"]["text"])
    assert plain(docs["delivery/index.html#verify-checklist--1"]["title"]) == "邀请客户踩刹车踏板,感受力度"
    # the procedure's entry does not repeat its steps; the page's entry holds the lead
    assert "出示旧件" not in plain(docs["delivery/index.html#golden-procedure"]["text"])
    assert "核心命题" in plain(docs["delivery/index.html"]["text"])
    # one paragraph per sentence or line, so a result shows the one that matched
    assert docs["mobile/index.html#tire-timeline"]["text"].count("<p>") == 3
    # a list without an id is its section's text, every item in the page's order
    words = plain(docs["mobile/index.html#nps"]["text"]).split()
    assert words[:4] == ["挽回要点", "先道歉", "不找借口", "再给方案"]


def test_equal_matches_are_ordered_by_kind(site):
    docs = {d["location"]: d for d in chapter_docs(site)}
    boost = {loc: doc.get("boost", 1) for loc, doc in docs.items()}
    checklist, step = boost["delivery/index.html#brakes"], boost["delivery/index.html#verify"]
    kpi, prose = boost["delivery/index.html#delivery-time"], boost["mobile/index.html#aircon-talk"]
    assert checklist == step > kpi > prose == 1


def test_the_file_url_index_is_the_server_index(site):
    data = (site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert (site.site / "search" / "search_index.js").read_text(encoding="utf-8") == f"var __index = {data}"


def test_trainer_pages_are_indexed_as_material_indexes_them(site):
    lesson = [d for d in site.search_index()["docs"] if d["location"].startswith("trainers/")]
    assert lesson and not [d for d in lesson if "boost" in d]


# ---- a project made for ranking and long cases ---------------------------------------------------

MKDOCS_YML = (FIXTURE / "mkdocs.yml").read_text(encoding="utf-8")
HANDBOOK = """\
title: 排序测试手册
version: "1.0"
revised: 2026-11-01
syllabus:
  - id: season
  - id: depart
"""
# The prose comes first in the course; the checklist, later, has the same word in its title.
SEASON = """\
id: season
title: 季节保养
sections:
  - id: wiper-season
    title: 雨刮片
    blocks:
      - 冬季来临前提醒客户留意车况。
  - id: stories
    title: 救援故事
    blocks:
      - type: case
        id: long-case
        title: 一次漫长的夜间救援
        background: {background}
        blocks:
          - type: timeline
            id: long-night
            title: 救援经过
            events:
{events}
"""
DEPART = """\
id: depart
title: 出车准备
sections:
  - id: before-leaving
    title: 出车前
    blocks:
      - type: checklist
        id: wipers
        title: 雨刮片
        items: [刮水干净无水痕, 胶条无裂纹]
"""
# A long case: forty events, one of which mentions the jack (千斤顶).
EVENTS = [f"技师第{n}次与客户通话,确认位置和天气情况,安抚客户情绪" for n in range(1, 41)]
EVENTS[23] = "技师取出千斤顶顶起车身"


def season_yaml() -> str:
    events = "\n".join(f'              - {{time: "{8 + n * 5 // 60}:{n * 5 % 60:02d}", text: "{text}"}}'
                        for n, text in enumerate(EVENTS))
    return SEASON.format(background="暴雨之夜,客户的车停在高架上。" * 12, events=events)


def ranking_project(root: Path) -> Path:
    write_project(root, files={"content/season.yml": season_yaml(), "content/depart.yml": DEPART,
                               "mkdocs.yml": MKDOCS_YML, "docs/index.md": "# 首页\n"},
                  handbook=HANDBOOK)
    (root / "macros").symlink_to(REPO / "macros")
    return root


@pytest.fixture(scope="module")
def ranking(tmp_path_factory):
    return built(ranking_project(tmp_path_factory.mktemp("ranking") / "project"))


# ---- in the browser ---------------------------------------------------------------------------------

@pytest.fixture
def page():
    context = browser().new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def ask(page, base: str, query: str) -> tuple[str, str]:
    """The first hit (site-relative) and what its result shows."""
    page.goto(base + "index.html")
    groups = search(page, query)
    return first_hit(groups, base), first_hit_text(page, groups)


def bases(site_dir: Path) -> list[str]:
    """The site from a server and from file://, which loads search_index.js instead."""
    return [serve(site_dir), site_dir.as_uri() + "/"]


@pytest.mark.browser
def test_brakes_lands_on_the_brakes_checklist_with_a_short_snippet(page, site):
    for base in bases(site.site):
        hit, shown = ask(page, base, "刹车")
        assert hit in {"delivery/index.html#brakes", "delivery/index.html#verify-checklist--1",
                       "delivery/index.html#verify-checklist--2"}, base
        assert "刹车" in shown and len(shown) <= 40, shown


@pytest.mark.browser
def test_a_kpi_opens_at_its_row(page, site):
    for base in bases(site.site):
        hit, shown = ask(page, base, "交付时长")
        assert hit == "delivery/index.html#delivery-time", base
        assert "交付时长" in shown and len(shown) <= 60, shown
        link = page.locator(f'a.md-search-result__link[href$="#{urlsplit(base + hit).fragment}"]').first
        link.click()
        page.wait_for_url(re.compile(r"#delivery-time$"))
        assert page.evaluate("() => document.getElementById('delivery-time').tagName") == "TR"


@pytest.mark.browser
def test_a_long_case_shows_only_the_line_that_matched(page, ranking):
    timeline = next(d for d in ranking.search_index()["docs"] if d["location"].endswith("#long-night"))
    assert len(plain(timeline["text"])) > 1000  # the whole timeline is searched
    for base in bases(ranking.site):
        hit, shown = ask(page, base, "千斤顶")
        assert hit == "season/index.html#long-night", base
        assert "千斤顶" in shown and len(shown) <= 40, shown


@pytest.mark.browser
def test_a_checklist_comes_before_prose_that_comes_first_in_the_course(page, ranking):
    for base in bases(ranking.site):
        assert ask(page, base, "雨刮片")[0] == "depart/index.html#wipers", base


@pytest.mark.browser
def test_without_the_kind_the_prose_would_have_come_first(page, tmp_path, monkeypatch):
    """The ranking project is a real tie: with every boost at 1, page order decides (the prose)."""
    from sopbook.web import search as web_search

    monkeypatch.setattr(web_search, "BOOST", {})
    root = ranking_project(tmp_path / "project")
    unboosted = build_site(root, tmp_path / "site")
    assert not [d for d in unboosted.search_index()["docs"] if "boost" in d]
    assert ask(page, serve(unboosted.site), "雨刮片")[0] == "season/index.html#wiper-season"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")
@pytest.mark.parametrize("query, longest", [("刹车", 40), ("胎压", 40), ("贬损者", 40), ("NPS", 60),
                                            ("交付时长", 60), ("冷媒", 120)])
def test_real_handbook_results_are_a_line_or_two(page, query, longest):
    real = built(REPO)
    hit, shown = ask(page, serve(real.site), query)
    assert query.lower() in shown.lower() and len(shown) <= longest, (hit, shown)
    assert ask(page, real.site.as_uri() + "/", query)[0] == hit  # file:// finds the same


def test_index_is_valid_json_with_the_documents_in_page_order(site):
    docs = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    pages = [d["location"].split("#")[0] for d in docs]
    # every page's entries together, the page itself first (Material's worker relies on both)
    for page_url in set(pages):
        first = pages.index(page_url)
        count = pages.count(page_url)
        assert pages[first:first + count] == [page_url] * count
        assert docs[first]["location"] == page_url
