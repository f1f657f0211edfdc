"""The structure tree of a tagged card or sheet: what a screen reader reads, and in which order.

A card is tagged by WeasyPrint (`pdf_tags`), which leaves the running footer (the card's id,
edition and QR code, set in a page margin) out of the tree: its text is marked but belongs to no
element a reader reaches. `footer_in_place` hangs each page's footer after that page's content,
where it is printed.

An A4 sheet shows each card page as a form XObject (impose.py), so the card's own tree does not
carry over by itself. `SheetTree` builds the sheet's: a Document holding one Art per card, titled
as the card, with the card's elements copied under it; the marked content stays inside each form
(the form gets its own StructParents, and each marked-content id is referred to with the form it
lives in), so no content stream is rewritten. Crop marks are artifacts, not text.
"""
from __future__ import annotations

from typing import Any

# The keys of a structure element copied from a card to a sheet as they are (no references in them).
# (/Type is optional and left out: a sheet holds hundreds of elements, written uncompressed.)
_PLAIN_KEYS = ("/S", "/A", "/Alt", "/ActualText", "/E", "/Lang", "/T", "/ID", "/C", "/R")


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


def footer_in_place(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: put the elements of each page's margin boxes (the card footer) into
    the Document element after that page's own content, so a screen reader reaches them."""
    root_ref = pdf.catalog.get("StructTreeRoot")
    if root_ref is None:
        return
    objects = pdf.objects
    root = objects[_number(root_ref)]
    body = objects[_number(root["K"][0])]
    kids: list[bytes] = list(body["K"])
    reached: set[int] = set()
    stack = [_number(ref) for ref in kids]
    while stack:
        number = stack.pop()
        if number in reached:
            continue
        reached.add(number)
        stack.extend(_number(kid) for kid in objects[number].get("K", ()) if isinstance(kid, bytes))
    nums = objects[_number(root["ParentTree"])]["Nums"]
    lost: dict[bytes, list[bytes]] = {}  # page reference -> its unreached top elements, in order
    for index in range(0, len(nums), 2):
        entries = nums[index + 1]
        for ref in entries if isinstance(entries, list) else [entries]:
            element = objects[_number(ref)]
            while _number(element["P"]) not in reached and element["P"] != body.reference:
                element = objects[_number(element["P"])]
            if element["P"] == body.reference and element.number not in reached:
                reached.add(element.number)
                lost.setdefault(element["Pg"], []).append(element.reference)
                _reach(objects, element, reached)
    if not lost:
        return
    placed: list[bytes] = []
    pages = [kid_page for kid_page in (objects[_number(kid)].get("Pg") for kid in kids)]
    for page in dict.fromkeys([*pages, *lost]):
        placed.extend(kid for kid, on in zip(kids, pages, strict=True) if on == page)
        placed.extend(lost.get(page, ()))
    body["K"][:] = placed


def _reach(objects: list, element: Any, reached: set[int]) -> None:
    for kid in element.get("K", ()):
        if isinstance(kid, bytes) and _number(kid) not in reached:
            reached.add(_number(kid))
            _reach(objects, objects[_number(kid)], reached)


class SheetTree:
    """The structure tree of one A4 sheet, filled card by card as impose.py places their pages."""

    def __init__(self, writer: Any) -> None:
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject

        self.writer = writer
        self.root = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")}))
        self.document = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): self.root, NameObject("/K"): ArrayObject()}))
        self.root.get_object()[NameObject("/K")] = ArrayObject([self.document])
        self.parents: list[Any] = []  # ParentTree, by StructParents key: each form's elements by MCID
        self.lang: str = ""

    def card(self, reader: Any, title: str) -> CardTree:
        """Start a card: an Art element titled as the card, in the sheet's reading order."""
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

        art = self.writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Art"),
            NameObject("/P"): self.document, NameObject("/K"): ArrayObject()}))
        if title:
            art.get_object()[NameObject("/T")] = TextStringObject(title)
        self.document.get_object()["/K"].append(art)
        catalog = reader.trailer["/Root"]
        if not self.lang and catalog.get("/Lang"):
            self.lang = str(catalog["/Lang"])
        return CardTree(self, reader, art)

    def finish(self, title: str) -> None:
        """The catalog entries that make the sheet a tagged PDF, with its title shown as such."""
        from pypdf.generic import (
            ArrayObject,
            BooleanObject,
            DictionaryObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        nums = ArrayObject()
        for key, elements in enumerate(self.parents):
            nums.extend([NumberObject(key), self.writer._add_object(ArrayObject(elements))])
        root = self.root.get_object()
        tree = DictionaryObject({NameObject("/Nums"): nums})
        root[NameObject("/ParentTree")] = self.writer._add_object(tree)
        root[NameObject("/ParentTreeNextKey")] = NumberObject(len(self.parents))
        catalog = self.writer._root_object
        catalog[NameObject("/StructTreeRoot")] = self.root
        catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
        catalog[NameObject("/Lang")] = TextStringObject(self.lang or "zh-Hans")
        if title:
            catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
                {NameObject("/DisplayDocTitle"): BooleanObject(True)})


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K", [])
    return list(kids) if isinstance(kids, list) else [kids]


