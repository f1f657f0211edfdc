"""The handbook on a phone without signal: installed from a static host after one visit, then read
offline, chapters, search and card PDFs included; a newer build announced with 手册已更新.

The real handbook is built with the real pipeline (`sopbook build`: web, then cards, then the
offline files) from a copy of the project, served by a plain static server on 127.0.0.1, and
driven in Debian's chromium. Nothing outside 127.0.0.1 is reachable. The list of stored files and
the size budget are checked without a browser.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

from web_support import FETCH, REPO, phone_context, real_content_ready, search, serve

PROJECT_PARTS = ("handbook.yml", "mkdocs.yml", "content", "checklists", "macros", "docs")
BUDGET = 3 * 1024 * 1024  # bytes a phone downloads for the whole handbook, gzip as hosts serve it
CHANGED_TITLE = "交付管理(新版)"

needs_content = pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")


@cache
def project_copy() -> Path:
    """The real project, copied: the test edits it and builds next to it, never in site/."""
    root = Path(tempfile.mkdtemp(prefix="sopbook-offline-")) / "project"
    root.mkdir()
    for name in PROJECT_PARTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
        elif (REPO / name).is_file():
            shutil.copy(REPO / name, root / name)
    return root


@cache
def real_site() -> Path:
    from sopbook.build import build

    site = project_copy().parent / "site"
    build(project_copy(), site_dir=str(site))
    return site


def publish_changed_build() -> None:
    """An editor renames the delivery chapter and builds again into the folder being served."""
    from sopbook.build import build

    chapter = project_copy() / "content" / "delivery.yml"
    text = chapter.read_text(encoding="utf-8")
    title = re.search(r"(?m)^title: (.*)$", text)
    assert title is not None
    chapter.write_text(text.replace(title.group(0), f"title: {CHANGED_TITLE}", 1), encoding="utf-8")
    build(project_copy(), site_dir=str(real_site()))


def teardown_module() -> None:
    if project_copy.cache_info().currsize:
        shutil.rmtree(project_copy().parent, ignore_errors=True)


def stored(site: Path) -> list[str]:
    from sopbook.web import offline

    return offline.precache(site)


# ---- what is stored, without a browser ----------------------------------------------------------
@needs_content
@pytest.mark.slow
def test_every_page_the_index_and_every_card_are_stored():
    site = real_site()
    files = stored(site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    cards = sorted(p.relative_to(site).as_posix() for p in (site / "cards").rglob("*.pdf"))
    assert pages and cards and any(c.startswith("cards/a4/") for c in cards)
    assert set(pages) <= set(files)
    assert set(cards) <= set(files)
    assert "search/search_index.json" in files
    assert {"manifest.webmanifest", "assets/sopbook/offline.js"} <= set(files)
    # What no page loads stays out: sopbook's own manifests, source maps, the file:// index,
    # lunr languages the index does not ask for, and the worker itself.
    assert [f for f in files if "/." in f"/{f}" or f.endswith((".map", "manifest.json"))
            or f in ("search/search_index.js", "sw.js")] == []
    assert [f for f in files if "/lunr/" in f] == []  # search runs without lunr languages (lang: en)
    sw = (site / "sw.js").read_text(encoding="utf-8")
    listed = json.loads(re.search(r"const FILES = (\[.*\]);", sw).group(1))
    assert listed == files  # ASCII names: the URL is the path


@needs_content
@pytest.mark.slow
def test_the_whole_handbook_downloads_in_3_mb():
    site = real_site()
    total = sum(len(gzip.compress((site / f).read_bytes(), 6)) for f in stored(site))
    assert total <= BUDGET, f"{total / 1024 / 1024:.2f} MB with gzip"


def test_the_build_hash_follows_every_stored_file(tmp_path):
    from sopbook.web import offline

    site = tmp_path / "site"
    (site / "cards" / "a4").mkdir(parents=True)
    (site / "delivery").mkdir()
    (site / "search").mkdir()
    for rel, data in {"index.html": "<p>首页</p>", "delivery/index.html": "<p>交付</p>",
                      "cards/verify.pdf": "%PDF-1.7", "cards/a4/delivery.pdf": "%PDF-1.7",
                      "cards/manifest.json": "{}", ".sopbook-pages.json": "{}",
                      "search/search_index.json": '{"config": {"lang": ["zh"]}, "docs": []}',
                      "search/search_index.js": "var __index = {}",
                      "assets/javascripts/lunr/min/lunr.zh.min.js": "zh",
                      "assets/javascripts/lunr/min/lunr.stemmer.support.min.js": "support",
                      "assets/javascripts/lunr/min/lunr.ja.min.js": "ja",
                      "assets/javascripts/bundle.min.js.map": "{}"}.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(data, encoding="utf-8")
    files = offline.precache(site)
    assert files == ["assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
                     "assets/javascripts/lunr/min/lunr.zh.min.js", "cards/a4/delivery.pdf",
                     "cards/verify.pdf", "delivery/index.html", "index.html", "search/search_index.json"]
    key = offline.build_key(site, files)
    assert offline.build_key(site, files) == key
    (site / "cards" / "a4" / "delivery.pdf").write_text("%PDF-1.7 new", encoding="utf-8")
    changed = offline.build_key(site, files)
    assert changed != key
    (site / ".sopbook-pages.json").write_text('{"changed": 1}', encoding="utf-8")
    assert offline.build_key(site, offline.precache(site)) == changed  # internals are no part of it


def test_the_manifest_is_the_handbooks_name_as_data():
    from sopbook.web import offline

    title = '售后</script><script>alert("x")</script>手册'
    data = json.loads(offline.manifest(title, None, "zh"))
    assert data["name"] == title
    assert json.loads(offline.manifest("售后服务培训手册", "副标题", "zh"))["short_name"] == "售后手册"
    assert data["display"] == "standalone" and data["lang"] == "zh" and data["theme_color"] == "#00695c"
    assert {(i["sizes"], i["purpose"]) for i in data["icons"]} == {
        ("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    # The language is the handbook's (mkdocs.yml theme.language or handbook.yml language:).
    assert json.loads(offline.manifest("After-sales service handbook", None, "en"))["lang"] == "en"


def test_the_second_pass_keeps_the_manifests_language(tmp_path):
    # `sopbook build` writes the worker again once the cards exist: the manifest keeps its language.
    from sopbook.web import offline

    assert offline.write(tmp_path, "Service handbook", lang="en") == []
    assert offline.write(tmp_path, "Service handbook") == []
    assert json.loads((tmp_path / "manifest.webmanifest").read_text(encoding="utf-8"))["lang"] == "en"


def test_icons_are_pngs_of_their_size(tmp_path):
    from PIL import Image

    from sopbook.web import offline

    assert offline.write(tmp_path, "售后服务培训手册") == []
    for rel, size in (("icon-192.png", 192), ("icon-512.png", 512), ("maskable-512.png", 512)):
        with Image.open(tmp_path / "assets" / "sopbook" / "icons" / rel) as image:
            assert image.size == (size, size)
            # The maskable icon fills its corners (the launcher cuts it); the other is rounded.
            assert image.getpixel((0, 0))[3] == (255 if rel.startswith("maskable") else 0)


def test_a_failure_to_write_is_a_located_finding(tmp_path):
    from sopbook.web import offline

    (tmp_path / "assets").write_text("a file where the icons' folder goes", encoding="utf-8")
    findings = offline.write(tmp_path, "手册")
    assert [(f.level, f.code) for f in findings] == [("error", "build.offline")]
    assert "icon-192.png" in findings[0].message and findings[0].hint


# ---- in the browser -----------------------------------------------------------------------------
def phone(*, init_script: str | None = None):
    """A phone-sized browser that reaches nothing beyond this machine, its requests recorded."""
    context = phone_context()
    if init_script:
        context.add_init_script(init_script)
    return context


def controlled(page) -> str:
    """Wait until the service worker has stored the build and answers this page; its cache's name."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=60_000)
    return page.evaluate("navigator.serviceWorker.ready.then(() => caches.keys())")


