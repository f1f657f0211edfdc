"""The loader against the YAML 1.2 specification, with cases distilled from the official YAML test
suite (github.com/yaml/yaml-test-suite): what the spec says a document means, sopbook reads, or
refuses with file:line:col and a hint. Every case runs through both readers: libyaml (the fast
path for ordinary files) and the pure-Python loader (everything else), which must agree.
"""
from __future__ import annotations

import io
import json

import pytest

import sopbook.source.yaml_loader as yaml_source
from sopbook.cli import main
from sopbook.findings import LoadFailed
from sopbook.model.project import load_project
from sopbook.report import write_json, write_text
from sopbook.source.yaml_loader import parse_yaml

from projects import chapter, write_project


@pytest.fixture(params=["libyaml", "python"])
def reader(request, monkeypatch):
    """parse_yaml as the product runs it, and with libyaml switched off."""
    if request.param == "python":
        monkeypatch.setattr(yaml_source, "_CParser", None)
    elif yaml_source._CParser is None:
        pytest.skip("PyYAML was built without libyaml")

    def parse(text: str):
        return parse_yaml(text, "content/ch.yml")
    return parse


def refusal(parse, text: str) -> list[str]:
    with pytest.raises(LoadFailed) as info:
        parse(text)
    return [str(f) for f in info.value.findings]


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value if value is None or isinstance(value, (bool, str)) else type(value).__mro__[1](value)


# ---- documents the spec gives a value: sopbook reads exactly that value ------------------------
SPEC_VALUES = {
    # HM87/01: '?' starts a key only before a space; in [ ] PyYAML and libyaml made {x: null}
    "question mark opening a flow item": ("[?x]\n", ["?x"]),
    "question mark opening a flow key": ("{ ?foo: bar, bar: 42 }\n", {"?foo": "bar", "bar": 42}),
    "question mark ending a flow value": ("{question: 刹车正常了吗?, expected: 点头}\n",
                                          {"question": "刹车正常了吗?", "expected": "点头"}),
    # Y2GN: an anchor's name runs to the next space; PyYAML kept ":chor value" as the text
    "anchor name with a colon": ("key: &an:chor value\n", {"key": "value"}),
    "alias of an anchor with a colon": ("a: &x:y 1\nb: *x:y\n", {"a": 1, "b": 1}),
    # JEF9/02, L24T/01: a last line of spaces without a line break still ends the block scalar
    "keep chomping, last line of spaces": ("- |+\n   ", ["\n"]),
    "literal, last line of spaces": ("foo: |\n  x\n   ", {"foo": "x\n \n"}),
    # S4JQ: the non-specific tag '!' makes a scalar text
    "non-specific tag": ('- "12"\n- 12\n- ! 12\n', ["12", 12, "12"]),
    # YAML 1.2 core schema: only true/false are booleans, times are text
    "1.2 core scalars": ("[no, yes, on, 9:00, true, ~, 1.50]\n",
                         ["no", "yes", "on", "9:00", True, None, 1.5]),
    "a '#' inside text is text": ("a: C#1\n", {"a": "C#1"}),
    "a comment after a space": ('a: "x" # note\nb: [1] # note\n', {"a": "x", "b": [1]}),
}


@pytest.mark.parametrize("text, expected", SPEC_VALUES.values(), ids=SPEC_VALUES.keys())
def test_a_document_reads_as_the_spec_says(reader, text, expected):
    assert plain(reader(text)) == expected


