"""`sopbook export DIR`: the real handbook as a plain MkDocs project, built by MkDocs and Zensical.

A handbook must survive the sopbook plugin: the export is what is left when MkDocs 1.x or
Material stop working. So the real content is exported once, built with plain `mkdocs build` and
with `zensical build`, and every generated page, its anchors and its card links are checked in
both sites; the MkDocs build's pages are held to the plugin's own output.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from sopbook.export import MARKER, export
from sopbook.model.nodes import Checklist, KpiTable, Procedure
from sopbook.model.project import load_project, walk

from web_support import REPO, built, real_content_ready

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not real_content_ready(), reason="content/ has no chapters yet")]

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("export") / "handbook"
    export(REPO, target)
    return target


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def mkdocs_site(exported) -> Path:
    _run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", "site-mkdocs"], exported)
    return exported / "site-mkdocs"


@pytest.fixture(scope="module")
def zensical_site(exported, tmp_path_factory) -> Path:
    zensical = BIN / "zensical"
    assert zensical.exists(), "Zensical is not installed: pip install -e '.[test]' (it pins zensical)"
    # Zensical writes site_dir from mkdocs.yml and keeps a cache beside it: build a copy.
    copy = tmp_path_factory.mktemp("zensical") / "handbook"
    shutil.copytree(exported, copy)
    result = _run([str(zensical), "build", "--clean"], copy)
    assert "error" not in result.stdout.lower() + result.stderr.lower(), result.stdout + result.stderr
    return copy / "site"


def _expected_pages() -> list[str]:
    """Every page a reader of the plugin-built handbook can open, as the built site's file."""
    project = load_project(REPO)
    pages = [f"{chapter.id}/index.html" for chapter in project.chapters]
    pages += ["syllabus/index.html", "kpis/index.html", "cards/index.html", "health/index.html"]
    pages += [p.relative_to(REPO / "docs").with_suffix(".html").as_posix()
              for p in (REPO / "docs").rglob("*.md")]
    return sorted(pages)


def _anchors(chapter) -> list[str]:
    """What trainers and cards link to: steps, checklists, procedures, KPI tables and KPIs."""
    out = []
    for node, _parents in walk(chapter):
        if isinstance(node, Procedure):
            out += [node.id] + [step.id for step in node.steps]
        elif isinstance(node, Checklist):
            out.append(node.id)
        elif isinstance(node, KpiTable):
            out += [node.id] + [kpi.id for kpi in node.kpis]
    return [a for a in out if a]


def _article(html: str) -> str:
    match = re.search(r"<article\b[^>]*>(.*?)</article>", html, re.S)
    assert match, "no <article> in the page"
    return match.group(1)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_the_export_has_every_page_as_a_file_and_no_sopbook_plugin(exported):
    docs = exported / "docs"
    for page in _expected_pages():
        assert (docs / page).with_suffix(".md").is_file(), f"the export has no docs/{page[:-5]}.md"
    chapter = (docs / "delivery" / "index.md").read_text(encoding="utf-8")
    # The page's HTML as one raw block after the front matter: nothing indented, so Markdown
    # cannot read any of it as a code block.
    assert chapter.startswith("---\ntitle: ") and "\n\n<div " in chapter
    config = yaml.load((exported / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Tolerant)
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert "sopbook" not in names and "search" in names
    assert config["theme"]["language"] == "zh" and config["theme"]["font"] is False
    assert config["plugins"][names.index("search")]["search"]["pipeline"] == []
    assert (exported / MARKER).is_file()


class _Tolerant(yaml.SafeLoader):
    """Reads MkDocs' own tags (!ENV, !!python/...) as plain data."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_every_page_builds_with_its_anchors_and_card_links(builder, request):
    site: Path = request.getfixturevalue(f"{builder}_site")
    project = load_project(REPO)
    for page in _expected_pages():
        assert (site / page).is_file(), f"{builder} built no {page}"
    for chapter in project.chapters:
        html = (site / chapter.id / "index.html").read_text(encoding="utf-8")
        article = _article(html)
        assert chapter.title in article, f"{chapter.id}: the chapter's title is not on its page"
        assert "&lt;div" not in article and "<pre><code>&lt;" not in article, "the HTML was printed as text"
        missing = [a for a in _anchors(chapter) if a not in _ids(article)]
        assert not missing, f"{builder}: {chapter.id}/index.html lacks the anchors {missing}"
    pdfs = 0
    for page in ("cards/index.html", *[f"{c.id}/index.html" for c in project.chapters]):
        html = (site / page).read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#]+\.pdf)"', html):
            target = (site / page).parent / unquote(urlsplit(href).path)
            assert target.is_file(), f"{builder}: {page} links {href}, which is not in the site"
            pdfs += 1
    assert pdfs >= len(project.cards)
    for card in project.cards:
        assert (site / "cards" / f"{card.id}.pdf").is_file(), f"{builder}: no PDF for card {card.id}"


def test_trainer_pages_have_their_macros_expanded_into_links_that_resolve(mkdocs_site, zensical_site):
    for site in (mkdocs_site, zensical_site):
        page = site / "trainers" / "delivery-lesson.html"
        article = _article(page.read_text(encoding="utf-8"))
        assert "{{" not in article, f"{page}: a macro reached the reader"
        links = re.findall(r'href="(\.\./[^"]+)"', article)
        assert links, f"{page}: no links into the handbook"
        for href in links:
            path, _, anchor = href.partition("#")
            target = page.parent / unquote(path)
            assert target.is_file(), f"{page} links {href}, which is not in the site"
            if anchor:
                ids = _ids(target.read_text(encoding="utf-8"))
                assert anchor in ids, f"{page}: {href} has no such anchor"


def test_mkdocs_builds_the_export_into_the_pages_the_plugin_builds(mkdocs_site):
    plugin = built(REPO).site
    for page in _expected_pages():
        if page.startswith("trainers/") or page == "index.html":
            continue  # Markdown pages: the same text, but Markdown made their table of contents
        ours = _article((mkdocs_site / page).read_text(encoding="utf-8"))
        theirs = _article((plugin / page).read_text(encoding="utf-8"))
        assert ours == theirs, f"{page} differs from the page the sopbook plugin builds"


def test_a_folder_that_is_not_an_export_or_holds_sources_is_refused_untouched(tmp_path):
    from sopbook.export import ExportFailed

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportFailed) as caught:
        export(REPO, mine)
    assert "is not empty" in caught.value.findings[0].message and caught.value.findings[0].hint
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    with pytest.raises(ExportFailed) as caught:
        export(REPO, REPO / "content" / "export")
    assert "content" in caught.value.findings[0].message
    assert not (REPO / "content" / "export").exists()