def _bare_span(element: Any) -> bool:
    """A Span that only holds marked content: no language, replacement or alternate text."""
    return (str(element.get("/S")) == "/Span" and set(element) <= {"/Type", "/S", "/P", "/Pg", "/K"}
            and all(isinstance(kid, int) for kid in _kids(element)))


def _page_of(element: Any) -> int | None:
    """The object number of the card page an element is drawn on (None when it names none)."""
    page = element.raw_get("/Pg") if "/Pg" in element else None
    return getattr(page, "idnum", None)


class CardTree:
    """One card's elements on a sheet: each card page's elements follow it into its form."""

    def __init__(self, sheet: SheetTree, reader: Any, art: Any) -> None:
        self.sheet = sheet
        self.art = art
        root = reader.trailer["/Root"].get("/StructTreeRoot")
        self.tops: list[Any] = []
        self.by_mcid: dict[int, list[Any]] = {}  # card StructParents key -> its elements by MCID
        if root is None:
            return
        root = root.get_object()
        top = root["/K"]
        top = top if isinstance(top, list) else [top]
        documents = [kid.get_object() for kid in top]
        # WeasyPrint's tree is one Document; its children are the card's content.
        self.tops = [kid for doc in documents for kid in
                     (doc["/K"] if str(doc.get("/S")) == "/Document" else [doc])]
        nums = root["/ParentTree"].get_object().get("/Nums", [])
        for index in range(0, len(nums), 2):
            entries = nums[index + 1].get_object()
            if isinstance(entries, list):
                self.by_mcid[int(nums[index])] = list(entries)

    def place(self, page: Any, form: Any, sheet_page: Any) -> None:
        """The card page `page` is drawn by `form` on `sheet_page`: copy its elements there."""
        from pypdf.generic import ArrayObject, NameObject, NumberObject

        key = page.get("/StructParents")
        if key is None or int(key) not in self.by_mcid:
            return
        copies: dict[int, Any] = {}
        page_id = page.indirect_reference.idnum
        kids = self.art.get_object()["/K"]
        for top in self.tops:
            if _page_of(top.get_object()) == page_id:
                kids.append(self._copy(top, self.art, page_id, form, sheet_page, copies))
        parents = ArrayObject(copies.get(ref.idnum, self.art) for ref in self.by_mcid[int(key)])
        form.get_object()[NameObject("/StructParents")] = NumberObject(len(self.sheet.parents))
        self.sheet.parents.append(parents)

    def _copy(self, ref: Any, parent: Any, page_id: int, form: Any, sheet_page: Any, copies: dict) -> Any:
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

        element = ref.get_object()
        copy = DictionaryObject({NameObject(key): element[key].clone(self.sheet.writer)
                                 for key in _PLAIN_KEYS if key in element})
        copy[NameObject("/P")] = parent
        copy[NameObject("/Pg")] = sheet_page
        out = self.sheet.writer._add_object(copy)
        copies[ref.idnum] = out
        copied = ArrayObject()
        for kid in _kids(element):
            if isinstance(kid, int):  # marked content of this card page, now inside the form
                # (the page is the element's /Pg: an MCR's own /Type and /Pg are optional)
                copied.append(DictionaryObject({NameObject("/MCID"): NumberObject(kid),
                                                NameObject("/Stm"): form}))
                continue
            target = kid.get_object()
            if str(target.get("/Type")) != "/StructElem":
                continue  # a link annotation's reference: the sheet carries no annotations
            if _page_of(target) not in (None, page_id):
                continue  # drawn on the card's other page: copied with it
            if _bare_span(target):
                # A run of text with no meaning of its own (WeasyPrint makes one per line of a
                # paragraph): its text is read as part of the element around it, and the sheet,
                # written uncompressed, is half as many elements.
                copies[kid.idnum] = out
                copied.extend(DictionaryObject({NameObject("/MCID"): NumberObject(mcid),
                                                NameObject("/Stm"): form}) for mcid in _kids(target))
                continue
            copied.append(self._copy(kid, out, page_id, form, sheet_page, copies))
        copy[NameObject("/K")] = copied
        return out
