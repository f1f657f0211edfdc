"""The A4 print sheet: four cards per side, crop marks and bleed, backs for long-edge duplex.

Four A6 cards fill A4 exactly (2 x 105 = 210 mm), which leaves no room for bleed or crop
marks. Scaling the cards down would set the 10 pt body text below 10 pt, so instead each card
is placed at 100 % and trimmed by CROP mm of its white border (card.css keeps everything but
the title band 8 mm inside the edge): the cut card is 93 x 136 mm, fits an A6 laminating
pouch with a seal all round, and reads exactly like the A6 PDF. The band's continuation past
the trim line is real bleed.

A sheet is assembled from the already rendered and fit-checked card PDFs (build_cards makes one
per file in checklists/): every card page becomes a form XObject clipped (by its BBox) to trim +
bleed, so the sheet shows exactly the same layout and no card is laid out twice.

Long-edge duplex turns a portrait sheet over its vertical axis, so the back of the card in
column c sits in column 1 - c of the back page; the layout is symmetric, so it lands exactly
behind its front.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sopbook._util.procs import process_pool
from sopbook.cards.structure import SheetTree

MM = 72 / 25.4  # PDF points per mm


@dataclass(frozen=True)
class SheetGeometry:
    sheet_w: float = 210.0  # A4 portrait, mm
    sheet_h: float = 297.0
    card_w: float = 105.0  # A6 portrait
    card_h: float = 148.0
    crop: float = 6.0  # white border trimmed from each card edge
    bleed: float = 2.0  # artwork kept past the trim line
    mark_gap: float = 1.0  # crop marks start this far outside the bleed
    mark_len: float = 4.5
    mark_width_pt: float = 0.3
    cols: int = 2
    rows: int = 2

    @property
    def trim_w(self) -> float:
        return self.card_w - 2 * self.crop

    @property
    def trim_h(self) -> float:
        return self.card_h - 2 * self.crop

    @property
    def pitch_x(self) -> float:
        return self.trim_w + 2 * self.bleed

    @property
    def pitch_y(self) -> float:
        return self.trim_h + 2 * self.bleed

    @property
    def margin_x(self) -> float:
        """Paper edge to the first trim line."""
        return (self.sheet_w - self.cols * self.trim_w - (self.cols - 1) * 2 * self.bleed) / 2

    @property
    def margin_y(self) -> float:
        return (self.sheet_h - self.rows * self.trim_h - (self.rows - 1) * 2 * self.bleed) / 2

    def trim(self, col: int, row: int) -> tuple[float, float, float, float]:
        """Trim box of a slot, (left, bottom, right, top) in PDF points from the sheet's lower left."""
        left = self.margin_x + col * self.pitch_x
        top_from_top = self.margin_y + row * self.pitch_y
        bottom = self.sheet_h - top_from_top - self.trim_h
        return left * MM, bottom * MM, (left + self.trim_w) * MM, (bottom + self.trim_h) * MM

    def crop_marks(self) -> list[tuple[float, float, float, float]]:
        """Line segments (x1, y1, x2, y2) in points, outside the bleed of the whole grid."""
        xs = sorted({x for c in range(self.cols) for x in (self.trim(c, 0)[0], self.trim(c, 0)[2])})
        ys = sorted({y for r in range(self.rows) for y in (self.trim(0, r)[1], self.trim(0, r)[3])})
        grid_left, grid_right = xs[0] - self.bleed * MM, xs[-1] + self.bleed * MM
        grid_bottom, grid_top = ys[0] - self.bleed * MM, ys[-1] + self.bleed * MM
        gap, length = self.mark_gap * MM, self.mark_len * MM
        marks = []
        for x in xs:
            marks.append((x, grid_top + gap, x, grid_top + gap + length))
            marks.append((x, grid_bottom - gap, x, grid_bottom - gap - length))
        for y in ys:
            marks.append((grid_left - gap, y, grid_left - gap - length, y))
            marks.append((grid_right + gap, y, grid_right + gap + length, y))
        return marks


SHEET = SheetGeometry()


@dataclass(frozen=True)
class SheetCard:
    card_id: str
    pdf: Path
    has_back: bool


