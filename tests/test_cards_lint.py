"""Checklist-design lint (`sopbook check`): warnings with thresholds from handbook.yml."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from sopbook.checks.cards import check
from sopbook.model.project import load_project

from cards_support import REPO

HANDBOOK = """\
title: 测试手册
version: "1.0"
revised: 2026-01-02
syllabus:
  - id: ch
"""


def project(tmp_path: Path, content: str, cards: str, handbook: str = HANDBOOK):
    (tmp_path / "content").mkdir()
    (tmp_path / "checklists").mkdir()
    (tmp_path / "handbook.yml").write_text(handbook, encoding="utf-8")
    (tmp_path / "content" / "ch.yml").write_text(textwrap.dedent(content), encoding="utf-8")
    (tmp_path / "checklists" / "cards.yml").write_text(textwrap.dedent(cards), encoding="utf-8")
    shutil.copytree(REPO / "macros", tmp_path / "macros")
    return load_project(tmp_path)


def checklist(items: list[str], confirmation: str | None = "客户签字确认",
              kind: str | None = "do-confirm") -> str:
    lines = ["id: ch", "title: 章", "sections:", "  - id: s", "    title: 节", "    blocks:",
             "      - type: checklist", "        id: list", "        title: 清单"]
    if kind:
        lines.append(f"        kind: {kind}")
    lines.append("        items:")
    lines += [f"          - {i}" for i in items]
    if confirmation:
        lines += ["        confirmation:", f"          text: {confirmation}"]
    return "\n".join(lines) + "\n"


CARD = """\
cards:
  - id: card
    source: ch.list
"""


def shown(findings) -> list[str]:
    return [f"{f.loc}: {f.level}: {f.message} [{f.code}]" for f in findings]


def test_a_good_checklist_has_no_findings(tmp_path):
    assert check(project(tmp_path, checklist(["检查仪表盘", "测试功能"]), CARD)) == []


def test_more_than_nine_items_in_one_pause_point(tmp_path):
    p = project(tmp_path, checklist([f"第{i}项" for i in range(10)]), CARD)
    assert shown(check(p)) == [
        "content/ch.yml:7:9: warning: pause point '清单' in ch.list has 10 items (more than 9) (card card) "
        "[cards.too-many-items]"]
    assert check(p)[0].address == "ch.list"


def test_threshold_comes_from_handbook_lint(tmp_path):
    handbook = HANDBOOK + "lint:\n  max_items_per_pause: 12\n  max_item_chars: 5\n"
    p = project(tmp_path, checklist([f"第{i}项" for i in range(10)] + ["六个字的一项"]), CARD, handbook)
    assert [f.code for f in check(p)] == ["cards.item-too-long"]


def test_item_longer_than_thirty_characters(tmp_path):
    long = "请在客户离开之前再一次逐项确认所有维修项目均已完成并且车辆清洁"
    assert len(long) == 31
    p = project(tmp_path, checklist(["短项", long]), CARD)
    # The item's own line, though a plain string has no mapping to carry a location.
    assert shown(check(p)) == [
        f"content/ch.yml:13:13: warning: item '{long[:20]}…' in ch.list has 31 characters (more than 30) "
        "(card card) [cards.item-too-long]"]


def test_no_confirmation_line(tmp_path):
    p = project(tmp_path, checklist(["一项"], confirmation=None), CARD)
    (finding,) = check(p)
    assert finding.code == "cards.no-confirmation" and finding.level == "warning"
    assert finding.message == "checklist ch.list has no confirmation line (card card)"


def test_kind_not_declared_on_card_or_checklist(tmp_path):
    p = project(tmp_path, checklist(["一项"], kind=None), CARD)
    assert shown(check(p)) == [
        "checklists/cards.yml:2:5: warning: card 'card' does not declare its kind [cards.no-kind]"]
    assert check(p)[0].address == "cards.card"


def test_kind_on_the_card_is_enough(tmp_path):
    p = project(tmp_path, checklist(["一项"], kind=None), CARD + "    kind: read-do\n")
    assert check(p) == []


def test_no_revision_date(tmp_path):
    p = project(tmp_path, checklist(["一项"]), CARD)
    p.handbook = p.handbook.model_copy(update={"revised": None})
    assert [(f.code, str(f.loc)) for f in check(p)] == [("cards.no-revision-date", "handbook.yml:1:1")]


def test_unknown_source_is_an_error_naming_the_closest_ids(tmp_path):
    p = project(tmp_path, checklist(["一项"]), "cards:\n  - id: card\n    source: ch.lst\n")
    (finding,) = check(p)
    assert (finding.level, finding.code, finding.message) == (
        "error", "cards.unknown-source", "card 'card': source 'ch.lst' does not exist")
    assert "ch.list" in finding.hint
    assert str(finding.loc) == "checklists/cards.yml:2:5"


def test_source_that_has_no_card_layout_is_an_error(tmp_path):
    p = project(tmp_path, checklist(["一项"]), "cards:\n  - id: card\n    source: ch.s\n    kind: read-do\n")
    (finding,) = check(p)
    assert finding.code == "cards.unsupported-source"
    assert finding.message == "card 'card': source 'ch.s' is a section, which has no card layout"


def test_one_source_on_two_cards_is_reported_once(tmp_path):
    cards = CARD + "  - id: again\n    source: ch.list\n"
    p = project(tmp_path, checklist([f"第{i}项" for i in range(10)]), cards)
    (finding,) = check(p)
    assert finding.message.endswith("(card card, again)")


def test_lint_is_part_of_sopbook_check(tmp_path):
    from sopbook.checks import run_checks

    p = project(tmp_path, checklist(["一项"], confirmation=None), CARD)
    assert "cards.no-confirmation" in [f.code for f in run_checks(p)]


def test_card_front_must_be_part_of_its_source(tmp_path):
    from sopbook.checks import run_checks
    from sopbook.model.project import load_project

    from projects import chapter, write_project

    mots = """
        - type: mots
          id: mots
          title: 关键时刻
          mots:
            - {id: mot-1, number: 1, title: 预约确认时刻, timing: 5分钟内, expectation: 确认,
               design: [短信], pain_points: [焦虑]}
        - {type: checklist, id: other, title: 清单, kind: read-do, items: [一], confirmation: {text: 签字}}
    """
    write_project(tmp_path, chapter(mots), files={"checklists/c.yml": """\
        cards:
          - {id: ok, source: ch.mots, kind: read-do, front: [ch.mot-1]}
          - {id: bad, source: ch.mots, kind: read-do, front: [ch.other]}
    """})
    import shutil
    from pathlib import Path
    shutil.copytree(Path(__file__).resolve().parents[1] / "macros", tmp_path / "macros")
    errors = [f for f in run_checks(load_project(tmp_path), ["cards"]) if f.level == "error"]
    assert [f.message for f in errors] == ["card 'bad': front ch.other is not part of its source 'ch.mots'"]
