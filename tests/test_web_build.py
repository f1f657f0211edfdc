"""One MkDocs build of the web fixture (tests/fixtures/web), then assertions on what it wrote."""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from web_support import FIXTURE, REPO, build_site, built, real_content_ready


@pytest.fixture(scope="session")
def site():
    return built(FIXTURE)


def test_build_is_clean(site):
    noisy = [r.getMessage() for r in site.log if r.levelno >= logging.WARNING]
    assert noisy == []
    # no MkDocs notices about links, anchors or pages left out of the navigation either
    infos = [r.getMessage() for r in site.log if r.levelno == logging.INFO]
    assert not [m for m in infos if "link" in m or "anchor" in m or "nav" in m], infos


def test_one_page_per_chapter_and_the_overview_pages(site):
    for path in ["delivery/index.html", "mobile/index.html", "syllabus/index.html", "kpis/index.html",
                 "cards/index.html", "health/index.html", "trainers/lesson.html", "index.html"]:
        assert (site.site / path).is_file(), path
    assert not (site.site / "follow-up").exists()  # planned: on the syllabus, no page


def test_page_has_theme_title_toc_and_prev_next(site):
    html = (site.site / "delivery" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in html
    # site_name from handbook, escaped
    assert "<title>交付管理:最后一公里的完美收官 - 测试手册 &lt;script&gt;" in html
    assert 'href="#golden-procedure"' in html and 'class="md-nav__link"' in html  # table of contents
    assert re.search(r'md-footer__link--prev', html) and re.search(r'md-footer__link--next', html)
    assert "assets/sopbook/sopbook.css" in html


def test_navigation_by_course_day(site):
    html = (site.site / "index.html").read_text(encoding="utf-8")
    nav = re.findall(r'md-nav__link[^>]*>\s*(?:<span class="md-ellipsis">)?\s*([^<\s][^<]*?)\s*<', html)
    titles = [t.strip() for t in nav]
    for expected in ["课程大纲", "第 18.5 天", "第 19 天", "培训师", "KPI 总览", "检查卡", "内容健康"]:
        assert expected in titles, (expected, titles)
    assert titles.index("第 18.5 天") < titles.index("第 19 天")


def test_search_index_holds_segmented_chinese(site):
    index = site.search_index()
    assert index["config"]["separator"] == r"[\s\u200b\u3000\-、。，．？！；]+|\b"
    docs = {d["location"]: d for d in index["docs"]}
    brakes = docs["delivery/index.html#brakes"]
    assert brakes["title"] == "刹车\u200b系统"
    # each checklist item is an entry of its own, at the item's anchor
    assert docs["delivery/index.html#verify-checklist--2"]["title"] == "试车\u200b测试\u200b刹车\u200b效果"
    assert docs["mobile/index.html#mot-meeting"]["title"] == (
        "MOT 3 \u200b首次\u200b见面\u200b时刻\u200b(\u200b黄金\u200b30\u200b秒\u200b)")
    assert docs["mobile/index.html#detractors"]["title"].endswith("\u200b贬损\u200b者")
    assert "\u200b冷媒\u200b" in docs["mobile/index.html#aircon-talk"]["text"]
    # overview pages repeat chapter text; they stay out of search so results land on the chapter
    assert not [loc for loc in docs if loc.startswith(("kpis/", "health/"))]
    # a checklist embedded in a trainer page is not indexed a second time
    assert "trainers/lesson.html#brakes" not in docs
    assert not [d for d in index["docs"] if d["location"].startswith("trainers/") and "踏板" in d["text"]]


def test_separator_splits_a_query_where_chinese_meets_digits(site):
    # JavaScript's \b is ASCII-only (no u flag): re.ASCII gives Python the same boundaries.
    separator = re.compile(site.search_index()["config"]["separator"], re.ASCII)
    assert [t for t in separator.split("黄金30秒") if t] == ["黄金", "30", "秒"]
    assert [t for t in separator.split("\u200b刹车\u200b系统\u200b") if t] == ["刹车", "系统"]


def test_search_runs_no_english_stemmer_and_the_fixture_searches_as_the_handbook(site):
    """lunr's stemmer indexed NPS as 'np' while the typed prefix NPS* is never stemmed."""
    from mkdocs.config import load_config

    def search_settings(root: Path) -> dict:
        search = load_config(str(root / "mkdocs.yml")).plugins["material/search"].config
        return {key: search[key] for key in ("lang", "separator", "pipeline")}

    assert site.search_index()["config"]["pipeline"] == []
    assert search_settings(FIXTURE) == search_settings(REPO)


def test_content_script_is_text_in_pages_and_search_index(site):
    html = (site.site / "delivery" / "index.html").read_text(encoding="utf-8")
    assert "有 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 和 {{ 7*7 }} 两个" in html
    assert 'alert("x")' not in html.replace("&#34;", "")  # never as markup
    index = (site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in index and "<script>" not in index
    assert "{{ 7*7 }}" in index
    for page in site.site.rglob("*.html"):  # the handbook title has one too: header, <title>, nav
        assert not re.search(r"<script[^>]*>[^<]*alert", page.read_text(encoding="utf-8")), page


def test_nothing_is_loaded_from_outside_the_site(site):
    # src=, <link href> and CSS url() must stay on the site; <a href> to elsewhere is a link, not a load
    loads = re.compile(r"""(?:<(?:script|img|iframe|source|audio|video)[^>]*\ssrc=|<link[^>]*\shref=|url\()"""
                       r"""\s*["']?((?:https?:)?//[^"')\s>]+)""")
    for path in site.site.rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            found = [u for u in loads.findall(path.read_text(encoding="utf-8", errors="replace"))
                     if not u.startswith("https://handbook.example.invalid/")]
            assert found == [], (path, found)
    html = (site.site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in html and "unpkg" not in html
    assert "iframe-worker-shim.js" in html  # the file:// search shim, from the site itself
    assert (site.site / "search" / "search_index.js").is_file()  # offline plugin: index inlined for file://


def test_serve_watches_content_checklists_handbook_and_macros(site, tmp_path):
    from mkdocs.livereload import LiveReloadServer

    from sopbook.web.plugin import PREVIEW_POLL_S, SopbookPlugin

    plugin = SopbookPlugin()
    plugin.root = FIXTURE
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        files_app = server.get_app()
        plugin.on_serve(server, config=None, builder=None)
        watched = {Path(p).name for p in server._watch_refs}
        assert watched == {"content", "checklists", "handbook.yml", "macros"}
        assert server.observer.timeout == PREVIEW_POLL_S  # an edit is seen within 0.1 s
        assert server.get_app() is not files_app  # card PDFs are answered before the site's files
    finally:
        server.server_close()


@pytest.fixture
def fixture_copy(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, symlinks=False, ignore=shutil.ignore_patterns("macros"))
    (root / "macros").symlink_to(REPO / "macros")
    return root


def test_broken_trainer_ref_fails_the_build_with_file_and_line(fixture_copy, tmp_path, caplog):
    from mkdocs.exceptions import Abort

    (fixture_copy / "docs" / "trainers" / "broken.md").write_text(
        "---\ntitle: 坏链接\n---\n# 坏链接\n\n正文。\n\n先读 {{ ref('delivery.golden-procedur') }}。\n",
        encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mkdocs"), pytest.raises(Abort):
        build_site(fixture_copy, tmp_path / "out")
    errors = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    # Said in the handbook's language (the fixture's is zh), each finding with its file:line:col.
    assert "sopbook: 培训师页面中有无效的引用:\n  docs/trainers/broken.md:8:4: 错误: " in errors
    assert "ref('delivery.golden-procedur')" in errors
    assert "delivery.golden-procedure" in errors  # the closest id, to fix it in one go


def test_markdown_links_into_generated_pages_are_checked_against_their_anchors(fixture_copy, tmp_path):
    # Generated pages skip Markdown's pass (they are HTML already); MkDocs must still know their
    # anchors, or every trainer's plain link into a chapter would be reported as broken.
    (fixture_copy / "docs" / "trainers" / "links.md").write_text(
        "# 链接\n\n[流程](../delivery/index.md#golden-procedure) "
        "· [清单](../delivery/index.md#verify-checklist)"
        " · [旧锚点](../delivery/index.md#golden-procedur)\n", encoding="utf-8")
    result = build_site(fixture_copy, tmp_path / "out")
    notices = [r.getMessage() for r in result.log if "anchor" in r.getMessage()]
    assert len(notices) == 1, notices
    assert "'#golden-procedur'" in notices[0] and "delivery/index.md" in notices[0]


def test_content_that_does_not_load_fails_the_build_listing_every_problem(fixture_copy, tmp_path, caplog):
    from mkdocs.exceptions import Abort

    path = fixture_copy / "content" / "mobile.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("low: 7", "lowest: 7").replace("number: 3", "number: three"),
                    encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="mkdocs"), pytest.raises(Abort):
        build_site(fixture_copy, tmp_path / "out")
    errors = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    # Said in the handbook's language (the fixture's is zh), each finding with its file:line:col.
    assert "sopbook: 内容无法读入:\n" in errors
    assert re.search(r"content/mobile\.yml:\d+:\d+: 错误: .*未知字段“lowest”", errors)
    assert re.search(r"content/mobile\.yml:\d+:\d+: 错误: .*number:应为整数,实际是“three”", errors)


@pytest.mark.slow
@pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")
def test_real_handbook_builds_and_indexes_chinese():
    result = built(REPO)
    index = result.search_index()
    titles = " ".join(d["title"] for d in index["docs"])
    assert "\u200b刹车\u200b" in titles or "刹车\u200b" in titles
    from sopbook.model.project import load_project

    for chapter in load_project(REPO).chapters:
        assert (result.site / chapter.id / "index.html").is_file(), chapter.id


@pytest.mark.slow
def test_mkdocs_serve_rebuilds_when_content_yaml_changes(fixture_copy):
    import time
    import urllib.request

    from web_support import preview_server

    with preview_server(fixture_copy, mkdocs=True) as base:

        def page() -> str:
            try:
                with urllib.request.urlopen(base + "delivery/", timeout=2) as response:
                    return response.read().decode("utf-8")
            except OSError:
                return ""

        def wait_for(text: str, seconds: float = 60) -> bool:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if text in page():
                    return True
                time.sleep(0.3)
            return False

        assert wait_for("交付四步法"), "mkdocs serve did not come up"
        path = fixture_copy / "content" / "delivery.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("交付四步法", "交付新四步法"),
                        encoding="utf-8")
        assert wait_for("交付新四步法"), "no rebuild after content/delivery.yml changed"
        cards = fixture_copy / "checklists" / "cards.yml"
        cards.write_text(cards.read_text(encoding="utf-8").replace("title: 现场验证卡", "title: 现场核对卡"),
                         encoding="utf-8")
        assert wait_for("现场核对卡"), "no rebuild after checklists/cards.yml changed"
