"""The CJK face cut down to the characters one card prints, before WeasyPrint sees it.

WeasyPrint subsets an embedded font with HarfBuzz's RETAIN_GIDS, then keeps every glyph slot up
to the highest one drawn. Noto Sans CJK has 65 thousand glyphs and the Chinese ones sit high,
so a card that draws 300 glyphs carried 40-63 thousand empty slots: 225-400 KB a card PDF.
Renumbering the glyphs first (HarfBuzz-Subset, no retained ids) leaves WeasyPrint a face of a
few hundred glyphs, and the card PDF drops to a tenth. Measured on the handbook's cards: HarfBuzz
takes 5-10 ms a face, fontTools 770 ms for a font twice the size (it keeps every layout
feature's alternates), so HarfBuzz it is; without it the build stops before rendering
(cards.fonttools-fallback), as it did before.

Each card gets its own subset, named by a digest of its characters: a card's PDF then depends
on its own text only, so changing one card re-renders that card and no other (a subset per
build or per batch would change every card's bytes whenever any card gains a character). The
subsets are kept in memory per worker process (lru_cache): at under 10 ms, a copy on disk would
cost more to read back than to cut again.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from sopbook._util.digest import digest
from sopbook.cards.fonts import fc_list

# Characters a card may draw without writing them: CSS counters and page numbers (digits), the
# ASCII a template can put in generated content, and what the browser stylesheet generates
# (quotes around <q>, list bullets).
_ALWAYS = frozenset(chr(code) for code in range(0x20, 0x7F)) | frozenset("\u00a0“”‘’•◦▪")

# fontconfig weights (fontconfig.h: FC_WEIGHT_REGULAR, FC_WEIGHT_BOLD) and their CSS names.
_WEIGHTS = ((80, "normal"), (200, "bold"))

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
void hb_face_destroy(hb_face_t *face);
unsigned int hb_face_get_glyph_count(const hb_face_t *face);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""


@dataclass(frozen=True)
class Face:
    file: str
    index: int  # the face's number inside a collection (.ttc)
    weight: str  # its CSS font-weight: "normal" or "bold"


def _fc_faces() -> str:
    """The CJK faces as family<TAB>file<TAB>index<TAB>weight lines."""
    return fc_list("--format", "%{family[0]}\t%{file}\t%{index}\t%{weight}\n", ":lang=zh") or ""


@lru_cache(maxsize=4)
def faces(family: str) -> tuple[Face, ...]:
    """The family's regular and bold faces (the weights card.css uses); the nearest weight of each."""
    found: list[tuple[int, str, int]] = []
    for line in _fc_faces().splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0].strip() == family and parts[2].isdigit():
            try:
                found.append((int(float(parts[3])), parts[1], int(parts[2])))
            except ValueError:
                continue
    out = []
    for weight, css in _WEIGHTS:
        near = [face for face in found if abs(face[0] - weight) <= 40]
        if near:
            _, file, index = min(near, key=lambda face: (abs(face[0] - weight), face[1], face[2]))
            out.append(Face(file, index, css))
    return tuple(out)


def _dlopen(ffi, *names: str):
    """The first of the library's names (Linux, macOS, Windows) that loads, as WeasyPrint finds it."""
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise OSError(f"cannot load {names[0]}")


class _HarfBuzz:
    """HarfBuzz-Subset through cffi (WeasyPrint's own bindings lack the calls needed here)."""

    def __init__(self) -> None:
        import cffi

        self.ffi = cffi.FFI()
        self.ffi.cdef(_CDEF)
        self.hb = _dlopen(self.ffi, "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
        self.subset = _dlopen(self.ffi, "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                              "libharfbuzz-subset-0.dll")
        self._faces: dict[tuple[str, int], object] = {}

    def face(self, file: str, index: int):
        """The whole face, memory-mapped once per process (the Noto CJK files are ~20 MB)."""
        if (file, index) not in self._faces:
            self._faces[file, index] = self._open(file, index)
        return self._faces[file, index]

    def _open(self, file: str, index: int):
        blob = self.hb.hb_blob_create_from_file_or_fail(file.encode())
        if blob == self.ffi.NULL:
            raise OSError(f"HarfBuzz cannot read the font {file}")
        face = self.hb.hb_face_create(blob, index)
        self.hb.hb_blob_destroy(blob)  # the face holds its own reference
        return self.ffi.gc(face, self.hb.hb_face_destroy)

    def cut(self, file: str, index: int, chars: frozenset[str]) -> bytes:
        ffi, hb, sub = self.ffi, self.hb, self.subset
        plan = ffi.gc(sub.hb_subset_input_create_or_fail(), sub.hb_subset_input_destroy)
        if plan == ffi.NULL:
            raise MemoryError("HarfBuzz-Subset could not start a subset")
        unicodes = sub.hb_subset_input_unicode_set(plan)
        for char in sorted(chars):
            hb.hb_set_add(unicodes, ord(char))
        # Default flags: glyphs renumbered, layout tables kept so Pango shapes as with the whole face.
        small = sub.hb_subset_or_fail(self.face(file, index), plan)
        if small == ffi.NULL:
            raise ValueError(f"HarfBuzz-Subset could not subset {file}")
        small = ffi.gc(small, hb.hb_face_destroy)
        blob = hb.hb_face_reference_blob(small)
        try:
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(blob, length)
            return bytes(ffi.buffer(data, length[0]))
        finally:
            hb.hb_blob_destroy(blob)


@lru_cache(maxsize=1)
def _harfbuzz() -> _HarfBuzz:
    return _HarfBuzz()


@lru_cache(maxsize=64)
def subset_font(file: str, index: int, chars: frozenset[str]) -> bytes:
    """The face at (file, index) with only the glyphs for `chars` (and what shaping them needs)."""
    return _harfbuzz().cut(file, index, chars)


def card_chars(html: str, css: str) -> frozenset[str]:
    """Every character the card can draw: its page's text and the stylesheet's generated content.

    A superset (tag names, attribute values) costs a few glyphs; a character left out would still
    print, from the whole face after it in font-family, at the old size."""
    return frozenset(unescape(html)) | frozenset(css) | _ALWAYS


# Where a card face is fetched from: the renderer's URL fetcher serves these from memory. A
# data: URL would carry the same bytes, but WeasyPrint's CSS tokenizer reads one character at a
# time, and 60 KB of base64 per card cost more than the rest of its stylesheet.
SCHEME = "sopbook-font"


@dataclass(frozen=True)
class CardFont:
    family: str  # the font-family name the card's text is set in
    rules: str  # the @font-face rules that define it
    files: dict[str, bytes]  # each rule's SCHEME URL and the face it fetches


def card_font(family: str, chars: frozenset[str]) -> CardFont | None:
    """@font-face rules for the family's faces cut to `chars`; None when fontconfig lists no face."""
    found = faces(family)
    if not found:
        return None
    # Named after the face it is cut from, which PDF readers and print shops show as the font.
    name = f"{family} card {digest(family, ''.join(sorted(chars)))[:12]}"
    rules, files = [], {}
    for face in found:
        url = f"{SCHEME}:{name.replace(' ', '-')}-{face.weight}.otf"
        files[url] = subset_font(face.file, face.index, chars)
        rules.append(f'@font-face {{ font-family: "{name}"; font-weight: {face.weight}; '
                     f'src: url("{url}"); }}')
    return CardFont(name, "\n".join(rules), files)
