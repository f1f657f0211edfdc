"""Card PDFs are small: each embeds the CJK face cut to its own characters, nothing more.

The offline handbook precaches every card, so a card's bytes are a phone's bytes. Judged by
outside readers: pypdf for text and fonts, fontTools for the embedded font programs, pdffonts
(poppler) for what a print shop's preflight would see.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pytest

from cards_support import REPO, card_items, copy_real, make_project, pdf_text, squash

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not list((REPO / "checklists").glob("*.yml")),
                       reason="no cards defined in checklists/ yet"),
]

LIMIT = 100 * 1024
CARD_FACE = re.compile(r"/[A-Z]{6}\+Noto-Sans-CJK-SC-card-([0-9a-f]{12})(-Bold)?$")


@pytest.fixture(scope="module")
def real():
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    where = Path(tempfile.mkdtemp(prefix="sopbook-cards-size-"))
    project = load_project(copy_real(where / "project"))
    # One worker: the cards are rendered in batches, several cards to a WeasyPrint document.
    report = build_cards(project, where / "cards", jobs=1, progress=False)
    assert [str(f) for f in report.findings if f.level == "error"] == []
    yield project, report, where / "cards"
    shutil.rmtree(where, ignore_errors=True)


def _fonts(pdf: Path) -> dict[str, bytes]:
    """Each font's BaseFont and its embedded font program (b'' when not embedded)."""
    from pypdf import PdfReader

    out = {}
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = next((descriptor[k].get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                            if k in descriptor), None)
            out[str(font["/BaseFont"])] = program.get_data() if program is not None else b""
    return out


def test_every_real_card_is_at_most_100_kb(real):
    project, _, out = real
    sizes = {card.id: (out / f"{card.id}.pdf").stat().st_size for card in project.cards}
    assert {card_id: size for card_id, size in sizes.items() if size > LIMIT} == {}


def test_every_real_card_embeds_one_cut_face_of_a_few_hundred_glyphs(real):
    from fontTools.ttLib import TTFont

    project, _, out = real
    for card in project.cards:
        fonts = _fonts(out / f"{card.id}.pdf")
        assert fonts and all(fonts.values()), (card.id, "every font embedded", list(fonts))
        faces = {CARD_FACE.match(name) and CARD_FACE.match(name)[1] for name in fonts}
        # Only its own face (regular and bold): not the whole Noto face, not its batch-mates'.
        assert len(faces) == 1 and None not in faces, (card.id, list(fonts))
        for name, program in fonts.items():
            glyphs = TTFont(BytesIO(program))["maxp"].numGlyphs
            # WeasyPrint alone kept every glyph slot up to the highest used: 40-63 thousand.
            assert glyphs < 2000, (card.id, name, glyphs)


def test_every_real_card_still_reads_as_text(real):
    project, _, out = real
    for card in project.cards:
        text = squash(pdf_text(out / f"{card.id}.pdf"))
        ref = (card.front or [card.source])[0]
        items = [squash(item) for item in card_items(project.resolve(ref).node)]
        assert items and items[0] in text, (card.id, items[:1], text[:200])
        assert re.search(r"[\u4e00-\u9fff]{2}", text), card.id


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_pdffonts_sees_every_card_font_embedded_and_subset(real):
    project, _, out = real
    for card in project.cards:
        listing = subprocess.run(["pdffonts", str(out / f"{card.id}.pdf")], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
        assert listing, card.id
        # name, type..., encoding, then emb sub uni: all "yes".
        assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in listing), (card.id, listing)


def test_a_cards_font_depends_on_its_own_text_only(tmp_path):
    """A character added to one card changes no other card's font: each card's PDF stays what
    it was, so a one-card edit re-renders and re-downloads one card."""
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    root = make_project("cards", tmp_path)
    before = build_cards(load_project(root), tmp_path / "before", jobs=1, progress=False)
    mobile = root / "content" / "mobile.yml"
    text = mobile.read_text(encoding="utf-8")
    assert "升级引导" in text
    # A character no card had.
    mobile.write_text(text.replace("升级引导", "升级引导龘"), encoding="utf-8")
    after = build_cards(load_project(root), tmp_path / "after", jobs=1, progress=False)
    assert before.rendered == after.rendered and before.rendered

    changed = [card_id for card_id in after.rendered
               if _fonts(tmp_path / "before" / f"{card_id}.pdf")
               != _fonts(tmp_path / "after" / f"{card_id}.pdf")]
    assert changed == ["nps", "recovery"]  # the recovery card prints the segments on its back
    assert "龘" in pdf_text(tmp_path / "after" / "nps.pdf")


def test_a_face_that_cannot_be_cut_still_prints_and_the_build_says_so(tmp_path, monkeypatch):
    from sopbook.cards import build_cards, pdf
    from sopbook.model.project import load_project

    def unreadable(family, chars):
        raise OSError("HarfBuzz cannot read the font /usr/share/fonts/x.ttc")

    monkeypatch.setattr(pdf, "card_font", unreadable)
    root = make_project("cards", tmp_path)
    report = build_cards(load_project(root), tmp_path / "out", jobs=1, progress=False)
    assert [f for f in report.findings if f.level == "error"] == []
    assert report.rendered
    warned = [f for f in report.findings if f.code == "cards.render-warning"]
    assert len(warned) == 1
    assert "the CJK font could not be cut to the card's characters (HarfBuzz cannot read the font " \
           "/usr/share/fonts/x.ttc): the card embeds a much larger font" in warned[0].message
    first = tmp_path / "out" / f"{report.rendered[0]}.pdf"
    assert re.search(r"[\u4e00-\u9fff]{2}", pdf_text(first))
