"""The loader's findings as a Chinese trainer reads them: the exact message and hint of each of the
loader's acceptance cases, with the same code and file:line as in English; and `sopbook check`
saying them in the handbook's language (mkdocs.yml theme.language zh), in English with `--lang en`,
with the same codes and places in its JSON report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sopbook.cli import main
from sopbook.findings import LoadFailed
from sopbook.model.project import load_project

from projects import chapter, write_project


def said(root: Path) -> list[tuple[str, str, str, str]]:
    """(code, place, Chinese message, Chinese hint) of the findings that stop the project loading.
    The same findings in English are at the same places with the same codes, and say it differently."""
    findings = {}
    for lang in ("zh", "en"):
        with pytest.raises(LoadFailed) as failed:
            load_project(root, lang)
        findings[lang] = failed.value.findings
    assert [(f.code, f.loc) for f in findings["zh"]] == [(f.code, f.loc) for f in findings["en"]]
    for f in findings["zh"]:
        zh, en = f.render("zh"), f.render("en")
        assert zh != en and zh.split(": ")[0] == en.split(": ")[0] == str(f.loc)
    return [(f.code, str(f.loc), f.message_in("zh"), f.hint_in("zh")) for f in findings["zh"]]


def test_a_quote_that_is_never_closed(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n  - id: s\n    title: '小节\n")
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:5:12",
        "YAML 格式错误:引号从这里开始,但一直没有结束",
        "在文字末尾补上结束的 '")]


def test_a_quote_whose_next_line_is_not_indented_under_it(tmp_path):
    write_project(tmp_path, 'id: ch\ntitle: "交付\nsections: []\n')
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:2:8",
        "YAML 格式错误:引号从这里开始,但在本行没有结束(第 3 行没有缩进到它下面)",
        '在文字末尾补上结束的 "')]


def test_a_bracket_that_is_never_closed(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n  - id: s\n    title: 小节\n"
                            "    blocks: [写, 读\n")
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:6:13",
        "YAML 格式错误:'[' 从这里开始,但一直没有结束",
        "在最后一项后面补上结束的 ']'")]


def test_a_brace_that_is_never_closed(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n  - {id: s, title: 小节\n")
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:4:5",
        "YAML 格式错误:'{' 从这里开始,但一直没有结束",
        "在最后一项后面补上结束的 '}'")]


def test_a_tab_in_the_indentation(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\nsections:\n\t- id: s\n")
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:4:1",
        "YAML 格式错误:出现制表符(Tab):YAML 只能用空格缩进",
        "把制表符换成空格")]


def test_a_duplicate_key(tmp_path):
    write_project(tmp_path, "id: ch\ntitle: 交付\ntitle: 交付管理\nsections: []\n")
    assert said(tmp_path) == [(
        "load.yaml", "content/ch.yml:3:1",
        "重复的键“title”(第一次在第 2 行,又出现在第 3 行)",
        "删除其中一个;YAML 会不声不响地只保留最后一个")]


def test_an_unknown_field_with_its_did_you_mean(tmp_path):
    write_project(tmp_path, "id: ch\ntittle: 交付\nsections: []\n")
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:2:1",
        "tittle:未知字段“tittle”",
        "是不是想写 title?")]


def test_a_missing_required_field(tmp_path):
    write_project(tmp_path, chapter("- {type: procedure, id: p, title: 流程, steps: [{id: a, minutes: 5}]}"))
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:7:53",
        "sections[0].blocks[0].steps[0].title:缺少必填字段",
        "请补上;`sopbook schema` 会写出列有全部字段的 JSON Schema")]


def test_text_where_minutes_are_expected(tmp_path):
    write_project(tmp_path, chapter(
        "- {type: procedure, id: p, title: 流程, steps: [{id: a, title: 一, minutes: 五分钟}]}"))
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:7:71",
        "sections[0].blocks[0].steps[0].minutes:应为数字,实际是“五分钟”",
        "写一个普通数字,例如 5 或 2.5")]


def test_a_number_in_quotes_where_a_whole_number_is_expected(tmp_path):
    write_project(tmp_path, chapter('- {type: segments, id: seg, title: 分层, segments: '
                                    '[{id: d, label: 贬损者, low: "0", high: 6, strategy: [回访], '
                                    'deadline: 24小时内}]}'))
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:7:77",
        "sections[0].blocks[0].segments[0].low:应为整数,实际是文字“0”",
        "去掉引号:0")]


def test_an_item_with_a_colon_that_yaml_reads_as_a_mapping(tmp_path):
    write_project(tmp_path, chapter("""
        - type: checklist
          id: c
          title: 安全
          items:
            - 注意: 对角车轮放置轮挡
    """))
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:11:13",
        "sections[0].blocks[0].items[0]:“注意: 对角车轮放置轮挡”被读成了映射(“注意”后面的 ': ' 让它成了键)",
        '加上引号:"注意: 对角车轮放置轮挡"')]


def test_a_duplicate_id_in_a_chapter(tmp_path):
    write_project(tmp_path, chapter("- {type: checklist, id: c, title: 清单, items: [a]}\n"
                                    "- {type: checklist, id: c, title: 另一个清单, items: [b]}"))
    assert said(tmp_path) == [(
        "references.duplicate-id", "content/ch.yml:8:9",
        "章节“ch”中的 id“c”重复(第一次出现在 content/ch.yml:7:9)",
        "同一章节中的 id 必须唯一:请给其中一个改名")]


def test_a_missing_handbook(tmp_path):
    (tmp_path / "content").mkdir()
    assert said(tmp_path) == [(
        "load.missing", "handbook.yml",
        f"{tmp_path.resolve()} 中没有 handbook.yml",
        "在项目文件夹中运行 sopbook,或用 --root 指定项目文件夹")]


def test_a_time_that_is_not_a_time(tmp_path):
    write_project(tmp_path,
                  chapter("- {type: timeline, id: t, title: 线, events: [{time: ２５：００, text: a}]}"))
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:7:53",
        "sections[0].blocks[0].events[0].time:“２５：００”不是一天中的时间(小时 0-23,分钟 0-59)", "")]


def test_a_file_that_is_one_word(tmp_path):
    write_project(tmp_path, "交付\n")
    assert said(tmp_path) == [(
        "load.schema", "content/ch.yml:1:1",
        "文件必须是字段映射,但它是“交付”",
        "在行首以 id:, title:, sections: 开始")]


# ---- sopbook check, as an editor runs it ------------------------------------------------------------
ZH_SITE = "site_name: t\ntheme: {name: material, language: zh}\n"


def test_check_says_a_load_error_in_the_handbooks_language(tmp_path, capsys):
    write_project(tmp_path, "id: ch\ntitle: 交付\ntitle: 交付管理\nsections: []\n",
                  files={"mkdocs.yml": ZH_SITE})
    assert main(["--root", str(tmp_path), "check"]) == 1
    zh = capsys.readouterr().out
    assert ("  3:1      错误    重复的键“title”(第一次在第 2 行,又出现在第 3 行)  [load.yaml]"
            in zh.splitlines())
    assert "                   建议: 删除其中一个;YAML 会不声不响地只保留最后一个" in zh.splitlines()
    assert main(["--root", str(tmp_path), "check", "--lang", "en"]) == 1
    en = capsys.readouterr().out
    assert ("  3:1      error   duplicate key 'title' (first at line 2, again at line 3)  [load.yaml]"
            in en.splitlines())


def test_the_json_report_keeps_codes_and_places_in_both_languages(tmp_path, capsys):
    write_project(tmp_path, "id: ch\ntittle: 交付\nsections:\n\t- id: s\n", files={"mkdocs.yml": ZH_SITE})
    reports = {}
    for lang in ("zh", "en"):
        assert main(["--root", str(tmp_path), "check", "--format", "json", "--lang", lang]) == 1
        reports[lang] = json.loads(capsys.readouterr().out)["findings"]
    place = [(f["level"], f["code"], f["file"], f["line"], f["col"]) for f in reports["zh"]]
    assert place == [(f["level"], f["code"], f["file"], f["line"], f["col"]) for f in reports["en"]]
    assert [f["message"] for f in reports["zh"]] == ["YAML 格式错误:出现制表符(Tab):YAML 只能用空格缩进"]
    assert [f["message"] for f in reports["en"]] == [
        "invalid YAML: a tab character: YAML indents with spaces only"]