# ---- documents the spec calls invalid: refused where the mistake is ------------------------------
SPEC_ERRORS = {
    # YJV2, G5U8
    "lone dash in a flow list": ("[-]\n",
                                 "content/ch.yml:1:2: error: invalid YAML: a '-' cannot start a value here\n"
                                 '    hint: put the text in quotes, e.g. "-"'),
    # SU5Z, 9JBA, CVW2
    "comment glued to a quote": ('key: "value"# invalid comment\n',
                                 "content/ch.yml:1:13: error: invalid YAML: a '#' right after a value "
                                 "(a comment needs a space before it)\n"
                                 "    hint: type a space before the '#', or quote the text"),
    "comment glued to a bracket": ("[ a, b, c, ]#invalid\n",
                                   "content/ch.yml:1:13: error: invalid YAML: a '#' right after a value "
                                   "(a comment needs a space before it)\n"
                                   "    hint: type a space before the '#', or quote the text"),
    "comment glued to a comma": ("[ a, b, c,#invalid\n]\n",
                                 "content/ch.yml:1:11: error: invalid YAML: a '#' right after a value "
                                 "(a comment needs a space before it)\n"
                                 "    hint: type a space before the '#', or quote the text"),
    # X4QW: libyaml read it as a comment, PyYAML refused it: the two readers disagreed
    "comment glued to a block indicator": (
        "block: ># comment\n  scalar\n",
        "content/ch.yml:1:9: error: invalid YAML: text on the line of a '|' or '>' "
        "(only a comment may follow it there)\n"
        "    hint: start the text on the next line, indented; type a space before a '#' comment"),
    # 9C9N
    "flow list lines not indented": (
        "flow: [a,\nb,\nc]\n",
        "content/ch.yml:2:1: error: invalid YAML: a line inside [ ] or { } is not indented "
        "more than their key\n"
        "    hint: indent this line with spaces, more than the key above"),
    # QB6E, DK95/01
    "quoted text lines not indented": (
        'quoted: "a\nb\nc"\n',
        "content/ch.yml:1:9: error: invalid YAML: a quote opens here and is not closed on its line "
        "(line 2 is not indented under it)\n"
        '    hint: type the closing " at the end of the text'),
}


@pytest.mark.parametrize("text, expected", SPEC_ERRORS.values(), ids=SPEC_ERRORS.keys())
def test_an_invalid_document_is_refused_where_the_mistake_is(reader, text, expected):
    assert refusal(reader, text) == [expected]


def test_a_directive_with_a_glued_comment_is_refused(reader):
    # MUS6/00: libyaml accepted `%YAML 1.1#...`
    (message,) = refusal(reader, "%YAML 1.1#...\n---\na: 1\n")
    assert message.startswith("content/ch.yml:1:10: error: invalid YAML:")


def test_a_missing_closing_quote_is_reported_where_the_quote_opens(reader):
    # the quote would otherwise run on until the next '"', far down the file
    body = "".join(f"      - {{id: s{n}, title: 第{n}步, minutes: 1}}\n" for n in range(80))
    text = f'id: ch\ntitle: "交付\nsections:\n  - id: s\n    title: "小节"\n    steps:\n{body}'
    assert refusal(reader, text) == [
        "content/ch.yml:2:8: error: invalid YAML: a quote opens here and is not closed on its line "
        "(line 3 is not indented under it)\n"
        '    hint: type the closing " at the end of the text']


# ---- tags: one rule, whatever the style of the scalar -----------------------------------------------
STYLES = {"plain": "x", "double-quoted": '"x"', "single-quoted": "'x'",
          "literal": "|\n  x", "folded": ">\n  x"}


@pytest.mark.parametrize("tag", ["!custom", "!!binary", "!!python/name:os.system", "!!timestamp"])
@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
def test_an_unsupported_tag_is_refused_on_every_scalar_style(reader, tag, style):
    assert refusal(reader, f"title: {tag} {style}\n") == [
        f"content/ch.yml:1:8: error: unsupported YAML tag {tag}\n"
        f"    hint: delete '{tag}' before the value: content is plain text, lists and mappings"]


@pytest.mark.parametrize("tag", ["!custom", "!!python/name:os.system"])
def test_an_unsupported_tag_on_a_key_or_a_list_is_refused(reader, tag):
    assert [m.splitlines()[0] for m in refusal(reader, f'{tag} "key": x\nlist: {tag} [a]\n')] == [
        f"content/ch.yml:1:1: error: unsupported YAML tag {tag}",
        f"content/ch.yml:2:7: error: unsupported YAML tag {tag}"]


