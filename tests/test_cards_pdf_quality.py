"""Cards and A4 sheets are good PDFs: tagged for screen readers, well-formed for print shops,
and never a tofu box where a character no font can draw was pasted in.

Judged from outside: qpdf --check (structure), pypdf (catalog, structure tree, fonts), poppler's
pdffonts and pdftotext (what a print shop's preflight and a text search see).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from cards_support import REPO, copy_real, make_project, squash

pytestmark = pytest.mark.slow

QPDF = shutil.which("qpdf")


@pytest.fixture(scope="module")
def real():
    from sopbook.cards import build_cards
    from sopbook.model.project import load_project

    if not list((REPO / "checklists").glob("*.yml")):
        pytest.skip("no cards defined in checklists/ yet")
    where = Path(tempfile.mkdtemp(prefix="sopbook-cards-quality-"))
    root = copy_real(where / "project", ("content", "checklists", "macros", "docs"))
    project = load_project(root)
    report = build_cards(project, where / "cards", jobs=2, progress=False)
    assert [str(f) for f in report.findings if f.level == "error"] == []
    yield project, report, where / "cards"
    shutil.rmtree(where, ignore_errors=True)


def _pdfs(out: Path) -> list[Path]:
    return sorted(out.glob("*.pdf")) + sorted((out / "a4").glob("*.pdf"))


def _tree(path: Path) -> dict:
    """What a screen reader gets from the structure tree: every element reached from the root,
    and whether each marked-content id on a page or in a form belongs to the element that holds
    it (the ParentTree, which a reader follows from text back to its heading or list)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    root = catalog["/StructTreeRoot"]
    held: dict[tuple[int, int], int] = {}  # (page or form object, MCID) -> element holding it
    kinds: list[str] = []
    seen: set[int] = set()

    def walk(ref: IndirectObject, page: int | None) -> None:
        assert ref.idnum not in seen, f"element {ref.idnum} reached twice"
        seen.add(ref.idnum)
        element = ref.get_object()
        kinds.append(str(element["/S"]))
        own = element.raw_get("/Pg").idnum if "/Pg" in element else page
        kids = element.get("/K", ArrayObject())
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                held[(own, int(kid))] = ref.idnum
            elif isinstance(kid, DictionaryObject) and "/MCID" in kid:
                where = kid.raw_get("/Stm").idnum if "/Stm" in kid else own
                held[(where, int(kid["/MCID"]))] = ref.idnum
            elif kid.get_object().get("/Type") != "/OBJR":
                assert kid.get_object().raw_get("/P").idnum == ref.idnum, "an element's /P is its parent"
                walk(kid, own)

    top = root["/K"]
    for ref in top if isinstance(top, list) else [top]:
        walk(ref, None)
    parents: dict[tuple[int, int], int] = {}
    nums = root["/ParentTree"]["/Nums"]
    keys = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    holders = [(page.indirect_reference.idnum, page) for page in reader.pages]
    for page in reader.pages:
        for form in (page.get("/Resources") or {}).get("/XObject", {}).values():
            holders.append((form.idnum, form.get_object()))
    for number, holder in holders:
        if "/StructParents" in holder:
            for mcid, ref in enumerate(keys[int(holder["/StructParents"])]):
                parents[(number, mcid)] = ref.idnum
    return {"catalog": catalog, "reader": reader, "held": held, "parents": parents, "kinds": kinds}


def _marked(path: Path) -> set[tuple[int, int]]:
    """Every marked-content id drawn, as (page or form object, MCID)."""
    from pypdf import PdfReader

    out = set()
    for page in PdfReader(path).pages:
        streams = [(page.indirect_reference.idnum, page.get_contents())]
        for form in (page.get("/Resources") or {}).get("/XObject", {}).values():
            streams.append((form.idnum, form.get_object()))
        for number, stream in streams:
            data = stream.get_data() if stream is not None else b""
            out |= {(number, int(m)) for m in re.findall(rb"/MCID\s+(\d+)", data)}
    return out


