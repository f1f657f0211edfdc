"""Markup in content is text: in the web pages, the search index and the card PDFs.

Handbooks are published from shared repositories, so every string field of the small project in
tests/fixtures/hostile/ is given `<script>`, `<img onerror>`, `javascript:` and `data:` links,
Jinja (`{{ 7*7 }}`, `{% raw %}`), a `file:///etc/passwd` image and a remote image. The built pages
must show all of it as the text it is, never run it, never evaluate it; WeasyPrint must fetch
nothing because of it.
"""
from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sopbook.source.yaml_loader import parse_yaml

from cards_support import pdf_text, squash
from test_property_loader import _plain, dump

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "hostile"

PIECES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="data:text/html,<script>alert(2)</script>">d</a>',
    "{{ 7*7 }}",
    "{% raw %}",
    '<img src="file:///etc/passwd">',
    "![p](http://example.com/x.png)",
]
PAYLOAD = " ".join(PIECES)
# Fields whose value is an id, a reference, a parsed quantity or a keyword, not text people read
NOT_TEXT = {"id", "type", "time", "target", "value", "result", "deadline", "kind", "op", "marks", "mot",
            "governed_by", "responds_to", "next", "source", "back", "address", "code", "format", "anchor",
            "revised", "scale"}


def hostile_project(where: Path, text_for) -> Path:
    """The fixture project with `text_for(original)` in place of every text field."""
    root = where / "hostile"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(REPO / "macros", root / "macros")

    def inject(node):
        if isinstance(node, dict):
            return {k: v if k in NOT_TEXT else inject(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inject(v) for v in node]
        return text_for(node) if isinstance(node, str) else node

    for name in ("handbook.yml", "content/hostile.yml", "checklists/cards.yml"):
        path = root / name
        path.write_text(dump(inject(_plain(parse_yaml(path.read_text(encoding="utf-8"), name)))),
                        encoding="utf-8")
    return root


class Scan(HTMLParser):
    """Everything a browser would act on (elements, attributes, scripts) and the text it shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str, str]] = []  # (tag, attribute, decoded value)
        self.scripts: list[str] = []
        # Scripts a browser never runs (run mode's JSON islands): data, held to their own rule.
        self.islands: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self._island = False

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self._in_script = True
            self._island = (dict(attrs).get("type") or "").strip().lower() == "application/json"
            (self.islands if self._island else self.scripts).append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            (self.islands if self._island else self.scripts)[-1] += data
        else:
            self.text.append(data)


def scan(path: Path) -> Scan:
    parser = Scan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from sopbook.build import build_web
    from sopbook.model.project import load_project

    root = hostile_project(tmp_path_factory.mktemp("hostile-web"), lambda text: f"{text} {PAYLOAD}")
    build_web(load_project(root), root / "site")
    return root / "site"


def pages(site: Path) -> list[Path]:
    found = sorted(p for p in site.rglob("*.html") if p.name != "404.html")
    assert len(found) >= 7, found  # home, chapter, syllabus, KPIs, cards, health, the trainer page
    return found


def test_no_page_runs_or_loads_anything_from_content(site):
    live = []
    for page in pages(site):
        found = scan(page)
        name = page.relative_to(site)
        live += [(name, "script", s[:60]) for s in found.scripts if "alert" in s]
        # A JSON island holds the content as data; one "<" could end it and start real markup.
        live += [(name, "json island", s[:60]) for s in found.islands if "<" in s]
        for tag, attr, value in found.attrs:
            v = value.strip().lower()
            if attr.startswith("on") and "alert" in v:
                live.append((name, f"<{tag} {attr}>", value))
            if attr in ("href", "src", "action", "formaction", "data") and v.startswith(
                    ("javascript:", "data:text")):
                live.append((name, f"<{tag} {attr}>", value))
            if tag == "img" and attr == "src" and v in ("x", "file:///etc/passwd", "http://example.com/x.png"):
                live.append((name, f"<{tag} {attr}>", value))
    kinds = sorted({f"{what}={value[:40]!r}" for _, what, value in live})
    on_pages = len({p for p, _, _ in live})
    assert live == [], f"{len(live)} live elements from content on {on_pages} pages: {kinds}"


def test_every_page_shows_the_markup_as_the_text_it_is(site):
    for page in pages(site):
        text = "".join(scan(page).text)
        # wherever a field's text begins, all of it is there, as written: nothing eaten or evaluated
        assert text.count("<script>alert(1)</script>") == text.count(PAYLOAD), page
        assert "&lt;" not in text and "&amp;" not in text, f"escaped twice on {page}"
    chapter = "".join(scan(site / "hostile" / "index.html").text)
    assert chapter.count(PAYLOAD) >= 40  # every text field of the chapter carries it


def test_jinja_in_content_and_in_trainer_pages_is_never_evaluated(site):
    (lesson_page,) = [p for p in pages(site) if p.relative_to(site).as_posix().startswith("trainers/lesson")]
    lesson = "".join(scan(lesson_page).text)
    assert "这里的 {{ 7*7 }} 不是引用,原样保留。" in lesson
    # the checklist and the reference expanded into the trainer page carry content's {{ 7*7 }} as text
    assert lesson.count(PAYLOAD) >= 4
    for page in pages(site):
        assert not re.search(r"(?<![\d.])49(?![\d.])", "".join(scan(page).text)), page


def test_titles_in_attributes_are_not_escaped_twice(site):
    """`title="..."` tooltips, `<meta>` and the like show the text too, not `&lt;script&gt;`."""
    doubled = [(page.relative_to(site), tag, attr, value[:80]) for page in pages(site)
               for tag, attr, value in scan(page).attrs if "&lt;" in value or "&amp;" in value]
    assert doubled == []


def test_search_index_holds_the_text_as_text(site):
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    shown = 0
    for doc in docs:
        for field in ("title", "text"):
            # Material inserts these as HTML: markup from content must be there as entities
            assert "<script" not in doc[field] and "<img" not in doc[field], (doc["location"], field)
            plain = html.unescape(re.sub(r"<[^>]+>", "", doc[field])).replace("\u200b", "")
            shown += plain.count("<script>alert(1)</script>")
    assert shown >= 40


def test_anchors_made_from_free_text_are_plain(site):
    """Links into a page (search results, the table of contents) use anchors; one made from a
    text field must not carry the markup (`#day-18-5 <script>…`): it is not a valid id either."""
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    bad = [doc["location"] for doc in docs if re.search(r"[<>\"' ]", doc["location"])]
    ids = [(page.relative_to(site), value) for page in pages(site)
           for tag, attr, value in scan(page).attrs if attr == "id" and re.search(r"[<>\"' ]", value)]
    assert (bad, ids) == ([], [])


# ---- cards ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    """The cards, rendered in this process (jobs=1) with a spy on WeasyPrint's URL fetcher.

    Each field gets one piece of markup (all of it would not fit an A6 card)."""
    import sopbook.cards.pdf as pdf
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    turn = iter(range(10_000))
    root = hostile_project(tmp_path_factory.mktemp("hostile-cards"),
                           lambda text: f"{text} {PIECES[next(turn) % len(PIECES)]}")
    asked: list[str] = []
    fetchers = []
    confined = pdf.confined_fetcher

    def spying(root_dir):
        fetcher = confined(root_dir)
        fetch = fetcher.fetch

        def spy(url, headers=None):
            asked.append(url)
            return fetch(url, headers)

        fetcher.fetch = spy
        fetchers.append(fetcher)
        return fetcher

    pdf.confined_fetcher = spying
    try:
        project = load_project(root)
        report = build_cards(project, root / "site" / "cards", jobs=1, progress=False)
    finally:
        pdf.confined_fetcher = confined
    return root, project, report, asked, fetchers


def test_card_pdfs_print_the_markup_as_text(cards):
    root, project, report, _, _ = cards
    assert [f for f in report.findings if f.level == "error"] == []
    assert report.rendered == ["verify-card", "nps-card"]
    checklist = project.index["hostile.verify-list"].node
    segments = project.index["hostile.nps"].node
    expected = {
        "verify-card": [project.cards[0].title, *(x for i in checklist.items for x in (i.text, i.note) if x),
                        checklist.confirmation.question, checklist.confirmation.expected],
        "nps-card": [project.cards[1].title, *(x for s in segments.segments for x in (s.label, *s.strategy))],
    }
    printed = set()
    for card_id, texts in expected.items():
        text = squash(pdf_text(root / "site" / "cards" / f"{card_id}.pdf"))
        for written in texts:
            assert squash(written) in text, (card_id, written)
            printed.update(p for p in PIECES if written.endswith(p))
    assert printed >= {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}",
                       '<img src="file:///etc/passwd">'}, printed


def test_weasyprint_fetches_nothing_for_content(cards):
    root, _, report, asked, fetchers = cards
    assert fetchers, "the renderer did not use the confined fetcher"
    # The card faces (cards/subset.py) are served from the renderer's memory, never from a path.
    outside = [url for url in asked if not url.startswith(("data:", "sopbook-font:Noto-Sans-CJK-SC-card-"))
               and not url.startswith(root.resolve().as_uri() + "/")]
    from_content = [url for url in asked if re.search(r"passwd|example\.com|/x$|javascript", url)]
    assert (outside, from_content) == ([], [])
    assert all(f.blocked == [] for f in fetchers)
    assert [f.message for f in report.findings if f.code == "cards.render-warning"] == []
