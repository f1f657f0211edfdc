"""Trainer pages: `sopbook check` and the build read the same macros and refuse the same ones.

Every case is a small project in tmp_path. The build is the real MkDocs build with the sopbook
plugin loading the project itself (as `mkdocs build` does), so the two paths are independent:
what the check reports, the plugin must report too, with the same code, file, line and column.
"""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sopbook.build import BuildFailed, build_web
from sopbook.checks import run_checks
from sopbook.cli import main
from sopbook.model.project import load_project
from sopbook.model.trainer_refs import Macro, MacroError, scan

from projects import write_project

REPO = Path(__file__).resolve().parent.parent
CHAPTER = """\
id: delivery
title: 交付管理
sections:
  - id: golden-sop
    title: 黄金SOP
    blocks:
      - type: procedure
        id: delivery-sop
        title: 交付流程
        steps:
          - {id: verify, title: 功能验证, minutes: 3,
             blocks: [{type: checklist, id: verify-brakes, title: 刹车系统, items: [踩刹车踏板, 试车]}]}
          - {id: connect, title: 情感连接, minutes: 2}
"""
HANDBOOK = "title: 测试手册\nversion: '1'\nrevised: 2026-11-01\nsyllabus:\n  - id: delivery\n"
CARDS = "cards:\n  - id: brakes-card\n    source: delivery.verify-brakes\n"
MKDOCS = """\
site_name: t
docs_dir: docs
theme: {name: material, language: zh, font: false}
plugins: [search, sopbook]
"""


def project(tmp_path: Path, pages: dict[str, str], chapter: str = CHAPTER, name: str = "delivery") -> Path:
    files = {"checklists/cards.yml": CARDS.replace("delivery", name), "mkdocs.yml": MKDOCS,
             "docs/index.md": "# 首页\n"}
    files.update({f"docs/trainers/{page}": text for page, text in pages.items()})
    root = write_project(tmp_path / "p", None, handbook=HANDBOOK.replace("delivery", name), files=files)
    (root / "content" / f"{name}.yml").write_text(chapter, encoding="utf-8")
    shutil.copytree(REPO / "macros", root / "macros")
    (root / "docs" / "trainers").mkdir(exist_ok=True)
    return root


def checked(root: Path) -> list[tuple[str, str, str]]:
    return [(f.code, str(f.loc), f.message) for f in run_checks(load_project(root)) if f.level == "error"]