@pytest.mark.skipif(QPDF is None, reason="qpdf is not installed (scripts/system-deps.sh test)")
def test_qpdf_finds_nothing_wrong_with_any_card_or_sheet(real):
    _, report, out = real
    pdfs = _pdfs(out)
    assert len(pdfs) >= len(report.rendered) + len(report.sheets) and report.sheets
    for pdf in pdfs:
        done = subprocess.run([QPDF, "--check", str(pdf)], capture_output=True, text=True, check=False)
        # Exit 0: no errors and no warnings (3 would be warnings only).
        assert done.returncode == 0, (pdf.name, done.returncode, done.stdout[-500:], done.stderr[-500:])
        assert "WARNING" not in done.stdout + done.stderr, (pdf.name, done.stdout, done.stderr)
        assert "No syntax or stream encoding errors found" in done.stdout, pdf.name


def test_every_card_and_sheet_is_tagged_in_chinese_with_its_title(real):
    project, report, out = real
    titles = {}
    for pdf in _pdfs(out):
        tree = _tree(pdf)
        catalog = tree["catalog"]
        assert bool(catalog["/MarkInfo"]["/Marked"]), pdf.name
        assert catalog["/Lang"] == "zh-Hans", pdf.name
        title = tree["reader"].metadata.title
        assert title, pdf.name
        titles[pdf.relative_to(out).as_posix()] = title
        assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"]), pdf.name  # the title, not the file
    for card in project.cards:
        page = (out / f"{card.id}.pdf")
        assert titles[f"{card.id}.pdf"].startswith(f"{card.id} · "), titles[f"{card.id}.pdf"]
        assert page.exists()
    for sheet in report.sheets:
        assert titles[f"a4/{sheet.name}"].endswith("A4"), titles[f"a4/{sheet.name}"]


def test_every_drawn_text_belongs_to_an_element_a_reader_reaches(real):
    """The structure tree covers the whole card, footer included (id, edition, QR code), and on
    a sheet each card's text belongs to that card's element, in the forms the sheet draws."""
    _, _, out = real
    for pdf in _pdfs(out):
        tree = _tree(pdf)
        marked = _marked(pdf)
        assert marked, pdf.name
        assert set(tree["held"]) == marked, (pdf.name, sorted(marked - set(tree["held"]))[:5],
                                             sorted(set(tree["held"]) - marked)[:5])
        assert tree["parents"] == tree["held"], pdf.name
        assert {"/H1", "/P"} <= set(tree["kinds"]), (pdf.name, set(tree["kinds"]))


def test_a_sheet_reads_card_by_card_front_then_back(real):
    from pypdf import PdfReader

    project, _report, out = real
    sheet = out / "a4" / "mobile.pdf"
    reader = PdfReader(sheet)
    document = reader.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    arts = [kid.get_object() for kid in document["/K"]]
    cards = [c for c in project.cards if c.at and Path(c.at.file).stem == "mobile"]
    assert [str(a["/S"]) for a in arts] == ["/Art"] * len(cards)
    assert [str(a["/T"]).split(" · ")[0] for a in arts] == [c.id for c in cards]
    front, back = (p.indirect_reference.idnum for p in reader.pages[:2])
    for art in arts:
        pages = [kid.get_object().raw_get("/Pg").idnum for kid in art["/K"]]
        assert pages[0] == front and pages == sorted(pages, key=[front, back].index), art["/T"]