@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
def test_str_tag_keeps_the_text_whatever_the_style(reader, style):
    assert reader(f"a: !!str {style.replace('x', '12')}\n")["a"] in ("12", "12\n")


def test_core_tags_give_the_type_they_name_whatever_the_style(reader):
    assert plain(reader('- !!int "12"\n- !!float 1\n- !!bool \'true\'\n- !!null ""\n- !!str 12\n')) == [
        12, 1.0, True, None, "12"]


CORE_TAG_MISMATCHES = {
    "!!float abc": "'abc' is not a number, as its tag !!float says\n"
                   "    hint: delete '!!float', or write a number like 1.5",
    '!!int "abc"': "'abc' is not a whole number, as its tag !!int says\n"
                   "    hint: delete '!!int', or write a number like 15",
    "!!bool yes": "'yes' is not true or false, as its tag !!bool says\n"
                  "    hint: delete '!!bool', or write true or false",
    "!!null x": "'x' is not empty, as its tag !!null says\n"
                "    hint: delete '!!null', or write ~ for an empty value",
    "!!int ０１２": "'０１２' is not a whole number, as its tag !!int says\n"
                  "    hint: delete '!!int', or write a number like 15",
}


@pytest.mark.parametrize("written, expected", CORE_TAG_MISMATCHES.items(), ids=CORE_TAG_MISMATCHES.keys())
def test_a_core_tag_on_a_value_it_does_not_fit_is_a_located_error(reader, written, expected):
    # `!!float abc` crashed the loader with a bare ValueError; `!!bool yes` silently became false
    assert refusal(reader, f"minutes: {written}\n") == [f"content/ch.yml:1:10: error: {expected}"]


# ---- merge keys --------------------------------------------------------------------------------
MERGES = {
    "from an alias": "base: &b {a: 1}\nthing:\n  <<: *b\n  c: 2\n",
    "from a mapping": "base: {a: 1}\nthing:\n  <<: {a: 1}\n  c: 2\n",
    "tagged": "base: {a: 1}\nthing:\n  !!merge <<: {a: 1}\n  c: 2\n",
}


@pytest.mark.parametrize("text", MERGES.values(), ids=MERGES.keys())
def test_a_merge_key_is_refused_not_kept_as_a_field(reader, text):
    # the loader's YAML 1.2 resolvers have no merge tag, so `<<` used to load as a field named "<<"
    assert refusal(reader, text) == [
        "content/ch.yml:3:3: error: merge keys (<<) are not supported\n"
        "    hint: delete the '<<:' line and write the fields of the anchor here"]


def test_a_quoted_merge_key_is_an_ordinary_key(reader):
    assert plain(reader('"<<": x\n')) == {"<<": "x"}


# ---- control characters and lone surrogates ---------------------------------------------------------
@pytest.mark.parametrize("escape, code", [("\\0", "0000"), ("\\e", "001B"), ("\\x07", "0007"),
                                          ("\\x9b", "009B"), ("\\N", "0085"), ("\\L", "2028"),
                                          ("\\ud800", "D800"), ("\\u007f", "007F")])
def test_an_escaped_control_character_is_refused(reader, escape, code):
    assert refusal(reader, f'- ok\n- "刹车{escape}正常"\n') == [
        f"content/ch.yml:2:3: error: invisible control character U+{code} in the text (written as an escape "
        "such as \\0, \\e or \\x07)\n"
        "    hint: delete the character or write it out in words"]


def test_tab_and_line_feed_escapes_are_text(reader):
    assert reader('- "a\\tb"\n- "c\\nd"\n') == ["a\tb", "c\nd"]


