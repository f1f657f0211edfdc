"""What sopbook says on the command line and prints on a card, in the handbook's language: an
English handbook (it names no language) gets English lines and card footers, a Chinese one
(handbook.yml `language: zh`) the exact Chinese ones, and `--lang` overrides either."""
from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest

from sopbook.cli import main

from cards_support import pdf_text, squash
from projects import HANDBOOK, chapter, write_project

TODAY = datetime.date.today().isoformat()
CHAPTER = chapter("""
- type: checklist
  id: brakes
  title: 刹车系统
  items: [试车测试刹车效果, 检查刹车片厚度]
""")
CARDS = "cards:\n  - {id: brakes-card, source: ch.brakes}\n"
# A checklist inside a step: the card names it ("Checklist:") and leaves its items to its own card.
STEP_CARD = chapter("""
- type: procedure
  id: handover
  title: 交车
  steps:
    - id: step-check
      title: 当面检查
      blocks:
        - type: checklist
          id: walkround
          title: 绕车检查
          items: [检查车漆]
""")
ZH = HANDBOOK + "language: zh\n"


def project(root: Path, handbook: str = HANDBOOK) -> Path:
    return write_project(root, CHAPTER, handbook=handbook, files={"checklists/cards.yml": CARDS})


def run(capsys, root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def reword(root: Path) -> None:
    content = root / "content" / "ch.yml"
    content.write_text(content.read_text(encoding="utf-8").replace("检查刹车片厚度", "检查刹车片厚度与磨损"),
                       encoding="utf-8")


def test_cards_list_release_and_a_change_in_english(tmp_path, capsys):
    root = project(tmp_path / "en")
    assert run(capsys, root, "cards", "--list")[1].splitlines() == [
        "cards: 1 of 1 cards changed since their last release:",
        "  new      brakes-card (never released)"]
    code, out, _ = run(capsys, root, "cards", "--list", "--release")
    assert code == 0 and out.splitlines()[-3:] == [
        f"cards: released on {TODAY}:",
        "  brakes-card edition 1",
        "cards: review and commit checklists/editions.yml"]
    reword(root)
    assert run(capsys, root, "cards", "--list")[1].splitlines() == [
        f"cards: 1 of 1 cards changed since their last release ({TODAY}):",
        "  changed  brakes-card (edition 1)",
        "           reworded item: 检查刹车片厚度 → 检查刹车片厚度与磨损"]
    code, _, err = run(capsys, root, "cards", "--list", "--release", "--date", "2000-01-01")
    assert code == 2 and err == (f"sopbook: --date 2000-01-01: give a date YYYY-MM-DD between the last "
                                 f"release ({TODAY}) and today\n")


def test_cards_list_release_and_a_change_in_chinese(tmp_path, capsys):
    root = project(tmp_path / "zh", ZH)
    assert run(capsys, root, "cards", "--list")[1].splitlines() == [
        "检查卡:1 张中有 1 张自上次发布以来有改动:",
        "  新增     brakes-card(从未发布)"]
    code, out, _ = run(capsys, root, "cards", "--list", "--release")
    assert code == 0 and out.splitlines()[-3:] == [
        f"检查卡:已于 {TODAY} 发布:",
        "  brakes-card 第1版",
        "检查卡:请检查并提交 checklists/editions.yml"]
    assert run(capsys, root, "cards", "--list")[1] == f"检查卡:全部 1 张与上次发布({TODAY})一致\n"
    reword(root)
    # The change lines line up under the card, whatever width the state takes in the terminal.
    assert run(capsys, root, "cards", "--list")[1].splitlines() == [
        f"检查卡:1 张中有 1 张自上次发布({TODAY})以来有改动:",
        "  已修改   brakes-card(第1版)",
        "           改写条目:检查刹车片厚度 → 检查刹车片厚度与磨损"]
    code, _, err = run(capsys, root, "cards", "--list", "--release", "--date", "2000-01-01")
    assert code == 2
    assert err == f"sopbook: --date 2000-01-01:请给出上次发布({TODAY})到今天之间的日期 YYYY-MM-DD\n"
    # --lang overrides the handbook's language, for the lines and for what changed.
    assert run(capsys, root, "cards", "--list", "--lang", "en")[1].splitlines() == [
        f"cards: 1 of 1 cards changed since their last release ({TODAY}):",
        "  changed  brakes-card (edition 1)",
        "           reworded item: 检查刹车片厚度 → 检查刹车片厚度与磨损"]


def test_a_failed_build_and_an_unforeseen_error_in_both_languages(tmp_path, capsys, monkeypatch):
    broken = "id: ch\ntitle: 交付\nsections:\n\t- id: s\n"
    for name, handbook, failed in (
            ("en", HANDBOOK, "sopbook: build failed (load); the previous site/ is unchanged"),
            ("zh", ZH, "sopbook: 构建失败(读取内容);之前的 site/ 保持不变")):
        root = project(tmp_path / name, handbook)
        (root / "content" / "ch.yml").write_text(broken, encoding="utf-8")
        code, _, err = run(capsys, root, "build", "--no-cards")
        assert code == 1 and err.splitlines()[-1] == failed

    def explode(project, families=None):
        raise RuntimeError("boom")

    monkeypatch.setattr("sopbook.checks.run_checks", explode)
    root = project(tmp_path / "zh-bug", ZH)
    assert run(capsys, root, "check")[2].splitlines() == [
        "sopbook: 错误:RuntimeError: boom",
        "sopbook: 这是 sopbook 的缺陷,不是内容的问题:"
        "加上 --debug 再运行一次同样的命令,并报告它打印的 traceback"]


def test_the_check_says_what_it_checked_in_the_handbooks_language(tmp_path, capsys):
    english = run(capsys, project(tmp_path / "en"), "check", "--no-cards")[1].splitlines()[-1]
    assert re.fullmatch(r"checked 1 chapters and 1 cards in \d+\.\d\d s", english), english
    chinese = run(capsys, project(tmp_path / "zh", ZH), "check", "--no-cards")[1].splitlines()[-1]
    assert re.fullmatch(r"已检查 1 个章节和 1 张检查卡,用时 \d+\.\d\d 秒", chinese), chinese


def test_an_unknown_language_is_refused_in_the_handbooks_language(tmp_path, capsys):
    code, _, err = run(capsys, project(tmp_path / "zh", ZH), "check", "--lang", "xx")
    assert code == 2
    assert err == ("sopbook: --lang xx:sopbook 支持的语言有 en, zh;"
                   "要加一种语言,就在 sopbook/locale/ 中再加一份语言目录\n")


def test_card_changes_and_labels_in_both_languages():
    from sopbook.model.editions import Change

    assert [Change("added", "kpi", after="NPS").describe(lang) for lang in ("en", "zh")] == [
        "added KPI: NPS", "新增指标:NPS"]
    assert [Change("removed", "mystery", before="x").describe(lang) for lang in ("en", "zh")] == [
        "removed text: x", "删除内容:x"]
    timing = Change("timing", "step", "Step 3", was=None, now=4)
    assert [timing.describe(lang) for lang in ("en", "zh")] == [
        "timing changed: Step 3 not stated → 4 minutes", "时长变更:Step 3 未注明 → 4分钟"]


def test_progress_lines_in_both_languages():
    from sopbook.cards.parallel import Progress
    from sopbook.cards.pdf import CardResult

    for lang, expected in (("en", "cards: [1/2] a ok (0.10 s)\ncards: [2/2] b FAILED (0.20 s)\n"),
                           ("zh", "检查卡:[1/2] a 完成(0.10 秒)\n检查卡:[2/2] b 失败(0.20 秒)\n")):
        plain = io.StringIO()
        with Progress(2, None, plain, lang) as bar:
            bar.advance(CardResult("a", pages=1, seconds=0.1))
            bar.advance(CardResult("b", error="boom", seconds=0.2))
        assert plain.getvalue() == expected


@pytest.mark.slow
@pytest.mark.parametrize(("handbook", "draft", "footer", "released", "reprint"), [
    (HANDBOOK, "draft·notreleased", "draft·notreleased·handbook0.9", f"Edition1·{TODAY}·handbook0.9",
     f"测试手册 · reprint {TODAY} · checklist cards A4"),
    (ZH, "草稿·未发布", "草稿·未发布·手册0.9", f"第1版·{TODAY}·手册0.9",
     f"测试手册 · 重印 {TODAY} · 检查卡 A4"),
], ids=["en", "zh"])
def test_a_card_prints_its_edition_in_the_handbooks_language(tmp_path, capsys, handbook, draft, footer,
                                                             released, reprint):
    from pypdf import PdfReader

    root = project(tmp_path / "p", handbook)
    out = tmp_path / "cards"
    assert run(capsys, root, "cards", "--out", str(out), "--jobs", "1")[0] == 0
    text = squash(pdf_text(out / "brakes-card.pdf"))
    assert text.count(draft) == 2 and footer in text, text  # in the band and the footer
    assert run(capsys, root, "cards", "--list", "--release")[0] == 0
    assert run(capsys, root, "cards", "--out", str(out), "--jobs", "1")[0] == 0
    text = squash(pdf_text(out / "brakes-card.pdf"))
    assert released in text and draft not in text, text
    # The cards the release changed, on a sheet of their own, titled in the handbook's language.
    assert PdfReader(out / "a4" / f"reprint--{TODAY}.pdf").metadata.title == reprint


@pytest.mark.slow
@pytest.mark.parametrize(("handbook", "label"), [(HANDBOOK, "Checklist:绕车检查"), (ZH, "清单:绕车检查")],
                         ids=["en", "zh"])
def test_a_checklist_inside_a_step_is_named_in_the_handbooks_language(tmp_path, capsys, handbook, label):
    root = write_project(tmp_path / "p", STEP_CARD, handbook=handbook,
                         files={"checklists/cards.yml": "cards:\n  - {id: handover, source: ch.handover}\n"})
    assert run(capsys, root, "cards", "--out", str(tmp_path / "cards"), "--jobs", "1")[0] == 0
    assert label in squash(pdf_text(tmp_path / "cards" / "handover.pdf"))