def phone_search(page, query: str) -> list[list[str]]:
    """On a phone the search box opens from the header's magnifier."""
    if not page.locator("input.md-search__input").is_visible() or not page.is_checked("#__search"):
        page.locator("label.md-header__button[for='__search']").first.click()
    return search(page, query)


CONTRAST = """([text, ground]) => {
    const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
        const [r, g, b] = c.map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fg = lum(rgb(getComputedStyle(document.querySelector(text)).color));
    const bg = lum(rgb(getComputedStyle(document.querySelector(ground)).backgroundColor));
    return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""


def contrast(page, text: str, ground: str) -> float:
    """WCAG contrast of `text`'s colour on `ground`'s background colour."""
    return page.evaluate(CONTRAST, [text, ground])


@needs_content
@pytest.mark.slow
@pytest.mark.browser
def test_after_one_visit_the_handbook_works_without_signal():
    site = real_site()
    base = serve(site)
    context = phone()
    page = context.new_page()
    page.goto(base + "index.html")
    assert len(controlled(page)) == 1
    context.set_offline(True)
    try:
        # Without the worker the network is gone: a file the build does not store fails.
        assert page.evaluate("url => fetch(url).then(() => 'loaded', () => 'failed')",
                             base + "sitemap.xml") == "failed"
        page.goto(base + "delivery/index.html")
        assert "交付管理" in page.inner_text("article h1")
        # The cards' QR codes open a chapter as a folder with an anchor.
        page.goto(base + "mobile-experience/#nps")
        assert page.locator("#nps").is_visible()
        assert phone_search(page, "刹车")[0][0][0].startswith(base + "delivery/index.html")
        assert phone_search(page, "NPS")
        for pdf in ("cards/verify-brakes.pdf", "cards/a4/delivery.pdf"):
            status, magic, size = page.evaluate(FETCH, base + pdf)
            assert (status, magic) == (200, "%PDF") and size == (site / pdf).stat().st_size
        # A card's QR code, scanned in the garage: its page as a folder, with the revision asked.
        page.goto(base + "cards/verify-brakes/?rev=1")
        assert page.locator(".sb-card-rev:not([hidden])").inner_text().startswith("最新版")
    finally:
        context.set_offline(False)
        context.close()
    assert context.outside == []


@needs_content
@pytest.mark.slow
@pytest.mark.browser
def test_a_new_build_is_announced_and_loaded_on_request():
    site = real_site()
    base = serve(site)
    context = phone()
    page = context.new_page()
    page.goto(base + "delivery/index.html")
    old_cache = controlled(page)
    old_title = page.inner_text("article h1")
    assert CHANGED_TITLE not in old_title
    assert page.locator(".sb-update").count() == 0  # the first visit has nothing to announce

    publish_changed_build()
    page.evaluate("navigator.serviceWorker.ready.then(r => r.update())")
    notice = page.locator(".sb-update[role=status]")
    notice.wait_for(timeout=60_000)
    assert "手册已更新" in notice.inner_text()
    assert notice.get_attribute("aria-live") == "polite"
    button = notice.locator("button")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    assert contrast(page, ".sb-update-text", ".sb-update") >= 4.5
    assert contrast(page, ".sb-update-reload", ".sb-update-reload") >= 4.5
    assert page.inner_text("article h1") == old_title  # nothing moves until staff ask

    with page.expect_navigation():
        button.click()
    assert CHANGED_TITLE in page.inner_text("article h1")
    caches = page.evaluate("caches.keys()")
    assert len(caches) == 1 and caches != old_cache  # the old build is gone whole
    # And the new build is the one kept for the garage.
    context.set_offline(True)
    try:
        page.goto(base + "syllabus/index.html")
        assert CHANGED_TITLE in page.inner_text("body")
    finally:
        context.set_offline(False)
        context.close()
    assert context.outside == []


COUNT_REGISTRATIONS = """
window.__registrations = 0;
if (navigator.serviceWorker) {
  const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
  navigator.serviceWorker.register = (...args) => { window.__registrations += 1; return register(...args); };
}
"""


@needs_content
@pytest.mark.slow
@pytest.mark.browser
def test_from_file_no_worker_is_registered_and_the_handbook_still_works():
    site = real_site()
    for base in (serve(site), site.as_uri() + "/"):
        context = phone(init_script=COUNT_REGISTRATIONS)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on("console", lambda message, errors=errors:
                errors.append(message.text) if message.type == "error" else None)
        page.goto(base + "delivery/index.html")
        page.wait_for_load_state("networkidle")
        registrations = page.evaluate("window.__registrations")
        if base.startswith("file:"):
            assert registrations == 0
            assert phone_search(page, "刹车")[0][0][0].startswith(base + "delivery/index.html")
            assert page.locator(".sb-update").count() == 0
        else:
            assert registrations == 1  # the counter sees a registration where there is one
        context.close()
        assert errors == []
        assert context.outside == []


@pytest.mark.slow
@pytest.mark.browser
def test_live_preview_shows_each_edit_without_a_notice(tmp_path):
    """Under `mkdocs serve` the worker answers from the preview server while it runs: an edit
    reloads into the new text, with no 手册已更新 in the way, and the preview still works offline."""
    from web_support import FIXTURE, goto_when_up, preview_server

    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site", "site.*"))
    with preview_server(project, mkdocs=True) as base:
        context = phone()
        try:
            page = context.new_page()
            goto_when_up(page, base + "delivery/index.html")
            assert "交付四步法" in page.inner_text("body")
            first = controlled(page)
            path = project / "content" / "delivery.yml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("交付四步法", "交付新四步法"), encoding="utf-8")
            page.wait_for_function("document.body && document.body.innerText.includes('交付新四步法')",
                                   timeout=60_000)
            # The rebuild's worker stores it and takes over at once, the previous build's cache gone.
            for _ in range(120):
                names = page.evaluate("caches.keys()")
                if len(names) == 1 and names != first:
                    break
                page.wait_for_timeout(500)
            assert len(names) == 1 and names != first
            assert page.locator(".sb-update").count() == 0
            context.set_offline(True)
            page.reload()
            assert "交付新四步法" in page.inner_text("body")
        finally:
            context.set_offline(False)
            context.close()
