"""The live preview as an editor meets it in Debian's chromium: a YAML mistake shows in the page,
with its file:line, instead of a browser left waiting; the next good save takes it away; and
the card index's PDFs and the cards' pages open in the preview as they do in the build."""
from __future__ import annotations

import shutil

import pytest

from web_support import FETCH, FIXTURE, goto_when_up, phone_context, preview_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def preview(tmp_path):
    """`sopbook serve` of a copy of the web fixture, a phone page open on its delivery chapter."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("site", "site.*"))
    with preview_server(project) as base:
        context = phone_context()
        page = context.new_page()
        goto_when_up(page, base + "delivery/index.html")
        try:
            yield project, page, base
        finally:
            context.close()


def test_a_yaml_mistake_shows_in_the_page_and_goes_with_the_fix(preview):
    project, page, _ = preview
    assert page.locator(".sb-preview-error").count() == 0
    chapter = project / "content" / "delivery.yml"
    good = chapter.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    title = next(n for n, line in enumerate(lines) if line.startswith("title: "))
    lines[title] = 'title: "<b>未闭合的引号\n'  # a quote opened and never closed
    chapter.write_text("".join(lines), encoding="utf-8")
    box = page.locator(".sb-preview-error")
    box.wait_for(timeout=60_000)  # the page reloads by itself, with the box
    text = box.inner_text()
    # In the handbook's language (zh), with its place.
    assert f"content/delivery.yml:{title + 1}:" in text and "YAML 格式错误" in text
    # The last content that loaded is still there to read under the box.
    assert page.locator("article h1").count() == 1
    chapter.write_text(good, encoding="utf-8")
    page.wait_for_function("!document.querySelector('.sb-preview-error')", timeout=60_000)


def test_the_card_index_pdfs_open_in_the_preview(preview):
    _, page, base = preview
    page.goto(base + "cards/index.html")
    links = page.eval_on_selector_all("a[type='application/pdf']", "as => as.map(a => a.href)")
    assert links, "the card index links no PDF"
    for href in links:
        status, magic, _size = page.evaluate(FETCH, href)
        assert (status, magic) == (200, "%PDF"), href


def test_the_box_holds_findings_as_text():
    from sopbook.findings import Finding, Loc
    from sopbook.web.preview import with_banner

    hostile = Finding("error", "load.yaml", "<script>alert(1)</script>", Loc("content/<x>.yml", 3, 1),
                      "type <b>this</b>")
    html = with_banner("<html><body class=x><p>页</p></body></html>", [hostile])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "content/&lt;x&gt;.yml:3:1" in html
    assert html.index("sb-preview-error") < html.index("<p>页</p>")