def test_a_sheet_embeds_each_cards_face_once(real):
    """A sheet carries each card's cut face once (front and back share it), and no two cards'
    faces are the same bytes: the print shop downloads no copies."""
    from pypdf import PdfReader

    _project, report, _out = real
    for sheet in report.sheets:
        programs: dict[int, bytes] = {}
        for page in PdfReader(sheet).pages:
            for form in page["/Resources"]["/XObject"].values():
                for font in form.get_object()["/Resources"]["/Font"].values():
                    descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    ref = descriptor.get_object().raw_get("/FontFile3") if "/FontFile3" in descriptor \
                        else descriptor.get_object().raw_get("/FontFile2")
                    programs[ref.idnum] = ref.get_object().get_data()
        assert len(set(programs.values())) == len(programs), sheet.name
        assert sheet.stat().st_size < 800 * 1024, (sheet.name, sheet.stat().st_size)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_sheet_still_reads_as_its_cards_text(real):
    project, _report, out = real
    sheet = out / "a4" / "delivery.pdf"
    text = squash(subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True,
                                 check=True).stdout)
    from pypdf import PdfReader

    cards = [card for card in project.cards if card.at and Path(card.at.file).stem == "delivery"]
    assert cards
    for card in cards:
        title = PdfReader(out / f"{card.id}.pdf").metadata.title.split(" · ", 1)[1]
        assert squash(title) in text, card.id
        assert card.id in text, card.id  # the footer, drawn from the card's margin


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` once in the file; the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _has_font(char: str) -> bool:
    done = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True, text=True,
                          check=False)
    return bool(done.stdout.strip())


# An emoji staff paste into an item, drawn by no font installed here (DejaVu has some emoji: 😀).
EMOJI = "👍"
PRIVATE = "\ue000"  # a symbol font's character, copied from a word processor


@pytest.fixture
def pasted(tmp_path):
    from sopbook.model.project import load_project

    if shutil.which("fc-list") is None or _has_font(EMOJI) or _has_font(PRIVATE):
        pytest.skip("fontconfig is missing, or an installed font draws the test characters")
    root = make_project("cards", tmp_path)
    _edit(root / "content" / "mobile.yml", "升级引导]", f"升级引导{EMOJI}]")
    # A strategy is a word in the segment's list: located at its segment (the promoters).
    mobile = (root / "content" / "mobile.yml").read_text(encoding="utf-8").splitlines().index(
        "          - id: promoters") + 1
    delivery = _edit(root / "content" / "delivery.yml", "测试维修相关功能", f"测试维修{PRIVATE}相关功能")
    return load_project(root), tmp_path, mobile, delivery


def test_a_character_no_font_draws_stops_the_build_naming_card_item_and_character(pasted):
    from sopbook.cards import build_cards

    project, tmp_path, mobile_line, delivery_line = pasted
    report = build_cards(project, tmp_path / "out", jobs=1, progress=False)
    found = [f for f in report.findings if f.code == "cards.undrawable-character"]
    assert report.rendered == [] and not list((tmp_path / "out").glob("*.pdf"))
    assert [(f.message.split("'")[1], str(f.loc)) for f in found] == [
        ("delivery-sop", f"content/delivery.yml:{delivery_line}:21"),
        ("verify-other", f"content/delivery.yml:{delivery_line}:21"),
        ("nps", f"content/mobile.yml:{mobile_line}:13"),
        ("recovery", f"content/mobile.yml:{mobile_line}:13"),
    ]
    nps = found[2]
    assert nps.level == "error"
    assert f"'{EMOJI}' (U+1F44D THUMBS UP SIGN)" in nps.message
    assert "升级引导" in nps.message  # the item it is in
    assert "remove it or replace it with words" in nps.hint
    assert "'\ue000' (U+E000 PRIVATE USE" in found[0].message and "测试维修" in found[0].message
    assert nps.address  # the card, for acknowledgements and the report


def test_the_same_findings_come_from_the_check_without_rendering(pasted):
    from sopbook.cards import build_cards
    from sopbook.cards.preflight import preflight

    project, tmp_path, _, _ = pasted
    built = [f for f in build_cards(project, tmp_path / "out", jobs=1, progress=False).findings
             if f.code == "cards.undrawable-character"]
    assert [f for f in preflight(project) if f.code == "cards.undrawable-character"] == built and built


def test_a_symbol_the_cjk_face_lacks_but_another_font_has_prints(tmp_path):
    from sopbook.cards.preflight import preflight
    from sopbook.model.project import load_project

    if shutil.which("fc-list") is None or not _has_font("✔"):
        pytest.skip("no installed font draws ✔")
    root = make_project("cards", tmp_path)
    _edit(root / "content" / "delivery.yml", "测试维修相关功能", "测试维修相关功能✔")
    assert [f for f in preflight(load_project(root)) if f.code == "cards.undrawable-character"] == []