def built(root: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """The errors of a bare MkDocs build (the plugin loads and reads everything itself)."""
    with pytest.raises(BuildFailed) as info:
        build_web(load_project(root), tmp_path / "out")
    return [(f.code, str(f.loc), f.message) for f in info.value.findings if f.level == "error"]


BROKEN = {
    "kind.md": "# 课\n\n{{ checklist('delivery.delivery-sop') }}\n",
    "card.md": "# 课\n\n打印 {{ card('delivery.connect') }}。\n",
    "unclosed.md": "---\ntitle: 课\n---\n\n# 课\n\n先读 {{ ref('delivery.golden-sop' }}。\n",
    "name.md": "# 课\n\n先读 {{ reff('delivery.golden-sop') }}。\n",
    "wide.md": "# 课\n\n先读 {{ ref(‘delivery.golden-sop’) }},再读 {{ ref(“delivery.verify”) }}。\n",
    "mixed.md": "# 课\n\n先读 {{ ref('delivery.golden-sop\") }}。\n",
    "open.md": "# 课\n\n先读 {{ ref('delivery.golden-sop')\n",
    "braces.md": "# 课\n\n{{ 7*7 }}\n",
}


def test_check_and_build_refuse_the_same_broken_macros_at_the_same_place(tmp_path):
    root = project(tmp_path, BROKEN)
    from_check = checked(root)
    assert from_check == built(root, tmp_path)
    assert [loc for _, loc, _ in from_check] == [
        "docs/trainers/braces.md:3:1", "docs/trainers/card.md:3:4", "docs/trainers/kind.md:3:1",
        "docs/trainers/mixed.md:3:4", "docs/trainers/name.md:3:4", "docs/trainers/open.md:3:4",
        "docs/trainers/unclosed.md:7:4", "docs/trainers/wide.md:3:4", "docs/trainers/wide.md:3:40"]
    messages = dict((loc, message) for _, loc, message in from_check)
    assert messages["docs/trainers/kind.md:3:1"] == \
        "checklist('delivery.delivery-sop') is a procedure, not a checklist"
    assert messages["docs/trainers/card.md:3:4"] == "'delivery.connect' has no card: card('delivery.connect')"


@pytest.mark.parametrize("page, message, hint", [
    ("{{ ref('delivery.golden-sop' }}", "unclosed macro {{ ref('delivery.golden-sop' }}: the ')' is missing",
     "write {{ ref('delivery.golden-sop') }}"),
    ("{{ reff('delivery.golden-sop') }}", "unknown macro 'reff' in {{ reff('delivery.golden-sop') }}",
     "did you mean ref? write {{ ref('delivery.golden-sop') }}"),
    ("{{ ref(‘delivery.golden-sop’) }}", "full-width quotes ‘ ’ in {{ ref(‘delivery.golden-sop’) }}",
     "write {{ ref('delivery.golden-sop') }} with ASCII quotes '"),
    ("{{ ref(“delivery.golden-sop”) }}", "full-width quotes “ ” in {{ ref(“delivery.golden-sop”) }}",
     "write {{ ref('delivery.golden-sop') }} with ASCII quotes '"),
    ("{{ ref('delivery.golden-sop\") }}", "the quotes in {{ ref('delivery.golden-sop\") }} do not match",
     "write {{ ref('delivery.golden-sop') }}"),
    ("{{ ref(delivery.golden-sop) }}", "the id in {{ ref(delivery.golden-sop) }} is not quoted",
     "write {{ ref('delivery.golden-sop') }}"),
    ("{{ ref('delivery.golden-sop')", "unclosed macro {{ ref('delivery.golden-sop'): the '}}' is missing",
     "write {{ ref('delivery.golden-sop') }} on one line"),
    ("{% include 'x.md' %}", "{% include 'x.md' %} is a template statement; trainer pages run none",
     "trainer pages call only ref(), checklist() and card(), e.g. {{ ref('delivery.golden-sop') }}; "
     "to show it as text, put it in `code`"),
], ids=["unclosed", "misspelled", "single-wide", "double-wide", "mismatched", "unquoted", "no-braces",
        "statement"])
def test_a_broken_macro_is_located_and_the_hint_says_what_to_type(tmp_path, page, message, hint):
    root = project(tmp_path, {"lesson.md": f"# 课\n\n读 {page} 再练习。\n"})
    [finding] = [f for f in run_checks(load_project(root)) if f.level == "error"]
    assert (finding.code, str(finding.loc), finding.message, finding.hint) == (
        "references.trainer-macro", "docs/trainers/lesson.md:3:3", message, hint)


class Text(HTMLParser):
    """The article's text, and the text of its <code> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.code, self._depth, self._in_article = [], [], 0, False

    def handle_starttag(self, tag, attrs):
        self._in_article |= tag == "article"
        self._depth += tag == "code"

    def handle_endtag(self, tag):
        self._depth -= tag == "code"
        self._in_article &= tag != "article"

    def handle_data(self, data):
        if self._in_article:
            self.text.append(data)
            if self._depth:
                self.code.append(data)


SHOWN = """\
# 语法

行内写法 `{{ ref('nope.nothing') }}`,双反引号 ``{{ card(‘x’) }}``。

```markdown
{{ reff('nope') }}
```

~~~
{{ ref('nope.y' }}
~~~

缩进代码块:

    {{ checklist('nope.z') }}

正文 {{ ref('delivery.golden-sop') }}。转义 \\{{ ref('nope.w') }}。
"""


def test_macros_in_code_are_shown_as_written_in_check_and_build(tmp_path):
    root = project(tmp_path, {"syntax.md": SHOWN})
    assert checked(root) == []
    build_web(load_project(root), tmp_path / "out")
    page = Text()
    page.feed((tmp_path / "out" / "trainers" / "syntax" / "index.html").read_text(encoding="utf-8"))
    code = [c.strip() for c in page.code if c.strip()]
    assert code == ["{{ ref('nope.nothing') }}", "{{ card(‘x’) }}", "{{ reff('nope') }}",
                    "{{ ref('nope.y' }}",
                    "{{ checklist('nope.z') }}"]
    text = "".join(page.text)
    assert "正文 黄金SOP。" in text  # the macro outside code was expanded
    assert "转义 {{ ref('nope.w') }}。" in text  # Markdown prints an escaped brace as a brace
    assert text.count("{{") == 6


def test_scan_leaves_code_alone_and_an_escaped_brace_too():
    text = ("a `{{ x }}` b\n\n    {{ y }}\n\nc \\{{ ref('q') }} d {{ card('k') }}\n"
            "- item\n\n    {{ ref('in-list') }}\n")
    found = scan(text)
    assert [(type(m).__name__, getattr(m, "ref", None), m.line, m.col) for m in found] == [
        ("Macro", "k", 5, 21), ("Macro", "in-list", 8, 5)]  # inside a list item, indented text is text
    assert all(isinstance(m, (Macro, MacroError)) for m in found)


@pytest.mark.parametrize("name", ["search", "assets", "cards", "syllabus", "trainers"])
def test_a_chapter_id_that_is_a_folder_of_the_site_fails_check_and_build_alike(tmp_path, name):
    chapter = CHAPTER.replace("id: delivery", f"id: {name}", 1)
    root = project(tmp_path, {}, chapter, name)
    errors = checked(root)
    assert [(code, loc) for code, loc, _ in errors] == [("references.reserved-id", f"content/{name}.yml:1:1")]
    assert built(root, tmp_path) == errors


def test_a_chapter_id_that_a_docs_page_takes_is_refused(tmp_path):
    root = project(tmp_path, {})
    (root / "docs" / "delivery.md").write_text("# 交付\n", encoding="utf-8")
    [(code, loc, message)] = checked(root)
    assert (code, loc, message) == ("references.reserved-id", "content/delivery.yml:1:1",
                                    "chapter id 'delivery' is also the page docs/delivery.md")


def test_a_gbk_trainer_page_is_named_with_its_byte_in_check_and_build(tmp_path):
    root = project(tmp_path, {})
    (root / "docs" / "trainers" / "gbk.md").write_bytes("# 课\n\n第二行刹车\n".encode("gbk"))
    errors = checked(root)
    assert errors == [("load.encoding", "docs/trainers/gbk.md:1:3",
                       "page is not UTF-8 (byte 0xbf at offset 2)")]
    assert built(root, tmp_path) == errors


def _counts(out: str) -> list[str]:
    """The summary lines, in the handbook's language (its mkdocs.yml says zh)."""
    return [line for line in out.splitlines() if re.fullmatch(r"\d+ 个错误,\d+ 个警告,.* 个计划章节", line)]


def test_build_and_check_print_the_same_findings_and_counts(tmp_path, capsys):
    root = project(tmp_path, {"kind.md": BROKEN["kind.md"], "wide.md": BROKEN["wide.md"]})
    assert main(["--root", str(root), "check"]) == 1
    check_out = capsys.readouterr().out
    assert main(["--root", str(root), "build", "--no-cards"]) == 1
    build_out = capsys.readouterr().out
    assert _counts(check_out) == _counts(build_out) == [
        "3 个错误,2 个警告,0 个已确认,0 个待补充,0 个计划章节"]
    assert re.findall(r"\[([\w.-]+)\]", check_out) == re.findall(r"\[([\w.-]+)\]", build_out)


def test_a_successful_build_prints_the_checks_counts(tmp_path, capsys):
    root = project(tmp_path, {"lesson.md": "# 课\n\n先读 {{ ref('delivery.golden-sop') }}。\n"})
    assert main(["--root", str(root), "check"]) == 0
    check_out = capsys.readouterr().out
    assert main(["--root", str(root), "build", "--no-cards", "--site", str(tmp_path / "site")]) == 0
    build_err = capsys.readouterr().err
    assert _counts(check_out) == ["0 个错误,2 个警告,0 个已确认,0 个待补充,0 个计划章节"]
    assert f"sopbook: {_counts(check_out)[0]}" in build_err.splitlines()


def test_a_docs_page_where_the_handbook_writes_its_own_fails_check_and_build_alike(tmp_path):
    root = project(tmp_path, {})
    (root / "docs" / "syllabus").mkdir()
    (root / "docs" / "syllabus" / "index.md").write_text("# 我的大纲\n", encoding="utf-8")
    errors = checked(root)
    assert errors == [("references.reserved-page", "docs/syllabus/index.md:1",
                       "docs/syllabus/index.md is a page the handbook generates itself")]
    assert built(root, tmp_path) == errors