def test_a_lone_surrogate_in_a_duplicate_key_is_reported_escaped(tmp_path, capsys):
    write_project(tmp_path, chapter("- 文字", extra='"\\ud800": 1\n"\\ud800": 2\n'))
    with pytest.raises(LoadFailed) as info:
        load_project(tmp_path)
    findings = info.value.findings
    assert [str(f).splitlines()[0] for f in findings] == [
        "content/ch.yml:3:1: error: invisible control character U+D800 in the text (written as an escape "
        "such as \\0, \\e or \\x07)",
        "content/ch.yml:4:1: error: invisible control character U+D800 in the text (written as an escape "
        "such as \\0, \\e or \\x07)",
        "content/ch.yml:4:1: error: duplicate key '\\ud800' (first at line 3, again at line 4)"]
    for write in (write_text, write_json):
        out = io.StringIO()
        write(findings, out, "en")
        out.getvalue().encode("utf-8")  # a lone surrogate would raise UnicodeEncodeError here
    assert main(["check", "--root", str(tmp_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["findings"][2]["message"] == "duplicate key '\\ud800' (first at line 3, again at line 4)"


def test_control_characters_are_refused_in_handbook_and_card_files_too(tmp_path):
    write_project(tmp_path, chapter("- 文字"),
                  handbook='title: "手册\\e[2J"\nversion: "1"\nrevised: 2026-11-01\n',
                  files={"checklists/cards.yml": 'cards:\n  - {id: c, title: "卡\\x07", source: ch.x}\n'})
    with pytest.raises(LoadFailed) as info:
        load_project(tmp_path)
    assert [str(f.loc) for f in info.value.findings] == ["handbook.yml:1:8", "checklists/cards.yml:2:20"]


MISTAKES = {
    "a Windows path in double quotes": (
        'file: "C:\\Users\\交付"\n',
        "content/ch.yml:1:10: error: invalid YAML: a '\\' in double quotes that starts no YAML escape "
        "(such as \\n or \\u4e2d)\n"
        "    hint: type \\\\ for a backslash, or put the text in single quotes"),
    "a value starting with a reserved character": (
        "owner: @张三\n",
        "content/ch.yml:1:8: error: invalid YAML: a '@' cannot start a value here\n"
        '    hint: put the text in quotes, e.g. "@张三"'),
    "an empty key": (
        "- !!null : x\n",
        "content/ch.yml:1:3: error: a ':' with no key before it\n"
        "    hint: type the key before the ':', e.g. title: 交付"),
    "a list as a key": (
        "[a, b]: x\n",
        "content/ch.yml:1:1: error: a mapping key must be a plain word\n"
        "    hint: write the key as plain text before the ':', e.g. title:"),
}


@pytest.mark.parametrize("text, expected", MISTAKES.values(), ids=MISTAKES.keys())
def test_an_editors_mistake_gets_a_hint_saying_what_to_type(reader, text, expected):
    assert refusal(reader, text) == [expected]


@pytest.mark.parametrize("text, line", [("text: |\n   \n  第一行\n", 2),
                                        ("empty: >\n \n   \n # comment\n", 3)])
def test_spaces_on_an_empty_line_above_a_block_text_are_named(reader, text, line):
    # S98Z: invisible in an editor; PyYAML ended the text there and blamed the line below
    (message,) = refusal(reader, text)
    assert message.startswith(f"content/ch.yml:{line}:1: error: invalid YAML: an empty line above the text "
                              "holds 3 spaces, more than the text's indentation")
    assert message.endswith("hint: delete the spaces on that empty line (editors do not show them)")


def test_a_missing_closing_quote_inside_braces_is_reported_where_it_opens(reader):
    # PyYAML reported it 82 lines further down, at the next '"', as a problem of that flow mapping
    steps = "".join(f"      - {{id: s{n}, title: 第{n}步, minutes: 1}}\n" for n in range(80))
    text = ('id: ch\ntitle: 交付\nsections:\n  - id: s\n    steps:\n      - {id: a, title: "交付, minutes: '
            '2}\n'
            f'{steps}  - id: t\n    title: "小节"\n')
    assert refusal(reader, text) == [
        "content/ch.yml:6:24: error: invalid YAML: a quote opens here and is not closed on its line "
        "(line 7 is not indented under it)\n"
        '    hint: type the closing " at the end of the text']
