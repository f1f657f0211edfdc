"""A missing CJK font is an error before anything is rendered, and says what to install."""
from __future__ import annotations

import pytest

from sopbook.cards import fonts

NOTO = ("Noto Serif CJK SC\t/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc\n"
        "Noto Sans Mono CJK SC\t/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\n"
        "Noto Sans CJK JP\t/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\n"
        "Noto Sans CJK SC\t/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc\n"
        "Noto Sans CJK SC\t/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc\n")


@pytest.fixture
def fc_list(monkeypatch):
    """Pretend fontconfig lists `output` for :lang=zh."""
    def use(output: str) -> None:
        monkeypatch.setattr(fonts, "_fc_list", lambda: output)
        fonts.find_cjk_font.cache_clear()

    yield use
    fonts.find_cjk_font.cache_clear()


def test_prefers_noto_sans_cjk_sc_with_its_regular_and_bold_files(fc_list):
    fc_list(NOTO)
    font = fonts.require_cjk_font()
    assert font.family == "Noto Sans CJK SC"
    assert font.files == ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
                          "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def test_any_sans_cjk_family_will_do(fc_list):
    fc_list("Some Serif SC\t/f/serif.ttf\nAcme Hei SC\t/f/hei.ttf\n")
    assert fonts.require_cjk_font().family == "Acme Hei SC"


@pytest.mark.parametrize("listing", ["",
                                     "Noto Serif CJK SC\t/f/serif.ttc\nNoto Sans Mono CJK SC\t/f/mono.ttc\n"])
def test_no_sans_cjk_font_is_an_error_saying_what_to_install(fc_list, listing):
    fc_list(listing)
    with pytest.raises(fonts.FontMissing) as raised:
        fonts.require_cjk_font()
    assert str(raised.value).endswith("install fonts-noto-cjk (apt-get install fonts-noto-cjk)")
    assert str(raised.value).startswith("no sans-serif CJK font for the cards")


def test_build_stops_before_rendering_when_the_font_is_missing(fc_list, tmp_path):
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    from cards_support import make_project

    fc_list("")
    project = load_project(make_project("cards", tmp_path))
    out = tmp_path / "out"
    report = build_cards(project, out, progress=False)
    assert [(f.level, f.code) for f in report.findings] == [("error", "cards.font-missing")]
    assert report.findings[0].hint == "install fonts-noto-cjk (apt-get install fonts-noto-cjk)"
    assert report.rendered == [] and not out.exists()


def test_font_signature_changes_when_the_file_does(tmp_path):
    path = tmp_path / "font.ttc"
    path.write_bytes(b"x")
    before = fonts.CjkFont("Test Sans", (str(path),)).signature()
    path.write_bytes(b"xy")
    assert fonts.CjkFont("Test Sans", (str(path),)).signature() != before
