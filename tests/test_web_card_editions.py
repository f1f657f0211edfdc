"""Card editions, as an editor and a reader of a laminated card meet them: `sopbook cards` lists
what changed since the last release, `--release` records it in checklists/editions.yml, the card
prints its revision (or 草稿), and its QR code's page says 最新版 or 已过期 with what changed,
in Debian's chromium (so this file runs with the other browser tests, after the card workers'
tests, which need a process without the browser's threads)."""
from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cards_support
from cards_support import pdf_text, squash
from web_support import REPO, browser, build_site, local, real_content_ready, serve

pytestmark = pytest.mark.skipif(not real_content_ready(), reason="the real handbook is not in this checkout")

BRAKE_ITEM = "静止状态多次刹车,听是否有异响"
TODAY = datetime.date.today().isoformat()


def sopbook(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("sopbook")), *args, "--root", str(root)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def copy_real(tmp_path: Path) -> Path:
    folders = ("content", "checklists", "macros", "docs", "schema")
    return cards_support.copy_real(tmp_path / "handbook", folders)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The real handbook after one more release: the brake check reworded, an item added and
    Step 3 made a minute longer, released as 第2版 of the cards that print them."""
    root = copy_real(tmp_path_factory.mktemp("editions"))
    content = root / "content" / "delivery.yml"
    edit(content, f"- {BRAKE_ITEM}", "- 静止状态连续多次刹车,听是否有异响\n"
                                     "                  - 检查刹车片厚度")
    listed = sopbook(root, "cards", "--list")
    assert listed.returncode == 0, listed.stderr
    done = sopbook(root, "cards", "--list", "--release")
    assert done.returncode == 0, done.stderr
    return root, listed.stdout, done.stdout


def test_the_real_cards_are_all_released():
    done = sopbook(REPO, "cards", "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("检查卡:全部 10 张与上次发布(")


def test_cards_lists_what_changed_and_release_records_it(released):
    root, listed, done = released
    assert listed.splitlines()[:5] == [
        "检查卡:10 张中有 2 张自上次发布(2026-12-04)以来有改动:",
        "  已修改   delivery-run(第1版)",
        f"           改写条目:{BRAKE_ITEM} → 静止状态连续多次刹车,听是否有异响",
        "           新增条目:检查刹车片厚度",
        "  已修改   verify-brakes(第1版)",
    ]
    assert done.splitlines()[-4:] == [f"检查卡:已于 {TODAY} 发布:", "  delivery-run 第2版",
                                      "  verify-brakes 第2版",
                                      "检查卡:请检查并提交 checklists/editions.yml"]
    again = sopbook(root, "cards", "--list")
    assert again.stdout == f"检查卡:全部 10 张与上次发布({TODAY})一致\n"
    # The same lines in English, asked for with --lang: the card ids and the content stay as written.
    english = sopbook(root, "cards", "--list", "--lang", "en")
    assert english.stdout == f"cards: all 10 cards are as last released ({TODAY})\n"


def test_a_revision_goes_up_only_when_the_printed_content_changes(released, tmp_path):
    from sopbook.model.project import load_project

    root = tmp_path / "handbook"
    shutil.copytree(released[0], root)
    ledger = load_project(root).ledger
    assert ledger.cards["verify-brakes"].latest.revision == 2
    assert ledger.cards["verify-noise"].latest.revision == 1  # untouched
    # A timing change is a change; a comment in the YAML is not.
    edit(root / "content" / "delivery.yml", "# ", "#  ")
    assert sopbook(root, "cards", "--list").stdout.startswith("检查卡:全部 10 张")


def test_timings_changed_and_removed_cards_are_named(tmp_path):
    from sopbook.model.editions import card_editions
    from sopbook.model.project import load_project
    from sopbook.web.site import Site

    root = copy_real(tmp_path)
    text = (root / "content" / "delivery.yml").read_text(encoding="utf-8")
    step = text.index("id: step-verify")
    at = text.index("minutes: 3", step)
    text = text[:at] + "minutes: 4" + text[at + len("minutes: 3"):]
    (root / "content" / "delivery.yml").write_text(text, encoding="utf-8")
    edit(root / "checklists" / "delivery.yml", "  - id: verify-other\n    source: delivery.verify-other\n"
         "    kind: read-do\n", "")
    project = load_project(root)
    found = {e.card_id: e for e in card_editions(project.ledger, Site(project).card_resolved())}
    assert found["verify-other"].state == "removed"
    run = found["delivery-run"]
    assert run.state == "changed" and [c.describe("zh") for c in run.changes] == [
        "时长变更:功能验证 - 与客户一起确认 Step 3 3分钟 → 4分钟"]
    assert [c.describe("en") for c in run.changes] == [
        "timing changed: 功能验证 - 与客户一起确认 Step 3 3 minutes → 4 minutes"]


def test_a_draft_card_prints_as_a_draft_and_a_release_prints_its_revision(released, tmp_path):
    root = tmp_path / "handbook"
    shutil.copytree(released[0], root)
    out = tmp_path / "cards"
    assert sopbook(root, "cards", "--out", str(out), "--jobs", "2").returncode == 0
    brakes = squash(pdf_text(out / "verify-brakes.pdf"))
    assert f"第2版·{TODAY}·手册" in brakes and "草稿" not in brakes
    edit(root / "content" / "delivery.yml", "检查刹车片厚度", "检查刹车片厚度与磨损")
    assert sopbook(root, "cards", "--out", str(out), "--jobs", "2").returncode == 0
    brakes = squash(pdf_text(out / "verify-brakes.pdf"))
    assert brakes.count("草稿·未发布") == 2 and "第2版" not in brakes  # in the band and the footer
    assert "草稿" not in squash(pdf_text(out / "verify-noise.pdf"))


def test_a_ledger_that_does_not_load_is_a_located_error(tmp_path):
    root = copy_real(tmp_path)
    edit(root / "checklists" / "editions.yml", "revision: 1", "revision: one")
    done = sopbook(root, "check", "--lang", "en")
    assert done.returncode == 1
    assert done.stdout.startswith("checklists/editions.yml\n  8:9      error   "
                                  "cards.delivery-kpis.editions[0].revision: expected a whole number")


# ---- the QR code's page, in a browser --------------------------------------------------------------
@pytest.fixture(scope="module")
def card_site(released, tmp_path_factory):
    root, _, _ = released
    site = tmp_path_factory.mktemp("card-site") / "site"
    build_site(root, site)
    return site


def open_card(base: str, path: str):
    context = browser().new_context(viewport={"width": 390, "height": 844})
    context.route("**/*", lambda r: r.continue_() if local(r.request.url) else r.abort())
    page = context.new_page()
    page.goto(base + path)
    return page


def visible_note(page) -> str:
    return page.locator(".sb-card-rev:not([hidden])").inner_text()


@pytest.mark.browser
def test_an_old_card_scans_as_outdated_with_what_changed(card_site):
    page = open_card(serve(card_site), "cards/verify-brakes/index.html?rev=1")
    note = visible_note(page)
    assert note.startswith("已过期") and "当前为第2版" in note
    assert f"改写条目:{BRAKE_ITEM} → 静止状态连续多次刹车,听是否有异响" in note
    assert "新增条目:检查刹车片厚度" in note
    # The card's content as the web has it, with the way back to its section.
    assert "检查刹车片厚度" in page.inner_text(".sb-card-page")
    page.context.close()


@pytest.mark.browser
def test_the_current_card_scans_as_latest(card_site):
    base = serve(card_site)
    page = open_card(base, "cards/verify-brakes/index.html?rev=2")
    assert visible_note(page).startswith("最新版")
    assert page.locator(".sb-card-rev:not([hidden])").count() == 1
    page.goto(base + "cards/verify-noise/index.html?rev=1")
    assert visible_note(page).startswith("最新版")
    page.goto(base + "cards/verify-brakes/index.html?rev=9")
    assert visible_note(page).startswith("未知版本")
    page.goto(base + "cards/verify-brakes/index.html")  # no revision: the page says which is current
    assert page.locator(".sb-card-rev:not([hidden])").count() == 0
    assert f"当前发布:第2版 · {TODAY}" in page.inner_text(".sb-card-status")
    page.context.close()


def test_the_card_index_links_each_card_page_with_its_edition(card_site):
    html = (card_site / "cards" / "index.html").read_text(encoding="utf-8")
    assert 'href="verify-brakes/index.html"' in html
    assert f"第2版 · {TODAY}" in html


def test_hostile_card_changes_are_text(tmp_path):
    from sopbook.model.editions import changes
    from sopbook.model.ledger import PrintedLine

    found = changes([PrintedLine(kind="item", text="a")],
                    [PrintedLine(kind="item", text="a"), PrintedLine(kind="item", text="<script>x</script>")])
    assert [c.describe("zh") for c in found] == ["新增条目:<script>x</script>"]
    root = copy_real(tmp_path)
    edit(root / "content" / "delivery.yml", "- 测试维修相关功能",
         "- 测试维修相关功能\n                  - <img src=x onerror=alert(1)>")
    site = tmp_path / "site"
    build_site(root, site)
    page = (site / "cards" / "verify-other" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_reprint_sheet_holds_only_the_cards_the_last_release_changed(released, tmp_path, card_site):
    from pypdf import PdfReader

    root, _, _ = released
    out = tmp_path / "cards"
    assert sopbook(root, "cards", "--out", str(out), "--jobs", "2").returncode == 0
    sheet = out / "a4" / f"reprint--{TODAY}.pdf"
    text = squash(pdf_text(sheet))
    assert "delivery-run" in text and "verify-brakes" in text
    assert "verify-noise" not in text and "five-mots" not in text
    assert len(PdfReader(sheet).pages) == 2  # two cards on one side, delivery-run's back behind
    # The card index links it, with what changed on each card.
    index = (card_site / "cards" / "index.html").read_text(encoding="utf-8")
    section = index[index.index('id="reprint"'):index.index("</section>", index.index('id="reprint"'))]
    assert f'href="a4/reprint--{TODAY}.pdf"' in section
    assert section.count("新增条目:检查刹车片厚度") == 2 and "verify-noise" not in section