def _form(writer, page, geometry: SheetGeometry):
    """The card page as a form XObject clipped to its trim box plus bleed."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject, StreamObject

    stream = page.get("/Contents")
    stream = stream.get_object() if stream is not None else None
    if isinstance(stream, StreamObject):
        # The page's one content stream becomes the form as it is, still compressed: decoding and
        # storing it raw made the sheet larger and slower to write, for the same operators.
        form = stream.clone(writer)
    else:  # none, or an array of streams: their concatenation
        contents = page.get_contents()
        form = writer._add_object(DecodedStreamObject()).get_object()
        form.set_data(contents.get_data() if contents is not None else b"")
    inset = (geometry.crop - geometry.bleed) * MM
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(round(v, 3)) for v in
                                         (inset, inset, width - inset, height - inset)),
    })
    if "/Resources" in page:
        form[NameObject("/Resources")] = page["/Resources"].get_object().clone(writer)
    if "/Group" in page:
        form[NameObject("/Group")] = page["/Group"].get_object().clone(writer)
    return form.indirect_reference


def _sheet_page(writer, placed: list[tuple[int, int, object]], geometry: SheetGeometry):
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    page = writer.add_blank_page(width=geometry.sheet_w * MM, height=geometry.sheet_h * MM)
    xobjects = DictionaryObject()
    ops: list[str] = []
    for n, (col, row, form) in enumerate(placed):
        name = f"/Card{n}"
        xobjects[NameObject(name)] = form
        left, bottom, _, _ = geometry.trim(col, row)
        crop = geometry.crop * MM
        ops.append(f"q 1 0 0 1 {left - crop:.3f} {bottom - crop:.3f} cm {name} Do Q")
    # Crop marks are for the guillotine, not the reader: an artifact, outside the structure tree.
    ops.append(f"/Artifact BMC q {geometry.mark_width_pt} w 0 0 0 RG")
    for x1, y1, x2, y2 in geometry.crop_marks():
        ops.append(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l S")
    ops.append("Q EMC")
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    return page.indirect_reference


def impose(cards: list[SheetCard], out: Path, geometry: SheetGeometry = SHEET, title: str = "") -> int:
    """Write the 4-up sheet; return its page count (a front, and a back when any card has one)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    tree = SheetTree(writer)  # the cards' tags, so the sheet is as readable as the cards
    per_sheet = geometry.cols * geometry.rows
    duplex = any(c.has_back for c in cards)
    for start in range(0, len(cards), per_sheet):
        fronts, backs = [], []
        tagged_fronts, tagged_backs = [], []
        for slot, card in enumerate(cards[start:start + per_sheet]):
            reader = PdfReader(card.pdf)
            card_tree = tree.card(reader, (reader.metadata.title if reader.metadata else "") or "")
            col, row = slot % geometry.cols, slot // geometry.cols
            fronts.append((col, row, _form(writer, reader.pages[0], geometry)))
            tagged_fronts.append((card_tree, reader.pages[0], fronts[-1][2]))
            if card.has_back:
                backs.append((geometry.cols - 1 - col, row, _form(writer, reader.pages[1], geometry)))
                tagged_backs.append((card_tree, reader.pages[1], backs[-1][2]))
        front_page = _sheet_page(writer, fronts, geometry)
        for card_tree, page, form in tagged_fronts:
            card_tree.place(page, form, front_page)
        if duplex:
            back_page = _sheet_page(writer, backs, geometry)
            for card_tree, page, form in tagged_backs:
                card_tree.place(page, form, back_page)
    tree.finish(title)
    if title:
        writer.add_metadata({"/Title": title, "/Creator": "sopbook"})
    # No compress_identical_objects(): every card embeds its own font subsets, so it merged 0.2 %
    # of the bytes for 6 % of the time.
    with open(out, "wb") as handle:
        writer.write(handle)
    return len(writer.pages)


@dataclass(frozen=True)
class SheetJob:
    cards: tuple[SheetCard, ...]
    out: Path
    title: str = ""


def _impose_job(job: SheetJob) -> str | None:
    """Impose one sheet; the error as text if it failed (a worker's traceback helps nobody)."""
    try:
        impose(list(job.cards), job.out, title=job.title)
    except Exception as exc:
        job.out.unlink(missing_ok=True)  # never a half-written sheet
        return f"{type(exc).__name__}: {exc}"
    return None


def impose_all(jobs: list[SheetJob], workers: int, min_cards: int = 64) -> dict[Path, str]:
    """Impose every sheet, in `workers` processes when there are enough cards to pay for them.
    Returns the sheets that failed, with why.

    pypdf is pure Python (about 4 ms a card, most of it parsing the card PDF), and after the
    cards are rendered the render workers' cores are idle: a full build of 5000 cards spent 20 s
    imposing on one of them.
    """
    if workers <= 1 or len(jobs) < 2 or sum(len(j.cards) for j in jobs) < min_cards:
        return {job.out: error for job in jobs if (error := _impose_job(job))}
    # pypdf needs no set-up: where forking is unsafe, a fresh interpreter costs just the imports.
    with process_pool(min(workers, len(jobs))) as pool:
        errors = pool.map(_impose_job, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
        return {job.out: error for job, error in zip(jobs, errors, strict=True) if error}
